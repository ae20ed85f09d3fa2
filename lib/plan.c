// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the card's thermal crosstalk, and from it and the rings' own
 * responses the heater codes that put every ring of a bus on its line at
 * once (see tuning.h).
 *
 * A ring's own heater moves it by s(x) = q law(x, h) at drive x; each
 * bus neighbour's heater adds its share: x1 * gain of the ring for the
 * adjacent ones, x2 for those two places away. In sweep C every ring of a
 * bus had the same drive, so a ring met its lines at o + s(x) plus those
 * shares of its neighbours' s(x): fitted over the whole card for x1 and
 * x2, and per ring for its gain.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "minmax.h"
#include "select.h"
#include "tuning.h"

#define MAX_W		OIO_MAX_WAVELENGTHS
#define XT_MAX		0.35	/* adjacent crosstalk searched up to */
#define XT_STEP		0.005
/* the grid's points, 0 to XT_MAX by XT_STEP, and one spare: with them */
#define XT_POINTS	72
#define C_SIGMA		80.0	/* pm: a line's position in sweep C */
#define C_TALL		0.6	/* of a ring's tallest peak in C */
#define GAIN_PRIOR	2.0	/* peaks' worth of belief in gain 1 */
#define PARK_CLEAR	0.45	/* of a spacing from any line: parked */
#define NEAR_MISS	0.05	/* of the heater's range: maybe in reach */

/* Ring r's own heater's full scale, and its law in *h. */
static double own_scale(const struct oio_tune *t, const double *qmed,
			unsigned int r, double *h)
{
	const struct oio_tune_ring *rg = &t->ring[r];

	/* an unnamed ring heats its neighbours all the same */
	*h = rg->named ? rg->h : 0;
	return rg->named ? rg->q : qmed[r % 2];
}

static double own_shift(const struct oio_tune *t, const double *qmed,
			unsigned int r, double x)
{
	double h, q = own_scale(t, qmed, r, &h);

	return q * lio_tune_law(x, h);
}

/* Median own full scale of each side's named rings. */
static void medians(const struct oio_tune *t, double *qmed)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, side, n;
	double v[OIO_MAX_RINGS];

	for (side = 0; side < 2; side++) {
		qmed[side] = t->g.range_pm;
		for (n = 0, r = side; r < R; r += 2)
			if (t->ring[r].named)
				v[n++] = t->ring[r].q;
		if (n)
			qmed[side] = lio_select(v, n, n / 2);
	}
}

/* Neighbours' own shifts at drive x: adjacent and two places away. */
static void neighbours(const struct oio_tune *t, const double *qmed,
		       unsigned int r, double x, double *n1, double *n2)
{
	unsigned int W = t->g.wavelengths, n = r / 2, w = n % W;
	unsigned int base = 2 * (n - w) + r % 2;

	*n1 = *n2 = 0;
	if (w >= 1)
		*n1 += own_shift(t, qmed, base + 2 * (w - 1), x);
	if (w + 1 < W)
		*n1 += own_shift(t, qmed, base + 2 * (w + 1), x);
	if (w >= 2)
		*n2 += own_shift(t, qmed, base + 2 * (w - 2), x);
	if (w + 2 < W)
		*n2 += own_shift(t, qmed, base + 2 * (w + 2), x);
}

/*
 * Distance of position p from the nearest line, and that line's position,
 * asking every line; a tie goes to the lower line.
 */
static double off_every_line(const struct oio_tune *t, double p, double inv,
			     double *at)
{
	double best = INFINITY;
	unsigned int l, n = t->g.wavelengths, bl = n;

	*at = p;
	for (l = 0; l < n; l++) {
		double d = lio_comb_wrap(p - t->line_pm[l], t->fsr_pm, inv);

		if (fabs(d) < fabs(best) ||
		    (bl < n && fabs(d) == fabs(best) && l < bl)) {
			best = d;
			bl = l;
			*at = p - d;
		}
	}
	return best;
}

/*
 * The same, asking only the lines either side of p on cb if it can tell:
 * the nearer, the lower on a tie, as asking every line would choose.
 * Inline: the crosstalk fit asks it some 60,000 times a bring-up.
 */
static inline double off_line(const struct oio_tune *t,
			      const struct oio_comb *cb, double p, double *at)
{
	double inv = 1 / t->fsr_pm, d0, d1;
	unsigned int pair[2];

	if (!lio_comb_pair(cb, p, pair))
		return off_every_line(t, p, inv, at);
	d0 = lio_comb_wrap(p - t->line_pm[pair[0]], t->fsr_pm, inv);
	d1 = lio_comb_wrap(p - t->line_pm[pair[1]], t->fsr_pm, inv);
	if (fabs(d1) < fabs(d0) || (fabs(d1) == fabs(d0) && pair[1] < pair[0]))
		d0 = d1;
	*at = p - d0;
	return d0;
}

/* The tall peaks of sweep C, the ones a ring upstream did not take. */
static bool c_tall(const struct oio_tune_ring *rg, unsigned int i)
{
	double top = 0;
	unsigned int j;

	for (j = 0; j < rg->nc; j++)
		top = lio_fmax(top, rg->c_height[j]);
	return rg->c_height[i] >= C_TALL * top;
}

/* The tall peaks of C of every named ring, in ring order; how many. */
static unsigned int c_peaks(const struct oio_tune *t, const double *qmed,
			    struct oio_tune_cpeak *cp)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, i, n = 0;

	for (r = 0; r < R; r++) {
		const struct oio_tune_ring *rg = &t->ring[r];

		if (!rg->named)
			continue;
		for (i = 0; i < rg->nc; i++) {
			if (!c_tall(rg, i))
				continue;
			neighbours(t, qmed, r, rg->c_x[i], &cp[n].n1,
				   &cp[n].n2);
			cp[n].base = rg->o + own_shift(t, qmed, r, rg->c_x[i]);
			cp[n].r = r;
			n++;
		}
	}
	return n;
}

/*
 * How well adjacent share x1 (and x2) put sweep C's peaks on lines, every
 * ring's gain 1; no less than limit once the sum reaches it, which is all
 * the grid asks.
 */
static double c_cost(const struct oio_tune *t, const struct oio_comb *cb,
		     const struct oio_tune_cpeak *cp, unsigned int n,
		     double x1, double x2, double limit)
{
	double cost = 0, at;
	unsigned int i;

	for (i = 0; i < n && cost < limit; i++) {
		double d = off_line(t, cb, cp[i].base + x1 * cp[i].n1 +
				       x2 * cp[i].n2, &at) / C_SIGMA;

		cost += lio_fmin(d * d, 9);
	}
	return cost;
}

/*
 * Least squares for x1, x2 with each tall peak of C held to the line the
 * present estimate puts it on.
 */
static void c_fit(struct oio_tune *t, const struct oio_comb *cb,
		  unsigned int n)
{
	const struct oio_tune_cpeak *cp = t->cpeak;
	double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0, det, at;
	unsigned int i;

	for (i = 0; i < n; i++) {
		double n1 = cp[i].n1 * t->ring[cp[i].r].xt_gain, n2 = cp[i].n2;
		double base = cp[i].base, d;

		d = off_line(t, cb, base + t->xt1 * n1 + t->xt2 * n2, &at);
		if (fabs(d) > 3 * C_SIGMA)
			continue;
		/* base + x1 n1 + x2 n2 = at */
		a11 += n1 * n1;
		a12 += n1 * n2;
		a22 += n2 * n2;
		b1 += n1 * (at - base);
		b2 += n2 * (at - base);
	}
	det = a11 * a22 - a12 * a12;
	if (det <= 0 || a22 <= 0)
		return;
	t->xt1 = lio_fmin(lio_fmax((b1 * a22 - b2 * a12) / det, 0), XT_MAX);
	t->xt2 = lio_fmin(lio_fmax((a11 * b2 - a12 * b1) / det, 0), XT_MAX / 2);
}

/*
 * Each ring's own share of the adjacent crosstalk: least squares on its
 * tall peaks of C, pulled towards the card's mean by GAIN_PRIOR peaks'
 * worth of belief, since a ring shows only a few.
 */
static void c_gains(struct oio_tune *t, const struct oio_comb *cb,
		    unsigned int n)
{
	const struct oio_tune_cpeak *cp = t->cpeak;
	unsigned int i = 0, r;
	double at;

	if (t->xt1 <= 0)
		return;
	while (i < n) {
		double suu = 0, sue = 0, k = 0, m;
		struct oio_tune_ring *rg;

		/* a ring's peaks are together in cp */
		for (r = cp[i].r; i < n && cp[i].r == r; i++) {
			double base = cp[i].base + t->xt2 * cp[i].n2, d;
			double u = t->xt1 * cp[i].n1;

			d = off_line(t, cb, base + t->ring[r].xt_gain * u, &at);
			if (fabs(d) > 3 * C_SIGMA || u <= 0)
				continue;
			/* base + gain u = at */
			suu += u * u;
			sue += u * (at - base);
			k++;
		}
		if (!k)
			continue;
		rg = &t->ring[r];
		m = suu / k;
		rg->xt_gain = lio_fmin(lio_fmax((sue + GAIN_PRIOR * m) /
					(suu + GAIN_PRIOR * m), 0.3), 2.5);
	}
}

void lio_tune_crosstalk(struct oio_tune *t)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, it, n, i, at;
	double qmed[2], x1[XT_POINTS], was = t->xt1, best, x;
	unsigned int points = 0, probe;
	struct oio_comb cb;

	lio_comb_init(&cb, t->line_pm, NULL, t->g.wavelengths, t->fsr_pm);
	for (r = 0; r < R; r++)
		t->ring[r].xt_gain = 1;
	medians(t, qmed);
	n = c_peaks(t, qmed, t->cpeak);
	for (x = 0; x <= XT_MAX + 1e-9 && points < XT_POINTS; x += XT_STEP)
		x1[points++] = x;
	/*
	 * The grid's first cheapest point, pruned by the cost of the point
	 * nearest the last fit's: no dearer, so summed whole where it is.
	 */
	for (probe = 0; probe + 1 < points &&
	     fabs(x1[probe + 1] - was) < fabs(x1[probe] - was); probe++)
		;
	best = nextafter(c_cost(t, &cb, t->cpeak, n, x1[probe],
				x1[probe] / 8, INFINITY), INFINITY);
	for (i = 0, at = probe; i < points; i++) {
		double c = c_cost(t, &cb, t->cpeak, n, x1[i], x1[i] / 8, best);

		if (c < best) {
			best = c;
			at = i;
		}
	}
	t->xt1 = x1[at];
	t->xt2 = x1[at] / 8;
	for (it = 0; it < 3; it++) {
		c_fit(t, &cb, n);
		c_gains(t, &cb, n);
	}
}

/* ---- planning ----------------------------------------------------------- */

struct bus {
	unsigned int w;
	unsigned int ring[MAX_W];
	double x[MAX_W][MAX_W];	/* share of ring j's shift on ring i */
	double qmed[2];
	struct oio_comb comb;
};

static void bus_init(const struct oio_tune *t, unsigned int port,
		     unsigned int side, struct bus *b)
{
	unsigned int W = t->g.wavelengths, i, j;

	memset(b, 0, sizeof(*b));
	medians(t, b->qmed);
	lio_comb_init(&b->comb, t->line_pm, NULL, t->g.wavelengths,
		      t->fsr_pm);
	b->w = W;
	for (i = 0; i < W; i++) {
		const struct oio_tune_ring *rg;

		b->ring[i] = lio_tune_ring_of(&t->g, port, side, i);
		rg = &t->ring[b->ring[i]];
		for (j = 0; j < W; j++) {
			unsigned int dist = i > j ? i - j : j - i;

			b->x[i][j] = dist == 1 ? t->xt1 * rg->xt_gain :
				     dist == 2 ? t->xt2 : 0;
		}
	}
}

static double own(const struct oio_tune *t, const struct bus *b,
		  unsigned int w, double x)
{
	return own_shift(t, b->qmed, b->ring[w], x);
}

/* The drive at which ring w's own heater shifts it by y: own()'s inverse. */
static double own_inv(const struct oio_tune *t, const struct bus *b,
		      unsigned int w, double y)
{
	double h, q = own_scale(t, b->qmed, b->ring[w], &h);

	if (y <= 0)
		return 0;
	if (y >= own(t, b, w, 1))
		return 1;
	return lio_tune_law_inv(y / q, h);
}

/*
 * Neighbours' heat on ring w, own shifts y: from two places either side,
 * as far as bus_init() gives shares. (The zero shares beyond would add
 * nothing: every y here is finite.)
 */
static double heat(const struct bus *b, unsigned int w, const double *y)
{
	const double *x = b->x[w];
	double s = 0;

	/* spelt out, the neighbours in order: solve() asks this most */
	if (w >= 2)
		s += x[w - 2] * y[w - 2];
	if (w >= 1)
		s += x[w - 1] * y[w - 1];
	if (w + 1 < b->w)
		s += x[w + 1] * y[w + 1];
	if (w + 2 < b->w)
		s += x[w + 2] * y[w + 2];
	return s;
}

/*
 * Own shifts y for the rings not fixed so that each one's total - its
 * own plus its neighbours' shares - is target; fixed rings keep y.
 */
static void solve(const struct bus *b, const bool *fixed,
		  const double *target, double *y)
{
	unsigned int w, it;
	bool moved = true;

	/* a round that moves nothing leaves every later one the same */
	for (it = 0; it < 50 && moved; it++)
		for (moved = false, w = 0; w < b->w; w++) {
			double v;

			if (fixed[w])
				continue;
			v = target[w] - heat(b, w, y);
			moved |= v != y[w];
			y[w] = v;
		}
}

/*
 * Total shift ring w needs for line l in the first order whose total is
 * red of where it sits cold; an order up needs an FSR more.
 */
static double first_total(const struct oio_tune *t, const struct bus *b,
			  unsigned int w, unsigned int l)
{
	const struct oio_tune_ring *rg = &t->ring[b->ring[w]];
	double d = remainder(t->line_pm[l] - rg->o, t->fsr_pm);

	if (d < 0)
		d += t->fsr_pm;
	return d;
}

/* Does every ring placed fit its heater (full shifts top), at own y? */
static bool fits(const struct bus *b, const bool *fixed, const double *top,
		 const double *y)
{
	unsigned int w;

	for (w = 0; w < b->w; w++)
		if (!fixed[w] && (y[w] < 0 || y[w] > top[w]))
			return false;
	return true;
}

/*
 * The rounds leave a ring out for good, though the ring whose heat pushed
 * it out may be left out after it: each ring wanted and left out is tried
 * again in every order, the others as placed, and kept where every ring
 * placed still fits its heater. first, top: each ring's first-order total
 * and full shift. An order whose total exceeds the ring's full shift even
 * less all the heat its neighbours could give, each at its full shift, is
 * not solved for: no placement fits it.
 */
static void readmit(const struct oio_tune *t, const struct bus *b,
		    const bool *want, const double *first, const double *top,
		    bool *fixed, int *order, double *y)
{
	unsigned int W = b->w, w, v;
	bool again = true;
	int m;

	while (again) {
		again = false;
		for (w = 0; w < W; w++) {
			double most = 0;

			if (!want[w] || !fixed[w])
				continue;
			for (v = 0; v < W; v++)
				most += lio_fmax(b->x[w][v], 0) * top[v];
			for (m = 0; m <= 2 && fixed[w]; m++) {
				double target[MAX_W] = { 0 }, ty[MAX_W];

				if (first[w] + m * t->fsr_pm - most > top[w])
					break;
				fixed[w] = false;
				for (v = 0; v < W; v++)
					if (!fixed[v])
						target[v] = first[v] +
							(v == w ? m : order[v]) *
							t->fsr_pm;
				memcpy(ty, y, W * sizeof(*y));
				solve(b, fixed, target, ty);
				if (!fits(b, fixed, top, ty)) {
					fixed[w] = true;
					continue;
				}
				order[w] = m;
				memcpy(y, ty, W * sizeof(*y));
				again = true;
			}
		}
	}
}

/*
 * Place the rings of a bus for line shift s: totals from each ring's
 * nearest red-wards order; a ring whose neighbours' heat would need it to
 * cool tries the order above, one that would need more than its heater
 * has the order below, each order once; a ring that fits in none is left
 * out, cold, and the others are placed again without its heat. Then the
 * rings left out are tried again (readmit()).
 */
static void place(const struct oio_tune *t, const struct bus *b,
		  unsigned int s, const bool *want, bool *ok, double *y,
		  double *margin, double *miss)
{
	unsigned int W = b->w, w, round;
	double target[MAX_W] = { 0 }, first[MAX_W], top[MAX_W];
	unsigned int tried[MAX_W];
	int order[MAX_W] = { 0 };
	bool fixed[MAX_W];

	for (w = 0; w < W; w++) {
		fixed[w] = !want[w];
		tried[w] = 1;
		y[w] = 0;
		miss[w] = INFINITY;
		first[w] = want[w] ? first_total(t, b, w, (w + s) % W) : 0;
		top[w] = own(t, b, w, 1);
	}
	for (round = 0; round < 4 * W; round++) {
		bool moved = false;

		for (w = 0; w < W; w++)
			if (!fixed[w])
				target[w] = first[w] + order[w] * t->fsr_pm;
		solve(b, fixed, target, y);
		for (w = 0; w < W && !moved; w++) {
			int next = order[w];

			if (fixed[w])
				continue;
			if (y[w] < 0)
				next++;
			else if (y[w] > top[w])
				next--;
			else
				continue;
			moved = true;
			/*
			 * by how much it missed at the order where it came
			 * nearest: a ring just blue of its line that its
			 * neighbours' heat pushes past it misses by that
			 * push, not by the FSR less its reach one order up
			 */
			miss[w] = lio_fmin(miss[w], y[w] < 0 ? -y[w] :
						y[w] - top[w]);
			if (next >= 0 && next <= 2 && !(tried[w] >> next & 1)) {
				order[w] = next;
				tried[w] |= 1u << next;
			} else {
				fixed[w] = true;
				y[w] = 0;
			}
		}
		if (!moved)
			break;
	}
	readmit(t, b, want, first, top, fixed, order, y);
	/*
	 * miss[] is as the rounds left it: a ring still out missed by that
	 * with the rings readmit() took back still cold
	 */
	*margin = INFINITY;
	for (w = 0; w < W; w++) {
		ok[w] = !fixed[w];
		if (ok[w] || !want[w])
			miss[w] = 0;
		if (ok[w])
			*margin = lio_fmin(*margin, lio_fmin(y[w], top[w] - y[w]));
	}
}

/*
 * A ring left out parks where it touches no line: the least heat that
 * keeps it PARK_CLEAR of a spacing from every line, its neighbours as
 * placed. Left cold, it could sit on a line of its next order and take
 * that line from the lane downstream. An unnamed ring parks by its
 * likeliest naming, which lays the lines over the peaks it saw; one that
 * showed none stays cold.
 */
static void park(const struct oio_tune *t, const struct bus *b,
		 const bool *ok, double *y)
{
	unsigned int w, k;

	for (w = 0; w < b->w; w++) {
		const struct oio_tune_ring *rg = &t->ring[b->ring[w]];
		double top, step, at, o;

		if (ok[w] || (!rg->named && !rg->guessed))
			continue;
		o = rg->named ? rg->o : rg->guess_o;
		top = own(t, b, w, 1);
		step = t->g.spacing_pm / 16;
		y[w] = 0;
		for (k = 0; k * step <= top; k++) {
			double p = o + k * step + heat(b, w, y);

			if (fabs(off_line(t, &b->comb, p, &at)) >=
			    PARK_CLEAR * t->g.spacing_pm) {
				y[w] = k * step;
				break;
			}
		}
	}
}

void lio_tune_plan(const struct oio_tune *t, unsigned int port,
		   struct oio_tune_port *out)
{
	lio_tune_plan_shifts(t, port, UINT32_MAX, out);
}

/* A line shift's placement: what each lane's rings make of it. */
struct shift_try {
	enum oio_tune_why why[MAX_W];	/* in: before placing; out: after */
	bool ok[2][MAX_W];
	double y[2][MAX_W];
	double margin;
	unsigned int n;			/* lanes in reach */
	uint32_t near;		/* left out by less than the fits' error */
};

/*
 * Place both buses of a port for line shift s, from st->why: a lane needs
 * both rings, so the partner of a ring left out is dropped and both
 * buses placed again without it.
 */
static void place_shift(const struct oio_tune *t, const struct bus *bus,
			unsigned int s, struct shift_try *st)
{
	unsigned int W = t->g.wavelengths, w, side, pass;
	double miss[2][MAX_W];
	bool want[MAX_W];

	st->margin = INFINITY;
	st->near = 0;
	for (pass = 0; pass < 2; pass++) {
		for (w = 0; w < W; w++)
			want[w] = st->why[w] == OIO_TUNE_OK;
		for (side = 0; side < 2; side++) {
			double m;

			place(t, &bus[side], s, want, st->ok[side],
			      st->y[side], &m, miss[side]);
			if (pass)
				st->margin = lio_fmin(st->margin, m);
		}
		for (w = 0; w < W; w++)
			if (want[w] && (!st->ok[0][w] || !st->ok[1][w])) {
				st->why[w] = OIO_TUNE_OUT_OF_REACH;
				/* in reach but for the fits' error? */
				if (!pass &&
				    miss[0][w] < NEAR_MISS * t->g.range_pm &&
				    miss[1][w] < NEAR_MISS * t->g.range_pm)
					st->near |= 1u << w;
			}
	}
	for (w = 0, st->n = 0; w < W; w++)
		st->n += st->why[w] == OIO_TUNE_OK;
}

/*
 * Is alt better than st: more lanes, none of them nearer a heater's end
 * than a quarter of the nominal linewidth unless st's were? A ring let in
 * that close has no room for its loop: optical-worst 290024 lost a lane
 * to one placed 17 pm from an end. The reference asks for half the
 * ring's own linewidth, but with the true ring; the plan's ring is a fit,
 * and half the nominal linewidth refused optical-worst 22190143's lane 6,
 * which the reference has in reach, for an RX ring 127 pm from its cold
 * end (131 asked; its own measured linewidth asked 133). A lane let in
 * within half its rings' linewidth of an end is marked at that end when
 * placed (apply_plan()), as the library's own rule has it: if it then
 * fails, it is out of reach there, met at that end.
 */
static bool holds_more(const struct oio_tune *t, const struct shift_try *alt,
		       const struct shift_try *st)
{
	return alt->n > st->n &&
	       alt->margin >= lio_fmin(st->margin, t->g.fwhm_pm / 4);
}

/* Lane u and those within two places of it, a bit each. */
static uint32_t beside(unsigned int u)
{
	return (uint32_t)(0x1fu << u >> 2);
}

/* The lanes of why[] in reach (OK), a bit each. */
static uint32_t ok_lanes(const struct oio_tune *t,
			 const enum oio_tune_why *why)
{
	uint32_t ok = 0;
	unsigned int w;

	for (w = 0; w < t->g.wavelengths; w++)
		ok |= (uint32_t)(why[w] == OIO_TUNE_OK) << w;
	return ok;
}

/*
 * A lane left out for a ring whose heat pushed it off its line may fit
 * once that ring's own lane is left out too (a lane needs both rings, so
 * the partner of a ring left out goes): optical-worst 290235's port 3 at
 * shift 7, whose RX ring 3 missed by 117 pm for RX ring 2's heat, lane 2
 * then left out for its TX ring. Each lane of cand left out is tried
 * again with the others as they stand, while that holds more. from: the
 * lanes st was placed from. A lane is tried only if one of those within
 * two places of it is left out now: the shares reach two places, and a
 * lane left out further off heats it more, not less (the rings between
 * make up its heat with their own), which could let in only a ring that
 * needed more heat an order up; such a lane is left untried.
 */
static void readmit_lanes(const struct oio_tune *t, const struct bus *bus,
			  unsigned int s, uint32_t cand, uint32_t from,
			  struct shift_try *st)
{
	unsigned int W = t->g.wavelengths, u;
	struct shift_try alt;
	bool more = true;

	while (more) {
		uint32_t kept = ok_lanes(t, st->why);

		more = false;
		for (u = 0; u < W && !more; u++) {
			if (!(cand >> u & 1) || (kept >> u & 1) ||
			    !(from & ~kept & beside(u) & ~(1u << u)))
				continue;
			memcpy(alt.why, st->why, W * sizeof(*alt.why));
			alt.why[u] = OIO_TUNE_OK;
			place_shift(t, bus, s, &alt);
			if (holds_more(t, &alt, st)) {
				*st = alt;
				from = kept | 1u << u;
				more = true;
			}
		}
	}
}

/*
 * The rounds place greedily, and a lane they keep may be what pushes two
 * beside it out of reach: optical-worst 290203's port 6 at shift 3, where
 * lane 5's TX ring left lanes 4 and 6 out and without it all seven fit.
 * Each lane kept with two lanes of cand left out within two places of it
 * is left out in turn, the others let back in as readmit_lanes() does,
 * and the placement that holds the most taken. was: the lanes as they
 * stood before placing; from: those of them wanted.
 */
static void trade_lanes(const struct oio_tune *t, const struct bus *bus,
			unsigned int s, const enum oio_tune_why *was,
			uint32_t cand, uint32_t from, struct shift_try *st)
{
	unsigned int W = t->g.wavelengths, v;
	uint32_t kept = ok_lanes(t, st->why), out = cand & ~kept;
	struct shift_try alt;

	for (v = 0; v < W && out; v++) {
		if (!(kept >> v & 1))
			continue;
		if (__builtin_popcount(out & beside(v)) < 2)
			continue;
		memcpy(alt.why, was, W * sizeof(*alt.why));
		alt.why[v] = OIO_TUNE_OUT_OF_REACH;
		place_shift(t, bus, s, &alt);
		readmit_lanes(t, bus, s, cand & ~(1u << v),
			      from & ~(1u << v), &alt);
		if (holds_more(t, &alt, st))
			*st = alt;
	}
}

/*
 * The lanes wanted at shift s whose rings each reach their lines at the
 * first order with no heat from their neighbours: only those can a
 * placement that heats them less let in. The others need a neighbour's
 * heat to reach at all.
 */
static uint32_t fit_alone(const struct oio_tune *t, const struct bus *bus,
			  unsigned int s, const enum oio_tune_why *was)
{
	unsigned int W = t->g.wavelengths, w, side;
	uint32_t mask = 0;

	for (w = 0; w < W; w++) {
		bool fits = was[w] == OIO_TUNE_OK;

		for (side = 0; side < 2 && fits; side++)
			fits = first_total(t, &bus[side], w, (w + s) % W) <=
			       own(t, &bus[side], w, 1);
		mask |= (uint32_t)fits << w;
	}
	return mask;
}

void lio_tune_plan_shifts(const struct oio_tune *t, unsigned int port,
			  uint32_t shifts, struct oio_tune_port *out)
{
	unsigned int W = t->g.wavelengths, s, side, w, best_ok = 0;
	unsigned int best_near = 0;
	struct bus bus[2];
	double best_margin = -INFINITY;

	memset(out, 0, sizeof(*out));
	out->shift = -1;
	for (side = 0; side < 2; side++)
		bus_init(t, port, side, &bus[side]);
	for (s = 0; s < W; s++) {
		enum oio_tune_why was[MAX_W];
		struct shift_try st;
		uint32_t alone, first_near, from;
		unsigned int n, near;
		double margin;
		bool better;

		for (w = 0; w < W; w++) {
			const struct oio_tune_ring *tx = &t->ring[bus[0].ring[w]];
			const struct oio_tune_ring *rx = &t->ring[bus[1].ring[w]];

			was[w] = !(t->emitting >> ((w + s) % W) & 1) ?
				 OIO_TUNE_DARK :
				 tx->stuck || rx->stuck ? OIO_TUNE_STUCK :
				 !tx->named || !rx->named ? OIO_TUNE_UNNAMED :
				 t->unreach[port][s] >> w & 1 ?
				 OIO_TUNE_OUT_OF_REACH : OIO_TUNE_OK;
		}
		memcpy(st.why, was, sizeof(was));
		place_shift(t, bus, s, &st);
		from = ok_lanes(t, was);
		first_near = st.near;
		/* lanes the rounds left out that a placement may yet let in */
		if (st.n < (unsigned int)__builtin_popcount(from)) {
			alone = fit_alone(t, bus, s, was);
			readmit_lanes(t, bus, s, alone, from, &st);
			trade_lanes(t, bus, s, was, alone, from, &st);
		}
		n = st.n;
		/* the rounds' near misses, of those still left out */
		near = (unsigned int)__builtin_popcount(first_near &
							~ok_lanes(t, st.why));
		margin = st.margin;
		out->unsure_at[s] = near;
		for (w = 0; w < W; w++)
			out->unsure_at[s] += st.why[w] == OIO_TUNE_UNNAMED;
		out->ok_at[s] = n;
		if (!(shifts >> s & 1))
			continue;
		/*
		 * Most lanes; then, between shifts that hold their rings
		 * safely clear of the heater ends, the one whose lanes left
		 * out missed by least (a sweep in place may still find them);
		 * then the widest margin.
		 */
		better = n > best_ok || out->shift < 0;
		if (n == best_ok && !better) {
			if (margin >= t->g.fwhm_pm && best_margin >= t->g.fwhm_pm &&
			    near != best_near)
				better = near > best_near;
			else
				better = margin > best_margin;
		}
		if (better) {
			best_ok = n;
			best_near = near;
			best_margin = margin;
			out->shift = (int)s;
			out->margin_pm = n ? margin : 0;
			for (side = 0; side < 2; side++) {
				for (w = 0; w < W; w++)
					st.ok[side][w] =
						st.why[w] == OIO_TUNE_OK;
				park(t, &bus[side], st.ok[side], st.y[side]);
			}
			for (w = 0; w < W; w++) {
				out->why[w] = st.why[w];
				out->usable[w] = st.why[w] == OIO_TUNE_OK;
				for (side = 0; side < 2; side++)
					out->code[side][w] = (uint32_t)lround(
						own_inv(t, &bus[side], w,
							st.y[side][w]) *
						OIO_HEATER_MAX);
			}
		}
	}
}

void lio_tune_codes(const struct oio_tune *t, unsigned int port,
		    unsigned int side, const bool *fixed,
		    const double *target_pm, uint32_t *code)
{
	double y[MAX_W], target[MAX_W] = { 0 };
	unsigned int w;
	struct bus b;

	bus_init(t, port, side, &b);
	for (w = 0; w < b.w; w++) {
		y[w] = own(t, &b, w, code[w] / (double)OIO_HEATER_MAX);
		target[w] = target_pm[w] - t->ring[b.ring[w]].o;
	}
	solve(&b, fixed, target, y);
	for (w = 0; w < b.w; w++)
		if (!fixed[w])
			code[w] = (uint32_t)lround(own_inv(t, &b, w, y[w]) *
						   OIO_HEATER_MAX);
}

void lio_tune_park(const struct oio_tune *t, unsigned int port,
		   unsigned int side, const bool *parked, uint32_t *code)
{
	double y[MAX_W] = { 0 };
	unsigned int w;
	struct bus b;

	bus_init(t, port, side, &b);
	for (w = 0; w < b.w; w++)
		y[w] = own(t, &b, w, code[w] / (double)OIO_HEATER_MAX);
	for (w = 0; w < b.w; w++) {
		const struct oio_tune_ring *rg = &t->ring[b.ring[w]];
		double top = own(t, &b, w, 1), step = t->g.spacing_pm / 16;
		double at, best = -1, o;
		int k;

		if (!parked[w])
			continue;
		if (!rg->named && !rg->guessed) {
			code[w] = 0;
			continue;
		}
		o = rg->named ? rg->o : rg->guess_o;
		/*
		 * The clear place nearest where it is: the least change of
		 * heat, which its neighbours' loops must follow.
		 */
		for (k = 0; k <= 16 && best < 0; k++) {
			double c[2] = { y[w] - k * step, y[w] + k * step };
			int i;

			for (i = 0; i < 2 && best < 0; i++)
				if (c[i] >= 0 && c[i] <= top &&
				    fabs(off_line(t, &b.comb,
						  o + c[i] + heat(&b, w, y),
						  &at)) >= PARK_CLEAR *
							  t->g.spacing_pm)
					best = c[i];
		}
		if (best >= 0)
			y[w] = best;
		code[w] = (uint32_t)lround(own_inv(t, &b, w, y[w]) *
					   OIO_HEATER_MAX);
	}
}

double lio_tune_bus_position(const struct oio_tune *t, unsigned int port,
			     unsigned int side, unsigned int w,
			     const uint32_t *code)
{
	double y[MAX_W] = { 0 };
	unsigned int k;
	struct bus b;

	bus_init(t, port, side, &b);
	if (!t->ring[b.ring[w]].named)
		return NAN;
	for (k = 0; k < b.w; k++)
		y[k] = own(t, &b, k, code[k] / (double)OIO_HEATER_MAX);
	return t->ring[b.ring[w]].o + y[w] + heat(&b, w, y);
}

void lio_tune_follow(const struct oio_tune *t, unsigned int port,
		     unsigned int side, const bool *parked,
		     const uint32_t *was, const double *shift_pm,
		     uint32_t *code)
{
	double y0[MAX_W] = { 0 }, y[MAX_W] = { 0 }, target[MAX_W] = { 0 };
	bool fixed[MAX_W];
	unsigned int w, l;
	struct bus b;

	bus_init(t, port, side, &b);
	memset(fixed, true, sizeof(fixed));
	for (w = 0; w < b.w; w++) {
		y0[w] = own(t, &b, w, was[w] / (double)OIO_HEATER_MAX);
		y[w] = own(t, &b, w, code[w] / (double)OIO_HEATER_MAX);
	}
	for (w = 0; w < b.w; w++) {
		const struct oio_tune_ring *rg = &t->ring[b.ring[w]];
		double at = rg->o + y0[w] + heat(&b, w, y0), d = INFINITY;
		double move = 0;

		if (!parked[w] || !rg->named)
			continue;
		for (l = 0; l < t->g.wavelengths; l++) {
			double e = remainder(at - t->line_pm[l], t->fsr_pm);

			if (fabs(e) < fabs(d)) {
				d = e;
				move = shift_pm[l];
			}
		}
		if (isinf(d) || isnan(move))
			continue;
		target[w] = at + move - rg->o;
		fixed[w] = false;
	}
	solve(&b, fixed, target, y);
	for (w = 0; w < b.w; w++)
		if (!fixed[w])
			code[w] = (uint32_t)lround(own_inv(t, &b, w, y[w]) *
						   OIO_HEATER_MAX);
}
