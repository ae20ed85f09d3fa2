// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the object structs at the size the caller has, so that they can
 * gain members without breaking programs built before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "objects-sized.h"

/*
 * 0.1.0's can only be shorter (tests/unit/test-objects-sized.c checks
 * each against lib/abi/'s 0.1.0 ABI). The library's own callers use the
 * _ex forms with their sizeof (bring-up's lio_trace_peaks(), link.c,
 * cardlock-ctx.c), so that appending to a struct moves none of them.
 */
_Static_assert(LIO_CARD_INFO_SIZE_1 <= sizeof(struct oio_card_info), "");
_Static_assert(LIO_PORT_INFO_SIZE_1 <= sizeof(struct oio_port_info), "");
_Static_assert(LIO_LASER_INFO_SIZE_1 <= sizeof(struct oio_laser_info), "");
_Static_assert(LIO_LANE_INFO_SIZE_1 <= sizeof(struct oio_lane_info), "");
_Static_assert(LIO_RING_INFO_SIZE_1 <= sizeof(struct oio_ring_info), "");
_Static_assert(LIO_PCI_DEV_SIZE_1 <= sizeof(struct oio_pci_dev), "");
_Static_assert(LIO_SWEEP_REQ_SIZE_1 <= sizeof(struct oio_sweep_req), "");
_Static_assert(LIO_HEADROOM_SIZE_1 <= sizeof(struct oio_headroom), "");
_Static_assert(LIO_TRACE_PEAK_SIZE_1 <= sizeof(struct oio_trace_peak), "");

void lio_sized_out(void *dst, size_t size, const void *full,
		   size_t full_size)
{
	memcpy(dst, full, size < full_size ? size : full_size);
	if (size > full_size)
		memset((char *)dst + full_size, 0, size - full_size);
}

int lio_sized_check(const void *src, size_t size, size_t full_size,
		    size_t size_1)
{
	const unsigned char *tail = src;
	size_t i;

	if (size < size_1)
		return -EINVAL;
	for (i = full_size; i < size; i++)
		if (tail[i])
			return -E2BIG;
	return 0;
}

int lio_sized_in(void *full, size_t full_size, const void *src, size_t size,
		 size_t size_1)
{
	int err = lio_sized_check(src, size, full_size, size_1);

	if (err)
		return err;
	memset(full, 0, full_size);
	memcpy(full, src, size < full_size ? size : full_size);
	return 0;
}

int lio_sized_array(void **items, size_t n, size_t full_size, size_t size)
{
	char *out;
	size_t i;

	if (size == full_size || !n)
		return 0;
	out = calloc(n, size);
	if (out)
		for (i = 0; i < n; i++)
			lio_sized_out(out + i * size, size,
				      (const char *)*items + i * full_size,
				      full_size);
	free(*items);
	*items = out;
	return out ? 0 : -ENOMEM;
}
