// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl ring show|set: the microrings, their heaters and lock loops.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oioctl.h"
#include "output.h"

static const char ring_usage[] =
"Usage: oioctl ring show [CARD [RING]]\n"
"       oioctl ring set CARD RING [heater CODE] [lock on|off]\n"
"\n"
"Ring r belongs to lane r / 2: even rings transmit (TX), odd ones receive\n"
"(RX). RING may be N, N-M or all for show.\n"
"show: heater code and power, monitor photocurrent, lock loop and its\n"
"state, and whether the loop's heater is at a limit.\n"
"set: heater CODE (0-4095) moves the ring while its lock loop is off;\n"
"lock on starts a capture (acquiring, some tens of microseconds) that\n"
"climbs to the resonance uphill of where the ring sits and ends locked or\n"
"no-signal; lock off releases the ring where the loop left it. With both,\n"
"the heater is set first.\n";

static void ring_header(void)
{
	printf("CARD  RING  LANE  SIDE  HEATER  POWER    MONITOR    LOCK  "
	       "STATE      LIMIT\n");
}

static void ring_row(const struct oioctl *o, const struct oio_ring_info *r)
{
	char b[32];

	snprintf(b, sizeof(b), "oio%" PRIu32, r->card_id);
	put_cell(stdout, b, 6);
	snprintf(b, sizeof(b), "%" PRIu32, r->ring);
	put_cell(stdout, b, 6);
	snprintf(b, sizeof(b), "%" PRIu32, r->ring / 2);
	put_cell(stdout, b, 6);
	put_cell(stdout, r->ring % 2 ? "rx" : "tx", 6);
	snprintf(b, sizeof(b), "%" PRIu32, r->heater);
	put_cell(stdout, b, 8);
	put_cell(stdout, fmt_mw(b, sizeof(b), r->heater_uw), 9);
	put_cell(stdout, fmt_na(b, sizeof(b), r->monitor_na, o->utf8), 11);
	put_cell(stdout, r->lock ? "on" : "off", 6);
	put_cell(stdout, lock_state_str(r->lock_state),
		 11);
	printf("%s\n", r->at_limit ? "yes" : "no");
}

static int rings_print(const struct oioctl *o, struct oio_ctx *ctx,
		       const struct oio_card_info *cards, size_t ncards,
		       uint32_t first, uint32_t last)
{
	struct json_object *arr = NULL, *top;
	struct oio_ring_info *r;
	size_t i, k, n;
	int err, ret = 0;

	if (o->json)
		arr = json_object_new_array();
	else
		ring_header();
	for (i = 0; i < ncards; i++) {
		err = oio_ring_list(ctx, cards[i].id, &r, &n);
		if (err) {
			ret = lib_error(ctx, err, "list rings of oio%" PRIu32,
					cards[i].id);
			continue;
		}
		for (k = 0; k < n; k++) {
			if (r[k].ring < first || r[k].ring > last)
				continue;
			if (o->json)
				json_object_array_add(arr, json_ring(&r[k]));
			else
				ring_row(o, &r[k]);
		}
		free(r);
	}
	if (o->json) {
		top = json_object_new_object();
		json_object_object_add(top, "rings", arr);
		json_print(stdout, top, o->pretty);
	}
	return ret;
}

static int ring_show(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	uint32_t first = 0, last = UINT32_MAX;
	struct cmd_args a;
	size_t ncards;
	int c, ret;

	cmd_args_init(&a, "ring show", ring_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 2)
		return usage_error("too many arguments for 'ring show'");
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, cmd_arg(&a, 0), &cards, &ncards);
	if (!ret && cmd_npos(&a) == 2)
		ret = arg_range("RING", cmd_arg(&a, 1),
				2 * card_lanes(&cards[0]) - 1, &first, &last);
	if (ret)
		goto out;
	ret = rings_print(&opts, ctx, cards, ncards, first, last);
out:
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

static int ring_set(const struct oioctl *o, int argc, char **argv)
{
	/*
	 * Capture looks for a line at the ring's present resonance, which
	 * lags a heater write by the heater's time constant (4 us by
	 * default, datasheet 6.13 asks for 5 of them): wait well past that.
	 */
	static const struct timespec settle = { 0, 1000000 };
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_ctx *ctx = NULL;
	bool has_heater = false, has_lock = false, lock = false;
	uint32_t ring, code = 0;
	struct cmd_args a;
	int c, i, err, ret;

	cmd_args_init(&a, "ring set", ring_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) < 4)
		return usage_error("'ring set' needs CARD RING and heater or lock");
	for (i = 2; i < cmd_npos(&a); i += 2) {
		const char *key = cmd_arg(&a, i), *val = cmd_arg(&a, i + 1);

		if (strcmp(key, "heater") && strcmp(key, "lock"))
			return usage_error("unknown ring setting '%s' (want heater or lock)",
					   key);
		if (!val)
			return usage_error("ring setting '%s' needs a value",
					   key);
		if (!strcmp(key, "heater")) {
			ret = arg_u32("heater code", val, 0, OIO_HEATER_MAX,
				      &code);
			has_heater = true;
		} else {
			ret = arg_bool("lock", val, &lock);
			has_lock = true;
		}
		if (ret)
			return ret;
	}
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (!ret)
		ret = arg_u32("RING", cmd_arg(&a, 1), 0,
			      2 * card_lanes(&card) - 1, &ring);
	if (ret)
		goto out;

	/* the loop owns the heater: release it before, engage it after */
	if (has_lock && !lock) {
		err = oio_ring_set_lock(ctx, card.id, ring, false);
		if (err) {
			ret = lib_error(ctx, err, "unlock ring %" PRIu32
					" of oio%" PRIu32, ring, card.id);
			goto out;
		}
	}
	if (has_heater) {
		err = oio_ring_set_heater(ctx, card.id, ring, code);
		if (err) {
			ret = lib_error(ctx, err, "set heater of ring %"
					PRIu32 " of oio%" PRIu32, ring,
					card.id);
			goto out;
		}
	}
	if (has_lock && lock) {
		if (has_heater)
			nanosleep(&settle, NULL);
		err = oio_ring_set_lock(ctx, card.id, ring, true);
		if (err) {
			ret = lib_error(ctx, err, "lock ring %" PRIu32
					" of oio%" PRIu32, ring, card.id);
			goto out;
		}
	}
	ret = rings_print(&opts, ctx, &card, 1, ring, ring);
out:
	oio_ctx_free(ctx);
	return ret;
}

int cmd_ring(const struct oioctl *o, int argc, char **argv)
{
	static const char *const subs[] = { "show", "set" };
	int skip, s = subcommand(argc, argv, ring_usage, subs, 2, &skip);

	if (s < 0)
		return OPT_EXIT(s);
	if (s == 1)
		return ring_set(o, argc - skip, argv + skip);
	return ring_show(o, argc - skip, argv + skip);
}
