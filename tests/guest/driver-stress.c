// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio.ko under concurrent load, each part bounded in time or count:
 *
 *  - readers and writers of every sysfs file of every card, netlink
 *    clients doing every operation on every card and a monitor, all at
 *    once (OIO_STRESS_SECS, 15 s);
 *  - one worker of each kind while one card is unbound and bound again
 *    (OIO_REBINDS times, 100);
 *  - rmmod while a dump loops and a monitor listens;
 *  - hot removal (device_del) of a card during a long sweep and during
 *    `oioctl link up`, then device_add of a new card on the same root
 *    port (OIO_UNPLUGS rounds, 4; each round unplugs twice).
 *
 * Every request must end, in success or an errno the ABI documents;
 * nothing may hang (workers are given their time plus a grace, then the
 * check fails); the kernel must stay quiet (the harness checks). Prints
 * "# reliability: rebinds N" and "# reliability: unplugs N".
 *
 * Needs ACPI hot-plug (the harness's default, not --pciehp) and oio.ko
 * in /lib/modules. Environment: OIO_CARDS (from the harness).
 */
#define _GNU_SOURCE
#include "nlraw.h"
#include "oiotest.h"
#include "vmctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"

#define MAX_WORKERS 16
/*
 * The stress suite's cards are 1 port x 2 wavelengths (tests/check.sh):
 * cheap to probe on the debug kernel; new cards plugged in get the same.
 */
#define PROPS ",\"ports\":1,\"wavelengths\":2"

/* Counters shared by the workers (one mmap'd page). */
struct tally {
	long ops;
	long bad;		/* an outcome the ABI does not allow */
	char why[256];
};

static struct tally *tally;
static unsigned int seed = 1;

static unsigned int rnd(unsigned int n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static void note_bad(const char *fmt, const char *a, int err)
{
	__atomic_add_fetch(&tally->bad, 1, __ATOMIC_RELAXED);
	snprintf(tally->why, sizeof(tally->why), fmt, a, err);
}

/* Errnos a request may end with while the cards are busy or leaving. */
static bool allowed(int err)
{
	switch (err) {
	case 0:
	case -EBUSY:
	case -EAGAIN:	/* a PCI reset under way */
	case -EPERM:
	case -EIO:
	case -ENODEV:
	case -ENOENT:
	case -ERANGE:
	case -EINVAL:
	case -ETIMEDOUT:
	case -ENODATA:
	case -EINTR:
	case -EOPNOTSUPP:
	case -ENOSPC:
	case -EPROTONOSUPPORT:	/* the family went away (rmmod) */
		return true;
	default:
		return false;
	}
}

/* ---- sysfs ---- */

static int card_dirs(char dirs[][64], int max)
{
	DIR *d = opendir("/sys/class/oio");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max)
		if (!strncmp(e->d_name, "oio", 3))
			snprintf(dirs[n++], 64, "/sys/class/oio/oio%d",
				 atoi(e->d_name + 3));
	if (d)
		closedir(d);
	return n;
}

static void read_file(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return;	/* gone with its card */
	r = read(fd, buf, sizeof(buf));
	if (r < 0 && !allowed(-errno))
		note_bad("read %s: %d", path, errno);
	close(fd);
	__atomic_add_fetch(&tally->ops, 1, __ATOMIC_RELAXED);
}

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0 && !allowed(-errno))
		note_bad("write %s: %d", path, errno);
	close(fd);
	__atomic_add_fetch(&tally->ops, 1, __ATOMIC_RELAXED);
}

static void sysfs_reader(void)
{
	static const char *const obj[] = { "", "port0/", "laser1/", "lane5/",
					   "ring9/", "laser0/", "lane1/", "ring3/" };
	static const char *const files[] = {
		"serial", "temp_millicelsius", "interlock", "armed", "alarms",
		"health", "line_shift", "enable", "bias_ua", "power_uw",
		"status", "state", "reason", "prbs_bits", "ber", "heater",
		"monitor_na", "lock_state", "at_limit", "laser_refused",
	};
	char dirs[8][64], path[160];
	int n = card_dirs(dirs, 8);

	if (!n)
		return;
	snprintf(path, sizeof(path), "%s/%s%s", dirs[rnd(n)],
		 obj[rnd(8)], files[rnd(sizeof(files) / sizeof(files[0]))]);
	read_file(path);
}

/* The card's geometry, from its files; 1 if it went away meanwhile. */
static unsigned int geom(const char *dir, const char *file)
{
	char path[160], buf[16] = "";
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	return n > 0 && atoi(buf) > 0 ? (unsigned int)atoi(buf) : 1;
}

static void sysfs_writer(void)
{
	char dirs[8][64], path[160], val[32];
	int n = card_dirs(dirs, 8);
	unsigned int w, lanes, rings, ports;
	const char *d;

	if (!n)
		return;
	d = dirs[rnd(n)];
	w = geom(d, "wavelengths");
	ports = geom(d, "ports");
	lanes = w * ports;
	rings = 2 * lanes;
	switch (rnd(10)) {
	case 0:
		snprintf(path, sizeof(path), "%s/armed", d);
		write_file(path, rnd(2) ? "1" : "0");
		break;
	case 1:
		snprintf(path, sizeof(path), "%s/laser%u/enable", d, rnd(w));
		write_file(path, rnd(2) ? "1" : "0");
		break;
	case 2:
		snprintf(path, sizeof(path), "%s/laser%u/bias_set_ua", d, rnd(w));
		snprintf(val, sizeof(val), "%u", 60000 + rnd(40000));
		write_file(path, val);
		break;
	case 3:
		snprintf(path, sizeof(path), "%s/lane%u/state", d, rnd(lanes));
		write_file(path, rnd(2) ? "initialize" : "deactivate");
		break;
	case 4:
		snprintf(path, sizeof(path), "%s/lane%u/prbs_generator", d,
			 rnd(lanes));
		write_file(path, rnd(2) ? "1" : "0");
		break;
	case 5:
		snprintf(path, sizeof(path), "%s/ring%u/heater", d, rnd(rings));
		snprintf(val, sizeof(val), "%u", rnd(4096));
		write_file(path, val);
		break;
	case 6:
		snprintf(path, sizeof(path), "%s/ring%u/lock", d, rnd(rings));
		write_file(path, rnd(2) ? "1" : "0");
		break;
	case 7:
		snprintf(path, sizeof(path), "%s/port%u/line_shift", d, rnd(ports));
		snprintf(val, sizeof(val), "%u", rnd(w));
		write_file(path, val);
		break;
	case 8:
		snprintf(path, sizeof(path), "%s/laser%u/alarms", d, rnd(w));
		write_file(path, "0x7f");
		break;
	default:
		snprintf(path, sizeof(path), "%s/interlock_opened", d);
		write_file(path, "0");
		break;
	}
}

/* ---- netlink ---- */

static void nl_request(struct nlraw *nl, struct nlreply *rep,
		       unsigned int cards)
{
	uint32_t card = rnd(cards + 1);	/* one past the last: ENODEV */
	struct nlreq r;

	switch (rnd(9)) {
	case 0:
		nlraw_req(nl, &r, OIO_CMD_CARD_GET, NLM_F_DUMP);
		break;
	case 1:
		nlraw_req(nl, &r, OIO_CMD_RING_GET, NLM_F_DUMP);
		nlraw_put_u32(&r, OIO_A_RING_CARD_ID, card);
		break;
	case 2:
		nlraw_req(nl, &r, OIO_CMD_TELEMETRY_GET, 0);
		nlraw_put_u32(&r, OIO_A_TELEMETRY_CARD_ID, card);
		break;
	case 3:
		nlraw_req(nl, &r, OIO_CMD_LANE_GET, 0);
		nlraw_put_u32(&r, OIO_A_LANE_CARD_ID, card);
		nlraw_put_u32(&r, OIO_A_LANE_LANE, rnd(64));
		break;
	case 4:
		nlraw_req(nl, &r, OIO_CMD_LASER_SET, 0);
		nlraw_put_u32(&r, OIO_A_LASER_CARD_ID, card);
		nlraw_put_u32(&r, OIO_A_LASER_LINE, rnd(8));
		nlraw_put_u32(&r, OIO_A_LASER_BIAS_SET, 60000 + rnd(40000));
		if (rnd(2))
			nlraw_put_u8(&r, OIO_A_LASER_ENABLE, rnd(2));
		break;
	case 5:
		nlraw_req(nl, &r, OIO_CMD_RING_SET, 0);
		nlraw_put_u32(&r, OIO_A_RING_CARD_ID, card);
		nlraw_put_u32(&r, OIO_A_RING_RING, rnd(128));
		nlraw_put_u32(&r, OIO_A_RING_HEATER, rnd(4096));
		break;
	case 6:
		nlraw_req(nl, &r, OIO_CMD_SWEEP_RUN, 0);
		nlraw_put_u32(&r, OIO_A_SWEEP_CARD_ID, card);
		nlraw_put_u32(&r, OIO_A_SWEEP_FIRST_RING, rnd(120));
		nlraw_put_u32(&r, OIO_A_SWEEP_RING_COUNT, 1 + rnd(8));
		nlraw_put_u32(&r, OIO_A_SWEEP_START, 0);
		nlraw_put_u32(&r, OIO_A_SWEEP_STOP, 4000);
		nlraw_put_u32(&r, OIO_A_SWEEP_STEP, 40);
		nlraw_put_u32(&r, OIO_A_SWEEP_DWELL, 1000);
		break;
	case 7:
		nlraw_req(nl, &r, OIO_CMD_CARD_SET, 0);
		nlraw_put_u32(&r, OIO_A_CARD_ID, card);
		nlraw_put_u8(&r, OIO_A_CARD_ARMED, rnd(2));
		break;
	default:
		nlraw_req(nl, &r, OIO_CMD_LANE_SET, 0);
		nlraw_put_u32(&r, OIO_A_LANE_CARD_ID, card);
		nlraw_put_u32(&r, OIO_A_LANE_LANE, rnd(64));
		nlraw_put_u32(&r, OIO_A_LANE_REQUEST, 1 + rnd(3));
		break;
	}
	nlraw_xfer(nl, &r, rep);
	if (!allowed(rep->err))
		note_bad("netlink %s: %d", "request", rep->err);
	__atomic_add_fetch(&tally->ops, 1, __ATOMIC_RELAXED);
}

enum role { SYSFS_READER, SYSFS_WRITER, NETLINK, MONITOR };

static void worker(enum role role, unsigned int id, uint64_t until,
		   unsigned int cards)
{
	struct nlraw nl = { .fd = -1 };
	struct nlreply rep = { 0 };
	char *ev = NULL;

	seed = 7919 * (id + 1);
	if (role == NETLINK || role == MONITOR) {
		/* the family may be gone (rmmod): come back when it returns */
		while (nlraw_open(&nl) && now_us() < until)
			sleep_us(20000);
		nlreply_init(&rep);
		ev = rep.first;
		if (role == MONITOR)
			nlraw_subscribe(&nl);
	}
	while (now_us() < until) {
		switch (role) {
		case SYSFS_READER:
			sysfs_reader();
			break;
		case SYSFS_WRITER:
			sysfs_writer();
			break;
		case NETLINK:
			nl_request(&nl, &rep, cards);
			if (rep.err == -ENOENT || rep.err == -EPROTONOSUPPORT) {
				/* the family went away: reopen it */
				nlraw_close(&nl);
				while (nlraw_open(&nl) && now_us() < until)
					sleep_us(20000);
			}
			break;
		case MONITOR:
			if (nlraw_event(&nl, ev, 100) < 0 && errno != ENOBUFS)
				sleep_us(1000);
			break;
		}
	}
	_exit(0);
}

struct crew {
	pid_t pid[MAX_WORKERS];
	int n;
	uint64_t until;
};

/*
 * Two workers of each busy role, or one: the guest has one CPU, which the
 * busy workers share with whatever the part itself does. One of each
 * keeps a request of every kind in flight at any instant and leaves a
 * rebind a quarter of the CPU rather than a seventh.
 */
static void crew_start(struct crew *c, unsigned int secs, unsigned int cards,
		       bool twice)
{
	static const enum role roles[] = {
		SYSFS_READER, SYSFS_WRITER, NETLINK, MONITOR,
		SYSFS_READER, SYSFS_WRITER, NETLINK,
	};
	/* the first MONITOR + 1 are one of each kind */
	unsigned int i, n = twice ? sizeof(roles) / sizeof(roles[0]) :
				   MONITOR + 1;

	c->n = 0;
	c->until = now_us() + secs * 1000000ull;
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		/* a pid of -1 would have the parts signal every process */
		if (p < 0)
			tap_bail("fork: %s", strerror(errno));
		if (p == 0)
			worker(roles[i], i, c->until, cards);
		c->pid[c->n++] = p;
	}
}

/* Workers must end by their deadline plus a grace; a hung one is a failure. */
static bool crew_wait(struct crew *c)
{
	uint64_t grace = c->until + 15000000ull;
	bool all = true;
	int i;

	for (i = 0; i < c->n; i++) {
		int st;

		while (waitpid(c->pid[i], &st, WNOHANG) == 0) {
			if (now_us() > grace) {
				kill(c->pid[i], SIGKILL);
				waitpid(c->pid[i], &st, 0);
				all = false;
				break;
			}
			sleep_us(50000);
		}
	}
	return all;
}

/* ---- helpers ---- */

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return n;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool wait_exists(const char *path, bool want, unsigned int ms)
{
	uint64_t end = now_us() + ms * 1000ull;

	while (exists(path) != want && now_us() < end)
		sleep_us(20000);
	return exists(path) == want;
}

/* ---- the parts ---- */

static void part_load(unsigned int secs, unsigned int cards)
{
	struct crew c;
	bool done;

	memset(tally, 0, sizeof(*tally));
	crew_start(&c, secs, cards, true);
	done = crew_wait(&c);
	tap_ok(done && !tally->bad, "%u s of sysfs readers and writers, "
	       "netlink clients and a monitor on %u cards: %ld operations, "
	       "%ld bad (%s)", secs, cards, tally->ops, tally->bad,
	       tally->bad ? tally->why : "none");
}

static void part_rebind(const char *bdf, unsigned int rebinds,
			unsigned int cards)
{
	char drv[128];
	unsigned int i, bad = 0;
	struct crew c;
	bool done;

	memset(tally, 0, sizeof(*tally));
	crew_start(&c, 3600, cards, false);
	snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/oio/%s", bdf);
	for (i = 0; i < rebinds; i++) {
		if (put("/sys/bus/pci/drivers/oio/unbind", bdf) || exists(drv))
			bad++;
		sleep_us(rnd(20000));
		if (put("/sys/bus/pci/drivers/oio/bind", bdf) || !exists(drv))
			bad++;
		sleep_us(rnd(50000));
	}
	/* end the load now */
	c.until = now_us();
	for (i = 0; i < (unsigned int)c.n; i++)
		kill(c.pid[i], SIGTERM);
	done = crew_wait(&c);
	tap_ok(!bad && done && !tally->bad, "%u unbind/bind cycles of %s under "
	       "load: %u failed, %ld operations, %ld bad (%s)",
	       rebinds, bdf, bad, tally->ops, tally->bad,
	       tally->bad ? tally->why : "none");
	printf("# reliability: rebinds %u\n", bad ? 0 : rebinds);
}

static void part_rmmod(unsigned int cards)
{
	struct crew c;
	int tries = 0, err = -1;
	bool done;

	memset(tally, 0, sizeof(*tally));
	crew_start(&c, 8, cards, true);
	sleep_us(1000000);
	/* A dump in progress holds the module: rmmod may say so, then work. */
	while (tries++ < 50 && (err = system("rmmod oio 2>/dev/null")))
		sleep_us(20000);
	tap_ok(!err && !exists("/sys/class/oio/oio0"), "rmmod while dumps loop "
	       "and a monitor listens (%d tries)", tries);
	sleep_us(500000);
	tap_ok(!system("insmod /lib/modules/oio.ko"), "insmod with them still "
	       "running");
	done = crew_wait(&c);
	tap_ok(done && !tally->bad, "the clients saw the family go and come "
	       "back: %ld operations, %ld bad (%s)", tally->ops, tally->bad,
	       tally->bad ? tally->why : "none");
}

static int qmp(const char *fmt, const char *a, int b)
{
	char cmd[512], reply[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return vm_qmp(cmd, reply, sizeof(reply));
}

/* Unplug card qom (on root port rpN), then plug a new card there. */
static bool unplug_replug(const char *qom_id, int port, const char *bdf)
{
	char dev[128];
	bool ok;

	snprintf(dev, sizeof(dev), "/sys/bus/pci/devices/%s", bdf);
	if (qmp("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"%s\"}}",
		qom_id, 0))
		return false;
	ok = wait_exists(dev, false, 20000);
	/* QEMU drops the device once the guest let go of it */
	sleep_us(300000);
	/* a card like the others of the suite (PROPS) */
	if (qmp("{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
		"\"oio-engine\",\"id\":\"%s\",\"bus\":\"rp%d\"" PROPS "}}",
		qom_id, port))
		return false;
	return ok && wait_exists(dev, true, 20000);
}

/* The card on root port 0 and its PCI address, from the harness's ids. */
static int card0(char *bdf, size_t len)
{
	struct oio_card cards[OIOT_MAX_CARDS];
	int n = oiot_cards(cards, OIOT_MAX_CARDS), i;

	for (i = 0; i < n; i++)
		if (!strcmp(cards[i].qom, "/machine/peripheral/oio0")) {
			snprintf(bdf, len, "%s", cards[i].bdf);
			return 0;
		}
	return -1;
}

static int card_id_of(const char *bdf)
{
	char path[160], link[256];
	int i;

	for (i = 0; i < 16; i++) {
		ssize_t k;

		snprintf(path, sizeof(path), "/sys/class/oio/oio%d/device", i);
		k = readlink(path, link, sizeof(link) - 1);
		if (k > 0) {
			link[k] = 0;
			if (!strcmp(strrchr(link, '/') + 1, bdf))
				return i;
		}
	}
	return -1;
}

/*
 * The card id of bdf once the driver has probed it: a new card's PCI
 * device shows before its oio class device does. -1 after ms.
 */
static int wait_card_id(const char *bdf, unsigned int ms)
{
	unsigned int t;
	int id;

	for (t = 0;; t += 10) {
		id = card_id_of(bdf);
		if (id >= 0 || t >= ms)
			return id;
		sleep_us(10000);
	}
}

static void part_unplug(unsigned int rounds)
{
	unsigned int i, done = 0, bad = 0;
	char bdf[32], ring0[96];

	if (card0(bdf, sizeof(bdf)))
		tap_bail("no card on root port 0");
	/*
	 * The load before this left the first card's rings as its writers
	 * did, and the card refuses to sweep a ring whose loop is on. Later
	 * rounds start on a new card.
	 */
	snprintf(ring0, sizeof(ring0), "/sys/class/oio/oio%d/ring0/lock",
		 card_id_of(bdf));
	if (put(ring0, "0"))
		tap_bail("cannot turn ring 0's loop off (%s)", ring0);
	for (i = 0; i < rounds; i++) {
		struct nlreply rep;
		struct nlraw nl;
		struct nlreq r;
		int id = wait_card_id(bdf, 5000), st;
		pid_t kid;

		/* a sweep or a link up of no card would fail for nothing */
		if (id < 0) {
			bad++;
			tap_diag("round %u: no oio card at %s", i, bdf);
			break;
		}

		/* during a long sweep: the sweep ends with ENODEV */
		kid = fork();
		if (kid == 0) {
			nlreply_init(&rep);
			if (nlraw_open(&nl))
				_exit(254);
			nlraw_req(&nl, &r, OIO_CMD_SWEEP_RUN, 0);
			nlraw_put_u32(&r, OIO_A_SWEEP_CARD_ID, id);
			nlraw_put_u32(&r, OIO_A_SWEEP_FIRST_RING, 0);
			nlraw_put_u32(&r, OIO_A_SWEEP_RING_COUNT, 1);
			nlraw_put_u32(&r, OIO_A_SWEEP_START, 0);
			nlraw_put_u32(&r, OIO_A_SWEEP_STOP, 4095);
			nlraw_put_u32(&r, OIO_A_SWEEP_STEP, 1);
			nlraw_put_u32(&r, OIO_A_SWEEP_DWELL, 1000000);
			nlraw_xfer(&nl, &r, &rep);
			/* the errno it ended with instead, for the diagnosis */
			_exit(rep.err == -ENODEV ? 0 :
			      rep.err < 0 && rep.err > -254 ? -rep.err : 255);
		}
		sleep_us(300000);
		if (unplug_replug("oio0", 0, bdf))
			done++;
		else
			bad++;
		waitpid(kid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			bad++;
			tap_diag("round %u: the sweep did not end with ENODEV "
				 "but %s", i, !WIFEXITED(st) ? "a signal" :
				 WEXITSTATUS(st) == 254 ? "no netlink socket" :
				 WEXITSTATUS(st) == 255 ? "success" :
				 strerror(WEXITSTATUS(st)));
		}

		/* during bring-up */
		id = wait_card_id(bdf, 5000);
		if (id < 0) {
			bad++;
			tap_diag("round %u: no oio card at %s", i, bdf);
			break;
		}
		kid = fork();
		if (kid == 0) {
			char card[16];

			snprintf(card, sizeof(card), "%d", id);
			execl("/usr/bin/oioctl", "oioctl", "link", "up", card,
			      (char *)NULL);
			_exit(127);
		}
		sleep_us(200000 + rnd(300000));
		if (unplug_replug("oio0", 0, bdf))
			done++;
		else
			bad++;
		waitpid(kid, &st, 0);
		/*
		 * oioctl fails cleanly (1, an error), or finished first,
		 * every lane up (0) or some down (3); 2, a usage error, or
		 * anything else is not a clean end
		 */
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 &&
				       WEXITSTATUS(st) != 1 &&
				       WEXITSTATUS(st) != 3)) {
			bad++;
			tap_diag("round %u: oioctl link up ended with %d", i, st);
		}
	}
	tap_ok(!bad, "%u hot removals, during sweeps and bring-ups, each "
	       "followed by a new card: %u bad", done, bad);
	printf("# reliability: unplugs %u\n", bad ? 0 : done);
}

/* A part's guest time, where a run's time goes; the time now back. */
static uint64_t took(const char *part, uint64_t t0)
{
	uint64_t t = now_us();

	tap_diag("%s took %.1f s", part, (double)(t - t0) / 1e6);
	return t;
}

int main(void)
{
	unsigned int cards = getenv("OIO_CARDS") ? atoi(getenv("OIO_CARDS")) : 1;
	unsigned int secs = getenv("OIO_STRESS_SECS") ?
			    atoi(getenv("OIO_STRESS_SECS")) : 15;
	unsigned int rebinds = getenv("OIO_REBINDS") ?
			       atoi(getenv("OIO_REBINDS")) : 100;
	unsigned int unplugs = getenv("OIO_UNPLUGS") ?
			       atoi(getenv("OIO_UNPLUGS")) : 4;
	uint64_t t0;
	char bdf[32];

	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		tap_bail("mmap");
	if (system("insmod /lib/modules/oio.ko"))
		tap_bail("insmod failed");
	if (card0(bdf, sizeof(bdf)))
		tap_bail("no card on root port 0");
	t0 = now_us();
	part_load(secs, cards);
	t0 = took("load", t0);
	part_rebind(bdf, rebinds, cards);
	t0 = took("rebinds", t0);
	part_rmmod(cards);
	t0 = took("rmmod", t0);
	part_unplug(unplugs);
	took("unplugs", t0);
	tap_ok(!system("rmmod oio"), "rmmod at the end");
	return tap_done();
}
