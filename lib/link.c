// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: link bring-up, tear-down and recovery on a card reached through
 * the driver. bringup.c does the work through the card interface this
 * file implements over netlink: telemetry snapshots, sweeps, and batches
 * of heater, lock and lane requests (one datagram, one ack).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bringup.h"
#include "oio-private.h"

struct nl_card {
	struct oio_ctx *ctx;
	uint32_t card;
	struct oio_batch batch;
};

static int nl_snapshot(void *h, unsigned int parts, struct oio_telemetry *t)
{
	struct nl_card *c = h;

	return oio_telemetry_get_parts(c->ctx, c->card, parts, t);
}

static int nl_sweep(void *h, const struct oio_sweep_req *req, uint32_t *trace)
{
	struct nl_card *c = h;
	struct oio_sweep *s;
	uint32_t i;
	int err;

	err = oio_sweep_run(c->ctx, c->card, req, &s);
	if (err)
		return err;
	for (i = 0; i < s->ring_count; i++)
		memcpy(trace + (size_t)(s->ring[i] - req->first_ring) * s->points,
		       s->trace + (size_t)i * s->points, 4ull * s->points);
	oio_sweep_free(s);
	return 0;
}

static int nl_laser_enable(void *h, uint32_t line, bool on)
{
	struct nl_card *c = h;

	return oio_laser_set_enable(c->ctx, c->card, line, on);
}

static int nl_laser_bias(void *h, uint32_t line, uint32_t ua)
{
	struct nl_card *c = h;

	return oio_laser_set_bias(c->ctx, c->card, line, ua);
}

static int nl_arm(void *h)
{
	struct nl_card *c = h;

	return oio_card_set_armed(c->ctx, c->card, true);
}

static int nl_line_shift(void *h, uint32_t port, uint32_t shift)
{
	struct nl_card *c = h;

	return oio_port_set_line_shift(c->ctx, c->card, port, shift);
}

static int nl_line_shifts(void *h, uint32_t *shift)
{
	struct nl_card *c = h;
	struct oio_port_info *ports;
	size_t n, i;
	int err;

	err = oio_port_list(c->ctx, c->card, &ports, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (ports[i].port < OIO_MAX_PORTS)
			shift[ports[i].port] = ports[i].line_shift;
	free(ports);
	return 0;
}

static void nl_heater(void *h, uint32_t ring, uint32_t code)
{
	struct nl_card *c = h;

	oio_batch_add(&c->batch, oio_msg_ring_heater(c->ctx, c->card, ring,
						     code));
}

static void nl_lock(void *h, uint32_t ring, bool on)
{
	struct nl_card *c = h;

	oio_batch_add(&c->batch, oio_msg_ring_lock(c->ctx, c->card, ring, on));
}

static void nl_lane(void *h, uint32_t lane, enum oio_lane_request req,
		    int generator, int checker)
{
	struct nl_card *c = h;

	oio_batch_add(&c->batch, oio_msg_lane_set(c->ctx, c->card, lane, req,
						  generator, checker));
}

static int nl_run(void *h)
{
	struct nl_card *c = h;
	int err = oio_batch_run(&c->batch);

	oio_batch_init(&c->batch, c->ctx);
	return err;
}

static void nl_sleep_us(void *h, unsigned long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000,
	};

	(void)h;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void nl_explain(void *h, const char *fmt, va_list ap)
{
	struct nl_card *c = h;
	char msg[sizeof(c->ctx->errmsg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	oio_ctx_set_err(c->ctx, "%s", msg);
}

static const struct oio_card_io nl_io = {
	.snapshot = nl_snapshot,
	.sweep = nl_sweep,
	.laser_enable = nl_laser_enable,
	.laser_bias = nl_laser_bias,
	.arm = nl_arm,
	.line_shift = nl_line_shift,
	.line_shifts = nl_line_shifts,
	.heater = nl_heater,
	.lock = nl_lock,
	.lane = nl_lane,
	.run = nl_run,
	.sleep_us = nl_sleep_us,
	.explain = nl_explain,
};

static int open_card(struct oio_ctx *ctx, uint32_t card, struct nl_card *c,
		     struct oio_card_io *io, struct oio_card_info *info)
{
	if (!ctx)
		return -EINVAL;
	c->ctx = ctx;
	c->card = card;
	oio_batch_init(&c->batch, ctx);
	*io = nl_io;
	io->h = c;
	return oio_card_get(ctx, card, info);
}

OIO_API int oio_link_up(struct oio_ctx *ctx, uint32_t card,
			const struct oio_link_params *params,
			struct oio_link_report *rep, oio_progress_cb cb,
			void *arg)
{
	struct oio_card_info info;
	struct oio_card_io io;
	struct nl_card c;
	int err;

	err = open_card(ctx, card, &c, &io, &info);
	if (err)
		return err;
	err = oio_bringup_up(&io, &info, params, rep, cb, arg);
	/* what an error left queued goes nowhere */
	oio_batch_discard(&c.batch);
	return err;
}

OIO_API int oio_link_down(struct oio_ctx *ctx, uint32_t card)
{
	struct oio_card_info info;
	struct oio_card_io io;
	struct nl_card c;
	int err;

	err = open_card(ctx, card, &c, &io, &info);
	if (err)
		return err;
	err = oio_bringup_down(&io, &info);
	/* what an error left queued goes nowhere */
	oio_batch_discard(&c.batch);
	return err;
}

OIO_API int oio_link_recover(struct oio_ctx *ctx, uint32_t card,
			     const struct oio_link_params *params,
			     struct oio_link_report *rep, oio_progress_cb cb,
			     void *arg)
{
	struct oio_card_info info;
	struct oio_card_io io;
	struct nl_card c;
	int err;

	err = open_card(ctx, card, &c, &io, &info);
	if (err)
		return err;
	err = oio_bringup_recover(&io, &info, params, rep, cb, arg);
	/* what an error left queued goes nowhere */
	oio_batch_discard(&c.batch);
	return err;
}
