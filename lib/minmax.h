/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: fmin() and fmax() inline. glibc's are calls out of line, and
 * judging a card's namings and fits makes over a million a bring-up.
 * Their answers are C's: a NaN loses to a number, and of two that compare
 * equal (+0 and -0) the second is returned, as glibc's do on x86-64.
 */
#ifndef OIO_MINMAX_H
#define OIO_MINMAX_H

#include <math.h>

static inline double lio_fmin(double a, double b)
{
	return a < b || isnan(b) ? a : b;
}

static inline double lio_fmax(double a, double b)
{
	return a > b || isnan(b) ? a : b;
}

#endif
