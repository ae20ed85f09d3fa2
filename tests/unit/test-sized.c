// SPDX-License-Identifier: GPL-2.0-only
/*
 * The link calls' structs at the caller's size (lib/link-sized.c): a
 * caller built against an older liboio.h has less of each, and nothing
 * past its end may be written or read; a newer caller has more, which
 * must be zero going in and comes back zeroed.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link-sized.h"
#include "marked.h"

/* A caller's struct of size bytes, in a buffer marked past it. */
static unsigned char buf[sizeof(struct oio_link_report) + 64];

START_TEST(test_init_writes_only_the_callers)
{
	struct oio_link_params *p = (struct oio_link_params *)buf;
	size_t short_size = offsetof(struct oio_link_params, ber_target);

	memset(buf, MARK, sizeof(buf));
	oio_link_params_init_ex(p, short_size);
	ck_assert_uint_eq(p->sweep_step, 28);
	ck_assert_uint_eq(p->prbs_dwell_us, 1000);
	ck_assert(marked_from(buf, short_size, sizeof(buf)));

	/* 0.1.0's call: 0.1.0's members, not one byte more */
	memset(buf, MARK, sizeof(buf));
	oio_link_params_init(p);
	ck_assert_uint_eq(p->timeout_ms, 2000);
	ck_assert(marked_from(buf, LIO_LINK_PARAMS_SIZE_1, sizeof(buf)));

	/* a newer caller's members this library does not know: zero */
	memset(buf, MARK, sizeof(buf));
	oio_link_params_init_ex(p, sizeof(*p) + 16);
	ck_assert(p->dim_bias == 0.75);
	for (size_t i = sizeof(*p); i < sizeof(*p) + 16; i++)
		ck_assert_uint_eq(buf[i], 0);
	ck_assert(marked_from(buf, sizeof(*p) + 16, sizeof(buf)));
}
END_TEST

START_TEST(test_params_in)
{
	struct oio_link_params *p = (struct oio_link_params *)buf;
	struct oio_link_params out;

	/* NULL: the defaults, whatever the size */
	ck_assert_int_eq(lio_link_params_in(&out, NULL, 0), 0);
	ck_assert_uint_eq(out.sweep_dwell_ns, 2000);

	memset(buf, 0, sizeof(buf));
	oio_link_params_init_ex(p, sizeof(*p) + 8);
	p->sweep_step = 14;
	ck_assert_int_eq(lio_link_params_in(&out, p, sizeof(*p) + 8), 0);
	ck_assert_uint_eq(out.sweep_step, 14);
	ck_assert(out.ber_target == 1e-12);

	/* a member this library would ignore, set: refused */
	buf[sizeof(*p) + 3] = 1;
	ck_assert_int_eq(lio_link_params_in(&out, p, sizeof(*p) + 8), -E2BIG);
	/* shorter than 0.1.0's: no caller has that */
	ck_assert_int_eq(lio_link_params_in(&out, p,
					    LIO_LINK_PARAMS_SIZE_1 - 1),
			 -EINVAL);
}
END_TEST

START_TEST(test_report_out)
{
	struct oio_link_report *full = calloc(1, sizeof(*full));
	struct oio_link_report *rep = (struct oio_link_report *)buf;

	ck_assert_ptr_nonnull(full);
	full->lanes = 64;
	full->lanes_up = 63;
	full->lane[OIO_MAX_LANES - 1].prbs_bits = 12345;

	/* 0.1.0's size: every member of 0.1.0, nothing after */
	memset(buf, MARK, sizeof(buf));
	lio_link_report_out(rep, LIO_LINK_REPORT_SIZE_1, full);
	ck_assert_uint_eq(rep->lanes_up, 63);
	ck_assert_uint_eq(rep->lane[OIO_MAX_LANES - 1].prbs_bits, 12345);
	ck_assert(marked_from(buf, LIO_LINK_REPORT_SIZE_1, sizeof(buf)));

	/* an older caller's, as 0.1.0's will be once the report grows */
	memset(buf, MARK, sizeof(buf));
	lio_link_report_out(rep, offsetof(struct oio_link_report, lanes_up),
			    full);
	ck_assert_uint_eq(rep->lanes, 64);
	ck_assert(marked_from(buf, offsetof(struct oio_link_report, lanes_up), sizeof(buf)));

	/* a newer caller's: its members zeroed, then its end respected */
	memset(buf, MARK, sizeof(buf));
	lio_link_report_out(rep, sizeof(*rep) + 32, full);
	ck_assert_uint_eq(rep->lanes, 64);
	for (size_t i = sizeof(*rep); i < sizeof(*rep) + 32; i++)
		ck_assert_uint_eq(buf[i], 0);
	ck_assert(marked_from(buf, sizeof(*rep) + 32, sizeof(buf)));
	free(full);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sized");
	TCase *tc = tcase_create("link");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_init_writes_only_the_callers);
	tcase_add_test(tc, test_params_in);
	tcase_add_test(tc, test_report_out);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
