// SPDX-License-Identifier: GPL-2.0-only
/*
 * poll() on oio's sysfs files wakes when the card says something changed,
 * with no polling in the driver: a lane's state file on each transition,
 * two rings' files when their heaters are written back to back, a laser's
 * alarms file when a flag latches, the card's interlock file when the
 * interlock opens. Loads oio.ko itself.
 */
#define _GNU_SOURCE
#include "oiotest.h"
#include "vmctl.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CARD "/sys/class/oio/oio0/"

/* Arm a sysfs poll: a file must be read once before poll() waits. */
static int watch(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && pread(fd, buf, sizeof(buf), 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool woke(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI | POLLERR };

	return poll(&p, 1, ms) == 1 && (p.revents & (POLLPRI | POLLERR));
}

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -1 : 0;
}

static char qom[64];

static void find_qom(void)
{
	char out[64], path[64], serial[32] = "";
	int i, fd = open(CARD "serial", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, serial, sizeof(serial) - 1) < 0)
			serial[0] = 0;
		close(fd);
	}
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/machine/peripheral/oio%d", i);
		if (!vm_qom_get(path, "serial", out, sizeof(out)) &&
		    atoi(out) == atoi(serial))
			snprintf(qom, sizeof(qom), "%s", path);
	}
}

int main(void)
{
	int fd;

	tap_ok(system("insmod /lib/modules/oio.ko") == 0, "insmod");
	find_qom();

	fd = watch(CARD "lane3/state");
	tap_ok(fd >= 0 && !woke(fd, 200), "lane state: quiet while nothing happens");
	put(CARD "lane3/state", "initialize");
	tap_ok(woke(fd, 2000), "lane state: wakes when the lane starts to initialise");
	/*
	 * Its laser is dark, so 100 us later the lane falls back on its own;
	 * that second wake-up may be consumed by the re-read that re-arms
	 * the poll, so check where the lane ended up instead.
	 */
	usleep(20000);
	{
		char st[32] = "", why[32] = "";
		int s = open(CARD "lane3/state", O_RDONLY);
		int r = open(CARD "lane3/reason", O_RDONLY);

		if (s < 0 || r < 0 || read(s, st, sizeof(st) - 1) < 0 ||
		    read(r, why, sizeof(why) - 1) < 0)
			st[0] = 0;
		if (s >= 0)
			close(s);
		if (r >= 0)
			close(r);
		tap_ok(!strcmp(st, "deactivated\n") && !strcmp(why, "laser-dark\n"),
		       "lane state: fell back by itself, laser-dark");
	}
	close(fd);

	/*
	 * The driver gathers wakeups for a few milliseconds: two rings
	 * written back to back share one, and neither ring's is lost.
	 */
	fd = watch(CARD "ring5/lock_state");
	tap_ok(fd >= 0 && !woke(fd, 200), "ring lock_state: quiet while nothing happens");
	{
		int fd6 = watch(CARD "ring6/heater");

		tap_ok(fd6 >= 0 && !put(CARD "ring5/heater", "1000") &&
		       !put(CARD "ring6/heater", "1200"),
		       "rings 5 and 6: heaters written back to back");
		tap_ok(woke(fd, 2000), "ring5 lock_state: wakes when the ring's heater is written");
		tap_ok(woke(fd6, 2000), "ring6 heater: wakes too, its news not lost to ring 5's");
		if (fd6 >= 0)
			close(fd6);
	}
	close(fd);

	fd = watch(CARD "laser1/alarms");
	vm_qom_set(qom, "laser-fail-mask", "2");
	tap_ok(woke(fd, 2000), "laser alarms: wake when a line fails");
	close(fd);
	vm_qom_set(qom, "laser-fail-mask", "0");

	fd = watch(CARD "interlock");
	vm_qom_set(qom, "interlock", "false");
	tap_ok(woke(fd, 2000), "interlock: wakes when it opens");
	close(fd);
	vm_qom_set(qom, "interlock", "true");

	tap_ok(system("rmmod oio") == 0, "rmmod");
	return tap_done();
}
