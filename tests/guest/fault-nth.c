// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failures, one at a time, in each step of oio.ko's probe and in each
 * allocation of each of its netlink operations. Probe: the driver's
 * "probe_step" fault knob fails its Nth step that can fail (an allocation,
 * a registration) with -ENOMEM, for N = 1, 2, ... until probe completes
 * without reaching N; failing every kernel allocation of probe instead
 * would mean thousands of rounds, most inside the core's sysfs and IRQ
 * code. Netlink: the kernel's fail-nth (Documentation/fault-injection)
 * fails the Nth allocation of one request the same way. Every failure
 * must unwind cleanly (the debug kernel's checkers watch) and leave the
 * card as it was; every call must end in success or an errno.
 *
 * Probe is driven by writing the first card's address to the driver's
 * bind file while another process opens and closes the card's interlock,
 * so alarms latch during probe and its unwinding; then every netlink
 * operation runs on that card. Loads oio.ko if it is not loaded.
 *
 * Prints TAP and "# reliability: faults F/T" (F calls that failed cleanly
 * out of T injected). Needs failslab and fail_page_alloc in debugfs.
 */
#define _GNU_SOURCE
#include "nlraw.h"
#include "oiotest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"

#define MAX_NTH 3000

static int fail_fd = -1;
static bool nth_ok;
static unsigned int injected, clean;

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int setup(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/debug/failslab",
		"/sys/kernel/debug/fail_page_alloc",
	};
	char p[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/ignore-gfp-wait", dirs[i]);
		if (put(p, "N"))
			return 0;
		snprintf(p, sizeof(p), "%s/verbose", dirs[i]);
		put(p, "0");
		snprintf(p, sizeof(p), "%s/probability", dirs[i]);
		put(p, "0");
	}
	put("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	put("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	nth_ok = fail_fd >= 0;
	return 0;
}

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_fd, buf, len, 0) != len)
		tap_bail("fail-nth: %s", strerror(errno));
}

/* True if the armed failure was injected (the counter ran out). */
static bool fired(void)
{
	char buf[16] = "";

	if (pread(fail_fd, buf, sizeof(buf) - 1, 0) < 0)
		return false;
	if (atoi(buf)) {
		arm(0);
		return false;
	}
	return true;
}

static bool bound(const char *bdf)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof(p), "/sys/bus/pci/drivers/oio/%s", bdf);
	return !stat(p, &st);
}

static int do_bind(const char *bdf)
{
	const char *knob = "/sys/kernel/debug/oio/fault/probe_step";
	unsigned int n, bad = 0, fails = 0;
	char num[16];

	put("/sys/bus/pci/drivers/oio/unbind", bdf);
	for (n = 1; n <= 200; n++) {
		int err;

		snprintf(num, sizeof(num), "%u", n);
		if (put(knob, num))
			tap_bail("no %s", knob);
		err = put("/sys/bus/pci/drivers/oio/bind", bdf);
		if (!err && bound(bdf))
			break;
		injected++;
		fails++;
		if (err && !bound(bdf)) {
			clean++;
		} else {
			bad++;
			tap_diag("probe step %u: bind %d, bound %d", n, err,
				 bound(bdf));
		}
	}
	put(knob, "0");
	if (!bound(bdf))
		put("/sys/bus/pci/drivers/oio/bind", bdf);
	tap_ok(!bad && n <= 200 && fails > 0, "probe: each of its %u steps "
	       "that can fail, failed in turn with alarms firing: bind fails, "
	       "nothing stays bound", fails);
	tap_ok(bound(bdf), "probe completes once no step fails");
	return 0;
}

struct op {
	const char *name;
	int cmd;
	int flags;
	int attrs[4];		/* attribute numbers, 0-terminated */
	uint32_t vals[4];
	int width[4];		/* 1 or 4 */
};

static int do_netlink(uint32_t card)
{
	/* card id goes in as attribute 1 of every set, then the rest */
	static const struct op ops[] = {
		{ "card-get", OIO_CMD_CARD_GET, 0, { 0 }, { 0 }, { 0 } },
		{ "card dump", OIO_CMD_CARD_GET, NLM_F_DUMP, { 0 }, { 0 }, { 0 } },
		{ "laser dump", OIO_CMD_LASER_GET, NLM_F_DUMP, { 0 }, { 0 }, { 0 } },
		{ "lane dump", OIO_CMD_LANE_GET, NLM_F_DUMP, { 0 }, { 0 }, { 0 } },
		{ "ring dump", OIO_CMD_RING_GET, NLM_F_DUMP, { 0 }, { 0 }, { 0 } },
		{ "port dump", OIO_CMD_PORT_GET, NLM_F_DUMP, { 0 }, { 0 }, { 0 } },
		{ "telemetry-get", OIO_CMD_TELEMETRY_GET, 0, { 0 }, { 0 }, { 0 } },
		/* objects every card has, the smallest (1 x 2 lanes) too */
		{ "laser-set", OIO_CMD_LASER_SET, 0,
		  { OIO_A_LASER_LINE, OIO_A_LASER_BIAS_SET }, { 1, 75000 },
		  { 4, 4 } },
		{ "lane-set", OIO_CMD_LANE_SET, 0,
		  { OIO_A_LANE_LANE, OIO_A_LANE_PRBS_GENERATOR }, { 1, 1 },
		  { 4, 1 } },
		{ "ring-set", OIO_CMD_RING_SET, 0,
		  { OIO_A_RING_RING, OIO_A_RING_HEATER }, { 3, 777 }, { 4, 4 } },
		{ "port-set", OIO_CMD_PORT_SET, 0,
		  { OIO_A_PORT_PORT, OIO_A_PORT_LINE_SHIFT }, { 0, 1 },
		  { 4, 4 } },
		{ "card-set", OIO_CMD_CARD_SET, 0, { OIO_A_CARD_ALARMS }, { 0 },
		  { 4 } },
		{ "sweep-run", OIO_CMD_SWEEP_RUN, 0,
		  { OIO_A_SWEEP_RING_COUNT, OIO_A_SWEEP_STOP, OIO_A_SWEEP_STEP,
		    OIO_A_SWEEP_DWELL }, { 2, 100, 10, 100 }, { 4, 4, 4, 4 } },
	};
	struct nlraw nl, mon;
	struct nlreply rep;
	unsigned int i, n, k, bad = 0;

	if (nlraw_open(&nl) || nlraw_open(&mon) || nlraw_subscribe(&mon))
		tap_bail("no oio family");
	nlreply_init(&rep);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *o = &ops[i];
		unsigned int inj = 0;

		for (n = 1; n <= MAX_NTH; n++) {
			struct nlreq r;
			bool f;

			nlraw_req(&nl, &r, o->cmd, o->flags);
			nlraw_put_u32(&r, 1, card);
			if (o->cmd == OIO_CMD_SWEEP_RUN) {
				nlraw_put_u32(&r, OIO_A_SWEEP_FIRST_RING, 0);
				nlraw_put_u32(&r, OIO_A_SWEEP_START, 0);
			}
			for (k = 0; k < 4 && o->attrs[k]; k++) {
				if (o->width[k] == 1)
					nlraw_put_u8(&r, o->attrs[k], o->vals[k]);
				else
					nlraw_put_u32(&r, o->attrs[k], o->vals[k]);
			}
			arm(n);
			nlraw_xfer(&nl, &r, &rep);
			f = fired();
			/* events of the successful ones: keep the queue short */
			while (nlraw_event(&mon, rep.first, 0) > 0)
				;
			if (!f)
				break;
			inj++;
			/* any outcome but a hang or a splat: an errno or done */
			if (rep.err > 0 || rep.err < -4095) {
				bad++;
				tap_diag("%s, allocation %u: %d", o->name, n,
					 rep.err);
			}
		}
		injected += inj;
		clean += inj;
		tap_ok(n <= MAX_NTH, "%s: %u allocations failed in turn, each "
		       "answered", o->name, inj);
	}
	clean -= bad;
	nlreply_free(&rep);
	nlraw_close(&nl);
	nlraw_close(&mon);
	return 0;
}

#include <signal.h>
#include <sys/wait.h>

#include "vmctl.h"

/* The first card: its PCI address, its id and its QOM path. */
static int first_card(char *bdf, size_t len, uint32_t *id, char *qom,
		      size_t qlen)
{
	struct oio_card cards[OIOT_MAX_CARDS];
	char path[160], link[256];
	ssize_t k;
	int n = oiot_cards(cards, OIOT_MAX_CARDS), i;

	if (n < 1)
		return -1;
	snprintf(bdf, len, "%s", cards[0].bdf);
	snprintf(qom, qlen, "%s", cards[0].qom);
	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/sys/class/oio/oio%d/device", i);
		k = readlink(path, link, sizeof(link) - 1);
		if (k > 0) {
			link[k] = 0;
			if (!strcmp(strrchr(link, '/') + 1, bdf)) {
				*id = i;
				return 0;
			}
		}
	}
	return -1;
}

int main(void)
{
	char bdf[32], qom[64];
	uint32_t id;
	pid_t kid;

	if (access("/sys/module/oio", F_OK) &&
	    system("insmod /lib/modules/oio.ko"))
		tap_bail("insmod failed");
	setup();
	if (first_card(bdf, sizeof(bdf), &id, qom, sizeof(qom)))
		tap_bail("no card bound to oio");
	kid = fork();
	if (kid == 0) {
		for (;;) {
			vm_qom_set(qom, "interlock", "false");
			vm_qom_set(qom, "interlock", "true");
		}
	}
	do_bind(bdf);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	vm_qom_set(qom, "interlock", "true");
	if (first_card(bdf, sizeof(bdf), &id, qom, sizeof(qom)))
		tap_bail("the card did not come back");
	if (nth_ok)
		do_netlink(id);
	else
		tap_diag("no fail-nth (a kernel without fault injection): "
			 "netlink allocations not failed");
	printf("# reliability: faults %u/%u\n", clean, injected);
	tap_ok(!system("rmmod oio"), "rmmod after the faults");
	return tap_done();
}
