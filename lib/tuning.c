// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: from sweep traces to heater codes (see tuning.h).
 *
 * Positions are in pm. A ring's position at drive x (code/4095) during
 * the sweeps, where every ring of its bus had the same code, is
 * o + q * law(x, h): o where it sits cold, q its apparent full scale - its
 * own heater and its neighbours' together - and h its law. Lines sit at
 * line_pm[l] + m * FSR for every order m.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "minmax.h"
#include "naming.h"
#include "par.h"
#include "peaks.h"
#include "select.h"
#include "tuning.h"

/* A dimmed line may move this far (pm), its sweep-B peak with it. */
#define DIM_SHIFT_MAX	450.0
/* A peak's sweep-B centre may lie this share of its A width from A's. */
#define MATCH_WIDTH	0.25
/* The slowest heater looked for, ns: B lags A by less than it would. */
#define TAU_MAX		25000.0
#define SPLIT_FWHM	1.5	/* a split resonance's halves are closer */
/* A ring upstream takes a third of a line this close, in its FWHMs. */
#define SHADE_FWHM	0.7
#define ANCHOR_SNR	20.0	/* a lone line's peak over the noise */
#define FINAL_SIGMA	40.0	/* pm: how well a named peak sits on its line */
/*
 * Sweeps A and B take the rings of a bus this many positions apart:
 * beyond the next-nearest neighbours, whose heat reaches a ring.
 */
#define CLASS_SPACING	3

double lio_tune_law_inv(double g, double h)
{
	if (g <= 0)
		return 0;
	if (g >= 1)
		return 1;
	return sqrt(g / (1 + h * (1 - g)));
}

static bool windows_unique(uint32_t pat, unsigned int w, unsigned int k)
{
	uint32_t seen[MAX_W];
	unsigned int i, j, b;

	for (i = 0; i < w; i++) {
		uint32_t win = 0;

		for (b = 0; b < k; b++)
			win |= ((pat >> ((i + b) % w)) & 1u) << b;
		for (j = 0; j < i; j++)
			if (seen[j] == win)
				return false;
		seen[i] = win;
	}
	return true;
}

uint32_t lio_tune_code(unsigned int wavelengths, unsigned int *k)
{
	unsigned int kk;
	uint32_t pat;

	*k = 1;
	if (wavelengths < 2 || wavelengths > MAX_W)
		return 0;
	for (kk = 1; kk <= wavelengths; kk++)
		for (pat = 0; pat < (1u << wavelengths); pat++)
			if (windows_unique(pat, wavelengths, kk)) {
				*k = kk;
				return pat;
			}
	*k = wavelengths;
	return 1;
}

uint32_t lio_tune_class(unsigned int wavelengths, unsigned int k,
			unsigned int *classes)
{
	uint32_t mask = 0;
	unsigned int w;

	*classes = wavelengths < CLASS_SPACING ? wavelengths : CLASS_SPACING;
	for (w = 0; w < wavelengths; w++)
		if (w % *classes == k)
			mask |= 1u << w;
	return mask;
}

/* The lines lit, and each one's power against the mean of them. */
static void set_lines(struct oio_tune *t, uint32_t emitting,
		      const double *line_uw)
{
	double mean = 0;
	unsigned int l, n = 0;

	t->emitting = emitting;
	for (l = 0; l < t->g.wavelengths; l++)
		if (emitting >> l & 1) {
			mean += line_uw[l];
			n++;
		}
	for (l = 0; l < t->g.wavelengths; l++)
		t->line_rel[l] = n && mean > 0 ? line_uw[l] * n / mean : 1;
}

/* The lines where the card's grid puts them, as the first pass takes them. */
static void nominal_lines(struct oio_tune *t)
{
	unsigned int l;

	for (l = 0; l < t->g.wavelengths; l++)
		t->line_pm[l] = t->g.first_pm + l * t->g.spacing_pm;
	t->fsr_pm = t->g.fsr_pm;
}

void lio_tune_init(struct oio_tune *t, const struct oio_tune_geom *g,
		   const struct oio_tune_sweep *sa,
		   const struct oio_tune_sweep *sb,
		   const struct oio_tune_sweep *sc, uint32_t code,
		   uint32_t emitting, const double *line_uw)
{
	unsigned int R = 2 * g->ports * g->wavelengths, l;

	/*
	 * Cleared as far as the card's geometry goes: the rings of the
	 * biggest card and the fits' working space, which is written before
	 * it is read, are most of the struct's 1.9 MB, and touching them all
	 * cost a bring-up hundreds of page faults (5 ms of a VM's guest time
	 * at 1 ns an instruction). Nothing reads the rings past the card's.
	 */
	if (R > OIO_MAX_RINGS)
		R = OIO_MAX_RINGS;
	memset(t, 0, offsetof(struct oio_tune, ring));
	memset(t->ring, 0, R * sizeof(t->ring[0]));
	t->g = *g;
	t->sa = *sa;
	t->sb = *sb;
	t->sc = *sc;
	t->code = code;
	set_lines(t, emitting, line_uw);
	/* as lio_tune_dimmed() has it for no line dimmed */
	t->dark = !(code & emitting);
	for (l = 0; l < g->wavelengths; l++)
		t->dim_ratio[l] = 1;
	nominal_lines(t);
}

void lio_tune_dimmed(struct oio_tune *t, uint32_t emitting,
		     const double *line_uw, const double *dim_ratio)
{
	unsigned int l;

	set_lines(t, emitting, line_uw);
	t->dark = true;
	for (l = 0; l < t->g.wavelengths; l++) {
		t->dim_ratio[l] = (t->code >> l & 1) ? dim_ratio[l] : 1;
		if ((t->code & emitting) >> l & 1 && dim_ratio[l] > 0.02)
			t->dark = false;
	}
}

/* ---- traces --------------------------------------------------------- */

/*
 * A full peak's height: lines differ by some ten percent, so the median
 * of the taller half of a ring's peaks is one.
 */
static double ref_height(const struct oio_tune_ring *rg)
{
	double h[OIO_TUNE_MAX_PEAKS];
	unsigned int i, n = 0;

	for (i = 0; i < rg->n; i++)
		if (!rg->pk[i].edge)
			h[n++] = rg->pk[i].height;
	if (!n)
		return 0;
	return lio_select(h, n, n - 1 - (n - 1) / 4);
}

void lio_tune_traces_c(struct oio_tune *t, unsigned int r, const uint32_t *c)
{
	struct oio_tune_ring *rg = &t->ring[r];
	struct oio_trace_peak pk[OIO_TUNE_MAX_PEAKS];
	unsigned int i, n;

	memset(rg, 0, sizeof(*rg));
	/* C's drives are made lag-free once the time constant is known */
	n = lio_trace_peaks(c, t->sc.points, pk, OIO_TUNE_MAX_PEAKS);
	for (i = 0; i < n; i++) {
		if (pk[i].edge || pk[i].index < EDGE_SAMPLES ||
		    pk[i].index > t->sc.points - 1 - EDGE_SAMPLES)
			continue;
		rg->c_x[rg->nc] = t->sc.start + pk[i].index * t->sc.step;
		rg->c_height[rg->nc++] = pk[i].height_na;
	}
}

void lio_tune_traces_a(struct oio_tune *t, unsigned int r, const uint32_t *a)
{
	struct oio_tune_ring *rg = &t->ring[r];
	struct oio_trace_peak pk[OIO_TUNE_MAX_PEAKS];
	unsigned int i, n;

	rg->noise_na = oio_trace_noise(a, t->sa.points);
	n = lio_trace_peaks_noise(a, t->sa.points, rg->noise_na, pk,
				  OIO_TUNE_MAX_PEAKS);
	for (i = 0; i < n; i++) {
		struct oio_tune_peak *p = &rg->pk[rg->n++];

		p->code_a = t->sa.start + pk[i].index * t->sa.step;
		p->code_b = NAN;
		p->height = pk[i].height_na;
		p->width = pk[i].width * t->sa.step;
		/* a centre by the ends of the sweep is half a peak's guess */
		p->edge = pk[i].edge || pk[i].index < EDGE_SAMPLES ||
			  pk[i].index > t->sa.points - 1 - EDGE_SAMPLES;
		p->line = -1;
		p->anchor = -1;
		if (!p->edge)
			rg->top_na = lio_fmax(rg->top_na, p->height);
	}
	rg->ref_na = ref_height(rg);
}

/* ---- heater lag ---------------------------------------------------------- */

/* How far (codes) a staircase sweep's samples lag its codes. */
static double lag_codes(const struct oio_tune_sweep *s, double tau_ns)
{
	double a = tau_ns > 0 ? exp(-s->dwell_ns / tau_ns) : 0;

	return s->step * a / (1 - a);
}

/* The time constant that makes sweep A lag sweep B by d codes. */
static double tau_from_lag(const struct oio_tune *t, double d)
{
	double lo = 50, hi = 200000;
	int i;

	if (d <= lag_codes(&t->sa, lo) - lag_codes(&t->sb, lo))
		return lo;
	for (i = 0; i < 60; i++) {
		double mid = sqrt(lo * hi);

		if (lag_codes(&t->sa, mid) - lag_codes(&t->sb, mid) < d)
			lo = mid;
		else
			hi = mid;
	}
	return sqrt(lo * hi);
}

/* Slope of the nominal position against code, pm per code. */
static double nominal_slope(const struct oio_tune *t, double code)
{
	double x = lio_fmax(code / OIO_HEATER_MAX, 0.05);

	return t->g.range_pm * 1.2 * 2 * x / OIO_HEATER_MAX;
}

/*
 * The B peak nearest A's peak p (index at) in the window where p's
 * resonance shows in B: B is slower, so it lags less and comes a little
 * earlier, and a dimmed line comes earlier still (blue with less
 * current); wide, give or take a quarter of p's width too, but never half
 * way to A's next peak. -1 if none that no other took.
 */
static int b_peak(const struct oio_tune *t, const struct oio_tune_ring *rg,
		  unsigned int at, const bool *used, bool wide)
{
	const struct oio_tune_peak *p = &rg->pk[at];
	double sl = nominal_slope(t, p->code_a), lo, hi, slack, best = INFINITY;
	int pick = -1;
	unsigned int j;

	if (t->dark)
		lo = p->code_a - lag_codes(&t->sa, TAU_MAX) +
		     lag_codes(&t->sb, TAU_MAX) - 2.0 * t->sa.step;
	else
		lo = p->code_a - DIM_SHIFT_MAX / sl - 4.0 * t->sa.step;
	hi = p->code_a + 0.5 * t->sa.step;
	if (wide) {
		slack = MATCH_WIDTH * p->width;
		if (at > 0)
			slack = lio_fmin(slack, (p->code_a - p[-1].code_a) / 2);
		if (at + 1 < rg->n)
			slack = lio_fmin(slack, (p[1].code_a - p->code_a) / 2);
		lo = lio_fmin(lo, p->code_a - slack);
		hi = lio_fmax(hi, p->code_a + slack);
	}
	for (j = 0; j < rg->nb; j++) {
		double d = fabs(rg->b_code[j] - p->code_a);

		if (!used[j] && rg->b_code[j] >= lo && rg->b_code[j] <= hi &&
		    d < best) {
			best = d;
			pick = (int)j;
		}
	}
	return pick;
}

/*
 * Pair each peak of A with its resonance in B, tallest first, each with
 * the nearest B peak in its window (b_peak()) that no taller one took.
 * Then the peaks left without one, in a window wider by a quarter of
 * their width: low in the sweep a ring moves slowly with its code, a
 * peak spans hundreds of codes, and noise moves its centre by a good part
 * of them, in A and in B alike (default 100387's ring 13: 82 codes later
 * in B, its line taken as dark). Only then, so that no peak's wide
 * window takes a B peak another's own window holds.
 */
static void match(const struct oio_tune *t, struct oio_tune_ring *rg)
{
	bool used[OIO_TUNE_MAX_PEAKS] = { false }, done[OIO_TUNE_MAX_PEAKS];
	unsigned int k, i, round;

	for (i = 0; i < rg->n; i++) {
		rg->pk[i].code_b = NAN;
		rg->pk[i].ratio = 0;
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < rg->n; i++)
			done[i] = !isnan(rg->pk[i].code_b);
		for (k = 0; k < rg->n; k++) {
			struct oio_tune_peak *p;
			int pick, at = -1;

			for (i = 0; i < rg->n; i++)
				if (!done[i] &&
				    (at < 0 ||
				     rg->pk[i].height > rg->pk[at].height))
					at = (int)i;
			if (at < 0)
				break;
			done[at] = true;
			p = &rg->pk[at];
			pick = b_peak(t, rg, (unsigned int)at, used, round);
			if (pick >= 0 && p->height > 0) {
				used[pick] = true;
				p->code_b = rg->b_code[pick];
				p->ratio = rg->b_height[pick] / p->height;
			}
		}
	}
}

/* Is the peak's height in B that of an undimmed line? */
static bool looks_undimmed(const struct oio_tune *t,
			   const struct oio_tune_peak *p)
{
	double lowest = 1;
	unsigned int l;

	for (l = 0; l < t->g.wavelengths; l++)
		lowest = lio_fmin(lowest, t->dim_ratio[l]);
	return !isnan(p->code_b) && p->ratio > (1 + lowest) / 2;
}

/*
 * Time constants: undimmed peaks lag in A behind B by a measure of it.
 * Per ring from its own peaks where it has three, else the card's.
 */
static void ring_lag(const struct oio_tune *t, struct oio_tune_ring *rg)
{
	double d[OIO_TUNE_MAX_PEAKS];
	unsigned int i, n = 0;

	match(t, rg);
	for (i = 0; i < rg->n; i++) {
		const struct oio_tune_peak *p = &rg->pk[i];

		if (lio_tune_trusted(rg, p) && looks_undimmed(t, p))
			d[n++] = p->code_a - p->code_b;
	}
	rg->lag_n = n;
	rg->lag_codes = lio_median(d, n);
	rg->tau_ns = n ? tau_from_lag(t, rg->lag_codes) : NAN;
}

/* Sweep B's peaks, matched to A's, give the ring's time constant. */
void lio_tune_traces_b(struct oio_tune *t, unsigned int r, const uint32_t *b)
{
	struct oio_tune_ring *rg = &t->ring[r];
	struct oio_trace_peak pk[OIO_TUNE_MAX_PEAKS];
	unsigned int i, n;

	rg->nb = 0;
	n = lio_trace_peaks(b, t->sb.points, pk, OIO_TUNE_MAX_PEAKS);
	for (i = 0; i < n; i++) {
		rg->b_code[rg->nb] = t->sb.start + pk[i].index * t->sb.step;
		rg->b_height[rg->nb++] = pk[i].height_na;
	}
	ring_lag(t, rg);
}

/* The card's time constant from its rings', and every drive lag-free. */
static void lags(struct oio_tune *t)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, i;
	double all[OIO_MAX_RINGS];
	unsigned int na = 0;

	for (r = 0; r < R; r++)
		if (t->ring[r].lag_n >= 2)
			all[na++] = t->ring[r].tau_ns;
	/* none measured: a guess to correct lags by, not a measurement */
	t->tau_measured = na > 0;
	t->tau_ns = na ? lio_median(all, na) : 4000;
	for (r = 0; r < R; r++) {
		struct oio_tune_ring *rg = &t->ring[r];
		double tau;

		if (rg->lag_n < 3)
			rg->tau_ns = t->tau_ns;
		tau = rg->tau_ns;
		for (i = 0; i < rg->n; i++) {
			struct oio_tune_peak *p = &rg->pk[i];

			p->x = (p->code_a - lag_codes(&t->sa, tau)) /
			       OIO_HEATER_MAX;
			if (!isnan(p->code_b))
				p->code_b -= lag_codes(&t->sb, tau);
		}
		for (i = 0; i < rg->nc; i++)
			rg->c_x[i] = (rg->c_x[i] - lag_codes(&t->sc, tau)) /
				     OIO_HEATER_MAX;
	}
}

/* ---- the card's response ----------------------------------------------- */

/* Linewidth: a fitted width in codes times the response's slope there. */
static void linewidth(struct oio_tune_ring *rg)
{
	double v[OIO_TUNE_MAX_PEAKS];
	unsigned int i, n = 0;

	for (i = 0; i < rg->n; i++) {
		const struct oio_tune_peak *p = &rg->pk[i];
		double dx = 1e-4, slope;

		if (!lio_tune_trusted(rg, p) || p->width <= 0)
			continue;
		slope = rg->q * (lio_tune_law(p->x + dx, rg->h) -
				 lio_tune_law(p->x - dx, rg->h)) /
			(2 * dx * OIO_HEATER_MAX);
		v[n++] = p->width * slope;
	}
	rg->fwhm_pm = n ? lio_median(v, n) : 0;
}

/*
 * Where ring j of a bus sits while the class of ring w is swept at drive x:
 * cold, plus its own heater if it is swept too, plus its swept neighbours'
 * shares as far as the crosstalk is known yet.
 */
static double swept_position(const struct oio_tune *t, unsigned int port,
			     unsigned int side, unsigned int j, unsigned int w,
			     double x)
{
	const struct oio_tune_ring *rj =
		&t->ring[lio_tune_ring_of(&t->g, port, side, j)];
	unsigned int W = t->g.wavelengths, k, classes, lo;
	double pos = rj->o;

	/*
	 * The rings of w's class within the heat's reach, upwards: shading
	 * asks this of every peak and ring upstream.
	 */
	lio_tune_class(W, 0, &classes);
	lo = j > HEAT_REACH ? j - HEAT_REACH : 0;
	for (k = lo + (w % classes + classes - lo % classes) % classes;
	     k < W && k <= j + HEAT_REACH; k += classes) {
		const struct oio_tune_ring *rk =
			&t->ring[lio_tune_ring_of(&t->g, port, side, k)];
		double share = lio_tune_heat_share(t, rj,
						   k > j ? k - j : j - k);

		if (!share || !rk->named)
			continue;
		pos += share * rk->q * lio_tune_law(x, rk->h);
	}
	return pos;
}

/* How far line l sat moved in sweep B: a dimmed line moves with its bias. */
static double b_moved(const struct oio_tune *t, unsigned int l)
{
	return (t->code >> l & 1) ? t->dim_shift_pm[l] : 0;
}

/* Does a ring upstream of ring w take a line at drive x, swept with it? */
static bool taken_at(const struct oio_tune *t, const struct oio_comb *cb,
		     unsigned int port, unsigned int side, unsigned int w,
		     double x)
{
	unsigned int W = t->g.wavelengths, j;

	for (j = 0; j < w; j++) {
		const struct oio_tune_ring *up =
			&t->ring[lio_tune_ring_of(&t->g, port, side, j)];

		if (up->named &&
		    lio_comb_within(cb, t->line_pm, NULL, W, t->fsr_pm,
				    swept_position(t, port, side, j, w, x),
				    SHADE_FWHM * lio_tune_fwhm(t, up)))
			return true;
	}
	return false;
}

/*
 * The least distance between two lines that give light, in any orders;
 * INFINITY with fewer than two, or no FSR measured.
 */
static double closest_lines(const struct oio_tune *t)
{
	unsigned int W = t->g.wavelengths, i, j;
	double gap = INFINITY;

	if (!(t->fsr_pm > 0))
		return INFINITY;
	for (i = 0; i < W; i++)
		for (j = i + 1; j < W; j++)
			if (t->emitting >> i & t->emitting >> j & 1)
				gap = lio_fmin(gap, fabs(remainder(t->line_pm[i] -
								   t->line_pm[j],
								   t->fsr_pm)));
	return gap;
}

/*
 * Two neighbouring peaks of a ring closer than SPLIT_FWHM of its
 * linewidths and than half the closest two lines (by the card's median
 * full scale and the square law), with a ring upstream on a line between
 * them, are one resonance: that ring, swept with this one, met the line
 * at the same drive an order away and took its middle - every line so,
 * where the two sit within a linewidth through the sweep, and the ring's
 * searches named each half a line of its own (default 100360's ring 77,
 * 100085's ring 13). One peak instead, where the halves' heights weigh it
 * (a sliver cut off a flank moves the peak little), as tall as the taller
 * half, with its width, and B's taller half over it for a ratio. Once:
 * the passes after shade the merged peak as it is, and two halves lone
 * lines showed on lines of their own are no one resonance. gap:
 * closest_lines(), worked out once a pass (its remainder()s were a
 * fortieth of the analysis, asked again for every ring).
 */
static void merge_split(struct oio_tune *t, const struct oio_comb *cb,
			double gap, struct oio_tune_ring *rg,
			unsigned int port, unsigned int side, unsigned int w)
{
	double most, wa, wb, in_b;
	unsigned int i;

	if (t->q_pm <= 0)
		return;
	most = lio_fmin(SPLIT_FWHM * lio_tune_fwhm(t, rg), gap / 2);
	for (i = 0; i + 1 < rg->n; i++) {
		struct oio_tune_peak *a = &rg->pk[i], *b = a + 1;

		if (a->edge || b->edge || a->merged || b->merged ||
		    !(a->height + b->height > 0) ||
		    (a->anchor >= 0 && b->anchor >= 0 &&
		     a->anchor != b->anchor) ||
		    t->q_pm * (lio_tune_law(b->x, 0) - lio_tune_law(a->x, 0)) >
		    most || !taken_at(t, cb, port, side, w, (a->x + b->x) / 2))
			continue;
		wa = a->height / (a->height + b->height);
		wb = 1 - wa;
		in_b = lio_fmax(a->ratio * a->height, b->ratio * b->height);
		a->x = wa * a->x + wb * b->x;
		a->code_a = wa * a->code_a + wb * b->code_a;
		if (isnan(a->code_b))
			a->code_b = b->code_b;
		else if (!isnan(b->code_b))
			a->code_b = wa * a->code_b + wb * b->code_b;
		if (b->height > a->height) {
			a->height = b->height;
			a->width = b->width;
		}
		a->ratio = in_b / a->height;
		if (a->anchor < 0)
			a->anchor = b->anchor;
		a->merged = true;
		a->line = -1;
		memmove(b, b + 1, (rg->n - i - 2) * sizeof(*b));
		rg->n--;
	}
}

/*
 * Lines a ring upstream takes where ring w meets them in its sweep: one
 * swept with it, or one left where it was but pushed by its swept
 * neighbours' heat, that sits on a line at that drive. cb, cb_b: the
 * lines as the pass began, and as they sat in B; gap: the closest two.
 */
static void shade(struct oio_tune *t, const struct oio_comb *cb,
		  const struct oio_comb *cb_b, double gap, unsigned int port,
		  unsigned int side, unsigned int w)
{
	struct oio_tune_ring *rg =
		&t->ring[lio_tune_ring_of(&t->g, port, side, w)];
	unsigned int i, j, l, W = t->g.wavelengths;
	double dl[MAX_W];

	for (l = 0; l < W; l++)
		dl[l] = b_moved(t, l);
	merge_split(t, cb, gap, rg, port, side, w);
	for (i = 0; i < rg->n; i++) {
		struct oio_tune_peak *p = &rg->pk[i];
		double xb = isnan(p->code_b) ? p->x : p->code_b / OIO_HEATER_MAX;

		p->shadow = p->shadow_b = 0;
		for (j = 0; j < w; j++) {
			const struct oio_tune_ring *up =
				&t->ring[lio_tune_ring_of(&t->g, port, side, j)];
			double reach, pos, pos_b;

			if (!up->named)
				continue;
			reach = SHADE_FWHM * lio_tune_fwhm(t, up);
			pos = swept_position(t, port, side, j, w, p->x);
			pos_b = xb == p->x ? pos :
				swept_position(t, port, side, j, w, xb);
			p->shadow |= lio_comb_within(cb, t->line_pm, NULL, W,
						     t->fsr_pm, pos, reach);
			p->shadow_b |= lio_comb_within(cb_b, t->line_pm, dl, W,
						       t->fsr_pm, pos_b,
						       reach);
		}
	}
	rg->ref_na = ref_height(rg);
}

/*
 * The fit of each named ring, and where the dimmed lines went in sweep B:
 * the median over every named, full peak of the line of how far its
 * resonance moved, in position.
 */
static void residuals(struct oio_tune *t)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, i, l;
	double (*d)[OIO_MAX_RINGS * 2] = t->scratch;
	unsigned int nd[MAX_W] = { 0 };

	for (r = 0; r < R; r++) {
		struct oio_tune_ring *rg = &t->ring[r];
		double ss = 0;
		unsigned int n = 0;

		if (!rg->named)
			continue;
		for (i = 0; i < rg->n; i++) {
			const struct oio_tune_peak *p = &rg->pk[i];
			double e = lio_tune_resid(t, rg, p);

			if (p->edge)
				continue;
			ss += e * e;
			n++;
			l = (unsigned int)p->line;
			if ((t->code >> l & 1) && !isnan(p->code_b) &&
			    lio_tune_trusted(rg, p) && nd[l] < OIO_MAX_RINGS)
				d[l][nd[l]++] = rg->q *
					(lio_tune_law(p->code_b / OIO_HEATER_MAX,
						      rg->h) -
					 lio_tune_law(p->x, rg->h));
		}
		rg->rms_pm = n ? sqrt(ss / n) : 0;
	}
	for (l = 0; l < t->g.wavelengths; l++)
		t->dim_shift_pm[l] = nd[l] ? lio_median(d[l], nd[l]) : 0;
}

/* The lines as they are (cb), and as they sat in sweep B (cb_b). */
static void combs(const struct oio_tune *t, struct oio_comb *cb,
		  struct oio_comb *cb_b)
{
	unsigned int l;
	double dl[MAX_W];

	lio_comb_init(cb, t->line_pm, NULL, t->g.wavelengths, t->fsr_pm);
	for (l = 0; l < t->g.wavelengths; l++)
		dl[l] = b_moved(t, l);
	lio_comb_init(cb_b, t->line_pm, dl, t->g.wavelengths, t->fsr_pm);
}

/* A pass of the analysis: what it names by, and how many of a bus. */
struct pass {
	struct oio_tune *t;
	const struct oio_comb *cb;	/* the lines as the pass began */
	const struct oio_comb *cb_b;	/* and as they sat in sweep B */
	double gap;		/* closest_lines() */
	double sigma;
	bool shaded;		/* from the second pass: the rings upstream's */
	bool keep;		/* from the second pass: decisive namings kept */
	unsigned int named[2 * OIO_MAX_PORTS];
};

/*
 * Name a bus's rings, upstream first, so that each ring knows where the
 * rings before it shade it - from the second pass on, when they have
 * names and the crosstalk and the dimmed lines' moves are known. A bus
 * touches only its own rings and reads the card's fits, which move only
 * between passes: the buses are named side by side.
 */
static void name_bus(void *arg, unsigned int bus)
{
	struct pass *ps = arg;
	struct oio_tune *t = ps->t;
	unsigned int p = bus / 2, side = bus % 2, w, n = 0;

	for (w = 0; w < t->g.wavelengths; w++) {
		struct oio_tune_ring *rg =
			&t->ring[lio_tune_ring_of(&t->g, p, side, w)];
		bool kept;

		if (ps->shaded)
			shade(t, ps->cb, ps->cb_b, ps->gap, p, side, w);
		kept = ps->keep && rg->named && rg->lead >= DECISIVE &&
		       lio_tune_rename_kept(t, rg, ps->sigma, ps->cb);
		if (!kept && !lio_tune_name_ring(t, rg, w, ps->sigma, ps->cb,
						 false))
			continue;
		n++;
		linewidth(rg);
	}
	ps->named[bus] = n;
}

/*
 * Had the first pass named enough of the card's heaters to say (its
 * spread known) and their median far off the nominal full scale? Then
 * back to where the analysis began, the lines nominal and the card's
 * fits undone, for the first pass again, the namings a ring's search
 * refines paying for a full scale far off (a ring a later pass keeps,
 * refitted, paid when searched). Once: the second try stands.
 */
static bool named_off_nominal(struct oio_tune *t)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, l;

	if (t->off_nominal || t->spread_pm <= 0 ||
	    fabs(t->q_pm / t->g.range_pm - 1) <= NOMINAL_OFF)
		return false;
	nominal_lines(t);
	for (l = 0; l < t->g.wavelengths; l++)
		t->dim_shift_pm[l] = 0;
	/* what a ring the second try leaves unnamed would keep of the first */
	for (r = 0; r < R; r++)
		t->ring[r].fwhm_pm = t->ring[r].rms_pm = 0;
	t->prior_pm = t->spread_pm = t->q_pm = t->h_med = 0;
	t->xt1 = t->xt2 = 0;
	t->off_nominal = true;
	return true;
}

/* Did a ring's search name it with a heater unlike the card's? */
static bool unlike_card(const struct oio_tune *t,
			const struct oio_tune_ring *rg)
{
	return t->spread_pm > 0 && rg->named &&
	       lio_tune_heater_unlike(t, rg->q);
}

/*
 * Such a ring is left unnamed, to be swept alone (an anchor), and not
 * parked by its naming: where that puts it says nothing of where it is.
 * Nor do the linewidth, fit residual and crosstalk share it gave it.
 */
static void unname(struct oio_tune_ring *rg)
{
	unsigned int i;

	rg->named = false;
	rg->lead = 0;
	rg->fwhm_pm = rg->rms_pm = 0;
	rg->xt_gain = 1;
	for (i = 0; i < rg->n; i++)
		rg->pk[i].line = -1;
}

/* A pass of the analysis: its rings named, and the card's fits after. */
static void run_pass(struct oio_tune *t, unsigned int pass)
{
	static const double sigmas[] = { 160, 80, FINAL_SIGMA };
	struct oio_comb cb, cb_b;
	struct pass ps = {
		.t = t, .cb = &cb, .cb_b = &cb_b, .sigma = sigmas[pass],
		.shaded = pass > 0, .keep = pass > 0,
	};
	unsigned int bus;

	/* the lines move only at a pass's end, in lio_tune_refine_card() */
	combs(t, &cb, &cb_b);
	ps.gap = closest_lines(t);
	lio_par_for(2 * t->g.ports, name_bus, &ps);
	t->named = 0;
	for (bus = 0; bus < 2 * t->g.ports; bus++)
		t->named += ps.named[bus];
	/*
	 * In the middle pass only: the first one's namings may still be
	 * wrong, and the last one names and fits each ring afresh to the
	 * lines the joint fit left, where the joint fit moves a ring by one
	 * linearised step.
	 */
	lio_tune_refine_card(t, sigmas[pass], pass == 1);
	lio_tune_card_spread(t);
	residuals(t);
	lio_tune_crosstalk(t);
}

unsigned int lio_tune_analyse(struct oio_tune *t)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, r, nv = 0;
	unsigned int unlike = 0;
	double v[OIO_MAX_RINGS];

	lags(t);
	run_pass(t, 0);
	if (named_off_nominal(t))
		run_pass(t, 0);
	run_pass(t, 1);
	run_pass(t, 2);
	/*
	 * After the last pass, when the card's spread of heaters is as good
	 * as it gets. The rings unnamed then leave it, so that the namings
	 * their anchors give (lio_tune_rename()) are judged by the card's
	 * others alone; unless too few stay named to say (the pass's other
	 * fits stand).
	 */
	for (r = 0; r < R; r++)
		if (unlike_card(t, &t->ring[r])) {
			unname(&t->ring[r]);
			t->named--;
			unlike++;
		}
	if (unlike && t->named >= PRIOR_RINGS)
		lio_tune_card_spread(t);
	/*
	 * A heater's reach spans lines: a ring whose own sweep met none, when
	 * the others met theirs, did not move (sweep C may still show peaks:
	 * its neighbours' heat moves it).
	 */
	for (r = 0; r < R; r++)
		t->ring[r].stuck = t->named && !t->ring[r].n;
	for (r = 0; r < R; r++)
		if (t->ring[r].noise_na > 0)
			v[nv++] = t->ring[r].noise_na;
	t->noise_na = lio_median(v, nv);
	return t->named;
}

double lio_tune_position(const struct oio_tune *t, unsigned int r, double x)
{
	const struct oio_tune_ring *rg = &t->ring[r];

	if (!rg->named)
		return NAN;
	return rg->o + rg->q * lio_tune_law(x, rg->h);
}

static void insert_peak(struct oio_tune_ring *rg, unsigned int at,
			const struct oio_tune_peak *p)
{
	memmove(&rg->pk[at + 1], &rg->pk[at],
		(rg->n - at) * sizeof(rg->pk[0]));
	rg->pk[at] = *p;
	rg->n++;
}

unsigned int lio_tune_anchor(struct oio_tune *t, unsigned int r,
			     const uint32_t *trace, unsigned int line,
			     double others, uint32_t swept)
{
	struct oio_tune_ring *rg = &t->ring[r];
	struct oio_trace_peak pk[OIO_TUNE_MAX_PEAKS];
	double lag = lag_codes(&t->sa, rg->tau_ns);
	unsigned int i, j, n, shown = 0;

	n = lio_trace_peaks(trace, t->sa.points, pk, OIO_TUNE_MAX_PEAKS);
	for (i = 0; i < n; i++) {
		double code = t->sa.start + pk[i].index * t->sa.step;
		struct oio_tune_peak np = {
			.code_a = code, .code_b = NAN, .height = pk[i].height_na,
			.width = pk[i].width * t->sa.step,
			.x = (code - lag) / OIO_HEATER_MAX, .line = -1,
			.anchor = (int)line,
		};
		int near = -1;

		/* a line alone gives a full peak or none: the rest is noise */
		if (pk[i].height_na < ANCHOR_SNR * rg->noise_na)
			continue;
		/*
		 * One at an end shows the line there, though not where: no
		 * peak of A's to name, but no absence either (the line's for
		 * sure only with the others dark).
		 */
		if (pk[i].edge || pk[i].index < EDGE_SAMPLES ||
		    pk[i].index > t->sa.points - 1 - EDGE_SAMPLES) {
			shown += others <= 0;
			continue;
		}
		shown++;
		/*
		 * the same sweep as A, the same lag: A's peak is right there
		 * - or, merged from two halves a linewidth apart (which the
		 * lone line shows split as A did), within a width of it
		 */
		for (j = 0; j < rg->n; j++)
			if (fabs(rg->pk[j].code_a - code) <=
			    lio_fmax(1.5 * t->sa.step, rg->pk[j].merged ?
				     rg->pk[j].width : 0) &&
			    (near < 0 || fabs(rg->pk[j].code_a - code) <
					 fabs(rg->pk[near].code_a - code)))
				near = (int)j;
		/*
		 * With the other lines dimmed rather than dark, only a peak
		 * as tall as in A is the line's; one A did not show (shaded)
		 * says nothing.
		 */
		if (others > 0 &&
		    (near < 0 || pk[i].height_na < (1 + others) / 2 *
						   rg->pk[near].height)) {
			shown--;
			continue;
		}
		if (near >= 0) {
			rg->pk[near].anchor = (int)line;
			continue;
		}
		if (rg->n == OIO_TUNE_MAX_PEAKS)
			continue;
		for (j = 0; j < rg->n && rg->pk[j].code_a < code; j++)
			;
		insert_peak(rg, j, &np);
	}
	/* dimmed lines shade differently: only darkness shows absence */
	if (!shown && others <= 0) {
		rg->absent |= 1u << line;
		rg->absent_swept[line] = swept;
	}
	return shown;
}

/* How many lines lone-line sweeps showed the ring's full peaks on. */
static unsigned int anchor_lines(const struct oio_tune_ring *rg)
{
	uint32_t seen = 0;
	unsigned int i;

	for (i = 0; i < rg->n; i++)
		if (rg->pk[i].anchor >= 0 && !rg->pk[i].edge)
			seen |= 1u << rg->pk[i].anchor;
	return (unsigned int)__builtin_popcount(seen);
}

/* Has a naming put a peak a lone line showed on another line? */
static bool off_anchor(const struct oio_tune_ring *rg)
{
	unsigned int i;

	for (i = 0; i < rg->n; i++)
		if (lio_tune_off_its_anchor(&rg->pk[i], rg->pk[i].line))
			return true;
	return false;
}

bool lio_tune_rename(struct oio_tune *t, unsigned int r)
{
	unsigned int W = t->g.wavelengths, w = r / 2 % W;
	struct oio_tune_ring *rg = &t->ring[r];
	struct oio_comb cb, cb_b;

	combs(t, &cb, &cb_b);
	shade(t, &cb, &cb_b, closest_lines(t), r / (2 * W), r % 2, w);
	/*
	 * Two namings nearly as cheap, each keeping the lone lines' peaks on
	 * their lines, differ where those sweeps did not look: the ring's own
	 * FSR, up to a percent off the card's, costs its peaks an order away
	 * about as much as a law bent far off the card's does (default
	 * 100696's ring 78, left to a sweep in place: 20.1 ms of tuning).
	 * Once lone lines showed its peaks on two lines or more, such a
	 * naming most like the card's stands. On one line's alone, settling
	 * so cost one of unit-bringup's cards a lane (6200404) and another
	 * the course it is there for.
	 */
	if (!lio_tune_name_ring(t, rg, w, FINAL_SIGMA, &cb,
				anchor_lines(rg) >= 2))
		return false;
	/*
	 * Peaks split by rings upstream, each put on a line of its own, can
	 * outweigh the lone line's peak, with a heater unlike the card's
	 * again: the card's median heater through that peak stands instead,
	 * if it keeps every peak a lone line showed on that line. A naming
	 * off its anchor with a heater like the card's stands: falling back
	 * on those too cost inside 300038 a lane (README, step 5).
	 */
	if (off_anchor(rg) && unlike_card(t, rg)) {
		rg->lead = 0;
		if (!lio_tune_anchor_alone(t, rg, w) || off_anchor(rg)) {
			unname(rg);
			return false;
		}
	}
	linewidth(rg);
	t->named++;
	return true;
}
