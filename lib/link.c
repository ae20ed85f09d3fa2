// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: link bring-up, tear-down and recovery on a card reached through
 * the driver. bringup.c does the work through the card interface this
 * file implements over netlink: telemetry snapshots, sweeps, and batches
 * of heater, lock and lane requests (one datagram, one ack). Each run
 * holds the card's writer lock, keeps its journal of the lines' full bias
 * in the lock's file (cardlock.h), and stops at its next card access
 * once oio_ctx_cancel() is called on its handle - but for its clean-up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bringup.h"
#include "cardlock.h"
#include "link-sized.h"
#include "oio-private.h"

/* A cancelled run's longest wait before it notices. */
#define CANCEL_POLL_US	10000

struct nl_card {
	struct oio_ctx *ctx;
	uint32_t card;
	struct oio_batch batch;
	struct cardlock lock;
	unsigned int cancels;	/* the handle's count when the run began */
	bool cleaning;
	/*
	 * The run's last failed request before its clean-up and the kernel's
	 * reason for it, and the library's explanation given since: every
	 * request after them (the clean-up's, the other lines' of a link
	 * down) clears the handle's message, so the run puts back the one its
	 * error is about. The last, not the first: a run goes on past some
	 * failures (a line that would not light fails only its lanes).
	 */
	int first_err;
	char first_msg[OIO_ERRMSG_SIZE];
	char explained[OIO_ERRMSG_SIZE];
};

static int noted(struct nl_card *c, int err)
{
	if (err && err != -ECANCELED && !c->cleaning) {
		c->first_err = err;
		oio_ctx_errmsg(c->ctx, c->first_msg, sizeof(c->first_msg));
		/* an explanation from before is not about this one */
		c->explained[0] = '\0';
	}
	return err;
}

static int cancelled(const struct nl_card *c)
{
	return !c->cleaning && atomic_load(&c->ctx->cancels) != c->cancels ?
	       -ECANCELED : 0;
}

static int nl_snapshot(void *h, unsigned int parts, struct oio_telemetry *t)
{
	struct nl_card *c = h;

	return noted(c, cancelled(c) ?:
		     oio_telemetry_get_parts(c->ctx, c->card, parts, t));
}

static int nl_sweep(void *h, const struct oio_sweep_req *req, uint32_t *trace)
{
	struct nl_card *c = h;
	struct oio_sweep *s;
	uint32_t i;
	int err;

	err = cancelled(c) ?: sweep_run_held(c->ctx, c->card, req, &s);
	if (err)
		return noted(c, err);
	for (i = 0; i < s->ring_count; i++)
		memcpy(trace + (size_t)(s->ring[i] - req->first_ring) * s->points,
		       s->trace + (size_t)i * s->points, 4ull * s->points);
	oio_sweep_free(s);
	return 0;
}

static int nl_laser_enable(void *h, uint32_t line, bool on)
{
	struct nl_card *c = h;

	return noted(c, cancelled(c) ?:
		     oio_laser_set_enable(c->ctx, c->card, line, on));
}

static int nl_laser_bias(void *h, uint32_t line, uint32_t ua)
{
	struct nl_card *c = h;

	return noted(c, cancelled(c) ?:
		     oio_laser_set_bias(c->ctx, c->card, line, ua));
}

static int nl_arm(void *h)
{
	struct nl_card *c = h;

	return noted(c, cancelled(c) ?:
		     oio_card_set_armed(c->ctx, c->card, true));
}

static int nl_line_shift(void *h, uint32_t port, uint32_t shift)
{
	struct nl_card *c = h;

	return noted(c, cancelled(c) ?:
		     oio_port_set_line_shift(c->ctx, c->card, port, shift));
}

static int nl_line_shifts(void *h, uint32_t *shift)
{
	struct nl_card *c = h;
	struct oio_port_info *ports;
	size_t n, i;
	int err;

	err = cancelled(c) ?: oio_port_list_ex(c->ctx, c->card, &ports, &n,
						 sizeof(*ports));
	if (err)
		return noted(c, err);
	for (i = 0; i < n; i++)
		if (ports[i].port < OIO_MAX_PORTS)
			shift[ports[i].port] = ports[i].line_shift;
	free(ports);
	return 0;
}

static void nl_heater(void *h, uint32_t ring, uint32_t code)
{
	struct nl_card *c = h;

	lio_batch_add(&c->batch, lio_msg_ring_heater(c->ctx, c->card, ring,
						     code));
}

static void nl_lock(void *h, uint32_t ring, bool on)
{
	struct nl_card *c = h;

	lio_batch_add(&c->batch, lio_msg_ring_lock(c->ctx, c->card, ring, on));
}

static void nl_lane(void *h, uint32_t lane, enum oio_lane_request req,
		    int generator, int checker)
{
	struct nl_card *c = h;

	lio_batch_add(&c->batch, lio_msg_lane_set(c->ctx, c->card, lane, req,
						  generator, checker));
}

static int nl_run(void *h)
{
	struct nl_card *c = h;
	int err = cancelled(c);

	if (err)
		lio_batch_discard(&c->batch);
	else
		err = lio_batch_run(&c->batch);
	lio_batch_init(&c->batch, c->ctx);
	return noted(c, err);
}

/* In slices: a PRBS dwell may be seconds, and a cancel should not wait. */
static void nl_sleep_us(void *h, unsigned long us)
{
	struct nl_card *c = h;

	while (us && !cancelled(c)) {
		unsigned long part = us < CANCEL_POLL_US ? us : CANCEL_POLL_US;
		struct timespec ts = {
			.tv_sec = part / 1000000,
			.tv_nsec = (part % 1000000) * 1000,
		};

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		us -= part;
	}
}

static void nl_explain(void *h, const char *fmt, va_list ap)
{
	struct nl_card *c = h;
	char msg[sizeof(c->ctx->errmsg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	lio_ctx_set_err(c->ctx, "%s", msg);
	if (!c->cleaning)
		snprintf(c->explained, sizeof(c->explained), "%s", msg);
}

static int nl_recall_full(void *h, uint32_t *bias, uint32_t *lines)
{
	struct nl_card *c = h;

	memcpy(bias, c->lock.bias, sizeof(c->lock.bias));
	*lines = c->lock.lines;
	return 0;
}

static int nl_keep_full(void *h, const uint32_t *bias, uint32_t lines)
{
	struct nl_card *c = h;
	char msg[sizeof(c->ctx->errmsg)];
	int err = cardlock_keep(&c->lock, bias, lines, msg, sizeof(msg));

	if (err)
		lio_ctx_set_err(c->ctx, "%s", msg);
	return err;
}

static int nl_save_cal(void *h, const char *text, size_t len)
{
	struct nl_card *c = h;
	char msg[sizeof(c->ctx->errmsg)];
	int err = cardlock_save_cal(&c->lock, text, len, msg, sizeof(msg));

	if (err)
		lio_ctx_set_err(c->ctx, "%s", msg);
	return err;
}

static int nl_load_cal(void *h, char **text)
{
	struct nl_card *c = h;
	char msg[sizeof(c->ctx->errmsg)];
	int err = cardlock_load_cal(&c->lock, text, msg, sizeof(msg));

	if (err && err != -ENOENT)
		lio_ctx_set_err(c->ctx, "%s", msg);
	return err;
}

static void nl_cleaning(void *h, bool on)
{
	struct nl_card *c = h;

	c->cleaning = on;
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
	.recall_full = nl_recall_full,
	.keep_full = nl_keep_full,
	.save_cal = nl_save_cal,
	.load_cal = nl_load_cal,
	.cleaning = nl_cleaning,
};

/*
 * The card's identity, and its lock: the run counts as begun, for
 * oio_ctx_cancel(), from here.
 */
static int open_card(struct oio_ctx *ctx, uint32_t card, struct nl_card *c,
		     struct oio_card_io *io, struct oio_card_info *info)
{
	int err;

	c->lock.fd = -1;
	if (!ctx)
		return -EINVAL;
	c->ctx = ctx;
	c->card = card;
	c->cancels = atomic_load(&ctx->cancels);
	c->cleaning = false;
	c->first_err = 0;
	c->first_msg[0] = c->explained[0] = '\0';
	lio_batch_init(&c->batch, ctx);
	*io = nl_io;
	io->h = c;
	err = oio_card_get_ex(ctx, card, info, sizeof(*info));
	return err ?: ctx_card_lock(ctx, card, info, &c->lock);
}

static int close_card(struct nl_card *c, int err)
{
	/* what an error left queued goes nowhere */
	lio_batch_discard(&c->batch);
	cardlock_drop(&c->lock);
	if (err == -ECANCELED)
		lio_ctx_set_err(c->ctx, "the run was cancelled");
	else if (err && err == c->first_err && c->first_msg[0])
		lio_ctx_set_err(c->ctx, "%s", c->first_msg);
	else if (err && c->explained[0])
		lio_ctx_set_err(c->ctx, "%s", c->explained);
	return err;
}

/*
 * Bring-up or recovery with the caller's structs at the caller's size,
 * through a whole report of this library's.
 */
static int link_run(struct oio_ctx *ctx, uint32_t card, bool recover,
		    const struct oio_link_params *params, size_t params_size,
		    struct oio_link_report *rep, size_t rep_size,
		    oio_progress_cb cb, void *arg)
{
	struct oio_link_params prm;
	struct oio_link_report *full;
	struct oio_card_info info;
	struct oio_card_io io;
	struct nl_card c;
	int err;

	if (!rep || rep_size < LIO_LINK_REPORT_SIZE_1)
		return -EINVAL;
	full = malloc(sizeof(*full));
	if (!full)
		return -ENOMEM;
	/* a run that never gets to the card reports no lanes */
	lio_bringup_blank(full);
	err = lio_link_params_in(&prm, params, params_size);
	if (err)
		lio_ctx_set_err(ctx, "link parameters of %zu bytes: %s",
				params_size, err == -E2BIG ?
				"members this liboio does not know are set" :
				"shorter than liboio 0.1.0's");
	else
		err = open_card(ctx, card, &c, &io, &info);
	if (!err) {
		err = recover ?
		      lio_bringup_recover(&io, &info, &prm, full, cb, arg) :
		      lio_bringup_up(&io, &info, &prm, full, cb, arg);
		err = close_card(&c, err);
	}
	lio_link_report_out(rep, rep_size, full);
	free(full);
	return err;
}

OIO_API int oio_link_up_ex(struct oio_ctx *ctx, uint32_t card,
			   const struct oio_link_params *params,
			   size_t params_size, struct oio_link_report *rep,
			   size_t rep_size, oio_progress_cb cb, void *arg)
{
	return link_run(ctx, card, false, params, params_size, rep, rep_size,
			cb, arg);
}

OIO_API int oio_link_up(struct oio_ctx *ctx, uint32_t card,
			const struct oio_link_params *params,
			struct oio_link_report *rep, oio_progress_cb cb,
			void *arg)
{
	return link_run(ctx, card, false, params, LIO_LINK_PARAMS_SIZE_1, rep,
			LIO_LINK_REPORT_SIZE_1, cb, arg);
}

/*
 * 0.1.0's oio_link_up() and oio_link_recover(), for the programs built
 * against it, whose contract was 0 for every lane up and -EIO for some
 * down; programs built since bind to the LIBOIO_1.1 ones (liboio.map),
 * for which lanes down are a result and -EIO only the kernel's.
 */
static int v1_result(int err, const struct oio_link_report *rep)
{
	return !err && rep->lanes_up < rep->lanes ? -EIO : err;
}

__asm__(".symver lio_link_up_v1, oio_link_up@LIBOIO_1");
OIO_API int lio_link_up_v1(struct oio_ctx *ctx, uint32_t card,
			   const struct oio_link_params *params,
			   struct oio_link_report *rep, oio_progress_cb cb,
			   void *arg);
OIO_API int lio_link_up_v1(struct oio_ctx *ctx, uint32_t card,
			   const struct oio_link_params *params,
			   struct oio_link_report *rep, oio_progress_cb cb,
			   void *arg)
{
	return v1_result(oio_link_up(ctx, card, params, rep, cb, arg), rep);
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
	err = lio_bringup_down(&io, &info);
	return close_card(&c, err);
}

OIO_API int oio_link_recover_ex(struct oio_ctx *ctx, uint32_t card,
				const struct oio_link_params *params,
				size_t params_size,
				struct oio_link_report *rep, size_t rep_size,
				oio_progress_cb cb, void *arg)
{
	return link_run(ctx, card, true, params, params_size, rep, rep_size,
			cb, arg);
}

OIO_API int oio_link_recover(struct oio_ctx *ctx, uint32_t card,
			     const struct oio_link_params *params,
			     struct oio_link_report *rep, oio_progress_cb cb,
			     void *arg)
{
	return link_run(ctx, card, true, params, LIO_LINK_PARAMS_SIZE_1, rep,
			LIO_LINK_REPORT_SIZE_1, cb, arg);
}

__asm__(".symver lio_link_recover_v1, oio_link_recover@LIBOIO_1");
OIO_API int lio_link_recover_v1(struct oio_ctx *ctx, uint32_t card,
				const struct oio_link_params *params,
				struct oio_link_report *rep,
				oio_progress_cb cb, void *arg);
OIO_API int lio_link_recover_v1(struct oio_ctx *ctx, uint32_t card,
				const struct oio_link_params *params,
				struct oio_link_report *rep,
				oio_progress_cb cb, void *arg)
{
	return v1_result(oio_link_recover(ctx, card, params, rep, cb, arg),
			 rep);
}
