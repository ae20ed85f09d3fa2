// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of liboio's thermal headroom (lib/headroom.c), with Check:
 * exact figures from the nominal square law, the least over the TX and RX
 * rings of the lanes that are up, lanes down ignored, a port with nothing
 * up, and bad input.
 *
 * Codes are chosen so that code/4095 is a simple fraction: 1365 = 1/3,
 * 2730 = 2/3, 3276 = 4/5. With a 9000 pm range and 50 pm/K the full range
 * is 180 K, and code 2730 (4000 pm) leaves 80 K to warm and 100 K to cool.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "liboio.h"

#define TOL 1e-9

static struct oio_card_info card;
static struct oio_lane_info lanes[6];
static struct oio_ring_info rings[12];

/* lane l on port l / 2; ring 2l TX at code tx, 2l + 1 RX at code rx */
static void lane(uint32_t l, bool up, uint32_t tx, uint32_t rx)
{
	lanes[l] = (struct oio_lane_info){
		.lane = l, .port = l / 2,
		.state = up ? OIO_LANE_STATE_ACTIVATED :
			OIO_LANE_STATE_DEACTIVATED,
	};
	rings[2 * l] = (struct oio_ring_info){ .ring = 2 * l, .heater = tx };
	rings[2 * l + 1] = (struct oio_ring_info){ .ring = 2 * l + 1,
						   .heater = rx };
}

static void setup(void)
{
	memset(&card, 0, sizeof(card));
	card.ports = 3;
	card.wavelengths = 2;
	card.heater_range_pm = 9000;
	card.drift_pm_per_k = 50;
	lane(0, true, 2730, 1365);	/* warm 80 / 20, cool 100 / 160 */
	lane(1, true, 3276, 2730);	/* warm 115.2 / 80, cool 64.8 / 100 */
	lane(2, true, 1365, 1365);	/* warm 20, cool 160 */
	lane(3, false, 0, 4095);	/* down: would be 0 K each way */
	lane(4, false, 2730, 2730);
	lane(5, false, 2730, 2730);
}

static struct oio_headroom get(uint32_t port)
{
	struct oio_headroom h;

	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, rings, 12, port,
					   &h), 0);
	return h;
}

START_TEST(test_least_over_tx_and_rx)
{
	struct oio_headroom h = get(0);

	/* warm from lane 0's RX ring, cool from lane 1's TX ring */
	ck_assert(h.known);
	ck_assert_double_eq_tol(h.warm_k, 20.0, TOL);
	ck_assert_double_eq_tol(h.cool_k, 64.8, TOL);
}
END_TEST

START_TEST(test_lanes_down_ignored)
{
	struct oio_headroom h = get(1);

	ck_assert(h.known);
	ck_assert_double_eq_tol(h.warm_k, 20.0, TOL);
	ck_assert_double_eq_tol(h.cool_k, 160.0, TOL);
	/* port 2 has no lane up: no figure */
	h = get(2);
	ck_assert(!h.known);
	ck_assert(isnan(h.warm_k) && isnan(h.cool_k));
}
END_TEST

START_TEST(test_range_ends)
{
	struct oio_headroom h;

	lane(2, true, 0, 4095);
	h = get(1);
	ck_assert_double_eq_tol(h.warm_k, 0.0, TOL);
	ck_assert_double_eq_tol(h.cool_k, 0.0, TOL);
	/* a code past full scale counts as full scale */
	lane(2, true, 5000, 5000);
	h = get(1);
	ck_assert_double_eq_tol(h.warm_k, 180.0, TOL);
	ck_assert_double_eq_tol(h.cool_k, 0.0, TOL);
	/* the drift scales it: 60 pm/K, 9000 pm is 150 K */
	card.drift_pm_per_k = 60;
	h = get(1);
	ck_assert_double_eq_tol(h.warm_k, 150.0, TOL);
}
END_TEST

START_TEST(test_any_order)
{
	struct oio_lane_info l2[6];
	struct oio_ring_info r2[12];
	struct oio_headroom h;
	int i;

	/* reversed lists, as a caller may hold them */
	for (i = 0; i < 6; i++)
		l2[i] = lanes[5 - i];
	for (i = 0; i < 12; i++)
		r2[i] = rings[11 - i];
	ck_assert_int_eq(oio_port_headroom(&card, l2, 6, r2, 12, 0, &h), 0);
	ck_assert_double_eq_tol(h.warm_k, 20.0, TOL);
	ck_assert_double_eq_tol(h.cool_k, 64.8, TOL);
}
END_TEST

START_TEST(test_bad_input)
{
	struct oio_headroom h;

	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, rings, 12, 3, &h),
			 -EINVAL);
	ck_assert_int_eq(oio_port_headroom(NULL, lanes, 6, rings, 12, 0, &h),
			 -EINVAL);
	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, rings, 12, 0,
					   NULL), -EINVAL);
	/* a driver without the drift register reports 0 */
	card.drift_pm_per_k = 0;
	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, rings, 12, 0, &h),
			 -EOPNOTSUPP);
	card.drift_pm_per_k = 50;
	card.heater_range_pm = 0;
	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, rings, 12, 0, &h),
			 -EOPNOTSUPP);
	card.heater_range_pm = 9000;
	/* lane 1's RX ring (3) missing: its margin would go unseen */
	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, rings, 3, 0, &h),
			 -ENOENT);
	/* lanes only, no rings: nothing up is missing on port 2 */
	ck_assert_int_eq(oio_port_headroom(&card, lanes, 6, NULL, 0, 2, &h),
			 0);
	ck_assert(!h.known);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("headroom");
	TCase *tc = tcase_create("headroom");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_least_over_tx_and_rx);
	tcase_add_test(tc, test_lanes_down_ignored);
	tcase_add_test(tc, test_range_ends);
	tcase_add_test(tc, test_any_order);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
