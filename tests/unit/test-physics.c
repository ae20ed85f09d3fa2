// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the OIO engine model's physics (tests/qemu/oio-physics.c),
 * written with Check. Build and run:
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -I tests/qemu \
 *       tests/unit/test-physics.c tests/qemu/oio-physics.c \
 *       $(pkg-config --cflags --libs check) -lm -o build/unit/test-physics
 *   build/unit/test-physics
 *
 * The numbers used here are the card's defaults (docs/hardware.md): an O-band
 * grid 200 GHz (~1145 pm) apart, FSR of 8 spacings (~9160 pm), FWHM 262 pm
 * (Q 5000 at 1310 nm), drop 0.9 on resonance.
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>

#include "oio-physics.h"

#define SPACING_PM	1145.0
#define FSR_PM		(8 * SPACING_PM)
#define FWHM_PM		262.0
#define DROP		0.9
#define DRAWS		100000

/* ---- Random numbers ---------------------------------------------------- */

START_TEST(test_rng_same_seed_same_sequence)
{
	struct oio_rng a, b;
	int i;

	oio_rng_seed(&a, 42);
	oio_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(oio_rng_next(&a), oio_rng_next(&b));
}
END_TEST

START_TEST(test_rng_different_seeds_differ)
{
	struct oio_rng a, b;
	int i, same = 0;

	oio_rng_seed(&a, 42);
	oio_rng_seed(&b, 43);
	for (i = 0; i < 1000; i++)
		same += oio_rng_next(&a) == oio_rng_next(&b);
	ck_assert_int_eq(same, 0);
}
END_TEST

/* splitmix64 is specified bit for bit: a card is the same on every host. */
START_TEST(test_rng_known_values)
{
	struct oio_rng r;

	oio_rng_seed(&r, 0);
	ck_assert_uint_eq(oio_rng_next(&r), 0xe220a8397b1dcdafULL);
	ck_assert_uint_eq(oio_rng_next(&r), 0x6e789e6aa1b965f4ULL);
	ck_assert_uint_eq(oio_rng_next(&r), 0x06c45d188009454fULL);
}
END_TEST

START_TEST(test_rng_seed_restarts_sequence)
{
	struct oio_rng r;
	uint64_t first;

	oio_rng_seed(&r, 7);
	first = oio_rng_next(&r);
	oio_rng_next(&r);
	oio_rng_seed(&r, 7);
	ck_assert_uint_eq(oio_rng_next(&r), first);
}
END_TEST

START_TEST(test_rng_uniform_bounds_and_mean)
{
	const double lo = -3.0, hi = 5.0;
	double sum = 0.0, sq = 0.0, min = INFINITY, max = -INFINITY;
	double mean, var;
	struct oio_rng r;
	int i;

	oio_rng_seed(&r, 1);
	for (i = 0; i < DRAWS; i++) {
		double u = oio_rng_uniform(&r, lo, hi);

		ck_assert(u >= lo);
		ck_assert(u < hi);
		sum += u;
		sq += u * u;
		min = fmin(min, u);
		max = fmax(max, u);
	}
	mean = sum / DRAWS;
	var = sq / DRAWS - mean * mean;
	/* Standard error of the mean is 8 / sqrt(12 * 1e5) = 0.0073. */
	ck_assert_double_eq_tol(mean, (lo + hi) / 2, 0.05);
	/* Variance of U(lo, hi) is (hi - lo)^2 / 12 = 5.333. */
	ck_assert_double_eq_tol(var, (hi - lo) * (hi - lo) / 12, 0.1);
	/* The draws fill the interval rather than a part of it. */
	ck_assert(min < lo + 0.01);
	ck_assert(max > hi - 0.01);
}
END_TEST

START_TEST(test_rng_uniform_unit_interval)
{
	struct oio_rng r;
	int i, low_half = 0;

	oio_rng_seed(&r, 99);
	for (i = 0; i < DRAWS; i++) {
		double u = oio_rng_uniform(&r, 0.0, 1.0);

		ck_assert(u >= 0.0 && u < 1.0);
		low_half += u < 0.5;
	}
	/* Binomial sd is 158: 1000 is more than 6 sd. */
	ck_assert_int_lt(abs(low_half - DRAWS / 2), 1000);
}
END_TEST

START_TEST(test_rng_gauss_moments)
{
	double sum = 0.0, sq = 0.0, mean, sd;
	struct oio_rng r;
	int i, within1 = 0;

	oio_rng_seed(&r, 2024);
	for (i = 0; i < DRAWS; i++) {
		double g = oio_rng_gauss(&r);

		ck_assert(isfinite(g));
		sum += g;
		sq += g * g;
		within1 += fabs(g) < 1.0;
	}
	mean = sum / DRAWS;
	sd = sqrt(sq / DRAWS - mean * mean);
	/* Standard error of the mean is 0.0032, of the sd 0.0022. */
	ck_assert_double_eq_tol(mean, 0.0, 0.02);
	ck_assert_double_eq_tol(sd, 1.0, 0.02);
	/* And it is normal, not just centred: 68.27 % within one sd. */
	ck_assert_double_eq_tol((double)within1 / DRAWS, 0.6827, 0.01);
}
END_TEST

/* The mean and variance of DRAWS draws of a counter. */
struct moments {
	double mean, var;
};

static struct moments poisson_moments(struct oio_rng *r, double lambda)
{
	struct moments m = { 0 };
	double sum = 0, sq = 0;
	int i;

	for (i = 0; i < DRAWS; i++) {
		uint64_t k = oio_rng_poisson(r, lambda);

		sum += (double)k;
		sq += (double)k * (double)k;
	}
	m.mean = sum / DRAWS;
	m.var = sq / DRAWS - m.mean * m.mean;
	return m;
}

/*
 * Poisson deviates on both sides of the switch from inversion to PTRS
 * (10), for a lane the margin check dims to about 9 errors, and means
 * far larger than the checker's Poisson branch takes (at most 3.2e4 in
 * a millisecond): mean and variance lambda, each within five standard
 * errors.
 */
START_TEST(test_rng_poisson_moments)
{
	static const double lambdas[] = { 0.05, 3, 9.99, 10, 40, 2000, 1.6e7 };
	struct oio_rng r;
	unsigned int i;

	oio_rng_seed(&r, 77);
	for (i = 0; i < sizeof(lambdas) / sizeof(lambdas[0]); i++) {
		double l = lambdas[i];
		struct moments m = poisson_moments(&r, l);

		ck_assert_msg(fabs(m.mean - l) < 5 * sqrt(l / DRAWS),
			      "lambda %g: mean %g", l, m.mean);
		ck_assert_msg(fabs(m.var / l - 1) <
			      5 * sqrt((2 + 1 / l) / DRAWS),
			      "lambda %g: variance %g", l, m.var);
	}
}
END_TEST

/* The exact Poisson probability of k at mean l. */
static double poisson_pmf(double l, unsigned int k)
{
	return exp(-l + k * log(l) - lgamma(k + 1.0));
}

/*
 * The draws' distribution, not only their moments, against the exact
 * one: a chi-square over the counts, bins pooled from the bottom until
 * each expects 20 or more and the last taking the upper tail, by
 * inversion (3) and by PTRS (10, 12.8, 40). A PTRS without its 0.43, or
 * with a log-factorial a little off, moves it by tens of its standard
 * deviations. And the margin check's point: a lane at twice the
 * target's BER makes 13.24 errors on average, 4 or fewer 0.31 % of the
 * time.
 */
START_TEST(test_rng_poisson_distribution)
{
	static const double lambdas[] = { 3, 10, 12.8, 40 };
	enum { N = 2000000, K = 160, TAIL_N = 1000000 };
	static unsigned int count[K];
	double tail = 0;
	struct oio_rng r;
	unsigned int i, k;
	int j, le4 = 0;

	oio_rng_seed(&r, 1234);
	for (i = 0; i < sizeof(lambdas) / sizeof(lambdas[0]); i++) {
		double l = lambdas[i], chi2 = 0, got = 0, want = 0;
		double below = 0, z;
		unsigned int bins = 0;

		memset(count, 0, sizeof(count));
		for (j = 0; j < N; j++) {
			uint64_t d = oio_rng_poisson(&r, l);

			count[d < K ? d : K - 1]++;
		}
		for (k = 0; k < K; k++) {
			double p = poisson_pmf(l, k);

			got += count[k];
			want += p * N;
			below += p;
			if (k < K - 1 && (want < 20 || (1 - below) * N < 20))
				continue;
			if (k == K - 1)
				want += (1 - below) * N;
			chi2 += (got - want) * (got - want) / want;
			bins++;
			got = want = 0;
		}
		z = (chi2 - (bins - 1)) / sqrt(2.0 * (bins - 1));
		ck_assert_msg(bins > 10 && z < 4,
			      "lambda %g: chi-square %g over %u bins", l, chi2,
			      bins);
	}
	for (k = 0; k <= 4; k++)
		tail += poisson_pmf(13.24, k);
	for (j = 0; j < TAIL_N; j++)
		le4 += oio_rng_poisson(&r, 13.24) <= 4;
	ck_assert_double_eq_tol(tail, 0.0031, 0.00005);
	ck_assert_double_eq_tol((double)le4 / TAIL_N, tail,
				5 * sqrt(tail * (1 - tail) / TAIL_N));
}
END_TEST

/*
 * Inversion's tail: a mean of 3 gives at most 1 with probability 4/e^3 =
 * 0.199 (the odds of a lane at the target in the margin check before it
 * dwelt three times as long); no mean, a negative or a NaN one gives 0
 * and draws nothing.
 */
START_TEST(test_rng_poisson_tail_and_nothing)
{
	struct oio_rng r, fresh;
	int i, le1 = 0;

	oio_rng_seed(&r, 5);
	for (i = 0; i < DRAWS; i++)
		le1 += oio_rng_poisson(&r, 3) <= 1;
	ck_assert_double_eq_tol((double)le1 / DRAWS, 4 * exp(-3), 0.0065);

	oio_rng_seed(&r, 9);
	oio_rng_seed(&fresh, 9);
	ck_assert_uint_eq(oio_rng_poisson(&r, 0), 0);
	ck_assert_uint_eq(oio_rng_poisson(&r, -1), 0);
	ck_assert_uint_eq(oio_rng_poisson(&r, NAN), 0);
	ck_assert_uint_eq(oio_rng_next(&r), oio_rng_next(&fresh));
}
END_TEST

/*
 * A checker's errors are binomial: a Poisson count at low BER, fewer
 * spread at high (n ber (1 - ber)), never more than the bits, in each of
 * bit_errors()'s three ways (Poisson, inversion, normal) and past 0.5.
 */
START_TEST(test_bit_errors_binomial)
{
	static const struct {
		uint64_t bits;
		double ber;
	} c[] = {
		{ 30000, 1e-4 },	/* Poisson */
		{ 200, 0.3 },		/* inversion, variance 42 */
		{ 64, 0.5 },
		{ 200, 0.9 },		/* 200 less inversion's 20 */
		{ 1000000, 0.5 },	/* normal */
		{ 3, 0.45 },
	};
	struct oio_rng r;
	unsigned int i;

	oio_rng_seed(&r, 31);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		double n = (double)c[i].bits, p = c[i].ber, sum = 0, sq = 0;
		double mean, var, want_var = n * p * (1 - p);
		int j;

		for (j = 0; j < DRAWS; j++) {
			uint64_t k = oio_rng_bit_errors(&r, c[i].bits, p);

			ck_assert_uint_le(k, c[i].bits);
			sum += (double)k;
			sq += (double)k * (double)k;
		}
		mean = sum / DRAWS;
		var = sq / DRAWS - mean * mean;
		ck_assert_msg(fabs(mean - n * p) < 5 * sqrt(want_var / DRAWS),
			      "%g bits at %g: mean %g", n, p, mean);
		ck_assert_msg(fabs(var / want_var - 1) < 5 * sqrt(3.0 / DRAWS),
			      "%g bits at %g: variance %g, not %g", n, p, var,
			      want_var);
	}
	ck_assert_uint_eq(oio_rng_bit_errors(&r, 1000, 0), 0);
	ck_assert_uint_eq(oio_rng_bit_errors(&r, 0, 0.5), 0);
	ck_assert_uint_eq(oio_rng_bit_errors(&r, 1000, 1), 1000);
}
END_TEST

/* ---- Lorentzian -------------------------------------------------------- */

START_TEST(test_lorentzian_peak_and_half_width)
{
	ck_assert_double_eq_tol(oio_lorentzian(0.0, FWHM_PM), 1.0, 1e-12);
	ck_assert_double_eq_tol(oio_lorentzian(FWHM_PM / 2, FWHM_PM), 0.5,
				1e-12);
	ck_assert_double_eq_tol(oio_lorentzian(-FWHM_PM / 2, FWHM_PM), 0.5,
				1e-12);
	/* At one full width from the centre: 1 / (1 + 2^2). */
	ck_assert_double_eq_tol(oio_lorentzian(FWHM_PM, FWHM_PM), 0.2, 1e-12);
}
END_TEST

START_TEST(test_lorentzian_shape)
{
	double d, prev = 2.0;

	for (d = 0.0; d < 5000.0; d += 10.0) {
		double v = oio_lorentzian(d, FWHM_PM);

		ck_assert_double_eq_tol(v, oio_lorentzian(-d, FWHM_PM), 1e-15);
		ck_assert(v > 0.0 && v <= 1.0);
		ck_assert(v < prev);
		prev = v;
	}
	/* One grid spacing away a ring barely sees the next line. */
	ck_assert(oio_lorentzian(SPACING_PM, FWHM_PM) < 0.015);
}
END_TEST

/* ---- FSR wrapping ------------------------------------------------------ */

START_TEST(test_wrap_detune_range)
{
	struct oio_rng r;
	int i;

	oio_rng_seed(&r, 5);
	for (i = 0; i < DRAWS; i++) {
		double line = oio_rng_uniform(&r, 1300000.0, 1320000.0);
		double res = oio_rng_uniform(&r, 1290000.0, 1330000.0);
		double d = oio_wrap_detune(line, res, FSR_PM);

		ck_assert(d >= -FSR_PM / 2);
		ck_assert(d < FSR_PM / 2);
		/* It is the line's distance to some order of the ring. */
		ck_assert_double_eq_tol(remainder(line - res - d, FSR_PM), 0.0,
					1e-6);
	}
	/* The interval is half open: exactly half an FSR maps to -FSR/2. */
	ck_assert_double_eq(oio_wrap_detune(4.0, 0.0, 8.0), -4.0);
	ck_assert_double_eq(oio_wrap_detune(-4.0, 0.0, 8.0), -4.0);
}
END_TEST

START_TEST(test_wrap_detune_fsr_periodic)
{
	const double res = 1309876.5;
	double line;
	int k;

	for (line = 1300000.0; line < 1320000.0; line += 333.3) {
		double d0 = oio_wrap_detune(line, res, FSR_PM);

		for (k = -3; k <= 3; k++) {
			double d = oio_wrap_detune(line + k * FSR_PM, res,
						   FSR_PM);

			/* Skip the one point where rounding may flip sides. */
			if (fabs(fabs(d0) - FSR_PM / 2) < 1e-3)
				continue;
			ck_assert_double_eq_tol(d, d0, 1e-6);
		}
	}
}
END_TEST

START_TEST(test_wrap_detune_sign)
{
	const double res = 1310000.0;

	/* Line red of the resonance: positive, the heater must add it. */
	ck_assert_double_eq_tol(oio_wrap_detune(res + 300.0, res, FSR_PM),
				300.0, 1e-6);
	/* Line blue of the resonance: negative. */
	ck_assert_double_eq_tol(oio_wrap_detune(res - 300.0, res, FSR_PM),
				-300.0, 1e-6);
	/* A line just blue of an order is reached from the order below. */
	ck_assert_double_eq_tol(oio_wrap_detune(res + FSR_PM - 100.0, res,
						FSR_PM), -100.0, 1e-6);
	/* The nearest order wins: 0.6 FSR red is 0.4 FSR blue of the next. */
	ck_assert_double_eq_tol(oio_wrap_detune(res + 0.6 * FSR_PM, res,
						FSR_PM), -0.4 * FSR_PM, 1e-6);
	ck_assert_double_eq_tol(oio_wrap_detune(res, res, FSR_PM), 0.0, 1e-9);
}
END_TEST

/*
 * An FSR that changes with wavelength: with no slope it is the plain
 * wrap; with a slope the orders a line meets widen red-wards by
 * slope pm per pm, and detune still names the nearest order.
 */
START_TEST(test_detune_dispersion)
{
	const double c = 1310000.0, res = 1306000.0, slope = 0.01;
	double line, zero[3];
	unsigned int n = 0;

	for (line = 1300000.0; line < 1320000.0; line += 77.7)
		ck_assert_double_eq(oio_detune(line, res, FSR_PM, 0, c),
				    oio_wrap_detune(line, res, FSR_PM));
	/* Find where the detuning crosses zero going red: the orders. */
	for (line = res + 100.0; line < res + 3.2 * FSR_PM && n < 3;
	     line += 1.0) {
		double a = oio_detune(line - 1.0, res, FSR_PM, slope, c);
		double b = oio_detune(line, res, FSR_PM, slope, c);

		if (a > 0 && b <= 0 && fabs(a - b) < FSR_PM / 2)
			continue;
		if (a < 0 && b >= 0)
			zero[n++] = line;
	}
	ck_assert_uint_eq(n, 3);
	/* Each order's FSR is the FSR where it sits. */
	ck_assert_double_eq_tol(zero[0] - res,
				FSR_PM * (1 + slope * ((res + zero[0]) / 2 - c) /
					  FSR_PM), 3.0);
	ck_assert_double_eq_tol((zero[2] - zero[1]) - (zero[1] - zero[0]),
				slope * FSR_PM, 3.0);
	/* Near the resonance the detuning is the plain difference. */
	ck_assert_double_eq_tol(oio_detune(res + 200.0, res, FSR_PM, slope, c),
				200.0, 0.5);
	ck_assert_double_eq_tol(oio_detune(res - 200.0, res, FSR_PM, slope, c),
				-200.0, 0.5);
}
END_TEST

/* ---- Heater ------------------------------------------------------------ */

START_TEST(test_heater_square_law)
{
	const double range = 6700.0;
	uint32_t c;

	ck_assert_double_eq(oio_heater_shift(0, range, 0), 0.0);
	ck_assert_double_eq_tol(oio_heater_shift(4095, range, 0), range, 1e-9);
	/* Half the drive gives a quarter of the shift. */
	for (c = 1; c <= 2047; c += 97)
		ck_assert_double_eq_tol(oio_heater_shift(2 * c, range, 0),
					4.0 * oio_heater_shift(c, range, 0),
					1e-9);
	ck_assert_double_eq_tol(oio_heater_shift(2048, range, 0),
				range * (2048.0 / 4095.0) * (2048.0 / 4095.0),
				1e-9);
	/* Shift scales with the ring's range. */
	ck_assert_double_eq_tol(oio_heater_shift(1000, 2 * range, 0),
				2 * oio_heater_shift(1000, range, 0), 1e-9);
}
END_TEST

START_TEST(test_heater_code_round_trip)
{
	const double range = 7123.4;
	uint32_t c;

	for (c = 0; c <= 4095; c++) {
		uint32_t back = oio_heater_code(oio_heater_shift(c, range, 0), range, 0);

		ck_assert_uint_le(back > c ? back - c : c - back, 1);
	}
	/* A shift between two codes goes to the nearer one. */
	ck_assert_uint_eq(oio_heater_code(range * pow(1000.4 / 4095.0, 2), range, 0), 1000);
	ck_assert_uint_eq(oio_heater_code(range * pow(1000.6 / 4095.0, 2), range, 0), 1001);
}
END_TEST

START_TEST(test_heater_code_clamps)
{
	const double range = 6700.0;

	ck_assert_uint_eq(oio_heater_code(0.0, range, 0), 0);
	ck_assert_uint_eq(oio_heater_code(-50.0, range, 0), 0);
	ck_assert_uint_eq(oio_heater_code(range, range, 0), 4095);
	ck_assert_uint_eq(oio_heater_code(2 * range, range, 0), 4095);
	ck_assert_uint_eq(oio_heater_code(1e12, range, 0), 4095);
	/* Just above full scale rounds to 4095, never to 4096. */
	ck_assert_uint_eq(oio_heater_code(range * pow(4095.7 / 4095.0, 2), range, 0), 4095);
	/* A ring without a heater range cannot be moved. */
	ck_assert_uint_eq(oio_heater_code(100.0, 0.0, 0), 0);
	ck_assert_uint_eq(oio_heater_code(100.0, -1.0, 0), 0);
}
END_TEST

/* Bent laws: full scale stays full scale, the bend is |law| at low drive. */
START_TEST(test_heater_law)
{
	static const double laws[] = { -0.15, -0.05, 0.05, 0.15 };
	const double range = 6700.0;
	unsigned int i;
	uint32_t c;

	for (i = 0; i < sizeof(laws) / sizeof(laws[0]); i++) {
		double law = laws[i], prev = -1.0;

		ck_assert_double_eq_tol(oio_heater_shift(4095, range, law),
					range, 1e-9);
		ck_assert_double_eq_tol(oio_heater_shift(40, range, law) /
					oio_heater_shift(40, range, 0),
					1.0 + law, 1e-3);
		for (c = 0; c <= 4095; c++) {
			double sh = oio_heater_shift(c, range, law);
			uint32_t back = oio_heater_code(sh, range, law);

			ck_assert(sh > prev);	/* red-shift only, monotone */
			prev = sh;
			ck_assert_uint_le(back > c ? back - c : c - back, 1);
		}
	}
}
END_TEST

/* ---- Thermal lag ------------------------------------------------------- */

static struct oio_thermal card_at(double temp, double tau_s)
{
	struct oio_thermal th = {
		.t0_ns = 0,
		.temp0 = temp,
		.amb0 = temp,
		.ramp_per_s = 0.0,
		.tau_ns = tau_s * 1e9,
	};

	return th;
}

START_TEST(test_thermal_step_one_tau)
{
	struct oio_thermal th = card_at(25.0, 2.0);
	const int64_t tau = 2000000000;
	double frac;

	oio_thermal_set(&th, 0, 35.0, 0.0);
	ck_assert_double_eq_tol(oio_thermal_temp(&th, 0), 25.0, 1e-12);
	frac = (oio_thermal_temp(&th, tau) - 25.0) / 10.0;
	ck_assert_double_eq_tol(frac, 1.0 - exp(-1.0), 1e-9);
	ck_assert_double_eq_tol(frac, 0.632, 1e-3);
	/* The ambient itself steps at once. */
	ck_assert_double_eq_tol(oio_thermal_ambient(&th, 1), 35.0, 1e-12);
}
END_TEST

START_TEST(test_thermal_step_settles)
{
	struct oio_thermal th = card_at(25.0, 2.0);
	const int64_t tau = 2000000000;

	ck_assert(oio_thermal_settled(&th, 0));
	oio_thermal_set(&th, 0, 35.0, 0.0);
	ck_assert(!oio_thermal_settled(&th, 0));
	ck_assert(!oio_thermal_settled(&th, tau));
	ck_assert(!oio_thermal_settled(&th, 6 * tau));   /* 0.025 K off */
	ck_assert(oio_thermal_settled(&th, 7 * tau));    /* 0.009 K off */
	ck_assert_double_eq_tol(oio_thermal_temp(&th, 20 * tau), 35.0, 1e-6);
	/* Cooling works the same way. */
	oio_thermal_set(&th, 20 * tau, 15.0, 0.0);
	ck_assert_double_eq_tol(oio_thermal_temp(&th, 21 * tau),
				15.0 + 20.0 * exp(-1.0), 1e-6);
}
END_TEST

START_TEST(test_thermal_before_anchor)
{
	struct oio_thermal th = card_at(25.0, 2.0);

	oio_thermal_set(&th, 1000000, 60.0, 5.0);
	/* Times before the anchor read the anchored temperature. */
	ck_assert_double_eq_tol(oio_thermal_temp(&th, 0), 25.0, 1e-12);
	ck_assert_double_eq_tol(oio_thermal_temp(&th, 1000000), 25.0, 1e-12);
}
END_TEST

START_TEST(test_thermal_ramp_lag)
{
	struct oio_thermal th = card_at(25.0, 2.0);
	const int64_t tau = 2000000000;
	const double r = 0.5;	/* K/s */
	int64_t t = 30 * tau;

	oio_thermal_set(&th, 0, 25.0, r);
	ck_assert_double_eq_tol(oio_thermal_ambient(&th, t), 25.0 + r * 60.0,
				1e-9);
	/* At steady state the card trails the ramp by r * tau = 1 K. */
	ck_assert_double_eq_tol(oio_thermal_ambient(&th, t) -
				oio_thermal_temp(&th, t), r * 2.0, 1e-9);
	/* A ramping ambient is never settled, even when the lag is tiny. */
	ck_assert(!oio_thermal_settled(&th, t));
	oio_thermal_set(&th, t, 30.0, 0.001);
	ck_assert_double_eq_tol(oio_thermal_ambient(&th, t + 30 * tau) -
				oio_thermal_temp(&th, t + 30 * tau), 0.002,
				1e-6);
	ck_assert(!oio_thermal_settled(&th, t + 30 * tau));
	/* Nor just after a slow ramp starts, with the card still on it. */
	th = card_at(30.0, 2.0);
	oio_thermal_set(&th, 0, 30.0, 0.001);
	ck_assert(fabs(oio_thermal_temp(&th, 1000000) - 30.0) < 1e-6);
	ck_assert(!oio_thermal_settled(&th, 1000000));
}
END_TEST

/* The closed form must agree with integrating dT/dt = (A(t) - T) / tau. */
static double lag_slope(double t, double temp, double r)
{
	return (20.0 + r * t - temp) / 1.5;
}

START_TEST(test_thermal_matches_integration)
{
	struct oio_thermal th = card_at(40.0, 1.5);
	const double h = 1e-3, r = -0.8;
	double temp = 40.0, t = 0.0;
	int i;

	oio_thermal_set(&th, 0, 20.0, r);
	/* Fourth-order Runge-Kutta over 5 s. */
	for (i = 0; i < 5000; i++, t += h) {
		double k1 = lag_slope(t, temp, r);
		double k2 = lag_slope(t + h / 2, temp + h / 2 * k1, r);
		double k3 = lag_slope(t + h / 2, temp + h / 2 * k2, r);
		double k4 = lag_slope(t + h, temp + h * k3, r);

		temp += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
	}
	ck_assert_double_eq_tol(oio_thermal_temp(&th, 5000000000LL), temp,
				1e-9);
	/* Far from both the start and the asymptote: a real check. */
	ck_assert(temp < 25.0 && temp > 16.0);
}
END_TEST

START_TEST(test_thermal_set_is_continuous)
{
	struct oio_thermal th = card_at(25.0, 2.0);
	const int64_t t1 = 1300000000, t2 = 2700000000LL;
	double before, after;

	oio_thermal_set(&th, 0, 45.0, 0.0);
	before = oio_thermal_temp(&th, t1);
	oio_thermal_set(&th, t1, 10.0, 2.0);
	ck_assert_int_eq(th.t0_ns, t1);
	ck_assert_double_eq_tol(oio_thermal_temp(&th, t1), before, 1e-12);
	ck_assert_double_eq_tol(oio_thermal_temp(&th, t1 + 1), before, 1e-6);

	/* Re-anchoring with the same ambient changes nothing later on. */
	after = oio_thermal_temp(&th, t2 + 5000000000LL);
	oio_thermal_set(&th, t2, oio_thermal_ambient(&th, t2), 2.0);
	ck_assert_double_eq_tol(oio_thermal_temp(&th, t2 + 5000000000LL),
				after, 1e-9);
}
END_TEST

/* ---- Heater settling --------------------------------------------------- */

START_TEST(test_settle)
{
	const double tau = 4000.0;

	ck_assert_double_eq(oio_settle(100.0, 500.0, 0.0, tau), 100.0);
	ck_assert_double_eq(oio_settle(100.0, 500.0, -10.0, tau), 100.0);
	ck_assert_double_eq_tol(oio_settle(100.0, 500.0, tau, tau),
				500.0 - 400.0 * exp(-1.0), 1e-9);
	ck_assert_double_eq_tol(oio_settle(100.0, 500.0, 5 * tau, tau),
				500.0, 400.0 * 0.0068);
	ck_assert_double_eq_tol(oio_settle(100.0, 500.0, 1e9, tau), 500.0,
				1e-9);
	/* Downward moves settle the same way. */
	ck_assert_double_eq_tol(oio_settle(500.0, 100.0, tau, tau),
				100.0 + 400.0 * exp(-1.0), 1e-9);
	/* Two half steps make one whole step (first order, memoryless). */
	ck_assert_double_eq_tol(oio_settle(oio_settle(0.0, 1.0, tau / 2, tau),
					   1.0, tau / 2, tau),
				oio_settle(0.0, 1.0, tau, tau), 1e-12);
}
END_TEST

/* ---- Bus waveguide ----------------------------------------------------- */

static const double fwhms[8] = {
	FWHM_PM, FWHM_PM, FWHM_PM, FWHM_PM, FWHM_PM, FWHM_PM, FWHM_PM, FWHM_PM,
};

static struct oio_bus make_bus(unsigned int rings, unsigned int lines,
			       const double *res, const double *fsr,
			       const double *line, const double *uw)
{
	struct oio_bus bus = {
		.rings = rings,
		.lines = lines,
		.res_pm = res,
		.fsr_pm = fsr,
		.fwhm_pm = fwhms,
		.line_pm = line,
		.line_uw = uw,
		.drop = DROP,
	};

	return bus;
}

START_TEST(test_bus_single_ring_on_resonance)
{
	const double line[] = { 1310000.0 }, uw[] = { 1000.0 };
	const double res[] = { 1310000.0 }, fsr[] = { FSR_PM };
	struct oio_bus bus = make_bus(1, 1, res, fsr, line, uw);
	double drop[1], in[1];

	oio_bus_eval(&bus, drop, in);
	ck_assert_double_eq_tol(drop[0], 900.0, 1e-9);
	ck_assert_double_eq_tol(in[0], 1000.0, 1e-12);
}
END_TEST

START_TEST(test_bus_other_fsr_order_drops_too)
{
	const double line[] = { 1310000.0 }, uw[] = { 1000.0 };
	const double res[] = { 1310000.0 - FSR_PM }, fsr[] = { FSR_PM };
	struct oio_bus bus = make_bus(1, 1, res, fsr, line, uw);
	double drop[1];

	oio_bus_eval(&bus, drop, NULL);
	ck_assert_double_eq_tol(drop[0], 900.0, 1e-6);
}
END_TEST

START_TEST(test_bus_off_resonance_drops_nothing)
{
	const double line[] = { 1310000.0 }, uw[] = { 1000.0 };
	const double res[] = { 1310000.0 + FSR_PM / 2 }, fsr[] = { FSR_PM };
	struct oio_bus bus = make_bus(1, 1, res, fsr, line, uw);
	double drop[1];

	oio_bus_eval(&bus, drop, NULL);
	/* Half an FSR off: under 0.1 % of the line. */
	ck_assert(drop[0] >= 0.0);
	ck_assert(drop[0] < 1.0);
}
END_TEST

START_TEST(test_bus_wavelength_stealing)
{
	const double line[] = { 1310000.0 }, uw[] = { 1000.0 };
	const double res[] = { 1310000.0, 1310000.0 };
	const double fsr[] = { FSR_PM, FSR_PM };
	struct oio_bus bus = make_bus(2, 1, res, fsr, line, uw);
	double drop[2], in[2];

	oio_bus_eval(&bus, drop, in);
	ck_assert_double_eq_tol(drop[0], 900.0, 1e-9);
	/* The downstream ring sees only the 10 % left, and drops 90 % of it. */
	ck_assert_double_eq_tol(in[1], 100.0, 1e-9);
	ck_assert_double_eq_tol(drop[1], 90.0, 1e-9);
}
END_TEST

START_TEST(test_bus_order_matters)
{
	const double l0 = 1310000.0;
	const double line[] = { l0 }, uw[] = { 1000.0 };
	const double fsr[] = { FSR_PM, FSR_PM };
	/* One ring centred on the line, one half a linewidth off it. */
	const double centred_first[] = { l0, l0 + FWHM_PM / 2 };
	const double centred_second[] = { l0 + FWHM_PM / 2, l0 };
	struct oio_bus a = make_bus(2, 1, centred_first, fsr, line, uw);
	struct oio_bus b = make_bus(2, 1, centred_second, fsr, line, uw);
	double da[2], db[2];

	oio_bus_eval(&a, da, NULL);
	oio_bus_eval(&b, db, NULL);
	ck_assert_double_eq_tol(da[0], 900.0, 1e-9);
	ck_assert_double_eq_tol(da[1], 100.0 * DROP * 0.5, 1e-9);
	ck_assert_double_eq_tol(db[0], 1000.0 * DROP * 0.5, 1e-9);
	ck_assert_double_eq_tol(db[1], 550.0 * DROP, 1e-9);
	/* The centred ring gets far less of its line when it comes second. */
	ck_assert(db[1] < 0.6 * da[0]);
}
END_TEST

START_TEST(test_bus_input_powers)
{
	const double line[] = { 1308000.0, 1308000.0 + SPACING_PM };
	const double uw[] = { 2000.0, 1500.0 };
	const double res[] = { 1308000.0 + SPACING_PM + 40.0, 1308000.0 - 25.0,
			       1308000.0 + 3 * SPACING_PM };
	const double fsr[] = { FSR_PM, FSR_PM * 1.01, FSR_PM * 0.99 };
	struct oio_bus bus = make_bus(3, 2, res, fsr, line, uw);
	double drop[3], in[6], expect[2];
	unsigned int r, l;

	oio_bus_eval(&bus, drop, in);
	expect[0] = uw[0];
	expect[1] = uw[1];
	for (r = 0; r < 3; r++) {
		double total = 0.0;

		for (l = 0; l < 2; l++) {
			double d = oio_wrap_detune(line[l], res[r], fsr[r]);
			double taken = expect[l] * DROP *
				       oio_lorentzian(d, FWHM_PM);

			ck_assert_double_eq_tol(in[r * 2 + l], expect[l], 1e-9);
			total += taken;
			expect[l] -= taken;
		}
		ck_assert_double_eq_tol(drop[r], total, 1e-9);
	}
	/* Ring 0 sits near line 1 and took most of it from rings 1 and 2. */
	ck_assert(in[1 * 2 + 1] < 0.2 * uw[1]);
	ck_assert(in[1 * 2 + 0] > 0.95 * uw[0]);
	/* Ring 1 sits near line 0: ring 2 sees little of it. */
	ck_assert(in[2 * 2 + 0] < 0.2 * uw[0]);
	/* Power is conserved: what leaves plus what was dropped. */
	ck_assert_double_eq_tol(drop[0] + drop[1] + drop[2] + expect[0] +
				expect[1], uw[0] + uw[1], 1e-9);
}
END_TEST

START_TEST(test_bus_dark_lines)
{
	const double line[] = { 1310000.0 }, uw[] = { 0.0 };
	const double res[] = { 1310000.0 }, fsr[] = { FSR_PM };
	struct oio_bus bus = make_bus(1, 1, res, fsr, line, uw);
	double drop[1] = { -1.0 };

	oio_bus_eval(&bus, drop, NULL);
	ck_assert_double_eq(drop[0], 0.0);
}
END_TEST

/* What a ring would drop with its resonance moved: 0 moves is the bus. */
START_TEST(test_bus_drop_at)
{
	const double line[] = { 1310000.0, 1310000.0 + SPACING_PM };
	const double uw[] = { 2000.0, 1000.0 };
	const double res[] = { 1310000.0 - 100.0, 1310000.0 + SPACING_PM + 30.0 };
	const double fsr[] = { FSR_PM, FSR_PM };
	struct oio_bus bus = make_bus(2, 2, res, fsr, line, uw);
	double drop[2], in[4];

	oio_bus_eval(&bus, drop, in);
	ck_assert_double_eq_tol(oio_bus_drop_at(&bus, in, 0, 0), drop[0], 1e-9);
	ck_assert_double_eq_tol(oio_bus_drop_at(&bus, in, 1, 0), drop[1], 1e-9);
	/* Ring 0 moved 100 pm red sits on line 0. */
	ck_assert_double_eq_tol(oio_bus_drop_at(&bus, in, 0, 100.0),
				2000.0 * DROP +
				1000.0 * DROP * oio_lorentzian(SPACING_PM,
							       FWHM_PM), 1e-6);
}
END_TEST

/* A dither loop climbs to the peak uphill of where it starts. */
START_TEST(test_capture_climb)
{
	const double l0 = 1310000.0;
	const double line[] = { l0, l0 + SPACING_PM };
	const double uw[] = { 2000.0, 2000.0 };
	const double fsr[] = { FSR_PM };
	double res[1], drop[1], in[2], delta;
	struct oio_bus bus = make_bus(1, 2, res, fsr, line, uw);
	bool at_limit;
	int l;

	/* One linewidth blue of line 0, no noise: up to line 0. */
	res[0] = l0 - FWHM_PM;
	oio_bus_eval(&bus, drop, in);
	ck_assert(oio_capture_climb(&bus, in, 0, -2000, 6000, 0, &delta, &l,
				    &at_limit));
	ck_assert_int_eq(l, 0);
	ck_assert(!at_limit);
	/* the other line's tail pulls the top a little red */
	ck_assert_double_eq_tol(delta, FWHM_PM, 3.0);

	/* Closer to line 1 than to line 0: line 1. */
	res[0] = l0 + 0.6 * SPACING_PM;
	oio_bus_eval(&bus, drop, in);
	ck_assert(oio_capture_climb(&bus, in, 0, -2000, 6000, 0, &delta, &l,
				    &at_limit));
	ck_assert_int_eq(l, 1);
	ck_assert_double_eq_tol(delta, 0.4 * SPACING_PM, 5.0);

	/* Far between the lines the slope drowns in 1 % noise. */
	res[0] = l0 + 0.5 * SPACING_PM + 20;
	oio_bus_eval(&bus, drop, in);
	ck_assert(!oio_capture_climb(&bus, in, 0, -2000, 6000, 0.01 * 1800,
				     &delta, &l, &at_limit));
	ck_assert(!at_limit);
	/* With clean light the same start still climbs. */
	ck_assert(oio_capture_climb(&bus, in, 0, -2000, 6000, 0, &delta, &l,
				    &at_limit));

	/* The heater ends before the peak: at limit, no capture. */
	res[0] = l0 - FWHM_PM;
	oio_bus_eval(&bus, drop, in);
	ck_assert(!oio_capture_climb(&bus, in, 0, -100, 100, 0, &delta, &l,
				     &at_limit));
	ck_assert(at_limit);

	/* Sitting on the peak with the heater unable to move: it holds. */
	res[0] = l0;
	oio_bus_eval(&bus, drop, in);
	ck_assert(oio_capture_climb(&bus, in, 0, 0, 0, 2.0, &delta, &l,
				    &at_limit));
	ck_assert_int_eq(l, 0);
}
END_TEST

/*
 * Kept line terms give, bit for bit, what a bus computed afresh gives:
 * three rings over two lines, so that a row of them is a line's, not a
 * ring's, wide; an FSR that changes with the order.
 */
START_TEST(test_bus_line_terms_exact)
{
	const double l0 = 1310000.0, c = 1309000.0, slope = 0.012;
	const double line[] = { l0, l0 + SPACING_PM };
	const double uw[] = { 2000.0, 1500.0 };
	const double fsr[] = { FSR_PM, FSR_PM * 1.003, FSR_PM * 0.996 };
	const double res[] = { l0 - 40.0, l0 + SPACING_PM + 25.0, l0 + 700.0 };
	struct oio_bus fresh = make_bus(3, 2, res, fsr, line, uw), kept;
	double terms[3 * 2], d0[3], d1[3], in0[6], in1[6], x0, x1;
	unsigned int r, l;
	bool lim0, lim1;
	int ln0, ln1;

	fresh.fsr_slope = slope;
	fresh.centre_pm = c;
	kept = fresh;
	for (r = 0; r < 3; r++)
		for (l = 0; l < 2; l++)
			terms[r * 2 + l] = oio_line_term(line[l], fsr[r], slope,
							 c);
	kept.line_terms = terms;
	oio_bus_eval(&fresh, d0, in0);
	oio_bus_eval(&kept, d1, in1);
	ck_assert_mem_eq(d0, d1, sizeof(d0));
	ck_assert_mem_eq(in0, in1, sizeof(in0));
	for (r = 0; r < 3; r++) {
		x0 = oio_bus_drop_at(&fresh, in0, r, 17.5);
		x1 = oio_bus_drop_at(&kept, in0, r, 17.5);
		ck_assert_mem_eq(&x0, &x1, sizeof(x0));
		for (l = 0; l < 2; l++) {
			x0 = oio_detune(line[l], res[r], fsr[r], slope, c);
			x1 = oio_bus_detune(&kept, r, l);
			ck_assert_mem_eq(&x0, &x1, sizeof(x0));
		}
		ck_assert(oio_capture_climb(&fresh, in0, r, -2000, 6000, 0,
					    &x0, &ln0, &lim0) ==
			  oio_capture_climb(&kept, in0, r, -2000, 6000, 0,
					    &x1, &ln1, &lim1));
		ck_assert_mem_eq(&x0, &x1, sizeof(x0));
		ck_assert_int_eq(ln0, ln1);
		ck_assert_int_eq(lim0, lim1);
	}
	/* and the terms are used: wrong ones give other optics */
	terms[1] += 1e-6;
	oio_bus_eval(&kept, d1, in1);
	ck_assert(memcmp(d0, d1, sizeof(d0)) != 0);
}
END_TEST

/* ---- Bit error ratio --------------------------------------------------- */

START_TEST(test_ber_known_values)
{
	ck_assert_double_eq_tol(oio_ber_from_q(7.0) / 1.279812544e-12, 1.0,
				1e-6);
	ck_assert_double_eq_tol(oio_ber_from_q(1.0), 0.158655254, 1e-9);
	ck_assert_double_eq_tol(oio_ber_from_q(3.5) / 2.326290790e-4, 1.0,
				1e-6);
	/* The nominal locked lane (Q 14) is far below 1e-12. */
	ck_assert(oio_ber_from_q(14.0) < 1e-40);
	ck_assert(oio_ber_from_q(14.0) > 0.0);
}
END_TEST

START_TEST(test_ber_no_signal)
{
	ck_assert_double_eq(oio_ber_from_q(0.0), 0.5);
	ck_assert_double_eq(oio_ber_from_q(-3.0), 0.5);
	ck_assert_double_eq_tol(oio_ber_from_q(1e-9), 0.5, 1e-9);
}
END_TEST

START_TEST(test_ber_monotone)
{
	double q, prev = oio_ber_from_q(0.0);

	for (q = 0.05; q <= 30.0; q += 0.05) {
		double ber = oio_ber_from_q(q);

		ck_assert(ber < prev);
		ck_assert(ber >= 0.0);
		prev = ber;
	}
}
END_TEST

START_TEST(test_lane_q)
{
	const double qn = 14.0, pn = 1000.0;
	double q;

	ck_assert_double_eq_tol(oio_lane_q(pn, 1.0, 1.0, qn, pn), qn, 1e-12);
	/* Proportional to the received power... */
	ck_assert_double_eq_tol(oio_lane_q(2 * pn, 1.0, 1.0, qn, pn), 2 * qn,
				1e-12);
	ck_assert_double_eq_tol(oio_lane_q(pn / 4, 1.0, 1.0, qn, pn), qn / 4,
				1e-12);
	/* ...and to each ring's response. */
	ck_assert_double_eq_tol(oio_lane_q(pn, 0.5, 1.0, qn, pn), qn / 2,
				1e-12);
	ck_assert_double_eq_tol(oio_lane_q(pn, 1.0, 0.25, qn, pn), qn / 4,
				1e-12);
	ck_assert_double_eq_tol(oio_lane_q(pn, 0.5, 0.5, qn, pn), qn / 4,
				1e-12);
	/* No light, no signal. */
	ck_assert_double_eq(oio_lane_q(0.0, 1.0, 1.0, qn, pn), 0.0);
	ck_assert_double_eq(oio_lane_q(-5.0, 1.0, 1.0, qn, pn), 0.0);
	ck_assert_double_eq(oio_lane_q(pn, 1.0, 1.0, qn, 0.0), 0.0);

	/* Both rings half a linewidth off: Q / 4, BER about 2.3e-4. */
	q = oio_lane_q(pn, oio_lorentzian(FWHM_PM / 2, FWHM_PM),
		       oio_lorentzian(-FWHM_PM / 2, FWHM_PM), qn, pn);
	ck_assert_double_eq_tol(q, 3.5, 1e-9);
	/* Half the nominal power, rings centred: Q 7, BER 1.28e-12. */
	q = oio_lane_q(pn / 2, 1.0, 1.0, qn, pn);
	ck_assert_double_eq_tol(oio_ber_from_q(q) / 1.279812544e-12, 1.0, 1e-6);
}
END_TEST

static Suite *physics_suite(void)
{
	Suite *s = suite_create("oio-physics");
	TCase *tc;

	tc = tcase_create("rng");
	tcase_add_test(tc, test_rng_same_seed_same_sequence);
	tcase_add_test(tc, test_rng_different_seeds_differ);
	tcase_add_test(tc, test_rng_known_values);
	tcase_add_test(tc, test_rng_seed_restarts_sequence);
	tcase_add_test(tc, test_rng_uniform_bounds_and_mean);
	tcase_add_test(tc, test_rng_uniform_unit_interval);
	tcase_add_test(tc, test_rng_gauss_moments);
	tcase_add_test(tc, test_rng_poisson_moments);
	tcase_add_test(tc, test_rng_poisson_distribution);
	tcase_add_test(tc, test_rng_poisson_tail_and_nothing);
	tcase_add_test(tc, test_bit_errors_binomial);
	suite_add_tcase(s, tc);

	tc = tcase_create("lorentzian");
	tcase_add_test(tc, test_lorentzian_peak_and_half_width);
	tcase_add_test(tc, test_lorentzian_shape);
	suite_add_tcase(s, tc);

	tc = tcase_create("detune");
	tcase_add_test(tc, test_wrap_detune_range);
	tcase_add_test(tc, test_wrap_detune_fsr_periodic);
	tcase_add_test(tc, test_wrap_detune_sign);
	tcase_add_test(tc, test_detune_dispersion);
	suite_add_tcase(s, tc);

	tc = tcase_create("heater");
	tcase_add_test(tc, test_heater_square_law);
	tcase_add_test(tc, test_heater_code_round_trip);
	tcase_add_test(tc, test_heater_code_clamps);
	tcase_add_test(tc, test_heater_law);
	tcase_add_test(tc, test_settle);
	suite_add_tcase(s, tc);

	tc = tcase_create("thermal");
	tcase_add_test(tc, test_thermal_step_one_tau);
	tcase_add_test(tc, test_thermal_step_settles);
	tcase_add_test(tc, test_thermal_before_anchor);
	tcase_add_test(tc, test_thermal_ramp_lag);
	tcase_add_test(tc, test_thermal_matches_integration);
	tcase_add_test(tc, test_thermal_set_is_continuous);
	suite_add_tcase(s, tc);

	tc = tcase_create("bus");
	tcase_add_test(tc, test_bus_single_ring_on_resonance);
	tcase_add_test(tc, test_bus_other_fsr_order_drops_too);
	tcase_add_test(tc, test_bus_off_resonance_drops_nothing);
	tcase_add_test(tc, test_bus_wavelength_stealing);
	tcase_add_test(tc, test_bus_order_matters);
	tcase_add_test(tc, test_bus_input_powers);
	tcase_add_test(tc, test_bus_dark_lines);
	tcase_add_test(tc, test_bus_drop_at);
	tcase_add_test(tc, test_capture_climb);
	tcase_add_test(tc, test_bus_line_terms_exact);
	suite_add_tcase(s, tc);

	tc = tcase_create("ber");
	tcase_add_test(tc, test_ber_known_values);
	tcase_add_test(tc, test_ber_no_signal);
	tcase_add_test(tc, test_ber_monotone);
	tcase_add_test(tc, test_lane_q);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(physics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
