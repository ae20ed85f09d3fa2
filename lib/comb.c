// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the comb of laser lines (see comb.h).
 */
#include <string.h>

#include "comb.h"

/* Two lines closer than this on the fold, of an FSR: one place. */
#define SAME_PLACE	1e-7

void lio_comb_init(struct oio_comb *c, const double *line_pm, unsigned int n,
		   double fsr)
{
	unsigned int i, j, b;

	memset(c, 0, sizeof(*c));
	if (!(fsr > 0) || !isfinite(fsr) || !n || n > OIO_MAX_WAVELENGTHS)
		return;
	c->fsr = fsr;
	c->inv = 1 / fsr;
	for (i = 0; i < n; i++) {
		double at;

		if (!(fabs(line_pm[i] * c->inv) <= OIO_COMB_FAR)) {
			c->n = 0;
			return;
		}
		at = fmin(fmax(lio_comb_fold(c, line_pm[i]), 0), fsr);
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
