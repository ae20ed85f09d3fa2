// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of liboio's bring-up arithmetic: the heater law, the comb of
 * lines that finds the nearest one, order statistics by selection, loops
 * spread over the CPUs (par.h), the code of darkened lines and the
 * classes of swept positions, a bus's rings placed on their lines, the
 * one peak finder (lib/peaks.c) on
 * synthetic traces, and what bring-up measures of a card (FSR, time
 * constants, crosstalk, noise, linewidth, line positions) against the
 * emulated card's truth, on cards far from the default one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity, CPU_SET */
#endif
#include <check.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "par.h"
#include "peaks.h"
#include "select.h"
#include "simio.h"
#include "tuning.h"

static struct simcard card;
static struct simio sio;
static struct oio_link_report rep;

/* ---- arithmetic ---------------------------------------------------- */

START_TEST(test_law_inverts)
{
	static const double laws[] = { -0.25, -0.15, 0, 0.15, 0.25 };
	unsigned int i;
	double x;

	for (i = 0; i < 5; i++) {
		ck_assert(fabs(lio_tune_law(1, laws[i]) - 1) < 1e-12);
		ck_assert(lio_tune_law(0, laws[i]) == 0);
		for (x = 0.01; x < 1; x += 0.01)
			ck_assert_msg(fabs(lio_tune_law_inv(lio_tune_law(x, laws[i]),
							    laws[i]) - x) < 1e-9,
				      "law %g at %g", laws[i], x);
	}
	/* a law above zero heats more at low drive than the square law */
	ck_assert(lio_tune_law(0.5, 0.15) > 0.25);
	ck_assert(lio_tune_law(0.5, -0.15) < 0.25);
	ck_assert(lio_tune_law_inv(-1, 0) == 0 && lio_tune_law_inv(2, 0) == 1);
}
END_TEST

/* nearest_line()'s arithmetic (naming.c): p's offset from line l. */
static double offset_of(const double *line, double fsr, double p,
			unsigned int l, int *order)
{
	double k = (p - line[l]) * (1 / fsr) + 0.5;
	double m = (double)(long long)k - (k < (double)(long long)k);

	*order = (int)m;
	return p - (line[l] + m * fsr);
}

/* The nearest of the lines asked, a tie to the lower line. */
static unsigned int pick(const double *line, double fsr, double p,
			 const unsigned int *ask, unsigned int n, int *order,
			 double *d)
{
	unsigned int i, best = 0;

	*d = INFINITY;
	for (i = 0; i < n; i++) {
		int m;
		double e = offset_of(line, fsr, p, ask[i], &m);

		if (fabs(e) < fabs(*d) ||
		    (fabs(e) == fabs(*d) && ask[i] < best)) {
			*d = e;
			best = ask[i];
			*order = m;
		}
	}
	return best;
}

/*
 * The comb's pair gives what asking every line gives - line, order and
 * offset to the bit - or the comb says it cannot tell.
 */
static bool same_as_scan(const struct oio_comb *cb, const double *line,
			 unsigned int n, double fsr, double p)
{
	unsigned int all[OIO_MAX_WAVELENGTHS], pair[2], i, a, b;
	int oa = 0, ob = 0;
	double da, db;

	for (i = 0; i < n; i++)
		all[i] = i;
	if (!lio_comb_pair(cb, p, pair))
		return false;
	a = pick(line, fsr, p, all, n, &oa, &da);
	b = pick(line, fsr, p, pair, 2, &ob, &db);
	ck_assert_msg(a == b && oa == ob && !memcmp(&da, &db, sizeof(da)),
		      "fsr %.17g p %.17g: line %u order %d at %.17g, the "
		      "comb's %u order %d at %.17g", fsr, p, a, oa, da, b, ob,
		      db);
	return true;
}

/*
 * On random combs (lines out of order, several FSRs apart), at random
 * positions many orders away, on lines, an ulp either side of them and
 * of the fold's ends, and half-way between.
 */
START_TEST(test_comb_pair_nearest)
{
	struct oio_comb cb;
	unsigned int seed = 12345, trial, i, told = 0;

	for (trial = 0; trial < 2000; trial++) {
		double line[OIO_MAX_WAVELENGTHS], fsr;
		unsigned int n = 1 + rand_r(&seed) % OIO_MAX_WAVELENGTHS;

		fsr = 2000 + rand_r(&seed) % 20000 + rand_r(&seed) % 1000 / 7.0;
		for (i = 0; i < n; i++)
			line[i] = 1550000 + (rand_r(&seed) % 4000 - 2000) *
					    fsr / 1000.0;
		lio_comb_init(&cb, line, NULL, n, fsr);
		for (i = 0; i < 400; i++) {
			double p = 1550000 + (rand_r(&seed) % 200001 - 100000) *
					     fsr / 1000.0;

			switch (i % 6) {
			case 1:
				p = line[i % n] + (rand_r(&seed) % 7 - 3) * fsr;
				break;
			case 2:
				p = nextafter(line[i % n] + 2 * fsr,
					      i % 12 < 6 ? 0 : INFINITY);
				break;
			case 3:
				p = (line[i % n] + line[(i + 1) % n]) / 2;
				break;
			case 4:
				p = nextafter(fsr * (int)(p / fsr),
					      i % 12 < 6 ? 0 : INFINITY);
				break;
			case 5:
				p = nextafter(fsr * 250 + fsr * (i % 64) / 64,
					      i % 12 < 6 ? 0 : INFINITY);
				break;
			}
			told += same_as_scan(&cb, line, n, fsr, p);
		}
	}
	/* two random lines rarely share a place: nearly always told */
	ck_assert_uint_gt(told, 2000 * 400 * 9 / 10);
}
END_TEST

/*
 * The fold's check says what remainder() says, at random, an ulp either
 * side of the reach's edge and of half an FSR, and far out, NaN or infinite.
 */
START_TEST(test_fold_within)
{
	unsigned int seed = 54321, trial, near = 0;

	for (trial = 0; trial < 200000; trial++) {
		double fsr = 2000 + rand_r(&seed) % 20000 +
			     rand_r(&seed) % 1000 / 7.0;
		double reach = rand_r(&seed) % 3000 / 3.0, inv = 1 / fsr;
		double x = (rand_r(&seed) % 2000001 - 1000000) * fsr / 1000.0;
		double m = (double)(rand_r(&seed) % 4001) - 2000;
		bool want, got;

		switch (trial % 8) {
		case 1:
		case 2:
			x = m * fsr + (trial % 16 < 8 ? reach : -reach);
			x = nextafter(x, trial % 8 == 1 ? 0 : INFINITY);
			near++;
			break;
		case 3:
			x = m * fsr + fsr / 2;
			reach = fsr / 2;
			break;
		case 4:
			x = nextafter(m * fsr - fsr / 2, -INFINITY);
			reach = nextafter(fsr / 2, trial % 16 < 8 ? 0 : 1e9);
			break;
		case 5:
			x = m * 1e12 * fsr + x;
			break;
		case 6:
			x = trial % 24 < 8 ? NAN : trial % 24 < 16 ? INFINITY :
								   -INFINITY;
			break;
		case 7:
			/* either side of where the fold gives way to remainder() */
			x = (1e9 + m * 1e6) * fsr + (trial % 16 < 8 ? reach :
							      fsr / 2);
			break;
		}
		want = fabs(remainder(x, fsr)) < reach;
		got = lio_fold_within(x, fsr, inv, reach);
		ck_assert_msg(got == want, "fsr %.17g reach %.17g x %.17g: %d",
			      fsr, reach, x, got);
	}
	ck_assert_uint_gt(near, 40000);
}
END_TEST

/* Where the comb cannot tell, it says so; at its edges, it can. */
START_TEST(test_comb_pair_edges)
{
	static const double apart[] = { 1550000, 1558000, 1554000 };
	double grid[8], line[3];
	struct oio_comb cb;
	unsigned int i, pair[2];

	/* lines an FSR apart: which wins a tie, the fold cannot say */
	lio_comb_init(&cb, apart, NULL, 3, 8000);
	ck_assert(!lio_comb_pair(&cb, 1550100, pair));
	for (i = 0; i < 8; i++)
		grid[i] = 1550000 + 800 * i;
	lio_comb_init(&cb, grid, NULL, 8, 4800);
	ck_assert(!lio_comb_pair(&cb, 1550100, pair));
	lio_comb_init(&cb, (const double[]){ 1550000, 1550000 }, NULL, 2, 8000);
	ck_assert(!lio_comb_pair(&cb, 1550100, pair));
	/* on the grid with a whole FSR of lines, every position */
	lio_comb_init(&cb, grid, NULL, 8, 6400);
	for (i = 0; i < 10000; i++)
		ck_assert(same_as_scan(&cb, grid, 8, 6400,
				       1540000 + 2.37 * i));
	/* a line at the fold's start, another near its end */
	line[0] = 8000 * 190;
	line[1] = 8000 * 191 - 1e-3;
	line[2] = 8000 * 190 + 3000;
	lio_comb_init(&cb, line, NULL, 3, 8000);
	for (i = 0; i < 3; i++) {
		ck_assert(same_as_scan(&cb, line, 3, 8000,
				       nextafter(line[i], 0)));
		ck_assert(same_as_scan(&cb, line, 3, 8000,
				       nextafter(line[i], INFINITY)));
		ck_assert(same_as_scan(&cb, line, 3, 8000, line[i] + 8000));
	}
	/*
	 * Below the first line on the fold: the last, one FSR round, and
	 * the first (line 0 folds to 6700, line 1 to 3000).
	 */
	line[0] = 1550000 + 700;
	line[1] = 1550000 + 5000;
	lio_comb_init(&cb, line, NULL, 2, 8000);
	ck_assert(lio_comb_pair(&cb, 8000 * 200 + 10, pair));
	ck_assert_uint_eq(pair[0], 0);
	ck_assert_uint_eq(pair[1], 1);
	ck_assert(lio_comb_pair(&cb, 8000 * 200 + 7000, pair));
	ck_assert_uint_eq(pair[0], 0);
	ck_assert_uint_eq(pair[1], 1);
	ck_assert(lio_comb_pair(&cb, 8000 * 200 + 4000, pair));
	ck_assert_uint_eq(pair[0], 1);
	ck_assert_uint_eq(pair[1], 0);
	/* just below 0, a position folds to the fold's end itself */
	ck_assert(same_as_scan(&cb, line, 2, 8000, -1e-20));
	ck_assert(same_as_scan(&cb, line, 2, 8000, -8000 * 3 - 1e-12));
	/* one line: it */
	lio_comb_init(&cb, line, NULL, 1, 8000);
	ck_assert(same_as_scan(&cb, line, 1, 8000, 1234567.5));
	/* nothing it can tell: every line is asked instead */
	ck_assert(!lio_comb_pair(&cb, 8000 * 1e12, pair));
	ck_assert(!lio_comb_pair(&cb, NAN, pair));
	ck_assert(!lio_comb_pair(&cb, -INFINITY, pair));
	ck_assert(!lio_comb_pair(NULL, 1550000, pair));
	lio_comb_init(&cb, (const double[]){ 1550000, NAN }, NULL, 2, 8000);
	ck_assert(!lio_comb_pair(&cb, 1550000, pair));
	lio_comb_init(&cb, line, NULL, 1, 0);
	ck_assert(!lio_comb_pair(&cb, 1550000, pair));
}
END_TEST

/*
 * The lines within reach on the fold are those lio_fold_within() names,
 * line by line: lines moved or not, reach either side of the quarter FSR
 * where the comb stops being asked, positions at random, an ulp either
 * side of each line's reach, negative, near 0 and near where a fold gives
 * way, NaN; combs that cannot tell, and combs for other lines or another
 * FSR, or none, which must not be asked.
 */
START_TEST(test_comb_within)
{
	unsigned int seed = 777, trial, i, l, in = 0, out = 0;

	for (trial = 0; trial < 3000; trial++) {
		double line[OIO_MAX_WAVELENGTHS], dl[OIO_MAX_WAVELENGTHS];
		double fsr, reach;
		unsigned int n = 1 + rand_r(&seed) % 16, k = n;
		bool moves = trial % 2;
		struct oio_comb cb, *c = &cb;

		fsr = 2000 + rand_r(&seed) % 20000 + rand_r(&seed) % 1000 / 7.0;
		reach = fsr * (rand_r(&seed) % 1000) / 3000.0;
		for (i = 0; i < n; i++) {
			line[i] = 1310000 + (rand_r(&seed) % 4000 - 2000) *
					    fsr / 1000.0;
			dl[i] = moves ? (rand_r(&seed) % 2001 - 1000) / 7.0 : 0;
		}
		/* two lines an FSR apart where they sit: the comb cannot tell */
		if (trial % 50 == 0 && n > 1) {
			line[1] = line[0] + fsr;
			dl[1] = dl[0];
		}
		/* a comb for fewer lines, for another FSR, none */
		if (trial % 10 == 3 && n > 1)
			k = n - 1;
		lio_comb_init(&cb, line, moves ? dl : NULL, k,
			      trial % 10 == 5 ? fsr * 1.001 : fsr);
		if (trial % 10 == 7)
			c = NULL;
		for (i = 0; i < 200; i++) {
			double p = 1310000 + (rand_r(&seed) % 200001 - 100000) *
					     fsr / 1000.0;
			uint32_t want = 0;

			l = i % n;
			switch (i % 8) {
			case 1:
			case 2:
				/* an ulp either side of a line's reach */
				p = line[l] + dl[l] +
				    (i % 16 < 8 ? reach : -reach) +
				    (rand_r(&seed) % 5 - 2) * fsr;
				p = nextafter(p, i % 8 == 1 ? 0 : INFINITY);
				break;
			case 3:
				p = i == 3 ? NAN : -p;
				break;
			case 4:
				p = (rand_r(&seed) % 2001 - 1000) / 7.0;
				break;
			case 5:
				p = (i % 16 < 8 ? 1 : -1) * OIO_COMB_FAR * fsr +
				    (rand_r(&seed) % 3 - 1) * fsr / 3;
				break;
			}
			for (l = 0; l < n; l++)
				if (lio_fold_within(p - line[l] - dl[l], fsr,
						    1 / fsr, reach))
					want |= 1u << l;
			in += want && (i % 8 == 1 || i % 8 == 2);
			out += !want && (i % 8 == 1 || i % 8 == 2);
			ck_assert_msg(lio_comb_within(c, line,
						      moves ? dl : NULL, n,
						      fsr, p, reach) == want,
				      "trial %u fsr %.17g reach %.17g p %.17g",
				      trial, fsr, reach, p);
		}
	}
	/* at a reach's edge, both answers come, many times */
	ck_assert_uint_gt(in, 10000);
	ck_assert_uint_gt(out, 10000);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * n values of a kind: random, few distinct ones (a quantised trace),
 * flat, sorted and reversed runs.
 */
static void draw_values(double *v, unsigned int n, unsigned int kind,
			unsigned int *seed)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		v[i] = kind == 0 ? (double)(*seed >> 8) / 3.0 - 1e6 :
		       kind == 1 ? (double)(*seed >> 28) :
		       kind == 2 ? 42.0 :
		       kind == 3 ? (double)i : -(double)i;
	}
}

/* Selection gives what sorting would, at every rank, for every kind. */
START_TEST(test_select_ranks)
{
	double v[257], sorted[257], work[257];
	unsigned int seed = 7, trial, n, k, kind;

	for (trial = 0; trial < 400; trial++) {
		n = 1 + trial % 257;
		kind = trial % 5;
		draw_values(v, n, kind, &seed);
		memcpy(sorted, v, n * sizeof(*v));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		for (k = 0; k < n; k++) {
			memcpy(work, v, n * sizeof(*v));
			ck_assert_msg(lio_select(work, n, k) == sorted[k],
				      "kind %u n %u k %u", kind, n, k);
		}
	}
}
END_TEST

/*
 * The median without sorting is the sorted one's, to the bit, at odd and
 * even counts of the same kinds of values; none has none.
 */
START_TEST(test_median_as_sorted)
{
	double v[258], sorted[258];
	unsigned int seed = 11, trial, n, kind;

	ck_assert(isnan(lio_median(v, 0)));
	for (trial = 0; trial < 400; trial++) {
		double want, got;

		n = 1 + trial % 258;
		kind = trial % 5;
		draw_values(v, n, kind, &seed);
		memcpy(sorted, v, n * sizeof(*v));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		want = n % 2 ? sorted[n / 2] :
		       (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
		got = lio_median(v, n);
		ck_assert_msg(memcmp(&got, &want, sizeof(got)) == 0,
			      "kind %u n %u: %.17g, not %.17g", kind, n, got,
			      want);
	}
}
END_TEST

/* Every window of k bits of the cyclic code is different, for every W. */
START_TEST(test_code_windows_unique)
{
	unsigned int W, k, i, j, b;

	for (W = 2; W <= OIO_MAX_WAVELENGTHS; W++) {
		uint32_t code = lio_tune_code(W, &k);

		ck_assert_uint_ne(code, 0);
		ck_assert_uint_ne(code, (1u << W) - 1);
		ck_assert_uint_le(k, W);
		for (i = 0; i < W; i++)
			for (j = 0; j < i; j++) {
				uint32_t a = 0, c = 0;

				for (b = 0; b < k; b++) {
					a |= (code >> ((i + b) % W) & 1) << b;
					c |= (code >> ((j + b) % W) & 1) << b;
				}
				ck_assert_msg(a != c, "W %u windows %u %u", W,
					      i, j);
			}
	}
	ck_assert_uint_eq(lio_tune_code(1, &k), 0);
	ck_assert_uint_eq(lio_tune_code(OIO_MAX_WAVELENGTHS + 1, &k), 0);
}
END_TEST

/* The classes split a bus; no two positions of one are within two. */
START_TEST(test_classes_apart)
{
	unsigned int W, k, classes, w, v;

	for (W = 1; W <= OIO_MAX_WAVELENGTHS; W++) {
		uint32_t all = 0;

		lio_tune_class(W, 0, &classes);
		for (k = 0; k < classes; k++) {
			uint32_t m = lio_tune_class(W, k, &classes);

			ck_assert_uint_eq(all & m, 0);
			all |= m;
			for (w = 0; w < W; w++)
				for (v = w + 1; v < W; v++)
					if ((m >> w & 1) && (m >> v & 1))
						ck_assert_uint_ge(v - w, 3);
		}
		ck_assert_uint_eq(all, (1u << W) - 1);
	}
}
END_TEST

/* ---- placing a bus ------------------------------------------------------ */

/*
 * Port 0 of a one-port, four-line card: lines on an 800 pm grid, an FSR
 * of four spacings, every heater 3,000 pm on the square law, adjacent
 * crosstalk xt; its TX rings cold at tx_o[], its RX rings at rx_o[].
 * Planned at line shift 0 alone. plan_bus(): each RX ring 1,000 pm blue
 * of its line.
 */
static void plan_buses(const double *tx_o, const double *rx_o, double xt,
		       struct oio_tune *t, struct oio_tune_port *out)
{
	unsigned int W = 4, w, side;

	memset(t, 0, sizeof(*t));
	t->g.ports = 1;
	t->g.wavelengths = W;
	t->g.spacing_pm = 800;
	t->g.fsr_pm = t->fsr_pm = W * 800;
	t->g.range_pm = 3000;
	t->g.fwhm_pm = 200;
	t->xt1 = xt;
	t->emitting = (1u << W) - 1;
	for (w = 0; w < W; w++) {
		t->line_pm[w] = w * 800.0;
		for (side = 0; side < 2; side++) {
			struct oio_tune_ring *rg =
				&t->ring[lio_tune_ring_of(&t->g, 0, side, w)];

			rg->named = true;
			rg->q = t->g.range_pm;
			rg->xt_gain = 1;
			rg->o = side ? rx_o[w] : tx_o[w];
		}
	}
	lio_tune_plan_shifts(t, 0, 1, out);
	ck_assert_int_eq(out->shift, 0);
}

static const double rx_blue[4] = { -1000, -200, 600, 1400 };

static void plan_bus(const double *tx_o, double xt, struct oio_tune *t,
		     struct oio_tune_port *out)
{
	plan_buses(tx_o, rx_blue, xt, t, out);
}

/* A ring's own shift at the code the plan gave it (side 0: TX). */
static double ring_own(const struct oio_tune *t,
		       const struct oio_tune_port *out, unsigned int side,
		       unsigned int w)
{
	return t->g.range_pm *
	       lio_tune_law(out->code[side][w] / (double)OIO_HEATER_MAX, 0);
}

/*
 * The plan keeps the lanes of mask, at shift 0, and puts each of their
 * rings, cold at o[side][], on its line with the shares of the placed
 * neighbours (the others are parked after, clear of the lines; the loops
 * take up their shares).
 */
static void plan_keeps(const struct oio_tune *t,
		       const struct oio_tune_port *out,
		       const double *const o[2], double xt, unsigned int mask)
{
	unsigned int w, side;

	ck_assert_uint_eq(out->ok_at[0], __builtin_popcount(mask));
	for (w = 0; w < 4; w++) {
		ck_assert_int_eq(out->usable[w], mask >> w & 1);
		if (!(mask >> w & 1)) {
			ck_assert_int_eq(out->why[w], OIO_TUNE_OUT_OF_REACH);
			continue;
		}
		for (side = 0; side < 2; side++) {
			double at = o[side][w] + ring_own(t, out, side, w);

			if (w && (mask >> (w - 1) & 1))
				at += xt * ring_own(t, out, side, w - 1);
			if (mask >> (w + 1) & 1)
				at += xt * ring_own(t, out, side, w + 1);
			/* a code is a few pm at most */
			ck_assert_msg(fabs(at - t->line_pm[w]) < 5,
				      "ring %u/%u at %g, its line at %g", w,
				      side, at, t->line_pm[w]);
		}
	}
}

/*
 * Ring 3 needs 3,100 pm at its first order, more than its heater has.
 * Before the rounds leave it out, its heat pushes ring 2 past its line
 * (it would have to cool), so ring 2 goes an order up, whose heat pushes
 * ring 1 past its own, which goes an order up too: both need more than
 * their heaters there and are left out, and then ring 3. Without ring 3
 * both fit at their first order: the plan must find lanes 0 to 2, not
 * lane 0 alone, each ring's own shift and its placed neighbours' shares
 * putting it on its line (ring 3 is parked after, clear of the lines;
 * the loops take up its share).
 */
START_TEST(test_plan_readmits)
{
	static const double tx_o[4] = { -1000, -200, 700, -700 };
	static struct oio_tune t;
	struct oio_tune_port out;
	const double *const o[2] = { tx_o, rx_blue };

	plan_bus(tx_o, 0.24, &t, &out);
	plan_keeps(&t, &out, o, 0.24, 0x7);
}
END_TEST

/*
 * The rounds leave ring 0 out and end with ring 2 an order up, 2,997 pm
 * into its 3,000 pm heater. Ring 0 at its first order fits its own
 * heater, but its heat lets ring 1 take less of its own, and ring 2,
 * getting less from ring 1, would need more than its heater has: tried
 * again, ring 0 must stay out, lanes 1 to 3 placed.
 */
START_TEST(test_plan_readmit_keeps_room)
{
	static const double tx_o[4] = { -500, -1200, 900, -800 };
	static struct oio_tune t;
	struct oio_tune_port out;
	unsigned int w;

	plan_bus(tx_o, 0.24, &t, &out);
	ck_assert_uint_eq(out.ok_at[0], 3);
	for (w = 0; w < 4; w++)
		ck_assert_int_eq(out.usable[w], w > 0);
	ck_assert_uint_lt(out.code[0][2], OIO_HEATER_MAX);
}
END_TEST

/*
 * Ring 1 needs 2,800 pm and rings 0 and 2 only 600 at their first order,
 * ring 3 1,500. Placed, ring 1's heat pushes rings 0 and 2 past their
 * lines, and an order up they need more than their heaters have: the
 * rounds keep lanes 1 and 3. Without ring 1, rings 0, 2 and 3 all fit,
 * each with its neighbours' shares: the plan must trade lane 1 for
 * lanes 0 and 2, and leave lane 1 out of reach.
 */
START_TEST(test_plan_trades_lane)
{
	static const double tx_o[4] = { -600, -2000, 1000, 900 };
	static struct oio_tune t;
	struct oio_tune_port out;
	const double *const o[2] = { tx_o, rx_blue };

	plan_bus(tx_o, 0.24, &t, &out);
	plan_keeps(&t, &out, o, 0.24, 0xd);
}
END_TEST

/*
 * TX ring 2 needs more than its heater has, with its neighbours' heat or
 * without. RX ring 3 needs 500 pm, and RX ring 2, placed for its 2,500,
 * heats it past its line; an order up it would need more than its heater
 * has. Lanes 2 and 3 are left out together, but with lane 2 out its RX
 * ring is not heated, and lane 3 fits: the plan must let it back in.
 */
START_TEST(test_plan_readmits_lane)
{
	static const double tx_o[4] = { -1000, -200, -1590, 1400 };
	static const double rx_o[4] = { -1000, -200, -900, 1900 };
	static struct oio_tune t;
	struct oio_tune_port out;
	const double *const o[2] = { tx_o, rx_o };

	plan_buses(tx_o, rx_o, 0.24, &t, &out);
	plan_keeps(&t, &out, o, 0.24, 0xb);
}
END_TEST

/*
 * As test_plan_readmits_lane, but RX ring 3 needs only d pm and RX ring
 * 2, for its 800, heats it past its line, an order up by less than
 * 3,200 pm: with lane 2 out it fits at its first order, d from its cold
 * end. 70 pm is over a quarter of the 200 pm linewidth, room enough for a
 * ring the plan has fitted (optical-worst 22190143's, 127 pm from its
 * end, came up); 30 pm is not (290024's, 17 pm, lost a lane).
 */
static void plan_readmits_near(double d, unsigned int mask)
{
	static const double tx_o[4] = { -1000, -200, -1590, 1400 };
	static struct oio_tune t;
	const double rx_o[4] = { -1000, -200, 800, 2400 - d };
	struct oio_tune_port out;
	const double *const o[2] = { tx_o, rx_o };

	plan_buses(tx_o, rx_o, 0.24, &t, &out);
	plan_keeps(&t, &out, o, 0.24, mask);
}

START_TEST(test_plan_readmits_near_end)
{
	plan_readmits_near(70, 0xb);
	plan_readmits_near(30, 0x3);
}
END_TEST

/* ---- the peak finder --------------------------------------------------- */

static uint32_t gauss_noise(unsigned int *state, double sigma)
{
	double u1, u2;

	*state = *state * 1103515245u + 12345u;
	u1 = ((*state >> 8) + 1) / 16777217.0;
	*state = *state * 1103515245u + 12345u;
	u2 = ((*state >> 8) + 1) / 16777217.0;
	return (uint32_t)lround(sigma * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

/* Lorentzians of height h at centres c (samples), FWHM fw, on a floor. */
static void synth(uint32_t *y, unsigned int n, const double *c,
		  const double *h, unsigned int np, double fw, double sigma)
{
	unsigned int i, k, st = 7;

	for (i = 0; i < n; i++) {
		double v = 20000;

		for (k = 0; k < np; k++) {
			double d = 2 * (i - c[k]) / fw;

			v += h[k] / (1 + d * d);
		}
		y[i] = (uint32_t)lround(v) + gauss_noise(&st, sigma) + 20000;
	}
}

START_TEST(test_peaks_found_and_fitted)
{
	static const double c[] = { 20.3, 61.7, 97.5, 130.1 };
	static const double h[] = { 1.4e6, 9e5, 1.2e6, 3e5 };
	struct oio_trace_peak pk[16];
	uint32_t y[147];
	unsigned int n, k;
	double noise;

	synth(y, 147, c, h, 4, 6, 2000);
	noise = oio_trace_noise(y, 147);
	ck_assert_msg(noise > 1400 && noise < 2800, "noise %g", noise);
	n = oio_trace_peaks(y, 147, pk, 16);
	ck_assert_uint_eq(n, 4);
	for (k = 0; k < 4; k++) {
		ck_assert_msg(fabs(pk[k].index - c[k]) < 0.25, "peak %u at %g",
			      k, pk[k].index);
		/* the small one sits on its neighbours' tails */
		ck_assert_msg(fabs(pk[k].height_na / h[k] - 1) < 0.12,
			      "peak %u height %g", k, pk[k].height_na);
		ck_assert_msg(fabs(pk[k].width - 6) < 1.0, "peak %u width %g",
			      k, pk[k].width);
		ck_assert(!pk[k].edge);
	}
	/* bring-up's entry, the noise given, finds the very same peaks */
	{
		struct oio_trace_peak same[16];

		ck_assert_uint_eq(lio_trace_peaks_noise(y, 147, noise, same, 16),
				  n);
		ck_assert_mem_eq(same, pk, n * sizeof(*pk));
	}
}
END_TEST

START_TEST(test_peaks_flat_and_edges)
{
	static const double c[] = { 0, 146 }, h[] = { 1e6, 8e5 };
	static const double cut[] = { 144 };
	struct oio_trace_peak pk[16];
	uint32_t y[147];
	unsigned int n;

	/* noise alone is no peak */
	synth(y, 147, c, h, 0, 6, 3000);
	ck_assert_uint_eq(oio_trace_peaks(y, 147, pk, 16), 0);
	/* half peaks at the ends are flagged */
	synth(y, 147, c, h, 2, 6, 2000);
	n = oio_trace_peaks(y, 147, pk, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert(pk[0].edge && pk[1].edge);
	/*
	 * The tallest peak, the last sample still on its flank: the trace
	 * runs off both sides without a higher sample, and its floor is the
	 * lower valley, not the flank it was cut on.
	 */
	synth(y, 147, cut, h, 1, 6, 2000);
	n = oio_trace_peaks(y, 147, pk, 16);
	ck_assert_uint_eq(n, 1);
	ck_assert_msg(pk[0].floor_na < 60000, "floor %g", pk[0].floor_na);
	ck_assert_msg(fabs(pk[0].height_na / h[0] - 1) < 0.15, "height %g",
		      pk[0].height_na);
	/* too short for a noise figure */
	ck_assert(oio_trace_noise(y, 5) == 0);
}
END_TEST

/* ---- what bring-up measures, against the card's truth ------------------ */

static void bring(uint64_t seed, const char *knob, int64_t val,
		  const char *knob2, int64_t val2)
{
	struct oio_card_info info;
	int err;

	simcard_init(&card, 8, 8);
	ck_assert_int_eq(simcard_set(&card, "seed", (int64_t)seed), 0);
	if (knob)
		ck_assert_int_eq(simcard_set(&card, knob, val), 0);
	if (knob2)
		ck_assert_int_eq(simcard_set(&card, knob2, val2), 0);
	simcard_realize(&card);
	simio_init(&sio, &card);
	simio_card_info(&sio, &info);
	err = lio_bringup_up(&sio.io, &info, NULL, &rep, NULL, NULL);
	ck_assert_msg(err == 0, "bring-up: %d %s", err, sio.errmsg);
}

static void teardown(void)
{
	simcard_free(&card);
	simio_fini(&sio);
}

static void close_to(const char *what, double got, double want, double tol)
{
	ck_assert_msg(fabs(got - want) <= tol, "%s: measured %g, card %g", what,
		      got, want);
}

START_TEST(test_measures_time_constant)
{
	/* not 4000: bring-up's guess when it measures nothing */
	static const int64_t taus[] = { 2000, 5500, 10000 };
	int64_t tau = taus[_i];

	bring(301 + _i, "heater-tau-ns", tau, "heater-tau-spread-permille", 200);
	close_to("heater tau", rep.measured.heater_tau_ns, tau, 0.15 * tau);
}
END_TEST

START_TEST(test_measures_crosstalk)
{
	/* not 0: a fit that does nothing finds that */
	static const int64_t xt[] = { 30, 80, 150 };

	bring(311 + _i, "crosstalk-permille", xt[_i], "crosstalk-nn-permille",
	      xt[_i] / 8);
	close_to("crosstalk", rep.measured.crosstalk, xt[_i] / 1000.0, 0.02);
	close_to("next-nearest crosstalk", rep.measured.crosstalk_nn,
		 xt[_i] / 8000.0, 0.01);
}
END_TEST

START_TEST(test_measures_fsr_and_lines)
{
	static const int64_t fsr[] = { 937, 1000, 1125 };
	OioEngineState *s = &card.s;
	double want, spacing;
	unsigned int l;

	bring(321 + _i, "fsr-permille", fsr[_i], "laser-error-pm", 250);
	spacing = s->spacing_pm;
	want = fsr[_i] / 1000.0 * s->wavelengths * spacing;
	close_to("FSR", rep.measured.fsr_pm, want, 0.005 * want);
	/*
	 * The lines against each other (a common offset is the rings' too),
	 * within a fifth of a spacing: the comb bring-up fits has one FSR,
	 * and the card's changes from order to order, which biases them.
	 */
	for (l = 1; l < s->wavelengths; l++)
		close_to("line spacing",
			 rep.measured.line_pm[l] - rep.measured.line_pm[0],
			 oio_line_pm(s, l, card.now) - oio_line_pm(s, 0, card.now),
			 0.2 * spacing);
	ck_assert(isnan(rep.measured.dim_shift_pm[0]));
}
END_TEST

/*
 * The lines' rms misfit, pm, once the measured ones are laid over the
 * card's by the straight line that fits best: bring-up's pm are its own,
 * so their offset and scale are free.
 */
static double lines_misfit(void)
{
	OioEngineState *s = &card.s;
	unsigned int W = s->wavelengths, l;
	double mt = 0, mm = 0, sxx = 0, sxy = 0, ss = 0, b;
	double tr[OIO_MAX_WAVELENGTHS];

	for (l = 0; l < W; l++) {
		tr[l] = oio_line_pm(s, l, card.now);
		mt += tr[l] / W;
		mm += rep.measured.line_pm[l] / W;
	}
	for (l = 0; l < W; l++) {
		sxx += (tr[l] - mt) * (tr[l] - mt);
		sxy += (tr[l] - mt) * (rep.measured.line_pm[l] - mm);
	}
	b = sxy / sxx;
	for (l = 0; l < W; l++) {
		double e = rep.measured.line_pm[l] - mm - b * (tr[l] - mt);

		ss += e * e;
	}
	return sqrt(ss / W);
}

START_TEST(test_measures_lines_closely)
{
	double misfit;

	/*
	 * Lines as far off their grid as the envelope goes, rings as spread:
	 * the rings' laws bend the lines that passes move by medians alone,
	 * 13 to 34 pm rms on these cards; the lines and rings fitted
	 * together put them within 2 to 5.
	 */
	bring(341 + _i, "laser-error-pm", 250, "ring-spread-pm", 3000);
	misfit = lines_misfit();
	ck_assert_msg(misfit < 10, "lines off the card's by %.1f pm rms",
		      misfit);
}
END_TEST

START_TEST(test_measures_noise_and_width)
{
	static const int64_t noise[] = { 500, 2000, 14000 };
	static const int64_t q[] = { 10000, 5000, 2500 };
	double fwhm;

	bring(331 + _i, "monitor-noise-na", noise[_i], "ring-q", q[_i]);
	close_to("monitor noise", rep.measured.noise_na, noise[_i],
		 0.25 * noise[_i] + 100);
	/* a broad line's peak sits on its neighbours' tails: a bit narrow */
	fwhm = 1310000.0 / q[_i];
	close_to("linewidth", rep.measured.fwhm_pm, fwhm, 0.25 * fwhm);
	ck_assert_uint_ge(rep.measured.rings_named, 120);
}
END_TEST

/* ---- loops side by side -------------------------------------------- */

#define PAR_N	1000

struct par_seen {
	atomic_uint count[PAR_N];
	pthread_t who[PAR_N];
};

static void see(void *arg, unsigned int i)
{
	struct par_seen *ps = arg;

	atomic_fetch_add(&ps->count[i], 1);
	ps->who[i] = pthread_self();
}

/* Every index once; none for n 0; n 1 on the calling thread. */
START_TEST(test_par_every_index_once)
{
	static struct par_seen ps;
	unsigned int i;

	lio_par_for(PAR_N, see, &ps);
	for (i = 0; i < PAR_N; i++)
		ck_assert_uint_eq(atomic_load(&ps.count[i]), 1);
	lio_par_for(0, see, &ps);
	for (i = 0; i < PAR_N; i++)
		ck_assert_uint_eq(atomic_load(&ps.count[i]), 1);
	lio_par_for(1, see, &ps);
	ck_assert_uint_eq(atomic_load(&ps.count[0]), 2);
	ck_assert(pthread_equal(ps.who[0], pthread_self()));
}
END_TEST

/*
 * Up to 2 s for *v to reach want, letting other threads run: false if
 * it does not.
 */
static bool reaches(atomic_uint *v, unsigned int want)
{
	int64_t end = simcard_host_ns() + 2000000000;

	while (atomic_load(v) < want) {
		if (simcard_host_ns() > end)
			return false;
		sched_yield();
	}
	return true;
}

struct meeting {
	atomic_uint arrived;
	atomic_uint stood_up;
};

/* Wait up to 2 s for the other index: only threads side by side meet. */
static void meet(void *arg, unsigned int i)
{
	struct meeting *m = arg;

	(void)i;
	atomic_fetch_add(&m->arrived, 1);
	if (!reaches(&m->arrived, 2))
		atomic_fetch_add(&m->stood_up, 1);
}

/* An index that sleeps a little: a thread beside it would take some. */
static void see_asleep(void *arg, unsigned int i)
{
	const struct timespec nap = { 0, 100000 };

	see(arg, i);
	nanosleep(&nap, NULL);
}

static unsigned int first_cpu(const cpu_set_t *set)
{
	unsigned int c;

	for (c = 0; c < CPU_SETSIZE && !CPU_ISSET(c, set); c++)
		;
	return c;
}

/*
 * With two CPUs allowed, two indices run at once; with one, every index
 * runs on the calling thread.
 */
START_TEST(test_par_follows_affinity)
{
	static struct par_seen ps;
	struct meeting m = { 0 };
	cpu_set_t all, one;
	unsigned int i;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(all), &all), 0);
	if (CPU_COUNT(&all) >= 2) {
		lio_par_for(2, meet, &m);
		ck_assert_uint_eq(atomic_load(&m.stood_up), 0);
	} else {
		fprintf(stderr, "# one CPU: two at once not tried\n");
	}
	CPU_ZERO(&one);
	CPU_SET(first_cpu(&all), &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	lio_par_for(100, see_asleep, &ps);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(all), &all), 0);
	for (i = 0; i < 100; i++) {
		ck_assert_uint_eq(atomic_load(&ps.count[i]), 1);
		ck_assert(pthread_equal(ps.who[i], pthread_self()));
	}
}
END_TEST

struct held {
	atomic_uint began;
	atomic_uint go;
	atomic_uint stood_up;
	pthread_t who;
};

/* Index 0 says it began, then waits up to 2 s for the caller's go. */
static void wait_for_go(void *arg, unsigned int i)
{
	struct held *h = arg;

	(void)i;
	h->who = pthread_self();
	atomic_store(&h->began, 1);
	if (!reaches(&h->go, 1))
		atomic_fetch_add(&h->stood_up, 1);
}

/*
 * A loop started in the background runs while the caller goes on, on a
 * thread of its own even where one CPU is allowed; finish runs what is
 * left and joins; the caller is not cancelled in between.
 */
START_TEST(test_par_in_background)
{
	static struct par_seen ps;
	struct held h = { 0 };
	cpu_set_t all, one;
	struct lio_par p;
	unsigned int i;
	int state;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(all), &all), 0);
	CPU_ZERO(&one);
	CPU_SET(first_cpu(&all), &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	lio_par_start(&p, 1, wait_for_go, &h);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	ck_assert_int_eq(state, PTHREAD_CANCEL_DISABLE);
	pthread_setcancelstate(state, NULL);
	ck_assert(reaches(&h.began, 1));
	ck_assert(!pthread_equal(h.who, pthread_self()));
	atomic_store(&h.go, 1);
	lio_par_finish(&p);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(all), &all), 0);
	ck_assert_uint_eq(atomic_load(&h.stood_up), 0);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &state);
	ck_assert_int_eq(state, PTHREAD_CANCEL_ENABLE);

	lio_par_start(&p, PAR_N, see, &ps);
	lio_par_finish(&p);
	for (i = 0; i < PAR_N; i++)
		ck_assert_uint_eq(atomic_load(&ps.count[i]), 1);
	lio_par_start(&p, 0, see, &ps);
	lio_par_finish(&p);
	for (i = 0; i < PAR_N; i++)
		ck_assert_uint_eq(atomic_load(&ps.count[i]), 1);

	/* a caller that was not to be cancelled still is not */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	lio_par_start(&p, 2, see, &ps);
	lio_par_finish(&p);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &state);
	ck_assert_int_eq(state, PTHREAD_CANCEL_DISABLE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tuning");
	TCase *tc = tcase_create("arithmetic");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_law_inverts);
	tcase_add_test(tc, test_comb_pair_nearest);
	tcase_add_test(tc, test_comb_pair_edges);
	tcase_add_test(tc, test_fold_within);
	tcase_add_test(tc, test_comb_within);
	tcase_add_test(tc, test_select_ranks);
	tcase_add_test(tc, test_median_as_sorted);
	tcase_add_test(tc, test_code_windows_unique);
	tcase_add_test(tc, test_classes_apart);
	tcase_add_test(tc, test_plan_readmits);
	tcase_add_test(tc, test_plan_readmit_keeps_room);
	tcase_add_test(tc, test_plan_trades_lane);
	tcase_add_test(tc, test_plan_readmits_lane);
	tcase_add_test(tc, test_plan_readmits_near_end);
	tcase_add_test(tc, test_peaks_found_and_fitted);
	tcase_add_test(tc, test_peaks_flat_and_edges);
	tcase_add_test(tc, test_par_every_index_once);
	tcase_add_test(tc, test_par_follows_affinity);
	tcase_add_test(tc, test_par_in_background);
	suite_add_tcase(s, tc);
	tc = tcase_create("measured");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_measures_time_constant, 0, 3);
	tcase_add_loop_test(tc, test_measures_crosstalk, 0, 3);
	tcase_add_loop_test(tc, test_measures_fsr_and_lines, 0, 3);
	tcase_add_loop_test(tc, test_measures_lines_closely, 0, 4);
	tcase_add_loop_test(tc, test_measures_noise_and_width, 0, 3);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
