// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's check of the kernel's replies (lib/reply.c) against the
 * policies generated from the spec (lib/oio-policy.c), fed crafted
 * messages: a reply that breaks the spec is -EPROTO naming the attribute,
 * never a value read past its end or a silent zero; a socket the kernel
 * never answers on, which must end the call with -ETIMEDOUT; and
 * telemetry, as struct oio_telemetry and as a snapshot, from a /dev/oioN
 * played by the test's own ioctl().
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/oio_dev.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

static struct oio_ctx ctx;
static struct nl_msg *msg;

static void setup(void)
{
	memset(&ctx, 0, sizeof(ctx));
	msg = nlmsg_alloc();
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(genlmsg_put(msg, 1, 1, 0x20, 0, 0,
					  OIO_CMD_LANE_GET, 1));
}

static void teardown(void)
{
	nlmsg_free(msg);
}

/* An attribute of any length, as a broken or hostile kernel could send. */
static void put_raw(int type, const void *data, int len)
{
	ck_assert_int_eq(nla_put(msg, type, len, data), 0);
}

static int parse(const struct oio_attr_set *set, struct nlattr **tb)
{
	return lio_reply_parse(&ctx, nlmsg_hdr(msg), set, tb);
}

START_TEST(test_good_reply)
{
	struct nlattr *tb[OIO_A_LANE_MAX + 1];
	struct oio_lane_info l;

	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_CARD_ID, 3), 0);
	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_LANE, 5), 0);
	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_STATE, 2), 0);
	ck_assert_int_eq(nla_put_u8(msg, OIO_A_LANE_PRBS_CHECKER, 1), 0);
	ck_assert_int_eq(nla_put_u64(msg, OIO_A_LANE_PRBS_BITS, 1ull << 40),
			 0);
	ck_assert_int_eq(parse(&lio_set_lane, tb), 0);
	ck_assert_str_eq(ctx.errmsg, "");
	lio_parse_lane(tb, &l);
	ck_assert_uint_eq(l.card_id, 3);
	ck_assert_uint_eq(l.lane, 5);
	ck_assert_uint_eq(l.state, 2);
	ck_assert(l.prbs_checker);
	ck_assert_uint_eq(l.prbs_bits, 1ull << 40);
}
END_TEST

START_TEST(test_short_attribute)
{
	struct nlattr *tb[OIO_A_LANE_MAX + 1];
	uint16_t half = 7;

	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_CARD_ID, 3), 0);
	put_raw(OIO_A_LANE_LANE, &half, sizeof(half));
	ck_assert_int_eq(parse(&lio_set_lane, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "lane.lane"));
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "(2 bytes)"));
}
END_TEST

/* A u8 where a u32 belongs, a u32 where a u64 belongs: too short. */
START_TEST(test_wrong_type)
{
	struct nlattr *tb[OIO_A_LANE_MAX + 1];

	ck_assert_int_eq(nla_put_u8(msg, OIO_A_LANE_STATE, 2), 0);
	ck_assert_int_eq(parse(&lio_set_lane, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "lane.state"));

	teardown();
	setup();
	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_PRBS_ERRORS, 9), 0);
	ck_assert_int_eq(parse(&lio_set_lane, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "lane.prbs-errors"));

	/* and a u32 where a u8 belongs: too long */
	teardown();
	setup();
	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_PRBS_GENERATOR, 1), 0);
	ck_assert_int_eq(parse(&lio_set_lane, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "lane.prbs-generator"));
}
END_TEST

START_TEST(test_unterminated_string)
{
	struct nlattr *tb[OIO_A_CARD_MAX + 1];

	put_raw(OIO_A_CARD_PCI_ADDRESS, "0000:01:00.0", 12);
	ck_assert_int_eq(parse(&lio_set_card, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "card.pci-address"));
}
END_TEST

/* An attribute whose length runs past the end of the message. */
START_TEST(test_truncated_attribute)
{
	struct nlattr *tb[OIO_A_LANE_MAX + 1];
	struct nlmsghdr *nlh;

	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_CARD_ID, 3), 0);
	ck_assert_int_eq(nla_put_u64(msg, OIO_A_LANE_PRBS_BITS, 1), 0);
	nlh = nlmsg_hdr(msg);
	nlh->nlmsg_len -= 4;
	ck_assert_int_eq(parse(&lio_set_lane, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "truncated"));
}
END_TEST

START_TEST(test_short_header)
{
	struct nlattr *tb[OIO_A_LANE_MAX + 1];

	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(parse(&lio_set_lane, tb), -EPROTO);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "header"));
}
END_TEST

START_TEST(test_missing_required)
{
	struct nlattr *tb[OIO_A_LANE_MAX + 1];

	ck_assert_int_eq(nla_put_u32(msg, OIO_A_LANE_CARD_ID, 3), 0);
	ck_assert_int_eq(parse(&lio_set_lane, tb), 0);
	ck_assert_int_eq(lio_reply_need(&ctx, &lio_set_lane, tb,
					OIO_A_LANE_CARD_ID), 0);
	ck_assert_int_eq(lio_reply_need(&ctx, &lio_set_lane, tb,
					OIO_A_LANE_LANE), -EPROTO);
	ck_assert_str_eq(ctx.errmsg,
			 "the kernel's reply lacks attribute lane.lane");
}
END_TEST

/* Attributes a newer kernel adds are skipped, not refused. */
START_TEST(test_unknown_attribute)
{
	struct nlattr *tb[OIO_A_PORT_MAX + 1];
	uint8_t b = 1;

	ck_assert_int_eq(nla_put_u32(msg, OIO_A_PORT_PORT, 1), 0);
	put_raw(OIO_A_PORT_MAX + 1, &b, 1);
	ck_assert_int_eq(parse(&lio_set_port, tb), 0);
	ck_assert_uint_eq(nla_get_u32(tb[OIO_A_PORT_PORT]), 1);
}
END_TEST

START_TEST(test_set_of_cmd)
{
	ck_assert_ptr_eq(lio_set_of_cmd(OIO_CMD_LANE_CHANGE_NTF),
			 &lio_set_lane);
	ck_assert_ptr_eq(lio_set_of_cmd(OIO_CMD_SWEEP_DONE_NTF),
			 &lio_set_sweep);
	ck_assert_ptr_eq(lio_set_of_cmd(OIO_CMD_CARD_DELETE_NTF),
			 &lio_set_card);
	ck_assert_ptr_null(lio_set_of_cmd(OIO_CMD_MAX + 1));
}
END_TEST

/* A kernel that never answers: the call ends, and says why. */
START_TEST(test_recv_timeout)
{
	struct oio_ctx c = { .rx_size = 64 };
	struct timespec t0, t1;
	long ms;

	ck_assert_int_eq(lio_sock_open(&c.sk), 0);
	ck_assert_int_eq(lio_sock_set_timeout(c.sk, 200), 0);
	c.rx = malloc(c.rx_size);
	ck_assert_ptr_nonnull(c.rx);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(lio_recv(&c), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 150);
	ck_assert_int_lt(ms, 2000);
	ck_assert_str_eq(c.errmsg, "no answer from the kernel in 200 ms");
	free(c.rx);
	nl_socket_free(c.sk);
}
END_TEST

/* Types as libnl's nla_parse() takes them: flags masked, 0 skipped, last wins. */
START_TEST(test_type_rules)
{
	struct nlattr *tb[OIO_A_PORT_MAX + 1];

	ck_assert_int_eq(nla_put_u32(msg, 0, 9), 0);
	ck_assert_int_eq(nla_put_u32(msg, OIO_A_PORT_PORT, 1), 0);
	ck_assert_int_eq(nla_put_u32(msg, OIO_A_PORT_PORT | NLA_F_NET_BYTEORDER,
				     2), 0);
	ck_assert_int_eq(parse(&lio_set_port, tb), 0);
	ck_assert_uint_eq(nla_get_u32(tb[OIO_A_PORT_PORT]), 2);
}
END_TEST

/*
 * Telemetry through a /dev/oioN this test plays: the reply in fake_reply,
 * handed out by the ioctl below, as the driver's oio_cdev.c would.
 */
static struct nl_msg *fake_reply;
static int fake_errno;		/* the ioctl fails with it, if not 0 */
static int fake_calls;

int ioctl(int fd, unsigned long req, ...)
{
	struct oio_telemetry_read *rd;
	va_list ap;

	va_start(ap, req);
	rd = va_arg(ap, struct oio_telemetry_read *);
	va_end(ap);
	if (req != OIO_IOC_TELEMETRY)
		return syscall(SYS_ioctl, fd, req, rd);
	fake_calls++;
	if (fake_errno) {
		errno = fake_errno;
		return -1;
	}
	if (nlmsg_hdr(fake_reply)->nlmsg_len > rd->size) {
		rd->size = nlmsg_hdr(fake_reply)->nlmsg_len;
		errno = EMSGSIZE;
		return -1;
	}
	memcpy((void *)(uintptr_t)rd->buf, nlmsg_hdr(fake_reply),
	       nlmsg_hdr(fake_reply)->nlmsg_len);
	return nlmsg_hdr(fake_reply)->nlmsg_len;
}

/* A 2 x 4 card's lanes, with the lane-state column len bytes long. */
static void lanes_reply(int ports, int state_len)
{
	uint8_t col[8 * 8];

	for (size_t i = 0; i < sizeof(col); i++)
		col[i] = (uint8_t)i;
	fake_reply = nlmsg_alloc();
	ck_assert_ptr_nonnull(genlmsg_put(fake_reply, 0, 0, 0x20, 0, 0,
					  OIO_CMD_TELEMETRY_GET, 1));
	ck_assert_int_eq(nla_put_u32(fake_reply, OIO_A_TELEMETRY_CARD_ID, 0), 0);
	ck_assert_int_eq(nla_put_u32(fake_reply, OIO_A_TELEMETRY_SEQ, 77), 0);
	ck_assert_int_eq(nla_put_u32(fake_reply, OIO_A_TELEMETRY_PORTS, ports), 0);
	ck_assert_int_eq(nla_put_u32(fake_reply, OIO_A_TELEMETRY_WAVELENGTHS, 4), 0);
	ck_assert_int_eq(nla_put(fake_reply, OIO_A_TELEMETRY_LANE_STATE,
				 state_len, col), 0);
	ck_assert_int_eq(nla_put(fake_reply, OIO_A_TELEMETRY_LANE_PRBS_BITS,
				 8 * 8, col), 0);
}

/*
 * One read, through oio_telemetry_get_parts() into t, or into snap if t
 * is NULL.
 */
static int dev_read(struct oio_telemetry *t, struct oio_snapshot *snap,
		    size_t rx_size)
{
	int err;

	ctx.family = 0x20;
	ctx.use_dev = true;
	ctx.rx_size = rx_size;
	ctx.rx = malloc(ctx.rx_size);
	ck_assert_ptr_nonnull(ctx.rx);
	for (size_t i = 0; i < LIO_DEV_FDS; i++)
		ctx.devfd[i] = LIO_DEV_NONE;
	ctx.devfd[0] = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(ctx.devfd[0], 0);
	pthread_mutex_init(&ctx.lock, NULL);
	fake_calls = 0;
	err = t ? oio_telemetry_get_parts(&ctx, 0, OIO_TELEMETRY_PARTS_LANES,
					  t) :
		  oio_snapshot_read(&ctx, 0, OIO_TELEMETRY_PARTS_LANES, snap);
	lio_dev_close_all(&ctx);
	free(ctx.rx);
	nlmsg_free(fake_reply);
	fake_errno = 0;
	return err;
}

static int dev_telemetry_rx(struct oio_telemetry *t, size_t rx_size)
{
	return dev_read(t, NULL, rx_size);
}

static int dev_telemetry(struct oio_telemetry *t)
{
	return dev_telemetry_rx(t, 8192);
}

START_TEST(test_dev_telemetry)
{
	static struct oio_telemetry t;
	uint32_t state;

	lanes_reply(2, 4 * 8);
	ck_assert_int_eq(dev_telemetry(&t), 0);
	ck_assert_uint_eq(t.seq, 77);
	ck_assert_uint_eq(t.n_lanes, 8);
	ck_assert_uint_eq(t.n_lasers, 0);
	ck_assert_uint_eq(t.lane[5].port, 1);
	memcpy(&state, (uint8_t[]){ 20, 21, 22, 23 }, 4);
	ck_assert_uint_eq(t.lane[5].state, state);
	ck_assert_str_eq(ctx.errmsg, "");
}
END_TEST

/* A column of the wrong length is refused, and said to be. */
START_TEST(test_dev_telemetry_short_column)
{
	static struct oio_telemetry t;

	lanes_reply(2, 4 * 7);
	ck_assert_int_eq(dev_telemetry(&t), -EPROTO);
	ck_assert_str_eq(ctx.errmsg,
			 "the kernel's reply has telemetry.lane-state of 28 bytes, not 8 x 4");
}
END_TEST

/* A buffer too small for the card grows to the size the driver says. */
START_TEST(test_dev_telemetry_grows)
{
	static struct oio_telemetry t;

	lanes_reply(2, 4 * 8);
	ck_assert_int_eq(dev_telemetry_rx(&t, 64), 0);
	ck_assert_int_eq(fake_calls, 2);
	ck_assert_uint_eq(t.n_lanes, 8);
}
END_TEST

/*
 * The card's own failures end the call, with the driver's reason, and are
 * not asked again over netlink (this handle has no socket to ask on).
 */
START_TEST(test_dev_telemetry_card_fails)
{
	static struct oio_telemetry t;

	lanes_reply(2, 4 * 8);
	fake_errno = ETIMEDOUT;
	ck_assert_int_eq(dev_telemetry(&t), -ETIMEDOUT);
	ck_assert_int_eq(fake_calls, 1);
	ck_assert_str_eq(ctx.errmsg, "card did not answer (firmware hung?)");
}
END_TEST

/*
 * A snapshot is the same reply through the same parser as
 * oio_telemetry_get_parts(), handed out through getters; reused, and
 * empty after a failed read.
 */
START_TEST(test_dev_snapshot)
{
	static struct oio_telemetry t;
	const struct oio_snapshot_head *h;
	struct oio_snapshot *snap;

	ck_assert_int_eq(oio_snapshot_new(&snap), 0);
	h = oio_snapshot_head(snap);
	ck_assert_uint_eq(h->n_lanes, 0);
	ck_assert_ptr_null(oio_snapshot_lane(snap, 0));
	lanes_reply(2, 4 * 8);
	ck_assert_int_eq(dev_telemetry(&t), 0);
	for (int pass = 0; pass < 2; pass++) {
		lanes_reply(2, 4 * 8);
		ck_assert_int_eq(dev_read(NULL, snap, 8192), 0);
		ck_assert_ptr_eq(oio_snapshot_head(snap), h);
		ck_assert_uint_eq(h->seq, 77);
		ck_assert_uint_eq(h->n_lanes, 8);
		ck_assert_uint_eq(h->n_lasers, 0);
		ck_assert_uint_eq(h->n_rings, 0);
		for (size_t i = 0; i < 8; i++)
			ck_assert(!memcmp(oio_snapshot_lane(snap, i),
					  &t.lane[i], sizeof(t.lane[i])));
		ck_assert_ptr_null(oio_snapshot_lane(snap, 8));
		ck_assert_ptr_null(oio_snapshot_laser(snap, 0));
		ck_assert_ptr_null(oio_snapshot_ring(snap, 0));
	}
	lanes_reply(2, 4 * 7);
	ck_assert_int_eq(dev_read(NULL, snap, 8192), -EPROTO);
	ck_assert_uint_eq(h->seq, 0);
	ck_assert_uint_eq(h->n_lanes, 0);
	ck_assert_ptr_null(oio_snapshot_lane(snap, 0));
	oio_snapshot_free(snap);
	ck_assert_ptr_null(oio_snapshot_head(NULL));
	ck_assert_ptr_null(oio_snapshot_lane(NULL, 0));
	ck_assert_int_eq(oio_snapshot_read(&ctx, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(oio_snapshot_new(NULL), -EINVAL);
}
END_TEST

START_TEST(test_dev_telemetry_no_ports)
{
	static struct oio_telemetry t;

	lanes_reply(0, 0);
	ck_assert_int_eq(dev_telemetry(&t), -EPROTO);
	ck_assert_str_eq(ctx.errmsg,
			 "the kernel's reply has a card of 0 x 4 lanes, not 1 to 16 x 16");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_reply);
	tcase_add_test(tc, test_short_attribute);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_unterminated_string);
	tcase_add_test(tc, test_truncated_attribute);
	tcase_add_test(tc, test_short_header);
	tcase_add_test(tc, test_missing_required);
	tcase_add_test(tc, test_unknown_attribute);
	tcase_add_test(tc, test_set_of_cmd);
	tcase_add_test(tc, test_recv_timeout);
	tcase_add_test(tc, test_type_rules);
	tcase_add_test(tc, test_dev_telemetry);
	tcase_add_test(tc, test_dev_telemetry_short_column);
	tcase_add_test(tc, test_dev_telemetry_no_ports);
	tcase_add_test(tc, test_dev_telemetry_grows);
	tcase_add_test(tc, test_dev_telemetry_card_fails);
	tcase_add_test(tc, test_dev_snapshot);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
