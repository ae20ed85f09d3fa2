// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oio generic netlink family on emulated cards, spoken raw (no
 * library) so the test sees exactly what the kernel sends: gets and dumps
 * of every object, sets, a table of bad requests each with its errno and
 * extack text and nothing changed, the admin permission, and the monitor
 * group's events. Expects oio.ko loaded.
 *
 * Environment: OIO_CARDS (from the harness).
 */
#define _GNU_SOURCE
#include "oiotest.h"
#include "vmctl.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"

#define MAXATTR 32
#define EVENT_MAX 65536

struct nlreq {
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	};
};

struct reply {
	int err;			/* 0 or negative errno */
	char msg[256];			/* extack message */
	int miss_type;			/* extack missing attribute, or 0 */
	int count;			/* messages received */
	struct nlattr *tb[MAXATTR];	/* attributes of the first message */
	char first[65536];
};

static int nl_fd;
static int family;
static int mon_group;
static unsigned int seq;

static struct nlattr *nla_next_ptr(struct nlattr *a)
{
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

static void parse(struct nlattr **tb, void *data, int len)
{
	struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * MAXATTR);
	while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) < MAXATTR)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = nla_next_ptr(a);
	}
}

static uint32_t u32_of(struct nlattr *a)
{
	return a ? *(uint32_t *)((char *)a + NLA_HDRLEN) : 0xdeadbeef;
}

static uint64_t u64_of(struct nlattr *a)
{
	uint64_t v = 0;

	if (a)
		memcpy(&v, (char *)a + NLA_HDRLEN, 8);
	return v;
}

static uint8_t u8_of(struct nlattr *a)
{
	return a ? *(uint8_t *)((char *)a + NLA_HDRLEN) : 0xee;
}

static const char *str_of(struct nlattr *a)
{
	return a ? (const char *)a + NLA_HDRLEN : "";
}

static void req_init(struct nlreq *r, int type, int cmd, int flags)
{
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->nlh.nlmsg_seq = ++seq;
	g = NLMSG_DATA(&r->nlh);
	g->cmd = cmd;
	g->version = 1;
}

static void put(struct nlreq *r, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)(r->buf + NLMSG_ALIGN(r->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void put_u32(struct nlreq *r, int type, uint32_t v)
{
	put(r, type, &v, 4);
}

static void put_u8(struct nlreq *r, int type, uint8_t v)
{
	put(r, type, &v, 1);
}

/* Send and collect until the ACK or DONE; the first reply is kept. */
static void xfer(struct nlreq *r, struct reply *rep)
{
	static char buf[65536];
	int done = 0;

	memset(rep, 0, sizeof(*rep));
	if (send(nl_fd, r->buf, r->nlh.nlmsg_len, 0) < 0) {
		rep->err = -errno;
		return;
	}
	while (!done) {
		int len = recv(nl_fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0) {
			rep->err = -errno;
			return;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				struct nlattr *tb[MAXATTR];
				int off = NLMSG_HDRLEN + sizeof(*e);

				rep->err = e->error;
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					parse(tb, (char *)h + off,
					      h->nlmsg_len - off);
					snprintf(rep->msg, sizeof(rep->msg), "%s",
						 str_of(tb[NLMSGERR_ATTR_MSG]));
					if (tb[NLMSGERR_ATTR_MISS_TYPE])
						rep->miss_type =
						  u32_of(tb[NLMSGERR_ATTR_MISS_TYPE]);
				}
				done = 1;
			} else {
				if (!rep->count++) {
					int n = h->nlmsg_len < sizeof(rep->first) ?
						h->nlmsg_len : sizeof(rep->first);

					memcpy(rep->first, h, n);
					parse(rep->tb, rep->first + NLMSG_HDRLEN +
					      GENL_HDRLEN, n - NLMSG_HDRLEN -
					      GENL_HDRLEN);
				}
			}
		}
	}
}

static int resolve(void)
{
	struct nlreq r;
	struct reply rep;
	const char *name = OIO_FAMILY_NAME;
	struct nlattr *g, *grp[MAXATTR];
	int left;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	xfer(&r, &rep);
	if (rep.err || !rep.tb[CTRL_ATTR_FAMILY_ID])
		return -1;
	family = *(uint16_t *)((char *)rep.tb[CTRL_ATTR_FAMILY_ID] + NLA_HDRLEN);
	g = rep.tb[CTRL_ATTR_MCAST_GROUPS];
	if (!g)
		return -1;
	left = g->nla_len - NLA_HDRLEN;
	for (g = (struct nlattr *)((char *)g + NLA_HDRLEN); left > 0;
	     left -= NLA_ALIGN(g->nla_len), g = nla_next_ptr(g)) {
		parse(grp, (char *)g + NLA_HDRLEN, g->nla_len - NLA_HDRLEN);
		if (!strcmp(str_of(grp[CTRL_ATTR_MCAST_GRP_NAME]), OIO_MCGRP_MONITOR))
			mon_group = u32_of(grp[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return mon_group ? 0 : -1;
}

static int open_nl(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	/* An unbound socket gets no multicast: bind to a kernel-chosen id. */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

/* A sweep-run request for card 0. */
static void sweep_req(struct nlreq *r, uint32_t first, uint32_t count,
		      uint32_t start, uint32_t stop, uint32_t step,
		      uint32_t dwell)
{
	req_init(r, family, OIO_CMD_SWEEP_RUN, 0);
	put_u32(r, OIO_A_SWEEP_CARD_ID, 0);
	put_u32(r, OIO_A_SWEEP_FIRST_RING, first);
	put_u32(r, OIO_A_SWEEP_RING_COUNT, count);
	put_u32(r, OIO_A_SWEEP_START, start);
	put_u32(r, OIO_A_SWEEP_STOP, stop);
	put_u32(r, OIO_A_SWEEP_STEP, step);
	put_u32(r, OIO_A_SWEEP_DWELL, dwell);
}

/* The reply's rings attribute is exactly want[0..n). */
static bool rings_are(const struct reply *rep, const uint32_t *want,
		      unsigned int n)
{
	struct nlattr *a = rep->tb[OIO_A_SWEEP_RINGS];

	return a && a->nla_len == NLA_HDRLEN + 4 * n &&
	       !memcmp((char *)a + NLA_HDRLEN, want, 4 * n);
}

/* One object get: cmd, then (attr, value) pairs of u32 ending in -1. */
static void get(struct reply *rep, int cmd, int a1, uint32_t v1, int a2,
		uint32_t v2)
{
	struct nlreq r;

	req_init(&r, family, cmd, 0);
	if (a1 > 0)
		put_u32(&r, a1, v1);
	if (a2 > 0)
		put_u32(&r, a2, v2);
	xfer(&r, rep);
}

static int dump(int cmd, int card)
{
	struct nlreq r;
	struct reply rep;

	req_init(&r, family, cmd, NLM_F_DUMP);
	if (card >= 0)
		put_u32(&r, 1, card);	/* card-id is attribute 1 everywhere */
	xfer(&r, &rep);
	return rep.err ? rep.err : rep.count;
}

static int sysfs_u32(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Wait for one event of a command on the monitor socket. */
static int wait_event(int fd, int cmd, struct nlattr **tb, char *keep,
		      int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		int len = recv(fd, keep, EVENT_MAX, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)keep;
		struct genlmsghdr *g = NLMSG_DATA(h);

		if (len <= 0)
			return -1;
		if (h->nlmsg_type == family && g->cmd == cmd) {
			parse(tb, keep + NLMSG_HDRLEN + GENL_HDRLEN,
			      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
			return 0;
		}
	}
	return -1;
}

static void bad(const char *what, struct nlreq *r, int want_err,
		const char *want_msg)
{
	struct reply rep;

	xfer(r, &rep);
	if (rep.err == want_err &&
	    (!want_msg || (want_msg[0] == '#' ? rep.miss_type > 0 :
			   strstr(rep.msg, want_msg) != NULL))) {
		tap_ok(true, "bad request: %s -> %s (%s)", what,
		       strerror(-want_err), rep.msg[0] ? rep.msg :
		       "missing attribute reported");
	} else {
		tap_ok(false, "bad request: %s -> got %d '%s', want %d '%s'",
		       what, rep.err, rep.msg, want_err,
		       want_msg ? want_msg : "");
	}
}

/* "hold": sit subscribed to the monitor group until the family goes. */
static int hold(void)
{
	static char buf[EVENT_MAX];
	int fd = open_nl(), grp;

	if (fd < 0 || resolve())
		return 1;
	grp = mon_group;
	setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp));
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	return 0;
}

int main(void)
{
	int cards = getenv("OIO_CARDS") ? atoi(getenv("OIO_CARDS")) : 1;
	struct nlattr *tb[MAXATTR];
	static char ev[EVENT_MAX];
	struct reply rep;
	struct nlreq r;
	int mon, n, i, grp;
	uint32_t bias_before;

	nl_fd = open_nl();
	tap_ok(nl_fd >= 0 && resolve() == 0,
	       "family '%s' and group '%s' resolve by name", OIO_FAMILY_NAME,
	       OIO_MCGRP_MONITOR);
	mon = open_nl();
	grp = mon_group;
	setsockopt(mon, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp));

	n = dump(OIO_CMD_CARD_GET, -1);
	tap_ok(n == cards, "card dump: %d cards", n);
	get(&rep, OIO_CMD_CARD_GET, OIO_A_CARD_ID, 0, 0, 0);
	tap_ok(!rep.err && u32_of(rep.tb[OIO_A_CARD_SERIAL]) ==
	       (uint32_t)sysfs_u32("/sys/class/oio/oio0/serial") &&
	       u32_of(rep.tb[OIO_A_CARD_PORTS]) == 8 &&
	       u32_of(rep.tb[OIO_A_CARD_WAVELENGTHS]) == 8 &&
	       !strcmp(str_of(rep.tb[OIO_A_CARD_FW_VERSION]), "1.4.2") &&
	       u8_of(rep.tb[OIO_A_CARD_INTERLOCK_CLOSED]) == 1,
	       "card get: serial %u matches sysfs, 8x8, firmware %s, %s",
	       u32_of(rep.tb[OIO_A_CARD_SERIAL]),
	       str_of(rep.tb[OIO_A_CARD_FW_VERSION]),
	       str_of(rep.tb[OIO_A_CARD_PCI_ADDRESS]));
	tap_ok(!rep.err && u32_of(rep.tb[OIO_A_CARD_DRIFT_PM_PER_K]) == 60 &&
	       u32_of(rep.tb[OIO_A_CARD_DRIFT_PM_PER_K]) ==
	       (uint32_t)sysfs_u32("/sys/class/oio/oio0/drift_pm_per_k"),
	       "card get: nominal drift %u pm/K, as sysfs says",
	       u32_of(rep.tb[OIO_A_CARD_DRIFT_PM_PER_K]));
	n = dump(OIO_CMD_PORT_GET, 0);
	tap_ok(n == 8, "port dump of card 0: %d ports", n);
	n = dump(OIO_CMD_LASER_GET, 0);
	tap_ok(n == 8, "laser dump of card 0: %d lines", n);
	n = dump(OIO_CMD_LANE_GET, -1);
	tap_ok(n == 64 * cards, "lane dump of all cards: %d lanes", n);
	n = dump(OIO_CMD_RING_GET, -1);
	tap_ok(n == 128 * cards, "ring dump of all cards: %d rings (several skbs)",
	       n);

	/* Bad requests: errno, extack, and nothing changed. */
	get(&rep, OIO_CMD_LASER_GET, OIO_A_LASER_CARD_ID, 0, OIO_A_LASER_LINE, 0);
	bias_before = u32_of(rep.tb[OIO_A_LASER_BIAS_SET]);
	req_init(&r, family, OIO_CMD_CARD_GET, 0);
	bad("card get without an id", &r, -EINVAL, "#");
	req_init(&r, family, OIO_CMD_CARD_GET, 0);
	put_u32(&r, OIO_A_CARD_ID, 99);
	bad("card 99", &r, -ENODEV, "no such card");
	req_init(&r, family, OIO_CMD_CARD_GET, 0);
	put_u8(&r, OIO_A_CARD_ID, 0);
	bad("card id as a u8", &r, -EINVAL, "invalid attribute length");
	req_init(&r, family, OIO_CMD_CARD_GET, 0);
	put_u32(&r, OIO_A_CARD_ID, 0);
	put_u32(&r, 30, 0);
	bad("unknown attribute", &r, -EINVAL, "Unknown attribute type");
	req_init(&r, family, OIO_CMD_LASER_SET, 0);
	put_u32(&r, OIO_A_LASER_CARD_ID, 0);
	put_u32(&r, OIO_A_LASER_LINE, 0);
	put_u8(&r, OIO_A_LASER_ENABLE, 1);
	bad("laser enable while not armed", &r, -EPERM, "card not armed");
	req_init(&r, family, OIO_CMD_LASER_SET, 0);
	put_u32(&r, OIO_A_LASER_CARD_ID, 0);
	put_u32(&r, OIO_A_LASER_LINE, 0);
	put_u32(&r, OIO_A_LASER_BIAS_SET, 150001);
	bad("bias 150001 uA", &r, -ERANGE, "out of range");
	req_init(&r, family, OIO_CMD_LASER_SET, 0);
	put_u32(&r, OIO_A_LASER_CARD_ID, 0);
	put_u32(&r, OIO_A_LASER_LINE, 8);
	put_u8(&r, OIO_A_LASER_ENABLE, 0);
	bad("laser line 8", &r, -ERANGE, "index beyond");
	req_init(&r, family, OIO_CMD_LASER_SET, 0);
	put_u32(&r, OIO_A_LASER_CARD_ID, 0);
	put_u32(&r, OIO_A_LASER_LINE, 0);
	bad("laser set with nothing to set", &r, -EINVAL, "nothing to set");
	req_init(&r, family, OIO_CMD_LASER_SET, 0);
	put_u32(&r, OIO_A_LASER_CARD_ID, 0);
	put_u32(&r, OIO_A_LASER_LINE, 0);
	put_u8(&r, OIO_A_LASER_ENABLE, 2);
	bad("enable = 2", &r, -ERANGE, "out of range");
	req_init(&r, family, OIO_CMD_LANE_SET, 0);
	put_u32(&r, OIO_A_LANE_CARD_ID, 0);
	put_u32(&r, OIO_A_LANE_LANE, 3);
	put_u32(&r, OIO_A_LANE_REQUEST, OIO_LANE_REQUEST_ACTIVATE);
	bad("activate a deactivated lane", &r, -EBUSY, "state");
	req_init(&r, family, OIO_CMD_LANE_SET, 0);
	put_u32(&r, OIO_A_LANE_CARD_ID, 0);
	put_u32(&r, OIO_A_LANE_LANE, 3);
	put_u32(&r, OIO_A_LANE_REQUEST, 9);
	bad("lane request 9", &r, -ERANGE, "out of range");
	req_init(&r, family, OIO_CMD_RING_SET, 0);
	put_u32(&r, OIO_A_RING_CARD_ID, 0);
	put_u32(&r, OIO_A_RING_RING, 4);
	put_u32(&r, OIO_A_RING_HEATER, 4096);
	bad("heater 4096", &r, -ERANGE, "out of range");
	req_init(&r, family, OIO_CMD_RING_GET, 0);
	put_u32(&r, OIO_A_RING_CARD_ID, 0);
	put_u32(&r, OIO_A_RING_RING, 128);
	bad("ring 128", &r, -ERANGE, "index beyond");
	/* Every attribute of every set: wrong width, and an unknown card. */
	{
		static const struct {
			int cmd, card_attr, index_attr, attr, width;
			uint32_t bad;
			int want;
			const char *name;
		} t[] = {
			{ OIO_CMD_CARD_SET, OIO_A_CARD_ID, 0, OIO_A_CARD_ARMED, 1, 2, -ERANGE, "armed" },
			{ OIO_CMD_PORT_SET, OIO_A_PORT_CARD_ID, OIO_A_PORT_PORT, OIO_A_PORT_LINE_SHIFT, 1, 1, -EINVAL, "line-shift" },
			{ OIO_CMD_PORT_SET, OIO_A_PORT_CARD_ID, OIO_A_PORT_PORT, OIO_A_PORT_LINE_SHIFT, 4, 8, -ERANGE, "line-shift" },
			{ OIO_CMD_PORT_SET, OIO_A_PORT_CARD_ID, OIO_A_PORT_PORT, OIO_A_PORT_LINE_SHIFT, 4, 16, -ERANGE, "line-shift" },
			{ OIO_CMD_CARD_SET, OIO_A_CARD_ID, 0, OIO_A_CARD_ARMED, 4, 1, -EINVAL, "armed" },
			{ OIO_CMD_LASER_SET, OIO_A_LASER_CARD_ID, OIO_A_LASER_LINE, OIO_A_LASER_ENABLE, 4, 1, -EINVAL, "enable" },
			{ OIO_CMD_LASER_SET, OIO_A_LASER_CARD_ID, OIO_A_LASER_LINE, OIO_A_LASER_BIAS_SET, 1, 1, -EINVAL, "bias-set" },
			{ OIO_CMD_LANE_SET, OIO_A_LANE_CARD_ID, OIO_A_LANE_LANE, OIO_A_LANE_REQUEST, 1, 1, -EINVAL, "request" },
			{ OIO_CMD_LANE_SET, OIO_A_LANE_CARD_ID, OIO_A_LANE_LANE, OIO_A_LANE_PRBS_GENERATOR, 1, 2, -ERANGE, "prbs-generator" },
			{ OIO_CMD_LANE_SET, OIO_A_LANE_CARD_ID, OIO_A_LANE_LANE, OIO_A_LANE_PRBS_CHECKER, 4, 1, -EINVAL, "prbs-checker" },
			{ OIO_CMD_RING_SET, OIO_A_RING_CARD_ID, OIO_A_RING_RING, OIO_A_RING_HEATER, 1, 1, -EINVAL, "heater" },
			{ OIO_CMD_RING_SET, OIO_A_RING_CARD_ID, OIO_A_RING_RING, OIO_A_RING_LOCK, 1, 2, -ERANGE, "lock" },
			{ OIO_CMD_CARD_SET, OIO_A_CARD_ID, 0, OIO_A_CARD_ALARMS, 4, 16, -EINVAL, "card alarms" },
			{ OIO_CMD_LASER_SET, OIO_A_LASER_CARD_ID, OIO_A_LASER_LINE, OIO_A_LASER_ALARMS, 4, 128, -EINVAL, "laser alarms" },
			{ OIO_CMD_LANE_SET, OIO_A_LANE_CARD_ID, OIO_A_LANE_LANE, OIO_A_LANE_ALARMS, 4, 16, -EINVAL, "lane alarms" },
			{ OIO_CMD_CARD_SET, OIO_A_CARD_ID, 0, OIO_A_CARD_INTERLOCK_OPENED, 1, 1, -ERANGE, "interlock-opened" },
			{ OIO_CMD_LANE_SET, OIO_A_LANE_CARD_ID, OIO_A_LANE_LANE, OIO_A_LANE_ALARMS, 1, 1, -EINVAL, "lane alarms" },
		};
		unsigned int k, fails = 0;

		for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
			uint32_t v32 = t[k].bad;
			uint8_t v8 = (uint8_t)t[k].bad;

			req_init(&r, family, t[k].cmd, 0);
			put_u32(&r, t[k].card_attr, 0);
			if (t[k].index_attr)
				put_u32(&r, t[k].index_attr, 0);
			if (t[k].width == 1)
				put(&r, t[k].attr, &v8, 1);
			else
				put(&r, t[k].attr, &v32, 4);
			xfer(&r, &rep);
			if (rep.err != t[k].want || !rep.msg[0]) {
				tap_diag("%s as %d bytes = %u: %d '%s'", t[k].name,
					 t[k].width, t[k].bad, rep.err, rep.msg);
				fails++;
			}
			/* The same request for a card that does not exist. */
			req_init(&r, family, t[k].cmd, 0);
			put_u32(&r, t[k].card_attr, 42);
			if (t[k].index_attr)
				put_u32(&r, t[k].index_attr, 0);
			xfer(&r, &rep);
			if (rep.err != -ENODEV || !strstr(rep.msg, "no such card")) {
				tap_diag("%s on card 42: %d '%s'", t[k].name,
					 rep.err, rep.msg);
				fails++;
			}
		}
		tap_ok(!fails, "every set attribute: wrong width or value and "
		       "unknown card refused with errno and extack (%zu cases)",
		       2 * sizeof(t) / sizeof(t[0]));
	}
	get(&rep, OIO_CMD_LASER_GET, OIO_A_LASER_CARD_ID, 0, OIO_A_LASER_LINE, 0);
	tap_ok(u8_of(rep.tb[OIO_A_LASER_ENABLE]) == 0 &&
	       u32_of(rep.tb[OIO_A_LASER_BIAS_SET]) == bias_before &&
	       sysfs_u32("/sys/class/oio/oio0/ring4/heater") == 0 &&
	       sysfs_u32("/sys/class/oio/oio0/armed") == 0,
	       "after the bad requests nothing changed");

	/* Good sets, seen through sysfs too; each set raises its event. */
	req_init(&r, family, OIO_CMD_CARD_SET, 0);
	put_u32(&r, OIO_A_CARD_ID, 0);
	put_u8(&r, OIO_A_CARD_ARMED, 1);
	xfer(&r, &rep);
	tap_ok(!rep.err && sysfs_u32("/sys/class/oio/oio0/armed") == 1 &&
	       !wait_event(mon, OIO_CMD_CARD_CHANGE_NTF, tb, ev, 1000) &&
	       u8_of(tb[OIO_A_CARD_ARMED]) == 1,
	       "card set armed, and the card-change event says so");
	req_init(&r, family, OIO_CMD_LASER_SET, 0);
	put_u32(&r, OIO_A_LASER_CARD_ID, 0);
	put_u32(&r, OIO_A_LASER_LINE, 2);
	put_u32(&r, OIO_A_LASER_BIAS_SET, 90000);
	put_u8(&r, OIO_A_LASER_ENABLE, 1);
	xfer(&r, &rep);
	tap_ok(!rep.err && !wait_event(mon, OIO_CMD_LASER_CHANGE_NTF, tb, ev,
					1000) &&
	       u32_of(tb[OIO_A_LASER_LINE]) == 2 &&
	       u8_of(tb[OIO_A_LASER_ENABLE]) == 1 &&
	       u32_of(tb[OIO_A_LASER_BIAS_SET]) == 90000,
	       "laser set, and its event carries the get attributes");
	sleep_us(5000);
	get(&rep, OIO_CMD_LASER_GET, OIO_A_LASER_CARD_ID, 0, OIO_A_LASER_LINE, 2);
	tap_ok(u32_of(rep.tb[OIO_A_LASER_BIAS]) == 90000 &&
	       u32_of(rep.tb[OIO_A_LASER_POWER]) > 1000,
	       "laser 2 ramped to 90 mA, %u uW", u32_of(rep.tb[OIO_A_LASER_POWER]));
	req_init(&r, family, OIO_CMD_PORT_SET, 0);
	put_u32(&r, OIO_A_PORT_CARD_ID, 0);
	put_u32(&r, OIO_A_PORT_PORT, 1);
	put_u32(&r, OIO_A_PORT_LINE_SHIFT, 3);
	xfer(&r, &rep);
	get(&rep, OIO_CMD_PORT_GET, OIO_A_PORT_CARD_ID, 0, OIO_A_PORT_PORT, 1);
	tap_ok(!rep.err && u32_of(rep.tb[OIO_A_PORT_LINE_SHIFT]) == 3 &&
	       sysfs_u32("/sys/class/oio/oio0/port1/line_shift") == 3,
	       "port set line shift 3, sysfs agrees");
	req_init(&r, family, OIO_CMD_RING_SET, 0);
	put_u32(&r, OIO_A_RING_CARD_ID, 0);
	put_u32(&r, OIO_A_RING_RING, 4);
	put_u32(&r, OIO_A_RING_HEATER, 1234);
	xfer(&r, &rep);
	tap_ok(!rep.err && sysfs_u32("/sys/class/oio/oio0/ring4/heater") == 1234,
	       "ring set heater 1234, sysfs agrees");
	req_init(&r, family, OIO_CMD_LANE_SET, 0);
	put_u32(&r, OIO_A_LANE_CARD_ID, 0);
	put_u32(&r, OIO_A_LANE_LANE, 3);
	put_u8(&r, OIO_A_LANE_PRBS_GENERATOR, 1);
	put_u8(&r, OIO_A_LANE_PRBS_CHECKER, 1);
	put_u32(&r, OIO_A_LANE_REQUEST, OIO_LANE_REQUEST_INITIALIZE);
	xfer(&r, &rep);
	tap_ok(!rep.err && !wait_event(mon, OIO_CMD_LANE_CHANGE_NTF, tb, ev,
					2000) &&
	       u32_of(tb[OIO_A_LANE_LANE]) == 3,
	       "lane initialize: a lane-change event, state %u",
	       u32_of(tb[OIO_A_LANE_STATE]));
	sleep_us(20000);
	get(&rep, OIO_CMD_LANE_GET, OIO_A_LANE_CARD_ID, 0, OIO_A_LANE_LANE, 3);
	tap_ok(u64_of(rep.tb[OIO_A_LANE_PRBS_BITS]) > 100000000ull &&
	       u8_of(rep.tb[OIO_A_LANE_PRBS_GENERATOR]) == 1,
	       "lane 3 PRBS runs: %llu bits (u64)",
	       (unsigned long long)u64_of(rep.tb[OIO_A_LANE_PRBS_BITS]));

	/* Telemetry: one DMA block, a handful of register accesses. */
	{
		struct oio_card card = { .qom = "" };
		char *qom = card.qom, out[64];
		long long m0, m1;
		struct nlattr *a;
		int nl = 0, nn = 0, nr = 0, left;
		uint32_t seq1;

		for (i = 0; i < cards + 8 && !qom[0]; i++) {
			char p[64];

			snprintf(p, sizeof(p), "/machine/peripheral/oio%d", i);
			if (!vm_qom_get(p, "serial", out, sizeof(out)) &&
			    (uint32_t)strtoul(out, NULL, 10) ==
			    (uint32_t)sysfs_u32("/sys/class/oio/oio0/serial"))
				snprintf(qom, sizeof(card.qom), "%s", p);
		}
		m0 = qget_mmio(&card);
		get(&rep, OIO_CMD_TELEMETRY_GET, OIO_A_TELEMETRY_CARD_ID, 0, 0, 0);
		m1 = qget_mmio(&card);
		m1 = mmio_spent(m0, m1);
		tap_ok(!rep.err && m1 >= 0 && m1 <= 4,
		       "telemetry snapshot: %lld register accesses", m1);
		seq1 = u32_of(rep.tb[OIO_A_TELEMETRY_SEQ]);
		{
			struct nlattr **t = rep.tb;
			const uint32_t *bset = t[OIO_A_TELEMETRY_LASER_BIAS_SET] ?
				(uint32_t *)((char *)t[OIO_A_TELEMETRY_LASER_BIAS_SET] + NLA_HDRLEN) : NULL;
			const uint8_t *en = t[OIO_A_TELEMETRY_LASER_ENABLE] ?
				(uint8_t *)((char *)t[OIO_A_TELEMETRY_LASER_ENABLE] + NLA_HDRLEN) : NULL;
			const uint32_t *heat = t[OIO_A_TELEMETRY_RING_HEATER] ?
				(uint32_t *)((char *)t[OIO_A_TELEMETRY_RING_HEATER] + NLA_HDRLEN) : NULL;

			nl = t[OIO_A_TELEMETRY_LASER_BIAS] ?
			     (t[OIO_A_TELEMETRY_LASER_BIAS]->nla_len - NLA_HDRLEN) / 4 : 0;
			nn = t[OIO_A_TELEMETRY_LANE_STATE] ?
			     (t[OIO_A_TELEMETRY_LANE_STATE]->nla_len - NLA_HDRLEN) / 4 : 0;
			nr = t[OIO_A_TELEMETRY_RING_MONITOR] ?
			     (t[OIO_A_TELEMETRY_RING_MONITOR]->nla_len - NLA_HDRLEN) / 4 : 0;
			if (!bset || !en || bset[2] != 90000 || en[2] != 1)
				nl = -100;
			if (!heat || heat[4] != 1234)
				nr = -1000;
			tap_ok(nl == 8 && nn == 64 && nr == 128 &&
			       u32_of(t[OIO_A_TELEMETRY_PORTS]) == 8 &&
			       u32_of(t[OIO_A_TELEMETRY_WAVELENGTHS]) == 8 &&
			       ((struct nlmsghdr *)rep.first)->nlmsg_len < 8192,
			       "telemetry: arrays of %d lasers, %d lanes, %d rings "
			       "in %u bytes, laser 2 and ring 4 as set", nl, nn,
			       nr, ((struct nlmsghdr *)rep.first)->nlmsg_len);
			(void)a;
			(void)left;
		}
		get(&rep, OIO_CMD_TELEMETRY_GET, OIO_A_TELEMETRY_CARD_ID, 0, 0, 0);
		tap_ok(!rep.err && u32_of(rep.tb[OIO_A_TELEMETRY_SEQ]) == seq1 + 1,
		       "telemetry: sequence %u then %u", seq1,
		       u32_of(rep.tb[OIO_A_TELEMETRY_SEQ]));

		sweep_req(&r, 0, 2, 0, 4095, 4, 1000);
		xfer(&r, &rep);
		{
			struct nlattr *t = rep.tb[OIO_A_SWEEP_TRACE];
			uint32_t top = 0, k, *v = t ? (uint32_t *)((char *)t + NLA_HDRLEN) : NULL;

			for (k = 0; v && k < 2 * 1024; k++)
				if (v[k] > top)
					top = v[k];
			static const uint32_t both[] = { 0, 1 };

			tap_ok(!rep.err && u32_of(rep.tb[OIO_A_SWEEP_POINTS]) == 1024 &&
			       t && t->nla_len == NLA_HDRLEN + 8192 && top > 100000,
			       "sweep: 2 rings x 1024 points, peak %u nA", top);
			tap_ok(u32_of(rep.tb[OIO_A_SWEEP_RING_COUNT]) == 2 &&
			       rings_are(&rep, both, 2) &&
			       u32_of(rep.tb[OIO_A_SWEEP_POSITIONS]) == 0xff,
			       "sweep: without positions every one is swept "
			       "(positions 0x%x), rings 0 and 1 listed",
			       u32_of(rep.tb[OIO_A_SWEEP_POSITIONS]));
			tap_ok(!wait_event(mon, OIO_CMD_SWEEP_DONE_NTF, tb, ev, 2000) &&
			       !tb[OIO_A_SWEEP_TRACE] &&
			       u32_of(tb[OIO_A_SWEEP_POINTS]) == 1024 &&
			       u32_of(tb[OIO_A_SWEEP_RING_COUNT]) == 2 &&
			       u32_of(tb[OIO_A_SWEEP_SEQ]) == u32_of(rep.tb[OIO_A_SWEEP_SEQ]),
			       "sweep-done event names the sweep, without its trace");
		}
		/*
		 * Bus positions 0 and 3 of ports 0 and 1: rings 2 (p W + w)
		 * + side, four of each port's sixteen, in ring order.
		 */
		{
			static const uint32_t want[] = {
				0, 1, 6, 7, 16, 17, 22, 23,
			};
			struct nlattr *t;

			sweep_req(&r, 0, 32, 0, 4092, 4, 1000);
			put_u32(&r, OIO_A_SWEEP_POSITIONS, 0x9);
			xfer(&r, &rep);
			t = rep.tb[OIO_A_SWEEP_TRACE];
			tap_ok(!rep.err &&
			       u32_of(rep.tb[OIO_A_SWEEP_RING_COUNT]) == 8 &&
			       u32_of(rep.tb[OIO_A_SWEEP_POSITIONS]) == 0x9 &&
			       rings_are(&rep, want, 8) && t &&
			       t->nla_len == NLA_HDRLEN + 8 * 1024 * 4,
			       "sweep positions 0x9 of rings 0-31: %u rings "
			       "swept, listed 0 1 6 7 16 17 22 23, a row each",
			       u32_of(rep.tb[OIO_A_SWEEP_RING_COUNT]));
			tap_ok(!wait_event(mon, OIO_CMD_SWEEP_DONE_NTF, tb, ev,
					   2000) &&
			       u32_of(tb[OIO_A_SWEEP_RING_COUNT]) == 8 &&
			       tb[OIO_A_SWEEP_RINGS] &&
			       tb[OIO_A_SWEEP_RINGS]->nla_len ==
			       NLA_HDRLEN + sizeof(want) &&
			       !memcmp((char *)tb[OIO_A_SWEEP_RINGS] + NLA_HDRLEN,
				       want, sizeof(want)),
			       "sweep-done event lists the same rings");
		}
		sweep_req(&r, 0, 16, 0, 100, 1, 1000);
		put_u32(&r, OIO_A_SWEEP_POSITIONS, 0x100);
		bad("sweep positions 0x100 on an 8-wavelength card", &r,
		    -ERANGE, "bus position beyond");
		sweep_req(&r, 0, 2, 0, 100, 1, 1000);
		put_u32(&r, OIO_A_SWEEP_POSITIONS, 0x2);
		bad("sweep of rings 0-1 (position 0) at position 1 only", &r,
		    -EINVAL, "no ring of the run");
		sweep_req(&r, 0, 16, 0, 100, 1, 1000);
		put_u32(&r, OIO_A_SWEEP_POSITIONS, 0);
		bad("sweep positions 0 (none selected)", &r, -EINVAL,
		    "no ring of the run");
		sweep_req(&r, 0, 128, 0, 4095, 1, 1000);
		put_u32(&r, OIO_A_SWEEP_POSITIONS, 0x1);
		bad("sweep of 32 rings (one position) x 4096 points", &r,
		    -EMSGSIZE, "60 KiB");
		sweep_req(&r, 0, 128, 0, 4095, 1, 1000);
		bad("sweep of 128 rings x 4096 points", &r, -EMSGSIZE, "60 KiB");
		sweep_req(&r, 127, 2, 0, 100, 1, 1000);
		bad("sweep past the last ring", &r, -ERANGE, "beyond");
		sweep_req(&r, 4096, 1, 0, 100, 1, 1000);
		bad("sweep from a ring past the last", &r, -ERANGE,
		    "first ring beyond");
		sweep_req(&r, 0, 1, 200, 100, 1, 1000);
		bad("sweep stop below start", &r, -EINVAL, "stop below start");
		sweep_req(&r, 0, 1, 0, 100, 0, 1000);
		bad("sweep step 0", &r, -ERANGE, "out of range");
		req_init(&r, family, OIO_CMD_SWEEP_RUN, 0);
		put_u32(&r, OIO_A_SWEEP_CARD_ID, 0);
		put_u32(&r, OIO_A_SWEEP_FIRST_RING, 0);
		bad("sweep without its parameters", &r, -EINVAL, "#");
		req_init(&r, family, OIO_CMD_RING_SET, 0);
		put_u32(&r, OIO_A_RING_CARD_ID, 0);
		put_u32(&r, OIO_A_RING_RING, 6);
		put_u8(&r, OIO_A_RING_LOCK, 1);
		xfer(&r, &rep);
		sweep_req(&r, 5, 3, 0, 100, 1, 1000);
		bad("sweep over a locked ring", &r, -EBUSY, "lock loop");
		req_init(&r, family, OIO_CMD_RING_SET, 0);
		put_u32(&r, OIO_A_RING_CARD_ID, 0);
		put_u32(&r, OIO_A_RING_RING, 6);
		put_u8(&r, OIO_A_RING_LOCK, 0);
		xfer(&r, &rep);

		/* Firmware that never answers: a bounded wait and a reason. */
		vm_qom_set(qom, "fw-hang", "true");
		req_init(&r, family, OIO_CMD_TELEMETRY_GET, 0);
		put_u32(&r, OIO_A_TELEMETRY_CARD_ID, 0);
		bad("telemetry from hung firmware", &r, -ETIMEDOUT, "did not answer");
		sweep_req(&r, 0, 1, 0, 100, 1, 1000);
		bad("sweep on hung firmware", &r, -ETIMEDOUT, "did not finish");
		vm_qom_set(qom, "fw-hang", "false");
		get(&rep, OIO_CMD_TELEMETRY_GET, OIO_A_TELEMETRY_CARD_ID, 0, 0, 0);
		tap_ok(!rep.err && rep.tb[OIO_A_TELEMETRY_SEQ],
		       "telemetry works again once firmware recovers");
	}

	/* A ring locked on line 2 loses it when the line goes dark. */
	{
		uint32_t ring = 0, code = 0, top = 0, k;
		int found = -1;

		for (ring = 0; ring < 8 && found < 0; ring++) {
			uint32_t *v;

			sweep_req(&r, ring, 1, 0, 4095, 4, 1000);
			xfer(&r, &rep);
			if (rep.err || !rep.tb[OIO_A_SWEEP_TRACE])
				continue;
			v = (uint32_t *)((char *)rep.tb[OIO_A_SWEEP_TRACE] + NLA_HDRLEN);
			for (top = 0, k = 0; k < 1024; k++)
				if (v[k] > top) {
					top = v[k];
					code = 4 * k;
				}
			if (top > 200000)
				found = ring;
		}
		req_init(&r, family, OIO_CMD_RING_SET, 0);
		put_u32(&r, OIO_A_RING_CARD_ID, 0);
		put_u32(&r, OIO_A_RING_RING, found);
		put_u32(&r, OIO_A_RING_HEATER, code);
		xfer(&r, &rep);
		req_init(&r, family, OIO_CMD_RING_SET, 0);
		put_u32(&r, OIO_A_RING_CARD_ID, 0);
		put_u32(&r, OIO_A_RING_RING, found);
		put_u8(&r, OIO_A_RING_LOCK, 1);
		xfer(&r, &rep);
		/* the loop acquires for lock-capture-us (40 us) first */
		for (k = 0; k < 100; k++) {
			get(&rep, OIO_CMD_RING_GET, OIO_A_RING_CARD_ID, 0,
			    OIO_A_RING_RING, found);
			if (u32_of(rep.tb[OIO_A_RING_LOCK_STATE]) !=
			    OIO_LOCK_STATE_ACQUIRING)
				break;
			sleep_us(1000);
		}
		tap_ok(found >= 0 && u32_of(rep.tb[OIO_A_RING_LOCK_STATE]) ==
		       OIO_LOCK_STATE_LOCKED,
		       "ring %d found line 2 by a netlink sweep and locked at %u",
		       found, u32_of(rep.tb[OIO_A_RING_HEATER]));
		req_init(&r, family, OIO_CMD_LASER_SET, 0);
		put_u32(&r, OIO_A_LASER_CARD_ID, 0);
		put_u32(&r, OIO_A_LASER_LINE, 2);
		put_u8(&r, OIO_A_LASER_ENABLE, 0);
		xfer(&r, &rep);
		/* the sets announced the ring too: look for the loss */
		k = 0;
		while (!wait_event(mon, OIO_CMD_RING_CHANGE_NTF, tb, ev, 2000) &&
		       (u32_of(tb[OIO_A_RING_RING]) != (uint32_t)found ||
			u32_of(tb[OIO_A_RING_LOCK_STATE]) != OIO_LOCK_STATE_LOST) &&
		       k++ < 10)
			;
		tap_ok(u32_of(tb[OIO_A_RING_RING]) == (uint32_t)found &&
		       u32_of(tb[OIO_A_RING_LOCK_STATE]) == OIO_LOCK_STATE_LOST,
		       "line 2 dark: ring-change event, lock lost");
	}

	/* The interlock opening is an event with no request behind it. */
	vm_qom_set("/machine/peripheral/oio0", "interlock", "false");
	i = 0;
	while (!wait_event(mon, OIO_CMD_CARD_CHANGE_NTF, tb, ev, 2000) &&
	       u8_of(tb[OIO_A_CARD_INTERLOCK_CLOSED]) != 0 && i++ < 5)
		;
	tap_ok(u8_of(tb[OIO_A_CARD_INTERLOCK_CLOSED]) == 0 &&
	       u8_of(tb[OIO_A_CARD_ARMED]) == 0,
	       "interlock opened: card-change event, disarmed");
	vm_qom_set("/machine/peripheral/oio0", "interlock", "true");

	/* Unbind and bind again: delete and add events. */
	{
		char bdf[64] = "", path[128];
		ssize_t k = readlink("/sys/class/oio/oio0/device", path,
				     sizeof(path) - 1);
		FILE *f;

		if (k > 0) {
			path[k] = 0;
			snprintf(bdf, sizeof(bdf), "%s", strrchr(path, '/') + 1);
		}
		f = fopen("/sys/bus/pci/drivers/oio/unbind", "w");
		if (f) {
			fputs(bdf, f);
			fclose(f);
		}
		tap_ok(!wait_event(mon, OIO_CMD_CARD_DELETE_NTF, tb, ev, 2000) &&
		       !strcmp(str_of(tb[OIO_A_CARD_PCI_ADDRESS]), bdf),
		       "unbind %s: card-delete event", bdf);
		f = fopen("/sys/bus/pci/drivers/oio/bind", "w");
		if (f) {
			fputs(bdf, f);
			fclose(f);
		}
		tap_ok(!wait_event(mon, OIO_CMD_CARD_ADD_NTF, tb, ev, 2000) &&
		       !strcmp(str_of(tb[OIO_A_CARD_PCI_ADDRESS]), bdf),
		       "bind: card-add event for %s", bdf);
	}

	/*
	 * Clearing latched alarms over netlink: a level flag the driver holds
	 * masked (a failed line) raises no new event until it is cleared;
	 * once cleared, the next failure does.
	 */
	{
		char qom[64] = "", serial[32] = "", want[32];
		unsigned int alarms;
		int i, first, again;
		FILE *f = fopen("/sys/class/oio/oio0/serial", "r");

		if (f) {
			if (!fgets(want, sizeof(want), f))
				want[0] = 0;
			fclose(f);
			want[strcspn(want, "\n")] = 0;
		}
		for (i = 0; i < cards; i++) {
			char path[64];

			vm_card_qom(i, path, sizeof(path));
			if (!vm_qom_get(path, "serial", serial, sizeof(serial)) &&
			    !strcmp(serial, want))
				snprintf(qom, sizeof(qom), "%s", path);
		}
		vm_qom_set(qom, "laser-fail-mask", "4");
		first = wait_event(mon, OIO_CMD_LASER_CHANGE_NTF, tb, ev, 2000);
		vm_qom_set(qom, "laser-fail-mask", "0");
		/* the same failure again, uncleared: the flag is held */
		vm_qom_set(qom, "laser-fail-mask", "4");
		again = wait_event(mon, OIO_CMD_LASER_CHANGE_NTF, tb, ev, 300);
		vm_qom_set(qom, "laser-fail-mask", "0");
		req_init(&r, family, OIO_CMD_LASER_SET, 0);
		put_u32(&r, OIO_A_LASER_CARD_ID, 0);
		put_u32(&r, OIO_A_LASER_LINE, 2);
		put_u32(&r, OIO_A_LASER_ALARMS, 0x7f);
		xfer(&r, &rep);
		get(&rep, OIO_CMD_LASER_GET, OIO_A_LASER_CARD_ID, 0,
		    OIO_A_LASER_LINE, 2);
		alarms = u32_of(rep.tb[OIO_A_LASER_ALARMS]);
		tap_ok(!first && again && !(alarms & OIO_LASER_ALARM_FAILURE),
		       "a held laser alarm (%s) is cleared by laser-set alarms "
		       "(now 0x%x)", qom, alarms);
		vm_qom_set(qom, "laser-fail-mask", "4");
		/* the clear announced itself too: look past that event */
		for (i = 0, first = -1; i < 4 && first; i++)
			if (!wait_event(mon, OIO_CMD_LASER_CHANGE_NTF, tb, ev,
					2000) &&
			    u32_of(tb[OIO_A_LASER_LINE]) == 2 &&
			    (u32_of(tb[OIO_A_LASER_ALARMS]) &
			     OIO_LASER_ALARM_FAILURE))
				first = 0;
		tap_ok(!first, "after the clear, the next failure raises its "
		       "event");
		vm_qom_set(qom, "laser-fail-mask", "0");
		req_init(&r, family, OIO_CMD_LASER_SET, 0);
		put_u32(&r, OIO_A_LASER_CARD_ID, 0);
		put_u32(&r, OIO_A_LASER_LINE, 2);
		put_u32(&r, OIO_A_LASER_ALARMS, 0x7f);
		xfer(&r, &rep);
		req_init(&r, family, OIO_CMD_CARD_SET, 0);
		put_u32(&r, OIO_A_CARD_ID, 0);
		put_u32(&r, OIO_A_CARD_ALARMS, OIO_CARD_ALARM_TEMP_HIGH |
			OIO_CARD_ALARM_TEMP_LOW | OIO_CARD_ALARM_TEMP_HIGH_WARN |
			OIO_CARD_ALARM_TEMP_LOW_WARN);
		xfer(&r, &rep);
		i = rep.err;
		req_init(&r, family, OIO_CMD_LANE_SET, 0);
		put_u32(&r, OIO_A_LANE_CARD_ID, 0);
		put_u32(&r, OIO_A_LANE_LANE, 3);
		put_u32(&r, OIO_A_LANE_ALARMS, OIO_LANE_ALARM_TX_LOCK_LOST |
			OIO_LANE_ALARM_RX_LOCK_LOST | OIO_LANE_ALARM_TX_AT_LIMIT |
			OIO_LANE_ALARM_RX_AT_LIMIT);
		xfer(&r, &rep);
		tap_ok(!i && !rep.err, "card-set and lane-set clear alarms too");
	}

	oiot_drop_cap(CAP_NET_ADMIN);
	req_init(&r, family, OIO_CMD_RING_SET, 0);
	put_u32(&r, OIO_A_RING_CARD_ID, 0);
	put_u32(&r, OIO_A_RING_RING, 4);
	put_u32(&r, OIO_A_RING_HEATER, 7);
	bad("ring set without CAP_NET_ADMIN", &r, -EPERM, NULL);
	n = dump(OIO_CMD_CARD_GET, -1);
	tap_ok(n == cards, "gets need no privilege (%d cards)", n);

	/* The module goes away under open, subscribed sockets. */
	{
		pid_t kids[2];
		int k, st;

		for (k = 0; k < 2; k++) {
			kids[k] = fork();
			if (kids[k] == 0)
				_exit(hold());
		}
		sleep_us(500000);
		st = system("rmmod oio");
		tap_ok(st == 0 && access("/sys/class/oio/oio0", F_OK) != 0,
		       "rmmod with two subscribed sockets open");
		for (k = 0; k < 2; k++) {
			kill(kids[k], SIGTERM);
			waitpid(kids[k], NULL, 0);
		}
	}
	return tap_done();
}
