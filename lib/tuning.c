// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: from sweep traces to heater codes (see tuning.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tuning.h"

static bool windows_unique(uint32_t pat, unsigned int w, unsigned int k)
{
	uint32_t seen[OIO_MAX_WAVELENGTHS];
	unsigned int i, j, b;

	for (i = 0; i < w; i++) {
		uint32_t win = 0;

		for (b = 0; b < k; b++)
			win |= ((pat >> ((i + b) % w)) & 1u) << b;
		for (j = 0; j < i; j++)
			if (seen[j] == win)
				return false;
		seen[i] = win;
	}
	return true;
}

uint32_t oio_tune_code(unsigned int wavelengths, unsigned int *k)
{
	unsigned int kk;
	uint32_t pat;

	if (wavelengths < 2 || wavelengths > OIO_MAX_WAVELENGTHS) {
		*k = 1;
		return wavelengths == 1 ? 0 : 0;
	}
	for (kk = 1; kk <= wavelengths; kk++)
		for (pat = 0; pat < (1u << wavelengths); pat++)
			if (windows_unique(pat, wavelengths, kk)) {
				*k = kk;
				return pat;
			}
	*k = wavelengths;
	return 1;
}

void oio_tune_drive(double *u, unsigned int points, unsigned int start,
		    unsigned int step, double dwell_ns, double tau_ns,
		    double u0)
{
	double a = tau_ns > 0 ? exp(-dwell_ns / tau_ns) : 0, prev = u0;
	unsigned int j;

	for (j = 0; j < points; j++) {
		double c = (double)(start + j * step) / OIO_HEATER_MAX;
		double x = c * c;

		prev = x + (prev - x) * a;
		u[j] = prev;
	}
}

/*
 * Centre of a Lorentzian through three samples: 1/y is a parabola in the
 * detuning, so its vertex is the resonance.
 */
static double lorentz_centre(const double *u, const double *y)
{
	double f0 = 1 / y[0], f1 = 1 / y[1], f2 = 1 / y[2];
	double d01 = (f1 - f0) / (u[1] - u[0]);
	double d12 = (f2 - f1) / (u[2] - u[1]);
	double a = (d12 - d01) / (u[2] - u[0]);
	double c;

	if (a <= 0)
		return u[1];
	/* f = f1 + b (u - u1) + a (u - u1)^2 with b from the two slopes */
	c = u[1] - (d01 + a * (u[1] - u[0])) / (2 * a);
	if (c < u[0])
		c = u[0];
	if (c > u[2])
		c = u[2];
	return c;
}

#define PEAK_FLOOR	0.08	/* of the trace's highest sample */
#define PEAK_PROMINENCE	0.3	/* of the peak's own height */
#define TWIN_HEIGHT	0.6	/* humps this alike are one shared peak */
#define TALL		0.3	/* peaks surely on a line, of the highest */
#define SPACING_SHARE	0.6	/* closer than this share of the spacing */
#define UNSURE_LO	1.3	/* a gap of this many spacings ... */
#define UNSURE_HI	1.9	/* ... to this many may hide a line */
#define TRUST_PM	100	/* a peak this far off its fit is pulled */

static int by_height(const void *a, const void *b)
{
	const struct oio_tune_peak *x = a, *y = b;

	return (x->height < y->height) - (x->height > y->height);
}

static int by_drive(const void *a, const void *b)
{
	const struct oio_tune_peak *x = a, *y = b;

	return (x->u > y->u) - (x->u < y->u);
}

/* Keep the tallest of candidates closer than min_du (sorted by height). */
static void suppress(struct oio_tune_ring *r, const struct oio_tune_peak *cand,
		     unsigned int n, double min_du)
{
	unsigned int i, a;

	r->n_peaks = 0;
	for (i = 0; i < n; i++) {
		struct oio_tune_peak *near = NULL;

		for (a = 0; a < r->n_peaks; a++)
			if (fabs(r->peak[a].u - cand[i].u) < min_du)
				near = &r->peak[a];
		if (near) {
			if (cand[i].height > TWIN_HEIGHT * near->height &&
			    fabs(near->u - cand[i].u) < min_du / 2)
				near->u = (near->u + cand[i].u) / 2;
			continue;
		}
		if (r->n_peaks < OIO_TUNE_MAX_PEAKS)
			r->peak[r->n_peaks++] = cand[i];
	}
	qsort(r->peak, r->n_peaks, sizeof(r->peak[0]), by_drive);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median gap between consecutive peaks of at least TALL of the highest. */
static double tall_spacing(const struct oio_tune_ring *r)
{
	double gap[OIO_TUNE_MAX_PEAKS], top = 0, prev = -1;
	unsigned int i, n = 0;

	for (i = 0; i < r->n_peaks; i++)
		top = fmax(top, r->peak[i].height);
	for (i = 0; i < r->n_peaks; i++) {
		if (r->peak[i].height < TALL * top)
			continue;
		if (prev >= 0)
			gap[n++] = r->peak[i].u - prev;
		prev = r->peak[i].u;
	}
	if (n < 2)
		return 0;
	qsort(gap, n, sizeof(gap[0]), by_value);
	return n % 2 ? gap[n / 2] : (gap[n / 2 - 1] + gap[n / 2]) / 2;
}

/*
 * The ring's line spacing in drive units: the one, among those its heater
 * range allows, that puts every gap between peaks closest to a whole
 * number of spacings. Missing lines and pulled peaks spoil a plain median.
 */
/* How far the gaps between peaks are from whole numbers of sp. */
static double gaps_misfit(const struct oio_tune_ring *r, double sp)
{
	double err = 0;
	unsigned int i;

	for (i = 1; i < r->n_peaks; i++) {
		double k = (r->peak[i].u - r->peak[i - 1].u) / sp;
		double d = k < 1.5 ? k - 1 : k - (double)(long)(k + 0.5);

		err += d * d;
	}
	return err;
}

static double ring_spacing(const struct oio_tune_ring *r,
			   const struct oio_tune_geom *g)
{
	double lo = 0.8 * g->spacing_pm /
		    (1.1 * g->range_pm * (1 + 2 * g->xtalk));
	double hi = 1.2 * g->spacing_pm / (0.9 * g->range_pm * (1 + g->xtalk));
	double best = lo, best_err = INFINITY, step = (hi - lo) / 40, sp;
	unsigned int pass;

	/* coarse, then fine around the best: a few thousand operations */
	for (pass = 0; pass < 2; pass++) {
		double from = pass ? fmax(lo, best - step) : lo;
		double to = pass ? fmin(hi, best + step) : hi;
		double by = pass ? step / 10 : step;

		for (sp = from; sp <= to; sp += by) {
			double err = gaps_misfit(r, sp);

			if (err < best_err) {
				best_err = err;
				best = sp;
			}
		}
	}
	return best;
}

void oio_tune_peaks(struct oio_tune_ring *r, const uint32_t *full,
		    const uint32_t *coded, const double *u,
		    unsigned int points, const struct oio_tune_geom *g)
{
	double min_du = oio_tune_min_du(g);
	struct oio_tune_peak cand[4 * OIO_TUNE_MAX_PEAKS];
	unsigned int j, i, n = 0;
	double top = 0, spacing;

	memset(r, 0, sizeof(*r));
	for (j = 0; j < points; j++)
		if (full[j] > top)
			top = full[j];
	if (points < 3 || top <= 0)
		return;
	for (j = 1; j + 1 < points && n < 4 * OIO_TUNE_MAX_PEAKS; j++) {
		double y = full[j], left = y, right = y;
		double uu[3], yy[3];
		unsigned int m;

		if (!(y > full[j - 1] && y >= full[j + 1]) ||
		    y < PEAK_FLOOR * top)
			continue;
		/*
		 * Valleys within a line spacing or two are all that matter. A
		 * side that runs into the end of the sweep has no valley to
		 * speak of: a ring already on a line at code 0 shows half a
		 * peak, judged by its other side.
		 */
		for (m = j; m > 0 && full[m - 1] <= y &&
		     u[j] - u[m - 1] < 2 * min_du; m--)
			if (full[m - 1] < left)
				left = full[m - 1];
		if (!m)
			left = 0;
		for (m = j; m + 1 < points && full[m + 1] <= y &&
		     u[m + 1] - u[j] < 2 * min_du; m++)
			if (full[m + 1] < right)
				right = full[m + 1];
		if (m + 1 == points)
			right = 0;
		if (y - (left > right ? left : right) < PEAK_PROMINENCE * y)
			continue;
		for (i = 0; i < 3; i++) {
			uu[i] = u[j - 1 + i];
			yy[i] = full[j - 1 + i] ? full[j - 1 + i] : 1;
		}
		cand[n++] = (struct oio_tune_peak){
			.u = lorentz_centre(uu, yy), .height = y,
			.ratio = coded ? coded[j] / y : 1, .line = -1,
		};
	}
	/*
	 * Resonances with lines are a line spacing apart. Anything closer to
	 * a taller peak is the shadow of a ring upstream taking a line, not
	 * a line of its own - unless it is as tall: then the two humps are
	 * one line shared with a ring upstream at the same drive, centred
	 * between them.
	 */
	qsort(cand, n, sizeof(cand[0]), by_height);
	suppress(r, cand, n, min_du);
	/*
	 * With this ring's own spacing known, anything closer than most of
	 * it to a taller peak goes too.
	 */
	spacing = tall_spacing(r);
	if (spacing * SPACING_SHARE > min_du)
		suppress(r, cand, n, spacing * SPACING_SHARE);
}

double oio_tune_min_du(const struct oio_tune_geom *g)
{
	/* the widest apparent range: +10 % heater, both neighbours swept */
	return 0.5 * g->spacing_pm / (1.1 * g->range_pm * (1 + 2 * g->xtalk));
}

/*
 * Least-squares line through (drive, position of the peak's line): the
 * slope is the ring's apparent full scale. Returns the residual sum of
 * squares, pm^2.
 */
static double fit_line(const struct oio_tune_peak *pk, unsigned int n,
		       const int *line, const int *wrap,
		       const struct oio_tune_geom *g, double *q, double *o)
{
	double su = 0, sp = 0, suu = 0, sup = 0, rss = 0, den;
	unsigned int i;

	for (i = 0; i < n; i++) {
		double p = line[i] * g->spacing_pm + wrap[i] * g->fsr_pm;

		su += pk[i].u;
		sp += p;
		suu += pk[i].u * pk[i].u;
		sup += pk[i].u * p;
	}
	den = n * suu - su * su;
	if (den <= 0)
		return INFINITY;
	*q = (n * sup - su * sp) / den;
	*o = (sp - *q * su) / n;
	for (i = 0; i < n; i++) {
		double e = line[i] * g->spacing_pm + wrap[i] * g->fsr_pm -
			   (*o + *q * pk[i].u);

		rss += e * e;
	}
	return *q > 0 ? rss : INFINITY;
}

#define MAX_UNSURE	6	/* gaps that may hide a line, tried both ways */
#define AMBIGUOUS_PM	40	/* rms misfit that tells two readings apart */

bool oio_tune_identify(struct oio_tune_ring *r,
		       const struct oio_tune_geom *g, uint32_t code,
		       uint32_t emitting, double threshold)
{
	unsigned int w = g->wavelengths, n = r->n_peaks, start, i;
	unsigned int step[OIO_TUNE_MAX_PEAKS], unsure[MAX_UNSURE], nu = 0;
	int line[OIO_TUNE_MAX_PEAKS], wrap[OIO_TUNE_MAX_PEAKS];
	double spacing, best = INFINITY, second = INFINITY, q = 0, o = 0;
	uint32_t combo;

	r->identified = false;
	if (n < 2)
		return false;
	spacing = ring_spacing(r, g);
	/*
	 * One line per spacing between peaks, so a dark line, or one a ring
	 * upstream took at this drive, leaves a gap. A ring upstream can
	 * also pull a peak well off its place, so a gap between one and two
	 * spacings is tried both ways and the fit decides.
	 */
	for (i = 1; i < n; i++) {
		double k = (r->peak[i].u - r->peak[i - 1].u) / spacing;

		step[i] = k < 1.5 ? 1 : (unsigned int)lround(k);
		if (k > UNSURE_LO && k < UNSURE_HI && nu < MAX_UNSURE)
			unsure[nu++] = i;
	}
	for (combo = 0; combo < (1u << nu); combo++) {
		for (i = 0; i < nu; i++)
			step[unsure[i]] = 1 + (combo >> i & 1);
		for (start = 0; start < w; start++) {
			unsigned int l = start, k;
			int m = 0;
			bool ok = true;
			double rss;

			for (i = 0; ok && i < n; i++) {
				bool dimmed = r->peak[i].ratio < threshold;

				if (i) {
					m += (l + step[i]) / w;
					l = (l + step[i]) % w;
				}
				line[i] = (int)l;
				wrap[i] = m;
				ok = (emitting & (1u << l)) &&
				     dimmed == !!(code & (1u << l));
			}
			if (!ok)
				continue;
			rss = fit_line(r->peak, n, line, wrap, g, &q, &o);
			if (rss >= best) {
				if (line[0] != r->peak[0].line && rss < second)
					second = rss;
				continue;
			}
			if (isfinite(best) && line[0] != r->peak[0].line)
				second = best;
			best = rss;
			r->q_pm = q;
			r->offset_pm = o;
			for (k = 0; k < n; k++) {
				r->peak[k].line = line[k];
				r->peak[k].wrap = wrap[k];
			}
		}
	}
	/* Another reading that fits about as well: the ring says nothing. */
	r->identified = isfinite(best) &&
			second > best + n * AMBIGUOUS_PM * AMBIGUOUS_PM;
	return r->identified;
}

/* Solve a symmetric tridiagonal system with 1 on the diagonal. */
static void solve_bus(const double *rhs, double *x, unsigned int n,
		      double off)
{
	double c[OIO_MAX_WAVELENGTHS], d[OIO_MAX_WAVELENGTHS];
	unsigned int i;

	for (i = 0; i < n; i++) {
		double den = 1 - (i ? off * c[i - 1] : 0);

		c[i] = off / den;
		d[i] = (rhs[i] - (i ? off * d[i - 1] : 0)) / den;
	}
	for (i = n; i-- > 0;)
		x[i] = d[i] - (i + 1 < n ? c[i] * x[i + 1] : 0);
}

void oio_tune_ranges(struct oio_tune_ring *rings,
		     const struct oio_tune_geom *g)
{
	unsigned int w = g->wavelengths, p, side, i;
	double q[OIO_MAX_WAVELENGTHS], r[OIO_MAX_WAVELENGTHS];

	for (p = 0; p < g->ports; p++)
		for (side = 0; side < 2; side++) {
			for (i = 0; i < w; i++) {
				const struct oio_tune_ring *rg =
					&rings[oio_tune_ring_of(g, p, side, i)];
				unsigned int nb = (i > 0) + (i + 1 < w);

				q[i] = rg->identified ? rg->q_pm :
				       g->range_pm * (1 + g->xtalk * nb);
			}
			solve_bus(q, r, w, g->xtalk);
			for (i = 0; i < w; i++)
				rings[oio_tune_ring_of(g, p, side, i)].r_pm =
					r[i] > 0 ? r[i] : g->range_pm;
		}
}

/*
 * Apparent shift at which ring rg meets line l: the peak seen, or where
 * the fit puts it if the sweep did not reach it. Negative if unknown.
 */
static double target_pm(const struct oio_tune_ring *rg,
			const struct oio_tune_geom *g, unsigned int l)
{
	double d;
	unsigned int i;

	if (!rg->identified)
		return -1;
	for (i = 0; i < rg->n_peaks; i++) {
		const struct oio_tune_peak *pk = &rg->peak[i];

		if (pk->line != (int)l)
			continue;
		/*
		 * A ring upstream that meets the same line at the same drive
		 * distorts the peak; the fit over every peak does not care.
		 */
		d = l * g->spacing_pm + pk->wrap * g->fsr_pm - rg->offset_pm;
		if (fabs(rg->q_pm * pk->u - d) < TRUST_PM)
			d = rg->q_pm * pk->u;
		return d;
	}
	d = fmod(l * g->spacing_pm - rg->offset_pm, g->fsr_pm);
	return d < 0 ? d + g->fsr_pm : d;
}

void oio_tune_port(const struct oio_tune_ring *rings,
		   const struct oio_tune_geom *g, unsigned int port,
		   uint32_t emitting, struct oio_tune_port *out)
{
	unsigned int w = g->wavelengths, s, side, i, best_ok = 0;
	double best_margin = -INFINITY;

	memset(out, 0, sizeof(*out));
	out->shift = -1;
	out->margin_pm = -INFINITY;
	for (s = 0; s < w; s++) {
		double h[2][OIO_MAX_WAVELENGTHS], margin = INFINITY;
		bool usable[OIO_MAX_WAVELENGTHS];
		unsigned int ok = 0;

		for (i = 0; i < w; i++)
			usable[i] = emitting & (1u << ((i + s) % w));
		for (side = 0; side < 2; side++) {
			double d[OIO_MAX_WAVELENGTHS];

			for (i = 0; i < w; i++) {
				const struct oio_tune_ring *rg =
					&rings[oio_tune_ring_of(g, port, side,
								i)];

				d[i] = target_pm(rg, g, (i + s) % w);
				if (d[i] < 0) {
					usable[i] = false;
					d[i] = 0;
				}
			}
			solve_bus(d, h[side], w, g->xtalk);
			for (i = 0; i < w; i++) {
				double r = rings[oio_tune_ring_of(g, port, side,
								  i)].r_pm;

				if (h[side][i] < 0 || h[side][i] > r)
					usable[i] = false;
			}
		}
		for (i = 0; i < w; i++) {
			if (!usable[i])
				continue;
			ok++;
			for (side = 0; side < 2; side++) {
				double r = rings[oio_tune_ring_of(g, port, side,
								  i)].r_pm;
				double m = fmin(h[side][i], r - h[side][i]);

				margin = fmin(margin, m);
			}
		}
		if (ok > best_ok || (ok == best_ok && ok && margin > best_margin)) {
			best_ok = ok;
			best_margin = margin;
			out->shift = (int)s;
			out->margin_pm = margin;
			for (i = 0; i < w; i++) {
				out->usable[i] = usable[i];
				for (side = 0; side < 2; side++) {
					double r = rings[oio_tune_ring_of(
						g, port, side, i)].r_pm;
					double x = fmin(fmax(h[side][i] / r, 0),
							1);

					out->code[side][i] = (uint32_t)lround(
						OIO_HEATER_MAX * sqrt(x));
				}
			}
		}
	}
}
