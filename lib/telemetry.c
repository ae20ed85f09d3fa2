// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: telemetry snapshots. The card writes every reading in one DMA
 * block, so a snapshot of the whole card costs it three register accesses
 * however many rings it has; the reply carries one packed array per
 * reading (laser powers, lane states, ring heaters, ...), a few KiB for a
 * whole card, copied here into the public structs.
 *
 * The same reply comes cheaper from /dev/oioN (linux/oio_dev.h), one ioctl
 * on a node the handle keeps open, for a handle opened with
 * OIO_CTX_DEVNODE where the node exists and may be opened; netlink
 * otherwise, and when the node no longer serves the card.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/oio_dev.h>
#include <netlink/genl/genl.h>

#include "oio-private.h"

/* What an absent column reads as: zeros, enough for the longest. */
static const uint8_t no_column[OIO_MAX_RINGS * 8];

/*
 * One packed array of n elements of size bytes, or no_column if the
 * reply has none; NULL (and *err = -EPROTO, said in ctx->errmsg) if its
 * length is not n elements: a truncated array is never read past its
 * end. The copy loops below then run without a test per element.
 */
static const uint8_t *column(struct oio_ctx *ctx, struct nlattr **tb,
			     int attr, size_t size, size_t n, int *err)
{
	struct nlattr *a = tb[attr];

	if (!a)
		return no_column;
	if ((size_t)nla_len(a) != n * size) {
		if (!*err)
			*err = lio_reply_bad(ctx, "the kernel's reply has %s.%s of %d bytes, not %zu x %zu",
					     lio_set_telemetry.name,
					     lio_set_telemetry.names[attr],
					     nla_len(a), n, size);
		return NULL;
	}
	return nla_data(a);
}

static uint32_t at32(const uint8_t *col, size_t i)
{
	uint32_t v;

	memcpy(&v, col + 4 * i, 4);
	return v;
}

static uint64_t at64(const uint8_t *col, size_t i)
{
	uint64_t v;

	memcpy(&v, col + 8 * i, 8);
	return v;
}

static int take_lasers(struct oio_ctx *ctx, struct nlattr **tb,
		       struct oio_telemetry *t, size_t n)
{
	const uint8_t *en, *bset, *bias, *pow, *temp, *st, *alm;
	int err = 0;
	size_t i;

	en = column(ctx, tb, OIO_A_TELEMETRY_LASER_ENABLE, 1, n, &err);
	bset = column(ctx, tb, OIO_A_TELEMETRY_LASER_BIAS_SET, 4, n, &err);
	bias = column(ctx, tb, OIO_A_TELEMETRY_LASER_BIAS, 4, n, &err);
	pow = column(ctx, tb, OIO_A_TELEMETRY_LASER_POWER, 4, n, &err);
	temp = column(ctx, tb, OIO_A_TELEMETRY_LASER_TEMP, 4, n, &err);
	st = column(ctx, tb, OIO_A_TELEMETRY_LASER_STATUS, 4, n, &err);
	alm = column(ctx, tb, OIO_A_TELEMETRY_LASER_ALARMS, 4, n, &err);
	if (err)
		return err;
	/* no first column: the part was not asked for */
	if (!tb[OIO_A_TELEMETRY_LASER_BIAS_SET])
		return 0;
	for (i = 0; i < n; i++) {
		struct oio_laser_info *l = &t->laser[i];

		l->card_id = t->card_id;
		l->line = i;
		l->enable = en[i];
		l->bias_set_ua = at32(bset, i);
		l->bias_ua = at32(bias, i);
		l->power_uw = at32(pow, i);
		l->temp_mc = (int32_t)at32(temp, i);
		l->status = at32(st, i);
		l->alarms = at32(alm, i);
	}
	t->n_lasers = n;
	return 0;
}

static int take_lanes(struct oio_ctx *ctx, struct nlattr **tb,
		      struct oio_telemetry *t, size_t n, size_t w)
{
	const uint8_t *st, *why, *gen, *chk, *bits, *errs, *alm;
	int err = 0;
	size_t i;

	st = column(ctx, tb, OIO_A_TELEMETRY_LANE_STATE, 4, n, &err);
	why = column(ctx, tb, OIO_A_TELEMETRY_LANE_REASON, 4, n, &err);
	gen = column(ctx, tb, OIO_A_TELEMETRY_LANE_PRBS_GENERATOR, 1, n, &err);
	chk = column(ctx, tb, OIO_A_TELEMETRY_LANE_PRBS_CHECKER, 1, n, &err);
	bits = column(ctx, tb, OIO_A_TELEMETRY_LANE_PRBS_BITS, 8, n, &err);
	errs = column(ctx, tb, OIO_A_TELEMETRY_LANE_PRBS_ERRORS, 8, n, &err);
	alm = column(ctx, tb, OIO_A_TELEMETRY_LANE_ALARMS, 4, n, &err);
	if (err)
		return err;
	/* no first column: the part was not asked for */
	if (!tb[OIO_A_TELEMETRY_LANE_STATE])
		return 0;
	for (i = 0; i < n; i++) {
		struct oio_lane_info *l = &t->lane[i];

		l->card_id = t->card_id;
		l->lane = i;
		l->port = i / w;
		l->state = at32(st, i);
		l->reason = at32(why, i);
		l->prbs_generator = gen[i];
		l->prbs_checker = chk[i];
		l->prbs_bits = at64(bits, i);
		l->prbs_errors = at64(errs, i);
		l->alarms = at32(alm, i);
	}
	t->n_lanes = n;
	return 0;
}

static int take_rings(struct oio_ctx *ctx, struct nlattr **tb,
		      struct oio_telemetry *t, size_t n)
{
	const uint8_t *heat, *uw, *mon, *lock, *lst, *lim;
	int err = 0;
	size_t i;

	heat = column(ctx, tb, OIO_A_TELEMETRY_RING_HEATER, 4, n, &err);
	uw = column(ctx, tb, OIO_A_TELEMETRY_RING_HEATER_POWER, 4, n, &err);
	mon = column(ctx, tb, OIO_A_TELEMETRY_RING_MONITOR, 4, n, &err);
	lock = column(ctx, tb, OIO_A_TELEMETRY_RING_LOCK, 1, n, &err);
	lst = column(ctx, tb, OIO_A_TELEMETRY_RING_LOCK_STATE, 4, n, &err);
	lim = column(ctx, tb, OIO_A_TELEMETRY_RING_AT_LIMIT, 1, n, &err);
	if (err)
		return err;
	/* no first column: the part was not asked for */
	if (!tb[OIO_A_TELEMETRY_RING_HEATER])
		return 0;
	for (i = 0; i < n; i++) {
		struct oio_ring_info *r = &t->ring[i];

		r->card_id = t->card_id;
		r->ring = i;
		r->heater = at32(heat, i);
		r->heater_uw = at32(uw, i);
		r->monitor_na = at32(mon, i);
		r->lock = lock[i];
		r->lock_state = at32(lst, i);
		r->at_limit = lim[i];
	}
	t->n_rings = n;
	return 0;
}

/* A reply callback's argument: where the snapshot goes, and for whom. */
struct lio_telemetry_take {
	struct oio_ctx *ctx;
	struct oio_telemetry *out;
};

static int lio_take_telemetry(struct nlmsghdr *nlh, struct nlattr **tb,
			      void *arg)
{
	const struct lio_telemetry_take *take = arg;
	struct oio_telemetry *t = take->out;
	struct oio_ctx *ctx = take->ctx;
	uint32_t ports, w;
	int err;

	(void)nlh;
	err = lio_reply_need(ctx, &lio_set_telemetry, tb,
			     OIO_A_TELEMETRY_PORTS) ?:
	      lio_reply_need(ctx, &lio_set_telemetry, tb,
			     OIO_A_TELEMETRY_WAVELENGTHS);
	if (err)
		return err;
	ports = nla_get_u32(tb[OIO_A_TELEMETRY_PORTS]);
	w = nla_get_u32(tb[OIO_A_TELEMETRY_WAVELENGTHS]);
	if (!ports || !w || ports > OIO_MAX_PORTS || w > OIO_MAX_WAVELENGTHS)
		return lio_reply_bad(ctx, "the kernel's reply has a card of %u x %u lanes, not 1 to %u x %u",
				     ports, w, OIO_MAX_PORTS,
				     OIO_MAX_WAVELENGTHS);
	t->card_id = tb[OIO_A_TELEMETRY_CARD_ID] ?
		     nla_get_u32(tb[OIO_A_TELEMETRY_CARD_ID]) : 0;
	t->seq = tb[OIO_A_TELEMETRY_SEQ] ?
		 nla_get_u32(tb[OIO_A_TELEMETRY_SEQ]) : 0;
	t->time_ns = tb[OIO_A_TELEMETRY_TIME] ?
		     nla_get_u64(tb[OIO_A_TELEMETRY_TIME]) : 0;
	t->temp_mc = tb[OIO_A_TELEMETRY_TEMP] ?
		     (int32_t)nla_get_u32(tb[OIO_A_TELEMETRY_TEMP]) : 0;
	t->alarms = tb[OIO_A_TELEMETRY_ALARMS] ?
		    nla_get_u32(tb[OIO_A_TELEMETRY_ALARMS]) : 0;
	err = take_lasers(ctx, tb, t, w) ?:
	      take_lanes(ctx, tb, t, (size_t)ports * w, w) ?:
	      take_rings(ctx, tb, t, 2 * (size_t)ports * w);
	return err;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The handle's open /dev/oioN of card, or -1: use netlink. ctx->lock held. */
static int dev_fd(struct oio_ctx *ctx, uint32_t card)
{
	char path[32];
	int fd;

	if (!ctx->use_dev || card >= LIO_DEV_FDS || ctx->gone)
		return -1;
	if (ctx->devfd[card] >= 0)
		return ctx->devfd[card];
	if (now_ms() < ctx->dev_after[card])
		return -1;
	snprintf(path, sizeof(path), "/dev/oio%u", card);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ctx->dev_after[card] = now_ms() + LIO_DEV_RETRY_MS;
	else
		ctx->devfd[card] = fd;
	return fd;
}

/* Netlink for this card until a later try opens its node again. */
static void dev_drop(struct oio_ctx *ctx, uint32_t card, uint64_t after_ms)
{
	close(ctx->devfd[card]);
	ctx->devfd[card] = LIO_DEV_NONE;
	ctx->dev_after[card] = now_ms() + after_ms;
}

void lio_dev_close_all(struct oio_ctx *ctx)
{
	for (uint32_t i = 0; i < LIO_DEV_FDS; i++)
		if (ctx->devfd[i] >= 0)
			dev_drop(ctx, i, 0);
}

/*
 * The driver's reasons, as its netlink reply gives them (oio_nl.c): the
 * node says only the errno, and asking again over netlink would cost the
 * wait, or the card's block, a second time.
 */
static const char *dev_reason(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "card did not answer (firmware hung?)";
	case -EIO:
		return "card not answering, or a bad telemetry block";
	case -EAGAIN:
		return "card resetting";
	case -EOPNOTSUPP:
		return "the card has no telemetry engine";
	case -EINTR:
		return "interrupted";
	default:
		return NULL;
	}
}

/*
 * The snapshot from /dev/oioN: 0 and *out filled, 1 if it must come over
 * netlink, or a negative errno. ctx->lock held.
 */
static int telemetry_dev(struct oio_ctx *ctx, uint32_t card,
			 unsigned int parts, struct oio_telemetry *out)
{
	struct oio_telemetry_read rd = { .parts = parts };
	struct nlattr *tb[OIO_A_TELEMETRY_MAX + 1];
	struct nlmsghdr *nlh;
	int fd = dev_fd(ctx, card), len, err;

	if (fd < 0)
		return 1;
	rd.size = ctx->rx_size;
	rd.buf = (uintptr_t)ctx->rx;
	len = ioctl(fd, OIO_IOC_TELEMETRY, &rd);
	/* a card bigger than the buffer: grown to what the driver says */
	if (len < 0 && errno == EMSGSIZE && rd.size > ctx->rx_size &&
	    rd.size <= OIO_SWEEP_REPLY_MAX) {
		void *p = realloc(ctx->rx, rd.size);

		if (!p)
			return -ENOMEM;
		ctx->rx = p;
		ctx->rx_size = rd.size;
		rd.buf = (uintptr_t)ctx->rx;
		len = ioctl(fd, OIO_IOC_TELEMETRY, &rd);
	}
	if (len < 0) {
		const char *why;

		err = -errno;
		why = dev_reason(err);
		if (why) {
			snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", why);
			return err;
		}
		/*
		 * ENODEV: the card left, or another took its number: reopen.
		 * Anything else: not the node liboio knows, netlink a while.
		 */
		dev_drop(ctx, card, err == -ENODEV ? 0 : LIO_DEV_RETRY_MS);
		return 1;
	}
	nlh = ctx->rx;
	if ((size_t)len < sizeof(*nlh) || nlh->nlmsg_len != (uint32_t)len)
		return lio_reply_bad(ctx, "/dev/oio%u answered %d bytes, a message of %u",
				     card, len,
				     len >= 4 ? nlh->nlmsg_len : 0);
	/* another family: the driver was reloaded; netlink tells the rest */
	if (nlh->nlmsg_type != ctx->family) {
		lio_dev_close_all(ctx);
		return 1;
	}
	/* the header only: n_* and the arrays are filled as columns come */
	memset(out, 0, offsetof(struct oio_telemetry, laser));
	err = lio_reply_parse(ctx, nlh, &lio_set_telemetry, tb);
	return err ?: lio_take_telemetry(nlh, tb,
					 &(struct lio_telemetry_take){ ctx, out });
}

int lio_telemetry_read(struct oio_ctx *ctx, uint32_t card,
		       unsigned int parts, struct oio_telemetry *out)
{
	const unsigned int all = OIO_TELEMETRY_PARTS_LASERS |
				 OIO_TELEMETRY_PARTS_LANES |
				 OIO_TELEMETRY_PARTS_RINGS;
	struct nl_msg *msg;

	int err;

	if (!out || (parts & ~all))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	ctx->errmsg[0] = '\0';
	err = telemetry_dev(ctx, card, parts, out);
	pthread_mutex_unlock(&ctx->lock);
	if (err <= 0)
		return err;
	/* the header only: n_* and the arrays are filled as columns come */
	memset(out, 0, offsetof(struct oio_telemetry, laser));
	msg = lio_msg_new(ctx, OIO_CMD_TELEMETRY_GET, false);
	if (msg && (nla_put_u32(msg, OIO_A_TELEMETRY_CARD_ID, card) ||
		    (parts && nla_put_u32(msg, OIO_A_TELEMETRY_PARTS, parts)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return lio_xfer(ctx, msg, &lio_set_telemetry, lio_take_telemetry,
			&(struct lio_telemetry_take){ ctx, out });
}

OIO_API int oio_telemetry_get_parts(struct oio_ctx *ctx, uint32_t card,
				    unsigned int parts,
				    struct oio_telemetry *out)
{
	return lio_telemetry_read(ctx, card, parts, out);
}

OIO_API int oio_telemetry_get(struct oio_ctx *ctx, uint32_t card,
			      struct oio_telemetry *out)
{
	return lio_telemetry_read(ctx, card, 0, out);
}
