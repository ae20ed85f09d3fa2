// SPDX-License-Identifier: GPL-2.0-only
/*
 * The feasibility reference; see reference.h.
 *
 * For every port and line shift, each bus is solved with the true silicon:
 * the total shift each ring needs to sit on its lane's line (its line in
 * the nearest order it can reach red-wards), the own heater shifts that
 * give those totals through the true crosstalk matrix, and the orders
 * changed where a ring would need negative heat or more than it has -
 * or would sit within half a linewidth of either end of its heater's
 * range, where its loop has no room to hold the line through any drift. A
 * ring that cannot be placed stays cold, and once the rest are placed is
 * tried again in every order: the ring whose heat pushed it out may have
 * been dropped after it. With every ring where it would be, the true bus
 * is evaluated: each placed ring must get enough of its line to capture,
 * and each lane must meet the BER target with both rings centred - which
 * catches lines too weak, and lines crowded by a neighbour's tail, as at
 * an FSR close to a whole number of spacings.
 * A lane out of reach may be too weak as well: its rings are given the
 * heat they would need, the bus solved again with every ring on its line
 * and evaluated, and a lane that would miss the target even there has
 * both reasons. Out of reach alone is no more true of it than too weak: a
 * bring-up whose rings beside it stay cold can reach its line, and find
 * it too weak.
 */
#include <math.h>
#include <string.h>

#include "reference.h"

#define W_MAX	OIO_MAX_WAVELENGTHS

const char *ref_why_name(enum ref_why why)
{
	static const char *const names[] = {
		[REF_OK] = "ok", [REF_DARK] = "dark", [REF_STUCK] = "stuck",
		[REF_REACH] = "out of reach", [REF_WEAK] = "too weak",
	};

	return names[why];
}

/* The true crosstalk onto ring w of a bus from ring j. */
static double xt(OioEngineState *s, unsigned int port, unsigned int side,
		 unsigned int w, unsigned int j)
{
	const OioRing *g = &s->ring[oio_bus_ring(s, port, side, w)];
	double x1 = s->cfg.crosstalk_permille / 1000.0;
	double x2 = s->cfg.crosstalk_nn_permille / 1000.0;

	if (j + 1 == w)
		return x1 * g->xt_scale[OIO_XT_L1];
	if (j == w + 1)
		return x1 * g->xt_scale[OIO_XT_R1];
	if (j + 2 == w)
		return x2 * g->xt_scale[OIO_XT_L2];
	if (j == w + 2)
		return x2 * g->xt_scale[OIO_XT_R2];
	return 0;
}

/*
 * Own shifts y for the rings placed, totals target; the others keep y.
 * Gauss-Seidel rounds, up to 60; a round that changes no bit of y is a
 * fixed point, so the rounds left would change nothing either.
 */
static void solve(OioEngineState *s, unsigned int port, unsigned int side,
		  const bool *placed, const double *target, double *y)
{
	unsigned int W = s->wavelengths, w, j, it;
	double x[W_MAX][W_MAX];
	bool moved = true;

	for (w = 0; w < W; w++)
		for (j = 0; j < W; j++)
			x[w][j] = xt(s, port, side, w, j);
	for (it = 0; it < 60 && moved; it++) {
		moved = false;
		for (w = 0; w < W; w++) {
			double t = target[w];

			if (!placed[w])
				continue;
			for (j = 0; j < W; j++)
				if (j != w)
					t -= x[w][j] * y[j];
			moved |= memcmp(&t, &y[w], sizeof(t)) != 0;
			y[w] = t;
		}
	}
}

/*
 * The order in which a ring out of reach comes nearest to its heater's
 * room, the others as placed (own heat y).
 */
static int reach_order(OioEngineState *s, unsigned int port,
		       unsigned int side, unsigned int sh, const BusView *b,
		       unsigned int w, const double *y)
{
	const OioRing *g = &s->ring[oio_bus_ring(s, port, side, w)];
	double lo = g->fwhm_pm / 2, hi = g->range_pm - g->fwhm_pm / 2;
	unsigned int W = s->wavelengths, j;
	double best = INFINITY;
	int m, at = 0;

	for (m = 0; m <= 2; m++) {
		double need = oio_bus_detune(&b->bus, w, (w + sh) % W) +
			      m * b->fsr[w], off;

		for (j = 0; j < W; j++)
			if (j != w)
				need -= xt(s, port, side, w, j) * y[j];
		off = need < lo ? lo - need : need > hi ? need - hi : 0;
		if (off < best) {
			best = off;
			at = m;
		}
	}
	return at;
}

/* Has every ring placed room for its loop, at own heat y? */
static bool all_room(OioEngineState *s, unsigned int port, unsigned int side,
		     const bool *placed, const double *y)
{
	unsigned int w;

	for (w = 0; w < s->wavelengths; w++) {
		const OioRing *g = &s->ring[oio_bus_ring(s, port, side, w)];

		if (placed[w] && (y[w] < g->fwhm_pm / 2 ||
				  y[w] > g->range_pm - g->fwhm_pm / 2))
			return false;
	}
	return true;
}

/*
 * The rounds drop a ring for good, though the ring whose heat pushed it
 * out may be dropped after it: each ring dropped is tried again in every
 * order, the others as placed, and kept where every ring placed still
 * has room.
 */
static void readmit(OioEngineState *s, unsigned int port, unsigned int side,
		    unsigned int sh, const BusView *b, bool *placed,
		    bool *reach, int *order, double *y)
{
	unsigned int W = s->wavelengths, w, v;
	bool again = true;
	int m;

	while (again) {
		again = false;
		for (w = 0; w < W; w++)
			for (m = 0; m <= 2 && reach[w]; m++) {
				double target[W_MAX] = { 0 }, ty[W_MAX];

				placed[w] = true;
				for (v = 0; v < W; v++)
					if (placed[v])
						target[v] = oio_bus_detune(&b->bus,
							v, (v + sh) % W) +
							(v == w ? m : order[v]) *
							b->fsr[v];
				memcpy(ty, y, sizeof(ty));
				solve(s, port, side, placed, target, ty);
				if (!all_room(s, port, side, placed, ty)) {
					placed[w] = false;
					continue;
				}
				reach[w] = false;
				order[w] = m;
				memcpy(y, ty, sizeof(ty));
				again = true;
			}
	}
}

/*
 * Place the rings of one bus for shift sh: ok[w] says which could be,
 * y[] their own heater shifts (cold for the rest), and reach_y[] those
 * that would put every ring on its line, each ring out of reach in the
 * order that comes nearest its heater's room, whatever heat it takes.
 */
static void place_bus(struct simcard *c, unsigned int port,
		      unsigned int side, unsigned int sh, const bool *want,
		      bool *ok, double *y, double *reach_y, enum ref_why *why)
{
	OioEngineState *s = &c->s;
	unsigned int W = s->wavelengths, w, round;
	double target[W_MAX], zero[W_MAX] = { 0 };
	unsigned int tried[W_MAX];
	int order[W_MAX] = { 0 };
	bool placed[W_MAX], reach[W_MAX] = { false }, on[W_MAX];
	BusView b;

	/* where every ring sits cold, the lines as they are lit */
	oio_bus_view(s, port, side, c->now, zero, &b);
	for (w = 0; w < W; w++) {
		unsigned int r = oio_bus_ring(s, port, side, w);
		unsigned int l = (w + sh) % W;

		y[w] = 0;
		ok[w] = false;
		placed[w] = want[w];
		if (!want[w])
			continue;
		if ((int64_t)r == s->cfg.stuck_ring) {
			/* its heater stays as it is: cold after a reset */
			placed[w] = false;
			why[w] = REF_STUCK;
			continue;
		}
		/* the nearest order red-wards of where it sits cold */
		order[w] = oio_bus_detune(&b.bus, w, l) < 0;
		tried[w] = 1u << order[w];
	}
	/*
	 * Orders: start from the nearest red-wards; a ring whose neighbours'
	 * heat would need it to cool tries the next order up, one that would
	 * need more than its heater has the one below, each order once; a
	 * ring that fits in none stays cold and the rest are solved again.
	 */
	for (round = 0; round < 4 * W; round++) {
		bool moved = false;

		for (w = 0; w < W; w++)
			if (placed[w])
				target[w] = oio_bus_detune(&b.bus, w,
							   (w + sh) % W) +
					    order[w] * b.fsr[w];
		solve(s, port, side, placed, target, y);
		for (w = 0; w < W && !moved; w++) {
			const OioRing *g = &s->ring[oio_bus_ring(s, port,
								 side, w)];
			int next = order[w];

			if (!placed[w])
				continue;
			/* room for the loop: half a linewidth each way */
			if (y[w] < g->fwhm_pm / 2)
				next++;
			else if (y[w] > g->range_pm - g->fwhm_pm / 2)
				next--;
			else
				continue;
			moved = true;
			if (next >= 0 && next <= 2 && !(tried[w] >> next & 1)) {
				order[w] = next;
				tried[w] |= 1u << next;
			} else {
				placed[w] = false;
				reach[w] = true;
				y[w] = 0;
			}
		}
		if (!moved)
			break;
	}
	readmit(s, port, side, sh, &b, placed, reach, order, y);
	for (w = 0; w < W; w++) {
		/* a stuck heater on the other side says more */
		if (reach[w] && why[w] == REF_OK)
			why[w] = REF_REACH;
		ok[w] = placed[w];
		on[w] = placed[w] || reach[w];
		reach_y[w] = y[w];
		if (reach[w])
			order[w] = reach_order(s, port, side, sh, &b, w, y);
		if (on[w])
			target[w] = oio_bus_detune(&b.bus, w, (w + sh) % W) +
				    order[w] * b.fsr[w];
	}
	solve(s, port, side, on, target, reach_y);
}

/*
 * Lane w of port p, out of reach at shift sh: would it miss the BER
 * target even with its rings on its line, every other ring on its own
 * (views with reach_y)?
 */
static bool weak_if_reached(struct simcard *c, unsigned int p,
			    unsigned int sh, unsigned int w, const BusView *h,
			    double ber)
{
	OioEngineState *s = &c->s;
	unsigned int W = s->wavelengths, l = (w + sh) % W;

	return h[0].in[w * W + l] < OIO_SIGNAL_MIN_UW ||
	       h[1].in[w * W + l] < OIO_SIGNAL_MIN_UW ||
	       oio_lane_ber(s, p * W + w, &h[0], &h[1]) > ber;
}

void ref_card(struct simcard *c, double ber, struct ref_card *out)
{
	OioEngineState *s = &c->s;
	unsigned int W = s->wavelengths, p, sh, w, side;

	memset(out, 0, sizeof(*out));
	for (p = 0; p < s->ports; p++) {
		struct ref_port *rp = &out->port[p];
		uint32_t saved = s->line_shift[p];

		for (sh = 0; sh < W; sh++) {
			enum ref_why *why = rp->why[sh];
			bool want[W_MAX], ok[2][W_MAX], any_reach = false;
			double y[2][W_MAX], reach_y[2][W_MAX];
			unsigned int n = 0;
			BusView b[2], h[2];

			for (w = 0; w < W; w++) {
				unsigned int l = (w + sh) % W;

				why[w] = REF_OK;
				want[w] = oio_laser_emitting(s, l, c->now);
				if (!want[w])
					why[w] = REF_DARK;
			}
			for (side = 0; side < 2; side++)
				place_bus(c, p, side, sh, want, ok[side],
					  y[side], reach_y[side], why);
			for (side = 0; side < 2; side++)
				oio_bus_view(s, p, side, c->now, y[side],
					     &b[side]);
			s->line_shift[p] = sh;
			for (w = 0; w < W; w++) {
				unsigned int l = (w + sh) % W;

				if (why[w] != REF_OK)
					continue;
				if (!ok[0][w] || !ok[1][w]) {
					why[w] = REF_REACH;
					continue;
				}
				if (b[0].in[w * W + l] < OIO_SIGNAL_MIN_UW ||
				    b[1].in[w * W + l] < OIO_SIGNAL_MIN_UW ||
				    oio_lane_ber(s, p * W + w, &b[0], &b[1]) >
				    ber) {
					why[w] = REF_WEAK;
					continue;
				}
				n++;
			}
			for (w = 0; w < W; w++)
				any_reach |= why[w] == REF_REACH;
			for (side = 0; side < 2 && any_reach; side++)
				oio_bus_view(s, p, side, c->now, reach_y[side],
					     &h[side]);
			for (w = 0; w < W && any_reach; w++)
				rp->also_weak[sh][w] =
					why[w] == REF_REACH &&
					weak_if_reached(c, p, sh, w, h, ber);
			if (n > rp->best) {
				rp->best = n;
				rp->shift = sh;
			}
		}
		s->line_shift[p] = saved;
		out->possible += rp->best;
	}
}
