// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object structs at the caller's size (lib/objects-sized.c), and the
 * _ex calls built on it that need no card (oio_trace_peaks_ex(),
 * oio_port_headroom_ex()): a caller built against an older liboio.h has
 * less of each struct, and nothing past its end may be written or taken;
 * a newer caller has more, which must be zero going in and comes back
 * zeroed; a list's elements are the caller's size apart. The gets and
 * lists over netlink use the same conversions (the VM's lib-sized test
 * runs them on the driver).
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "marked.h"
#include "objects-sized.h"

#define MORE	24	/* a newer caller's members */
#define ROOM	512	/* more than any struct here, with MORE */

struct kind {
	const char *name;
	size_t size;	/* this library's */
	size_t size_1;	/* 0.1.0's */
	size_t abi_1;	/* 0.1.0's on x86_64, from lib/abi/liboio-0.1.0.abi */
};

#define KIND(s, c, abi) { #s, sizeof(struct s), c, abi }
static const struct kind kinds[] = {
	KIND(oio_card_info, LIO_CARD_INFO_SIZE_1, 128),
	KIND(oio_port_info, LIO_PORT_INFO_SIZE_1, 12),
	KIND(oio_laser_info, LIO_LASER_INFO_SIZE_1, 36),
	KIND(oio_lane_info, LIO_LANE_INFO_SIZE_1, 48),
	KIND(oio_ring_info, LIO_RING_INFO_SIZE_1, 32),
	KIND(oio_pci_dev, LIO_PCI_DEV_SIZE_1, 60),
	KIND(oio_sweep_req, LIO_SWEEP_REQ_SIZE_1, 28),
	KIND(oio_headroom, LIO_HEADROOM_SIZE_1, 24),
	KIND(oio_trace_peak, LIO_TRACE_PEAK_SIZE_1, 48),
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* What the library has: every byte set, and each struct told apart by seed. */
static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i + 31 * seed) % 250 + 1);
}

START_TEST(test_size_1_is_0_1_0s)
{
	const struct kind *k = &kinds[_i];

	ck_assert_msg(k->size_1 <= k->size, "%s", k->name);
#ifdef __x86_64__
	ck_assert_msg(k->size_1 == k->abi_1, "%s: %zu, 0.1.0 had %zu",
		      k->name, k->size_1, k->abi_1);
#endif
}
END_TEST

START_TEST(test_out)
{
	const struct kind *k = &kinds[_i];
	unsigned char full[ROOM], buf[ROOM + 64];
	/* an older caller's, as 0.1.0's will be once the struct grows */
	size_t older = k->size_1 - 4;

	fill(full, k->size, 1);
	memset(buf, MARK, sizeof(buf));
	lio_sized_out(buf, older, full, k->size);
	ck_assert(!memcmp(buf, full, older));
	ck_assert_msg(marked_from(buf, older, sizeof(buf)), "%s", k->name);

	memset(buf, MARK, sizeof(buf));
	lio_sized_out(buf, k->size_1, full, k->size);
	ck_assert(!memcmp(buf, full, k->size_1));
	ck_assert(marked_from(buf, k->size_1, sizeof(buf)));

	/* a newer caller's: its members zeroed, then its end respected */
	memset(buf, MARK, sizeof(buf));
	lio_sized_out(buf, k->size + MORE, full, k->size);
	ck_assert(!memcmp(buf, full, k->size));
	ck_assert_msg(zero_from(buf, k->size, k->size + MORE), "%s", k->name);
	ck_assert(marked_from(buf, k->size + MORE, sizeof(buf)));
}
END_TEST

START_TEST(test_in)
{
	const struct kind *k = &kinds[_i];
	unsigned char src[ROOM], out[ROOM];

	/* a newer caller's, its members zero: read as this library's */
	memset(src, 0, sizeof(src));
	fill(src, k->size, 2);
	memset(out, MARK, sizeof(out));
	ck_assert_int_eq(lio_sized_in(out, k->size, src, k->size + MORE,
				      k->size_1), 0);
	ck_assert(!memcmp(out, src, k->size));
	ck_assert(marked_from(out, k->size, sizeof(out)));

	/* one of them set: this library would ignore it */
	src[k->size + MORE - 1] = 1;
	ck_assert_int_eq(lio_sized_in(out, k->size, src, k->size + MORE,
				      k->size_1), -E2BIG);
	ck_assert_int_eq(lio_sized_check(src, k->size + MORE, k->size,
					 k->size_1), -E2BIG);
	/* no caller has less than 0.1.0 */
	ck_assert_int_eq(lio_sized_in(out, k->size, src, k->size_1 - 1,
				      k->size_1), -EINVAL);
	ck_assert_int_eq(lio_sized_in(out, k->size, src, k->size_1,
				      k->size_1), 0);

	/*
	 * An older caller's (a minimum of 8 standing for 0.1.0's once the
	 * struct grows): what it does not have is zero, never taken from
	 * past its end.
	 */
	fill(src, sizeof(src), 3);
	ck_assert_int_eq(lio_sized_in(out, k->size, src, 8, 8), 0);
	ck_assert(!memcmp(out, src, 8));
	ck_assert(zero_from(out, 8, k->size));
}
END_TEST

START_TEST(test_array)
{
	const struct kind *k = &kinds[_i];
	const size_t sizes[] = { k->size + MORE, k->size_1, k->size_1 - 4 };
	const size_t n = 3;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t size = sizes[s];
		unsigned char *items = malloc(n * k->size), *orig;
		void *p = items;

		ck_assert_ptr_nonnull(items);
		for (size_t i = 0; i < n; i++)
			fill(items + i * k->size, k->size, 10 + i);
		orig = malloc(n * k->size);
		ck_assert_ptr_nonnull(orig);
		memcpy(orig, items, n * k->size);
		ck_assert_int_eq(lio_sized_array(&p, n, k->size, size), 0);
		/* the caller indexes it with its own struct: size apart */
		for (size_t i = 0; i < n; i++) {
			const unsigned char *e = (unsigned char *)p + i * size;
			size_t have = size < k->size ? size : k->size;

			ck_assert_msg(!memcmp(e, orig + i * k->size, have),
				      "%s element %zu at %zu", k->name, i,
				      size);
			ck_assert(zero_from(e, have, size));
		}
		free(p);
		free(orig);
	}
}
END_TEST

/* The same size: the library's array itself, not a copy; none: none. */
START_TEST(test_array_same_or_empty)
{
	void *items = malloc(2 * sizeof(struct oio_lane_info)), *before;

	before = items;
	ck_assert_int_eq(lio_sized_array(&items, 2, sizeof(struct oio_lane_info),
					 sizeof(struct oio_lane_info)), 0);
	ck_assert_ptr_eq(items, before);
	free(items);
	items = NULL;
	ck_assert_int_eq(lio_sized_array(&items, 0, sizeof(struct oio_lane_info),
					 sizeof(struct oio_lane_info) + MORE), 0);
	ck_assert_ptr_null(items);
}
END_TEST

/* Three resonances on a floor, as a sweep shows them. */
static void trace3(uint32_t *t, unsigned int points)
{
	const double c[3] = { 40.3, 110.7, 190.2 };

	for (unsigned int i = 0; i < points; i++) {
		double y = 50 + 3 * ((i * 7919) % 5);

		for (int j = 0; j < 3; j++)
			y += 4000 / (1 + pow((i - c[j]) / 3.0, 2));
		t[i] = (uint32_t)y;
	}
}

START_TEST(test_trace_peaks_ex)
{
	enum { POINTS = 240, MAX = 8 };
	const size_t size = sizeof(struct oio_trace_peak) + MORE;
	struct oio_trace_peak plain[MAX];
	static unsigned char buf[MAX * (sizeof(struct oio_trace_peak) + MORE) + 64];
	uint32_t t[POINTS];
	unsigned int n;

	trace3(t, POINTS);
	n = oio_trace_peaks(t, POINTS, plain, MAX);
	ck_assert_uint_eq(n, 3);
	memset(buf, MARK, sizeof(buf));
	ck_assert_int_eq(oio_trace_peaks_ex(t, POINTS,
					    (struct oio_trace_peak *)buf, MAX,
					    size), 3);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert(!memcmp(buf + i * size, &plain[i], sizeof(plain[i])));
		ck_assert(zero_from(buf + i * size, sizeof(plain[i]), size));
	}
	/* nothing past the peaks found */
	ck_assert(marked_from(buf, n * size, sizeof(buf)));
	/* 0.1.0's stride: the plain call's array */
	memset(buf, MARK, sizeof(buf));
	ck_assert_int_eq(oio_trace_peaks_ex(t, POINTS,
					    (struct oio_trace_peak *)buf, MAX,
					    LIO_TRACE_PEAK_SIZE_1), 3);
	ck_assert(!memcmp(buf, plain, n * LIO_TRACE_PEAK_SIZE_1));
	ck_assert(marked_from(buf, n * LIO_TRACE_PEAK_SIZE_1, sizeof(buf)));
	ck_assert_int_eq(oio_trace_peaks_ex(t, POINTS,
					    (struct oio_trace_peak *)buf, MAX,
					    LIO_TRACE_PEAK_SIZE_1 - 1), -EINVAL);
}
END_TEST

/*
 * A card of 2 ports x 2 lanes, port 0's lanes up with rings at codes 2730
 * and 1365: 9000 pm of range at 50 pm/K, as test-headroom.c has it.
 */
static struct oio_card_info card = {
	.ports = 2, .wavelengths = 2, .heater_range_pm = 9000,
	.drift_pm_per_k = 50,
};
static struct oio_lane_info lanes[4];
static struct oio_ring_info rings[8];

static void headroom_card(void)
{
	for (uint32_t l = 0; l < 4; l++) {
		lanes[l] = (struct oio_lane_info){ .lane = l, .port = l / 2,
			.state = l < 2 ? OIO_LANE_STATE_ACTIVATED : 0 };
		for (uint32_t s = 0; s < 2; s++)
			rings[2 * l + s] = (struct oio_ring_info){
				.ring = 2 * l + s, .heater = s ? 1365 : 2730 };
	}
}

/* n structs of full bytes as a caller's array of size bytes apart. */
static void *spread(const void *items, size_t n, size_t full, size_t size)
{
	unsigned char *out = calloc(n, size);

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * size, (const char *)items + i * full,
		       size < full ? size : full);
	return out;
}

START_TEST(test_headroom_ex)
{
	const size_t cs = sizeof(card) + MORE, ls = sizeof(lanes[0]) + MORE;
	const size_t rs = sizeof(rings[0]) + MORE;
	const size_t hs = sizeof(struct oio_headroom) + MORE;
	unsigned char *c, *l, *r, out[sizeof(struct oio_headroom) + MORE + 16];
	struct oio_headroom plain, *h = (struct oio_headroom *)out;

	headroom_card();
	memset(&plain, 0, sizeof(plain));
	ck_assert_int_eq(oio_port_headroom(&card, lanes, 4, rings, 8, 0,
					   &plain), 0);
	ck_assert(plain.known);
	ck_assert(fabs(plain.warm_k - 20) < 1e-9);	/* 1000 pm / 50 */
	c = spread(&card, 1, sizeof(card), cs);
	l = spread(lanes, 4, sizeof(lanes[0]), ls);
	r = spread(rings, 8, sizeof(rings[0]), rs);

	/* a newer caller's structs: the same figures, its members zeroed */
	memset(out, MARK, sizeof(out));
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4, ls,
					      (void *)r, 8, rs, 0, h, hs), 0);
	ck_assert(h->known && h->warm_k == plain.warm_k &&
		  h->cool_k == plain.cool_k);
	ck_assert(zero_from(out, sizeof(plain), hs));
	ck_assert(marked_from(out, hs, sizeof(out)));

	/* 0.1.0's sizes: the plain call */
	memset(out, MARK, sizeof(out));
	ck_assert_int_eq(oio_port_headroom_ex(&card, LIO_CARD_INFO_SIZE_1,
					      lanes, 4, LIO_LANE_INFO_SIZE_1,
					      rings, 8, LIO_RING_INFO_SIZE_1,
					      0, h, LIO_HEADROOM_SIZE_1), 0);
	ck_assert(!memcmp(out, &plain, LIO_HEADROOM_SIZE_1));
	ck_assert(marked_from(out, LIO_HEADROOM_SIZE_1, sizeof(out)));

	/* a member this library does not know, set, in any of them */
	l[3 * ls + sizeof(lanes[0])] = 1;
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4, ls,
					      (void *)r, 8, rs, 0, h, hs),
			 -E2BIG);
	l[3 * ls + sizeof(lanes[0])] = 0;
	r[7 * rs + rs - 1] = 1;
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4, ls,
					      (void *)r, 8, rs, 0, h, hs),
			 -E2BIG);
	r[7 * rs + rs - 1] = 0;
	c[cs - 1] = 1;
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4, ls,
					      (void *)r, 8, rs, 0, h, hs),
			 -E2BIG);
	c[cs - 1] = 0;

	/* shorter than 0.1.0's, each */
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, LIO_CARD_INFO_SIZE_1 - 1,
					      (void *)l, 4, ls, (void *)r, 8,
					      rs, 0, h, hs), -EINVAL);
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4,
					      LIO_LANE_INFO_SIZE_1 - 1,
					      (void *)r, 8, rs, 0, h, hs),
			 -EINVAL);
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4, ls,
					      (void *)r, 8,
					      LIO_RING_INFO_SIZE_1 - 1, 0, h,
					      hs), -EINVAL);
	ck_assert_int_eq(oio_port_headroom_ex((void *)c, cs, (void *)l, 4, ls,
					      (void *)r, 8, rs, 0, h,
					      LIO_HEADROOM_SIZE_1 - 1),
			 -EINVAL);
	free(c);
	free(l);
	free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("objects-sized");
	TCase *tc = tcase_create("objects");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_size_1_is_0_1_0s, 0, NKINDS);
	tcase_add_loop_test(tc, test_out, 0, NKINDS);
	tcase_add_loop_test(tc, test_in, 0, NKINDS);
	tcase_add_loop_test(tc, test_array, 0, NKINDS);
	tcase_add_test(tc, test_array_same_or_empty);
	tcase_add_test(tc, test_trace_peaks_ex);
	tcase_add_test(tc, test_headroom_ex);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
