// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of oioctl's argument parsers (tools/parse.c), with Check.
 * Build and run:
 *
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itools \
 *       -o build/unit/test-parse tests/unit/test-parse.c tools/parse.c \
 *       -lcheck -lsubunit -lm -lrt -lpthread
 *   build/unit/test-parse
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "parse.h"

/* ---- parse_u32 / parse_u64 ---------------------------------------------- */

START_TEST(test_u32_decimal_and_hex)
{
	uint32_t v = 7;

	ck_assert_int_eq(parse_u32("0", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(parse_u32("4095", 0, 4095, &v), 0);
	ck_assert_uint_eq(v, 4095);
	ck_assert_int_eq(parse_u32("0x10", 0, 100, &v), 0);
	ck_assert_uint_eq(v, 16);
	ck_assert_int_eq(parse_u32("0XfF", 0, 1000, &v), 0);
	ck_assert_uint_eq(v, 255);
	ck_assert_int_eq(parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT32_MAX);
	/* leading zeros are decimal, not octal */
	ck_assert_int_eq(parse_u32("010", 0, 100, &v), 0);
	ck_assert_uint_eq(v, 10);
}
END_TEST

START_TEST(test_u32_range)
{
	uint32_t v = 7;

	ck_assert_int_eq(parse_u32("4096", 0, 4095, &v), -ERANGE);
	ck_assert_int_eq(parse_u32("0", 1, 10, &v), -ERANGE);
	ck_assert_int_eq(parse_u32("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	ck_assert_int_eq(parse_u32("99999999999999999999999", 0, UINT32_MAX,
				   &v), -ERANGE);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_u32_bad)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "-1", "+1", "1a", "0x", "0x0x5", "abc", "1.5",
		"1e3", "0xg",
	};
	uint32_t v = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_u32(bad[i], 0, UINT32_MAX, &v) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_u32(NULL, 0, 1, &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_u64_full_range)
{
	uint64_t v = 0;

	ck_assert_int_eq(parse_u64("18446744073709551615", 0, UINT64_MAX, &v),
			 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_int_eq(parse_u64("18446744073709551616", 0, UINT64_MAX, &v),
			 -ERANGE);
}
END_TEST

/* ---- parse_bool ----------------------------------------------------------- */

START_TEST(test_bool_words)
{
	static const char *const on[] = { "on", "ON", "yes", "true", "1" };
	static const char *const off[] = { "off", "Off", "no", "false", "0" };
	bool v;
	size_t i;

	for (i = 0; i < 5; i++) {
		v = false;
		ck_assert_int_eq(parse_bool(on[i], &v), 0);
		ck_assert(v);
		v = true;
		ck_assert_int_eq(parse_bool(off[i], &v), 0);
		ck_assert(!v);
	}
}
END_TEST

START_TEST(test_bool_bad)
{
	static const char *const bad[] = { "", "2", "onn", "of", " on", "y" };
	bool v = true;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_bool(bad[i], &v) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_bool(NULL, &v), -EINVAL);
	ck_assert(v);
}
END_TEST

/* ---- parse_range ---------------------------------------------------------- */

START_TEST(test_range_forms)
{
	uint32_t a = 99, b = 99;

	ck_assert_int_eq(parse_range("3", 7, &a, &b), 0);
	ck_assert_uint_eq(a, 3);
	ck_assert_uint_eq(b, 3);
	ck_assert_int_eq(parse_range("0-7", 7, &a, &b), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 7);
	ck_assert_int_eq(parse_range("2-2", 7, &a, &b), 0);
	ck_assert_uint_eq(a, 2);
	ck_assert_uint_eq(b, 2);
	ck_assert_int_eq(parse_range("all", 63, &a, &b), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 63);
}
END_TEST

START_TEST(test_range_bad)
{
	static const char *const bad[] = {
		"", "-", "-3", "3-", "5-3", "a-3", "3-b", "1-2-3", "ALL", "1 -2",
	};
	uint32_t a = 99, b = 99;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_range(bad[i], 7, &a, &b) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_range("8", 7, &a, &b), -ERANGE);
	ck_assert_int_eq(parse_range("0-8", 7, &a, &b), -ERANGE);
	ck_assert_uint_eq(a, 99);
	ck_assert_uint_eq(b, 99);
}
END_TEST

/* ---- parse_card_spec ------------------------------------------------------ */

START_TEST(test_card_ids)
{
	struct card_spec c;

	ck_assert_int_eq(parse_card_spec("0", &c), 0);
	ck_assert_int_eq(c.kind, CARD_SPEC_ID);
	ck_assert_uint_eq(c.id, 0);
	ck_assert_int_eq(parse_card_spec("oio12", &c), 0);
	ck_assert_int_eq(c.kind, CARD_SPEC_ID);
	ck_assert_uint_eq(c.id, 12);
}
END_TEST

START_TEST(test_card_pci)
{
	struct card_spec c;

	ck_assert_int_eq(parse_card_spec("0000:01:00.0", &c), 0);
	ck_assert_int_eq(c.kind, CARD_SPEC_PCI);
	ck_assert_str_eq(c.pci, "0000:01:00.0");
	/* the domain is filled in and hex is lower-cased */
	ck_assert_int_eq(parse_card_spec("0A:1f.7", &c), 0);
	ck_assert_str_eq(c.pci, "0000:0a:1f.7");
	ck_assert_int_eq(parse_card_spec("10000:01:00.0", &c), -EINVAL);
	ck_assert_int_eq(parse_card_spec("0001:ff:1f.7", &c), 0);
	ck_assert_str_eq(c.pci, "0001:ff:1f.7");
}
END_TEST

START_TEST(test_card_bad)
{
	static const char *const bad[] = {
		"", "oio", "oio-1", "-1", "x", "oiox", "0x1", "oio0x1",
		"0000:01:00", "0000:01:00.8", "0000:01:20.0", "01:00.0.0",
		"0000:001:00.0", ":01:00.0", "0000:01:00.0 ", "1 ",
	};
	struct card_spec c = { .kind = CARD_SPEC_ID, .id = 42 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_card_spec(bad[i], &c) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_card_spec("4294967296", &c), -ERANGE);
	ck_assert_int_eq(parse_card_spec(NULL, &c), -EINVAL);
	ck_assert_uint_eq(c.id, 42);
}
END_TEST

/* ---- parse_duration ------------------------------------------------------- */

START_TEST(test_duration_units)
{
	uint64_t ns = 0;

	ck_assert_int_eq(parse_duration("2", 1000000000ULL, &ns), 0);
	ck_assert(ns == 2000000000ULL);
	ck_assert_int_eq(parse_duration("0.5", 1000000000ULL, &ns), 0);
	ck_assert(ns == 500000000ULL);
	ck_assert_int_eq(parse_duration("1000", 1000, &ns), 0);
	ck_assert(ns == 1000000);
	ck_assert_int_eq(parse_duration("4000", 1, &ns), 0);
	ck_assert(ns == 4000);
	ck_assert_int_eq(parse_duration("4us", 1, &ns), 0);
	ck_assert(ns == 4000);
	ck_assert_int_eq(parse_duration("4\u00b5s", 1, &ns), 0);
	ck_assert(ns == 4000);
	ck_assert_int_eq(parse_duration("200ms", 1, &ns), 0);
	ck_assert(ns == 200000000);
	ck_assert_int_eq(parse_duration("1.5s", 1, &ns), 0);
	ck_assert(ns == 1500000000ULL);
	ck_assert_int_eq(parse_duration("2min", 1, &ns), 0);
	ck_assert(ns == 120000000000ULL);
	ck_assert_int_eq(parse_duration("100ns", 1000, &ns), 0);
	ck_assert(ns == 100);
	ck_assert_int_eq(parse_duration(".25", 1000000000ULL, &ns), 0);
	ck_assert(ns == 250000000ULL);
	/* below a nanosecond is dropped */
	ck_assert_int_eq(parse_duration("1.5ns", 1, &ns), 0);
	ck_assert(ns == 1);
}
END_TEST

START_TEST(test_duration_bad)
{
	static const char *const bad[] = {
		"", ".", "s", "-1", "+1", "1 s", "1e3", "1h", "1m", "1.2.3",
		"1sec", "0x10", "1S",
	};
	uint64_t ns = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_duration(bad[i], 1, &ns) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_duration("99999999999999999999", 1, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration("1000000000000min", 1, &ns), -ERANGE);
	ck_assert_int_eq(parse_duration(NULL, 1, &ns), -EINVAL);
	ck_assert(ns == 7);
}
END_TEST

/* ---- parse_duration_opt: oioctl's duration options ------------------------ */

/* Every duration option takes every unit; a bare number its listed unit. */
START_TEST(test_duration_opt_units)
{
	const struct duration_opt *all[] = {
		&opt_prbs_dwell, &opt_sweep_dwell, &opt_watch,
	};
	static const char *const forms[] = { "1000000ns", "1000us", "1ms",
					     "0.001s", "1000\u00b5s" };
	uint64_t ns;
	size_t i, f;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			ns = 0;
			ck_assert_msg(!parse_duration_opt(forms[f], all[i], &ns),
				      "%s %s refused", all[i]->name, forms[f]);
			ck_assert_msg(ns == 1000000, "%s %s", all[i]->name,
				      forms[f]);
		}
	ck_assert_int_eq(parse_duration_opt("20us", &opt_sweep_dwell, &ns), 0);
	ck_assert(ns == 20000);
	/* bare numbers: ns for --dwell, us for --prbs-dwell, s for --watch */
	ck_assert_int_eq(parse_duration_opt("4000", &opt_sweep_dwell, &ns), 0);
	ck_assert(ns == 4000);
	ck_assert_int_eq(parse_duration_opt("500", &opt_prbs_dwell, &ns), 0);
	ck_assert(ns == 500000);
	ck_assert_int_eq(parse_duration_opt("0.2", &opt_watch, &ns), 0);
	ck_assert(ns == 200000000);
	/* the ends of each range are in it */
	ck_assert_int_eq(parse_duration_opt("100ns", &opt_sweep_dwell, &ns), 0);
	ck_assert_int_eq(parse_duration_opt("1ms", &opt_sweep_dwell, &ns), 0);
	ck_assert_int_eq(parse_duration_opt("1us", &opt_prbs_dwell, &ns), 0);
	ck_assert_int_eq(parse_duration_opt("10s", &opt_prbs_dwell, &ns), 0);
	ck_assert_int_eq(parse_duration_opt("1ms", &opt_watch, &ns), 0);
	ck_assert_int_eq(parse_duration_opt("1440min", &opt_watch, &ns), 0);
}
END_TEST

START_TEST(test_duration_opt_bad)
{
	uint64_t ns = 7;

	ck_assert_int_eq(parse_duration_opt("99ns", &opt_sweep_dwell, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration_opt("1001us", &opt_sweep_dwell, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration_opt("0", &opt_prbs_dwell, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration_opt("10001ms", &opt_prbs_dwell, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration_opt("0.999ms", &opt_watch, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration_opt("86401", &opt_watch, &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_duration_opt("1 ms", &opt_watch, &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_opt("1h", &opt_watch, &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_opt("-1s", &opt_watch, &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_opt("ms", &opt_watch, &ns), -EINVAL);
	ck_assert(ns == 7);
}
END_TEST

START_TEST(test_duration_opt_want)
{
	char buf[96];

	duration_opt_want(&opt_sweep_dwell, buf, sizeof(buf));
	ck_assert_str_eq(buf, "want 100ns to 1ms; a bare number is in ns");
	duration_opt_want(&opt_prbs_dwell, buf, sizeof(buf));
	ck_assert_str_eq(buf, "want 1us to 10s; a bare number is in us");
	duration_opt_want(&opt_watch, buf, sizeof(buf));
	ck_assert_str_eq(buf, "want 1ms to 86400s; a bare number is in s");
	format_duration(1500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500ns");
	format_duration(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0ns");
}
END_TEST

/* ---- parse_current_ua ----------------------------------------------------- */

START_TEST(test_current_units)
{
	uint32_t ua = 0;

	ck_assert_int_eq(parse_current_ua("80000", 150000, &ua), 0);
	ck_assert_uint_eq(ua, 80000);
	ck_assert_int_eq(parse_current_ua("80mA", 150000, &ua), 0);
	ck_assert_uint_eq(ua, 80000);
	ck_assert_int_eq(parse_current_ua("80.5mA", 150000, &ua), 0);
	ck_assert_uint_eq(ua, 80500);
	ck_assert_int_eq(parse_current_ua("120uA", 150000, &ua), 0);
	ck_assert_uint_eq(ua, 120);
	ck_assert_int_eq(parse_current_ua("0.15A", 150000, &ua), 0);
	ck_assert_uint_eq(ua, 150000);
	ck_assert_int_eq(parse_current_ua("0", 150000, &ua), 0);
	ck_assert_uint_eq(ua, 0);
}
END_TEST

START_TEST(test_current_bad)
{
	static const char *const bad[] = {
		"", "mA", "-5mA", "80 mA", "80MA", "80mAh", "80nA", "1e3",
	};
	uint32_t ua = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_current_ua(bad[i], 150000, &ua) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_current_ua("150001", 150000, &ua), -ERANGE);
	ck_assert_int_eq(parse_current_ua("200mA", 150000, &ua), -ERANGE);
	ck_assert_int_eq(parse_current_ua("5000A", UINT32_MAX, &ua), -ERANGE);
	ck_assert_uint_eq(ua, 7);
}
END_TEST

/* ---- parse_double --------------------------------------------------------- */

START_TEST(test_double_values)
{
	double v = 0;

	ck_assert_int_eq(parse_double("1e-12", 0, 1, &v), 0);
	ck_assert_double_eq(v, 1e-12);
	ck_assert_int_eq(parse_double("0.5", 0, 1, &v), 0);
	ck_assert_double_eq(v, 0.5);
	ck_assert_int_eq(parse_double("-2.5", -10, 10, &v), 0);
	ck_assert_double_eq(v, -2.5);
	ck_assert_int_eq(parse_double(".25", 0, 1, &v), 0);
	ck_assert_double_eq(v, 0.25);
}
END_TEST

START_TEST(test_double_bad)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "nan", "inf", "-inf", "0x1p-3", "1e", "e5",
		"1,5", "abc",
	};
	double v = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_double(bad[i], -1e300, 1e300, &v) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(parse_double("2", 0, 1, &v), -ERANGE);
	ck_assert_int_eq(parse_double("1e999", 0, 1e300, &v), -EINVAL);
	ck_assert_double_eq(v, 7);
}
END_TEST

/* ---- parse_keyword -------------------------------------------------------- */

START_TEST(test_keyword)
{
	static const char *const words[] = {
		NULL, "deactivate", "initialize", "activate",
	};

	ck_assert_int_eq(parse_keyword("deactivate", words, 4), 1);
	ck_assert_int_eq(parse_keyword("activate", words, 4), 3);
	ck_assert_int_eq(parse_keyword("Activate", words, 4), -EINVAL);
	ck_assert_int_eq(parse_keyword("act", words, 4), -EINVAL);
	ck_assert_int_eq(parse_keyword("", words, 4), -EINVAL);
	ck_assert_int_eq(parse_keyword(NULL, words, 4), -EINVAL);
}
END_TEST

int main(void)
{
	SRunner *sr;
	Suite *s;
	TCase *tc;
	int failed;

	s = suite_create("parse_u32");
	tc = tcase_create("core");
	tcase_add_test(tc, test_u32_decimal_and_hex);
	tcase_add_test(tc, test_u32_range);
	tcase_add_test(tc, test_u32_bad);
	tcase_add_test(tc, test_u64_full_range);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);

	s = suite_create("parse_bool");
	tc = tcase_create("core");
	tcase_add_test(tc, test_bool_words);
	tcase_add_test(tc, test_bool_bad);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	s = suite_create("parse_range");
	tc = tcase_create("core");
	tcase_add_test(tc, test_range_forms);
	tcase_add_test(tc, test_range_bad);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	s = suite_create("parse_card_spec");
	tc = tcase_create("core");
	tcase_add_test(tc, test_card_ids);
	tcase_add_test(tc, test_card_pci);
	tcase_add_test(tc, test_card_bad);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	s = suite_create("parse_duration");
	tc = tcase_create("core");
	tcase_add_test(tc, test_duration_units);
	tcase_add_test(tc, test_duration_bad);
	tcase_add_test(tc, test_duration_opt_units);
	tcase_add_test(tc, test_duration_opt_bad);
	tcase_add_test(tc, test_duration_opt_want);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	s = suite_create("parse_current_ua");
	tc = tcase_create("core");
	tcase_add_test(tc, test_current_units);
	tcase_add_test(tc, test_current_bad);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	s = suite_create("parse_double");
	tc = tcase_create("core");
	tcase_add_test(tc, test_double_values);
	tcase_add_test(tc, test_double_bad);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	s = suite_create("parse_keyword");
	tc = tcase_create("core");
	tcase_add_test(tc, test_keyword);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
