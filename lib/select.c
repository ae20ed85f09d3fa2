// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: Hoare's selection (see select.h). Expected linear time; the
 * pivot is the median of three, so sorted and flat input cost no more.
 */
#include "select.h"

static void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

double lio_select(double *v, unsigned int n, unsigned int k)
{
	long lo = 0, hi = (long)n - 1;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot;

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
