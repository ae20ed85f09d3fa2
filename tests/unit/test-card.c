// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the emulated card (the QEMU model's own files, built
 * by tests/unit/simcard.c): each way the model differs from an ideal card
 * - per-ring heater law, time constant, Q and monitor gain, crosstalk per
 * neighbour pair and to next-nearest rings, an FSR that changes from order
 * to order, laser lines that move with bias, monitor noise and ADC steps,
 * lock loops that take time, sit a little off and can fail - is checked
 * against its knob, and what a card cannot know (which line a ring is on,
 * the seed behind a serial) is checked to stay unknown.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "simcard.h"

static struct simcard card, card2;

static void make(struct simcard *c, uint64_t seed)
{
	simcard_init(c, 8, 8);
	ck_assert_int_eq(simcard_set(c, "seed", (int64_t)seed), 0);
}

static void teardown(void)
{
	simcard_free(&card);
	simcard_free(&card2);
}

static void light_all(struct simcard *c)
{
	unsigned int l;

	simcard_wr(c, OIO_REG_ARM, OIO_ARM_KEY);
	for (l = 0; l < c->s.wavelengths; l++)
		simcard_wr(c, OIO_LASER_REG(l, OIO_LASER_CTRL), OIO_LASER_ENABLE);
	simcard_wait(c, 2000000);
}

/* Put ring r on line l (any order), its neighbours as they are. */
static void place(struct simcard *c, unsigned int r, unsigned int l)
{
	OioEngineState *s = &c->s;
	unsigned int lane = r / 2, W = s->wavelengths;
	unsigned int port = lane / W, w = lane % W;
	OioRing *g = &s->ring[r];
	double own, d;
	BusView b;
	int i;

	for (i = 0; i < 3; i++) {
		oio_bus_view(s, port, r % 2, c->now, NULL, &b);
		own = oio_ring_heater_shift(s, r, c->now);
		d = oio_detune(b.line[l], b.res[w], b.fsr[w], s->fsr_slope,
			       s->cfg.grid_center_pm);
		if (own + d < 0)
			d += b.fsr[w];
		if (own + d > g->range_pm)
			d -= b.fsr[w];
		simcard_wr(c, OIO_RING_REG(r, OIO_RING_HEATER),
			   oio_heater_code(own + d, g->range_pm, g->law));
		simcard_wait(c, 100000);
	}
}

static double detune_of(struct simcard *c, unsigned int r, unsigned int l)
{
	OioEngineState *s = &c->s;
	unsigned int lane = r / 2, W = s->wavelengths;
	BusView b;

	oio_bus_view(s, lane / W, r % 2, c->now, NULL, &b);
	return oio_detune(b.line[l], b.res[lane % W], b.fsr[lane % W],
			  s->fsr_slope, s->cfg.grid_center_pm);
}

static uint32_t lock_state(struct simcard *c, unsigned int r)
{
	return simcard_rd(c, OIO_RING_REG(r, OIO_RING_LOCK_STATUS)) &
	       OIO_LOCK_ST_MASK;
}

/* ---- What a card cannot know ------------------------------------------- */

START_TEST(test_serial_says_nothing)
{
	uint32_t a, b;

	make(&card, 1);
	simcard_realize(&card);
	make(&card2, 1);
	simcard_realize(&card2);
	a = simcard_rd(&card, OIO_REG_SERIAL);
	b = simcard_rd(&card2, OIO_REG_SERIAL);
	/* same seed, same silicon, different cards */
	ck_assert_uint_ne(a, b);
	ck_assert_double_eq(card.s.ring[5].design_pm, card2.s.ring[5].design_pm);
	/* a reset to another seed keeps the serial */
	ck_assert_int_eq(simcard_set(&card, "seed", 77), 0);
	simcard_wr(&card, OIO_REG_RESET, OIO_RESET_KEY);
	ck_assert_uint_eq(simcard_rd(&card, OIO_REG_SERIAL), a);
	ck_assert_double_ne(card.s.ring[5].design_pm, card2.s.ring[5].design_pm);
}
END_TEST

/* ---- Silicon draws ------------------------------------------------------ */

/* Every spread knob scales its draw; 0 makes the silicon ideal. */
START_TEST(test_spreads_follow_their_knobs)
{
	static const char *const knobs[] = {
		"heater-law-permille", "heater-tau-spread-permille",
		"ring-q-spread-permille", "monitor-gain-spread-permille",
		"crosstalk-spread-permille",
	};
	double dev[5] = { 0 }, design5;
	unsigned int k, r, i;

	make(&card, 3);
	for (k = 0; k < 5; k++)
		ck_assert_int_eq(simcard_set(&card, knobs[k], 0), 0);
	simcard_realize(&card);
	design5 = card.s.ring[5].design_pm;
	for (r = 0; r < card.s.rings; r++) {
		OioRing *g = &card.s.ring[r];

		ck_assert_double_eq(g->law, 0);
		ck_assert_double_eq(g->tau_scale, 1);
		ck_assert_double_eq(g->fwhm_pm, card.s.fwhm_pm);
		ck_assert_double_eq(g->gain, 1);
		for (i = 0; i < OIO_XT_N; i++)
			ck_assert_double_eq(g->xt_scale[i], 1);
	}
	for (k = 0; k < 5; k++)
		ck_assert_int_eq(simcard_set(&card, knobs[k], 200), 0);
	simcard_wr(&card, OIO_REG_RESET, OIO_RESET_KEY);
	/* the first model's draws come first: the rings did not move */
	ck_assert_double_eq(card.s.ring[5].design_pm, design5);
	for (r = 0; r < card.s.rings; r++) {
		OioRing *g = &card.s.ring[r];

		dev[0] = fmax(dev[0], fabs(g->law));
		dev[1] = fmax(dev[1], fabs(g->tau_scale - 1));
		dev[2] = fmax(dev[2], fabs(card.s.fwhm_pm / g->fwhm_pm - 1));
		dev[3] = fmax(dev[3], fabs(g->gain - 1));
		for (i = 0; i < OIO_XT_N; i++)
			dev[4] = fmax(dev[4], fabs(g->xt_scale[i] - 1));
	}
	for (k = 0; k < 5; k++) {
		ck_assert_msg(dev[k] <= 0.2 + 1e-12 && dev[k] > 0.18,
			      "%s: largest deviation %.3f", knobs[k], dev[k]);
	}
}
END_TEST

/* ---- Lasers ----------------------------------------------------------- */

START_TEST(test_line_moves_with_bias)
{
	double at80, at60;

	make(&card, 4);
	simcard_set(&card, "laser-drift-pm-per-ma", 15);
	simcard_realize(&card);
	light_all(&card);
	at80 = oio_line_pm(&card.s, 2, card.now);
	simcard_wr(&card, OIO_LASER_REG(2, OIO_LASER_BIAS_SET), 60000);
	simcard_wait(&card, 2000000);
	at60 = oio_line_pm(&card.s, 2, card.now);
	/* blue with less current, 15 pm/mA within the line's +-20 % */
	ck_assert_double_eq_tol(at80 - at60,
				20 * 15 * card.s.laser[2].drift_scale, 1e-6);
	ck_assert(at80 - at60 > 20 * 15 * 0.8 - 1e-9);
	ck_assert(at80 - at60 < 20 * 15 * 1.2 + 1e-9);
}
END_TEST

/*
 * A bus evaluated from its kept log1p terms must give, bit for bit, what
 * it gives computed afresh, whatever moved since they were kept.
 */
static void check_terms(struct simcard *c, unsigned int port,
			unsigned int side)
{
	OioEngineState *s = &c->s;
	unsigned int W = s->wavelengths, w, l;
	double drop[OIO_MAX_WAVELENGTHS];
	double in[OIO_MAX_WAVELENGTHS * OIO_MAX_WAVELENGTHS];
	struct oio_bus fresh;
	BusView b;

	oio_bus_view(s, port, side, c->now, NULL, &b);
	ck_assert_ptr_eq(b.bus.line_terms, b.terms);
	for (w = 0; w < W; w++)
		for (l = 0; l < W; l++) {
			double t = oio_line_term(b.line[l], b.fsr[w],
						 s->fsr_slope,
						 s->cfg.grid_center_pm);

			ck_assert_mem_eq(&b.terms[w * W + l], &t, sizeof(t));
		}
	fresh = b.bus;
	fresh.line_terms = NULL;
	oio_bus_eval(&fresh, drop, in);
	ck_assert_mem_eq(drop, b.drop, W * sizeof(double));
	ck_assert_mem_eq(in, b.in, W * W * sizeof(double));
}

/* Both buses of port 1, lit, after a reset if asked; the lines held. */
static void check_port(bool reset)
{
	double before[OIO_MAX_WAVELENGTHS];
	unsigned int l, side;

	for (l = 0; l < card.s.wavelengths; l++)
		before[l] = oio_line_pm(&card.s, l, card.now);
	if (reset) {
		simcard_wr(&card, OIO_REG_RESET, OIO_RESET_KEY);
		light_all(&card);
	}
	/* what moved is what the test says, not the lines */
	for (l = 0; l < card.s.wavelengths; l++) {
		double now = oio_line_pm(&card.s, l, card.now);

		ck_assert_mem_eq(&now, &before[l], sizeof(now));
	}
	for (side = 0; side < 2; side++)
		check_terms(&card, 1, side);
}

START_TEST(test_bus_terms_follow_what_they_depend_on)
{
	double fsr;
	unsigned int r, side;

	make(&card, 12);
	/* lines that do not move with bias, so a reset leaves them be */
	simcard_set(&card, "laser-drift-pm-per-ma", 0);
	simcard_set(&card, "fsr-order-permille", 30);
	simcard_realize(&card);
	light_all(&card);
	check_port(false);
	/* a ring heated: its resonance moves, the lines do not */
	r = oio_bus_ring(&card.s, 1, OIO_RING_TX, 3);
	simcard_wr(&card, OIO_RING_REG(r, OIO_RING_HEATER), 2500);
	simcard_wait(&card, 1000000);
	check_port(false);
	/*
	 * The grid centre the orders are counted from changes at once; the
	 * lines follow it only at a reset, so it goes back before one.
	 */
	ck_assert_int_eq(simcard_set(&card, "grid-center-pm", 1311000), 0);
	check_port(false);
	ck_assert_int_eq(simcard_set(&card, "grid-center-pm", 1310000), 0);
	check_port(false);
	/* the rings' FSRs, at a reset */
	fsr = card.s.ring[r].fsr_pm;
	ck_assert_int_eq(simcard_set(&card, "fsr-permille", 1040), 0);
	check_port(true);
	ck_assert_double_ne(card.s.ring[r].fsr_pm, fsr);
	/* how the FSR changes from order to order, at a reset */
	ck_assert_int_eq(simcard_set(&card, "fsr-order-permille", 20), 0);
	check_port(true);
	/* a line moved with its bias: every ring's term of it changes */
	simcard_set(&card, "laser-drift-pm-per-ma", 15);
	simcard_wr(&card, OIO_LASER_REG(2, OIO_LASER_BIAS_SET), 60000);
	simcard_wait(&card, 2000000);
	for (side = 0; side < 2; side++)
		check_terms(&card, 1, side);
}
END_TEST

/* ---- Heaters ---------------------------------------------------------- */

START_TEST(test_heater_law_and_tau_per_ring)
{
	OioRing *g;
	double tau, s0;

	make(&card, 5);
	simcard_set(&card, "heater-law-permille", 150);
	simcard_set(&card, "heater-tau-spread-permille", 200);
	simcard_realize(&card);
	g = &card.s.ring[9];
	ck_assert(fabs(g->law) > 0.001);
	simcard_wr(&card, OIO_RING_REG(9, OIO_RING_HEATER), 1000);
	tau = oio_heater_tau_ns(&card.s, 9);
	ck_assert_double_eq_tol(tau, 4000 * g->tau_scale, 1e-9);
	simcard_wait(&card, (int64_t)tau);
	s0 = oio_heater_shift(1000, g->range_pm, g->law);
	ck_assert_double_eq_tol(oio_ring_heater_shift(&card.s, 9, card.now),
				s0 * (1 - exp(-1)), s0 * 0.002);
	simcard_wait(&card, (int64_t)(10 * tau));
	ck_assert_double_eq_tol(oio_ring_heater_shift(&card.s, 9, card.now),
				s0, 1e-4 * s0);
	/* the law is the ring's own: not the square law */
	ck_assert(fabs(s0 - g->range_pm * pow(1000 / 4095.0, 2)) > 0.001 * s0);
}
END_TEST

/* Each neighbour heats a ring by its own share, side by side. */
START_TEST(test_crosstalk_per_pair)
{
	static const struct { int off; int idx; double x; } nb[] = {
		{ -1, OIO_XT_L1, 0.13 }, { 1, OIO_XT_R1, 0.13 },
		{ -2, OIO_XT_L2, 0.03 }, { 2, OIO_XT_R2, 0.03 },
	};
	unsigned int i, w = 3;
	BusView before, after;
	double sh, seen[4];

	make(&card, 6);
	simcard_set(&card, "crosstalk-permille", 130);
	simcard_set(&card, "crosstalk-nn-permille", 30);
	simcard_set(&card, "crosstalk-spread-permille", 300);
	simcard_realize(&card);
	for (i = 0; i < 4; i++) {
		unsigned int r = oio_bus_ring(&card.s, 1, OIO_RING_RX,
					      w + nb[i].off);

		oio_bus_view(&card.s, 1, OIO_RING_RX, card.now, NULL, &before);
		simcard_wr(&card, OIO_RING_REG(r, OIO_RING_HEATER), 3000);
		simcard_wait(&card, 1000000);
		sh = oio_ring_heater_shift(&card.s, r, card.now);
		oio_bus_view(&card.s, 1, OIO_RING_RX, card.now, NULL, &after);
		seen[i] = (after.res[w] - before.res[w]) / sh;
		ck_assert_double_eq_tol(seen[i], nb[i].x *
			card.s.ring[oio_bus_ring(&card.s, 1, OIO_RING_RX, w)]
				.xt_scale[nb[i].idx], 1e-9);
		simcard_wr(&card, OIO_RING_REG(r, OIO_RING_HEATER), 0);
		simcard_wait(&card, 1000000);
	}
	/* not symmetric: left and right differ */
	ck_assert(fabs(seen[0] - seen[1]) > 1e-4);
}
END_TEST

/* ---- Rings ------------------------------------------------------------- */

START_TEST(test_fsr_changes_with_order)
{
	OioEngineState *s;
	double res, f1, f2;
	unsigned int r = 20;

	make(&card, 7);
	simcard_set(&card, "fsr-permille", 1060);
	simcard_set(&card, "fsr-order-permille", 20);
	simcard_realize(&card);
	s = &card.s;
	ck_assert_uint_eq(simcard_rd(&card, OIO_REG_RING_FSR_PM),
			  (uint32_t)lround(8 * 1.06 * s->spacing_pm));
	res = s->ring[r].design_pm;
	/* the next two orders red-wards: 2 % wider the second time */
	f1 = s->ring[r].fsr_pm * (1 + 0.02 * (res - s->cfg.grid_center_pm +
					     s->ring[r].fsr_pm / 2) /
				      s->ring[r].fsr_pm);
	ck_assert_double_eq_tol(oio_detune(res + f1, res, s->ring[r].fsr_pm,
					   s->fsr_slope, s->cfg.grid_center_pm),
				0, 2.0);
	f2 = f1 * (1 + 0.02 * (f1 + f1) / 2 / s->ring[r].fsr_pm);
	ck_assert_double_eq_tol(oio_detune(res + f1 + f2, res,
					   s->ring[r].fsr_pm, s->fsr_slope,
					   s->cfg.grid_center_pm), 0, 4.0);
	ck_assert(f2 - f1 > 0.015 * f1);
}
END_TEST

/* Noise on by default, readings in whole ADC steps, gains differ. */
START_TEST(test_monitor_noise_steps_gain)
{
	uint32_t v, lo = UINT32_MAX, hi = 0;
	unsigned int i;
	double a, b;

	make(&card, 8);
	simcard_realize(&card);
	ck_assert_int_gt(simcard_get(&card, "monitor-noise-na"), 0);
	light_all(&card);
	place(&card, 0, 3);
	for (i = 0; i < 200; i++) {
		v = simcard_rd(&card, OIO_RING_REG(0, OIO_RING_MONITOR));
		ck_assert_uint_eq(v % 50, 0);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	/* about 2 uA rms: the 200 readings spread over several uA */
	ck_assert_uint_gt(hi - lo, 4000);
	ck_assert_uint_lt(hi - lo, 30000);

	/* Two TX rings first on their buses, each on a line, no noise. */
	simcard_set(&card, "monitor-noise-na", 0);
	place(&card, 16, 3);
	a = simcard_rd(&card, OIO_RING_REG(0, OIO_RING_MONITOR)) /
	    card.s.ring[0].gain;
	b = simcard_rd(&card, OIO_RING_REG(16, OIO_RING_MONITOR)) /
	    card.s.ring[16].gain;
	ck_assert_double_eq_tol(a / b, 1.0, 0.01);
	ck_assert(fabs(card.s.ring[0].gain - card.s.ring[16].gain) > 1e-4);
}
END_TEST

/* ---- Lock loops ------------------------------------------------------- */

START_TEST(test_lock_takes_time_and_sits_off)
{
	double d;

	make(&card, 9);
	simcard_set(&card, "monitor-noise-na", 20000);
	simcard_realize(&card);
	light_all(&card);
	place(&card, 0, 2);
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_ACQUIRING);
	/* the loop owns the heater while it acquires */
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_HEATER), 10);
	ck_assert_uint_ne(simcard_rd(&card, OIO_RING_REG(0, OIO_RING_HEATER)),
			  10);
	simcard_wait(&card, 39000);
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_ACQUIRING);
	simcard_wait(&card, 2000);
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_LOCKED);
	d = detune_of(&card, 0, 2);
	/* a small residual error: not zero with noise, far inside FWHM/2 */
	ck_assert(fabs(d) > 1e-3);
	ck_assert(fabs(d) < card.s.ring[0].fwhm_pm / 10);
}
END_TEST

/*
 * QEMU's timer runs late: the evaluation that ends a capture may come
 * after the capture was due, and re-tracks first at its own time. The
 * captured ring still ends up on its line, not where it sat before.
 */
START_TEST(test_late_capture_still_tracks)
{
	OioRing *g;
	double d;

	make(&card, 9);
	simcard_realize(&card);
	light_all(&card);
	place(&card, 0, 2);
	g = &card.s.ring[0];
	/* 20 pm off the line: the capture's climb, then the loop, fix that */
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_HEATER),
		   oio_heater_code(oio_ring_heater_shift(&card.s, 0, card.now) +
				   20, g->range_pm, g->law));
	/* the card settled: its temperature no longer asks for a solve */
	simcard_wait(&card, 30000000000LL);
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	/* past the capture (40 us), the timer not run: an evaluation does it */
	card.now += 45000;
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_LOCKED);
	d = detune_of(&card, 0, 2);
	ck_assert_msg(fabs(d) < g->fwhm_pm / 20, "%.3f pm off the line", d);
	simcard_wait(&card, 10000000);
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_LOCKED);
	d = detune_of(&card, 0, 2);
	ck_assert_msg(fabs(d) < g->fwhm_pm / 20, "%.3f pm off the line", d);
}
END_TEST

/*
 * Each ring on a line leaves a tenth of it: behind two on the RX bus (half
 * power already) a third ring sees so little that its loop slides off to
 * the tail of a neighbouring line - it does not hold the contested one -
 * and a line biased just over threshold is too weak for any ring.
 */
START_TEST(test_lock_fails_on_contested_or_weak_line)
{
	int i;

	make(&card, 10);
	simcard_realize(&card);
	light_all(&card);
	for (i = 0; i < 3; i++) {	/* neighbours heat each other */
		place(&card, 1, 4);	/* RX rings at bus positions 0, 1, 2 */
		place(&card, 3, 4);
		place(&card, 5, 4);
	}
	simcard_wr(&card, OIO_RING_REG(5, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	simcard_wait(&card, 100000);
	ck_assert(lock_state(&card, 5) == OIO_LOCK_NO_SIGNAL ||
		  fabs(detune_of(&card, 5, 4)) > card.s.ring[5].fwhm_pm);
	/* the first of them locks */
	simcard_wr(&card, OIO_RING_REG(1, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	simcard_wait(&card, 100000);
	ck_assert_uint_eq(lock_state(&card, 1), OIO_LOCK_LOCKED);

	simcard_wr(&card, OIO_LASER_REG(6, OIO_LASER_BIAS_SET), 20500);
	simcard_wait(&card, 2000000);
	place(&card, 16, 6);
	simcard_wr(&card, OIO_RING_REG(16, OIO_RING_LOCK_CTRL),
		   OIO_LOCK_ENABLE);
	simcard_wait(&card, 100000);
	ck_assert(lock_state(&card, 16) == OIO_LOCK_NO_SIGNAL ||
		  fabs(detune_of(&card, 16, 6)) > card.s.ring[16].fwhm_pm);
}
END_TEST

/* Far from any line the slope drowns in noise; without noise it climbs. */
START_TEST(test_lock_needs_a_slope)
{
	OioEngineState *s;
	unsigned int l;
	double d, worst = 0;
	int best = -1;

	make(&card, 11);
	simcard_set(&card, "ring-q", 10000);
	simcard_set(&card, "monitor-noise-na", 14000);
	simcard_realize(&card);
	s = &card.s;
	light_all(&card);
	place(&card, 0, 2);
	/* half way to the next line */
	for (l = 0; l < 8; l++) {
		d = fabs(detune_of(&card, 0, l));
		if (d > worst && l == 3) {
			worst = d;
			best = (int)l;
		}
	}
	ck_assert_int_eq(best, 3);
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_HEATER),
		   oio_heater_code(oio_ring_heater_shift(s, 0, card.now) +
				   detune_of(&card, 0, 3) / 2, s->ring[0].range_pm,
				   s->ring[0].law));
	simcard_wait(&card, 200000);
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	simcard_wait(&card, 100000);
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_NO_SIGNAL);
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_LOCK_CTRL), 0);
	simcard_set(&card, "monitor-noise-na", 0);
	simcard_wr(&card, OIO_RING_REG(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	simcard_wait(&card, 100000);
	ck_assert_uint_eq(lock_state(&card, 0), OIO_LOCK_LOCKED);
}
END_TEST

/* ---- Lanes ------------------------------------------------------------- */

static void lane_up(struct simcard *c, unsigned int n)
{
	simcard_wr(c, OIO_RING_REG(2 * n, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	simcard_wr(c, OIO_RING_REG(2 * n + 1, OIO_RING_LOCK_CTRL),
		   OIO_LOCK_ENABLE);
	simcard_wait(c, 100000);
	simcard_wr(c, OIO_LANE_REG(n, OIO_LANE_CTRL), OIO_LANE_REQ_INIT);
	simcard_wait(c, 200000);
	simcard_wr(c, OIO_LANE_REG(n, OIO_LANE_CTRL), OIO_LANE_REQ_ACTIVATE);
	simcard_wait(c, 200000);
	simcard_wr(c, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL),
		   OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR);
}

static double lane_ber_after(struct simcard *c, unsigned int n, int64_t ns)
{
	simcard_wait(c, ns);
	return (double)simcard_rd(c, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_LO)) /
	       simcard_rd(c, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_LO));
}

/*
 * Lane 0 on line 0 with both rings on line 1: the card activates it (it
 * cannot know), and the PRBS checker sees another lane's data.
 */
START_TEST(test_wrong_line_shows_only_as_errors)
{
	make(&card, 12);
	simcard_realize(&card);
	light_all(&card);
	place(&card, 0, 1);
	place(&card, 1, 1);
	lane_up(&card, 0);
	ck_assert_uint_eq(simcard_rd(&card, OIO_LANE_REG(0, OIO_LANE_STATE)),
			  OIO_DP_ACTIVATED);
	ck_assert_double_gt(lane_ber_after(&card, 0, 1000000), 0.3);
	/* the same rings on the lane's own line: error-free */
	simcard_wr(&card, OIO_REG_PORT_LINE_SHIFT(0), 0);
	simcard_wr(&card, OIO_LANE_REG(0, OIO_LANE_CTRL),
		   OIO_LANE_REQ_DEACTIVATE);
	simcard_wait(&card, 100000);
	simcard_wr(&card, OIO_REG_PORT_LINE_SHIFT(0), 1);
	lane_up(&card, 0);
	ck_assert_double_eq(lane_ber_after(&card, 0, 1000000), 0);
}
END_TEST

/* A second TX ring on a lane's line closes that lane's eye. */
START_TEST(test_interferer_closes_the_eye)
{
	make(&card, 13);
	simcard_realize(&card);
	light_all(&card);
	simcard_wr(&card, OIO_REG_PORT_LINE_SHIFT(0), 2);
	place(&card, 2, 3);	/* lane 1's rings on its line, 3 */
	place(&card, 3, 3);
	lane_up(&card, 1);
	ck_assert_double_eq(lane_ber_after(&card, 1, 1000000), 0);
	place(&card, 0, 3);	/* lane 0's TX ring, upstream, on line 3 too */
	ck_assert_double_gt(lane_ber_after(&card, 1, 1000000), 0.01);
}
END_TEST

/*
 * A checker counts what the bits happen to do, not what they do on
 * average: lane 0 with its RX ring taken off its loop and detuned until
 * it errs a little, 400 dwells of 100 us each count errors whose mean is
 * the lane's BER times the bits and whose variance is as large (the
 * counts a Poisson draw; expected values carried from dwell to dwell
 * would differ by at most one).
 */
START_TEST(test_prbs_errors_are_drawn)
{
	const int dwells = 400;
	double ber = 0, lambda, sum = 0, sq = 0, mean, var;
	uint32_t code, lo = UINT32_MAX, hi = 0;
	int i;

	make(&card, 12);
	simcard_realize(&card);
	light_all(&card);
	simcard_wr(&card, OIO_REG_PORT_LINE_SHIFT(0), 1);
	place(&card, 0, 1);
	place(&card, 1, 1);
	lane_up(&card, 0);
	ck_assert_double_eq(lane_ber_after(&card, 0, 1000000), 0);
	simcard_wr(&card, OIO_RING_REG(1, OIO_RING_LOCK_CTRL), 0);
	code = simcard_rd(&card, OIO_RING_REG(1, OIO_RING_HEATER));
	for (i = 0; i < 400 && ber < 3e-6; i++) {
		code += 4;
		simcard_wr(&card, OIO_RING_REG(1, OIO_RING_HEATER), code);
		simcard_wait(&card, 100000);
		simcard_wr(&card, OIO_LANE_REG(0, OIO_LANE_PRBS_CTRL),
			   OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR);
		ber = lane_ber_after(&card, 0, 1000000);
	}
	ck_assert_msg(ber >= 3e-6 && ber < 1e-3, "BER %g at code %u", ber,
		      code);
	simcard_wr(&card, OIO_LANE_REG(0, OIO_LANE_PRBS_CTRL),
		   OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR);
	ber = lane_ber_after(&card, 0, 20000000);
	lambda = ber * 3.2e6;
	for (i = 0; i < dwells; i++) {
		uint32_t k;

		simcard_wr(&card, OIO_LANE_REG(0, OIO_LANE_PRBS_CTRL),
			   OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR);
		simcard_wait(&card, 100000);
		ck_assert_uint_eq(simcard_rd(&card, OIO_LANE_REG(0,
				  OIO_LANE_PRBS_BITS_LO)), 3200000);
		k = simcard_rd(&card, OIO_LANE_REG(0, OIO_LANE_PRBS_ERR_LO));
		sum += k;
		sq += (double)k * k;
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	mean = sum / dwells;
	var = sq / dwells - mean * mean;
	/*
	 * standard errors: the mean's 2.4 % (1.4 % of the dwells', 2 % of
	 * lambda's own), the variance's 7 %
	 */
	ck_assert_msg(fabs(mean / lambda - 1) < 0.2, "mean %g, lambda %g",
		      mean, lambda);
	ck_assert_msg(var / mean > 0.7 && var / mean < 1.3,
		      "variance %g, mean %g (%u to %u)", var, mean, lo, hi);
}
END_TEST

/* Busy, as a library computing between two calls into the card is. */
static void spin_ns(int64_t ns)
{
	int64_t end = simcard_host_ns() + ns;

	while (simcard_host_ns() < end)
		;
}

/*
 * A card in real time sees the host's time between calls pass, as much as
 * went by and no more; a card out of it, none: its clock moves only in
 * simcard_wait(), by what that asks.
 */
START_TEST(test_realtime_card_sees_host_time)
{
	int64_t t0, h0;

	make(&card, 3);
	simcard_realize(&card);
	simcard_rd(&card, OIO_REG_SCRATCH);
	t0 = card.now;
	spin_ns(2000000);
	simcard_rd(&card, OIO_REG_SCRATCH);
	ck_assert_int_eq(card.now, t0);
	simcard_wait(&card, 1000);
	ck_assert_int_eq(card.now, t0 + 1000);
	h0 = simcard_host_ns();
	simcard_realtime(&card, true);
	t0 = card.now;
	spin_ns(2000000);
	simcard_wr(&card, OIO_REG_SCRATCH, 1);
	ck_assert_int_ge(card.now - t0, 2000000);
	/* and no more than went by */
	ck_assert_int_le(card.now - t0, simcard_host_ns() - h0);
	h0 = simcard_host_ns();
	simcard_rd(&card, OIO_REG_SCRATCH);
	t0 = card.now;
	spin_ns(2000000);
	simcard_wait(&card, 1000);
	ck_assert_int_ge(card.now - t0, 2001000);
	ck_assert_int_le(card.now - t0, simcard_host_ns() - h0 + 1000);
	simcard_realtime(&card, false);
	t0 = card.now;
	spin_ns(2000000);
	simcard_rd(&card, OIO_REG_SCRATCH);
	ck_assert_int_eq(card.now, t0);
}
END_TEST

static Suite *card_suite(void)
{
	Suite *s = suite_create("card");
	TCase *tc = tcase_create("model");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_serial_says_nothing);
	tcase_add_test(tc, test_spreads_follow_their_knobs);
	tcase_add_test(tc, test_line_moves_with_bias);
	tcase_add_test(tc, test_bus_terms_follow_what_they_depend_on);
	tcase_add_test(tc, test_heater_law_and_tau_per_ring);
	tcase_add_test(tc, test_crosstalk_per_pair);
	tcase_add_test(tc, test_fsr_changes_with_order);
	tcase_add_test(tc, test_monitor_noise_steps_gain);
	tcase_add_test(tc, test_lock_takes_time_and_sits_off);
	tcase_add_test(tc, test_late_capture_still_tracks);
	tcase_add_test(tc, test_lock_fails_on_contested_or_weak_line);
	tcase_add_test(tc, test_lock_needs_a_slope);
	tcase_add_test(tc, test_wrong_line_shows_only_as_errors);
	tcase_add_test(tc, test_interferer_closes_the_eye);
	tcase_add_test(tc, test_prbs_errors_are_drawn);
	tcase_add_test(tc, test_realtime_card_sees_host_time);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(card_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
