// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of liboio's tuning arithmetic (lib/tuning.c) on synthetic
 * cards: fabrication drawn as the datasheet describes (line offsets and
 * errors, ring spread, FSR and heater spread), traces made with the QEMU
 * model's own bus physics (tests/qemu/oio-physics.c, wavelength stealing
 * included) and heater lag, then the chosen codes checked by placing the
 * rings and asking whether each would capture its lane's line. Plus
 * adversarial tables: dark lines, flat traces, too few peaks, noise.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oio-physics.h"
#include "tuning.h"

#define W	8
#define P	8
#define RINGS	(2 * P * W)
#define STEP	28
#define DWELL	2000.0
#define TAU	4000.0
#define POINTS	(OIO_HEATER_MAX / STEP + 1)
#define DIM	0.667

struct card {
	double spacing, first, fwhm, xtalk;
	double line[W], power[W];
	double design[RINGS], fsr[RINGS], range[RINGS];
	uint32_t emitting;
	double noise_na;
	struct oio_rng rng;
};

/*
 * The model's card for a seed: the same generator, draws in the same order
 * and the same formulas as tests/qemu/oio-engine-optics.c, at the default
 * properties (8 x 8, 25 C, 80 mA), so a seed here is the seed of a VM test.
 */
static void card_make(struct card *c, uint64_t seed)
{
	double centre = 1310000, off;
	struct oio_rng r;
	int l, g;

	memset(c, 0, sizeof(*c));
	oio_rng_seed(&r, seed);
	c->spacing = centre * 1e-12 * centre * 1e-12 * 200e9 / 299792458.0 *
		     1e12;
	c->first = centre - (W - 1) / 2.0 * c->spacing;
	c->fwhm = centre / 5000;
	c->xtalk = 0.08;
	off = oio_rng_uniform(&r, -1000, 1000);
	for (l = 0; l < W; l++) {
		double err = oio_rng_uniform(&r, -57, 57);
		double slope = 33.3 * oio_rng_uniform(&r, 0.9, 1.1);
		double temp_off = oio_rng_uniform(&r, -0.05, 0.05);

		c->line[l] = c->first + l * c->spacing + off + err +
			     90 * temp_off;
		c->power[l] = slope * (80 - 20);
	}
	for (g = 0; g < RINGS; g++) {
		int w = (g / 2) % W;

		c->design[g] = c->first + w * c->spacing +
			       oio_rng_uniform(&r, -2000, 2000);
		c->fsr[g] = W * c->spacing * (1 + oio_rng_uniform(&r, -0.01, 0.01));
		c->range[g] = 6700 * (1 + oio_rng_uniform(&r, -0.1, 0.1));
	}
	c->emitting = (1u << W) - 1;
	oio_rng_seed(&c->rng, seed ^ 0x6e6f697365ull);
}

static unsigned int ring_of(unsigned int p, unsigned int side, unsigned int w)
{
	return 2 * (p * W + w) + side;
}

/* Resonance of every ring of a bus for own drives x[] (fraction of R). */
static void bus_res(const struct card *c, unsigned int p, unsigned int side,
		    const double *x, double *res)
{
	unsigned int w;

	for (w = 0; w < W; w++) {
		unsigned int g = ring_of(p, side, w);
		double s = c->range[g] * x[w];

		if (w > 0)
			s += c->xtalk * c->range[ring_of(p, side, w - 1)] * x[w - 1];
		if (w + 1 < W)
			s += c->xtalk * c->range[ring_of(p, side, w + 1)] * x[w + 1];
		res[w] = c->design[g] + s;
	}
}

/* Full-power or coded sweep of every ring together, as the card does it. */
static void sweep(struct card *c, uint32_t code, double dim, uint32_t *trace)
{
	unsigned int p, side, w, j;
	double u = 0, a = exp(-DWELL / TAU);

	for (j = 0; j < POINTS; j++) {
		double cc = (double)(j * STEP) / OIO_HEATER_MAX;

		u = cc * cc + (u - cc * cc) * a;
		for (p = 0; p < P; p++)
			for (side = 0; side < 2; side++) {
				double x[W], res[W], fsr[W], pw[W], drop[W];
				struct oio_bus bus = {
					.rings = W, .lines = W, .res_pm = res,
					.fsr_pm = fsr, .line_pm = c->line,
					.line_uw = pw, .fwhm_pm = c->fwhm,
					.drop = 0.9,
				};
				unsigned int l;

				for (w = 0; w < W; w++) {
					x[w] = u;
					fsr[w] = c->fsr[ring_of(p, side, w)];
				}
				for (l = 0; l < W; l++) {
					pw[l] = (c->emitting >> l & 1) ?
						c->power[l] * (side ? 0.5 : 1) : 0;
					if (code >> l & 1)
						pw[l] *= dim;
				}
				bus_res(c, p, side, x, res);
				oio_bus_eval(&bus, drop, NULL);
				for (w = 0; w < W; w++) {
					double na = 800 * drop[w] + 5;

					if (c->noise_na)
						na += c->noise_na *
						      oio_rng_gauss(&c->rng);
					trace[ring_of(p, side, w) * POINTS + j] =
						na > 0 ? (uint32_t)lround(na) : 0;
				}
			}
	}
}

struct outcome {
	unsigned int lanes_ok;		/* would capture their own line */
	unsigned int lanes_usable;	/* the tuner said it could */
	unsigned int ports_failed;
};

static struct outcome run(struct card *c, struct oio_tune_ring *rings,
			  struct oio_tune_port *ports)
{
	static uint32_t full[RINGS * POINTS], coded[RINGS * POINTS];
	struct oio_tune_geom g = {
		.ports = P, .wavelengths = W, .spacing_pm = 1145,
		.fsr_pm = 9159, .range_pm = 6700, .fwhm_pm = 262, .xtalk = 0.08,
	};
	struct outcome o = { 0, 0, 0 };
	double u[POINTS];
	unsigned int k, r, p, side, w;
	uint32_t code = oio_tune_code(W, &k);

	oio_tune_drive(u, POINTS, 0, STEP, DWELL, TAU, 0);
	sweep(c, 0, 1, full);
	sweep(c, code, DIM, coded);
	for (r = 0; r < RINGS; r++) {
		oio_tune_peaks(&rings[r], full + r * POINTS, coded + r * POINTS,
			       u, POINTS, &g);
		oio_tune_identify(&rings[r], &g, code, c->emitting,
				  (1 + DIM) / 2);
	}
	oio_tune_ranges(rings, &g);
	for (p = 0; p < P; p++) {
		struct oio_tune_port *tp = &ports[p];
		bool ok[W];

		oio_tune_port(rings, &g, p, c->emitting, tp);
		if (tp->shift < 0) {
			o.ports_failed++;
			continue;
		}
		for (w = 0; w < W; w++)
			ok[w] = tp->usable[w];
		for (side = 0; side < 2; side++) {
			double x[W], res[W];

			for (w = 0; w < W; w++) {
				double cc = tp->code[side][w] / 4095.0;

				x[w] = cc * cc;
			}
			bus_res(c, p, side, x, res);
			for (w = 0; w < W; w++) {
				unsigned int l = (w + tp->shift) % W;
				double d = oio_wrap_detune(c->line[l], res[w],
						c->fsr[ring_of(p, side, w)]);

				/* the lock loop captures within one FWHM */
				if (fabs(d) > c->fwhm)
					ok[w] = false;
			}
		}
		for (w = 0; w < W; w++) {
			o.lanes_usable += tp->usable[w];
			o.lanes_ok += ok[w];
		}
	}
	return o;
}

static struct oio_tune_ring rings[RINGS];
static struct oio_tune_port ports[P];

START_TEST(test_code_windows)
{
	unsigned int k, w, i, j, b;

	for (w = 2; w <= 16; w++) {
		uint32_t pat = oio_tune_code(w, &k);

		ck_assert_uint_le(1u << k, 2 * w);	/* close to log2 W */
		for (i = 0; i < w; i++)
			for (j = 0; j < i; j++) {
				uint32_t a = 0, c = 0;

				for (b = 0; b < k; b++) {
					a |= (pat >> ((i + b) % w) & 1) << b;
					c |= (pat >> ((j + b) % w) & 1) << b;
				}
				ck_assert_uint_ne(a, c);
			}
	}
	oio_tune_code(8, &k);
	ck_assert_uint_eq(k, 3);
}
END_TEST

START_TEST(test_drive_lag)
{
	double u[4];

	/* no lag with a long dwell: the drive is (code / 4095)^2 */
	oio_tune_drive(u, 4, 0, 1365, 1e9, 4000, 0);
	ck_assert_double_eq_tol(u[3], 1.0, 1e-9);
	ck_assert_double_eq_tol(u[1], 1.0 / 9, 1e-9);
	/* one time constant: 63 % of the way from the previous drive */
	oio_tune_drive(u, 2, 4095, 0 + 1, 4000, 4000, 0);
	ck_assert_double_eq_tol(u[0], 1 - exp(-1), 1e-9);
}
END_TEST

/*
 * The seeds the VM suites bring up (link-seeds: 1001-1100; link-parallel:
 * 201-208; link-faults: 211; link-6.12: 231001-231010 and 231-232;
 * oioctl-1, -2, -8: 241, 5-6, 251-258): every lane of every card would
 * capture its own line.
 */
START_TEST(test_vm_seeds)
{
	static const unsigned int first[] = {
		1001, 201, 211, 231001, 231, 241, 5, 251,
	};
	static const unsigned int count[] = { 100, 8, 1, 10, 2, 1, 2, 8 };
	unsigned int i, seed;
	struct card c;

	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		for (seed = first[i]; seed < first[i] + count[i]; seed++) {
			struct outcome o;

			card_make(&c, seed);
			o = run(&c, rings, ports);
			ck_assert_msg(o.lanes_ok == P * W && o.ports_failed == 0,
				      "seed %u: %u/%u lanes would lock (usable %u)",
				      seed, o.lanes_ok, P * W, o.lanes_usable);
		}
}
END_TEST

/*
 * Many more cards: a ring whose every resonance a ring upstream shares at
 * the same drive can stay unread, but not on more than 1 % of cards, and
 * a lane the tuner calls usable must really lock.
 */
START_TEST(test_many_cards)
{
	unsigned int seed, whole = 0, n = 500;
	struct card c;

	for (seed = 1; seed <= n; seed++) {
		struct outcome o;

		card_make(&c, seed);
		o = run(&c, rings, ports);
		whole += o.lanes_ok == P * W;
		ck_assert_msg(o.lanes_ok >= o.lanes_usable - 1,
			      "seed %u: %u usable, %u would lock", seed,
			      o.lanes_usable, o.lanes_ok);
	}
	ck_assert_msg(whole * 100 >= n * 99, "%u/%u cards whole", whole, n);
}
END_TEST

START_TEST(test_noise)
{
	struct card c;
	struct outcome o;

	card_make(&c, 77);
	c.noise_na = 2000;	/* 0.15 % of a full peak */
	o = run(&c, rings, ports);
	ck_assert_uint_eq(o.lanes_ok, P * W);
}
END_TEST

/* A dark line: its lanes are unusable, every other lane still tunes. */
START_TEST(test_dark_line)
{
	struct card c;
	struct outcome o;

	card_make(&c, 5);
	c.emitting &= ~(1u << 3);
	o = run(&c, rings, ports);
	ck_assert_uint_eq(o.lanes_usable, P * (W - 1));
	ck_assert_uint_ge(o.lanes_ok, P * (W - 1));
}
END_TEST

/* A flat trace names no line and fits nothing. */
START_TEST(test_flat_trace)
{
	struct oio_tune_geom g = {
		.ports = 1, .wavelengths = W, .spacing_pm = 1145,
		.fsr_pm = 9159, .range_pm = 6700, .fwhm_pm = 262, .xtalk = 0.08,
	};
	uint32_t flat[POINTS];
	double u[POINTS];
	unsigned int j, k;
	struct oio_tune_ring r;

	for (j = 0; j < POINTS; j++)
		flat[j] = 5;
	oio_tune_drive(u, POINTS, 0, STEP, DWELL, TAU, 0);
	oio_tune_peaks(&r, flat, flat, u, POINTS, &g);
	ck_assert_uint_eq(r.n_peaks, 0);
	ck_assert(!oio_tune_identify(&r, &g, oio_tune_code(W, &k),
				     (1u << W) - 1, 0.83));
}
END_TEST

/* Two peaks both undimmed match several places of the code: refuse. */
START_TEST(test_ambiguous)
{
	struct oio_tune_geom g = {
		.ports = 1, .wavelengths = W, .spacing_pm = 1145,
		.fsr_pm = 9159, .range_pm = 6700, .fwhm_pm = 262, .xtalk = 0.08,
	};
	struct oio_tune_ring r;
	unsigned int k;

	memset(&r, 0, sizeof(r));
	r.n_peaks = 2;
	r.peak[0] = (struct oio_tune_peak){ .u = 0.2, .height = 1e6,
					    .ratio = 1, .line = -1 };
	r.peak[1] = (struct oio_tune_peak){ .u = 0.35, .height = 1e6,
					    .ratio = 1, .line = -1 };
	ck_assert(!oio_tune_identify(&r, &g, oio_tune_code(W, &k),
				     (1u << W) - 1, 0.83));
	/* a third, dimmed peak makes it unique */
	r.n_peaks = 3;
	r.peak[2] = (struct oio_tune_peak){ .u = 0.5, .height = 1e6,
					    .ratio = 0.66, .line = -1 };
	{
		uint32_t code = oio_tune_code(W, &k);
		unsigned int i;

		ck_assert(oio_tune_identify(&r, &g, code, (1u << W) - 1, 0.83));
		for (i = 0; i < 3; i++) {
			int l = r.peak[i].line;

			ck_assert_int_eq(l, (r.peak[0].line + (int)i) % W);
			ck_assert_int_eq(!!(code & (1u << l)), i == 2);
		}
	}
}
END_TEST

/* Rings whose heaters cannot reach: the port is refused, not guessed. */
START_TEST(test_out_of_range)
{
	struct card c;
	struct outcome o;
	unsigned int g;

	card_make(&c, 9);
	for (g = 0; g < 2 * W; g++)
		c.range[g] = 1500;	/* barely more than one spacing */
	o = run(&c, rings, ports);
	ck_assert_uint_lt(o.lanes_usable, P * W);
	/* what the tuner still calls usable must really lock */
	ck_assert_uint_ge(o.lanes_ok, o.lanes_usable);
}
END_TEST

static Suite *tuning_suite(void)
{
	Suite *s = suite_create("tuning");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_code_windows);
	tcase_add_test(tc, test_drive_lag);
	tcase_add_test(tc, test_vm_seeds);
	tcase_add_test(tc, test_many_cards);
	tcase_add_test(tc, test_noise);
	tcase_add_test(tc, test_dark_line);
	tcase_add_test(tc, test_flat_trace);
	tcase_add_test(tc, test_ambiguous);
	tcase_add_test(tc, test_out_of_range);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tuning_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
