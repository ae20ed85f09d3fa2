// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the comb of laser lines (see comb.h).
 */
#include <string.h>

#include "comb.h"

/* Two lines closer than this on the fold, of an FSR: one place. */
#define SAME_PLACE	1e-7

void lio_comb_init(struct oio_comb *c, const double *line_pm,
		   const double *dl, unsigned int n, double fsr)
{
	unsigned int i, j, b;

	memset(c, 0, sizeof(*c));
	if (!(fsr > 0) || !isfinite(fsr) || !n || n > OIO_MAX_WAVELENGTHS)
		return;
	c->fsr = fsr;
	c->inv = 1 / fsr;
	for (i = 0; i < n; i++) {
		double d = dl ? dl[i] : 0, p = line_pm[i] + d, at;

		if (!(fabs(p * c->inv) <= OIO_COMB_FAR)) {
			c->n = 0;
			return;
		}
		c->mag = fmax(c->mag, fabs(line_pm[i]) + fabs(d));
		at = fmin(fmax(lio_comb_fold(c, p), 0), fsr);
		/* insertion by position */
		for (j = c->n; j > 0 && c->at[j - 1] > at; j--) {
			c->at[j] = c->at[j - 1];
			c->line[j] = c->line[j - 1];
		}
		c->at[j] = at;
		c->line[j] = (unsigned char)i;
		c->n++;
	}
	/* two at one place, round the end of the fold too */
	for (j = 0; j < c->n; j++) {
		double gap = j + 1 < c->n ? c->at[j + 1] - c->at[j] :
			     c->at[0] + fsr - c->at[j];

		c->index[c->line[j]] = (unsigned char)j;
		if (gap < SAME_PLACE * fsr) {
			c->n = 0;
			return;
		}
	}
	/* each bin's start: the last line at or below it, -1 for none */
	for (b = 0, j = 0; b < OIO_COMB_BINS; b++) {
		double start = fsr * b / OIO_COMB_BINS;

		while (j < c->n && c->at[j] <= start)
			j++;
		c->below[b] = (signed char)((int)j - 1);
	}
}

/*
 * The folds of p and of the lines round by ulps of their size: wherever
 * that could tip an answer (tol, far beyond it), lio_fold_within()
 * decides. The analysis' shading asks this some 90,000 times a bring-up,
 * and a fold for every line was most of its cost.
 */
uint32_t lio_comb_within(const struct oio_comb *c, const double *line_pm,
			 const double *dl, unsigned int n, double fsr,
			 double p, double reach)
{
	double inv = 1 / fsr, tol, r;
	unsigned int l, s, pair[2];
	uint32_t m = 0;
	int j, side;

	tol = c ? 1e-6 * (1 + fabs(p) + c->mag + fsr) : 0;
	if (!c || c->n != n || c->fsr != fsr || !(reach + tol < fsr / 4) ||
	    !lio_comb_pair(c, p, pair)) {
		for (l = 0; l < n; l++)
			if (lio_fold_within(p - line_pm[l] - (dl ? dl[l] : 0),
					    fsr, inv, reach))
				m |= 1u << l;
		return m;
	}
	r = lio_comb_fold(c, p);
	/* down the fold from p, then up: d, each line's distance */
	for (side = -1; side <= 1; side += 2) {
		j = c->index[pair[side > 0]];
		for (s = 0; s < n; s++, j = (j + side + (int)n) % (int)n) {
			double d = side > 0 ? c->at[j] - r : r - c->at[j];

			if (d < 0)	/* round the end of the fold */
				d += fsr;
			if (d > reach + tol)
				break;
			l = c->line[j];
			if (fabs(d - reach) > tol ? d < reach :
			    lio_fold_within(p - line_pm[l] - (dl ? dl[l] : 0),
					    fsr, inv, reach))
				m |= 1u << l;
		}
	}
	return m;
}
