// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: Hoare's selection (see select.h). The pivot is the median of
 * three, so sorted and flat input cost no more than random; input made to
 * defeat that pivot is sorted instead, once the rounds run past twice the
 * depth a fair split would need.
 */
#include <math.h>
#include <stdlib.h>

#include "select.h"

static void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

int lio_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double lio_select(double *v, unsigned int n, unsigned int k)
{
	long lo = 0, hi = (long)n - 1;
	unsigned int rounds = 0, depth = 0, m;

	for (m = n; m; m >>= 1)
		depth++;
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot;

		if (++rounds > 2 * depth + 8) {
			qsort(v + lo, (size_t)(hi - lo + 1), sizeof(*v),
			      lio_cmp_double);
			break;
		}
		/* v[lo] <= v[mid] <= v[hi]: the loops below stop at either end */
		if (v[mid] < v[lo])
			swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap(&v[hi], &v[mid]);
		pivot = v[mid];
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j)
				swap(&v[i++], &v[j--]);
		}
		/* v[lo..j] <= pivot <= v[i..hi], and v[j+1..i-1] == pivot */
		if ((long)k <= j)
			hi = j;
		else if ((long)k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

double lio_median(double *v, unsigned int n)
{
	double hi, lo;
	unsigned int i;

	if (!n)
		return NAN;
	hi = lio_select(v, n, n / 2);
	if (n % 2)
		return hi;
	/* the values below rank n / 2 are the n / 2 smallest: the largest */
	for (lo = v[0], i = 1; i < n / 2; i++)
		if (v[i] > lo)
			lo = v[i];
	return (lo + hi) / 2;
}
