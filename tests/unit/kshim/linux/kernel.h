/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel's headers for the host unit tests to compile
 * the driver's pure helpers (driver/oio_ber.h) unchanged.
 */
#ifndef KSHIM_LINUX_KERNEL_H
#define KSHIM_LINUX_KERNEL_H

#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#ifndef U64_MAX
#define U64_MAX ((u64)~0ULL)
#endif

/* scnprintf(): what was written, never more than len - 1. */
#define scnprintf(buf, len, ...) ({					\
	int __n = snprintf(buf, len, __VA_ARGS__);			\
	__n < 0 ? 0 : (size_t)__n >= (len) ? (int)(len) - 1 : __n;	\
})

#endif
