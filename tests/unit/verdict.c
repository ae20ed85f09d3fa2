// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bring-up judged on the emulated card; see verdict.h.
 */
#include <string.h>

#include "verdict.h"

/*
 * Does the library's reason for a lane down say what the reference does?
 * also_weak: out of reach, and too weak as well (reference.h).
 */
static bool agrees(enum oio_link_fail f, enum ref_why why, bool also_weak)
{
	bool weak = f == OIO_LINK_BER_HIGH || f == OIO_LINK_UNLOCKED;

	switch (why) {
	case REF_DARK:
		return f == OIO_LINK_LINE_DARK;
	case REF_STUCK:
		return f == OIO_LINK_HEATER_STUCK;
	case REF_REACH:
		return f == OIO_LINK_NO_RESONANCE ||
		       f == OIO_LINK_OUT_OF_RANGE || (also_weak && weak);
	case REF_WEAK:
		return weak;
	case REF_OK:
		break;
	}
	return false;
}

/* Is lane n, up in the report, really up: ACTIVATED, on its line, clean? */
static bool really_up(OioEngineState *s, int64_t now, unsigned int n,
		      double ber)
{
	unsigned int W = s->wavelengths, p = n / W, line = oio_lane_line(s, n);
	BusView tx, rx;

	if (s->lane[n].state != OIO_DP_ACTIVATED ||
	    s->ring[2 * n].lock_line != (int)line ||
	    s->ring[2 * n + 1].lock_line != (int)line)
		return false;
	oio_bus_view(s, p, 0, now, NULL, &tx);
	oio_bus_view(s, p, 1, now, NULL, &rx);
	return oio_lane_ber(s, n, &tx, &rx) <= ber;
}

void verdict_judge(struct simcard *c, const struct oio_link_report *rep,
		   double ber, struct verdict *v)
{
	static struct ref_card ref;
	OioEngineState *s = &c->s;
	unsigned int W = s->wavelengths, p, w;

	memset(v, 0, sizeof(*v));
	v->lanes = rep->lanes;
	v->first_disagree = ~0u;
	/* every lane up and clean: no reference can say more */
	if (rep->lanes_up == rep->lanes) {
		for (p = 0; p < rep->lanes; p++)
			if (!really_up(s, c->now, p, ber))
				break;
		if (p == rep->lanes) {
			v->up = v->possible = v->up_possible = v->lanes;
			v->whole = v->ref_whole = true;
			return;
		}
	}
	ref_card(c, ber, &ref);
	v->possible = ref.possible;
	for (p = 0; p < s->ports; p++) {
		const struct ref_port *rp = &ref.port[p];
		unsigned int sh = rep->line_shift[p] % W, up = 0;

		for (w = 0; w < W; w++) {
			unsigned int n = p * W + w;
			enum oio_link_fail f = rep->lane[n].fail;

			v->why[n] = rp->why[sh][w];
			v->also_weak[n] = rp->also_weak[sh][w];
			if (f == OIO_LINK_OK) {
				up++;
				if (!really_up(s, c->now, n, ber))
					v->wrongly_up++;
				continue;
			}
			if (rp->why[sh][w] == REF_OK) {
				v->ref_ok_down++;
			} else if (!agrees(f, rp->why[sh][w],
					   rp->also_weak[sh][w])) {
				if (!v->disagree)
					v->first_disagree = n;
				v->disagree++;
			}
		}
		v->up += up;
		v->up_possible += up < rp->best ? up : rp->best;
		v->beyond += up > rp->best ? up - rp->best : 0;
	}
	v->whole = v->up == v->lanes;
	v->ref_whole = v->up_possible == v->possible;
}
