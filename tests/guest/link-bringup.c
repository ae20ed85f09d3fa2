// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's bring-up on emulated cards, through the real oio.ko:
 *
 *  - every lane of a card from cold to activated on many fabrication
 *    seeds, with the card's own figures printed per seed: the tuning phase
 *    (lasers settled to every ring locked) in card time, which with QEMU's
 *    -icount is reproducible virtual time, and of it the library's analysis
 *    of the sweeps, in guest time (1 ns an instruction); and the MMIO
 *    accesses of the whole bring-up counted by the model;
 *  - all cards at once, one thread each, against one card alone;
 *  - a +5 K ambient step that the lock loops ride out, and a +25 K step
 *    that runs rings out of heater range, which recovery repairs;
 *  - lanes that cannot come up, with their reason: a failed laser line,
 *    a line too weak for the BER target; and noisy monitors;
 *  - a sample of the envelope of cards (tests/unit/corners.h), a few seeds
 *    a corner, each brought up with `oioctl link up` (only when
 *    OIO_PHASES names "corners").
 *
 * The card activates a lane whose rings sit on any line, so after each
 * bring-up the lanes it reports up are checked as the far end would:
 * activated, and a PRBS that counts bits and no error.
 *
 * Environment: OIO_SEEDS (100), OIO_SEED (seeds from OIO_SEED * 1000 + 1),
 * OIO_PHASES (seeds,parallel,drift,faults; corners), OIO_CORNER_SEEDS (2),
 * OIO_PROFILE (1: MMIO and guest
 * time at each stage of the first phase's bring-ups, through QMP, so the
 * figures of those runs are disturbed; time: guest time only).
 */
#define _GNU_SOURCE
#include "oiotest.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "liboio.h"
#include "../unit/corners.h"

#define TUNE_BUDGET_NS	20000000ull	/* issue 5: 20 ms of card time */
#define MMIO_BUDGET	2000
#define TUNE_TODO	"issue 9: the library's analysis is card time here"
/* met by 52 at worst; a host loaded far beyond its cores once went over */
#define MMIO_TODO	"issue 9: met, with little to spare"

static struct oio_card cards[OIOT_MAX_CARDS];
static int ncards;

static bool phase(const char *name)
{
	const char *p = getenv("OIO_PHASES");

	return !p || strstr(p, name);
}

/* A phase run only when OIO_PHASES names it. */
static bool phase_asked(const char *name)
{
	const char *p = getenv("OIO_PHASES");

	return p && strstr(p, name);
}

/* A fresh probe resets the card, which redraws it from its seed. */
static void reload(void)
{
	int err;

	if (system("rmmod oio 2>/dev/null; true"))
		tap_bail("rmmod failed");
	err = oio_module_load();
	if (err)
		tap_bail("loading oio.ko through libkmod: %s", strerror(-err));
}

/* Card ids of the bound cards, in PCI order as oiot_cards() has them. */
static int card_ids(struct oio_ctx *ctx, uint32_t *ids)
{
	struct oio_card_info *info;
	size_t n, i;
	int j, err;

	err = oio_card_list(ctx, &info, &n);
	if (err)
		return err;
	for (j = 0; j < ncards; j++) {
		ids[j] = UINT32_MAX;
		for (i = 0; i < n; i++)
			if (!strcmp(info[i].pci_address, cards[j].bdf))
				ids[j] = info[i].id;
	}
	free(info);
	return 0;
}

/*
 * Guest time from "analyse" 0 to 1, summed: the library's own work on the
 * sweeps, with no card to wait for. Under -icount 0 it is card time too,
 * at 1 ns an instruction.
 */
static uint64_t analyse_at, analyse_us;

static void note_stage(const char *stage, unsigned int done)
{
	if (strcmp(stage, "analyse"))
		return;
	if (!done)
		analyse_at = now_us();
	else
		analyse_us += now_us() - analyse_at;
}

static void stages(const char *stage, unsigned int done, unsigned int total,
		   void *arg)
{
	(void)total;
	(void)arg;
	note_stage(stage, done);
}

/* OIO_PROFILE=1: MMIO at each stage (the QMP round trips cost time). */
static void profile(const char *stage, unsigned int done, unsigned int total,
		    void *arg)
{
	static long long last;
	static uint64_t t_last;
	uint64_t t = now_us();
	long long m = strcmp(getenv("OIO_PROFILE"), "time") ?
		      qget_mmio(arg) : 0;

	note_stage(stage, done);
	tap_diag("  %-8s %u/%u: +%lld MMIO, +%llu us", stage, done, total,
		 m - last, (unsigned long long)(t - t_last));
	last = m;
	t_last = now_us();
}

/*
 * The lanes rep calls up, as the card has them: activated, and their PRBS
 * counting bits and no error over 2 ms (a ring on another lane's line
 * gives BER about 0.5, millions of errors). Returns how many lanes the
 * report calls up that are not; *real gets the lanes that are.
 */
static unsigned int wrongly_up(struct oio_ctx *ctx, uint32_t id,
			       const struct oio_link_report *rep,
			       unsigned int *real)
{
	static struct oio_telemetry t0, t1;
	unsigned int n, bad = 0;
	int err = 0;

	*real = 0;
	for (n = 0; n < rep->lanes && !err; n++)
		err = oio_lane_set_prbs(ctx, id, n, 1, 1);
	err = err ?: oio_telemetry_get_parts(ctx, id,
					     OIO_TELEMETRY_PARTS_LANES, &t0);
	sleep_us(2000);
	err = err ?: oio_telemetry_get_parts(ctx, id,
					     OIO_TELEMETRY_PARTS_LANES, &t1);
	if (err || t1.n_lanes != rep->lanes) {
		tap_diag("  PRBS check: %s", strerror(err ? -err : EPROTO));
		return rep->lanes_up;
	}
	for (n = 0; n < rep->lanes; n++) {
		const struct oio_lane_info *a = &t0.lane[n], *b = &t1.lane[n];
		bool up = b->state == OIO_LANE_STATE_ACTIVATED &&
			  b->prbs_bits > a->prbs_bits &&
			  b->prbs_errors == a->prbs_errors;

		*real += up;
		if (rep->lane[n].fail == OIO_LINK_OK && !up) {
			bad++;
			tap_diag("  lane %u reported up: %s, %llu errors in "
				 "%llu bits", n, oio_lane_state_name(b->state),
				 (unsigned long long)(b->prbs_errors -
						      a->prbs_errors),
				 (unsigned long long)(b->prbs_bits -
						      a->prbs_bits));
		}
	}
	for (n = 0; n < rep->lanes; n++)
		oio_lane_set_prbs(ctx, id, n, 0, 0);
	return bad;
}

static void report_failures(const struct oio_link_report *rep)
{
	unsigned int n, shown = 0;

	for (n = 0; n < rep->lanes && shown < 8; n++) {
		const struct oio_link_lane *l = &rep->lane[n];

		if (l->fail == OIO_LINK_OK)
			continue;
		tap_diag("  lane %u (line %u): %s, card reason %s, tx %u rx %u",
			 n, l->line, oio_link_fail_name(l->fail),
			 oio_lane_reason_name(l->reason), l->tx_code,
			 l->rx_code);
		shown++;
	}
}

static void seeds_phase(struct oio_ctx **ctxp)
{
	unsigned int seeds = getenv("OIO_SEEDS") ? atoi(getenv("OIO_SEEDS")) : 100;
	long long base = (getenv("OIO_SEED") ? atoll(getenv("OIO_SEED")) : 1) *
			 1000 + 1;
	unsigned long long worst_tune = 0, sum_tune = 0;
	long long worst_mmio = 0, sum_mmio = 0;
	unsigned int over_mmio = 0, counted = 0;
	struct oio_link_report *rep = calloc(1, sizeof(*rep));
	unsigned int i, good = 0;
	long long orig = qget_int(&cards[0], "seed");

	if (!rep)
		tap_bail("out of memory");
	analyse_us = 0;
	for (i = 0; i < seeds; i++) {
		uint64_t analysed = analyse_us;
		long long seed = base + i, m0, m1, m;
		unsigned long long tune;
		uint32_t ids[OIOT_MAX_CARDS];
		unsigned int wrong, real;
		int err;

		oio_ctx_free(*ctxp);
		*ctxp = NULL;
		qset_int(&cards[0], "seed", seed);
		reload();
		if (oio_ctx_new(ctxp, 0) || card_ids(*ctxp, ids))
			tap_bail("no oio family after insmod");
		m0 = qget_mmio(&cards[0]);
		err = oio_link_up(*ctxp, ids[0], NULL, rep,
				  getenv("OIO_PROFILE") ? profile : stages,
				  &cards[0]);
		m1 = qget_mmio(&cards[0]);
		m = mmio_spent(m0, m1);
		tune = rep->t_locked - rep->t_lasers;
		wrong = wrongly_up(*ctxp, ids[0], rep, &real);
		/* the tuning budget is judged once, on the worst seed */
		tap_ok(!err && rep->lanes_up == rep->lanes && !wrong,
		       "seed %lld: %u/%u lanes up (%u activated and PRBS-clean, "
		       "%u reported up wrongly); tuning %.2f ms card time "
		       "(analysis %.2f ms); bring-up %.2f ms, %lld MMIO, "
		       "%u sweeps", seed, rep->lanes_up, rep->lanes, real,
		       wrong, tune / 1e6, (analyse_us - analysed) / 1e3,
		       (rep->t_done - rep->t_start) / 1e6, m, rep->sweeps);
		if (err)
			tap_diag("  oio_link_up: %s", strerror(-err));
		if (m < 0)
			tap_diag("  MMIO counters unread (QMP): not counted");
		/* Over budget: were the card's interrupts behind it? */
		if (m > MMIO_BUDGET && system("grep oio /proc/interrupts | "
					      "sed 's/^/#   /'"))
			tap_diag("  no /proc/interrupts");
		report_failures(rep);
		good += !err && rep->lanes_up == rep->lanes;
		if (tune > worst_tune)
			worst_tune = tune;
		if (m > worst_mmio)
			worst_mmio = m;
		over_mmio += m > MMIO_BUDGET;
		sum_tune += tune;
		if (m >= 0) {
			sum_mmio += m;
			counted++;
		}
	}
	if (seeds) {
		tap_diag("%u/%u seeds fully up; tuning mean %.2f ms worst %.2f ms "
			 "(the analysis of the sweeps %.2f ms of it, mean); "
			 "MMIO mean %lld worst %lld (%u seeds counted)", good,
			 seeds, sum_tune / 1e6 / seeds, worst_tune / 1e6,
			 analyse_us / 1e3 / seeds,
			 counted ? sum_mmio / counted : -1, worst_mmio, counted);
		/*
		 * Under -icount 0 the guest's CPU runs at 1 ns an instruction
		 * and the library's analysis of the sweeps counts as card
		 * time: issue 9's note has the figures.
		 */
		tap_todo(worst_tune <= TUNE_BUDGET_NS, TUNE_TODO,
			 "tuning (lasers settled to every ring locked) within "
			 "%.0f ms of card time on every seed: worst %.2f ms",
			 TUNE_BUDGET_NS / 1e6, worst_tune / 1e6);
		tap_todo(worst_mmio <= MMIO_BUDGET && counted == seeds,
			 MMIO_TODO,
			 "at most %d MMIO accesses a bring-up on every seed: "
			 "worst %lld, %u seeds above, %u not counted",
			 MMIO_BUDGET, worst_mmio, over_mmio, seeds - counted);
	}
	qset_int(&cards[0], "seed", orig);
	free(rep);
}

/* The card properties a phase set, and what each was before. */
struct touched {
	struct oio_card *c;
	unsigned int n;
	struct {
		char name[48];
		long long was;
	} p[32];
};

static int set_touched(void *arg, const char *knob, long long value)
{
	struct touched *t = arg;
	unsigned int i;

	for (i = 0; i < t->n && strcmp(t->p[i].name, knob); i++)
		;
	if (i == t->n) {
		if (t->n == sizeof(t->p) / sizeof(t->p[0]) ||
		    strlen(knob) >= sizeof(t->p[i].name))
			return -E2BIG;
		strcpy(t->p[i].name, knob);
		t->p[i].was = qget_int(t->c, knob);
		t->n++;
	}
	qset_int(t->c, knob, value);
	return 0;
}

/* Every property an earlier corner set back as it was. */
static void untouch(struct touched *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		qset_int(t->c, t->p[i].name, t->p[i].was);
}

/* Corner k's properties on the card for seed, the earlier ones undone. */
static void set_corner(struct touched *t, unsigned int k, long long seed)
{
	char props[CORNER_PROPS_MAX];

	untouch(t);
	corner_props(k, (uint64_t)seed, props, sizeof(props));
	if (corner_each(props, set_touched, t))
		tap_bail("corner %s: properties '%s' not set", corners[k].name,
			 props);
	qset_int(t->c, "seed", seed);
}

/*
 * Issue 9: the envelope through the real driver and the CLI. A few seeds
 * a corner (far from the host suite's), each card redrawn with the
 * corner's properties by a fresh probe and brought up by `oioctl link
 * up`: it must end as the CLI promises (0, or 3 with lanes down), and
 * every lane it leaves activated must pass PRBS. The host suite judges
 * hundreds of seeds a corner against the feasibility reference; this
 * shows the same bring-up holds through the driver.
 */
static void corners_phase(struct oio_ctx **ctxp)
{
	unsigned int per = getenv("OIO_CORNER_SEEDS") ?
			   (unsigned int)atoi(getenv("OIO_CORNER_SEEDS")) : 2;
	struct oio_link_report *rep = calloc(1, sizeof(*rep));
	long long orig = qget_int(&cards[0], "seed");
	struct touched t = { .c = &cards[0] };
	unsigned int k, i, n, whole = 0, runs = 0;

	if (!rep)
		tap_bail("out of memory");
	for (k = 0; k < NCORNERS; k++)
		for (i = 0; i < per; i++) {
			long long seed = 900000 + 1000 * (long long)k + i;
			struct oio_lane_info *lanes;
			uint32_t ids[OIOT_MAX_CARDS];
			unsigned int wrong, real;
			char cmd[128];
			size_t nl;
			int rc;

			oio_ctx_free(*ctxp);
			*ctxp = NULL;
			set_corner(&t, k, seed);
			reload();
			if (oio_ctx_new(ctxp, 0) || card_ids(*ctxp, ids))
				tap_bail("no oio family after insmod");
			snprintf(cmd, sizeof(cmd),
				 "/usr/bin/oioctl link up %s > /dev/null", cards[0].bdf);
			rc = system(cmd);
			rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
			/* the lanes it left up, as the card has them */
			memset(rep, 0, sizeof(*rep));
			if (oio_lane_list(*ctxp, ids[0], &lanes, &nl))
				tap_bail("lane list");
			rep->lanes = (uint32_t)nl;
			for (n = 0; n < nl; n++) {
				bool up = lanes[n].state ==
					  OIO_LANE_STATE_ACTIVATED;

				rep->lane[n].fail = up ? OIO_LINK_OK :
					OIO_LINK_NOT_ACTIVATED;
				rep->lanes_up += up;
			}
			free(lanes);
			wrong = wrongly_up(*ctxp, ids[0], rep, &real);
			tap_ok((rc == 0 || rc == 3) && !wrong &&
			       (rc == 0) == (rep->lanes_up == rep->lanes),
			       "%s, seed %lld: oioctl link up exits %d, %u/%u "
			       "lanes activated, %u of them PRBS-clean",
			       corners[k].name, seed, rc, rep->lanes_up,
			       rep->lanes, real);
			whole += rep->lanes_up == rep->lanes;
			runs++;
			if (system("/usr/bin/oioctl link down all > /dev/null"))
				tap_diag("  link down failed");
		}
	tap_diag("%u of %u cards whole over %u corners (the host suite says "
		 "which lanes each could bring up)", whole, runs,
		 (unsigned int)NCORNERS);
	untouch(&t);
	qset_int(&cards[0], "seed", orig);
	free(rep);
}

struct worker {
	uint32_t id;
	int err;
	struct oio_link_report rep;
};

static void *bring(void *arg)
{
	struct worker *w = arg;
	struct oio_ctx *ctx;

	w->err = oio_ctx_new(&ctx, 0);
	if (w->err)
		return NULL;
	w->err = oio_link_up(ctx, w->id, NULL, &w->rep, NULL, NULL);
	oio_ctx_free(ctx);
	return NULL;
}

/* The last bring_cards() run of each card: its result and report. */
static struct worker w[OIOT_MAX_CARDS];

/*
 * Guest time of bringing up the first n cards, together (one thread and
 * handle each) or one after another.
 */
static uint64_t bring_cards(struct oio_ctx *ctx, int n, bool together,
			    unsigned int *up)
{
	pthread_t th[OIOT_MAX_CARDS];
	uint32_t ids[OIOT_MAX_CARDS];
	uint64_t t0;
	int i;

	if (card_ids(ctx, ids))
		tap_bail("card list failed");
	for (i = 0; i < n; i++)
		oio_link_down(ctx, ids[i]);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		w[i].id = ids[i];
		if (together)
			pthread_create(&th[i], NULL, bring, &w[i]);
		else
			bring(&w[i]);
	}
	*up = 0;
	for (i = 0; i < n; i++) {
		if (together)
			pthread_join(th[i], NULL);
		if (!w[i].err)
			*up += w[i].rep.lanes_up;
	}
	return now_us() - t0;
}

/*
 * The emulated machine has one CPU at a fixed instruction rate (-icount),
 * so the cards' CPU work cannot overlap, only their hardware time can:
 * together must beat one after another, and the ratio to one card alone
 * is printed for the record (issue 5 asks for 1.5 on real machines).
 */
static void parallel_phase(struct oio_ctx *ctx)
{
	unsigned int up1, ups, upn, lanes = cards[0].lanes;
	unsigned int wrong = 0, real = 0, r;
	uint64_t one, serial, all;
	int i;

	one = bring_cards(ctx, 1, false, &up1);
	serial = bring_cards(ctx, ncards, false, &ups);
	all = bring_cards(ctx, ncards, true, &upn);
	for (i = 0; i < ncards; i++) {
		if (w[i].err)
			continue;
		wrong += wrongly_up(ctx, w[i].id, &w[i].rep, &r);
		real += r;
	}
	tap_ok(up1 == lanes && ups == lanes * ncards &&
	       upn == lanes * ncards && !wrong && all < serial,
	       "%d cards together: %u/%u lanes up (%u activated and "
	       "PRBS-clean) in %.2f ms; one after another %.2f ms; one card "
	       "alone %.2f ms", ncards, upn, lanes * ncards, real, all / 1e3,
	       serial / 1e3, one / 1e3);
	tap_diag("together / one card alone = %.2f; together / one after "
		 "another = %.2f", (double)all / one, (double)all / serial);
}

static unsigned int lanes_up(struct oio_ctx *ctx, uint32_t id,
			     unsigned int *at_limit)
{
	static struct oio_telemetry t;
	unsigned int n, up = 0;

	*at_limit = 0;
	if (oio_telemetry_get(ctx, id, &t))
		return 0;
	for (n = 0; n < t.n_lanes; n++)
		up += t.lane[n].state == OIO_LANE_STATE_ACTIVATED;
	for (n = 0; n < t.n_rings; n++)
		*at_limit += t.ring[n].at_limit ||
			     t.ring[n].lock_state == OIO_LOCK_STATE_LOST;
	return up;
}

/* The least warm headroom of the card's ports, K; NAN if none is known. */
static double warm_headroom(struct oio_ctx *ctx, uint32_t id)
{
	static struct oio_telemetry t;
	struct oio_card_info info;
	struct oio_headroom h;
	double least = NAN;
	uint32_t p;

	if (oio_card_get(ctx, id, &info) || oio_telemetry_get(ctx, id, &t))
		return NAN;
	for (p = 0; p < info.ports; p++)
		if (!oio_port_headroom(&info, t.lane, t.n_lanes, t.ring,
				       t.n_rings, p, &h) && h.known &&
		    !(h.warm_k >= least))
			least = h.warm_k;
	return least;
}

/* Ambient step of dk kelvin, then the card's thermal lag ~ 5 tau. */
static void ambient_step(const struct oio_card *c, long long base_mc, int dk)
{
	qset_int(c, "ambient-mc", base_mc + dk * 1000);
	sleep_us(5 * 2000 * 1000);
}

/*
 * What a recovery did to the laser lines, from the monitor's events: the
 * lowest set point each line was given, and whether one went off.
 */
struct line_watch {
	struct oio_monitor *mon;
	uint32_t card;
	uint32_t low_ua[OIO_MAX_WAVELENGTHS];
	unsigned int events, off;
	bool lost;
	volatile bool stop;
};

static int on_line_event(const struct oio_event *ev, void *arg)
{
	struct line_watch *lw = arg;
	const struct oio_laser_info *li = &ev->laser;

	if (ev->type != OIO_EVENT_LASER_CHANGE || ev->card_id != lw->card ||
	    li->line >= OIO_MAX_WAVELENGTHS)
		return 0;
	lw->events++;
	if (li->bias_set_ua < lw->low_ua[li->line])
		lw->low_ua[li->line] = li->bias_set_ua;
	lw->off += !li->enable;
	return 0;
}

static void *watch_lines(void *arg)
{
	struct line_watch *lw = arg;
	struct pollfd pfd = { .fd = oio_monitor_fd(lw->mon), .events = POLLIN };

	while (!lw->stop) {
		if (poll(&pfd, 1, 20) > 0 &&
		    oio_monitor_dispatch(lw->mon, on_line_event, lw) == -ENOBUFS)
			lw->lost = true;
	}
	if (oio_monitor_dispatch(lw->mon, on_line_event, lw) == -ENOBUFS)
		lw->lost = true;
	return NULL;
}

/*
 * The BER a healthy lane may show over a recovery that dims lines. Less
 * light is less margin, as the API says: a lane just at the BER target at
 * full power (Q 7.0) is at Q 4.7 with two thirds of it, a BER of 1e-6.
 * This card's lanes have far more: 0 errors in 8e10 bits since 88c2023.
 * (The 1 to 11,419 of 2026-12-05, as the guest's timing moved, were the
 * card model charging a lane's errors before its loops followed the
 * ramping line.) A ring knocked off its line for 10 us, half its bits
 * wrong, errs at 3e-5 over such a recovery (180 ms at 32 Gb/s): that
 * still fails.
 */
#define DIMMED_BER_MAX	1e-7

/*
 * Issue 10, hazard 7: recover re-assigns the sick ports and leaves the
 * healthy ones running. Their lanes stay activated and PRBS-clean
 * through it (nearly, DIMMED_BER_MAX, while lines are dimmed), and the
 * lines they share keep at least min_share of their full bias: all of it
 * (1) where recovery can place the sick ports' rings by link up's
 * calibration, moved by the drift the healthy rings show; 3/4 where it
 * must sweep a port again to name its lines.
 */
static void recover_spares_healthy(struct oio_ctx *ctx, uint32_t id,
				   struct oio_link_report *rep, int *errp,
				   const char *what, double min_share)
{
	static struct oio_telemetry t0, t1;
	struct line_watch lw = { .card = id };
	unsigned int n, l, w = cards[0].wavelengths, lanes = cards[0].lanes;
	unsigned int healthy = 0, clean = 0;
	bool sick[OIO_MAX_PORTS] = { false };
	uint64_t bits = 0, errors = 0;
	double low = 1, worst = 0;
	pthread_t th;
	int err = 0;

	for (l = 0; l < OIO_MAX_WAVELENGTHS; l++)
		lw.low_ua[l] = UINT32_MAX;
	for (n = 0; n < lanes && !err; n++)
		err = oio_lane_set_prbs(ctx, id, n, 1, 1);
	err = err ?: oio_telemetry_get(ctx, id, &t0) ?:
	      oio_monitor_open(&lw.mon);
	if (err)
		tap_bail("recover watch: %s", strerror(-err));
	for (n = 0; n < lanes; n++) {
		const struct oio_ring_info *rg = &t0.ring[2 * n];

		for (l = 0; l < 2; l++)
			sick[n / w] |= rg[l].at_limit ||
				       rg[l].lock_state != OIO_LOCK_STATE_LOCKED;
		sick[n / w] |= t0.lane[n].state != OIO_LANE_STATE_ACTIVATED;
	}
	if (pthread_create(&th, NULL, watch_lines, &lw))
		tap_bail("recover watch: no thread");
	*errp = oio_link_recover(ctx, id, NULL, rep, NULL, NULL);
	lw.stop = true;
	pthread_join(th, NULL);
	oio_monitor_close(lw.mon);
	if (oio_telemetry_get(ctx, id, &t1))
		tap_bail("recover watch: telemetry");
	for (l = 0; l < w; l++)
		if (lw.low_ua[l] != UINT32_MAX && t0.laser[l].bias_set_ua)
			low = fmin(low, (double)lw.low_ua[l] /
					t0.laser[l].bias_set_ua);
	for (n = 0; n < lanes; n++) {
		const struct oio_lane_info *a = &t0.lane[n], *b = &t1.lane[n];
		uint64_t nb = b->prbs_bits - a->prbs_bits;
		uint64_t ne = b->prbs_errors - a->prbs_errors;

		if (sick[n / w])
			continue;
		healthy++;
		bits += nb;
		errors += ne;
		if (nb)
			worst = fmax(worst, (double)ne / (double)nb);
		/* at full light throughout, not one error */
		clean += b->state == OIO_LANE_STATE_ACTIVATED && nb &&
			 (low < 1 ? (double)ne <= DIMMED_BER_MAX * (double)nb :
				    !ne);
	}
	tap_ok(healthy && clean == healthy && !lw.lost && !lw.off &&
	       low >= min_share,
	       "recover %s: the %u lanes of healthy ports stay activated and "
	       "PRBS-clean%s (%u; %llu errors in %.3g bits, %.2g at worst); "
	       "lines at %.0f %% of full bias at the least (%.0f %% "
	       "allowed), none off (%u laser events%s)", what, healthy,
	       low < 1 ? " or nearly, with lines dimmed" : "", clean,
	       (unsigned long long)errors, (double)bits, worst, 100 * low,
	       100 * min_share, lw.events, lw.lost ? ", some lost" : "");
	for (n = 0; n < lanes; n++)
		oio_lane_set_prbs(ctx, id, n, 0, 0);
}

/* A port's rings off their lines: loops off, heaters cold. */
static void knock_port(struct oio_ctx *ctx, uint32_t id, unsigned int p)
{
	unsigned int w = cards[0].wavelengths, r;
	int err = 0;

	for (r = 2 * p * w; r < 2 * (p + 1) * w && !err; r++)
		err = oio_ring_set_lock(ctx, id, r, false) ?:
		      oio_ring_set_heater(ctx, id, r, 0);
	if (err)
		tap_bail("knock port %u: %s", p, strerror(-err));
	sleep_us(1000);
}

static void drift_phase(struct oio_ctx *ctx)
{
	struct oio_link_report *rep = calloc(1, sizeof(*rep));
	const struct oio_card *c = &cards[0];
	long long base = qget_int(c, "ambient-mc");
	unsigned int up, lim, real, wrong, lanes = c->lanes;
	uint32_t ids[OIOT_MAX_CARDS];
	double head, step;
	int err;

	if (!rep || card_ids(ctx, ids))
		tap_bail("card list failed");
	err = oio_link_up(ctx, ids[0], NULL, rep, NULL, NULL);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	tap_ok(!err && rep->lanes_up == lanes && !wrong,
	       "links up before the steps (%u activated and PRBS-clean)",
	       real);

	ambient_step(c, base, 5);
	up = lanes_up(ctx, ids[0], &lim);
	tap_ok(up == lanes && !lim, "+5 K: %u/%u lanes stay up, %u rings at "
	       "a heater limit", up, lanes, lim);

	/*
	 * Port 2's rings knocked off their lines, 5 K warmer than link up
	 * left the card: recovery places them again with no line dimmed.
	 */
	knock_port(ctx, ids[0], 2);
	recover_spares_healthy(ctx, ids[0], rep, &err, "of port 2", 1);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	up = lanes_up(ctx, ids[0], &lim);
	tap_ok(!err && up == lanes && !wrong && real == lanes &&
	       !rep->sweeps, "recover of port 2: %u/%u lanes up again, %u "
	       "activated and PRBS-clean, %u sweeps", up, lanes, real,
	       rep->sweeps);

	/*
	 * Far enough to take the ring with the least warm headroom past the
	 * bottom of its heater's range, whatever placement bring-up chose:
	 * 25 K on a typical card, more when every ring sits clear of it.
	 */
	head = warm_headroom(ctx, ids[0]);
	step = isnan(head) ? 25 : fmax(25, ceil(head * 1.3) + 3);
	ambient_step(c, base, (int)step);
	up = lanes_up(ctx, ids[0], &lim);
	tap_ok(step <= 45 && up < lanes && lim, "+%.0f K (warm headroom "
	       "%.1f K): %u/%u lanes up, %u rings at a heater limit or lost: "
	       "detected", step, head, up, lanes, lim);
	recover_spares_healthy(ctx, ids[0], rep, &err, "after +25 K", 0.74);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	up = lanes_up(ctx, ids[0], &lim);
	tap_ok(!err && up == lanes && !wrong && real == lanes,
	       "recover: %u/%u lanes up again, %u activated and PRBS-clean "
	       "(%u sweeps)", up, lanes, real, rep->sweeps);
	if (err)
		report_failures(rep);

	ambient_step(c, base, 0);
	oio_link_down(ctx, ids[0]);
	free(rep);
}

#define LINK_FAILS	(OIO_LINK_ABORTED + 1)

/* Lanes failed for each reason, and whether only lanes on line bad did. */
static void count_fails(const struct oio_link_report *rep, unsigned int bad,
			unsigned int *why, bool *only_bad)
{
	unsigned int n;

	memset(why, 0, sizeof(*why) * LINK_FAILS);
	*only_bad = true;
	for (n = 0; n < rep->lanes; n++) {
		why[rep->lane[n].fail]++;
		if (rep->lane[n].fail != OIO_LINK_OK && rep->lane[n].line != bad)
			*only_bad = false;
	}
}

/* A laser line that fails at a stage of the run, from its progress. */
struct fail_at {
	const struct oio_card *card;
	const char *stage;
	unsigned int mask;
	bool done;
};

static void fail_line_at(const char *stage, unsigned int done,
			 unsigned int total, void *arg)
{
	struct fail_at *f = arg;

	(void)done;
	(void)total;
	if (f->done || strcmp(stage, f->stage))
		return;
	f->done = !qset_int(f->card, "laser-fail-mask", f->mask);
}

/*
 * oio_link_up() as a program built against liboio 0.1.0 calls it: the
 * LIBOIO_1 version, whose contract is -EIO when a lane stays down.
 */
int oio_link_up_0_1(struct oio_ctx *ctx, uint32_t card,
		    const struct oio_link_params *params,
		    struct oio_link_report *rep, oio_progress_cb progress,
		    void *arg);
__asm__(".symver oio_link_up_0_1, oio_link_up@LIBOIO_1");

/*
 * What cannot come up says why, and the rest still comes up: a failed
 * laser line darkens its lanes; a line biased just above threshold gives
 * its lanes too little light for the BER target.
 */
static void faults_phase(struct oio_ctx *ctx)
{
	struct oio_link_report *rep = calloc(1, sizeof(*rep));
	unsigned int why[LINK_FAILS], ports = cards[0].ports, real, wrong;
	const struct oio_card *c = &cards[0];
	uint32_t ids[OIOT_MAX_CARDS];
	struct fail_at fail_at;
	unsigned int n, dark_off;
	bool only;
	int err;

	if (!rep || card_ids(ctx, ids))
		tap_bail("card list failed");
	oio_link_down(ctx, ids[0]);
	qset_int(c, "laser-fail-mask", 1 << 2);
	err = oio_link_up(ctx, ids[0], NULL, rep, NULL, NULL);
	count_fails(rep, 2, why, &only);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	for (n = 0, dark_off = 0; n < rep->lanes; n++)
		dark_off += rep->lane[n].fail == OIO_LINK_LINE_DARK &&
			    rep->lane[n].line != 2;
	/* lanes down are a result in the report: the call returns 0 */
	tap_ok(!err && why[OIO_LINK_LINE_DARK] == ports && !dark_off &&
	       !wrong,
	       "line 2 failed: returns %d, its %u lanes laser-line-dark, none "
	       "elsewhere; %u lanes up (%u activated and PRBS-clean)", err,
	       why[OIO_LINK_LINE_DARK], rep->lanes_up, real);
	/*
	 * On this seed port 1 first plans a line shift whose lane 0 ring
	 * cannot reach its line; bring-up plans the port again (issue 9).
	 */
	tap_ok(only && rep->lanes_up == rep->lanes - ports,
	       "line 2 failed: every other lane up (%u of %u)",
	       rep->lanes_up, rep->lanes - ports);
	report_failures(rep);
	qset_int(c, "laser-fail-mask", 0);

	oio_link_down(ctx, ids[0]);
	if (oio_laser_set_bias(ctx, ids[0], 5, 30000))
		tap_bail("bias of line 5");
	err = oio_link_up(ctx, ids[0], NULL, rep, NULL, NULL);
	count_fails(rep, 5, why, &only);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	tap_ok(!err && why[OIO_LINK_BER_HIGH] == ports && only &&
	       rep->lanes_up == rep->lanes - ports && !wrong,
	       "line 5 at 30 mA: returns %d, %u lanes up (%u activated and "
	       "PRBS-clean), %u ber-too-high, all on line 5", err,
	       rep->lanes_up, real, why[OIO_LINK_BER_HIGH]);
	report_failures(rep);
	err = oio_link_up_0_1(ctx, ids[0], NULL, rep, NULL, NULL);
	tap_ok(err == -EIO && rep->lanes_up == rep->lanes - ports,
	       "line 5 at 30 mA, 0.1.0's oio_link_up: returns %d (-EIO), "
	       "%u lanes up", err, rep->lanes_up);
	oio_laser_set_bias(ctx, ids[0], 5, 80000);
	err = oio_link_up(ctx, ids[0], NULL, rep, NULL, NULL);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	tap_ok(!err && rep->lanes_up == rep->lanes && !wrong,
	       "line 5 back at 80 mA: %u/%u lanes up (%u activated and "
	       "PRBS-clean)", rep->lanes_up, rep->lanes, real);
	report_failures(rep);
	oio_link_down(ctx, ids[0]);

	/* issue 10, hazard 7: a line under threshold fails its own lanes */
	oio_link_down(ctx, ids[0]);
	if (oio_laser_set_bias(ctx, ids[0], 4, 15000))
		tap_bail("bias of line 4");
	err = oio_link_up(ctx, ids[0], NULL, rep, NULL, NULL);
	count_fails(rep, 4, why, &only);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	tap_ok(!err && only && why[OIO_LINK_LINE_DARK] == ports &&
	       rep->lanes_up == rep->lanes - ports && !wrong,
	       "line 4 at 15 mA, under threshold: returns %d, %u lanes up "
	       "(%u activated and PRBS-clean), %u laser-line-dark, all on "
	       "line 4", err, rep->lanes_up, real, why[OIO_LINK_LINE_DARK]);
	report_failures(rep);
	oio_laser_set_bias(ctx, ids[0], 4, 80000);
	oio_link_down(ctx, ids[0]);

	/* ... and so does a line that fails in the middle of the run */
	fail_at.card = c;
	fail_at.stage = "tune";
	fail_at.mask = 1 << 6;
	fail_at.done = false;
	err = oio_link_up(ctx, ids[0], NULL, rep, fail_line_at, &fail_at);
	count_fails(rep, 6, why, &only);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	tap_ok(fail_at.done && !err && only &&
	       why[OIO_LINK_LINE_DARK] == ports &&
	       rep->lanes_up == rep->lanes - ports && !wrong,
	       "line 6 failed while tuning: returns %d, %u lanes up (%u "
	       "activated and PRBS-clean), %u laser-line-dark, all on line 6",
	       err, rep->lanes_up, real, why[OIO_LINK_LINE_DARK]);
	report_failures(rep);
	qset_int(c, "laser-fail-mask", 0);
	oio_link_down(ctx, ids[0]);

	/*
	 * A noisy card: 14 uA rms on every monitor sample, 1 % of a full
	 * peak, the end of the range bring-up supports (datasheet 7.10).
	 */
	qset_int(c, "monitor-noise-na", 14000);
	err = oio_link_up(ctx, ids[0], NULL, rep, NULL, NULL);
	wrong = wrongly_up(ctx, ids[0], rep, &real);
	tap_ok(!err && rep->lanes_up == rep->lanes && !wrong,
	       "monitor noise 14 uA rms: %u/%u lanes up (%u activated and "
	       "PRBS-clean)", rep->lanes_up, rep->lanes, real);
	report_failures(rep);
	qset_int(c, "monitor-noise-na", 2000);
	oio_link_down(ctx, ids[0]);
	free(rep);
}

int main(void)
{
	struct oio_ctx *ctx = NULL;

	/* BARs map for the QOM match only while no driver holds them. */
	if (system("rmmod oio 2>/dev/null; true"))
		tap_bail("rmmod failed");
	ncards = oiot_cards(cards, OIOT_MAX_CARDS);
	if (ncards < 1)
		tap_bail("no OIO card found");
	/*
	 * A freshly booted 6.12 guest still runs its own start-up work for a
	 * second or so, and with one CPU under -icount that time would be
	 * charged to the first seeds. Idle time costs no host time.
	 */
	sleep_us(3000000);
	if (phase("seeds"))
		seeds_phase(&ctx);
	if (!ctx) {
		reload();
		if (oio_ctx_new(&ctx, 0))
			tap_bail("no oio family");
	}
	if (phase("parallel") && ncards > 1)
		parallel_phase(ctx);
	if (phase("drift"))
		drift_phase(ctx);
	if (phase("faults"))
		faults_phase(ctx);
	if (phase_asked("corners"))
		corners_phase(&ctx);
	oio_ctx_free(ctx);
	return tap_done();
}
