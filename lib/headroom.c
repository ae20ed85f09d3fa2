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

#include "liboio.h"
#include "oio-api.h"

/* The lane of lanes[] numbered lane, or NULL. */
static const struct oio_lane_info *lane_of(const struct oio_lane_info *lanes,
					   size_t n, uint32_t lane)
{
	size_t i;

	/* lists come in lane order: try the obvious slot first */
	if (lane < n && lanes[lane].lane == lane)
		return &lanes[lane];
	for (i = 0; i < n; i++)
		if (lanes[i].lane == lane)
			return &lanes[i];
	return NULL;
}

OIO_API int oio_port_headroom(const struct oio_card_info *card,
			      const struct oio_lane_info *lanes, size_t n_lanes,
			      const struct oio_ring_info *rings, size_t n_rings,
			      uint32_t port, struct oio_headroom *out)
{
	double range, drift, warm = INFINITY, cool = INFINITY;
	uint32_t need = 0, seen = 0;
	size_t i;

	if (!card || !out || (n_lanes && !lanes) || (n_rings && !rings) ||
	    port >= card->ports)
		return -EINVAL;
	/* a driver older than the drift register reports 0 */
	if (!card->heater_range_pm || !card->drift_pm_per_k)
		return -EOPNOTSUPP;
	range = card->heater_range_pm;
	drift = card->drift_pm_per_k;
	for (i = 0; i < n_lanes; i++)
		need += lanes[i].port == port &&
			lanes[i].state == OIO_LANE_STATE_ACTIVATED;
	for (i = 0; i < n_rings; i++) {
		const struct oio_lane_info *l = lane_of(lanes, n_lanes,
							rings[i].ring / 2);
		double x, shift;

		if (!l || l->port != port ||
		    l->state != OIO_LANE_STATE_ACTIVATED)
			continue;
		x = (rings[i].heater < OIO_HEATER_MAX ?
		     rings[i].heater : OIO_HEATER_MAX) /
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
