// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: resonance peaks in a ring's sweep trace - the one peak finder,
 * for bring-up and for anyone looking at a trace (oioctl sweep).
 *
 * A ring's monitor peaks where it meets a laser line, as a Lorentzian of
 * its detuning, on a floor of dark current, other lines' tails and noise.
 * Peaks are found by topographic prominence against the trace's own noise,
 * and each is fitted: 1/y of a Lorentzian is a parabola in the detuning, so
 * a weighted least-squares parabola through the samples above half height
 * gives the centre, the height and the width between samples.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "liboio.h"
#include "objects-sized.h"
#include "minmax.h"
#include "oio-api.h"
#include "peaks.h"
#include "select.h"

#define PROMINENCE_SIGMAS	6.0	/* a peak stands this far out of noise */
#define PROMINENCE_SHARE	0.02	/* and this far out of the trace's top */
#define FIT_LEVEL		0.35	/* samples above this share of the peak */
#define FIT_MAX_SIDE		12	/* samples each side, at most */

/*
 * The fourth difference of a trace kills everything smooth up to a cubic,
 * so what is left is noise - rms s*sqrt(70) for white noise of rms s -
 * plus the peaks' flanks, which a sweep crossing many lines is full of.
 * Between the lines the trace is low and nearly straight: the median of
 * the fourth differences at the lowest third of the samples is the
 * noise's, 0.6745 of its rms.
 */
OIO_API double oio_trace_noise(const uint32_t *trace, unsigned int points)
{
	double *d, *lv, q, cut;
	unsigned int i, n = 0, m = points - 4;

	if (points < 8)
		return 0;
	d = malloc(2 * m * sizeof(*d));
	if (!d)
		return 0;
	lv = d + m;
	for (i = 0; i < m; i++)
		lv[i] = trace[i + 2];
	cut = lio_select(lv, m, m / 3);
	for (i = 2; i + 2 < points; i++)
		if (trace[i] <= cut)
			d[n++] = fabs((double)trace[i - 2] -
				      4.0 * trace[i - 1] + 6.0 * trace[i] -
				      4.0 * trace[i + 1] + trace[i + 2]);
	q = lio_select(d, n, n / 2);
	free(d);
	return q / (0.6745 * sqrt(70));
}

/* The lowest sample between i and the first sample higher than y. */
static double valley(const double *y, unsigned int points, unsigned int i,
		     int dir, bool *edge)
{
	double low = y[i];
	long j = (long)i + dir;

	*edge = false;
	/* a trace has no NaN: a plain comparison, as lio_fmin() would */
	for (; j >= 0 && j < (long)points; j += dir) {
		if (y[j] > y[i])
			return low;
		if (y[j] < low)
			low = y[j];
	}
	*edge = true;
	return low;
}

/* Does a maximum stand out of the noise and of the trace's top? */
static bool prominent(double prom, double sigma, double top)
{
	return !(prom < PROMINENCE_SIGMAS * sigma ||
		 prom < PROMINENCE_SHARE * top);
}

/*
 * Fit a Lorentzian over the samples around top that stand above floor by
 * more than FIT_LEVEL of the peak: 1/(y - floor) = A t^2 + B t + C.
 */
static bool fit(const uint32_t *trace, unsigned int points, unsigned int top,
		double floor_na, struct oio_trace_peak *pk)
{
	double h = trace[top] - floor_na, s[5] = { 0 }, r[3] = { 0 };
	double det, A, B, C, t0, cmin;
	unsigned int lo = top, hi = top, n = 0, i;

	while (lo > 0 && top - lo < FIT_MAX_SIDE &&
	       trace[lo - 1] - floor_na > FIT_LEVEL * h &&
	       trace[lo - 1] <= trace[lo])
		lo--;
	while (hi + 1 < points && hi - top < FIT_MAX_SIDE &&
	       trace[hi + 1] - floor_na > FIT_LEVEL * h &&
	       trace[hi + 1] <= trace[hi])
		hi++;
	for (i = lo; i <= hi; i++) {
		double y = trace[i] - floor_na, t = (double)i - top, w, v;

		if (y <= 0)
			continue;
		/* the error of 1/y grows as 1/y^2: weigh by y^2 */
		w = y * y;
		v = 1 / y;
		s[0] += w;
		s[1] += w * t;
		s[2] += w * t * t;
		s[3] += w * t * t * t;
		s[4] += w * t * t * t * t;
		r[0] += w * v;
		r[1] += w * v * t;
		r[2] += w * v * t * t;
		n++;
	}
	if (n < 3)
		return false;
	/* normal equations of [C B A] */
	det = s[0] * (s[2] * s[4] - s[3] * s[3]) -
	      s[1] * (s[1] * s[4] - s[3] * s[2]) +
	      s[2] * (s[1] * s[3] - s[2] * s[2]);
	if (fabs(det) < 1e-300)
		return false;
	C = (r[0] * (s[2] * s[4] - s[3] * s[3]) -
	     s[1] * (r[1] * s[4] - s[3] * r[2]) +
	     s[2] * (r[1] * s[3] - s[2] * r[2])) / det;
	B = (s[0] * (r[1] * s[4] - s[3] * r[2]) -
	     r[0] * (s[1] * s[4] - s[3] * s[2]) +
	     s[2] * (s[1] * r[2] - r[1] * s[2])) / det;
	A = (s[0] * (s[2] * r[2] - r[1] * s[3]) -
	     s[1] * (s[1] * r[2] - r[1] * s[2]) +
	     r[0] * (s[1] * s[3] - s[2] * s[2])) / det;
	if (A <= 0)
		return false;
	t0 = -B / (2 * A);
	cmin = C - B * B / (4 * A);
	if (cmin <= 0 || fabs(t0) > FIT_MAX_SIDE)
		return false;
	pk->index = top + t0;
	pk->height_na = 1 / cmin;
	pk->width = 2 / sqrt(A / cmin);
	return true;
}

/* The peaks standing out of noise of rms sigma, at size apart. */
static int peaks(const uint32_t *trace, unsigned int points, double sigma,
		 struct oio_trace_peak *out, unsigned int max, size_t size)
{
	double top = 0, *y;
	unsigned int i, n = 0;

	/* a count the return can carry; no trace has that many peaks */
	if (max > INT_MAX)
		max = INT_MAX;
	if (points < 3 || !max)
		return 0;
	y = malloc(points * sizeof(*y));
	if (!y)
		return -ENOMEM;
	/*
	 * Find on a lightly smoothed copy, fit on the trace itself. The sums
	 * of three samples are exact in a double too: summed as integers.
	 */
	y[0] = (3ull * trace[0] + trace[1]) / 4.0;
	for (i = 1; i + 1 < points; i++)
		y[i] = ((uint64_t)trace[i - 1] + 2ull * trace[i] +
			trace[i + 1]) / 4.0;
	y[i] = ((uint64_t)trace[i - 1] + 3ull * trace[i]) / 4.0;
	for (i = 0; i < points; i++)
		top = lio_fmax(top, y[i]);
	for (i = 0; i < points && n < max; i++) {
		struct oio_trace_peak peak, *pk = &peak;
		double vl, vr, floor_na, prom;
		bool edge_l, edge_r;

		if ((i > 0 && y[i - 1] >= y[i]) ||
		    (i + 1 < points && y[i + 1] > y[i]))
			continue;
		/*
		 * Most maxima are noise on a flank: the side uphill, looked
		 * at first, ends soon and is enough to turn them down. Unless
		 * it runs off the trace, the prominence below is at most what
		 * it leaves - so long as a maximum between two valleys is
		 * judged by the higher of them.
		 */
		if (i + 1 < points && (!i || y[i + 1] > y[i - 1])) {
			vr = valley(y, points, i, 1, &edge_r);
			if (!edge_r && !prominent(y[i] - vr, sigma, top))
				continue;
			vl = valley(y, points, i, -1, &edge_l);
		} else {
			vl = valley(y, points, i, -1, &edge_l);
			if (!edge_l && !prominent(y[i] - vl, sigma, top))
				continue;
			vr = valley(y, points, i, 1, &edge_r);
		}
		/*
		 * A side that runs off the trace has no valley to speak of:
		 * a ring on a line at code 0 shows half a peak, judged by
		 * the side it has.
		 */
		if (edge_l && edge_r)
			prom = y[i] - lio_fmin(vl, vr);
		else if (edge_l)
			prom = y[i] - vr;
		else if (edge_r)
			prom = y[i] - vl;
		else
			prom = y[i] - lio_fmax(vl, vr);
		if (!prominent(prom, sigma, top))
			continue;
		/*
		 * The trace's tallest peak runs off both sides: its floor is
		 * the lower valley, as one cut short at an end, the last
		 * sample still on its flank, would otherwise take that flank.
		 */
		floor_na = edge_l == edge_r ? lio_fmin(vl, vr) : edge_l ? vr : vl;
		memset(pk, 0, sizeof(*pk));
		pk->sample = i;
		pk->value_na = trace[i];
		/* the raw maximum near the smoothed one */
		if (i > 0 && trace[i - 1] > trace[pk->sample])
			pk->sample = i - 1;
		if (i + 1 < points && trace[i + 1] > trace[pk->sample])
			pk->sample = i + 1;
		pk->value_na = trace[pk->sample];
		pk->floor_na = floor_na;
		pk->edge = pk->sample == 0 || pk->sample + 1 == points;
		if (!fit(trace, points, pk->sample, floor_na, pk)) {
			pk->index = pk->sample;
			pk->height_na = pk->value_na - floor_na;
			pk->width = 0;
		}
		lio_sized_out((char *)out + (size_t)n * size, size, pk,
			      sizeof(*pk));
		n++;
	}
	free(y);
	return (int)n;
}

/* Each peak found whole, handed over at the caller's size apart. */
OIO_API int oio_trace_peaks_ex(const uint32_t *trace, unsigned int points,
			       struct oio_trace_peak *out, unsigned int max,
			       size_t size)
{
	if (size < LIO_TRACE_PEAK_SIZE_1)
		return -EINVAL;
	if (points < 3 || !max)
		return 0;
	return peaks(trace, points, oio_trace_noise(trace, points), out, max,
		     size);
}

unsigned int lio_trace_peaks_noise(const uint32_t *trace, unsigned int points,
				   double sigma, struct oio_trace_peak *out,
				   unsigned int max)
{
	int n = peaks(trace, points, sigma, out, max, sizeof(*out));

	return n > 0 ? (unsigned int)n : 0;
}

/*
 * 0.1.0's. Bring-up calls it too, with arrays of this library's struct:
 * see objects-sized.c before appending to struct oio_trace_peak.
 */
OIO_API unsigned int oio_trace_peaks(const uint32_t *trace,
				     unsigned int points,
				     struct oio_trace_peak *out,
				     unsigned int max)
{
	int n = oio_trace_peaks_ex(trace, points, out, max,
				   LIO_TRACE_PEAK_SIZE_1);

	return n < 0 ? 0 : (unsigned int)n;
}
