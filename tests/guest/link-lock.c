// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's writer lock, bias journal and cancel on emulated cards through
 * the real oio.ko (issue 10, hazards 1 and 2):
 *
 *  - while a bring-up runs on a card, every other writer of that card -
 *    another handle, another process - is refused with EBUSY naming the
 *    holder, another card is not, and the lock goes with the run;
 *  - a bring-up cancelled from its progress callback while its coded
 *    lines are dark returns ECANCELED with every line lit at full bias
 *    again, no lane half started and no journal left; the next one runs;
 *  - a recovery killed (SIGKILL) with its coded lines dimmed leaves its
 *    journal, and the next recovery puts the lines back at their full
 *    bias instead of taking the dimmed set point for full.
 *
 * The lock files are in /run/oio, the library's default.
 */
#define _GNU_SOURCE
#include "oiotest.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "liboio.h"

static struct oio_card cards[OIOT_MAX_CARDS];
static int ncards;
static uint32_t ids[OIOT_MAX_CARDS];
static char lock_path[128];
static struct oio_link_report rep, rep2;

static void find_ids(struct oio_ctx *ctx)
{
	struct oio_card_info *info;
	size_t n, i;
	int j;

	if (oio_card_list(ctx, &info, &n))
		tap_bail("card list failed");
	for (j = 0; j < ncards; j++) {
		ids[j] = UINT32_MAX;
		for (i = 0; i < n; i++)
			if (!strcmp(info[i].pci_address, cards[j].bdf)) {
				ids[j] = info[i].id;
				/* the slot and the serial: see cardlock-ctx.c */
				if (!j)
					snprintf(lock_path, sizeof(lock_path),
						 "/run/oio/card-%s-%u.lock",
						 cards[0].bdf,
						 info[i].serial);
			}
	}
	free(info);
}

/* The lock file's "bias" lines; -1 if there is no file. */
static int journal_lines(void)
{
	char line[128];
	FILE *f = fopen(lock_path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "bias ", 5);
	fclose(f);
	return n;
}

/* Lines lit (enabled and emitting) at bias[l], and how many are not. */
static unsigned int lines_off_full(struct oio_ctx *ctx, uint32_t id,
				   const uint32_t *bias)
{
	struct oio_laser_info *l;
	size_t n, i;
	unsigned int off = 0;

	if (oio_laser_list(ctx, id, &l, &n))
		return UINT32_MAX;
	for (i = 0; i < n; i++)
		off += !l[i].enable || !(l[i].status & OIO_LASER_EMITTING) ||
		       l[i].bias_set_ua != bias[i];
	free(l);
	return off;
}

static void note_bias(struct oio_ctx *ctx, uint32_t id, uint32_t *bias)
{
	struct oio_laser_info *l;
	size_t n, i;

	if (oio_laser_list(ctx, id, &l, &n))
		tap_bail("laser list failed");
	for (i = 0; i < n && i < OIO_MAX_WAVELENGTHS; i++)
		bias[i] = l[i].bias_set_ua;
	free(l);
}

/* ---- other writers while a bring-up runs ---- */

struct contention {
	bool done, blank;
	int up, down, recover, sweep, other, child;
	char msg[256], sweep_msg[256];
};

static const struct oio_sweep_req one_ring = {
	.first_ring = 0, .ring_count = 1, .start = 0, .stop = 10, .step = 1,
	.dwell_ns = 100,
};

static int try_sweep(struct oio_ctx *ctx, uint32_t id)
{
	struct oio_sweep *s = NULL;
	int err = oio_sweep_run(ctx, id, &one_ring, &s);

	oio_sweep_free(s);
	return err;
}

/* In a process of its own: link down on the card, refused? */
static int child_down(void)
{
	struct oio_ctx *ctx;
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(oio_ctx_new(&ctx, 0) ? 2 :
		      oio_link_down(ctx, ids[0]) == -EBUSY ? 0 : 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void contend(const char *stage, unsigned int done, unsigned int total,
		    void *arg)
{
	struct contention *c = arg;
	struct oio_ctx *ctx;

	(void)stage, (void)done, (void)total;
	if (c->done)
		return;
	c->done = true;
	if (oio_ctx_new(&ctx, 0))
		tap_bail("a second handle");
	/* what the refused run's report holds, over a caller's leftovers */
	memset(&rep2, 0xa5, sizeof(rep2));
	c->up = oio_link_up(ctx, ids[0], NULL, &rep2, NULL, NULL);
	c->blank = rep2.lanes == 0 && rep2.lanes_up == 0 &&
		   isnan(rep2.measured.fsr_pm) &&
		   isnan(rep2.measured.line_pm[0]);
	oio_ctx_errmsg(ctx, c->msg, sizeof(c->msg));
	c->down = oio_link_down(ctx, ids[0]);
	c->recover = oio_link_recover(ctx, ids[0], NULL, &rep2, NULL, NULL);
	c->sweep = try_sweep(ctx, ids[0]);
	oio_ctx_errmsg(ctx, c->sweep_msg, sizeof(c->sweep_msg));
	c->other = ncards > 1 ? try_sweep(ctx, ids[1]) : 0;
	c->child = child_down();
	oio_ctx_free(ctx);
}

static void contention_phase(struct oio_ctx *ctx)
{
	struct contention c = { 0 };
	char holder[32];
	int err;

	/* rings released: a refused sweep is the lock's, not the driver's */
	if (oio_link_down(ctx, ids[0]))
		tap_bail("link down");
	err = oio_link_up(ctx, ids[0], NULL, &rep, contend, &c);
	tap_ok(c.done && !err && rep.lanes_up == rep.lanes,
	       "a bring-up with other writers knocking: %d, %u/%u lanes up",
	       err, rep.lanes_up, rep.lanes);
	snprintf(holder, sizeof(holder), "pid %ld (", (long)getpid());
	tap_ok(c.up == -EBUSY && strstr(c.msg, holder) &&
	       strstr(c.msg, lock_path),
	       "meanwhile link up from another handle: EBUSY (%d), \"%s\"",
	       c.up, c.msg);
	tap_ok(c.blank, "its report: no lanes, nothing measured (NAN)");
	tap_ok(c.down == -EBUSY && c.recover == -EBUSY,
	       "meanwhile link down and recover: EBUSY (%d, %d)", c.down,
	       c.recover);
	tap_ok(c.sweep == -EBUSY && strstr(c.sweep_msg, "in use"),
	       "meanwhile a sweep: EBUSY (%d), \"%s\"", c.sweep, c.sweep_msg);
	tap_ok(c.child == 0, "meanwhile link down from another process: "
	       "EBUSY (child exit %d)", c.child);
	if (ncards > 1)
		tap_ok(c.other == 0, "meanwhile a sweep of another card runs "
		       "(%d)", c.other);
	tap_ok(journal_lines() == 0, "after the run: %s holds no journal (%d "
	       "lines)", lock_path, journal_lines());
	/* down first: the driver refuses to sweep a ring whose loop is on */
	err = oio_link_down(ctx, ids[0]) ?: try_sweep(ctx, ids[0]);
	tap_ok(!err, "after the run: the card's lock is free (%d)", err);
}

/* ---- cancel ---- */

struct cancel {
	struct oio_ctx *ctx;
	bool done;
	unsigned int dark;
	int journal;
};

/* In the second sweep of coded lines dark: cancel, as a ^C handler would. */
static void cancel_dark(const char *stage, unsigned int done,
			unsigned int total, void *arg)
{
	struct cancel *c = arg;
	struct oio_laser_info *l;
	size_t n, i;

	if (c->done || strcmp(stage, "sweep") || done != total)
		return;
	c->done = true;
	if (!oio_laser_list(c->ctx, ids[0], &l, &n)) {
		for (i = 0; i < n; i++)
			c->dark += !l[i].enable;
		free(l);
	}
	c->journal = journal_lines();
	oio_ctx_cancel(c->ctx);
}

static void cancel_phase(struct oio_ctx *ctx)
{
	struct cancel c = { .ctx = ctx };
	uint32_t full[OIO_MAX_WAVELENGTHS];
	unsigned int n, moving = 0, off;
	struct oio_lane_info *lanes;
	char msg[256];
	size_t nl;
	int err;

	if (oio_link_up(ctx, ids[0], NULL, &rep, NULL, NULL))
		tap_bail("link up before the cancel");
	note_bias(ctx, ids[0], full);
	err = oio_link_up(ctx, ids[0], NULL, &rep, cancel_dark, &c);
	oio_ctx_errmsg(ctx, msg, sizeof(msg));
	tap_ok(c.done && c.dark && c.journal == (int)cards[0].wavelengths,
	       "cancelled with %u lines dark, the journal holding %d lines",
	       c.dark, c.journal);
	tap_ok(err == -ECANCELED && strstr(msg, "cancel"),
	       "cancelled bring-up: ECANCELED (%d), \"%s\"", err, msg);
	off = lines_off_full(ctx, ids[0], full);
	tap_ok(!off, "cancelled bring-up: every line lit at full bias again "
	       "(%u not)", off);
	if (oio_lane_list(ctx, ids[0], &lanes, &nl))
		tap_bail("lane list");
	for (n = 0; n < nl; n++)
		moving += lanes[n].state != OIO_LANE_STATE_DEACTIVATED &&
			  lanes[n].state != OIO_LANE_STATE_ACTIVATED;
	free(lanes);
	tap_ok(!moving && rep.lanes_up == 0,
	       "cancelled bring-up: no lane half started (%u), none up (%u)",
	       moving, rep.lanes_up);
	tap_ok(journal_lines() == 0, "cancelled bring-up: no journal left "
	       "(%d lines)", journal_lines());
	err = oio_link_up(ctx, ids[0], NULL, &rep, NULL, NULL);
	tap_ok(!err && rep.lanes_up == rep.lanes, "the next bring-up on the "
	       "handle runs: %d, %u/%u lanes up", err, rep.lanes_up,
	       rep.lanes);
}

/* ---- a recovery killed with its lines dimmed ---- */

static void die_dimmed(const char *stage, unsigned int done,
		       unsigned int total, void *arg)
{
	(void)arg;
	if (!strcmp(stage, "sweep") && done == total)
		raise(SIGKILL);
}

static void kill_phase(struct oio_ctx *ctx)
{
	uint32_t full[OIO_MAX_WAVELENGTHS], now[OIO_MAX_WAVELENGTHS];
	unsigned int r, l, low = 0, off, port = 2 % cards[0].ports;
	unsigned int per_port = 2 * cards[0].wavelengths;
	int status, err, round;
	char cal[sizeof(lock_path)];
	struct stat st = { 0 };
	pid_t pid;

	if (oio_link_up(ctx, ids[0], NULL, &rep, NULL, NULL))
		tap_bail("link up before the kill");
	/*
	 * Link up keeps its calibration beside the lock file, the owner's
	 * alone. Without it recovery names lines by dimming them, which is
	 * what is killed here.
	 */
	snprintf(cal, sizeof(cal), "%.*s.cal",
		 (int)(strlen(lock_path) - strlen(".lock")), lock_path);
	tap_ok(!stat(cal, &st) && S_ISREG(st.st_mode) &&
	       (st.st_mode & 07777) == 0600 && st.st_size > 0,
	       "link up kept its calibration: %s, mode %o, %lld bytes", cal,
	       (unsigned int)(st.st_mode & 07777), (long long)st.st_size);
	if (unlink(cal))
		tap_bail("unlink %s", cal);
	note_bias(ctx, ids[0], full);
	/* killed twice: the second run must not take the first's dim */
	for (round = 0; round < 2; round++) {
		for (r = port * per_port; r < (port + 1) * per_port; r++)
			if (oio_ring_set_lock(ctx, ids[0], r, false) ||
			    oio_ring_set_heater(ctx, ids[0], r, 0))
				tap_bail("ring %u", r);
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			tap_bail("fork");
		if (!pid) {
			struct oio_ctx *mine;

			if (oio_ctx_new(&mine, 0))
				_exit(2);
			oio_link_recover(mine, ids[0], NULL, &rep2, die_dimmed,
					 NULL);
			_exit(1);
		}
		waitpid(pid, &status, 0);
		tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		       "recovery %d killed midway (status %#x)", round + 1,
		       status);
	}
	note_bias(ctx, ids[0], now);
	for (l = 0; l < cards[0].wavelengths; l++)
		low += now[l] < full[l];
	tap_ok(low && journal_lines() == (int)cards[0].wavelengths,
	       "the kills left %u lines dimmed, the journal %d lines", low,
	       journal_lines());
	err = oio_link_recover(ctx, ids[0], NULL, &rep, NULL, NULL);
	off = lines_off_full(ctx, ids[0], full);
	tap_ok(!err && rep.lanes_up == rep.lanes && !off,
	       "the next recovery: %d, %u/%u lanes up, every line at its "
	       "full bias from the journal (%u not)", err, rep.lanes_up,
	       rep.lanes, off);
	tap_ok(journal_lines() == 0, "the journal is gone (%d lines)",
	       journal_lines());
	oio_link_down(ctx, ids[0]);
}

int main(void)
{
	struct oio_ctx *ctx;
	int err;

	/* BARs map for the QOM match only while no driver holds them. */
	if (system("rmmod oio 2>/dev/null; true"))
		tap_bail("rmmod failed");
	ncards = oiot_cards(cards, OIOT_MAX_CARDS);
	if (ncards < 1)
		tap_bail("no OIO card found");
	err = oio_module_load();
	if (err)
		tap_bail("loading oio.ko: %s", strerror(-err));
	if (oio_ctx_new(&ctx, 0))
		tap_bail("no oio family");
	find_ids(ctx);
	contention_phase(ctx);
	cancel_phase(ctx);
	kill_phase(ctx);
	oio_ctx_free(ctx);
	return tap_done();
}
