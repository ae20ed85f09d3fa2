// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the laser lines and the rings' responses fitted together (see
 * tuning.h).
 *
 * Each pass of the analysis fits every ring to the lines as they stand
 * and then moves each line by the median of what its peaks say. On a card
 * whose lines sit up to 250 pm off their grid, that leaves the lines bent
 * by a smooth bow of 100 to 200 pm: a bow the rings' heater laws almost
 * take up, since each ring sees the lines through a bent law of its own,
 * and which the passes then straighten by a few percent each. The lines
 * are off by that much wherever the rings cannot check them, and a ring's
 * reach at its heater's end with them: lanes the card could carry were
 * planned out of reach (README, step 4).
 *
 * Here one Gauss-Newton step moves the lines and every named ring's o, q
 * and h together, each ring's three eliminated (a Schur complement), so
 * that only a system of the lines is solved. What pins the bow is what a
 * ring's law is: the square law (h = 0) within the spread of a card's
 * heaters, a prior of LAW_SIGMA on each ring's h.
 */
#include <math.h>
#include <string.h>

#include "minmax.h"
#include "select.h"
#include "tuning.h"

#define MAX_W		OIO_MAX_WAVELENGTHS
#define NP		3	/* a ring's o, q, h */
/*
 * How far a heater's law strays from the square law: the envelope's
 * +-15 % spread evenly (datasheet 7.5), as one sigma.
 */
#define LAW_SIGMA	0.087
/* How well a named peak sits on its line once fitted, pm. */
#define PEAK_SIGMA	40.0
/*
 * A ring whose peaks fit the step this many times worse than the card's
 * median ring (a naming one line out, a law the peaks bend) is weighed
 * down by the square of it, the step solved again.
 */
#define RING_OUTLIER	3.0
#define RING_MISFIT_MIN	5.0	/* pm: none is an outlier below it */

/* Solve a x = b, n unknowns, a row-major, by elimination with pivots. */
static bool lin_solve(double *a, double *b, unsigned int n)
{
	unsigned int i, j, k;

	for (k = 0; k < n; k++) {
		unsigned int piv = k;
		double v;

		for (i = k + 1; i < n; i++)
			if (fabs(a[i * n + k]) > fabs(a[piv * n + k]))
				piv = i;
		if (!(fabs(a[piv * n + k]) > 1e-12))
			return false;
		for (j = 0; j < n && piv != k; j++) {
			v = a[k * n + j];
			a[k * n + j] = a[piv * n + j];
			a[piv * n + j] = v;
		}
		v = b[k];
		b[k] = b[piv];
		b[piv] = v;
		for (i = k + 1; i < n; i++) {
			double f = a[i * n + k] / a[k * n + k];

			for (j = k; j < n; j++)
				a[i * n + j] -= f * a[k * n + j];
			b[i] -= f * b[k];
		}
	}
	for (k = n; k-- > 0;) {
		for (j = k + 1; j < n; j++)
			b[k] -= a[k * n + j] * b[j];
		b[k] /= a[k * n + k];
	}
	return true;
}

/*
 * One ring's part of the normal equations: its own block A (and inverse
 * Ai), right side g, its coupling B to the lines' moves, and what it adds
 * to the lines' diagonal (c) and right side (e), each peak weighed wt.
 */
struct ring_normal {
	double A[NP * NP], Ai[NP * NP], g[NP], B[NP][MAX_W];
	double c[MAX_W], e[MAX_W];
	bool any;
};

/* d(position)/d(o, q, h) of ring rg at drive x. */
static void jacobian(const struct oio_tune_ring *rg, double x, double *J)
{
	double x2 = x * x, den = 1 + rg->h * x2;

	J[0] = 1;
	J[1] = lio_tune_law(x, rg->h);
	J[2] = rg->q * x2 * (1 - x2) / (den * den);
}

static bool counted(const struct oio_tune *t, const struct oio_tune_ring *rg,
		    const struct oio_tune_peak *p, double sigma)
{
	return lio_tune_trusted(rg, p) &&
	       fabs(lio_tune_resid(t, rg, p)) <= 3 * sigma;
}

static bool ring_normal(const struct oio_tune *t,
			const struct oio_tune_ring *rg, double sigma, double wt,
			struct ring_normal *rn)
{
	const double prior = (PEAK_SIGMA / LAW_SIGMA) * (PEAK_SIGMA / LAW_SIGMA);
	unsigned int i, j, k;

	memset(rn, 0, sizeof(*rn));
	for (i = 0; i < rg->n; i++) {
		const struct oio_tune_peak *p = &rg->pk[i];
		double J[NP], e;

		if (!counted(t, rg, p, sigma))
			continue;
		e = lio_tune_resid(t, rg, p);
		jacobian(rg, p->x, J);
		for (j = 0; j < NP; j++) {
			for (k = 0; k < NP; k++)
				rn->A[j * NP + k] += wt * J[j] * J[k];
			rn->g[j] -= wt * J[j] * e;
			rn->B[j][p->line] -= wt * J[j];
		}
		rn->c[p->line] += wt;
		rn->e[p->line] += wt * e;
		rn->any = true;
	}
	if (!rn->any)
		return false;
	/* the law: the square law's within LAW_SIGMA, where it is now */
	rn->A[2 * NP + 2] += prior;
	rn->g[2] -= prior * rg->h;
	/* a ring of one peak leaves o and q alike: any of them will do */
	rn->A[0] += 1e-6;
	rn->A[NP + 1] += 1e-6;
	for (j = 0; j < NP; j++) {
		double col[NP] = { 0 }, a[NP * NP];

		col[j] = 1;
		memcpy(a, rn->A, sizeof(a));
		if (!lin_solve(a, col, NP)) {
			rn->any = false;
			return false;
		}
		for (k = 0; k < NP; k++)
			rn->Ai[k * NP + j] = col[k];
	}
	return true;
}

/*
 * Ring rg's step d once the lines move by dl, and the rms misfit of its
 * peaks after both.
 */
static double ring_step(const struct oio_tune *t,
			const struct oio_tune_ring *rg, double sigma,
			const struct ring_normal *rn, const double *dl,
			double *d)
{
	double rhs[NP], ss = 0;
	unsigned int i, j, k, n = 0;

	for (j = 0; j < NP; j++) {
		rhs[j] = rn->g[j];
		for (k = 0; k < t->g.wavelengths; k++)
			rhs[j] -= rn->B[j][k] * dl[k];
	}
	for (j = 0; j < NP; j++)
		for (d[j] = 0, k = 0; k < NP; k++)
			d[j] += rn->Ai[j * NP + k] * rhs[k];
	for (i = 0; i < rg->n; i++) {
		const struct oio_tune_peak *p = &rg->pk[i];
		double J[NP], e;

		if (!counted(t, rg, p, sigma))
			continue;
		jacobian(rg, p->x, J);
		e = lio_tune_resid(t, rg, p) - dl[p->line];
		for (j = 0; j < NP; j++)
			e += J[j] * d[j];
		ss += e * e;
		n++;
	}
	return n ? sqrt(ss / n) : 0;
}

/*
 * The lines' moves dl, the first held (a move of them all is every
 * ring's o), with ring r's peaks weighed wr[r]. The rings come out of
 * the system: S = C - sum B' Ai B, s = e - sum B' Ai g.
 */
static bool solve_lines(const struct oio_tune *t, double sigma,
			const double *wr, double *dl)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, W = t->g.wavelengths;
	double S[MAX_W * MAX_W] = { 0 }, s[MAX_W] = { 0 }, Sr[MAX_W * MAX_W];
	unsigned int r, j, k, l, m;
	struct ring_normal rn;

	for (r = 0; r < R; r++) {
		double X[NP][MAX_W] = { { 0 } }, y[NP] = { 0 };

		if (!t->ring[r].named || !(wr[r] > 0) ||
		    !ring_normal(t, &t->ring[r], sigma, wr[r], &rn))
			continue;
		for (j = 0; j < NP; j++)
			for (k = 0; k < NP; k++) {
				y[j] += rn.Ai[j * NP + k] * rn.g[k];
				for (l = 0; l < W; l++)
					X[j][l] += rn.Ai[j * NP + k] *
						   rn.B[k][l];
			}
		for (l = 0; l < W; l++) {
			S[l * W + l] += rn.c[l];
			s[l] += rn.e[l];
			for (j = 0; j < NP; j++) {
				s[l] -= rn.B[j][l] * y[j];
				for (m = 0; m < W; m++)
					S[l * W + m] -= rn.B[j][l] * X[j][m];
			}
		}
	}
	dl[0] = 0;
	for (l = 1; l < W; l++) {
		for (m = 1; m < W; m++)
			Sr[(l - 1) * (W - 1) + m - 1] = S[l * W + m];
		/* a line no ring saw stays put */
		Sr[(l - 1) * (W - 1) + l - 1] += 1e-3;
		dl[l] = s[l];
	}
	return lin_solve(Sr, dl + 1, W - 1);
}

void lio_tune_fit_lines(struct oio_tune *t, double sigma)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, W = t->g.wavelengths;
	double wr[OIO_MAX_RINGS], misfit[OIO_MAX_RINGS], v[OIO_MAX_RINGS];
	double dl[MAX_W], none[MAX_W] = { 0 }, d[NP], c;
	struct ring_normal rn;
	unsigned int r, l, nv = 0;

	for (r = 0; r < R; r++)
		wr[r] = 1;
	if (W < 2 || !solve_lines(t, sigma, wr, dl))
		return;
	for (r = 0; r < R; r++) {
		misfit[r] = 0;
		if (t->ring[r].named &&
		    ring_normal(t, &t->ring[r], sigma, 1, &rn))
			v[nv++] = misfit[r] = ring_step(t, &t->ring[r], sigma,
							&rn, dl, d);
	}
	if (!nv)
		return;
	c = lio_fmax(RING_OUTLIER * lio_median(v, nv), RING_MISFIT_MIN);
	for (r = 0; r < R; r++)
		wr[r] = misfit[r] <= c ? 1 : (c / misfit[r]) * (c / misfit[r]);
	if (!solve_lines(t, sigma, wr, dl))
		return;
	for (l = 0; l < W; l++)
		t->line_pm[l] += dl[l];
	/* each ring's own step to the lines now where they are */
	for (r = 0; r < R; r++) {
		struct oio_tune_ring *rg = &t->ring[r];

		if (!rg->named || !ring_normal(t, rg, sigma, 1, &rn))
			continue;
		ring_step(t, rg, sigma, &rn, none, d);
		rg->o += d[0];
		rg->q += d[1];
		rg->h = lio_fmin(lio_fmax(rg->h + d[2], -LIO_TUNE_LAW_MAX),
				 LIO_TUNE_LAW_MAX);
	}
}
