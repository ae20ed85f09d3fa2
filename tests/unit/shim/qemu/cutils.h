/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for QEMU's cutils.h. */
#ifndef OIO_SHIM_CUTILS_H
#define OIO_SHIM_CUTILS_H

#include <stdio.h>

static inline void pstrcpy(char *buf, int size, const char *str)
{
	snprintf(buf, size, "%s", str);
}

#endif
