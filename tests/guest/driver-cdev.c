// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/oioN against its contract (uapi/linux/oio_dev.h): one node per
 * card whose numbers match sysfs, the telemetry-get reply of netlink to
 * the byte's layout, every bad argument refused with its errno and no
 * harm done, the netlink freshness rule (a new block for CAP_NET_ADMIN,
 * the cache for others), and lifetime: a file kept open across the
 * card's unbind and rebind, calls racing the unbind, and rmmod refused
 * while a file is open.
 *
 * Needs one card or more; unbinds the last. Loads oio.ko itself.
 */
#define _GNU_SOURCE
#include "nlraw.h"
#include "oiotest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"
#include "../../include/uapi/linux/oio_dev.h"

#define BUF_SIZE	(64 * 1024)

static struct nlraw nl;
static char *buf;

/* The ioctl into buf: its length, or -errno. */
static int tread(int fd, uint32_t parts, uint32_t size, void *to)
{
	struct oio_telemetry_read rd = {
		.parts = parts, .size = size, .buf = (uintptr_t)to,
	};
	int len = ioctl(fd, OIO_IOC_TELEMETRY, &rd);

	return len < 0 ? -errno : len;
}

static int dev_open(int id)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/oio%d", id);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The attribute table of the message the ioctl left in buf. */
static bool parse(int len, struct nlattr **tb)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	if (len < (int)NLMSG_HDRLEN || (int)h->nlmsg_len != len)
		return false;
	nlraw_parse_msg(tb, h);
	return true;
}

static uint32_t seq_of(int fd)
{
	struct nlattr *tb[NLRAW_MAXATTR] = { 0 };
	int len = tread(fd, OIO_TELEMETRY_PARTS_LANES, BUF_SIZE, buf);

	if (len < 0 || !parse(len, tb) || !tb[OIO_A_TELEMETRY_SEQ])
		return 0;
	return nla_u32(tb[OIO_A_TELEMETRY_SEQ]);
}

static void test_nodes(const int *ids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char path[64], dev[32], want[32];
		struct stat st;

		snprintf(path, sizeof(path), "/sys/class/oio/oio%d/dev", ids[i]);
		dev[0] = 0;
		sys_read(path, dev, sizeof(dev));
		snprintf(path, sizeof(path), "/dev/oio%d", ids[i]);
		if (stat(path, &st)) {
			tap_ok(false, "oio%d: %s exists (%s)", ids[i], path,
			       strerror(errno));
			continue;
		}
		snprintf(want, sizeof(want), "%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		tap_ok(S_ISCHR(st.st_mode) && !strcmp(dev, want) &&
		       minor(st.st_rdev) == (unsigned int)ids[i],
		       "oio%d: %s is char device %s, sysfs says %s", ids[i],
		       path, want, dev);
	}
}

/* The ioctl's reply has netlink's layout, part by part. */
static void test_reply(int id)
{
	struct nlattr *tb[NLRAW_MAXATTR] = { 0 }, **ntb;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	struct nlreply rep;
	struct nlreq req;
	int fd = dev_open(id), len, t, same = 1;

	tap_ok(fd >= 0, "oio%d: open /dev/oio%d read-only", id, id);
	if (fd < 0)
		return;
	len = tread(fd, OIO_TELEMETRY_PARTS_LANES, BUF_SIZE, buf);
	g = (struct genlmsghdr *)NLMSG_DATA(h);
	tap_ok(len > 0 && parse(len, tb) && h->nlmsg_type == nl.family &&
	       g->cmd == OIO_CMD_TELEMETRY_GET && !h->nlmsg_seq,
	       "lanes: %d bytes, one telemetry-get message of the family",
	       len);
	tap_ok(tb[OIO_A_TELEMETRY_CARD_ID] &&
	       nla_u32(tb[OIO_A_TELEMETRY_CARD_ID]) == (uint32_t)id &&
	       tb[OIO_A_TELEMETRY_LANE_STATE] && tb[OIO_A_TELEMETRY_PORTS] &&
	       tb[OIO_A_TELEMETRY_WAVELENGTHS] &&
	       nla_plen(tb[OIO_A_TELEMETRY_LANE_STATE]) ==
	       (int)(4 * nla_u32(tb[OIO_A_TELEMETRY_PORTS]) *
		     nla_u32(tb[OIO_A_TELEMETRY_WAVELENGTHS])) &&
	       !tb[OIO_A_TELEMETRY_LASER_BIAS] && !tb[OIO_A_TELEMETRY_RING_HEATER],
	       "lanes: the card's id and its lane columns, no laser or ring column");

	/* every part, against netlink's reply to the same request */
	memset(tb, 0, sizeof(tb));
	len = tread(fd, 0, BUF_SIZE, buf);
	nlreply_init(&rep);
	nlraw_req(&nl, &req, OIO_CMD_TELEMETRY_GET, 0);
	nlraw_put_u32(&req, OIO_A_TELEMETRY_CARD_ID, id);
	nlraw_xfer(&nl, &req, &rep);
	ntb = rep.tb;
	if (len <= 0 || !parse(len, tb) || rep.err)
		same = 0;
	for (t = 1; same && t <= OIO_A_TELEMETRY_MAX; t++) {
		if (!tb[t] != !ntb[t])
			same = 0;
		else if (tb[t] && t != OIO_A_TELEMETRY_AGE &&
			 nla_plen(tb[t]) != nla_plen(ntb[t]))
			same = 0;
	}
	tap_ok(same && tb[OIO_A_TELEMETRY_LASER_BIAS_SET] &&
	       tb[OIO_A_TELEMETRY_RING_HEATER],
	       "all parts: the attributes and sizes of netlink's reply (%d bytes, netlink err %d)",
	       len, rep.err);
	nlreply_free(&rep);
	close(fd);
}

static void test_refusals(int id)
{
	int fd = dev_open(id), len;
	uint32_t s0, s1;

	if (fd < 0) {
		tap_ok(false, "open /dev/oio%d", id);
		return;
	}
	s0 = seq_of(fd);
	tap_ok(tread(fd, 0x8, BUF_SIZE, buf) == -EINVAL,
	       "an unknown part: EINVAL");
	tap_ok(tread(fd, 0xffffffff, BUF_SIZE, buf) == -EINVAL,
	       "every bit set: EINVAL");
	{
		struct oio_telemetry_read rd = {
			.parts = OIO_TELEMETRY_PARTS_LANES, .size = 16,
			.buf = (uintptr_t)buf,
		};
		int got = ioctl(fd, OIO_IOC_TELEMETRY, &rd) < 0 ? errno : 0;
		uint32_t need = rd.size;

		len = got == EMSGSIZE && need > 16 ?
		      tread(fd, OIO_TELEMETRY_PARTS_LANES, need, buf) : -1;
		tap_ok(got == EMSGSIZE && len > 0 && (uint32_t)len <= need,
		       "16 bytes of room: EMSGSIZE, and the size it takes (%u) is enough (%d)",
		       need, len);
	}
	tap_ok(tread(fd, OIO_TELEMETRY_PARTS_LANES, 0, NULL) == -EMSGSIZE,
	       "no room at all: EMSGSIZE");
	tap_ok(tread(fd, OIO_TELEMETRY_PARTS_LANES, BUF_SIZE, NULL) == -EFAULT,
	       "a NULL buffer: EFAULT");
	tap_ok(ioctl(fd, OIO_IOC_TELEMETRY, NULL) < 0 && errno == EFAULT,
	       "a NULL argument: EFAULT");
	{
		struct oio_telemetry_read rd = {
			.size = BUF_SIZE, .buf = (uintptr_t)buf, .flags = 1,
		};

		tap_ok(ioctl(fd, OIO_IOC_TELEMETRY, &rd) < 0 && errno == EINVAL,
		       "a flag: EINVAL");
		rd.flags = 0;
		rd.reserved = 1;
		tap_ok(ioctl(fd, OIO_IOC_TELEMETRY, &rd) < 0 && errno == EINVAL,
		       "the reserved word set: EINVAL");
	}
	tap_ok(ioctl(fd, _IOW(OIO_IOC_MAGIC, 0x7f, int), buf) < 0 &&
	       errno == ENOTTY, "an unknown ioctl: ENOTTY");
	tap_ok(ioctl(fd, _IOW(OIO_IOC_MAGIC, 0x01, struct oio_telemetry_read),
		     buf) < 0 && errno == ENOTTY,
	       "the right number in the wrong direction: ENOTTY");
	tap_ok(lseek(fd, 0, SEEK_SET) < 0 && errno == ESPIPE,
	       "lseek: ESPIPE");
	tap_ok(read(fd, buf, 16) < 0 && errno == EINVAL, "read: EINVAL");
	{
		char path[32];
		int wr;

		snprintf(path, sizeof(path), "/dev/oio%d", id);
		wr = open(path, O_WRONLY);
		tap_ok(wr < 0 && errno == EINVAL, "open write-only: EINVAL");
		if (wr >= 0)
			close(wr);
	}
	s1 = seq_of(fd);
	len = tread(fd, OIO_TELEMETRY_PARTS_LANES, BUF_SIZE, buf);
	tap_ok(len > 0 && s1 > s0,
	       "after the refusals the node answers (block %u, then %u)", s0,
	       s1);
	close(fd);
}

/* CAP_NET_ADMIN: a block from the card each time; others: the cache. */
static void test_freshness(int id)
{
	int fd = dev_open(id), status = -1;
	uint32_t a, b;
	pid_t pid;

	a = seq_of(fd);
	b = seq_of(fd);
	tap_ok(a && b > a, "with CAP_NET_ADMIN every call takes a new block (%u, %u)",
	       a, b);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int own;
		uint32_t c, d, e, f;

		oiot_drop_cap(CAP_NET_ADMIN);
		/* an opener with the capability, a caller without: cached */
		c = seq_of(fd);
		d = seq_of(fd);
		own = dev_open(id);
		e = seq_of(own);
		f = seq_of(own);
		close(own);
		_exit(c && c == d && e && e == f ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap_ok(status == 0,
	       "without CAP_NET_ADMIN two calls in a row get the same cached block");
	close(fd);
}

/* Calls on one file from two processes while the card comes and goes. */
static void hammer(int fd, int secs, int tag)
{
	uint64_t end = now_us() + (uint64_t)secs * 1000000;
	long ok = 0, gone = 0, other = 0;
	char *mine = malloc(BUF_SIZE);

	while (now_us() < end) {
		int len = tread(fd, OIO_TELEMETRY_PARTS_LANES, BUF_SIZE, mine);

		if (len > 0)
			ok++;
		else if (len == -ENODEV)
			gone++;
		else
			other++;
	}
	printf("# hammer %d: %ld ok, %ld ENODEV, %ld other\n", tag, ok, gone,
	       other);
	fflush(stdout);
	_exit(other || !ok ? 1 : 0);
}

static void test_lifetime(int id, const char *bdf)
{
	int fd = dev_open(id), fresh, st[2] = { -1, -1 }, i, bad = 0;
	char unbind[] = "/sys/bus/pci/drivers/oio/unbind";
	char bind[] = "/sys/bus/pci/drivers/oio/bind";
	pid_t pid[2];

	tap_ok(fd >= 0 && seq_of(fd), "oio%d (%s) answers before its unbind",
	       id, bdf);
	tap_ok(sys_write(unbind, bdf) == 0, "unbind %s with the node open", bdf);
	tap_ok(tread(fd, 0, BUF_SIZE, buf) == -ENODEV,
	       "a call on the open file of the unbound card: ENODEV");
	{
		int gone = dev_open(id) < 0 ? errno : 0;

		tap_ok(gone == ENOENT, "the node went with the card (%s)",
		       strerror(gone));
	}
	tap_ok(sys_write(bind, bdf) == 0, "bind %s again", bdf);
	fresh = dev_open(id);
	tap_ok(fresh >= 0 && seq_of(fresh),
	       "the card back: a new open of /dev/oio%d answers", id);
	tap_ok(tread(fd, 0, BUF_SIZE, buf) == -ENODEV,
	       "the file opened on the card before stays ENODEV, not the new card's");
	close(fd);

	/* two processes on one file while the card is unbound and bound */
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			hammer(fresh, 2, i);
	}
	for (i = 0; i < 3; i++) {
		sleep_us(200000);
		bad |= sys_write(unbind, bdf) || sys_write(bind, bdf);
	}
	for (i = 0; i < 2; i++)
		if (pid[i] > 0)
			waitpid(pid[i], &st[i], 0);
	tap_ok(!bad && st[0] == 0 && st[1] == 0,
	       "calls racing three unbinds: each answered or ENODEV");
	close(fresh);
	fresh = dev_open(id);
	tap_ok(fresh >= 0 && seq_of(fresh), "the node answers after the race");

	tap_ok(system("rmmod oio 2>/dev/null") != 0,
	       "rmmod refused while /dev/oio%d is open", id);
	close(fresh);
}

int main(void)
{
	char bdf[64] = "", path[64], link[256];
	int ids[8], n = 0, last;
	struct dirent *e;
	ssize_t k;
	DIR *d;

	buf = malloc(BUF_SIZE);
	if (system("insmod /lib/modules/oio.ko"))
		tap_bail("insmod failed");
	if (nlraw_open(&nl))
		tap_bail("no oio family");
	d = opendir("/sys/class/oio");
	while (d && (e = readdir(d)) && n < 8)
		if (!strncmp(e->d_name, "oio", 3))
			ids[n++] = atoi(e->d_name + 3);
	if (d)
		closedir(d);
	if (!n)
		tap_bail("no card");
	last = ids[0];
	for (k = 1; k < n; k++)
		if (ids[k] > last)
			last = ids[k];
	snprintf(path, sizeof(path), "/sys/class/oio/oio%d/device", last);
	k = readlink(path, link, sizeof(link) - 1);
	if (k > 0) {
		link[k] = 0;
		snprintf(bdf, sizeof(bdf), "%s", strrchr(link, '/') + 1);
	}

	test_nodes(ids, n);
	test_reply(ids[0]);
	test_refusals(ids[0]);
	test_freshness(ids[0]);
	test_lifetime(last, bdf);
	nlraw_close(&nl);
	tap_ok(!system("rmmod oio"), "rmmod once every file is closed");
	tap_ok(access("/dev/oio0", F_OK) && errno == ENOENT,
	       "no node is left after rmmod");
	return tap_done();
}
