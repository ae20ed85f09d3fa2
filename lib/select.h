/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the k-th smallest of some values, without sorting them - a
 * trace's noise floor and the rings' median heater scales are order
 * statistics of hundreds of values, asked for every sweep and every bus.
 */
#ifndef OIO_SELECT_H
#define OIO_SELECT_H

/*
 * The k-th smallest (from 0) of v[0..n-1], which it reorders so that
 * v[0..k-1] <= v[k] <= v[k+1..n-1]; v holds no NaN and k < n. Of values
 * that compare equal (+0 and -0) any may be the one returned. Linear time
 * expected; at worst, qsort()'s.
 */
double lio_select(double *v, unsigned int n, unsigned int k);

/*
 * The median of v[0..n-1], which it reorders as lio_select() does (v
 * holds no NaN); NAN for none. The mean of the middle two of an even
 * count.
 */
double lio_median(double *v, unsigned int n);

/* qsort()'s comparison of doubles, for what must be sorted whole. */
int lio_cmp_double(const void *a, const void *b);

#endif
