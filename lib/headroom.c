// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: thermal headroom of a port - how far the card's temperature may
 * move before a ring of a lane that is up runs its heater to an end.
 *
 * Warming red-shifts every ring by drift x dT, so a locked ring's loop
 * takes heat away: it may warm until its heater is off, shift(c) / drift.
 * Cooling blue-shifts it and the loop adds heat, only as far as the full
 * range: (range - shift(c)) / drift. The shift of a code is the card's
 * nominal law, range x (c / 4095)^2, and drift and range are the card's
 * nominal registers: bring-up measures each ring's own law, but status is
 * read by another process and liboio keeps nothing between processes, so
 * the figure is the design's estimate (the silicon is within about ±15 %
 * of it, datasheet §7.5).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "liboio.h"
#include "objects-sized.h"
#include "oio-api.h"

/* The caller's arrays, whatever their structs' size (lanes and rings). */
struct objs {
	const char *base;
	size_t n, size;
};

/*
 * Element i as this library's struct, into buf (size full): members the
 * caller does not have read as zero. Copied, not cast, as the caller's
 * elements need not be aligned for this library's struct.
 */
static const void *at(const struct objs *o, size_t i, void *buf,
		      size_t full)
{
	memset(buf, 0, full);
	memcpy(buf, o->base + i * o->size, o->size < full ? o->size : full);
	return buf;
}

/* The lane of lanes numbered lane, into *l; false if there is none. */
static bool lane_of(const struct objs *lanes, uint32_t lane,
		    struct oio_lane_info *l)
{
	size_t i;

	/* lists come in lane order: try the obvious slot first */
	if (lane < lanes->n) {
		at(lanes, lane, l, sizeof(*l));
		if (l->lane == lane)
			return true;
	}
	for (i = 0; i < lanes->n; i++) {
		at(lanes, i, l, sizeof(*l));
		if (l->lane == lane)
			return true;
	}
	return false;
}

/* Every element of o read as the library's: -EINVAL, -E2BIG as for one. */
static int objs_check(const struct objs *o, size_t full, size_t size_1)
{
	size_t i;
	int err;

	if (o->n && !o->base)
		return -EINVAL;
	for (i = 0; i < o->n; i++) {
		err = lio_sized_check(o->base + i * o->size, o->size, full,
				      size_1);
		if (err)
			return err;
	}
	return o->size < size_1 ? -EINVAL : 0;
}

static int headroom(const struct oio_card_info *card,
		    const struct objs *lanes, const struct objs *rings,
		    uint32_t port, struct oio_headroom *out)
{
	double range, drift, warm = INFINITY, cool = INFINITY;
	uint32_t need = 0, seen = 0;
	struct oio_lane_info lb;
	struct oio_ring_info rb;
	size_t i;

	if (port >= card->ports)
		return -EINVAL;
	/* a driver older than the drift register reports 0 */
	if (!card->heater_range_pm || !card->drift_pm_per_k)
		return -EOPNOTSUPP;
	range = card->heater_range_pm;
	drift = card->drift_pm_per_k;
	for (i = 0; i < lanes->n; i++) {
		const struct oio_lane_info *l = at(lanes, i, &lb, sizeof(lb));

		need += l->port == port &&
			l->state == OIO_LANE_STATE_ACTIVATED;
	}
	for (i = 0; i < rings->n; i++) {
		const struct oio_ring_info *r = at(rings, i, &rb, sizeof(rb));
		double x, shift;

		if (!lane_of(lanes, r->ring / 2, &lb) || lb.port != port ||
		    lb.state != OIO_LANE_STATE_ACTIVATED)
			continue;
		x = (r->heater < OIO_HEATER_MAX ? r->heater : OIO_HEATER_MAX) /
		    (double)OIO_HEATER_MAX;
		shift = range * x * x;
		warm = fmin(warm, shift / drift);
		cool = fmin(cool, (range - shift) / drift);
		seen++;
	}
	/* each lane up has two rings: a missing one would hide its margin */
	if (seen != 2 * need)
		return -ENOENT;
	out->known = need > 0;
	out->warm_k = out->known ? warm : NAN;
	out->cool_k = out->known ? cool : NAN;
	return 0;
}

OIO_API int oio_port_headroom_ex(const struct oio_card_info *card,
				 size_t card_size,
				 const struct oio_lane_info *lanes,
				 size_t n_lanes, size_t lane_size,
				 const struct oio_ring_info *rings,
				 size_t n_rings, size_t ring_size,
				 uint32_t port, struct oio_headroom *out,
				 size_t out_size)
{
	struct objs l = { (const char *)lanes, n_lanes, lane_size };
	struct objs r = { (const char *)rings, n_rings, ring_size };
	struct oio_card_info c;
	struct oio_headroom h;
	int err;

	if (!card || !out || out_size < LIO_HEADROOM_SIZE_1)
		return -EINVAL;
	/* no stack bytes in the caller's padding */
	memset(&h, 0, sizeof(h));
	err = lio_sized_in(&c, sizeof(c), card, card_size,
			   LIO_CARD_INFO_SIZE_1) ?:
	      objs_check(&l, sizeof(struct oio_lane_info),
			 LIO_LANE_INFO_SIZE_1) ?:
	      objs_check(&r, sizeof(struct oio_ring_info),
			 LIO_RING_INFO_SIZE_1) ?:
	      headroom(&c, &l, &r, port, &h);
	if (!err)
		lio_sized_out(out, out_size, &h, sizeof(h));
	return err;
}

OIO_API int oio_port_headroom(const struct oio_card_info *card,
			      const struct oio_lane_info *lanes, size_t n_lanes,
			      const struct oio_ring_info *rings, size_t n_rings,
			      uint32_t port, struct oio_headroom *out)
{
	return oio_port_headroom_ex(card, LIO_CARD_INFO_SIZE_1, lanes, n_lanes,
				    LIO_LANE_INFO_SIZE_1, rings, n_rings,
				    LIO_RING_INFO_SIZE_1, port, out,
				    LIO_HEADROOM_SIZE_1);
}
