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
 * ring that cannot be placed stays cold. With every ring where it would
 * be, the true bus is evaluated: each placed ring must get enough of its
 * line to capture, and each lane must meet the BER target with both rings
 * centred - which catches lines too weak, and lines crowded by a
 * neighbour's tail, as at an FSR close to a whole number of spacings.
 * Those greedy rounds can drop a ring whose neighbour's heat pushed it
 * out and then the neighbour as well, or keep the neighbour where
 * dropping it would let two others in: where they leave a lane out, every
 * placement of both buses is searched (search_port()), and one with more
 * lanes up stands.
 * A lane out of reach may be too weak as well: its rings are given the
 * heat they would need, the bus solved again with every ring on its line
 * and evaluated, and a lane that would miss the target even there has
 * both reasons. Out of reach alone is no more true of it than too weak: a
 * bring-up whose rings beside it stay cold can reach its line, and find
 * it too weak.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"

#define W_MAX	OIO_MAX_WAVELENGTHS
/* the widest card whose placements search_shift() tries every one of */
#define SEARCH_W_MAX	10

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

		/* NaN, from a system elimination cannot solve, has none */
		if (placed[w] && !(y[w] >= g->fwhm_pm / 2 &&
				   y[w] <= g->range_pm - g->fwhm_pm / 2))
			return false;
	}
	return true;
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
 * Every placement of one bus the greedy rounds might miss: which sets of
 * its rings can sit on their lines at once, each with room for its loop.
 * set[m] says whether the rings of bitmask m can (some order for each),
 * y[m] their own shifts in the first such orders found.
 */
struct bus_sets {
	bool *set;
	double (*y)[W_MAX];
};

/* What the search of one bus works with. */
struct bus_search {
	OioEngineState *s;
	unsigned int port, side, sh;
	const BusView *b;
	const bool *want;
	double x[W_MAX][W_MAX];	/* xt(), ring by ring */
	double most[W_MAX];	/* the most heat each ring's neighbours give */
	bool placed[W_MAX];
	double target[W_MAX];
	struct bus_sets *out;
};

/*
 * solve()'s system for the rings placed, the others cold, solved outright
 * rather than in rounds: a search solves some two thousand a port. Each
 * ring's own term outweighs its neighbours' shares together (under a half
 * at the envelope's worst), so elimination needs no pivots.
 */
static void solve_placed(const struct bus_search *bs, double *y)
{
	unsigned int W = bs->s->wavelengths, idx[W_MAX], n = 0, i, j, k;
	double a[W_MAX][W_MAX + 1];

	for (i = 0; i < W; i++) {
		y[i] = 0;
		if (bs->placed[i])
			idx[n++] = i;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			a[i][j] = i == j ? 1 : bs->x[idx[i]][idx[j]];
		a[i][n] = bs->target[idx[i]];
	}
	for (k = 0; k < n; k++)
		for (i = k + 1; i < n; i++) {
			double f = a[i][k] / a[k][k];

			for (j = k; j <= n; j++)
				a[i][j] -= f * a[k][j];
		}
	for (i = n; i-- > 0;) {
		double v = a[i][n];

		for (j = i + 1; j < n; j++)
			v -= a[i][j] * y[idx[j]];
		y[idx[i]] = v / a[i][i];
	}
}

/*
 * Ring w and those after it cold, or in each order where it could have
 * room: its own shift is its total there less its neighbours' heat, which
 * is never negative, so a total under half its linewidth leaves none, and
 * so does one past its heater's room by more than all the heat its
 * neighbours could give, each at full scale.
 */
static void search_bus(struct bus_search *bs, unsigned int w)
{
	OioEngineState *s = bs->s;
	unsigned int W = s->wavelengths, v, mask = 0;
	const OioRing *g;
	double y[W_MAX];
	int m;

	if (w == W) {
		for (v = 0; v < W; v++)
			mask |= (unsigned int)bs->placed[v] << v;
		if (bs->out->set[mask])
			return;
		solve_placed(bs, y);
		if (!all_room(s, bs->port, bs->side, bs->placed, y))
			return;
		bs->out->set[mask] = true;
		memcpy(bs->out->y[mask], y, sizeof(y));
		return;
	}
	bs->placed[w] = false;
	bs->target[w] = 0;
	search_bus(bs, w + 1);
	if (!bs->want[w])
		return;
	g = &s->ring[oio_bus_ring(s, bs->port, bs->side, w)];
	for (m = 0; m <= 2; m++) {
		double t = oio_bus_detune(&bs->b->bus, w, (w + bs->sh) % W) +
			   m * bs->b->fsr[w];

		if (t < g->fwhm_pm / 2 ||
		    t > g->range_pm - g->fwhm_pm / 2 + bs->most[w])
			continue;
		bs->placed[w] = true;
		bs->target[w] = t;
		search_bus(bs, w + 1);
	}
	bs->placed[w] = false;
	bs->target[w] = 0;
}

/*
 * Every placement of port p's two buses at shift sh, for the most lanes
 * on their lines and meeting the BER target: more than n, the greedy
 * rounds' count, or none. The lanes of want only; the rest stay cold.
 * Returns the count, and for it the TX and RX rings placed (bitmasks *tx,
 * *rx) and the lanes up.
 */
static unsigned int search_port(struct simcard *c, unsigned int p,
				unsigned int sh, const bool *want, double ber,
				unsigned int n, unsigned int *tx,
				unsigned int *rx, bool *up)
{
	OioEngineState *s = &c->s;
	unsigned int W = s->wavelengths, side, a, b, w, best = n;
	double zero[W_MAX] = { 0 };
	struct bus_sets sets[2];
	BusView cold;

	for (side = 0; side < 2; side++) {
		sets[side].set = calloc(1u << W, sizeof(*sets[side].set));
		sets[side].y = malloc((1u << W) * sizeof(*sets[side].y));
		if (!sets[side].set || !sets[side].y)
			abort();
	}
	for (side = 0; side < 2; side++) {
		struct bus_search bs = {
			.s = s, .port = p, .side = side, .sh = sh, .b = &cold,
			.want = want, .out = &sets[side],
		};
		unsigned int j;

		for (w = 0; w < W; w++)
			for (j = 0; j < W; j++) {
				bs.x[w][j] = w == j ? 0 : xt(s, p, side, w, j);
				bs.most[w] += bs.x[w][j] *
					s->ring[oio_bus_ring(s, p, side,
							     j)].range_pm;
			}
		oio_bus_view(s, p, side, c->now, zero, &cold);
		search_bus(&bs, 0);
	}
	for (a = 0; a < (1u << W); a++)
		for (b = 0; b < (1u << W) && sets[0].set[a]; b++) {
			bool ok[W_MAX] = { false };
			unsigned int k = 0;
			BusView v[2];

			if (!sets[1].set[b] ||
			    (unsigned int)__builtin_popcount(a & b) <= best)
				continue;
			oio_bus_view(s, p, 0, c->now, sets[0].y[a], &v[0]);
			oio_bus_view(s, p, 1, c->now, sets[1].y[b], &v[1]);
			for (w = 0; w < W; w++) {
				unsigned int l = (w + sh) % W;

				ok[w] = (a & b) >> w & 1 &&
					v[0].in[w * W + l] >=
					OIO_SIGNAL_MIN_UW &&
					v[1].in[w * W + l] >=
					OIO_SIGNAL_MIN_UW &&
					oio_lane_ber(s, p * W + w, &v[0],
						     &v[1]) <= ber;
				k += ok[w];
			}
			if (k <= best)
				continue;
			best = k;
			*tx = a;
			*rx = b;
			memcpy(up, ok, sizeof(ok));
		}
	for (side = 0; side < 2; side++) {
		free(sets[side].set);
		free(sets[side].y);
	}
	return best;
}

/*
 * Where the search brings up more lanes at shift sh than the greedy
 * rounds (n), its placement stands: its lanes up, those it places that
 * miss the target too weak, the rest out of reach - and too weak as well
 * if the rounds' placement, which put them on their line, had them miss
 * the target there.
 */
static unsigned int search_shift(struct simcard *c, unsigned int p,
				 unsigned int sh, double ber, unsigned int n,
				 struct ref_port *rp)
{
	unsigned int W = c->s.wavelengths, w, tx = 0, rx = 0, k, can = 0;
	enum ref_why *why = rp->why[sh];
	bool want[W_MAX], up[W_MAX];

	for (w = 0; w < W; w++) {
		want[w] = why[w] != REF_DARK && why[w] != REF_STUCK;
		can += want[w];
	}
	/* 4^W placements a bus: wider cards keep the rounds' answer */
	if (n >= can || W > SEARCH_W_MAX)
		return n;
	k = search_port(c, p, sh, want, ber, n, &tx, &rx, up);
	if (k <= n)
		return n;
	for (w = 0; w < W; w++) {
		if (!want[w])
			continue;
		if (up[w]) {
			why[w] = REF_OK;
			rp->also_weak[sh][w] = false;
		} else if ((tx & rx) >> w & 1) {
			why[w] = REF_WEAK;
			rp->also_weak[sh][w] = false;
		} else {
			rp->also_weak[sh][w] = why[w] == REF_WEAK ||
					       (why[w] == REF_REACH &&
						rp->also_weak[sh][w]);
			why[w] = REF_REACH;
		}
	}
	return k;
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
			n = search_shift(c, p, sh, ber, n, rp);
			if (n > rp->best) {
				rp->best = n;
				rp->shift = sh;
			}
		}
		s->line_shift[p] = saved;
		out->possible += rp->best;
	}
}
