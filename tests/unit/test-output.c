// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of oioctl's output helpers (tools/output.c), with Check:
 * human units, BER text and the JSON keys that
 * oioctl(8) documents. Build and run:
 *
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itools -Ilib \
 *       -Iinclude/uapi -I/usr/include/json-c \
 *       -o build/unit/test-output tests/unit/test-output.c tools/output.c \
 *       -ljson-c -lcheck -lsubunit -lm -lrt -lpthread
 *   build/unit/test-output
 *
 * liboio's name tables are stubbed below, so the test needs no liboio.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

const char *oio_lane_state_name(enum oio_lane_state s)
{
	return s == OIO_LANE_STATE_ACTIVATED ? "activated" : NULL;
}

const char *oio_lane_reason_name(enum oio_lane_reason r)
{
	return r == OIO_LANE_REASON_NONE ? "none" : NULL;
}

const char *oio_lock_state_name(enum oio_lock_state s)
{
	return s == OIO_LOCK_STATE_LOCKED ? "locked" : NULL;
}

const char *oio_card_health_name(enum oio_card_health h)
{
	return h == OIO_CARD_HEALTH_OK ? "ok" : NULL;
}

const char *oio_link_fail_name(enum oio_link_fail f)
{
	return f == OIO_LINK_OK ? "ok" : NULL;
}

START_TEST(test_temp)
{
	char b[32];

	ck_assert_str_eq(fmt_temp(b, sizeof(b), 41234, true), "41.2\u00b0C");
	ck_assert_str_eq(fmt_temp(b, sizeof(b), 41250, false), "41.3 C");
	ck_assert_str_eq(fmt_temp(b, sizeof(b), 0, false), "0.0 C");
	ck_assert_str_eq(fmt_temp(b, sizeof(b), -40, false), "0.0 C");
	ck_assert_str_eq(fmt_temp(b, sizeof(b), -5060, false), "-5.1 C");
}
END_TEST

START_TEST(test_units)
{
	char b[32];

	ck_assert_str_eq(fmt_ma(b, sizeof(b), 80000), "80.0 mA");
	ck_assert_str_eq(fmt_ma(b, sizeof(b), 35749), "35.7 mA");
	ck_assert_str_eq(fmt_mw(b, sizeof(b), 2186), "2.19 mW");
	ck_assert_str_eq(fmt_mw(b, sizeof(b), 5), "0.01 mW");
	ck_assert_str_eq(fmt_na(b, sizeof(b), 5, true), "5 nA");
	ck_assert_str_eq(fmt_na(b, sizeof(b), 783600, false), "783.6 uA");
	ck_assert_str_eq(fmt_na(b, sizeof(b), 1572831, true), "1.57 mA");
}
END_TEST

START_TEST(test_ber)
{
	char b[32];

	ck_assert_str_eq(fmt_ber(b, sizeof(b), 0, 0), "-");
	ck_assert_str_eq(fmt_ber(b, sizeof(b), 32281421632ULL, 0), "<3.1e-11");
	ck_assert_str_eq(fmt_ber(b, sizeof(b), 4000000, 10), "2.5e-06");
	ck_assert_ptr_null(json_ber(0, 0));
}
END_TEST

START_TEST(test_laser_status)
{
	char b[32];

	ck_assert_str_eq(fmt_laser_status(b, sizeof(b), 0), "dark");
	ck_assert_str_eq(fmt_laser_status(b, sizeof(b), OIO_LASER_EMITTING),
			 "emitting");
	ck_assert_str_eq(fmt_laser_status(b, sizeof(b), OIO_LASER_EMITTING |
					  OIO_LASER_RAMPING | OIO_LASER_FAILED),
			 "emitting,ramping,failed");
}
END_TEST

START_TEST(test_width)
{
	ck_assert_uint_eq(text_width("41.2\u00b0C"), 6);
	ck_assert_uint_eq(text_width(""), 0);
	ck_assert_uint_eq(text_width("abc"), 3);
}
END_TEST

START_TEST(test_json_lane)
{
	struct oio_lane_info l = {
		.card_id = 1, .lane = 3, .port = 0,
		.state = OIO_LANE_STATE_ACTIVATED,
		.reason = OIO_LANE_REASON_NONE, .prbs_generator = true,
		.prbs_bits = 1ULL << 40, .alarms = 1,
	};
	struct json_object *o = json_lane(&l);

	ck_assert_str_eq(json_object_to_json_string_ext(o,
						JSON_C_TO_STRING_PLAIN),
			 "{\"card_id\":1,\"lane\":3,\"port\":0,"
			 "\"state\":\"activated\",\"reason\":\"none\","
			 "\"prbs_generator\":true,\"prbs_checker\":false,"
			 "\"prbs_bits\":1099511627776,\"prbs_errors\":0,"
			 "\"alarms\":1,\"alarms_names\":[\"tx-lock-lost\"]}");
	json_object_put(o);
}
END_TEST

START_TEST(test_json_flag_names)
{
	struct oio_laser_info l = {
		.status = OIO_LASER_EMITTING | OIO_LASER_FAILED,
		.alarms = OIO_LASER_ALARM_POWER_LOW | 0x80,
	};
	struct oio_card_info c = { .alarms = OIO_CARD_ALARM_TEMP_LOW_WARN };
	struct json_object *o = json_laser(&l), *v;

	ck_assert(json_object_object_get_ex(o, "status_names", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v,
						JSON_C_TO_STRING_PLAIN),
			 "[\"emitting\",\"failed\"]");
	/* a bit the table does not know keeps a name */
	ck_assert(json_object_object_get_ex(o, "alarms_names", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v,
						JSON_C_TO_STRING_PLAIN),
			 "[\"power-low\",\"bit7\"]");
	json_object_put(o);
	o = json_card(&c, false);
	ck_assert(json_object_object_get_ex(o, "alarms_names", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v,
						JSON_C_TO_STRING_PLAIN),
			 "[\"temp-low-warn\"]");
	json_object_put(o);
	o = json_flag_names(FLAGS_LANE_ALARM, 0);
	ck_assert_uint_eq(json_object_array_length(o), 0);
	json_object_put(o);
}
END_TEST

/*
 * The shape of every key in obj and below it, against what shapes[]
 * already holds: integers and doubles are both numbers, null fits any.
 */
#define MAX_KEYS	128

struct key_shape {
	const char *key;
	enum json_type type;
};

static enum json_type shape_of(struct json_object *v)
{
	enum json_type t = json_object_get_type(v);

	return t == json_type_int ? json_type_double : t;
}

static void check_shapes(struct json_object *obj, struct key_shape *shapes,
			 size_t *n)
{
	size_t i;

	if (json_object_get_type(obj) == json_type_array) {
		for (i = 0; i < json_object_array_length(obj); i++)
			check_shapes(json_object_array_get_idx(obj, i),
				     shapes, n);
		return;
	}
	if (json_object_get_type(obj) != json_type_object)
		return;
	json_object_object_foreach(obj, key, val) {
		if (!val)
			continue;
		for (i = 0; i < *n; i++)
			if (!strcmp(shapes[i].key, key))
				break;
		if (i == *n) {
			ck_assert_uint_lt(*n, MAX_KEYS);
			shapes[(*n)++] = (struct key_shape){ key,
							     shape_of(val) };
		} else {
			ck_assert_msg(shapes[i].type == shape_of(val),
				      "key %s has two shapes", key);
		}
		check_shapes(val, shapes, n);
	}
}

START_TEST(test_json_one_shape)
{
	struct oio_card_info c = { .wavelengths = 8 };
	struct oio_port_info p = { .line_shift = 2 };
	struct oio_laser_info l = { .status = OIO_LASER_EMITTING };
	struct oio_lane_info ln = { .prbs_bits = 10 };
	struct oio_ring_info r = { .ring = 3 };
	static struct oio_link_report rep = {
		.lanes = 16, .ports = 2, .lanes_up = 16,
	};
	struct json_object *all = json_object_new_array();
	struct key_shape shapes[MAX_KEYS];
	size_t n = 0;

	json_object_array_add(all, json_card(&c, true));
	json_object_array_add(all, json_port(&p));
	json_object_array_add(all, json_laser(&l));
	json_object_array_add(all, json_lane(&ln));
	json_object_array_add(all, json_prbs(&ln));
	json_object_array_add(all, json_ring(&r));
	json_object_array_add(all, json_link_report(&rep));
	check_shapes(all, shapes, &n);
	ck_assert_uint_gt(n, 40);
	json_object_put(all);
}
END_TEST

START_TEST(test_json_ring_unknown_state)
{
	struct oio_ring_info r = {
		.ring = 5, .lock_state = (enum oio_lock_state)9,
	};
	struct json_object *o = json_ring(&r), *v;

	ck_assert(json_object_object_get_ex(o, "lane", &v));
	ck_assert_int_eq(json_object_get_int(v), 2);
	ck_assert(json_object_object_get_ex(o, "side", &v));
	ck_assert_str_eq(json_object_get_string(v), "rx");
	ck_assert(json_object_object_get_ex(o, "lock_state", &v));
	ck_assert_str_eq(json_object_get_string(v), "unknown");
	json_object_put(o);
}
END_TEST

START_TEST(test_json_prbs_ber)
{
	struct oio_lane_info l = { .prbs_bits = 1000, .prbs_errors = 1 };
	struct json_object *o = json_prbs(&l), *v;

	ck_assert(json_object_object_get_ex(o, "ber", &v));
	ck_assert_double_eq(json_object_get_double(v), 1e-3);
	json_object_put(o);
	l.prbs_bits = 0;
	o = json_prbs(&l);
	ck_assert(json_object_object_get_ex(o, "ber", &v));
	ck_assert_ptr_null(v);
	json_object_put(o);
}
END_TEST

int main(void)
{
	SRunner *sr;
	Suite *s;
	TCase *tc;
	int failed;

	s = suite_create("format");
	tc = tcase_create("core");
	tcase_add_test(tc, test_temp);
	tcase_add_test(tc, test_units);
	tcase_add_test(tc, test_ber);
	tcase_add_test(tc, test_laser_status);
	tcase_add_test(tc, test_width);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);

	s = suite_create("json");
	tc = tcase_create("core");
	tcase_add_test(tc, test_json_lane);
	tcase_add_test(tc, test_json_flag_names);
	tcase_add_test(tc, test_json_one_shape);
	tcase_add_test(tc, test_json_ring_unknown_state);
	tcase_add_test(tc, test_json_prbs_ber);
	suite_add_tcase(s, tc);
	srunner_add_suite(sr, s);

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
