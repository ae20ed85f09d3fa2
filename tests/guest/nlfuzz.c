// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bad input, in bulk, against oio.ko: OIO_FUZZ_N (100000) netlink
 * messages built from the family's spec (build/guest-gen/oio_spec_table.h,
 * from docs/netlink/specs/oio.yaml) and each made invalid in one random
 * way - a wrong length or type, a value outside the policy's range or
 * flags, an attribute the operation does not take or no set has, a
 * scalar flagged as a nest, a truncated attribute or genl header, a
 * missing attribute, an unknown card, command or index - then every
 * writable sysfs file of a card fed a table of bad forms. Each must end
 * in an error (the kernel's ack carries an errno), and nothing may
 * change: the settable state of every card, read before and after (and
 * every 10000 messages), must be the same.
 *
 * Prints "# reliability: bad inputs N rejected / M changed". Runs as
 * root so that requests reach the driver's own checks. Loads oio.ko if
 * it is not loaded. Environment: OIO_FUZZ_N, OIO_FUZZ_SEED.
 */
#define _GNU_SOURCE
#include "nlraw.h"
#include "oiotest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"
#include "oio_spec_table.h"

#define BATCH		32
#define MSG_MAX		512

static unsigned long long rng = 88172645463325252ull;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned int)(rng % n) : 0;
}

/* ---- the state that must not change ---- */

/*
 * What a request could set, card by card: arming, the interlock latch,
 * each line's enable and bias set point, each lane's request-driven state
 * and PRBS switches, each ring's heater and loop, each port's shift.
 * Alarm flags and readings move by themselves and are left out.
 */
static char *snapshot(void)
{
	static const char *const files[] = {
		"armed", "interlock_opened",
	};
	size_t len = 0, cap = 1 << 16;
	char *s = malloc(cap), path[160], buf[64];
	DIR *d = opendir("/sys/class/oio");
	struct dirent *e;

	if (!s)
		return NULL;
	s[0] = 0;
	while (d && (e = readdir(d))) {
		int lanes = 0, rings = 0, w = 0, ports = 0, i, fd, n;
		unsigned int f;

		if (strncmp(e->d_name, "oio", 3))
			continue;
#define GETF(name, var) do {						\
			snprintf(path, sizeof(path), "/sys/class/oio/%.16s/%s", \
				 e->d_name, name);			\
			fd = open(path, O_RDONLY);			\
			n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;	\
			if (fd >= 0)					\
				close(fd);				\
			buf[n > 0 ? n : 0] = 0;				\
			var;						\
		} while (0)
#define ADD(name) do {							\
			GETF(name, (void)0);				\
			if (len + strlen(path) + strlen(buf) + 4 > cap) {	\
				cap *= 2;				\
				s = realloc(s, cap);			\
			}						\
			len += sprintf(s + len, "%s=%s", path, buf);	\
		} while (0)
		GETF("lanes", lanes = atoi(buf));
		GETF("rings", rings = atoi(buf));
		GETF("wavelengths", w = atoi(buf));
		GETF("ports", ports = atoi(buf));
		for (f = 0; f < sizeof(files) / sizeof(files[0]); f++)
			ADD(files[f]);
		for (i = 0; i < w; i++) {
			char nm[48];

			snprintf(nm, sizeof(nm), "laser%d/enable", i);
			ADD(nm);
			snprintf(nm, sizeof(nm), "laser%d/bias_set_ua", i);
			ADD(nm);
		}
		for (i = 0; i < lanes; i++) {
			char nm[48];

			snprintf(nm, sizeof(nm), "lane%d/state", i);
			ADD(nm);
			snprintf(nm, sizeof(nm), "lane%d/prbs_generator", i);
			ADD(nm);
			snprintf(nm, sizeof(nm), "lane%d/prbs_checker", i);
			ADD(nm);
		}
		for (i = 0; i < rings; i++) {
			char nm[48];

			snprintf(nm, sizeof(nm), "ring%d/heater", i);
			ADD(nm);
			snprintf(nm, sizeof(nm), "ring%d/lock", i);
			ADD(nm);
		}
		for (i = 0; i < ports; i++) {
			char nm[48];

			snprintf(nm, sizeof(nm), "port%d/line_shift", i);
			ADD(nm);
		}
	}
	if (d)
		closedir(d);
	return s;
}

/* ---- building bad messages ---- */

struct msg {
	union {
		struct nlmsghdr nlh;
		char buf[MSG_MAX];
	};
	const char *kind;
};

static void attr(struct msg *m, int type, const void *data, int len,
		 int claimed)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = claimed >= 0 ? claimed : NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) +
			   NLA_ALIGN(NLA_HDRLEN + len);
}

static void put_val(struct msg *m, const struct spec_attr *a,
		    unsigned long long v)
{
	attr(m, a->id, &v, a->size > 0 ? a->size : 4, -1);
}

static bool in_do(const struct spec_op *op, int id)
{
	unsigned int i, k;

	for (i = 0; i < sizeof(spec_ops) / sizeof(spec_ops[0]); i++) {
		if (spec_ops[i].cmd != op->cmd || spec_ops[i].dump)
			continue;
		for (k = 0; k < (unsigned int)spec_ops[i].n_attrs; k++)
			if (spec_ops[i].attrs[k].id == id)
				return true;
	}
	return false;
}

/* A valid value of an attribute, given the card's geometry. */
static unsigned long long good(const struct spec_attr *a, uint32_t card)
{
	if (a->id == 1)
		return card;	/* card-id, or card id for card-set */
	if (a->mask)
		return a->mask & 1;
	if (a->has_range)
		return a->min;
	return 0;
}

/*
 * One invalid message: a request of op with every attribute it needs,
 * and one thing wrong. Returns false if op has nothing of that kind.
 */
static bool make(struct msg *m, const struct spec_op *op, int family,
		 unsigned int how, unsigned int seq, uint32_t cards)
{
	const struct spec_attr *bad = op->n_attrs ?
				      &op->attrs[rnd(op->n_attrs)] : NULL;
	unsigned int i;
	struct genlmsghdr *g;
	unsigned long long v;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			     (op->dump ? NLM_F_DUMP : 0);
	m->nlh.nlmsg_seq = seq;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = op->cmd;
	g->version = 1;

	switch (how) {
	case 0:	/* wrong length of a fixed-size attribute */
		m->kind = "length";
		if (!bad || bad->size <= 0)
			return false;
		break;
	case 1:	/* a value out of the policy's range or flags */
		m->kind = "range";
		if (!bad || (!bad->has_range && !bad->mask) || op->dump)
			return false;
		break;
	case 2:	/* an attribute the request does not take */
		m->kind = "unknown attribute";
		break;
	case 3:	/* a scalar flagged as a nest */
		m->kind = "nested";
		if (!bad)
			return false;
		break;
	case 4:	/* an attribute longer than the message */
		m->kind = "truncated attribute";
		if (!bad)
			return false;
		break;
	case 5:	/* a required attribute missing: the card, the object's
		 * index, or any of a sweep's but its optional positions */
		m->kind = "missing";
		if (!bad || op->dump)
			return false;
		if (op->cmd == OIO_CMD_SWEEP_RUN ?
		    bad->id == OIO_A_SWEEP_POSITIONS :
		    (op->cmd == OIO_CMD_TELEMETRY_GET || bad->id > 2 ||
		     (bad->id == 2 && op->cmd == OIO_CMD_CARD_SET)))
			bad = &op->attrs[0];
		break;
	case 6:	/* a card that does not exist */
		m->kind = "unknown card";
		if (op->dump || !op->n_attrs)
			return false;
		break;
	case 7:	/* an index beyond the card's objects */
		m->kind = "index";
		if (op->dump || op->n_attrs < 2 || op->attrs[1].id != 2 ||
		    op->cmd == OIO_CMD_TELEMETRY_GET ||
		    op->cmd == OIO_CMD_SWEEP_RUN)
			return false;
		break;
	case 8:	/* a command the family does not have */
		m->kind = "unknown command";
		g->cmd = SPEC_N_CMDS + 1 + rnd(200);
		return true;
	case 9:	/* a genl header cut short */
		m->kind = "short header";
		m->nlh.nlmsg_len = NLMSG_HDRLEN + rnd(GENL_HDRLEN);
		return true;
	default:	/* junk after the attributes */
		m->kind = "trailing bytes";
		if (op->dump && !op->n_attrs)
			return false;
		break;
	}

	for (i = 0; i < (unsigned int)op->n_attrs; i++) {
		const struct spec_attr *a = &op->attrs[i];

		if (a == bad && how == 5)
			continue;
		if (a != bad || how == 2 || how == 6 || how == 7 ||
		    how == 10) {
			v = good(a, rnd(cards));
			if (how == 6 && a->id == 1)
				v = cards + 1 + rnd(1000);
			if (how == 7 && a->id == 2)
				v = 4096 + rnd(100000);
			put_val(m, a, v);
			continue;
		}
		switch (how) {
		case 0: {
			static const int lens[] = { 0, 1, 2, 3, 5, 6, 7, 9, 12, 16 };
			char junk[16] = { 0 };
			int l;

			do
				l = lens[rnd(sizeof(lens) / sizeof(lens[0]))];
			while (l == a->size);
			attr(m, a->id, junk, l, -1);
			break;
		}
		case 1:
			if (a->mask) {
				unsigned int top = 0;

				while (a->mask >> top)
					top++;
				v = 1ull << (top + rnd(32 - top));
			} else if (a->min > 0 && rnd(2)) {
				v = a->min - 1 - rnd(a->min);
			} else {
				unsigned long long lim = a->size == 1 ? 0xff :
					a->size == 8 ? ~0ull : 0xffffffffull;

				if ((unsigned long long)a->max >= lim)
					v = a->min - 1;
				else
					v = a->max + 1 + rnd(lim - a->max < 100000 ?
							     lim - a->max : 100000);
			}
			put_val(m, a, v);
			break;
		case 3: {
			unsigned long long z = 0;

			attr(m, a->id | NLA_F_NESTED, &z,
			     a->size > 0 ? a->size : 4, -1);
			break;
		}
		case 4: {
			unsigned long long z = 0;

			attr(m, a->id, &z, a->size > 0 ? a->size : 4,
			     NLA_HDRLEN + 64 + rnd(1000));
			break;
		}
		}
	}
	if (how == 2) {
		int id;

		/* past the set, attribute 0, or one of the set the request
		 * does not take (a reply's attribute) */
		do {
			switch (rnd(3)) {
			case 0:
				id = op->set_max + 1 + rnd(100);
				break;
			case 1:
				id = 0;
				break;
			default:
				id = 1 + rnd(op->set_max);
			}
		} while (id && id <= op->set_max && in_do(op, id));
		v = rnd(8);
		attr(m, id, &v, 4, -1);
	}
	if (how == 10) {
		/* less than an attribute header, or a header claiming less */
		unsigned char junk[3] = { 1, 2, 3 };
		int n = 1 + rnd(3);

		memcpy(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len), junk, n);
		m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + n;
	}
	return true;
}

/* ---- sending in batches ---- */

struct verdict {
	int err;	/* 1: no answer yet */
};

static long rejected, accepted, unanswered;
static long by_kind[11];

static int send_batch(int fd, struct msg *ms, int n, struct verdict *v,
		      unsigned int seq0)
{
	static char buf[NLRAW_MSG_MAX];
	char out[BATCH * MSG_MAX];
	size_t off = 0;
	int i, left = n;

	for (i = 0; i < n; i++) {
		memcpy(out + off, ms[i].buf, ms[i].nlh.nlmsg_len);
		off += NLMSG_ALIGN(ms[i].nlh.nlmsg_len);
		v[i].err = 1;
	}
	if (send(fd, out, off, 0) < 0)
		return -errno;
	while (left > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		int len;

		if (poll(&p, 1, 2000) <= 0)
			break;
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)len);
		     h = NLMSG_NEXT(h, len)) {
			unsigned int k = h->nlmsg_seq - seq0;
			int e;

			if (k >= (unsigned int)n)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			else if (h->nlmsg_type == NLMSG_DONE)
				e = h->nlmsg_len >= NLMSG_LENGTH(4) ?
				    *(int *)NLMSG_DATA(h) : 0;
			else
				continue;	/* a dump's reply */
			if (v[k].err == 1)
				left--;
			v[k].err = e;
		}
	}
	return 0;
}

/* ---- sysfs bad forms ---- */

struct form {
	const char *file;
	const char *value;
};

static long sysfs_bad(const char *card, long *changed)
{
	/* for every writable file, forms it must refuse */
	static const struct form forms[] = {
		{ "armed", "2" }, { "armed", "maybe" }, { "armed", "x" },
		{ "armed", "-1" }, { "armed", " 1" },
		{ "interlock_opened", "1" }, { "interlock_opened", "y" },
		{ "interlock_opened", "x" },
		{ "alarms", "0x10" }, { "alarms", "-1" }, { "alarms", "x" },
		{ "alarms", "1x" }, { "alarms", "4294967296" },
		{ "alarms", "1 2" }, { "alarms", "0x" },
		{ "port0/line_shift", "8" }, { "port0/line_shift", "-1" },
		{ "port0/line_shift", "x" }, { "port0/line_shift", "99999999999" },
		{ "laser0/enable", "2" }, { "laser0/enable", "x" },
		{ "laser0/enable", "" "\t" },
		{ "laser0/bias_set_ua", "150001" }, { "laser0/bias_set_ua", "-1" },
		{ "laser0/bias_set_ua", "12mA" }, { "laser0/bias_set_ua", "1e5" },
		{ "laser0/alarms", "0x80" }, { "laser0/alarms", "x" },
		{ "lane0/state", "up" }, { "lane0/state", "INITIALIZE" },
		{ "lane0/state", "activate!" }, { "lane0/state", "1" },
		{ "lane0/state", "activate" },
		{ "lane0/prbs_generator", "7" }, { "lane0/prbs_generator", "x" },
		{ "lane0/prbs_checker", "2" }, { "lane0/prbs_checker", "-" },
		{ "lane0/prbs_clear", "0" }, { "lane0/prbs_clear", "x" },
		{ "lane0/alarms", "0x10" }, { "lane0/alarms", "x" },
		{ "ring0/heater", "4096" }, { "ring0/heater", "-1" },
		{ "ring0/heater", "x" }, { "ring0/heater", "0x1000" },
		{ "ring0/lock", "2" }, { "ring0/lock", "x" },
	};
	char path[160];
	unsigned int i;
	long n = 0;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char was[128] = "", now[128] = "";
		int fd, err;

		snprintf(path, sizeof(path), "%s/%s", card, forms[i].file);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			if (read(fd, was, sizeof(was) - 1) < 0)
				was[0] = 0;
			close(fd);
		}
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;
		err = write(fd, forms[i].value, strlen(forms[i].value)) < 0 ?
		      errno : 0;
		close(fd);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			if (read(fd, now, sizeof(now) - 1) < 0)
				now[0] = 0;
			close(fd);
		}
		n++;
		if (!err || strcmp(was, now)) {
			(*changed)++;
			tap_diag("sysfs %s < '%s': errno %d, '%s' -> '%s'",
				 forms[i].file, forms[i].value, err, was, now);
		}
	}
	return n;
}

int main(void)
{
	long n = getenv("OIO_FUZZ_N") ? atol(getenv("OIO_FUZZ_N")) : 100000;
	unsigned int nops = sizeof(spec_ops) / sizeof(spec_ops[0]);
	struct msg *ms = calloc(BATCH, sizeof(*ms));
	struct verdict v[BATCH];
	char *before, *after, *mid;
	long sent = 0, changed = 0, sysfs_n, sysfs_changed = 0;
	unsigned int seq = 1;
	uint32_t cards = 0;
	struct nlraw nl;
	DIR *d;
	struct dirent *e;
	int i;

	if (getenv("OIO_FUZZ_SEED"))
		rng += strtoull(getenv("OIO_FUZZ_SEED"), NULL, 0);
	if (access("/sys/module/oio", F_OK) &&
	    system("insmod /lib/modules/oio.ko"))
		tap_bail("insmod failed");
	if (!ms || nlraw_open(&nl))
		tap_bail("no oio family");
	d = opendir("/sys/class/oio");
	while (d && (e = readdir(d)))
		cards += !strncmp(e->d_name, "oio", 3);
	if (d)
		closedir(d);
	before = snapshot();
	mid = strdup(before);
	while (sent < n) {
		int k = 0;

		while (k < BATCH) {
			const struct spec_op *op = &spec_ops[rnd(nops)];

			if (make(&ms[k], op, nl.family, rnd(11), seq + k, cards))
				k++;
		}
		if (send_batch(nl.fd, ms, k, v, seq))
			tap_bail("send: %s", strerror(errno));
		for (i = 0; i < k; i++) {
			if (v[i].err < 0) {
				rejected++;
			} else if (v[i].err == 1) {
				unanswered++;
				tap_diag("no answer to a bad %s", ms[i].kind);
			} else {
				accepted++;
				if (accepted < 20)
					tap_diag("accepted: %s (cmd %d)",
						 ms[i].kind,
						 ((struct genlmsghdr *)
						  NLMSG_DATA(&ms[i].nlh))->cmd);
			}
		}
		seq += k;
		sent += k;
		if (sent % 10000 < (long)BATCH) {
			char *now = snapshot();

			if (now && strcmp(now, mid)) {
				changed++;
				tap_diag("state changed by message %ld or before",
					 sent);
			}
			free(mid);
			mid = now ? now : strdup(before);
		}
	}
	after = snapshot();
	if (after && strcmp(before, after))
		changed++;
	tap_ok(!accepted && !unanswered, "%ld netlink messages built from the "
	       "spec, each with one thing wrong: %ld rejected, %ld accepted, "
	       "%ld unanswered", sent, rejected, accepted, unanswered);
	tap_ok(!changed, "the cards' settable state is the same before, "
	       "during and after");
	sysfs_n = sysfs_bad("/sys/class/oio/oio0", &sysfs_changed);
	free(mid);
	mid = snapshot();
	if (mid && strcmp(after, mid))
		sysfs_changed++;
	tap_ok(sysfs_n > 40 && !sysfs_changed, "%ld bad forms written to every "
	       "writable sysfs file: each refused with an errno, the file and "
	       "the cards' state unchanged", sysfs_n);
	printf("# reliability: bad inputs %ld rejected / %ld changed\n",
	       rejected + sysfs_n - sysfs_changed,
	       accepted + unanswered + changed + sysfs_changed);
	free(before);
	free(after);
	free(mid);
	free(ms);
	(void)by_kind;
	tap_ok(!system("rmmod oio"), "rmmod at the end");
	return tap_done();
}
