// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl telemetry: one snapshot of each card from its telemetry engine,
 * or one every interval with --watch.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oioctl.h"
#include "output.h"
#include "parse.h"
#include "prometheus.h"

/* at most this many lanes with PRBS errors are named in the text output */
#define PRBS_LANES_SHOWN	16

static const char telemetry_usage[] =
"Usage: oioctl telemetry [CARD] [--watch INTERVAL] [--prometheus FILE]\n"
"\n"
"One snapshot of a card (or every card), taken by the card in one DMA\n"
"block: card temperature and alarms, each laser line's power, bias,\n"
"temperature and status, lanes up, rings locked, lost and at a heater\n"
"limit, and the lanes whose PRBS checker counted errors.\n"
"\n"
"  -w, --watch INTERVAL  repeat every INTERVAL, 1ms to 86400s (a unit ns,\n"
"                        us, ms, s or min, or a bare number in s: 0.5,\n"
"                        200ms) until SIGINT, SIGTERM or SIGHUP; with\n"
"                        --json, one JSON object per line\n"
"  -P, --prometheus FILE write the snapshot to FILE (*.prom) in the\n"
"                        Prometheus text format of node_exporter's textfile\n"
"                        collector, atomically, instead of printing it\n";

struct telemetry_counts {
	uint32_t lanes_up, rings_locked, rings_lost, rings_at_limit;
};

static void count(const struct oio_telemetry *t, struct telemetry_counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < t->n_lanes && i < OIO_MAX_LANES; i++)
		c->lanes_up += t->lane[i].state == OIO_LANE_STATE_ACTIVATED;
	for (i = 0; i < t->n_rings && i < OIO_MAX_RINGS; i++) {
		c->rings_locked +=
			t->ring[i].lock_state == OIO_LOCK_STATE_LOCKED;
		c->rings_lost += t->ring[i].lock_state == OIO_LOCK_STATE_LOST;
		c->rings_at_limit += t->ring[i].at_limit;
	}
}

static struct json_object *telemetry_json(const struct oio_telemetry *t)
{
	struct json_object *o = json_object_new_object();
	struct json_object *lasers = json_object_new_array();
	struct json_object *errs = json_object_new_array();
	struct telemetry_counts c;
	size_t i;

	count(t, &c);
	jadd_u64(o, "card_id", t->card_id);
	jadd_u64(o, "seq", t->seq);
	jadd_u64(o, "time_ns", t->time_ns);
	jadd_i64(o, "temp_mc", t->temp_mc);
	jadd_flags(o, "alarms", FLAGS_CARD_ALARM, t->alarms);
	for (i = 0; i < t->n_lasers && i < OIO_MAX_WAVELENGTHS; i++)
		json_object_array_add(lasers, json_laser(&t->laser[i]));
	json_object_object_add(o, "lasers", lasers);
	jadd_u64(o, "lanes_total", t->n_lanes);
	jadd_u64(o, "lanes_up", c.lanes_up);
	jadd_u64(o, "rings_total", t->n_rings);
	jadd_u64(o, "rings_locked", c.rings_locked);
	jadd_u64(o, "rings_lost", c.rings_lost);
	jadd_u64(o, "rings_at_limit", c.rings_at_limit);
	for (i = 0; i < t->n_lanes && i < OIO_MAX_LANES; i++)
		if (t->lane[i].prbs_errors)
			json_object_array_add(errs,
				json_object_new_uint64(t->lane[i].lane));
	json_object_object_add(o, "prbs_error_lanes", errs);
	return o;
}

static void telemetry_text(const struct oioctl *o,
			   const struct oio_telemetry *t)
{
	struct telemetry_counts c;
	size_t i, shown = 0;
	char b[4][32];

	count(t, &c);
	printf("oio%" PRIu32 ": %s, alarms 0x%" PRIx32 ", seq %" PRIu32
	       ", card time %.6f s\n", t->card_id,
	       fmt_temp(b[0], sizeof(b[0]), t->temp_mc, o->utf8), t->alarms,
	       t->seq, (double)t->time_ns / 1e9);
	printf("  lanes %" PRIu32 "/%zu up; rings %" PRIu32 "/%zu locked, %"
	       PRIu32 " lost, %" PRIu32 " at limit\n", c.lanes_up, t->n_lanes,
	       c.rings_locked, t->n_rings, c.rings_lost, c.rings_at_limit);
	printf("  PRBS errors:");
	for (i = 0; i < t->n_lanes && i < OIO_MAX_LANES; i++) {
		if (!t->lane[i].prbs_errors)
			continue;
		if (shown++ < PRBS_LANES_SHOWN)
			printf(" lane %" PRIu32, t->lane[i].lane);
	}
	if (shown > PRBS_LANES_SHOWN)
		printf(" and %zu more", shown - PRBS_LANES_SHOWN);
	printf("%s\n", shown ? "" : " none");
	printf("  LINE  ENABLE  STATUS            BIAS      POWER    TEMP    "
	       "ALARMS\n");
	for (i = 0; i < t->n_lasers && i < OIO_MAX_WAVELENGTHS; i++) {
		const struct oio_laser_info *l = &t->laser[i];

		printf("  ");
		snprintf(b[0], sizeof(b[0]), "%" PRIu32, l->line);
		put_cell(stdout, b[0], 6);
		put_cell(stdout, l->enable ? "on" : "off", 8);
		put_cell(stdout, fmt_laser_status(b[1], sizeof(b[1]),
						  l->status), 18);
		put_cell(stdout, fmt_ma(b[2], sizeof(b[2]), l->bias_ua), 10);
		put_cell(stdout, fmt_mw(b[3], sizeof(b[3]), l->power_uw), 9);
		put_cell(stdout, fmt_temp(b[0], sizeof(b[0]), l->temp_mc,
					  o->utf8), 8);
		printf("0x%" PRIx32 "\n", l->alarms);
	}
}

/* One round: every selected card, printed. Returns the exit status. */
static int snapshot(const struct oioctl *o, struct oio_ctx *ctx,
		    const char *spec, struct oio_telemetry *t, bool lines)
{
	struct oio_card_info *cards = NULL;
	struct json_object *arr = NULL, *top;
	size_t n, i;
	int err, ret;

	/* every round: with --watch, cards may come and go */
	ret = cards_select(ctx, spec, &cards, &n);
	if (ret)
		return ret;
	if (o->json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		err = oio_telemetry_get(ctx, cards[i].id, t);
		if (err) {
			ret = lib_error(ctx, err, "get telemetry of oio%" PRIu32,
					cards[i].id);
			continue;
		}
		if (o->json)
			json_object_array_add(arr, telemetry_json(t));
		else
			telemetry_text(o, t);
	}
	if (o->json) {
		top = json_object_new_object();
		json_object_object_add(top, "telemetry", arr);
		/* JSON Lines while watching: one object per line, always */
		json_print(stdout, top, o->pretty && !lines);
	}
	free(cards);
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int cmd_telemetry(const struct oioctl *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "watch", required_argument, NULL, 'w' },
		{ "prometheus", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct oioctl opts = *o;
	struct oio_telemetry *t = NULL;
	struct oio_ctx *ctx = NULL;
	uint64_t interval = 0, next;
	struct cmd_args a;
	const char *spec, *prom = NULL;
	struct card_spec cs;
	int c, sfd = -1, ret = OIOCTL_EXIT_ERROR;

	cmd_args_init(&a, "telemetry", telemetry_usage, argc, argv);
	a.longopts = longopts;
	a.shortopts = "w:P:";
	while ((c = cmd_getopt(&a, &opts)) > 0) {
		if (c == 'P') {
			prom = a.optarg;
			if (!prom_path_ok(prom))
				return usage_error("invalid --prometheus '%s' (want a file name ending in .prom)",
						   prom);
			continue;
		}
		if (c != 'w')
			continue;
		if (parse_duration_opt(a.optarg, &opt_watch, &interval))
			return duration_error(&opt_watch, a.optarg);
	}
	if (c < 0)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 1)
		return usage_error("too many arguments for 'telemetry'");
	spec = cmd_arg(&a, 0);
	if (prom && opts.json)
		return usage_error("--prometheus and --json exclude each other");
	/* checked once, not at every round of --watch */
	if (spec && parse_card_spec(spec, &cs))
		return usage_error("invalid card '%s' (want N, oioN or a PCI address)",
				   spec);

	/* a snapshot of a full card is some 30 KiB: not for the stack */
	t = malloc(sizeof(*t));
	if (!t)
		return lib_error(NULL, -ENOMEM, "telemetry");
	ret = ctx_open(&ctx);
	if (ret)
		goto out;
	ret = OIOCTL_EXIT_ERROR;
	if (!interval) {
		ret = prom ? prom_snapshot(ctx, spec, prom) :
			snapshot(&opts, ctx, spec, t, false);
		goto out;
	}

	sfd = stop_signal_fd();
	if (sfd < 0)
		goto out;
	next = now_ns();
	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		uint64_t now;
		int timeout, r;

		/* a card that fails one round may answer the next */
		if (prom) {
			prom_snapshot(ctx, spec, prom);
		} else {
			snapshot(&opts, ctx, spec, t, true);
			if (!opts.json)
				fputc('\n', stdout);
		}
		fflush(stdout);
		if (ferror(stdout))
			break;
		/* keep the rhythm: sleep to the next tick, not a full period */
		next += interval;
		now = now_ns();
		if (next < now)
			next = now;
		timeout = (int)((next - now + 999999) / 1000000);
		r = poll(&pfd, 1, timeout);
		if (r < 0 && errno != EINTR) {
			lib_error(NULL, -errno, "poll");
			goto out;
		}
		if (r > 0) {
			ret = OIOCTL_EXIT_OK;
			goto out;
		}
	}
out:
	if (sfd >= 0)
		close(sfd);
	oio_ctx_free(ctx);
	free(t);
	return ret;
}
