// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl monitor: print the driver's events, one line each, until SIGINT,
 * SIGTERM or SIGHUP.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oioctl.h"
#include "output.h"

static const char monitor_usage[] =
"Usage: oioctl monitor\n"
"\n"
"Print every event of the oio driver's monitor group as it comes, one\n"
"line each (with --json, one JSON object per line): cards added, removed\n"
"or changed (interlock, arming, alarms, health), ports' line shifts, laser\n"
"lines changed or alarmed, lanes changed or changing state, rings set or\n"
"losing their line or reaching a heater limit, sweeps done - whoever made\n"
"the change: netlink, sysfs or the card. Runs until SIGINT, SIGTERM or\n"
"SIGHUP.\n";

static void event_text(const struct oioctl *o, const struct oio_event *ev)
{
	const char *name = name_or_unknown(oio_event_type_name(ev->type));
	char b[3][32];

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

static struct json_object *event_json(const struct oio_event *ev)
{
	struct json_object *o = json_object_new_object();

	jadd_str(o, "event", name_or_unknown(oio_event_type_name(ev->type)));
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

static int on_event(const struct oio_event *ev, void *arg)
{
	const struct oioctl *o = arg;

	if (o->json)
		json_print(stdout, event_json(ev), false);
	else
		event_text(o, ev);
	/* a reader at the other end of a pipe wants each event at once */
	fflush(stdout);
	return 0;
}

int cmd_monitor(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_monitor *mon = NULL;
	struct pollfd pfd[2];
	struct cmd_args a;
	int c, err, sfd, ret = OIOCTL_EXIT_ERROR;

	cmd_args_init(&a, "monitor", monitor_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a))
		return usage_error("'monitor' takes no arguments");

	sfd = stop_signal_fd();
	if (sfd < 0)
		return OIOCTL_EXIT_ERROR;
	err = oio_monitor_open(&mon);
	if (err) {
		if (err == -ENOENT)
			cli_error("open the oio monitor group: %s (is oio.ko loaded?)",
				  strerror(ENOENT));
		else
			lib_error(NULL, err, "open the oio monitor group");
		goto out;
	}
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
		err = oio_monitor_dispatch(mon, on_event, &opts);
		if (err == -ENOBUFS) {
			/* the socket overflowed; later events still come */
			fprintf(stderr, "oioctl: warning: events were lost (monitor socket overflow)\n");
			if (opts.json) {
				printf("{\"event\":\"events-lost\"}\n");
				fflush(stdout);
			}
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
