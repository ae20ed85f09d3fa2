/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for QEMU's timer.h: the host card records the deadline the
 * model asks for; the test's clock decides when to look again.
 */
#ifndef OIO_SHIM_TIMER_H
#define OIO_SHIM_TIMER_H

#include <stdint.h>

typedef struct QEMUTimer {
	int64_t deadline;	/* INT64_MAX: none */
} QEMUTimer;

static inline void timer_mod(QEMUTimer *t, int64_t deadline)
{
	if (t)
		t->deadline = deadline;
}

static inline void timer_del(QEMUTimer *t)
{
	if (t)
		t->deadline = INT64_MAX;
}

#endif
