// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the feasibility reference (tests/unit/reference.c),
 * which every bring-up test trusts to say which lanes could come up and
 * why the others cannot. Here it judges cards built so that the answer
 * follows from their geometry alone: no fabrication spread, lines on
 * their grid, each ring a fixed distance blue of its own line when cold,
 * and no crosstalk but where a test says. Ring w then needs (l - w)
 * spacings and that distance of heat to reach line l, in the first order
 * red-wards that leaves half a linewidth of heater to spare, and two lines
 * meet a ring at once only where the FSR is a whole number of spacings
 * inside the comb (lines 0 and 7 at seven). Every verdict the reference
 * can give - up, dark, stuck, out of reach, too weak, and out of reach and
 * too weak too - is checked against that, lane by lane and line shift by
 * line shift.
 */
#include <check.h>
#include <math.h>

#include "reference.h"

#define BER		1e-12
#define PORTS		2
#define W		8
/* how far blue of its own line a ring sits cold, unless a test says */
#define BLUE_PM		500
/* heater full scale with room for any line shift, and with room for three */
#define ROOMY_PM	30000
#define TIGHT_PM	3500
/* the model's nominal Q: a linewidth of 262 pm, clear of a spacing */
#define Q		5000
/* the lasers' ramp to full bias (1 ms) and more */
#define LIT_NS		5000000

static struct simcard card;
static struct ref_card ref;

/* What a card is built with, and so what the reference must find. */
struct build {
	int64_t range_pm;	/* heater full scale */
	int64_t blue_pm;	/* a ring's distance blue of its line, cold */
	unsigned int fsr_spacings;	/* the FSR, in grid spacings */
	int64_t q;		/* loaded Q */
	uint32_t dark;		/* failed laser lines */
	int stuck;		/* ring whose heater is stuck, or -1 */
	int64_t xt_permille;	/* crosstalk between adjacent rings */
};

static void teardown(void)
{
	simcard_free(&card);
}

static void set(const char *knob, int64_t val)
{
	ck_assert_msg(simcard_set(&card, knob, val) == 0, "%s = %lld", knob,
		      (long long)val);
}

/* The card, reset and its lasers lit at full bias, as bring-up runs them. */
static void build(const struct build *b)
{
	static const struct {
		const char *knob;
		int64_t val;
	} clean[] = {
		{ "laser-offset-pm", 0 }, { "laser-error-pm", 0 },
		{ "ring-spread-pm", 0 },
		{ "fsr-spread-permille", 0 }, { "fsr-order-permille", 0 },
		{ "heater-spread-permille", 0 }, { "heater-law-permille", 0 },
		{ "ring-q-spread-permille", 0 },
		{ "crosstalk-spread-permille", 0 },
		{ "crosstalk-nn-permille", 0 }, { "laser-drift-pm-per-ma", 0 },
		{ "drift-pm-per-k", 0 },
		/* the lasers' TEC at the lines' reference temperature */
		{ "laser-temp-mc", 25000 },
	};
	unsigned int i, l, p;

	simcard_init(&card, PORTS, W);
	set("seed", 1);
	for (i = 0; i < sizeof(clean) / sizeof(clean[0]); i++)
		set(clean[i].knob, clean[i].val);
	set("ring-bias-pm", -b->blue_pm);
	set("heater-range-pm", b->range_pm);
	set("fsr-permille", 1000 * b->fsr_spacings / W);
	set("ring-q", b->q);
	set("crosstalk-permille", b->xt_permille);
	simcard_realize(&card);
	set("laser-fail-mask", b->dark);
	set("stuck-ring", b->stuck);
	simcard_wr(&card, OIO_REG_ARM, OIO_ARM_KEY);
	for (l = 0; l < W; l++)
		simcard_wr(&card, OIO_LASER_REG(l, OIO_LASER_CTRL),
			   OIO_LASER_ENABLE);
	/* ports at line shifts of their own, for the reference to keep */
	for (p = 0; p < PORTS; p++)
		simcard_wr(&card, OIO_REG_PORT_LINE_SHIFT(p), p + 3);
	simcard_wait(&card, LIT_NS);
	for (p = 0; p < PORTS; p++)
		ck_assert_uint_eq(card.s.line_shift[p], p + 3);
}

/* Can ring w reach line l, with half a linewidth of heater to spare? */
static bool reaches(const struct build *b, unsigned int w, unsigned int l)
{
	double sp = card.s.spacing_pm, fsr = b->fsr_spacings * sp;
	double half = card.s.fwhm_pm / 2;
	double need = fmod(((double)l - w) * sp + b->blue_pm + 2 * fsr, fsr);

	if (need < half)
		need += fsr;
	return need <= b->range_pm - half;
}

/* Does another line meet a ring on line l in another of its orders? */
static bool shared(const struct build *b, unsigned int l)
{
	return (l + b->fsr_spacings < W) || (l >= b->fsr_spacings);
}

/*
 * What lane w of port p is at shift sh, from the build alone. A ring
 * wider than a spacing takes its neighbours' lines with its own. (Only
 * the tests' two Qs are judged so: the BER target is missed long before,
 * at a Q of 2,000 on these cards.)
 */
static enum ref_why expected(const struct build *b, unsigned int p,
			     unsigned int w, unsigned int sh, bool *also_weak)
{
	unsigned int l = (w + sh) % W, n = p * W + w;
	bool crowded = shared(b, l) || card.s.fwhm_pm > card.s.spacing_pm;

	*also_weak = false;
	if (b->dark >> l & 1)
		return REF_DARK;
	if (b->stuck >= 0 && oio_ring_lane((unsigned int)b->stuck) == n)
		return REF_STUCK;
	if (!reaches(b, w, l)) {
		*also_weak = crowded;
		return REF_REACH;
	}
	return crowded ? REF_WEAK : REF_OK;
}

/* Check lane w of port p at shift sh against the build; is it up? */
static bool check_lane(const struct build *b, unsigned int p, unsigned int sh,
		       unsigned int w)
{
	enum ref_why got = ref.port[p].why[sh][w], want;
	bool weak, also = ref.port[p].also_weak[sh][w];

	want = expected(b, p, w, sh, &weak);
	ck_assert_msg(got == want, "port %u shift %u lane %u: %s, not %s", p,
		      sh, w, ref_why_name(got), ref_why_name(want));
	ck_assert_msg(also == (got == REF_REACH && weak),
		      "port %u shift %u lane %u: too weak too %d", p, sh, w,
		      also);
	return got == REF_OK;
}

/*
 * Judge the card and check every lane at every shift, each port's best
 * and the shift it names, and the card's total; returns that total.
 */
static unsigned int judge(const struct build *b)
{
	unsigned int p, sh, w, total = 0;
	uint32_t kept[PORTS];

	for (p = 0; p < PORTS; p++)
		kept[p] = card.s.line_shift[p];
	ref_card(&card, BER, &ref);
	for (p = 0; p < PORTS; p++) {
		unsigned int best = 0, at = 0;

		/* it tries every shift, and leaves the card at its own */
		ck_assert_uint_eq(card.s.line_shift[p], kept[p]);
		for (sh = 0; sh < W; sh++) {
			unsigned int up = 0;

			for (w = 0; w < W; w++)
				up += check_lane(b, p, sh, w);
			if (up > best) {
				best = up;
				at = sh;
			}
		}
		ck_assert_uint_eq(ref.port[p].best, best);
		if (best)
			ck_assert_uint_eq(ref.port[p].shift, at);
		total += best;
	}
	ck_assert_uint_eq(ref.possible, total);
	return total;
}

/* A heater with room for every line shift: every lane, every shift. */
START_TEST(test_roomy_card_whole)
{
	const struct build b = {
		.range_pm = ROOMY_PM, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .stuck = -1,
	};

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * W);
}
END_TEST

/*
 * Room for three line shifts (the ring's own line and the next two red):
 * the rest out of reach in any order, and no more than that.
 */
START_TEST(test_tight_heater_out_of_reach)
{
	const struct build b = {
		.range_pm = TIGHT_PM, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .stuck = -1,
	};
	unsigned int sh;

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * W);
	for (sh = 0; sh < W; sh++)
		ck_assert_int_eq(ref.port[1].why[sh][4],
				 sh < 3 ? REF_OK : REF_REACH);
}
END_TEST

/*
 * A ring 100 pm blue of its line is within half a linewidth (131 pm) of
 * the cold end of its heater there: no room for its loop. Its line's next
 * order is past a tight heater's reach, so shift 0 is out of reach, and
 * shift 1 (1,245 pm) is the best.
 */
START_TEST(test_cold_end_no_room)
{
	const struct build b = {
		.range_pm = TIGHT_PM, .blue_pm = 100, .fsr_spacings = W,
		.q = Q, .stuck = -1,
	};
	unsigned int w;

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * W);
	ck_assert_uint_eq(ref.port[0].shift, 1);
	for (w = 0; w < W; w++)
		ck_assert_int_eq(ref.port[0].why[0][w], REF_REACH);
}
END_TEST

/*
 * A heater of 2,853 pm: shift 2 needs 2,790, inside its range but within
 * half a linewidth (131 pm) of its hot end, out of reach.
 */
START_TEST(test_hot_end_no_room)
{
	const struct build b = {
		.range_pm = 2853, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .stuck = -1,
	};
	unsigned int w;

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * W);
	for (w = 0; w < W; w++) {
		ck_assert_int_eq(ref.port[1].why[1][w], REF_OK);
		ck_assert_int_eq(ref.port[1].why[2][w], REF_REACH);
	}
}
END_TEST

/*
 * Adjacent rings 15 % coupled: a ring's neighbours' heat moves it too, so
 * it needs less of its own. At shift 3 every ring needs 3,935 pm in all:
 * alone, past a 3,700 pm heater's room (3,569); with its neighbours on
 * their lines, 2,955 to 3,038 of its own inside a bus and 3,491 at its
 * ends, where one neighbour heats it. At shift 4 (5,079 in all) 3,815 or
 * more inside is past it, and a ring left cold helps its neighbours less:
 * none is in reach.
 */
START_TEST(test_crosstalk_brings_into_reach)
{
	const struct build b = {
		.range_pm = 3700, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .stuck = -1, .xt_permille = 150,
	};
	unsigned int p, sh, w;

	build(&b);
	ref_card(&card, BER, &ref);
	ck_assert_uint_eq(ref.possible, PORTS * W);
	for (p = 0; p < PORTS; p++)
		for (sh = 0; sh < W; sh++)
			for (w = 0; w < W; w++)
				ck_assert_int_eq(ref.port[p].why[sh][w],
						 sh <= 3 ? REF_OK : REF_REACH);
}
END_TEST

/* A failed line: its lane dark at every shift, a lane short a port. */
START_TEST(test_failed_line_dark)
{
	const struct build b = {
		.range_pm = ROOMY_PM, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .dark = 1u << 3, .stuck = -1,
	};

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * (W - 1));
	ck_assert_int_eq(ref.port[0].why[0][3], REF_DARK);
	ck_assert_int_eq(ref.port[0].why[1][2], REF_DARK);
}
END_TEST

/* A stuck heater: its lane stuck at every shift, whatever its line. */
START_TEST(test_stuck_heater)
{
	const struct build b = {
		.range_pm = ROOMY_PM, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .stuck = 2 * (W + 5) + 1,
	};

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * W - 1);
	ck_assert_int_eq(ref.port[1].why[2][5], REF_STUCK);
}
END_TEST

/*
 * A stuck TX heater under a tight heater: its lane is stuck at the
 * shifts its rings could reach and at those they could not, the heater
 * that cannot move saying more than the line out of reach.
 */
START_TEST(test_stuck_heater_out_of_reach)
{
	const struct build b = {
		.range_pm = TIGHT_PM, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = Q, .stuck = 2 * (W + 5),
	};
	unsigned int sh;

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * W - 1);
	for (sh = 0; sh < W; sh++)
		ck_assert_int_eq(ref.port[1].why[sh][5], REF_STUCK);
}
END_TEST

/*
 * An FSR of seven spacings: a ring on line 0 meets line 7 in its next
 * order, and one on line 7 meets line 0. Both lanes are too weak at every
 * shift, reachable as they are.
 */
START_TEST(test_fsr_whole_spacings_crowded)
{
	const struct build b = {
		.range_pm = ROOMY_PM, .blue_pm = BLUE_PM, .fsr_spacings = W - 1,
		.q = Q, .stuck = -1,
	};

	build(&b);
	ck_assert_uint_eq(judge(&b), PORTS * (W - 2));
	ck_assert_int_eq(ref.port[0].why[0][0], REF_WEAK);
	ck_assert_int_eq(ref.port[0].why[0][7], REF_WEAK);
	ck_assert_int_eq(ref.port[0].why[0][3], REF_OK);
}
END_TEST

/*
 * The same with room for three shifts: a lane on line 0 or 7 out of reach
 * is too weak as well, and the others out of reach are not.
 */
START_TEST(test_out_of_reach_and_too_weak)
{
	const struct build b = {
		.range_pm = TIGHT_PM, .blue_pm = BLUE_PM, .fsr_spacings = W - 1,
		.q = Q, .stuck = -1,
	};
	unsigned int sh, w, both = 0, reach = 0;

	build(&b);
	judge(&b);
	for (sh = 0; sh < W; sh++)
		for (w = 0; w < W; w++) {
			reach += ref.port[0].why[sh][w] == REF_REACH;
			both += ref.port[0].also_weak[sh][w];
		}
	/* neither kind left untested: shift 3 takes lane 4 to line 7 */
	ck_assert_uint_gt(both, 0);
	ck_assert_uint_gt(reach, both);
	ck_assert_int_eq(ref.port[0].why[3][4], REF_REACH);
	ck_assert(ref.port[0].also_weak[3][4]);
	ck_assert_int_eq(ref.port[0].why[3][3], REF_REACH);
	ck_assert(!ref.port[0].also_weak[3][3]);
}
END_TEST

/* A linewidth wider than a spacing: every line crowds its neighbours. */
START_TEST(test_wide_linewidth_too_weak)
{
	const struct build b = {
		.range_pm = ROOMY_PM, .blue_pm = BLUE_PM, .fsr_spacings = W,
		.q = 1000, .stuck = -1,
	};

	build(&b);
	ck_assert_double_gt(card.s.fwhm_pm, card.s.spacing_pm);
	ck_assert_uint_eq(judge(&b), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reference");
	TCase *tc = tcase_create("geometry");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_roomy_card_whole);
	tcase_add_test(tc, test_tight_heater_out_of_reach);
	tcase_add_test(tc, test_cold_end_no_room);
	tcase_add_test(tc, test_hot_end_no_room);
	tcase_add_test(tc, test_crosstalk_brings_into_reach);
	tcase_add_test(tc, test_failed_line_dark);
	tcase_add_test(tc, test_stuck_heater);
	tcase_add_test(tc, test_stuck_heater_out_of_reach);
	tcase_add_test(tc, test_fsr_whole_spacings_crowded);
	tcase_add_test(tc, test_out_of_reach_and_too_weak);
	tcase_add_test(tc, test_wide_linewidth_too_weak);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
