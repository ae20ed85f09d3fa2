// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated card on the host; see simcard.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <time.h>

#include "qemu/log.h"
#include "simcard.h"

static unsigned long guest_errors;
static char last_error[256];

void qemu_log_mask(int mask, const char *fmt, ...)
{
	va_list ap;

	(void)mask;
	guest_errors++;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

unsigned long simcard_guest_errors(void)
{
	return guest_errors;
}

const char *simcard_last_guest_error(void)
{
	return last_error;
}

static struct simcard *card_of(OioEngineState *s)
{
	return (struct simcard *)s;
}

void oio_raise(OioEngineState *s, unsigned int vector)
{
	s->int_status |= 1u << vector;
}

bool oio_dma_write(OioEngineState *s, uint64_t addr, const void *buf,
		   uint32_t len, const char *what)
{
	struct simcard *c = card_of(s);

	(void)what;
	if (addr < c->dma_base || len > c->dma_size ||
	    addr - c->dma_base > c->dma_size - len)
		return false;
	memcpy(c->dma + (addr - c->dma_base), buf, len);
	s->cnt_dma += len;
	return true;
}

void simcard_init(struct simcard *c, unsigned int ports,
		  unsigned int wavelengths)
{
	memset(c, 0, sizeof(*c));
	oio_config_defaults(&c->s);
	c->s.ports = ports;
	c->s.wavelengths = wavelengths;
	c->timer.deadline = INT64_MAX;
	c->s.timer = &c->timer;
}

int simcard_set(struct simcard *c, const char *name, int64_t val)
{
	const OioPropDesc *d = oio_prop_find(name);

	if (!d)
		return -ENOENT;
	if (val < d->min || val > d->max)
		return -ERANGE;
	oio_config_set(&c->s, d, val, c->s.lane != NULL, c->now);
	return 0;
}

int64_t simcard_get(struct simcard *c, const char *name)
{
	const OioPropDesc *d = oio_prop_find(name);

	return d ? *oio_cfg_field(&c->s, d) : 0;
}

void simcard_realize(struct simcard *c)
{
	oio_card_realize(&c->s, c->now);
}

void simcard_free(struct simcard *c)
{
	oio_card_unrealize(&c->s);
	free(c->dma);
	c->dma = NULL;
}

int64_t simcard_host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void pass(struct simcard *c, int64_t ns)
{
	int64_t end = c->now + ns;

	while (c->timer.deadline <= end) {
		c->now = c->timer.deadline > c->now ? c->timer.deadline : c->now;
		c->timer.deadline = INT64_MAX;
		oio_advance(&c->s, c->now);
		oio_schedule(&c->s, c->now);
	}
	c->now = end;
	oio_advance(&c->s, c->now);
	oio_schedule(&c->s, c->now);
}

/* A call comes in: the host's time since the last one left passes. */
static void enter(struct simcard *c)
{
	if (c->realtime)
		pass(c, simcard_host_ns() - c->host_mark);
}

static void leave(struct simcard *c)
{
	if (c->realtime)
		c->host_mark = simcard_host_ns();
}

void simcard_realtime(struct simcard *c, bool on)
{
	c->realtime = on;
	c->host_mark = simcard_host_ns();
}

uint32_t simcard_rd(struct simcard *c, uint32_t addr)
{
	uint32_t v;

	enter(c);
	v = (uint32_t)oio_bar_read(&c->s, addr, 4, c->now);
	leave(c);
	return v;
}

void simcard_wr(struct simcard *c, uint32_t addr, uint32_t val)
{
	enter(c);
	oio_bar_write(&c->s, addr, val, 4, c->now);
	leave(c);
}

void simcard_wait(struct simcard *c, int64_t ns)
{
	enter(c);
	pass(c, ns);
	leave(c);
}
