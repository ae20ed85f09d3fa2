// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl list, show, arm and port: the cards and their ports.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oioctl.h"
#include "output.h"

static const char list_usage[] =
"Usage: oioctl list\n"
"\n"
"List the OIO devices on the PCI bus, with or without the oio driver\n"
"bound, and for each card the driver has: id, serial, firmware, ports x\n"
"wavelengths, temperature, arming and interlock. Works without the\n"
"driver loaded.\n";

static const char show_usage[] =
"Usage: oioctl show [CARD]\n"
"\n"
"Details of one card, or of every card: identity, temperature, interlock,\n"
"arming, alarms, nominal calibration, a summary of the lasers, lanes up,\n"
"and the ports' line shifts.\n";

static const char arm_usage[] =
"Usage: oioctl arm CARD on|off|ack\n"
"\n"
"Arm a card (lasers may then be enabled; needs the interlock closed and\n"
"its last opening acknowledged), disarm it (every line ramps down), or\n"
"acknowledge the interlock's last opening (ack).\n";

struct list_row {
	const struct oio_pci_dev *pci;		/* NULL: no PCI record */
	const struct oio_card_info *card;	/* NULL: no card */
};

static void list_text(const struct oioctl *o, const struct list_row *rows,
		      size_t n)
{
	static const char *const head[] = {
		"PCI", "DRIVER", "CARD", "SERIAL", "FIRMWARE", "PORTSxWL",
		"TEMP", "ARMED", "INTERLOCK",
	};
	static const size_t width[] = { 14, 8, 6, 10, 10, 10, 9, 7, 9 };
	char cell[9][48];
	size_t i, k;

	for (k = 0; k < 8; k++)
		put_cell(stdout, head[k], width[k]);
	printf("%s\n", head[8]);
	for (i = 0; i < n; i++) {
		const struct oio_card_info *c = rows[i].card;
		const struct oio_pci_dev *p = rows[i].pci;

		for (k = 0; k < 9; k++)
			strcpy(cell[k], "-");
		snprintf(cell[0], sizeof(cell[0]), "%s",
			 p ? p->address : c->pci_address);
		if (p && p->driver[0])
			snprintf(cell[1], sizeof(cell[1]), "%s", p->driver);
		else if (!p)
			strcpy(cell[1], "oio");
		if (c) {
			snprintf(cell[2], sizeof(cell[2]), "oio%" PRIu32,
				 c->id);
			snprintf(cell[3], sizeof(cell[3]), "%" PRIu32,
				 c->serial);
			snprintf(cell[4], sizeof(cell[4]), "%s",
				 c->fw_version);
			snprintf(cell[5], sizeof(cell[5]),
				 "%" PRIu32 "x%" PRIu32, c->ports,
				 c->wavelengths);
			fmt_temp(cell[6], sizeof(cell[6]), c->temp_mc, o->utf8);
			strcpy(cell[7], c->armed ? "yes" : "no");
			strcpy(cell[8], c->interlock_closed ? "closed" :
							       "open");
		}
		for (k = 0; k < 8; k++)
			put_cell(stdout, cell[k], width[k]);
		printf("%s\n", cell[8]);
	}
}

static void list_json(const struct oioctl *o, const struct list_row *rows,
		      size_t n)
{
	struct json_object *top = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		const struct oio_pci_dev *p = rows[i].pci;
		const struct oio_card_info *c = rows[i].card;
		struct json_object *e = json_object_new_object();

		jadd_str(e, "pci_address", p ? p->address : c->pci_address);
		if (p) {
			jadd_u64(e, "vendor", p->vendor);
			jadd_u64(e, "device", p->device);
			jadd_u64(e, "revision", p->revision);
		} else {
			json_object_object_add(e, "vendor", NULL);
			json_object_object_add(e, "device", NULL);
			json_object_object_add(e, "revision", NULL);
		}
		jadd_str(e, "driver", p ? (p->driver[0] ? p->driver : NULL) :
					  "oio");
		json_object_object_add(e, "card",
				       c ? json_card(c, false) : NULL);
		json_object_array_add(arr, e);
	}
	json_object_object_add(top, "devices", arr);
	json_print(stdout, top, o->pretty);
}

int cmd_list(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_pci_dev *devs = NULL;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	struct list_row *rows = NULL;
	size_t ndevs = 0, ncards = 0, nrows = 0, i, k;
	struct cmd_args a;
	int c, err, ret = OIOCTL_EXIT_ERROR;

	cmd_args_init(&a, "list", list_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a))
		return usage_error("'list' takes no arguments");

	err = oio_pci_scan(&devs, &ndevs);
	if (err)
		return lib_error(NULL, err, "scan PCI for oio devices");
	/* a missing driver is what list is there to show, not an error */
	err = oio_ctx_new(&ctx, 0);
	if (err && err != -ENOENT) {
		lib_error(NULL, err, "open the oio netlink family");
		goto out;
	}
	if (ctx) {
		err = oio_card_list(ctx, &cards, &ncards);
		if (err) {
			lib_error(ctx, err, "list cards");
			goto out;
		}
	}

	rows = calloc(ndevs + ncards + 1, sizeof(*rows));
	if (!rows) {
		lib_error(NULL, -ENOMEM, "list");
		goto out;
	}
	for (i = 0; i < ndevs; i++) {
		rows[nrows].pci = &devs[i];
		for (k = 0; k < ncards; k++)
			if (!strcasecmp(cards[k].pci_address, devs[i].address))
				rows[nrows].card = &cards[k];
		nrows++;
	}
	/* a card the scan missed (another vendor id?) still gets a row */
	for (k = 0; k < ncards; k++) {
		for (i = 0; i < nrows; i++)
			if (rows[i].card == &cards[k])
				break;
		if (i == nrows)
			rows[nrows++].card = &cards[k];
	}

	if (opts.json)
		list_json(&opts, rows, nrows);
	else
		list_text(&opts, rows, nrows);
	ret = OIOCTL_EXIT_OK;
out:
	free(rows);
	free(cards);
	free(devs);
	oio_ctx_free(ctx);
	return ret;
}

/* What show prints besides the card's own fields. */
struct card_detail {
	struct oio_laser_info *lasers;
	size_t n_lasers;
	struct oio_lane_info *lanes;
	size_t n_lanes;
	struct oio_port_info *ports;
	size_t n_ports;
};

static void card_detail_free(struct card_detail *d)
{
	free(d->lasers);
	free(d->lanes);
	free(d->ports);
	memset(d, 0, sizeof(*d));
}

static int card_detail_get(struct oio_ctx *ctx, uint32_t id,
			   struct card_detail *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	err = oio_laser_list(ctx, id, &d->lasers, &d->n_lasers);
	if (err)
		return lib_error(ctx, err, "list lasers of oio%" PRIu32, id);
	err = oio_lane_list(ctx, id, &d->lanes, &d->n_lanes);
	if (err) {
		card_detail_free(d);
		return lib_error(ctx, err, "list lanes of oio%" PRIu32, id);
	}
	err = oio_port_list(ctx, id, &d->ports, &d->n_ports);
	if (err) {
		card_detail_free(d);
		return lib_error(ctx, err, "list ports of oio%" PRIu32, id);
	}
	return 0;
}

struct laser_summary {
	uint32_t enabled, emitting, failed;
	uint32_t power_min_uw, power_max_uw;	/* over emitting lines */
};

static void laser_summary(const struct card_detail *d,
			  struct laser_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->power_min_uw = UINT32_MAX;
	for (i = 0; i < d->n_lasers; i++) {
		const struct oio_laser_info *l = &d->lasers[i];

		s->enabled += l->enable;
		s->failed += !!(l->status & OIO_LASER_FAILED);
		if (!(l->status & OIO_LASER_EMITTING))
			continue;
		s->emitting++;
		if (l->power_uw < s->power_min_uw)
			s->power_min_uw = l->power_uw;
		if (l->power_uw > s->power_max_uw)
			s->power_max_uw = l->power_uw;
	}
	if (!s->emitting)
		s->power_min_uw = 0;
}

static uint32_t lanes_up(const struct oio_lane_info *lanes, size_t n)
{
	uint32_t up = 0;
	size_t i;

	for (i = 0; i < n; i++)
		up += lanes[i].state == OIO_LANE_STATE_ACTIVATED;
	return up;
}

static void show_text(const struct oioctl *o, const struct oio_card_info *c,
		      const struct card_detail *d)
{
	struct laser_summary ls;
	char t[32], p1[32], p2[32];
	size_t i;

	laser_summary(d, &ls);
	printf("oio%" PRIu32 ": pci %s serial %" PRIu32 " firmware %s board rev %"
	       PRIu32 "\n", c->id, c->pci_address, c->serial, c->fw_version,
	       c->board_rev);
	printf("  %" PRIu32 " ports x %" PRIu32 " wavelengths: %" PRIu32
	       " lanes, %" PRIu32 " rings\n", c->ports, c->wavelengths,
	       card_lanes(c), 2 * card_lanes(c));
	if (c->health != OIO_CARD_HEALTH_OK)
		printf("  card %s\n",
		       name_or_unknown(oio_card_health_name(c->health)));
	printf("  temperature %s, interlock %s%s, %s, alarms 0x%" PRIx32 "\n",
	       fmt_temp(t, sizeof(t), c->temp_mc, o->utf8),
	       c->interlock_closed ? "closed" : "open",
	       c->interlock_opened ? " (opening not acknowledged)" : "",
	       c->armed ? "armed" : "not armed", c->alarms);
	printf("  calibration: grid first %" PRIu32 " pm, spacing %" PRIu32
	       " pm, FSR %" PRIu32 " pm, heater range %" PRIu32
	       " pm, FWHM %" PRIu32 " pm, drift %" PRIu32 " pm/K\n",
	       c->grid_first_pm, c->grid_spacing_pm, c->fsr_pm,
	       c->heater_range_pm, c->fwhm_pm, c->drift_pm_per_k);
	printf("  lasers: %" PRIu32 "/%zu enabled, %" PRIu32 " emitting, %"
	       PRIu32 " failed", ls.enabled, d->n_lasers, ls.emitting,
	       ls.failed);
	if (ls.emitting)
		printf(", power %s to %s",
		       fmt_mw(p1, sizeof(p1), ls.power_min_uw),
		       fmt_mw(p2, sizeof(p2), ls.power_max_uw));
	printf("\n  lanes: %" PRIu32 "/%zu up\n",
	       lanes_up(d->lanes, d->n_lanes), d->n_lanes);
	printf("  line shifts:");
	for (i = 0; i < d->n_ports; i++)
		printf(" port%" PRIu32 "=%" PRIu32, d->ports[i].port,
		       d->ports[i].line_shift);
	printf("\n");
}

static struct json_object *show_json(const struct oio_card_info *c,
				     const struct card_detail *d)
{
	struct json_object *obj = json_card(c, true);
	struct json_object *shift = json_object_new_array();
	struct laser_summary ls;
	size_t i;

	laser_summary(d, &ls);
	jadd_u64(obj, "lasers_total", d->n_lasers);
	jadd_u64(obj, "lasers_enabled", ls.enabled);
	jadd_u64(obj, "lasers_emitting", ls.emitting);
	jadd_u64(obj, "lasers_failed", ls.failed);
	jadd_u64(obj, "laser_power_min_uw", ls.power_min_uw);
	jadd_u64(obj, "laser_power_max_uw", ls.power_max_uw);
	jadd_u64(obj, "lanes_total", d->n_lanes);
	jadd_u64(obj, "lanes_up", lanes_up(d->lanes, d->n_lanes));
	for (i = 0; i < d->n_ports; i++)
		json_object_array_add(shift,
			json_object_new_uint64(d->ports[i].line_shift));
	json_object_object_add(obj, "line_shifts", shift);
	return obj;
}

int cmd_show(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct json_object *arr = NULL, *top;
	struct oio_ctx *ctx = NULL;
	struct card_detail d;
	struct cmd_args a;
	size_t n, i;
	int c, ret;

	cmd_args_init(&a, "show", show_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 1)
		return usage_error("too many arguments for 'show'");
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, cmd_arg(&a, 0), &cards, &n);
	if (ret) {
		oio_ctx_free(ctx);
		return ret;
	}
	if (opts.json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (card_detail_get(ctx, cards[i].id, &d)) {
			ret = OIOCTL_EXIT_ERROR;
			continue;
		}
		if (opts.json)
			json_object_array_add(arr, show_json(&cards[i], &d));
		else
			show_text(&opts, &cards[i], &d);
		card_detail_free(&d);
	}
	if (opts.json) {
		top = json_object_new_object();
		json_object_object_add(top, "cards", arr);
		json_print(stdout, top, opts.pretty);
	}
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

int cmd_arm(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_ctx *ctx = NULL;
	struct cmd_args a;
	bool on = false, ack;
	int c, err, ret;

	cmd_args_init(&a, "arm", arm_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) != 2)
		return usage_error("'arm' needs CARD and on|off|ack");
	ack = !strcmp(cmd_arg(&a, 1), "ack");
	if (!ack) {
		ret = arg_bool("arm state", cmd_arg(&a, 1), &on);
		if (ret)
			return ret;
	}
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (ret)
		goto out;
	err = ack ? oio_card_ack_interlock(ctx, card.id) :
		    oio_card_set_armed(ctx, card.id, on);
	if (err) {
		ret = lib_error(ctx, err, "%s oio%" PRIu32,
				ack ? "acknowledge the interlock of" :
				on ? "arm" : "disarm", card.id);
		goto out;
	}
	err = oio_card_get(ctx, card.id, &card);
	if (err) {
		ret = lib_error(ctx, err, "get card oio%" PRIu32, card.id);
		goto out;
	}
	if (opts.json) {
		struct json_object *top = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		json_object_array_add(arr, json_card(&card, false));
		json_object_object_add(top, "cards", arr);
		json_print(stdout, top, opts.pretty);
	} else {
		printf("oio%" PRIu32 ": %s, interlock %s%s\n", card.id,
		       card.armed ? "armed" : "not armed",
		       card.interlock_closed ? "closed" : "open",
		       card.interlock_opened ?
		       ", opening not acknowledged" : "");
	}
out:
	oio_ctx_free(ctx);
	return ret;
}

static const char port_usage[] =
"Usage: oioctl port show [CARD]\n"
"       oioctl port set CARD PORT shift S\n"
"\n"
"A port's line shift S rotates which laser line its lanes carry: lane w\n"
"of the port carries line (w + S) mod wavelengths. It can change only\n"
"while none of the port's lanes is activated.\n";

static int ports_print(const struct oioctl *o, struct oio_ctx *ctx,
		       const struct oio_card_info *cards, size_t ncards,
		       uint32_t first, uint32_t last)
{
	struct json_object *arr = NULL, *top;
	struct oio_port_info *p;
	size_t i, k, n;
	int err, ret = 0;

	if (o->json)
		arr = json_object_new_array();
	else
		printf("CARD  PORT  SHIFT  LANES\n");
	for (i = 0; i < ncards; i++) {
		uint32_t wl = cards[i].wavelengths;

		err = oio_port_list(ctx, cards[i].id, &p, &n);
		if (err) {
			ret = lib_error(ctx, err, "list ports of oio%" PRIu32,
					cards[i].id);
			continue;
		}
		for (k = 0; k < n; k++) {
			char b[32];

			if (p[k].port < first || p[k].port > last)
				continue;
			if (o->json) {
				json_object_array_add(arr, json_port(&p[k]));
				continue;
			}
			snprintf(b, sizeof(b), "oio%" PRIu32, p[k].card_id);
			put_cell(stdout, b, 6);
			snprintf(b, sizeof(b), "%" PRIu32, p[k].port);
			put_cell(stdout, b, 6);
			snprintf(b, sizeof(b), "%" PRIu32, p[k].line_shift);
			put_cell(stdout, b, 7);
			printf("%" PRIu32 "-%" PRIu32 "\n", p[k].port * wl,
			       p[k].port * wl + wl - 1);
		}
		free(p);
	}
	if (o->json) {
		top = json_object_new_object();
		json_object_object_add(top, "ports", arr);
		json_print(stdout, top, o->pretty);
	}
	return ret;
}

static int port_show(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	struct cmd_args a;
	size_t ncards;
	int c, ret;

	cmd_args_init(&a, "port show", port_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 1)
		return usage_error("too many arguments for 'port show'");
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, cmd_arg(&a, 0), &cards, &ncards);
	if (!ret)
		ret = ports_print(&opts, ctx, cards, ncards, 0, UINT32_MAX);
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

static int port_set(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_ctx *ctx = NULL;
	uint32_t port, shift;
	struct cmd_args a;
	int c, err, ret;

	cmd_args_init(&a, "port set", port_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) != 4 || strcmp(cmd_arg(&a, 2), "shift"))
		return usage_error("'port set' needs CARD PORT shift S");
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (!ret)
		ret = arg_u32("PORT", cmd_arg(&a, 1), 0, card.ports - 1,
			      &port);
	if (!ret)
		ret = arg_u32("line shift", cmd_arg(&a, 3), 0,
			      card.wavelengths - 1, &shift);
	if (ret)
		goto out;
	err = oio_port_set_line_shift(ctx, card.id, port, shift);
	if (err) {
		ret = lib_error(ctx, err, "set line shift of port %" PRIu32
				" of oio%" PRIu32, port, card.id);
		goto out;
	}
	ret = ports_print(&opts, ctx, &card, 1, port, port);
out:
	oio_ctx_free(ctx);
	return ret;
}

int cmd_port(const struct oioctl *o, int argc, char **argv)
{
	static const char *const subs[] = { "show", "set" };
	int skip, s = subcommand(argc, argv, port_usage, subs, 2, &skip);

	if (s < 0)
		return OPT_EXIT(s);
	if (s == 1)
		return port_set(o, argc - skip, argv + skip);
	return port_show(o, argc - skip, argv + skip);
}
