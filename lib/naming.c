// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: naming a ring's peaks - the line and order each one is - by a
 * search over its response, each naming judged against the card's lines,
 * the dimmed lines of sweep B and the shadows of the rings upstream (see
 * tuning.h; tuning.c runs the passes that call it).
 */
#include <math.h>
#include <stddef.h>

#include "minmax.h"
#include "naming.h"
#include "select.h"
#include "tuning.h"

/* Ways a peak's name is judged. */
#define RATIO_SIGMA	0.09	/* spread of a measured height ratio */
#define COST_CAP	9.0	/* a misfit costs at most 3 sigma squared */
/* A peak this far over the noise shows whether its line was dark in B. */
#define DIM_SNR		20.0
/* The spread of a ratio across a darkened line's absence. */
#define DARK_SIGMA	0.15
/* The margin of the card's spread of the rings (lio_tune_card_spread()). */
#define PRIOR_SLACK	250.0
#define Q_SLACK		0.03	/* share of a full scale */
#define H_SLACK		0.05
/* A sigma of a full scale beyond NOMINAL_OFF of the nominal. */
#define NOMINAL_SLACK	0.05
/*
 * A ring searched out with a full scale this share of the card's median
 * beyond the range of the card's others is not named (tuning.c's
 * unlike_card(), through lio_tune_heater_unlike()).
 */
#define UNLIKE_Q	0.2
#define LAW_MAX		LIO_TUNE_LAW_MAX
/*
 * A ring upstream takes two thirds of a line this close, in its FWHMs: a
 * lone line's sweep may not show what it leaves.
 */
#define TAKEN_FWHM	0.35
#define UNTOLD		2.0	/* cost of a peak that says nothing */
#define ANCHOR_COST	40.0	/* a peak put off the line it was seen on */
#define FULL_PEAK	0.8	/* of a full peak's height: not shaded */
#define SHADOWED	0.15	/* weight of a peak a ring upstream shades */

/* p's offset from line l at the order nearest it, which goes to *order. */
static double line_offset(const struct oio_tune *t, double p, unsigned int l,
			  double inv, int *order)
{
	/* judging namings asks this most of all: no floor(), no division */
	double k = (p - t->line_pm[l]) * inv + 0.5;
	double m = (double)(long long)k - (k < (double)(long long)k);

	*order = (int)m;
	return p - (t->line_pm[l] + m * t->fsr_pm);
}

/*
 * Nearest comb element (line l, order m) to position p; returns offset.
 * Every line is asked; a tie goes to the lower line. inv: 1 / the FSR.
 */
static double nearest_of_all(const struct oio_tune *t, double p, double inv,
			     int *line, int *order)
{
	double best = INFINITY;
	unsigned int l;
	int bl = -1, bm = 0;

	for (l = 0; l < t->g.wavelengths; l++) {
		int m;
		double d = line_offset(t, p, l, inv, &m);

		if (fabs(d) < fabs(best) ||
		    (bl >= 0 && fabs(d) == fabs(best) && (int)l < bl)) {
			best = d;
			bl = (int)l;
			bm = m;
		}
	}
	/* no line nearer than INFINITY (p NaN): line 0 at INFINITY, a misfit */
	*line = bl >= 0 ? bl : 0;
	*order = bm;
	return best;
}

/*
 * The same, asking only the lines either side of p on cb if it can tell:
 * the nearer, the lower on a tie, as asking every line would choose.
 * Inline: judging namings asks this most of all.
 */
static inline double nearest_line(const struct oio_tune *t,
				  const struct oio_comb *cb, double p,
				  double inv, int *line, int *order)
{
	unsigned int pair[2];
	double d0, d1;
	int m0, m1;

	if (!lio_comb_pair(cb, p, pair))
		return nearest_of_all(t, p, inv, line, order);
	d0 = line_offset(t, p, pair[0], inv, &m0);
	d1 = line_offset(t, p, pair[1], inv, &m1);
	if (fabs(d1) < fabs(d0) ||
	    (fabs(d1) == fabs(d0) && pair[1] < pair[0])) {
		*line = (int)pair[1];
		*order = m1;
		return d1;
	}
	*line = (int)pair[0];
	*order = m0;
	return d0;
}

struct naming {
	double o, q, h, cost;
	int line[OIO_TUNE_MAX_PEAKS];
	int order[OIO_TUNE_MAX_PEAKS];
};

/*
 * What a peak's heights say against its being line l. With a full peak
 * in A, its height in B over its height in A is the line's dimming. A
 * peak a ring upstream shaded in A may be clear in B - a dimmed line
 * moves - so then B's height alone speaks, against a full peak: a big
 * one cannot be a dimmed line; a small one may be shaded, and says little.
 */
static double dim_cost(const struct oio_tune *t, const struct oio_tune_ring *rg,
		       const struct oio_tune_peak *p, unsigned int l)
{
	double r = t->dim_ratio[l], e, full;

	/*
	 * A darkened line is gone from B and the others are where they were,
	 * shaded as they were: the ratio alone says which.
	 */
	if (t->dark) {
		e = (lio_fmin(p->ratio, 1.5) - r) / DARK_SIGMA;
		return lio_fmin(e * e, COST_CAP);
	}
	/* a ring upstream took the line in B: its height there says nothing */
	if (rg->ref_na <= 0 || (p->shadow_b >> l & 1))
		return 0;
	full = rg->ref_na * t->line_rel[l];
	if (p->height >= FULL_PEAK * full) {
		/* shaded in B (a dimmed line moved under a ring upstream)? */
		e = (p->ratio - r) / RATIO_SIGMA;
		return lio_fmin(e * e, COST_CAP);
	}
	e = (p->ratio * p->height / full - r) / RATIO_SIGMA;
	return e > 0 ? lio_fmin(e * e, COST_CAP) : 0;
}

/*
 * How much a peak's height in B says, against its weight in A. With the
 * other lines dark in B a line is there or not, and so is its peak, shaded
 * or not: any peak clear of the noise says whether its line was dark in
 * full, however little its height and place in A say (default 26000092's
 * rings 44 and 57, their full peaks on lit lines alike, named a line off
 * by those, their shaded peaks' darkness ignored) - once the first pass
 * has named the card, and split peaks are one (tuning.c's
 * merge_split()): in the first pass too, the halves' B peaks, matched or
 * not, named optical-worst 290249's heaters 38 % over the nominal, 28
 * rings unnamed at the end. Dimmed, a shaded peak's height says no more
 * than its place.
 */
static double dim_weight(const struct oio_tune *t,
			 const struct oio_tune_ring *rg,
			 const struct oio_tune_peak *p, double w)
{
	return t->dark && t->q_pm > 0 && p->height >= DIM_SNR * rg->noise_na ?
	       1 : w;
}

/*
 * Would a sweep show line l as a whole peak, for a ring of this response:
 * a linewidth clear of where it starts and of the samples at its end?
 * *pos: where it would meet it first.
 */
static bool shows(const struct oio_tune *t, const struct naming *nm,
		  unsigned int l, double *pos)
{
	double top = 1 - EDGE_SAMPLES * t->sa.step / OIO_HEATER_MAX;
	double lo = nm->o + t->g.fwhm_pm;
	double hi = nm->o + nm->q * lio_tune_law(top, nm->h) - t->g.fwhm_pm;

	*pos = t->line_pm[l] +
	       t->fsr_pm * ceil((lo - t->line_pm[l]) / t->fsr_pm);
	return *pos <= hi;
}

/*
 * Did a ring upstream take line l from ring rg where a ring of response
 * nm meets it (pos) in its lone-line sweep? One the sweep left where it
 * was, cold but for the heat of its neighbours swept (rg's absent_swept),
 * that sat within TAKEN_FWHM of the line then: the sweep showing nothing
 * there says nothing of the naming. Such a ring sits still, unlike in
 * sweep A, where its class swept it along.
 */
static bool taken_upstream(const struct oio_tune *t,
			   const struct oio_tune_ring *rg,
			   const struct naming *nm, unsigned int l, double pos)
{
	unsigned int W = t->g.wavelengths, r = (unsigned int)(rg - t->ring);
	unsigned int port = r / (2 * W), side = r % 2, w = r / 2 % W, j, k;
	uint32_t swept = rg->absent_swept[l];
	double x = lio_tune_law_inv((pos - nm->o) / nm->q, nm->h);

	for (j = 0; j < w; j++) {
		const struct oio_tune_ring *up =
			&t->ring[lio_tune_ring_of(&t->g, port, side, j)];
		double at, reach;

		if (!up->named || (swept >> j & 1))
			continue;
		at = up->o;
		for (k = j > HEAT_REACH ? j - HEAT_REACH : 0;
		     k < W && k <= j + HEAT_REACH; k++) {
			const struct oio_tune_ring *rk =
				&t->ring[lio_tune_ring_of(&t->g, port, side, k)];
			unsigned int dist = k > j ? k - j : j - k;
			double share = lio_tune_heat_share(t, up, dist);

			if (!(swept >> k & 1) || share <= 0)
				continue;
			/* an unnamed ring heats as the card's median one */
			if (k == w)
				at += share * nm->q * lio_tune_law(x, nm->h);
			else if (rk->named)
				at += share * rk->q * lio_tune_law(x, rk->h);
			else
				at += share * t->q_pm * lio_tune_law(x, 0);
		}
		reach = TAKEN_FWHM * lio_tune_fwhm(t, up);
		if (fabs(remainder(at - t->line_pm[l], t->fsr_pm)) <= reach)
			return true;
	}
	return false;
}

/* Heater laws refine() tries: -LAW_MAX to LAW_MAX in tenths of it. */
#define LAWS_TRIED	21

/*
 * What judging a ring's namings needs of each peak that does not depend
 * on the naming, worked out once per ring: a naming search judges some
 * two hundred responses, and these terms were most of each judgement.
 */
struct ring_terms {
	/* peak_weight() of peak i on line l */
	double w[OIO_TUNE_MAX_PEAKS][MAX_W];
	/* lio_tune_trusted() of peak i */
	bool trusted[OIO_TUNE_MAX_PEAKS];
	/* its cost on line l: fixed[][] if is_fixed, else distance + add[][] */
	bool is_fixed[OIO_TUNE_MAX_PEAKS][MAX_W];
	double fixed[OIO_TUNE_MAX_PEAKS][MAX_W];
	double add[OIO_TUNE_MAX_PEAKS][MAX_W];
	/*
	 * What judge() makes of those, in the same sums: (1 - w) UNTOLD,
	 * the weighted cost if fixed, and what a peak pays when another on
	 * its line outranks it, never less than its own cost there
	 */
	double untold[OIO_TUNE_MAX_PEAKS][MAX_W];
	double fixed_c[OIO_TUNE_MAX_PEAKS][MAX_W];
	double most[OIO_TUNE_MAX_PEAKS][MAX_W];
	/* 1 / the FSR */
	double inv;
	/* lio_tune_law(x of peak i, name_ring_span()'s law k) */
	double u3[3][OIO_TUNE_MAX_PEAKS];
	/*
	 * the laws refine() tries; lio_tune_law() of each peak at law k,
	 * worked out when a fit first asks for it (bit k of has_u): a ring's
	 * fits try some four of the 21 laws each, mostly the same ones
	 */
	double law[LAWS_TRIED];
	double u[LAWS_TRIED][OIO_TUNE_MAX_PEAKS];
	uint32_t has_u;
	/* the lines, as the pass naming the ring has them */
	const struct oio_comb *comb;
};

_Static_assert(LAWS_TRIED <= 32, "has_u holds a bit a law");

/*
 * How much a peak is trusted: a line a ring meets alone gives it a full
 * peak; one that a ring upstream, at the same drive in the sweep, is
 * taking too gives a weak or split one, at the wrong place. Where the
 * rings upstream are named, their shadow says so; where not, the height.
 */
static double peak_weight(const struct oio_tune_ring *rg,
			  const struct oio_tune_peak *p, int line)
{
	double h = rg->ref_na > 0 ? p->height / rg->ref_na : 0;
	double w = lio_fmin(lio_fmax((h - 0.4) / 0.35, 0), 1);

	if (p->anchor >= 0)
		return 1;
	/* a full peak was not shaded, whatever the rings upstream did */
	if (line >= 0 && (p->shadow >> line & 1) && h < 0.6)
		w *= SHADOWED;
	return p->edge ? w / 4 : w;
}

/*
 * lio_tune_law() of each of the ring's peaks at law k. rg: the ring
 * ring_terms() was given, its peaks unchanged since.
 */
static const double *law_u(const struct oio_tune_ring *rg,
			   struct ring_terms *tm, unsigned int k)
{
	unsigned int i;

	if (!(tm->has_u >> k & 1)) {
		for (i = 0; i < rg->n; i++)
			tm->u[k][i] = lio_tune_law(rg->pk[i].x, tm->law[k]);
		tm->has_u |= 1u << k;
	}
	return tm->u[k];
}

static const double name_laws[3] = { -0.12, 0, 0.12 };

static void ring_terms(const struct oio_tune *t, const struct oio_tune_ring *rg,
		       const struct oio_comb *cb, struct ring_terms *tm)
{
	unsigned int i, l, k;
	double h;

	tm->comb = cb;
	tm->inv = 1 / t->fsr_pm;
	for (i = 0; i < rg->n; i++) {
		const struct oio_tune_peak *p = &rg->pk[i];

		tm->trusted[i] = lio_tune_trusted(rg, p);
		for (l = 0; l < t->g.wavelengths; l++) {
			tm->w[i][l] = peak_weight(rg, p, (int)l);
			tm->is_fixed[i][l] = true;
			tm->fixed[i][l] = 0;
			tm->add[i][l] = 0;
			if (!(t->emitting >> l & 1))
				tm->fixed[i][l] = COST_CAP;
			else if (p->anchor >= 0 && p->anchor != (int)l)
				tm->fixed[i][l] = ANCHOR_COST;
			else
				tm->is_fixed[i][l] = false;
			if (!tm->is_fixed[i][l] && !p->edge && p->anchor < 0)
				tm->add[i][l] = dim_cost(t, rg, p, l) *
						dim_weight(t, rg, p,
							   tm->w[i][l]);
			tm->untold[i][l] = (1 - tm->w[i][l]) * UNTOLD;
			tm->fixed_c[i][l] = tm->w[i][l] * tm->fixed[i][l] +
					    tm->untold[i][l];
			/* no less than it costs put there: a rival saves none */
			tm->most[i][l] = lio_fmax(tm->untold[i][l] +
						  tm->w[i][l] * COST_CAP +
						  tm->add[i][l],
						  tm->is_fixed[i][l] ?
						  tm->fixed_c[i][l] : 0);
		}
		for (k = 0; k < 3; k++)
			tm->u3[k][i] = lio_tune_law(p->x, name_laws[k]);
	}
	/* the same sums as refine()'s loop always made */
	for (k = 0, h = -LAW_MAX; k < LAWS_TRIED; k++, h += LAW_MAX / 10)
		tm->law[k] = h;
	tm->has_u = 0;
}

/*
 * Does another peak on peak i's line, in its order, save more than it
 * (a tie to the lower index)? full: only those it marks count, if given.
 */
static bool outranked(const struct naming *nm, const double *saves,
		      const bool *full, unsigned int n, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < n; j++)
		if (j != i && (!full || full[j]) &&
		    nm->line[j] == nm->line[i] &&
		    nm->order[j] == nm->order[i] &&
		    (saves[j] > saves[i] || (saves[j] == saves[i] && j < i)))
			return true;
	return false;
}

/*
 * What a response (o, q, h) makes of a ring's peaks: each goes to the
 * nearest line, and pays for its distance and for a height ratio that is
 * not its line's. Two peaks on one line pay too. u: the law at each
 * peak's drive, if known. A naming that is bound to cost limit or more
 * is left half judged, at cost INFINITY: many a search tries are.
 */
static void judge(const struct oio_tune *t, const struct oio_tune_ring *rg,
		  const struct ring_terms *tm, const double *u,
		  struct naming *nm, double sigma, double limit)
{
	double c[OIO_TUNE_MAX_PEAKS], saves[OIO_TUNE_MAX_PEAKS], least = 0, at;
	unsigned int i, l, n = rg->n, on[MAX_W] = { 0 };

	for (i = 0; i < n; i++) {
		double pos, d;

		pos = nm->o + nm->q * (u ? u[i] :
				       lio_tune_law(rg->pk[i].x, nm->h));
		d = nearest_line(t, tm->comb, pos, tm->inv, &nm->line[i],
				 &nm->order[i]);
		l = (unsigned int)nm->line[i];
		on[l]++;
		/*
		 * A peak that tells little costs what an unexplained one
		 * does, whatever line it is put on - but for that line's
		 * darkness in B (dim_weight()): a naming cannot get cheap by
		 * putting peaks where they would be shaded.
		 */
		if (tm->is_fixed[i][l])
			c[i] = tm->fixed_c[i][l];
		else
			c[i] = tm->w[i][l] * lio_fmin(d * d / (sigma * sigma),
						      COST_CAP) +
			       tm->add[i][l] + tm->untold[i][l];
		/*
		 * It costs at least this below, whatever the others: the
		 * rounded sums of these are no more than the cost's.
		 */
		least += lio_fmin(c[i], tm->most[i][l]);
		if (least >= limit) {
			nm->cost = INFINITY;
			return;
		}
	}
	nm->cost = 0;
	/*
	 * a line its lone sweep did not show is not well inside its reach,
	 * unless a ring upstream took it there
	 */
	for (l = 0; l < t->g.wavelengths; l++)
		if ((rg->absent >> l & 1) && shows(t, nm, l, &at) &&
		    !taken_upstream(t, rg, nm, l, at))
			nm->cost += ANCHOR_COST;
	/*
	 * A line explains one peak, its best one; another peak put on it is
	 * unexplained, and two full peaks on one line cannot be. Its best is
	 * the one it saves most, not the cheapest: a peak that tells nothing
	 * costs as little on any line, and would leave a full one unexplained.
	 */
	for (i = 0; i < n; i++)
		saves[i] = tm->most[i][nm->line[i]] - c[i];
	for (i = 0; i < n; i++) {
		/* a peak alone on its line, in any order, has no rival */
		if (on[nm->line[i]] > 1 && outranked(nm, saves, NULL, n, i)) {
			c[i] = tm->most[i][nm->line[i]];
			/*
			 * A ring meets a line once per order, so one full
			 * peak there at most: each but the full one that
			 * saves most pays, whichever peak the line explains.
			 */
			if (tm->trusted[i] &&
			    outranked(nm, saves, tm->trusted, n, i))
				c[i] += ANCHOR_COST;
		}
		nm->cost += c[i];
	}
}

/* A naming's peaks as its fits see them: weights and line positions. */
struct named_peaks {
	double w[OIO_TUNE_MAX_PEAKS];
	double pos[OIO_TUNE_MAX_PEAKS];
};

static void named_peaks(const struct oio_tune *t,
			const struct oio_tune_ring *rg,
			const struct ring_terms *tm,
			const struct naming *nm, struct named_peaks *np)
{
	unsigned int i;

	for (i = 0; i < rg->n; i++) {
		np->w[i] = tm->w[i][nm->line[i]];
		np->pos[i] = t->line_pm[nm->line[i]] +
			     nm->order[i] * t->fsr_pm;
	}
}

/*
 * Least squares *o, *q for a given law over the named peaks, from the
 * last fit (o, q) on; rss back, or INFINITY once it reaches limit.
 */
static double fit_oq(const struct oio_tune_ring *rg,
		     const struct named_peaks *np, double o, double q,
		     const double *u, double sigma, double limit, double *fo,
		     double *fq)
{
	double sw = 0, su = 0, sp = 0, suu = 0, sup = 0, rss = 0, den;
	unsigned int i;

	for (i = 0; i < rg->n; i++) {
		double w = np->w[i], pos = np->pos[i], d;

		d = o + q * u[i] - pos;
		/* a peak far off the last fit does not pull this one */
		if (fabs(d) > 3 * sigma)
			continue;
		sw += w;
		su += w * u[i];
		sp += w * pos;
		suu += w * u[i] * u[i];
		sup += w * u[i] * pos;
	}
	den = sw * suu - su * su;
	if (sw < 2 || den <= 0)
		return INFINITY;
	*fq = (sw * sup - su * sp) / den;
	*fo = (sp - *fq * su) / sw;
	for (i = 0; i < rg->n; i++) {
		double d = *fo + *fq * u[i] - np->pos[i];

		rss += np->w[i] * lio_fmin(d * d, 9 * sigma * sigma);
		if (rss >= limit)
			return INFINITY;
	}
	return rss;
}

/* The best fit so far of a naming's o, q and law, as refine() seeks it. */
struct law_search {
	const struct oio_tune_ring *rg;
	struct ring_terms *tm;
	const struct named_peaks *np;
	double o, q;		/* the fit it starts from */
	double sigma, qlo, qhi;
	double rss, bo, bq, bh;
	unsigned int at;	/* the law of the best */
};

/* Fit law k; true if it is the best so far (and kept). */
static bool try_law(struct law_search *ls, unsigned int k)
{
	double rss, o = ls->o, q = ls->q;

	/* a law no better than the best so far is not kept */
	rss = fit_oq(ls->rg, ls->np, ls->o, ls->q, law_u(ls->rg, ls->tm, k),
		     ls->sigma, ls->rss, &o, &q);
	if (q < ls->qlo || q > ls->qhi || !(rss < ls->rss))
		return false;
	ls->rss = rss;
	ls->bo = o;
	ls->bq = q;
	ls->bh = ls->tm->law[k];
	ls->at = k;
	return true;
}

/* The index of refine()'s law nearest h. */
static unsigned int law_index(double h)
{
	return (unsigned int)lio_fmin(lio_fmax(round((h + LAW_MAX) /
						     (LAW_MAX / 10)), 0),
				      LAWS_TRIED - 1);
}

/*
 * Refit o, q and the law to a naming, renaming in between. The law is
 * sought downhill from the naming's own, a tenth of LAW_MAX a step, for
 * about four fits a pass rather than 21: a fit's misfit across the laws
 * has one valley but where the peaks within the outlier cut change, and
 * a step whose heater leaves the range or keeps under two peaks ends the
 * walk too. Downhill took a worse law than trying every one in a pass of
 * 340 on the default card and one of 80 at optical-worst (most in the
 * last pass), which left the envelope's figures as they were. If the
 * naming's own law gives no fit (under two peaks near it, or a heater out
 * of range), every law is tried.
 */
static void refine(const struct oio_tune *t, const struct oio_tune_ring *rg,
		   struct ring_terms *tm, struct naming *nm, double sigma)
{
	/* from a rough start, a peak far off is not yet an outlier */
	static const double widen[] = { 4, 2, 1 };
	int pass;

	for (pass = 0; pass < 3; pass++) {
		struct named_peaks np;
		struct law_search ls = {
			.rg = rg, .tm = tm, .np = &np, .o = nm->o, .q = nm->q,
			.sigma = lio_fmax(sigma, 100) * widen[pass],
			.qlo = 0.6 * t->g.range_pm, .qhi = 1.6 * t->g.range_pm,
			.rss = INFINITY,
		};
		unsigned int k, k0;

		named_peaks(t, rg, tm, nm, &np);
		k0 = law_index(nm->h);
		if (!try_law(&ls, k0)) {
			for (k = 0; k < LAWS_TRIED; k++)
				if (k != k0)
					try_law(&ls, k);
		} else {
			for (k = k0 + 1; k < LAWS_TRIED && try_law(&ls, k); k++)
				;
			/* uphill that way: the other */
			if (ls.at == k0)
				for (k = k0; k > 0 && try_law(&ls, k - 1); k--)
					;
		}
		if (!isfinite(ls.rss))
			return;
		nm->o = ls.bo;
		nm->q = ls.bq;
		nm->h = ls.bh;
		judge(t, rg, tm, NULL, nm, sigma, INFINITY);
	}
}

/* How far a cold position is outside where the card's rings sit, pm. */
static double beyond_spread(const struct oio_tune *t, unsigned int w, double o)
{
	double nominal = t->g.first_pm + w * t->g.spacing_pm + t->prior_pm;

	if (t->spread_pm <= 0)
		return 0;
	return lio_fmax(fabs(remainder(o - nominal, t->fsr_pm)) - t->spread_pm, 0);
}

/*
 * The rings' fabrication offsets from the named ones: their circular
 * mean over the FSR, then the second largest deviation from it, so that
 * one odd ring does not widen it.
 */
void lio_tune_card_spread(struct oio_tune *t)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, W = t->g.wavelengths;
	double dev[OIO_MAX_RINGS], q[OIO_MAX_RINGS], h[OIO_MAX_RINGS];
	double sx = 0, sy = 0, mean, big = 0, next = 0;
	unsigned int r, n = 0, i;

	t->spread_pm = 0;
	t->q_lo = t->h_lo = -INFINITY;
	t->q_hi = t->h_hi = INFINITY;
	for (r = 0; r < R; r++) {
		const struct oio_tune_ring *rg = &t->ring[r];
		double a;

		if (!rg->named)
			continue;
		q[n] = rg->q;
		h[n] = rg->h;
		dev[n] = rg->o - t->g.first_pm - (r / 2 % W) * t->g.spacing_pm;
		a = 2 * M_PI * dev[n++] / t->fsr_pm;
		sx += cos(a);
		sy += sin(a);
	}
	t->q_pm = n ? lio_median(q, n) : 0;
	t->h_med = n ? lio_median(h, n) : 0;
	if (n < PRIOR_RINGS)
		return;
	/* the second smallest and largest: one odd ring does not widen them */
	t->q_lo = lio_select(q, n, 1) * (1 - Q_SLACK);
	t->q_hi = lio_select(q, n, n - 2) * (1 + Q_SLACK);
	t->h_lo = lio_select(h, n, 1) - H_SLACK;
	t->h_hi = lio_select(h, n, n - 2) + H_SLACK;
	mean = atan2(sy, sx) * t->fsr_pm / (2 * M_PI);
	for (i = 0; i < n; i++) {
		double d = fabs(remainder(dev[i] - mean, t->fsr_pm));

		if (d > big) {
			next = big;
			big = d;
		} else if (d > next) {
			next = d;
		}
	}
	t->prior_pm = mean;
	t->spread_pm = next + PRIOR_SLACK;
}

/* A naming's response and its peaks' lines, the ring's own. */
static void take_naming(struct oio_tune_ring *rg, const struct naming *nm)
{
	unsigned int i;

	rg->o = nm->o;
	rg->q = nm->q;
	rg->h = nm->h;
	for (i = 0; i < rg->n; i++) {
		rg->pk[i].line = nm->line[i];
		rg->pk[i].order = nm->order[i];
	}
}

/* Do two namings say the same of the full peaks (an order apart or not)? */
static bool same_naming(const struct oio_tune_ring *rg, const struct naming *a,
			const struct naming *b)
{
	int shift = 0;
	bool first = true;
	unsigned int i;

	for (i = 0; i < rg->n; i++) {
		if (!lio_tune_trusted(rg, &rg->pk[i]))
			continue;
		if (a->line[i] != b->line[i])
			return false;
		if (first)
			shift = a->order[i] - b->order[i];
		else if (a->order[i] - b->order[i] != shift)
			return false;
		first = false;
	}
	return true;
}

/*
 * A ring with one full peak, which a lone line's sweep named - or one
 * whose search put such a peak on another line (lio_tune_rename()): the
 * card's usual full scale through it, at the order that puts the ring
 * where the card's rings sit.
 */
bool lio_tune_anchor_alone(const struct oio_tune *t, struct oio_tune_ring *rg,
			   unsigned int w)
{
	const struct oio_tune_peak *a = NULL;
	double base, nominal;
	unsigned int i;

	for (i = 0; i < rg->n && !a; i++)
		if (rg->pk[i].anchor >= 0 && !rg->pk[i].edge)
			a = &rg->pk[i];
	if (!a || t->q_pm <= 0)
		return false;
	rg->q = t->q_pm;
	rg->h = 0;
	base = t->line_pm[a->anchor] - rg->q * lio_tune_law(a->x, 0);
	nominal = t->g.first_pm + w * t->g.spacing_pm + t->prior_pm;
	rg->o = base + t->fsr_pm * round((nominal - base) / t->fsr_pm);
	for (i = 0; i < rg->n; i++) {
		struct oio_tune_peak *p = &rg->pk[i];

		nearest_line(t, NULL, rg->o + rg->q * lio_tune_law(p->x, 0),
			     1 / t->fsr_pm, &p->line, &p->order);
	}
	rg->named = true;
	return true;
}

/*
 * Is full scale q unlike every other of the card's heaters, more than
 * UNLIKE_Q of their median beyond their range? One card's heaters differ
 * by some ten percent. A naming that far off was made of peaks that do
 * not say where the ring is - split, each of them, by a ring upstream
 * taking the line as the ring met it - and the cheapest of bad namings
 * can lead the rest as a good one does. (The range leaves out the one
 * ring most unlike the others each way, so two such rings on a card,
 * both short or both long, hide each other.)
 */
bool lio_tune_heater_unlike(const struct oio_tune *t, double q)
{
	return lio_fmax(t->q_lo - q, q - t->q_hi) > UNLIKE_Q * t->q_pm;
}

/* Does a naming keep every full peak a lone line showed on that line? */
static bool keeps_anchors(const struct oio_tune_ring *rg,
			  const struct naming *nm)
{
	unsigned int i;

	for (i = 0; i < rg->n; i++)
		if (lio_tune_off_its_anchor(&rg->pk[i], nm->line[i]))
			return false;
	return true;
}

/*
 * Namings within AMBIGUOUS of the best (cand[best]) that the ring's peaks
 * cannot tell apart - its own FSR trades against its law - are told by
 * the card's other rings: the one nearest their median heater and law,
 * Q_SLACK of heater and H_SLACK of law counting alike. Only one that
 * keeps the lone lines' peaks on their lines and has a heater like the
 * card's (lio_tune_heater_unlike()) may be taken; nc if none.
 */
static unsigned int most_like_card(const struct oio_tune *t,
				   const struct oio_tune_ring *rg,
				   const struct naming *cand, unsigned int nc,
				   unsigned int best)
{
	unsigned int c, like = nc;
	double least = INFINITY;

	for (c = 0; c < nc; c++) {
		double eq = (cand[c].q / t->q_pm - 1) / Q_SLACK;
		double eh = (cand[c].h - t->h_med) / H_SLACK;

		if (cand[c].cost < cand[best].cost + AMBIGUOUS &&
		    keeps_anchors(rg, &cand[c]) &&
		    !lio_tune_heater_unlike(t, cand[c].q) &&
		    eq * eq + eh * eh < least) {
			least = eq * eq + eh * eh;
			like = c;
		}
	}
	return like;
}

#define CANDIDATES	4	/* distinct namings refined */
#define NEAR_PLACES	3	/* lines apart a pair of full peaks may be */

/*
 * Name a ring's peaks: try responses through its first three pairs of
 * neighbouring full peaks on every pair of lines one to three places
 * apart (wide: and a place more for each peak between them that is not
 * full, up to W - 1), refine the cheapest few distinct namings, keep the
 * cheapest, and give up if a distinct one is nearly as cheap - unless
 * settle, when most_like_card() may take one of them.
 */
static bool name_ring_span(const struct oio_tune *t, struct oio_tune_ring *rg,
			   unsigned int w, double sigma,
			   const struct oio_comb *cb, bool wide, bool settle)
{
	struct naming cand[CANDIDATES];
	struct ring_terms tm;
	/* a heater's own range: some ten percent off the nominal */
	double qlo = 0.6 * t->g.range_pm, qhi = 1.6 * t->g.range_pm;
	unsigned int W = t->g.wavelengths, i, tall = 0, a, b, l, dk, k, c;
	unsigned int pairs = 0, nc = 0, best, span;

	rg->named = false;
	rg->guessed = false;
	rg->lead = 0;
	for (i = 0; i < rg->n; i++)
		tall += lio_tune_trusted(rg, &rg->pk[i]);
	if (tall < 2)
		return lio_tune_anchor_alone(t, rg, w);
	ring_terms(t, rg, cb, &tm);
	for (a = 0; a + 1 < rg->n && pairs < 3; a++) {
		const struct oio_tune_peak *p0 = &rg->pk[a], *p1 = NULL;

		/* the next full peak: a weak one between ends no pair */
		for (b = a + 1; b < rg->n && !p1; b++)
			if (lio_tune_trusted(rg, &rg->pk[b]))
				p1 = &rg->pk[b];
		if (!lio_tune_trusted(rg, p0) || !p1)
			continue;
		pairs++;
		span = NEAR_PLACES;
		/*
		 * though it may be a line of its own: a place more each, up
		 * to W - 1 (W apart is the same line an order up)
		 */
		if (wide) {
			span += (unsigned int)(p1 - p0) - 1;
			if (span >= W)
				span = W - 1 > NEAR_PLACES ? W - 1 : NEAR_PLACES;
		}
		for (l = 0; l < W; l++)
			for (dk = 1; dk <= span; dk++)
				for (k = 0; k < 3; k++) {
					unsigned int l1 = (l + dk) % W;
					double m1 = (double)((l + dk) / W);
					double c0 = t->line_pm[l];
					double c1 = t->line_pm[l1] + m1 * t->fsr_pm;
					double g0 = tm.u3[k][p0 - rg->pk];
					double g1 = tm.u3[k][p1 - rg->pk];
					struct naming nm;
					unsigned int worst = 0;

					if (g1 - g0 <= 1e-9 || c1 <= c0)
						continue;
					nm.h = name_laws[k];
					nm.q = (c1 - c0) / (g1 - g0);
					nm.o = c0 - nm.q * g0;
					if (nm.q < qlo || nm.q > qhi)
						continue;
					for (c = 1; c < nc; c++)
						if (cand[c].cost > cand[worst].cost)
							worst = c;
					/*
					 * Kept only if cheaper than a kept one:
					 * than the dearest, once there are enough.
					 */
					judge(t, rg, &tm, tm.u3[k], &nm, sigma,
					      nc < CANDIDATES ? INFINITY :
							       cand[worst].cost);
					if (nm.cost == INFINITY)
						continue;
					/* keep the cheapest few, one of each naming */
					for (c = 0; c < nc; c++)
						if (same_naming(rg, &cand[c], &nm))
							break;
					if (c < nc) {
						if (nm.cost < cand[c].cost)
							cand[c] = nm;
						continue;
					}
					if (nc < CANDIDATES) {
						cand[nc++] = nm;
						continue;
					}
					if (nm.cost < cand[worst].cost)
						cand[worst] = nm;
				}
	}
	if (!nc)
		return false;
	for (c = 0; c < nc; c++) {
		double e;

		refine(t, rg, &tm, &cand[c], sigma);
		/*
		 * A ring is not where none of the card's others is, nor has
		 * a heater or a law unlike all of theirs.
		 */
		e = beyond_spread(t, w, cand[c].o) / PRIOR_SLACK;
		cand[c].cost += lio_fmin(e * e, 2 * COST_CAP);
		if (t->off_nominal) {
			e = lio_fmax(fabs(cand[c].q / t->g.range_pm - 1) -
				     NOMINAL_OFF, 0) / NOMINAL_SLACK;
			cand[c].cost += lio_fmin(e * e, 2 * COST_CAP);
		}
		if (t->spread_pm > 0) {
			e = lio_fmax(lio_fmax(t->q_lo - cand[c].q,
				      cand[c].q - t->q_hi), 0) /
			    (Q_SLACK * t->q_pm);
			cand[c].cost += lio_fmin(e * e, 2 * COST_CAP);
			e = lio_fmax(lio_fmax(t->h_lo - cand[c].h,
				      cand[c].h - t->h_hi), 0) / H_SLACK;
			cand[c].cost += lio_fmin(e * e, 2 * COST_CAP);
		}
	}
	best = 0;
	for (c = 1; c < nc; c++)
		if (cand[c].cost < cand[best].cost)
			best = c;
	/* a distinct naming nearly as cheap: the ring says nothing sure */
	settle = settle && t->spread_pm > 0;
	for (c = 0; c < nc; c++)
		if (c != best && !same_naming(rg, &cand[c], &cand[best]) &&
		    cand[c].cost < cand[best].cost + AMBIGUOUS) {
			unsigned int like = settle ?
				most_like_card(t, rg, cand, nc, best) : nc;

			if (like < nc) {
				take_naming(rg, &cand[like]);
				rg->named = true;
				return true;
			}
			for (i = 0; i < rg->n; i++)
				rg->pk[i].line = cand[best].line[i];
			rg->guessed = true;
			rg->guess_o = cand[best].o;
			return false;
		}
	rg->lead = INFINITY;
	for (c = 0; c < nc; c++)
		if (c != best && !same_naming(rg, &cand[c], &cand[best]))
			rg->lead = lio_fmin(rg->lead,
					    cand[c].cost - cand[best].cost);
	take_naming(rg, &cand[best]);
	rg->named = true;
	return true;
}

/* Has the ring a peak that is not full between two full ones? */
static bool weak_between(const struct oio_tune_ring *rg)
{
	bool full = false, weak = false;
	unsigned int i;

	for (i = 0; i < rg->n; i++) {
		if (!lio_tune_trusted(rg, &rg->pk[i])) {
			weak |= full;
			continue;
		}
		if (weak)
			return true;
		full = true;
	}
	return false;
}

/*
 * A named ring's naming, refitted at sigma with the lines as they are now
 * (cb) and its peaks renamed to the lines the fit puts them nearest. No
 * search, so no rival: it stays named - unless the refit names its full
 * peaks otherwise, or gives it a heater smaller than the card's with weak
 * peaks between its full ones (lio_tune_name_ring() would search that again):
 * then false, the ring as it was, to be named afresh.
 */
bool lio_tune_rename_kept(const struct oio_tune *t, struct oio_tune_ring *rg,
			  double sigma, const struct oio_comb *cb)
{
	struct ring_terms tm;
	struct naming nm, was;
	unsigned int i;

	ring_terms(t, rg, cb, &tm);
	for (i = 0; i < rg->n; i++) {
		was.line[i] = rg->pk[i].line;
		was.order[i] = rg->pk[i].order;
	}
	nm.o = rg->o;
	nm.q = rg->q;
	nm.h = rg->h;
	judge(t, rg, &tm, NULL, &nm, sigma, INFINITY);
	refine(t, rg, &tm, &nm, sigma);
	if (!same_naming(rg, &nm, &was) ||
	    (t->spread_pm > 0 && nm.q < t->q_lo && weak_between(rg)))
		return false;
	take_naming(rg, &nm);
	return true;
}

/*
 * Name a ring's peaks. A naming whose heater is smaller than the card's
 * others' is searched again with its pairs of full peaks further apart:
 * a peak between them that is not full may be a line of its own (a dim
 * one, or one a ring upstream takes), and a naming that skips it puts
 * the pair on lines too close, at too small a full scale. That search
 * stands as it comes out: if it finds a distinct naming nearly as cheap,
 * the ring is unnamed, and swept alone later (an anchor) - or, settle,
 * named as the tie is settled there (name_ring_span()).
 */
bool lio_tune_name_ring(const struct oio_tune *t, struct oio_tune_ring *rg,
			unsigned int w, double sigma, const struct oio_comb *cb,
			bool settle)
{
	if (!name_ring_span(t, rg, w, sigma, cb, false, settle))
		return false;
	if (t->spread_pm <= 0 || rg->q >= t->q_lo || !weak_between(rg))
		return true;
	return name_ring_span(t, rg, w, sigma, cb, true, settle);
}

/*
 * The lines and the FSR, from every named ring: a line's position moves
 * by the median of what its peaks say; the FSR by how peaks one order up
 * sit against the ring's others. Then, if joint, the lines and the rings
 * together (linefit.c).
 */
void lio_tune_refine_card(struct oio_tune *t, double sigma, bool joint)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, W = t->g.wavelengths;
	double (*d)[OIO_MAX_RINGS * 2] = t->scratch;
	double f[OIO_MAX_RINGS], shift[MAX_W];
	unsigned int n[MAX_W] = { 0 }, nf = 0, r, i, l;

	for (r = 0; r < R; r++) {
		const struct oio_tune_ring *rg = &t->ring[r];
		double s0 = 0, s1 = 0;
		unsigned int n0 = 0, n1 = 0;
		int mlo = 1 << 20;

		if (!rg->named)
			continue;
		for (i = 0; i < rg->n; i++)
			if (!rg->pk[i].edge)
				mlo = rg->pk[i].order < mlo ? rg->pk[i].order :
							       mlo;
		for (i = 0; i < rg->n; i++) {
			const struct oio_tune_peak *p = &rg->pk[i];
			double e = lio_tune_resid(t, rg, p);

			if (!lio_tune_trusted(rg, p) || fabs(e) > 3 * sigma)
				continue;
			l = (unsigned int)p->line;
			if (n[l] < OIO_MAX_RINGS * 2)
				d[l][n[l]++] = -e;
			if (p->order == mlo) {
				s0 += e;
				n0++;
			} else if (p->order == mlo + 1) {
				s1 += e;
				n1++;
			}
		}
		if (n0 && n1)
			f[nf++] = s0 / n0 - s1 / n1;
	}
	for (l = 0; l < W; l++)
		shift[l] = n[l] ? lio_median(d[l], n[l]) : 0;
	for (l = 0; l < W; l++)
		t->line_pm[l] -= shift[l];
	if (nf >= 3)
		t->fsr_pm -= lio_median(f, nf) / 2;
	if (joint)
		lio_tune_fit_lines(t, sigma);
}
