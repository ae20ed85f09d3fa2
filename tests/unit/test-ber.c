// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's lane<M>/ber text (driver/oio_ber.h), compiled here as the
 * kernel compiles it: ordinary ratios, ratios of 1 and more, and counters
 * a card could supply that once divided by zero.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "oio_ber.h"

static const char *ber(u64 errors, u64 bits)
{
	static char buf[64];

	oio_ber_format(errors, bits, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

START_TEST(test_ordinary)
{
	ck_assert_str_eq(ber(0, 1000), "0");
	ck_assert_str_eq(ber(247, 100000000), "2.47e-06");
	ck_assert_str_eq(ber(1, 3), "3.33e-01");
	ck_assert_str_eq(ber(1, 1000000000000ull), "1.00e-12");
	ck_assert_str_eq(ber(5, 10), "5.00e-01");
}
END_TEST

START_TEST(test_one_and_above)
{
	/* more errors than bits is a card's bug, but it must read right */
	ck_assert_str_eq(ber(1, 1), "1.00e+00");
	ck_assert_str_eq(ber(5000, 1), "5.00e+03");
	ck_assert_str_eq(ber(123, 10), "1.23e+01");
	ck_assert_str_eq(ber(UINT64_MAX, 1), "1.84e+19");
}
END_TEST

START_TEST(test_extreme_counters)
{
	/* once: den /= 10 reached 0, and the division oopsed */
	ck_assert_str_eq(ber(1ull << 57, 9), "1.60e+16");
	ck_assert_str_eq(ber(UINT64_MAX - 1, UINT64_MAX), "9.99e-01");
	ck_assert_str_eq(ber(UINT64_MAX / 2, UINT64_MAX), "4.99e-01");
	ck_assert_str_eq(ber(1, UINT64_MAX), "5.42e-20");
	ck_assert_str_eq(ber(3, UINT64_MAX), "1.62e-19");
	ck_assert_str_eq(ber(UINT64_MAX, UINT64_MAX - 1), "1.00e+00");
	ck_assert_str_eq(ber((1ull << 63) + 7, 3), "3.07e+18");
}
END_TEST

START_TEST(test_no_division_by_zero)
{
	/* errors >= 2^57 with bits < 10: the old scaling divided by 0 */
	ck_assert_str_eq(ber(1ull << 58, 9), "3.20e+16");
	ck_assert_str_eq(ber(UINT64_MAX, 9), "2.04e+18");
}
END_TEST

START_TEST(test_small_buffer)
{
	char buf[4];

	ck_assert_int_eq(oio_ber_format(247, 100000000, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "2.4");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ber");
	TCase *tc = tcase_create("format");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_ordinary);
	tcase_add_test(tc, test_one_and_above);
	tcase_add_test(tc, test_extreme_counters);
	tcase_add_test(tc, test_no_division_by_zero);
	tcase_add_test(tc, test_small_buffer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
