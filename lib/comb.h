/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the laser lines folded into one FSR, sorted, with a coarse index
 * over it - the two lines either side of a position without asking every
 * line. Naming a card's peaks and fitting its crosstalk ask it some
 * millions of times a bring-up (naming.c, plan.c).
 *
 * A comb that could not keep the answer the same as asking every line
 * says so (n = 0): no lines, a line not finite, or two lines at one place
 * on the fold (an FSR apart, say), where a tie between them goes to the
 * lower line and neighbours on the fold cannot tell which that is.
 */
#ifndef OIO_COMB_H
#define OIO_COMB_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "liboio.h"

#define OIO_COMB_BINS	64
/* Positions this many FSRs out are rounded too coarsely to fold. */
#define OIO_COMB_FAR	1048576.0

_Static_assert(OIO_MAX_WAVELENGTHS <= 127, "lines index as signed chars");

struct oio_comb {
	double fsr, inv;
	unsigned int n;			/* 0: unusable, ask every line */
	double at[OIO_MAX_WAVELENGTHS];	/* in [0, fsr], ascending */
	unsigned char line[OIO_MAX_WAVELENGTHS];
	unsigned char index[OIO_MAX_WAVELENGTHS]; /* of each line in at[] */
	double mag;			/* the largest |line_pm| + |dl| */
	signed char below[OIO_COMB_BINS]; /* last at[] <= a bin's start */
};

/* The n lines at line_pm[], each moved by its dl[] (NULL: none moved). */
void lio_comb_init(struct oio_comb *c, const double *line_pm,
		   const double *dl, unsigned int n, double fsr);

/* p less the whole FSRs below it: in [0, fsr], give or take a rounding. */
static inline double lio_comb_fold(const struct oio_comb *c, double p)
{
	double k = p * c->inv, m = (double)(long long)k;

	return p - c->fsr * (m - (m > k));
}

/*
 * The lines just below and above position p, one FSR round; false if c
 * cannot tell (see above; p not finite or far out), when every line must
 * be asked. Inline: the analysis asks it some millions of times.
 */
static inline bool lio_comb_pair(const struct oio_comb *c, double p,
				 unsigned int pair[2])
{
	double r;
	int b, i;

	/* false for NaN and infinities too */
	if (!c || !c->n || !(fabs(p * c->inv) <= OIO_COMB_FAR))
		return false;
	r = lio_comb_fold(c, p);
	b = (int)(r * c->inv * OIO_COMB_BINS);
	b = b < 0 ? 0 : b >= OIO_COMB_BINS ? OIO_COMB_BINS - 1 : b;
	/* the bin's start rounded past r: back, then on */
	for (i = c->below[b]; i >= 0 && c->at[i] > r; i--)
		;
	for (; i + 1 < (int)c->n && c->at[i + 1] <= r; i++)
		;
	pair[0] = c->line[i < 0 ? (int)c->n - 1 : i];
	pair[1] = c->line[i + 1 < (int)c->n ? i + 1 : 0];
	return true;
}

/*
 * d less the whole FSRs nearest it (inv: 1 / fsr): remainder()'s result,
 * ties aside and within a few ulps of d, for a fraction of its cost - the
 * crosstalk fit asks it millions of times.
 */
static inline double lio_comb_wrap(double d, double fsr, double inv)
{
	double k = d * inv;

	return d - fsr * (double)(long long)(k + (k >= 0 ? 0.5 : -0.5));
}

/*
 * fabs(remainder(x, fsr)) < reach, to the bit (inv: 1 / fsr). remainder()
 * is a call of some 80 instructions, and the analysis asks this some
 * 100,000 times a bring-up: a plain fold decides it wherever it is clearly
 * on one side, for it rounds by a few ulps of x (the margin is 1e-6 of
 * it), and a tie of x between two orders folds to fsr / 2 either way.
 */
static inline bool lio_fold_within(double x, double fsr, double inv,
				   double reach)
{
	double r;

	if (!(fabs(x * inv) < 1e9))
		return fabs(remainder(x, fsr)) < reach;
	r = fabs(lio_comb_wrap(x, fsr, inv));
	if (fabs(r - reach) > 1e-6 * (1 + fabs(x)))
		return r < reach;
	return fabs(remainder(x, fsr)) < reach;
}

/*
 * The lines l (a bit each) within reach of position p on the fold, as
 * lio_fold_within(p - line_pm[l] - dl[l], fsr, 1 / fsr, reach) says for
 * each of the n, to the bit, where lio_comb_init() made c of the same
 * line_pm[] and dl[] (dl NULL: none moved). Only the lines next to p on
 * c are asked while reach is under a quarter of the FSR; otherwise, or
 * if c is not for n lines and fsr, every line is.
 */
uint32_t lio_comb_within(const struct oio_comb *c, const double *line_pm,
			 const double *dl, unsigned int n, double fsr,
			 double p, double reach);

#endif
