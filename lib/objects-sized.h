/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the object structs (the *_info structs, oio_pci_dev,
 * oio_sweep_req, oio_headroom, oio_trace_peak) at the size the caller has
 * (liboio.h, "Structs that grow"). No netlink: the host tests build it
 * alone.
 */
#ifndef OBJECTS_SIZED_H
#define OBJECTS_SIZED_H

#include <stddef.h>
#include <stdint.h>

#include "link-sized.h"
#include "liboio.h"

/*
 * 0.1.0's sizeof of each: what the calls without _ex read and write, and
 * the stride of the arrays they return or take. Arrays step by sizeof,
 * not by the end of the last member, so each is that end rounded up to
 * the struct's alignment in 0.1.0 (its widest member's then), whatever
 * members later releases append.
 */
#define lio_sizeof_1(t, last, align)					\
	((lio_offsetofend(t, last) + (align) - 1) / (align) * (align))

#define LIO_CARD_INFO_SIZE_1						\
	lio_sizeof_1(struct oio_card_info, drift_pm_per_k, _Alignof(uint32_t))
#define LIO_PORT_INFO_SIZE_1						\
	lio_sizeof_1(struct oio_port_info, line_shift, _Alignof(uint32_t))
#define LIO_LASER_INFO_SIZE_1						\
	lio_sizeof_1(struct oio_laser_info, alarms, _Alignof(uint32_t))
#define LIO_LANE_INFO_SIZE_1						\
	lio_sizeof_1(struct oio_lane_info, alarms, _Alignof(uint64_t))
#define LIO_RING_INFO_SIZE_1						\
	lio_sizeof_1(struct oio_ring_info, at_limit, _Alignof(uint32_t))
#define LIO_PCI_DEV_SIZE_1						\
	lio_sizeof_1(struct oio_pci_dev, card_id, _Alignof(int))
#define LIO_SWEEP_REQ_SIZE_1						\
	lio_sizeof_1(struct oio_sweep_req, positions, _Alignof(uint32_t))
#define LIO_HEADROOM_SIZE_1						\
	lio_sizeof_1(struct oio_headroom, cool_k, _Alignof(double))
#define LIO_TRACE_PEAK_SIZE_1						\
	lio_sizeof_1(struct oio_trace_peak, edge, _Alignof(double))

/*
 * The library's struct full (full_size bytes) into the caller's size
 * bytes at dst: members the caller does not have are dropped, those this
 * library does not know are zeroed. size is checked by the caller.
 */
void lio_sized_out(void *dst, size_t size, const void *full,
		   size_t full_size);

/*
 * Whether a caller's struct of size bytes may be read as the library's
 * full_size ones: -EINVAL if size is short of 0.1.0's (size_1); -E2BIG if
 * the caller has members this library does not know and one of them is
 * not zero, as it would be silently ignored.
 */
int lio_sized_check(const void *src, size_t size, size_t full_size,
		    size_t size_1);

/*
 * The caller's struct of size bytes as the library's whole struct: the
 * members the caller does not have are zero. Errors as lio_sized_check().
 */
int lio_sized_in(void *full, size_t full_size, const void *src, size_t size,
		 size_t size_1);

/*
 * *items, n of the library's structs full_size bytes apart, made an array
 * of size bytes apart for the caller to free() (*items freed and replaced;
 * left as it is when the sizes agree or n is 0). -ENOMEM: *items freed
 * and NULL.
 */
int lio_sized_array(void **items, size_t n, size_t full_size, size_t size);

#endif /* OBJECTS_SIZED_H */
