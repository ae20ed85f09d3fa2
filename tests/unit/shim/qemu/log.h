/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for QEMU's log.h: guest errors go to the test's counter. */
#ifndef OIO_SHIM_LOG_H
#define OIO_SHIM_LOG_H

#define LOG_GUEST_ERROR 1

void qemu_log_mask(int mask, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
