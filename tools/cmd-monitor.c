// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl monitor: print the driver's events, one line each, until SIGINT,
 * SIGTERM or SIGHUP.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "oioctl.h"
#include "output.h"
#include "parse.h"

static const char monitor_usage[] =
"Usage: oioctl monitor [-t] [CARD|all] [OBJECT...]\n"
"\n"
"Print every event of the oio driver's monitor group as it comes, one\n"
"line each (with --json, one JSON object per line): cards added, removed\n"
"or changed (interlock, arming, alarms, health), ports' line shifts, laser\n"
"lines changed or alarmed, lanes changed or changing state, rings set or\n"
"losing their line or reaching a heater limit, sweeps done - whoever made\n"
"the change: netlink, sysfs or the card. Runs until SIGINT, SIGTERM or\n"
"SIGHUP.\n"
"\n"
"CARD (N or oioN) keeps the events of that card only; OBJECT (card, port,\n"
"laser, lane, ring, sweep) the events of those kinds only. When the driver\n"
"is unloaded and loaded again, a driver-gone and a driver-back line say so\n"
"and the monitor goes on with the new driver, printing a card-add for each\n"
"of its cards, once, even those it announced before the monitor rejoined.\n"
"Lost events (the socket overflowed) are reported on stderr, and as an\n"
"events-lost object with --json, with the count of overflows so far.\n"
"\n"
"Options:\n"
"  -t, --timestamp  start each line with the time the event was read\n"
"                   (UTC, ISO 8601 with microseconds); a \"timestamp\" key\n"
"                   with --json\n";

/* the object kinds a filter names, by bit */
static const char *const kind_names[] = {
	"card", "port", "laser", "lane", "ring", "sweep",
};

enum { KIND_CARD, KIND_PORT, KIND_LASER, KIND_LANE, KIND_RING, KIND_SWEEP };

/* Card ids below this are told apart when their card-add is printed. */
#define MONITOR_IDS	1024

struct monitor {
	const struct oioctl *o;
	bool timestamp;
	bool one_card;
	uint32_t card_id;
	unsigned int kinds;	/* 0: every kind */
	unsigned long overflows;
	char ts[40];		/* the time of the event being printed */
	/* cards whose card-add was printed, by id: each is printed once */
	uint64_t added[MONITOR_IDS / 64];
};

/* Mark card id's card-add printed; was it already? */
static bool added_before(struct monitor *m, uint32_t id)
{
	uint64_t bit;
	bool was;

	if (id >= MONITOR_IDS)
		return false;
	bit = 1ull << (id % 64);
	was = m->added[id / 64] & bit;
	m->added[id / 64] |= bit;
	return was;
}

static int event_kind(enum oio_event_type t)
{
	switch (t) {
	case OIO_EVENT_CARD_ADD:
	case OIO_EVENT_CARD_DELETE:
	case OIO_EVENT_CARD_CHANGE:
		return KIND_CARD;
	case OIO_EVENT_PORT_CHANGE:
		return KIND_PORT;
	case OIO_EVENT_LASER_CHANGE:
		return KIND_LASER;
	case OIO_EVENT_LANE_CHANGE:
		return KIND_LANE;
	case OIO_EVENT_RING_CHANGE:
		return KIND_RING;
	case OIO_EVENT_SWEEP_DONE:
		return KIND_SWEEP;
	default:
		return -1;
	}
}

/* Driver events concern every card and pass any filter. */
static bool wanted(const struct monitor *m, const struct oio_event *ev)
{
	int kind = event_kind(ev->type);

	if (kind < 0)
		return true;
	if (m->one_card && ev->card_id != m->card_id)
		return false;
	return !m->kinds || (m->kinds & (1u << kind));
}

/* Now, as 2026-11-30T05:40:14.123456Z, into m->ts. */
static void stamp(struct monitor *m)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(m->ts, sizeof(m->ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(m->ts + n, sizeof(m->ts) - n, ".%06ldZ", ts.tv_nsec / 1000);
}

static void event_text(const struct oioctl *o, const struct oio_event *ev)
{
	const char *name = name_or_unknown(oio_event_type_name(ev->type));
	char b[3][32];

	switch (ev->type) {
	case OIO_EVENT_DRIVER_GONE:
		printf("[%s] the oio driver was unloaded\n", name);
		return;
	case OIO_EVENT_DRIVER_BACK:
		printf("[%s] the oio driver is loaded again\n", name);
		return;
	default:
		break;
	}
	printf("[%s] oio%" PRIu32, name, ev->card_id);
	switch (ev->type) {
	case OIO_EVENT_CARD_ADD:
		printf(" pci %s serial %" PRIu32 " firmware %s",
		       ev->card.pci_address, ev->card.serial,
		       ev->card.fw_version);
		break;
	case OIO_EVENT_CARD_CHANGE:
		if (ev->card.health != OIO_CARD_HEALTH_OK) {
			printf(" %s", name_or_unknown(
				oio_card_health_name(ev->card.health)));
			break;
		}
		printf(" %s interlock %s temp %s alarms 0x%" PRIx32,
		       ev->card.armed ? "armed" : "disarmed",
		       ev->card.interlock_closed ? "closed" : "open",
		       fmt_temp(b[0], sizeof(b[0]), ev->card.temp_mc, o->utf8),
		       ev->card.alarms);
		break;
	case OIO_EVENT_PORT_CHANGE:
		printf(" port %" PRIu32 " line-shift %" PRIu32, ev->port.port,
		       ev->port.line_shift);
		break;
	case OIO_EVENT_LASER_CHANGE:
		printf(" line %" PRIu32 " %s %s bias %s power %s alarms 0x%"
		       PRIx32, ev->laser.line, ev->laser.enable ? "on" : "off",
		       fmt_laser_status(b[0], sizeof(b[0]), ev->laser.status),
		       fmt_ma(b[1], sizeof(b[1]), ev->laser.bias_ua),
		       fmt_mw(b[2], sizeof(b[2]), ev->laser.power_uw),
		       ev->laser.alarms);
		break;
	case OIO_EVENT_LANE_CHANGE:
		printf(" lane %" PRIu32 " %s reason %s alarms 0x%" PRIx32,
		       ev->lane.lane,
		       lane_state_str(ev->lane.state),
		       lane_reason_str(ev->lane.reason),
		       ev->lane.alarms);
		break;
	case OIO_EVENT_RING_CHANGE:
		printf(" ring %" PRIu32 " %s heater %" PRIu32 " at-limit %s",
		       ev->ring.ring,
		       lock_state_str(ev->ring.lock_state),
		       ev->ring.heater, ev->ring.at_limit ? "yes" : "no");
		break;
	case OIO_EVENT_SWEEP_DONE:
		printf(" rings %" PRIu32 "-%" PRIu32 " points %" PRIu32,
		       ev->sweep.first_ring,
		       ev->sweep.first_ring + ev->sweep.ring_count - 1,
		       ev->sweep.points);
		break;
	default:
		break;
	}
	printf("\n");
}

/* One key per object, as the matching show command prints it. */
static void add_one(struct json_object *o, const char *key,
		    struct json_object *obj)
{
	struct json_object *arr = json_object_new_array();

	json_object_array_add(arr, obj);
	json_object_object_add(o, key, arr);
}

static struct json_object *event_json(const struct monitor *m,
				      const struct oio_event *ev)
{
	struct json_object *o = json_object_new_object();

	jadd_str(o, "event", name_or_unknown(oio_event_type_name(ev->type)));
	if (m->timestamp)
		jadd_str(o, "timestamp", m->ts);
	if (ev->type == OIO_EVENT_DRIVER_GONE ||
	    ev->type == OIO_EVENT_DRIVER_BACK)
		return o;
	jadd_u64(o, "card_id", ev->card_id);
	switch (ev->type) {
	case OIO_EVENT_CARD_ADD:
	case OIO_EVENT_CARD_DELETE:
	case OIO_EVENT_CARD_CHANGE:
		add_one(o, "cards", json_card(&ev->card, false));
		break;
	case OIO_EVENT_LASER_CHANGE:
		add_one(o, "lasers", json_laser(&ev->laser));
		break;
	case OIO_EVENT_LANE_CHANGE:
		add_one(o, "lanes", json_lane(&ev->lane));
		break;
	case OIO_EVENT_RING_CHANGE:
		add_one(o, "rings", json_ring(&ev->ring));
		break;
	case OIO_EVENT_PORT_CHANGE:
		add_one(o, "ports", json_port(&ev->port));
		break;
	case OIO_EVENT_SWEEP_DONE:
		jadd_u64(o, "first_ring", ev->sweep.first_ring);
		jadd_u64(o, "ring_count", ev->sweep.ring_count);
		jadd_u64(o, "points", ev->sweep.points);
		break;
	default:
		break;
	}
	return o;
}

static void print_event(struct monitor *m, const struct oio_event *ev)
{
	if (!wanted(m, ev))
		return;
	if (m->timestamp)
		stamp(m);
	if (m->o->json) {
		json_print(stdout, event_json(m, ev), false);
	} else {
		if (m->timestamp)
			printf("%s ", m->ts);
		event_text(m->o, ev);
	}
	/* a reader at the other end of a pipe wants each event at once */
	fflush(stdout);
}

/*
 * A reloaded driver may announce its cards before the monitor has joined
 * its group again: the cards it has are listed as card-add events, and a
 * card-add that comes after for a card so listed is not printed twice.
 */
static void list_cards(struct monitor *m)
{
	struct oio_card_info *info = NULL;
	struct oio_ctx *ctx;
	size_t i, n = 0;
	int err;

	err = oio_ctx_new(&ctx, 0);
	if (!err) {
		err = oio_card_list(ctx, &info, &n);
		oio_ctx_free(ctx);
	}
	if (err) {
		fprintf(stderr, "oioctl: warning: cannot list the cards of the reloaded driver (%s): their card-add events may be missing\n",
			strerror(-err));
		return;
	}
	for (i = 0; i < n; i++) {
		struct oio_event ev = {
			.type = OIO_EVENT_CARD_ADD, .card_id = info[i].id,
		};

		if (added_before(m, info[i].id))
			continue;
		ev.card = info[i];
		print_event(m, &ev);
	}
	free(info);
}

static int on_event(const struct oio_event *ev, void *arg)
{
	struct monitor *m = arg;

	switch (ev->type) {
	case OIO_EVENT_CARD_ADD:
		if (added_before(m, ev->card_id))
			return 0;
		break;
	case OIO_EVENT_CARD_DELETE:
		if (ev->card_id < MONITOR_IDS)
			m->added[ev->card_id / 64] &= ~(1ull << (ev->card_id % 64));
		break;
	case OIO_EVENT_DRIVER_GONE:
		memset(m->added, 0, sizeof(m->added));
		break;
	default:
		break;
	}
	print_event(m, ev);
	if (ev->type == OIO_EVENT_DRIVER_BACK)
		list_cards(m);
	return 0;
}

static void events_lost(struct monitor *m)
{
	struct json_object *j;

	m->overflows++;
	fprintf(stderr, "oioctl: warning: events were lost (monitor socket overflow, %lu so far)\n",
		m->overflows);
	if (!m->o->json)
		return;
	j = json_object_new_object();
	jadd_str(j, "event", "events-lost");
	if (m->timestamp) {
		stamp(m);
		jadd_str(j, "timestamp", m->ts);
	}
	jadd_u64(j, "overflows", m->overflows);
	json_print(stdout, j, false);
	fflush(stdout);
}

/* Linux reports twice the usable size it granted. */
static void check_rcvbuf(int fd)
{
	socklen_t len;
	int got;

	len = sizeof(got);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) ||
	    got / 2 >= OIO_MONITOR_RCVBUF)
		return;
	fprintf(stderr, "oioctl: warning: the monitor socket's receive buffer is %d KiB, not the %d KiB asked for (capped by net.core.rmem_max; CAP_NET_ADMIN lifts the cap): a burst of events may overflow it\n",
		got / 2 / 1024, OIO_MONITOR_RCVBUF / 1024);
}

/* [CARD|all] [OBJECT...] into m. */
static int parse_filter(struct cmd_args *a, struct monitor *m)
{
	struct card_spec cs;
	const char *s;
	int i, k;

	for (i = 0; (s = cmd_arg(a, i)); i++) {
		k = parse_keyword(s, kind_names, ARRAY_SIZE(kind_names));
		if (k >= 0) {
			m->kinds |= 1u << k;
			continue;
		}
		if (i)
			return usage_error("unknown object '%s' for 'monitor' (want card, port, laser, lane, ring or sweep)",
					   s);
		if (!strcmp(s, "all"))
			continue;
		if (parse_card_spec(s, &cs) || cs.kind != CARD_SPEC_ID)
			return usage_error("invalid card or object '%s' for 'monitor' (want N, oioN, all, or card, port, laser, lane, ring, sweep)",
					   s);
		m->one_card = true;
		m->card_id = cs.id;
	}
	return 0;
}

int cmd_monitor(const struct oioctl *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timestamp", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct oioctl opts = *o;
	struct oio_monitor *mon = NULL;
	struct monitor m = { .o = &opts };
	struct pollfd pfd[2];
	struct cmd_args a;
	int c, err, sfd, ret = OIOCTL_EXIT_ERROR;

	cmd_args_init(&a, "monitor", monitor_usage, argc, argv);
	a.longopts = longopts;
	a.shortopts = "t";
	while ((c = cmd_getopt(&a, &opts)) > 0)
		if (c == 't')
			m.timestamp = true;
	if (c < 0)
		return OPT_EXIT(c);
	c = parse_filter(&a, &m);
	if (c)
		return c;

	sfd = stop_signal_fd();
	if (sfd < 0)
		return OIOCTL_EXIT_ERROR;
	err = oio_monitor_open(&mon);
	if (err) {
		if (err == -ENOENT)
			cli_error("open the oio monitor group: " DRIVER_GONE);
		else
			lib_error(NULL, err, "open the oio monitor group");
		goto out;
	}
	check_rcvbuf(oio_monitor_fd(mon));
	pfd[0].fd = oio_monitor_fd(mon);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			lib_error(NULL, -errno, "poll");
			goto out;
		}
		if (pfd[1].revents) {
			ret = OIOCTL_EXIT_OK;
			goto out;
		}
		if (!pfd[0].revents)
			continue;
		err = oio_monitor_dispatch(mon, on_event, &m);
		if (err == -ENOBUFS) {
			/* the socket overflowed; later events still come */
			events_lost(&m);
			continue;
		}
		if (err < 0) {
			lib_error(NULL, err, "read oio events");
			goto out;
		}
	}
out:
	oio_monitor_close(mon);
	close(sfd);
	return ret;
}
