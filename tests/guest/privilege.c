// SPDX-License-Identifier: GPL-2.0-only
/*
 * An unprivileged user (uid and gid 65534, no capabilities) against
 * oio.ko: reads what the ABI says any user may read - every sysfs file
 * that is 0444 or 0644, every get and dump, telemetry, the monitor's
 * events - and changes nothing: every set and sweep is refused with
 * EPERM, every write to sysfs with EACCES, debugfs is closed, and
 * telemetry requests cannot make the card write blocks faster than one
 * per 100 ms. The card's settable state and its DMA counter are compared
 * before and after. Loads oio.ko itself.
 */
#define _GNU_SOURCE
#include "nlraw.h"
#include "oiotest.h"
#include "vmctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"

#define C "/sys/class/oio/oio0/"

/* Results go back to the parent, which prints them. */
struct result {
	int reads_ok, reads, writes_refused, writes;
	int gets_ok, gets, sets_refused, sets;
	int telem_ok, telem;
	int debugfs_closed;
	char why[256];
};

static void note(struct result *r, const char *what, int err)
{
	if (!r->why[0])
		snprintf(r->why, sizeof(r->why), "%s: %d", what, err);
}

static void try_files(struct result *r)
{
	static const char *const readable[] = {
		"serial", "temp_millicelsius", "interlock", "armed", "alarms",
		"health", "laser0/power_uw", "laser0/enable", "lane0/state",
		"lane0/prbs_bits", "lane0/ber", "ring0/heater", "ring0/lock_state",
		"port0/line_shift", "laser_refused",
	};
	static const char *const writable[] = {
		"armed", "interlock_opened", "alarms", "laser0/enable",
		"laser0/bias_set_ua", "lane0/state", "lane0/prbs_clear",
		"ring0/heater", "ring0/lock", "port0/line_shift",
	};
	unsigned int i;
	char buf[64];

	for (i = 0; i < sizeof(readable) / sizeof(readable[0]); i++) {
		char p[128];
		int fd, n;

		snprintf(p, sizeof(p), C "%s", readable[i]);
		fd = open(p, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		r->reads++;
		/* ber before any bit counted says ENODATA: still readable */
		if (n > 0 || (n < 0 && errno == ENODATA))
			r->reads_ok++;
		else
			note(r, p, errno);
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < sizeof(writable) / sizeof(writable[0]); i++) {
		char p[128];
		int fd;

		snprintf(p, sizeof(p), C "%s", writable[i]);
		fd = open(p, O_WRONLY);
		r->writes++;
		if (fd < 0 && errno == EACCES)
			r->writes_refused++;
		else
			note(r, p, fd < 0 ? errno : 0);
		if (fd >= 0) {
			if (write(fd, "1", 1) < 0)
				note(r, p, errno);
			close(fd);
		}
	}
	r->debugfs_closed = access("/sys/kernel/debug/oio", R_OK) < 0;
}

static void try_netlink(struct result *r)
{
	static const int gets[] = {
		OIO_CMD_CARD_GET, OIO_CMD_PORT_GET, OIO_CMD_LASER_GET,
		OIO_CMD_LANE_GET, OIO_CMD_RING_GET,
	};
	static const struct {
		int cmd, index_attr, attr, width;
		uint32_t v;
	} sets[] = {
		{ OIO_CMD_CARD_SET, 0, OIO_A_CARD_ARMED, 1, 1 },
		{ OIO_CMD_CARD_SET, 0, OIO_A_CARD_ALARMS, 4, 1 },
		{ OIO_CMD_CARD_SET, 0, OIO_A_CARD_INTERLOCK_OPENED, 1, 0 },
		{ OIO_CMD_PORT_SET, OIO_A_PORT_PORT, OIO_A_PORT_LINE_SHIFT, 4, 1 },
		{ OIO_CMD_LASER_SET, OIO_A_LASER_LINE, OIO_A_LASER_BIAS_SET, 4, 70000 },
		{ OIO_CMD_LASER_SET, OIO_A_LASER_LINE, OIO_A_LASER_ENABLE, 1, 1 },
		{ OIO_CMD_LANE_SET, OIO_A_LANE_LANE, OIO_A_LANE_REQUEST, 4, 2 },
		{ OIO_CMD_LANE_SET, OIO_A_LANE_LANE, OIO_A_LANE_PRBS_GENERATOR, 1, 1 },
		{ OIO_CMD_RING_SET, OIO_A_RING_RING, OIO_A_RING_HEATER, 4, 100 },
		{ OIO_CMD_RING_SET, OIO_A_RING_RING, OIO_A_RING_LOCK, 1, 1 },
	};
	struct nlreply rep;
	struct nlraw nl, mon;
	struct nlreq q;
	unsigned int i;

	nlreply_init(&rep);
	if (nlraw_open(&nl) || nlraw_open(&mon) || nlraw_subscribe(&mon)) {
		note(r, "netlink open or subscribe", errno);
		return;
	}
	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		nlraw_req(&nl, &q, gets[i], NLM_F_DUMP);
		nlraw_xfer(&nl, &q, &rep);
		r->gets++;
		if (!rep.err && rep.count > 0)
			r->gets_ok++;
		else
			note(r, "dump", rep.err);
	}
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		nlraw_req(&nl, &q, sets[i].cmd, 0);
		nlraw_put_u32(&q, 1, 0);
		if (sets[i].index_attr)
			nlraw_put_u32(&q, sets[i].index_attr, 0);
		if (sets[i].width == 1)
			nlraw_put_u8(&q, sets[i].attr, sets[i].v);
		else
			nlraw_put_u32(&q, sets[i].attr, sets[i].v);
		nlraw_xfer(&nl, &q, &rep);
		r->sets++;
		if (rep.err == -EPERM)
			r->sets_refused++;
		else
			note(r, "set", rep.err);
	}
	nlraw_req(&nl, &q, OIO_CMD_SWEEP_RUN, 0);
	nlraw_put_u32(&q, OIO_A_SWEEP_CARD_ID, 0);
	nlraw_put_u32(&q, OIO_A_SWEEP_FIRST_RING, 0);
	nlraw_put_u32(&q, OIO_A_SWEEP_RING_COUNT, 1);
	nlraw_put_u32(&q, OIO_A_SWEEP_START, 0);
	nlraw_put_u32(&q, OIO_A_SWEEP_STOP, 10);
	nlraw_put_u32(&q, OIO_A_SWEEP_STEP, 1);
	nlraw_put_u32(&q, OIO_A_SWEEP_DWELL, 100);
	nlraw_xfer(&nl, &q, &rep);
	r->sets++;
	if (rep.err == -EPERM)
		r->sets_refused++;
	else
		note(r, "sweep", rep.err);
	/* telemetry back to back: the cached block, no DMA per request */
	for (i = 0; i < 50; i++) {
		nlraw_req(&nl, &q, OIO_CMD_TELEMETRY_GET, 0);
		nlraw_put_u32(&q, OIO_A_TELEMETRY_CARD_ID, 0);
		nlraw_xfer(&nl, &q, &rep);
		r->telem++;
		if (!rep.err && rep.tb[OIO_A_TELEMETRY_SEQ])
			r->telem_ok++;
		else
			note(r, "telemetry", rep.err);
	}
	nlreply_free(&rep);
}

int main(void)
{
	struct result *r = calloc(1, sizeof(*r));
	char before[64] = "", after[64] = "", qom[64] = "", out[64];
	long long dma0, dma1;
	uint64_t t0, t1;
	int p[2], st, i;
	pid_t kid;

	if (!r || system("insmod /lib/modules/oio.ko") || pipe(p))
		tap_bail("insmod failed");
	for (i = 0; i < 8 && !qom[0]; i++) {
		char q[64], serial[32] = "";
		FILE *f = fopen(C "serial", "r");

		vm_card_qom(i, q, sizeof(q));
		if (f) {
			if (!fgets(serial, sizeof(serial), f))
				serial[0] = 0;
			fclose(f);
		}
		serial[strcspn(serial, "\n")] = 0;
		if (!vm_qom_get(q, "serial", out, sizeof(out)) &&
		    !strcmp(out, serial))
			snprintf(qom, sizeof(qom), "%s", q);
	}
	if (system("for f in " C "armed " C "laser0/bias_set_ua " C
		   "ring0/heater " C "port0/line_shift; do cat $f; done > "
		   "/tmp/priv.before"))
		tap_bail("cannot read the card");
	vm_qom_get(qom, "dma-bytes", out, sizeof(out));
	dma0 = atoll(out);
	t0 = now_us();
	kid = fork();
	if (kid == 0) {
		close(p[0]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		try_files(r);
		try_netlink(r);
		if (write(p[1], r, sizeof(*r)) != sizeof(*r))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r))
		tap_bail("the unprivileged child failed");
	waitpid(kid, &st, 0);
	t1 = now_us();
	vm_qom_get(qom, "dma-bytes", out, sizeof(out));
	dma1 = atoll(out);
	if (system("for f in " C "armed " C "laser0/bias_set_ua " C
		   "ring0/heater " C "port0/line_shift; do cat $f; done > "
		   "/tmp/priv.after"))
		tap_bail("cannot read the card");
	{
		FILE *a = fopen("/tmp/priv.before", "r");
		FILE *b = fopen("/tmp/priv.after", "r");

		if (a && fread(before, 1, sizeof(before) - 1, a) == 0)
			before[0] = 0;
		if (b && fread(after, 1, sizeof(after) - 1, b) == 0)
			after[0] = 0;
		if (a)
			fclose(a);
		if (b)
			fclose(b);
	}

	tap_ok(r->reads_ok == r->reads, "unprivileged: %d/%d sysfs files read",
	       r->reads_ok, r->reads);
	tap_ok(r->writes_refused == r->writes, "unprivileged: %d/%d sysfs "
	       "writes refused with EACCES", r->writes_refused, r->writes);
	tap_ok(r->debugfs_closed, "unprivileged: debugfs closed");
	tap_ok(r->gets_ok == r->gets, "unprivileged: %d/%d dumps answered",
	       r->gets_ok, r->gets);
	tap_ok(r->sets_refused == r->sets, "unprivileged: %d/%d sets and "
	       "sweeps refused with EPERM", r->sets_refused, r->sets);
	tap_ok(r->telem_ok == r->telem, "unprivileged: %d/%d telemetry "
	       "requests answered", r->telem_ok, r->telem);
	/* at most one block per 100 ms, one more for the first */
	{
		long long blocks = (dma1 - dma0) / 4416;
		long long most = (long long)((t1 - t0) / 100000) + 2;

		tap_ok(blocks <= most, "unprivileged: telemetry made the card "
		       "write %lld blocks in %.2f s (at most %lld)", blocks,
		       (t1 - t0) / 1e6, most);
	}
	tap_ok(!strcmp(before, after), "unprivileged: nothing changed");
	if (r->why[0])
		tap_diag("first surprise: %s", r->why);
	tap_ok(!system("rmmod oio"), "rmmod");
	free(r);
	return tap_done();
}
