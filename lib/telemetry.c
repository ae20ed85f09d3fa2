// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: telemetry snapshots. The card writes every reading in one DMA
 * block, so a snapshot of the whole card costs it three register accesses
 * however many rings it has; the reply carries one packed array per
 * reading (laser powers, lane states, ring heaters, ...), a few KiB for a
 * whole card, copied here into the public structs.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

/* What an absent column reads as: zeros, enough for the longest. */
static const uint8_t no_column[OIO_MAX_RINGS * 8];

/*
 * One packed array of n elements of size bytes, or no_column if the
 * reply has none; NULL (and *err = -EPROTO) if its length is not n
 * elements: a truncated array is never read past its end. The copy
 * loops below then run without a test per element.
 */
static const uint8_t *column(struct nlattr **tb, int attr, size_t size,
			     size_t n, int *err)
{
	struct nlattr *a = tb[attr];

	if (!a)
		return no_column;
	if ((size_t)nla_len(a) != n * size) {
		*err = -EPROTO;
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

static int take_lasers(struct nlattr **tb, struct oio_telemetry *t,
		       size_t n)
{
	const uint8_t *en, *bset, *bias, *pow, *temp, *st, *alm;
	int err = 0;
	size_t i;

	en = column(tb, OIO_A_TELEMETRY_LASER_ENABLE, 1, n, &err);
	bset = column(tb, OIO_A_TELEMETRY_LASER_BIAS_SET, 4, n, &err);
	bias = column(tb, OIO_A_TELEMETRY_LASER_BIAS, 4, n, &err);
	pow = column(tb, OIO_A_TELEMETRY_LASER_POWER, 4, n, &err);
	temp = column(tb, OIO_A_TELEMETRY_LASER_TEMP, 4, n, &err);
	st = column(tb, OIO_A_TELEMETRY_LASER_STATUS, 4, n, &err);
	alm = column(tb, OIO_A_TELEMETRY_LASER_ALARMS, 4, n, &err);
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

static int take_lanes(struct nlattr **tb, struct oio_telemetry *t,
		      size_t n, size_t w)
{
	const uint8_t *st, *why, *gen, *chk, *bits, *errs, *alm;
	int err = 0;
	size_t i;

	st = column(tb, OIO_A_TELEMETRY_LANE_STATE, 4, n, &err);
	why = column(tb, OIO_A_TELEMETRY_LANE_REASON, 4, n, &err);
	gen = column(tb, OIO_A_TELEMETRY_LANE_PRBS_GENERATOR, 1, n, &err);
	chk = column(tb, OIO_A_TELEMETRY_LANE_PRBS_CHECKER, 1, n, &err);
	bits = column(tb, OIO_A_TELEMETRY_LANE_PRBS_BITS, 8, n, &err);
	errs = column(tb, OIO_A_TELEMETRY_LANE_PRBS_ERRORS, 8, n, &err);
	alm = column(tb, OIO_A_TELEMETRY_LANE_ALARMS, 4, n, &err);
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

static int take_rings(struct nlattr **tb, struct oio_telemetry *t, size_t n)
{
	const uint8_t *heat, *uw, *mon, *lock, *lst, *lim;
	int err = 0;
	size_t i;

	heat = column(tb, OIO_A_TELEMETRY_RING_HEATER, 4, n, &err);
	uw = column(tb, OIO_A_TELEMETRY_RING_HEATER_POWER, 4, n, &err);
	mon = column(tb, OIO_A_TELEMETRY_RING_MONITOR, 4, n, &err);
	lock = column(tb, OIO_A_TELEMETRY_RING_LOCK, 1, n, &err);
	lst = column(tb, OIO_A_TELEMETRY_RING_LOCK_STATE, 4, n, &err);
	lim = column(tb, OIO_A_TELEMETRY_RING_AT_LIMIT, 1, n, &err);
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

static int lio_take_telemetry(struct nlmsghdr *nlh, struct nlattr **tb,
			      void *arg)
{
	struct oio_telemetry *t = arg;
	uint32_t ports, w;
	int err;

	(void)nlh;
	if (!tb[OIO_A_TELEMETRY_PORTS] || !tb[OIO_A_TELEMETRY_WAVELENGTHS])
		return -EPROTO;
	ports = nla_get_u32(tb[OIO_A_TELEMETRY_PORTS]);
	w = nla_get_u32(tb[OIO_A_TELEMETRY_WAVELENGTHS]);
	if (!ports || !w || ports > OIO_MAX_PORTS || w > OIO_MAX_WAVELENGTHS)
		return -EPROTO;
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
	err = take_lasers(tb, t, w) ?:
	      take_lanes(tb, t, (size_t)ports * w, w) ?:
	      take_rings(tb, t, 2 * (size_t)ports * w);
	return err;
}

OIO_API int oio_telemetry_get_parts(struct oio_ctx *ctx, uint32_t card,
				    unsigned int parts,
				    struct oio_telemetry *out)
{
	const unsigned int all = OIO_TELEMETRY_PARTS_LASERS |
				 OIO_TELEMETRY_PARTS_LANES |
				 OIO_TELEMETRY_PARTS_RINGS;
	struct nl_msg *msg;

	if (!out || (parts & ~all))
		return -EINVAL;
	/* the header only: n_* and the arrays are filled as columns come */
	memset(out, 0, offsetof(struct oio_telemetry, laser));
	msg = lio_msg_new(ctx, OIO_CMD_TELEMETRY_GET, false);
	if (msg && (nla_put_u32(msg, OIO_A_TELEMETRY_CARD_ID, card) ||
		    (parts && nla_put_u32(msg, OIO_A_TELEMETRY_PARTS, parts)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return lio_xfer(ctx, msg, &lio_set_telemetry, lio_take_telemetry, out);
}

OIO_API int oio_telemetry_get(struct oio_ctx *ctx, uint32_t card,
			      struct oio_telemetry *out)
{
	return oio_telemetry_get_parts(ctx, card, 0, out);
}
