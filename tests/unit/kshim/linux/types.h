/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef KSHIM_LINUX_TYPES_H
#define KSHIM_LINUX_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned long long u64;	/* as the kernel has it */
typedef uint32_t u32;
typedef long long s64;

#endif
