// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: which laser lines sit either side of a position, every FSR over
 * (see tuning.h). Naming a card's peaks and fitting its crosstalk ask it
 * some millions of times a bring-up; scanning every line each time was
 * most of the analysis.
 */
#include <math.h>
#include <string.h>

#include "tuning.h"

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

		if (!(fabs(line_pm[i] * c->inv) <= 1e15)) {
			c->n = 0;
			return;
		}
		/* a line where an earlier one is: the scan took the earlier */
		for (j = 0; j < i && line_pm[j] != line_pm[i]; j++)
			;
		if (j < i)
			continue;
		at = fmin(fmax(lio_comb_fold(c, line_pm[i]), 0), fsr);
		/* insertion by position, then by line */
		for (j = c->n; j > 0 && c->at[j - 1] > at; j--) {
			c->at[j] = c->at[j - 1];
			c->line[j] = c->line[j - 1];
		}
		c->at[j] = at;
		c->line[j] = (unsigned char)i;
		c->n++;
	}
	/* each bin's start: the last line at or below it, -1 for none */
	for (b = 0, j = 0; b < OIO_COMB_BINS; b++) {
		double start = fsr * b / OIO_COMB_BINS;

		while (j < c->n && c->at[j] <= start)
			j++;
		c->below[b] = (signed char)j - 1;
	}
}
