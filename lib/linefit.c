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
 * Here a Gauss-Newton step moves the lines and every named ring's o, q
 * and h together, each ring's three eliminated (a Schur complement), so
 * that only a system of the lines is solved; then it is solved again
 * with the rings that fit it worst weighed down, and taken - the lines'
 * moves and each ring's own best step for them - only if that lowers
 * what the step minimises, as the step reckons it, below what the
 * rings' own steps give with the lines unmoved. What pins the bow is
 * what a ring's law is: the square law (h = 0) within the spread of a
 * card's heaters, a prior of LAW_SIGMA on each ring's h. The first line
 * holds (a move of every line is every ring's o); a stretch of them all
 * is told only by peaks an order up, the FSR held, and without enough
 * of those the spread of the lines the peaks saw holds too.
 */
#include <math.h>
#include <string.h>

#include "minmax.h"
#include "select.h"
#include "tuning.h"

#define MAX_W		OIO_MAX_WAVELENGTHS
#define NP		3	/* a ring's o, q, h */
/*
 * How far a heater's law strays from the square law, one sigma: the
 * envelope's +-15 % (datasheet 7.5) spread evenly, 0.15 / sqrt(3).
 */
#define LAW_SIGMA	0.087
/* How well a named peak sits on its line once fitted, pm. */
#define PEAK_SIGMA	40.0
/* The law's prior as a peak's weight (1 a pm squared) counts it. */
#define LAW_PRIOR	((PEAK_SIGMA / LAW_SIGMA) * (PEAK_SIGMA / LAW_SIGMA))
/*
 * A ring whose peaks fit the step this many times worse than the card's
 * median ring (a naming one line out, a law the peaks bend) is weighed
 * down by the square of it, the step solved again.
 */
#define RING_OUTLIER	3.0
#define RING_MISFIT_MIN	5.0	/* pm: none is an outlier below it */
/* Rings with peaks of two orders that tell a stretch of the lines. */
#define SPANS_MIN	8
#define HOLD		1e6	/* a constraint's weight, peaks' being 1 */

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
		if (piv != k) {
			for (j = 0; j < n; j++) {
				v = a[k * n + j];
				a[k * n + j] = a[piv * n + j];
				a[piv * n + j] = v;
			}
			v = b[k];
			b[k] = b[piv];
			b[piv] = v;
		}
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
	unsigned int n;		/* peaks counted */
	bool orders;		/* of more than one order */
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

/* Does a peak of ring rg count: full, named, within 3 sigma of its line? */
static bool counted(const struct oio_tune *t, const struct oio_tune_ring *rg,
		    const struct oio_tune_peak *p, double sigma)
{
	return lio_tune_trusted(rg, p) && p->line >= 0 &&
	       p->line < (int)t->g.wavelengths &&
	       fabs(lio_tune_resid(t, rg, p)) <= 3 * sigma;
}

static bool ring_normal(const struct oio_tune *t,
			const struct oio_tune_ring *rg, double sigma, double wt,
			struct ring_normal *rn)
{
	unsigned int i, j, k;
	int order = 0;

	memset(rn, 0, sizeof(*rn));
	for (i = 0; i < rg->n; i++) {
		const struct oio_tune_peak *p = &rg->pk[i];
		double J[NP], e;

		if (!counted(t, rg, p, sigma))
			continue;
		rn->orders |= rn->n && p->order != order;
		order = p->order;
		rn->n++;
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
	/* the law: within LAW_SIGMA of the square law's, h = 0 */
	rn->A[2 * NP + 2] += LAW_PRIOR;
	rn->g[2] -= LAW_PRIOR * rg->h;
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
 * The sum of squares of ring rg's peaks' misfits, over the peaks it
 * counts (*n), once the lines move by dl and the ring by d.
 */
static double peaks_ss(const struct oio_tune *t,
		       const struct oio_tune_ring *rg, double sigma,
		       const double *dl, const double *d, unsigned int *n)
{
	unsigned int i, j;
	double ss = 0;

	*n = 0;
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
		(*n)++;
	}
	return ss;
}

/*
 * A ring's own best step d, its peaks weighed alike, once the lines move
 * by dl (rn: its terms).
 */
static void ring_solve(const struct oio_tune *t, const struct ring_normal *rn,
		       const double *dl, double *d)
{
	double rhs[NP];
	unsigned int j, k;

	for (j = 0; j < NP; j++) {
		rhs[j] = rn->g[j];
		for (k = 0; k < t->g.wavelengths; k++)
			rhs[j] -= rn->B[j][k] * dl[k];
	}
	for (j = 0; j < NP; j++)
		for (d[j] = 0, k = 0; k < NP; k++)
			d[j] += rn->Ai[j * NP + k] * rhs[k];
}

/* ring_solve(), and peaks_ss() after both moves. */
static double ring_step(const struct oio_tune *t,
			const struct oio_tune_ring *rg, double sigma,
			const struct ring_normal *rn, const double *dl,
			double *d, unsigned int *n)
{
	ring_solve(t, rn, dl, d);
	return peaks_ss(t, rg, sigma, dl, d, n);
}

/*
 * A heavy penalty on moves that stretch the lines some peaks saw (seen):
 * sum dl (L - mean L) over them. A line none saw would otherwise take up
 * the stretch, moved for next to nothing.
 */
static void hold_spread(const struct oio_tune *t, const bool *seen,
			double *S)
{
	unsigned int W = t->g.wavelengths, l, m, n = 0;
	double mean = 0, ss = 0, u[MAX_W];

	for (l = 0; l < W; l++)
		if (seen[l]) {
			mean += t->line_pm[l];
			n++;
		}
	if (!n)
		return;
	mean /= n;
	for (l = 0; l < W; l++) {
		u[l] = seen[l] ? t->line_pm[l] - mean : 0;
		ss += u[l] * u[l];
	}
	if (!(ss > 0))
		return;
	for (l = 0; l < W; l++)
		for (m = 0; m < W; m++)
			S[l * W + m] += HOLD * u[l] * u[m] / ss;
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
	unsigned int r, j, k, l, m, spans = 0;
	bool seen[MAX_W] = { false };
	struct ring_normal rn;

	for (r = 0; r < R; r++) {
		double X[NP][MAX_W] = { { 0 } }, y[NP] = { 0 };

		if (!t->ring[r].named || !(wr[r] > 0) ||
		    !ring_normal(t, &t->ring[r], sigma, wr[r], &rn))
			continue;
		spans += rn.orders;
		for (l = 0; l < W; l++)
			seen[l] |= rn.c[l] > 0;
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
	/*
	 * Stretching the lines about line 0, every ring's o and q with them,
	 * shrinks every residual of one order alike: only peaks an order up,
	 * the FSR held, tell a stretch. Too few rings with such peaks, and
	 * the lines' spread stays as the medians left it.
	 */
	if (spans < SPANS_MIN)
		hold_spread(t, seen, S);
	dl[0] = 0;
	for (l = 1; l < W; l++) {
		for (m = 1; m < W; m++)
			Sr[(l - 1) * (W - 1) + m - 1] = S[l * W + m];
		/* a line no ring saw stays put, and none moves far alone */
		Sr[(l - 1) * (W - 1) + l - 1] += 1e-3;
		dl[l] = s[l];
	}
	return lin_solve(Sr, dl + 1, W - 1);
}

void lio_tune_fit_lines(struct oio_tune *t, double sigma)
{
	unsigned int R = 2 * t->g.ports * t->g.wavelengths, W = t->g.wavelengths;
	/* lio_tune_refine_card() is done with the scratch rows */
	double *wr = t->scratch[0], *misfit = t->scratch[1], *v = t->scratch[2];
	double *step[NP] = { t->scratch[3], t->scratch[4], t->scratch[5] };
	double dl[MAX_W], none[MAX_W] = { 0 }, d[NP], d0[NP], c;
	double before = 0, after = 0;
	struct ring_normal rn;
	unsigned int r, l, j, n, nv = 0;

	for (r = 0; r < R; r++)
		wr[r] = 1;
	if (W < 2 || !solve_lines(t, sigma, wr, dl))
		return;
	for (r = 0; r < R; r++) {
		misfit[r] = 0;
		if (!t->ring[r].named ||
		    !ring_normal(t, &t->ring[r], sigma, 1, &rn))
			continue;
		misfit[r] = sqrt(ring_step(t, &t->ring[r], sigma, &rn, dl, d,
					   &n) / n);
		/* a ring of NP peaks or fewer fits any step all but exactly */
		if (n > NP)
			v[nv++] = misfit[r];
	}
	if (!nv)
		return;
	c = lio_fmax(RING_OUTLIER * lio_median(v, nv), RING_MISFIT_MIN);
	for (r = 0; r < R; r++)
		wr[r] = misfit[r] <= c ? 1 : (c / misfit[r]) * (c / misfit[r]);
	if (!solve_lines(t, sigma, wr, dl))
		return;
	/*
	 * Each ring's own step for these moves, on the peaks the step
	 * counted; all of it taken only if what the step minimised - the
	 * weighed misfits and the laws' prior - falls below what each
	 * ring's own step gives with the lines where they are. A ring whose
	 * law would step past the fits' range stays, for the next pass to
	 * refit, and counts as it would be then.
	 */
	for (r = 0; r < R; r++) {
		const struct oio_tune_ring *rg = &t->ring[r];
		double h;

		step[0][r] = NAN;
		if (!rg->named || !ring_normal(t, rg, sigma, 1, &rn))
			continue;
		before += wr[r] * ring_step(t, rg, sigma, &rn, none, d0, &n) +
			  LAW_PRIOR * (rg->h + d0[2]) * (rg->h + d0[2]);
		ring_solve(t, &rn, dl, d);
		h = rg->h + d[2];
		if (!isfinite(d[0]) || !isfinite(d[1]) ||
		    !(fabs(h) <= LIO_TUNE_LAW_MAX)) {
			d[0] = d[1] = d[2] = 0;
			h = rg->h;
		} else {
			for (j = 0; j < NP; j++)
				step[j][r] = d[j];
		}
		after += wr[r] * peaks_ss(t, rg, sigma, dl, d, &n) +
			 LAW_PRIOR * h * h;
	}
	if (!(after < before))
		return;
	for (l = 0; l < W; l++)
		t->line_pm[l] += dl[l];
	for (r = 0; r < R; r++) {
		struct oio_tune_ring *rg = &t->ring[r];

		if (isnan(step[0][r]))
			continue;
		rg->o += step[0][r];
		rg->q += step[1][r];
		rg->h += step[2][r];
	}
}
