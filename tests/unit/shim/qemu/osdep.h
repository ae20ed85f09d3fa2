/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for the few parts of QEMU's osdep.h the card model uses,
 * so that tests/unit/ compiles the model itself rather than a copy of it.
 */
#ifndef OIO_SHIM_OSDEP_H
#define OIO_SHIM_OSDEP_H

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#define MAKE_64BIT_MASK(shift, length) \
	(((~0ULL) >> (64 - (length))) << (shift))

#define g_malloc0(n) calloc(1, (n))
#define g_new0(type, n) ((type *)calloc((n), sizeof(type)))
#define g_free free

#endif
