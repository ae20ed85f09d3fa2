// SPDX-License-Identifier: GPL-2.0-only
/*
 * White-box tests of the analysis' naming rules, on rings laid out by
 * hand: what judge() (lib/naming.c) charges a naming that puts several
 * peaks on one line, and when merge_split() (lib/tuning.c) takes two
 * neighbouring peaks for the halves of one resonance. The card-level
 * tests (unit-bringup) catch a rule that regresses only through the
 * cards whose course it changes; these pin each rule to the case it was
 * written for.
 *
 * The two library files are compiled into this one, so that their static
 * functions are in reach; the test links the rest of the library alone.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/naming.c"
#include "../../lib/tuning.c"

#define SPACING		800.0
#define FULL_NA		1000.0
#define SIGMA		100.0

static struct oio_tune *t;
static struct oio_comb cb;

/*
 * Eight lines 800 pm apart, an FSR of eight of them. Lines 0 to 3 coded
 * and lit in B (not dark), their dimming 1 as lio_tune_init() leaves it:
 * a peak's height ratio of 1 costs nothing on any line.
 */
static void setup(void)
{
	static const struct oio_tune_geom g = {
		.ports = 1, .wavelengths = 8, .first_pm = 0,
		.spacing_pm = SPACING, .fsr_pm = 8 * SPACING,
		.range_pm = 7000, .fwhm_pm = 100,
	};
	static const struct oio_tune_sweep sw = {
		.start = 0, .step = 32, .points = 128, .dwell_ns = 1000,
	};
	double uw[8];
	unsigned int l;

	for (l = 0; l < 8; l++)
		uw[l] = 100;
	t = calloc(1, sizeof(*t));
	ck_assert_ptr_nonnull(t);
	lio_tune_init(t, &g, &sw, &sw, &sw, 0x0f, 0xff, uw);
	lio_comb_init(&cb, t->line_pm, NULL, 8, t->fsr_pm);
}

static void teardown(void)
{
	free(t);
}

/* A peak of ring rg where a response (o, q, square law) meets pos. */
static void add_peak(struct oio_tune_ring *rg, double o, double q,
		     double pos, double height)
{
	struct oio_tune_peak *p = &rg->pk[rg->n++];

	memset(p, 0, sizeof(*p));
	p->x = lio_tune_law_inv((pos - o) / q, 0);
	p->code_a = p->x * OIO_HEATER_MAX;
	p->code_b = p->code_a;
	p->height = height;
	p->width = 40;
	p->ratio = 1;
	p->anchor = -1;
	p->line = -1;
}

/* The cost judge() gives the response (o, q, square law) on ring rg. */
static double judged(struct oio_tune_ring *rg, double o, double q)
{
	struct ring_terms *tm = malloc(sizeof(*tm));
	struct naming nm = { .o = o, .q = q, .h = 0 };

	ck_assert_ptr_nonnull(tm);
	rg->ref_na = FULL_NA;
	ring_terms(t, rg, &cb, tm);
	judge(t, rg, tm, NULL, &nm, SIGMA, INFINITY);
	free(tm);
	return nm.cost;
}

/*
 * Peaks on line 3 (2,400 pm), off it by off[], of heights h[], of a ring
 * whose response reaches an FSR above it.
 */
static double on_line_3(unsigned int n, const double *off, const double *h)
{
	struct oio_tune_ring *rg = &t->ring[0];
	unsigned int i;

	memset(rg, 0, sizeof(*rg));
	for (i = 0; i < n; i++)
		add_peak(rg, -4500, 14000, t->line_pm[3] + off[i], h[i]);
	return judged(rg, -4500, 14000);
}

/*
 * Two full peaks on one line, in one order, cannot both be a ring's: the
 * one that saves less pays ANCHOR_COST, once, whichever peak wins the
 * line - here a weak one nearer it - and whatever order they come in.
 */
START_TEST(test_full_peaks_on_one_line)
{
	/* full peaks 2.8 and 2.9 sigma off the line, a weak one on it */
	static const double off[2][3] = {
		{ 2.8 * SIGMA, -2.9 * SIGMA, 5 },
		{ 5, 2.8 * SIGMA, -2.9 * SIGMA },
	};
	static const double h[2][3] = {
		{ FULL_NA, FULL_NA, 0.5 * FULL_NA },
		{ 0.5 * FULL_NA, FULL_NA, FULL_NA },
	};
	double cost[2], won, lost;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		cost[k] = on_line_3(3, off[k], h[k]);
		ck_assert_msg(cost[k] >= ANCHOR_COST &&
			      cost[k] < 2 * ANCHOR_COST,
			      "order %u: cost %g, two full peaks on a line",
			      k, cost[k]);
	}
	ck_assert_msg(fabs(cost[0] - cost[1]) < 1e-9 * cost[0],
		      "cost %g one order, %g the other", cost[0], cost[1]);

	/* a full peak just winning the line costs about as much */
	won = on_line_3(3, (const double[]){ 2.5 * SIGMA, -2.9 * SIGMA, 5 },
			h[0]);
	lost = on_line_3(3, (const double[]){ 2.6 * SIGMA, -2.9 * SIGMA, 5 },
			 h[0]);
	ck_assert_msg(fabs(won - lost) < 1, "cost %g won, %g lost", won, lost);

	/* both 3 sigma off or more, they save nothing alike: a tie */
	cost[0] = on_line_3(2, (const double[]){ 3.5 * SIGMA, -3.6 * SIGMA },
			    (const double[]){ FULL_NA, FULL_NA });
	ck_assert_msg(cost[0] >= ANCHOR_COST && cost[0] < 2 * ANCHOR_COST,
		      "cost %g, two full peaks tied on a line", cost[0]);
}
END_TEST

/* One full peak and a weak one on a line: a split, not two resonances. */
START_TEST(test_split_not_rivals)
{
	double cost, other;

	/* the weak one wins the line */
	cost = on_line_3(2, (const double[]){ 2.8 * SIGMA, 5 },
			 (const double[]){ FULL_NA, 0.5 * FULL_NA });
	ck_assert_msg(cost < ANCHOR_COST, "cost %g", cost);
	/* the full one, unexplained, costs the same wherever it is */
	other = on_line_3(2, (const double[]){ 2.9 * SIGMA, 5 },
			  (const double[]){ FULL_NA, 0.5 * FULL_NA });
	ck_assert_msg(fabs(cost - other) < 1e-9 * cost, "cost %g, then %g",
		      cost, other);
	/* the full one wins the line */
	cost = on_line_3(2, (const double[]){ SIGMA, 5 },
			 (const double[]){ FULL_NA, 0.5 * FULL_NA });
	ck_assert_msg(cost < ANCHOR_COST, "cost %g", cost);
}
END_TEST

/* A line met a whole order up is another meeting: no rival. */
START_TEST(test_orders_apart_no_rivals)
{
	double cost;

	cost = on_line_3(2, (const double[]){ 0, t->fsr_pm },
			 (const double[]){ FULL_NA, FULL_NA });
	ck_assert_msg(cost < 1e-6, "cost %g", cost);
	/*
	 * a weak peak winning the line from a full one, a full one on it an
	 * order up: one full peak each time the ring meets the line
	 */
	cost = on_line_3(3, (const double[]){ 2.8 * SIGMA, 5, t->fsr_pm },
			 (const double[]){ FULL_NA, 0.5 * FULL_NA, FULL_NA });
	ck_assert_msg(cost < ANCHOR_COST, "cost %g", cost);
}
END_TEST

/*
 * Rings 0 and 3 of a bus are swept together (one class). Ring 0 is named
 * so that at drive x_mid it sits on line 5 an order below where ring 3's
 * response (o3, q3) meets it: it takes that line's middle there in sweep
 * A, and ring 3's peak comes in two halves.
 */
static const double o3 = 500, q3 = 7000;

static struct oio_tune_ring *split_ring(double x_mid)
{
	struct oio_tune_ring *up = &t->ring[lio_tune_ring_of(&t->g, 0, 0, 0)];
	struct oio_tune_ring *rg = &t->ring[lio_tune_ring_of(&t->g, 0, 0, 3)];

	memset(up, 0, sizeof(*up));
	up->named = true;
	up->q = 7000;
	up->h = 0;
	up->fwhm_pm = 100;
	up->o = t->line_pm[5] - t->fsr_pm - up->q * lio_tune_law(x_mid, 0);
	memset(rg, 0, sizeof(*rg));
	rg->fwhm_pm = 100;
	t->q_pm = q3;
	return rg;
}

/* two halves 60 pm either side of line 5, where the ring meets it */
static void add_halves(struct oio_tune_ring *rg, double ha, double hb)
{
	add_peak(rg, o3, q3, t->line_pm[1] - 800, FULL_NA);
	add_peak(rg, o3, q3, t->line_pm[5] - 60, ha);
	add_peak(rg, o3, q3, t->line_pm[5] + 60, hb);
	add_peak(rg, o3, q3, t->line_pm[7], FULL_NA);
}

START_TEST(test_split_peak_merged)
{
	struct oio_tune_ring *rg;
	double xa, xb;

	rg = split_ring(lio_tune_law_inv((t->line_pm[5] - o3) / q3, 0));
	add_peak(rg, o3, q3, t->line_pm[1], FULL_NA);
	add_peak(rg, o3, q3, t->line_pm[5] - 60, 0.4 * FULL_NA);
	add_peak(rg, o3, q3, t->line_pm[5] + 60, 0.6 * FULL_NA);
	/* a sliver within reach of the merged peak, not of the first half */
	add_peak(rg, o3, q3, t->line_pm[5] + 100, 0.2 * FULL_NA);
	xa = rg->pk[1].x;
	xb = rg->pk[2].x;
	merge_split(t, &cb, closest_lines(t), rg, 0, 0, 3);
	ck_assert_uint_eq(rg->n, 3);
	ck_assert(rg->pk[1].merged);
	/* where the heights weigh it: nearer the taller half */
	ck_assert(rg->pk[1].x > (xa + xb) / 2 && rg->pk[1].x < xb);
	ck_assert(rg->pk[1].height == 0.6 * FULL_NA);
	ck_assert(!rg->pk[0].merged && !rg->pk[2].merged);
	ck_assert(rg->pk[2].height == 0.2 * FULL_NA);

	/* once: a merged peak is not merged again, sliver or not */
	merge_split(t, &cb, closest_lines(t), rg, 0, 0, 3);
	ck_assert_uint_eq(rg->n, 3);
}
END_TEST

/* With no ring upstream on a line between them, two peaks are two. */
START_TEST(test_close_peaks_not_split)
{
	struct oio_tune_ring *rg;

	/* ring 0 half a spacing off line 5 where ring 3 meets it */
	rg = split_ring(lio_tune_law_inv((t->line_pm[5] - o3 + SPACING / 2) /
					 q3, 0));
	add_halves(rg, 0.4 * FULL_NA, 0.6 * FULL_NA);
	merge_split(t, &cb, closest_lines(t), rg, 0, 0, 3);
	ck_assert_uint_eq(rg->n, 4);
}
END_TEST

/* Halves that lone-line sweeps showed on different lines stay apart. */
START_TEST(test_split_anchored_apart)
{
	struct oio_tune_ring *rg;

	rg = split_ring(lio_tune_law_inv((t->line_pm[5] - o3) / q3, 0));
	add_halves(rg, 0.4 * FULL_NA, 0.6 * FULL_NA);
	rg->pk[1].anchor = 4;
	rg->pk[2].anchor = 5;
	merge_split(t, &cb, closest_lines(t), rg, 0, 0, 3);
	ck_assert_uint_eq(rg->n, 4);

	/* one half anchored: the merged peak keeps its line */
	rg->pk[1].anchor = -1;
	merge_split(t, &cb, closest_lines(t), rg, 0, 0, 3);
	ck_assert_uint_eq(rg->n, 3);
	ck_assert_int_eq(rg->pk[1].anchor, 5);
}
END_TEST

/* Further apart than a linewidth and a half: two resonances. */
START_TEST(test_far_peaks_not_merged)
{
	struct oio_tune_ring *rg;

	rg = split_ring(lio_tune_law_inv((t->line_pm[5] - o3) / q3, 0));
	add_peak(rg, o3, q3, t->line_pm[5] - 100, 0.4 * FULL_NA);
	add_peak(rg, o3, q3, t->line_pm[5] + 100, 0.6 * FULL_NA);
	merge_split(t, &cb, closest_lines(t), rg, 0, 0, 3);
	ck_assert_uint_eq(rg->n, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("naming");
	TCase *tc = tcase_create("judge");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_peaks_on_one_line);
	tcase_add_test(tc, test_split_not_rivals);
	tcase_add_test(tc, test_orders_apart_no_rivals);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge_split");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_split_peak_merged);
	tcase_add_test(tc, test_close_peaks_not_split);
	tcase_add_test(tc, test_split_anchored_apart);
	tcase_add_test(tc, test_far_peaks_not_merged);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
