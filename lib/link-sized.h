/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the link calls' structs at the size the caller has (liboio.h,
 * "Structs that grow"). No netlink: the host tests build it alone.
 */
#ifndef LINK_SIZED_H
#define LINK_SIZED_H

#include <stddef.h>

#include "liboio.h"

#define lio_offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))

/*
 * What 0.1.0's callers have of each: oio_link_params_init(), oio_link_up()
 * and oio_link_recover() read and write no further, whatever members
 * later releases append.
 */
#define LIO_LINK_PARAMS_SIZE_1	lio_offsetofend(struct oio_link_params, timeout_ms)
#define LIO_LINK_REPORT_SIZE_1	lio_offsetofend(struct oio_link_report, lane)

/*
 * The caller's params of size bytes (NULL: the defaults) as this library's
 * whole struct: the members the caller does not have take their defaults.
 * -EINVAL if size is short of 0.1.0's; -E2BIG if the caller has members
 * this library does not know and one of them is not zero.
 */
int lio_link_params_in(struct oio_link_params *out,
		       const struct oio_link_params *p, size_t size);
/*
 * The report into the caller's size bytes: members the caller does not
 * have are dropped, those this library does not know are zeroed.
 */
void lio_link_report_out(struct oio_link_report *rep, size_t size,
			 const struct oio_link_report *full);

#endif /* LINK_SIZED_H */
