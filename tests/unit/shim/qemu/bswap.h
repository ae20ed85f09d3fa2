/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for QEMU's bswap.h, for little-endian hosts. */
#ifndef OIO_SHIM_BSWAP_H
#define OIO_SHIM_BSWAP_H

#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the host tests assume a little-endian host"
#endif

static inline uint32_t cpu_to_le32(uint32_t v)
{
	return v;
}

static inline void stl_le_p(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
