/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: fmin() and fmax() inline. glibc's are calls out of line, and
 * judging a card's namings and fits makes over a million a bring-up.
 * A NaN loses to a number, as in C, and comparing raises no exception.
 * Which of +0 and -0, or of two NaNs, comes back C leaves open (and GCC
 * may swap fmin()'s arguments): no caller here may depend on it.
 */
#ifndef OIO_MINMAX_H
#define OIO_MINMAX_H

#include <math.h>

static inline double lio_fmin(double a, double b)
{
	return isless(a, b) || isnan(b) ? a : b;
}

static inline double lio_fmax(double a, double b)
{
	return isgreater(a, b) || isnan(b) ? a : b;
}

#endif
