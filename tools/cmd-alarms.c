// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl clear-alarms: clear a card's, a laser line's or a lane's latched
 * alarm flags. The driver keeps a level flag masked from when it latches
 * until it is cleared, so the same fault again raises no event before.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "liboio.h"
#include "oioctl.h"
#include "output.h"

static const char clear_usage[] =
"Usage: oioctl clear-alarms CARD [laser LINE | lane LANE] [FLAGS]\n"
"\n"
"Clear the latched alarm flags of a card, or of one of its laser lines or\n"
"lanes: FLAGS (a number, 0x for hex) or, by default, every flag latched\n"
"now. A flag whose condition persists latches again at once. Prints the\n"
"flags cleared and those latched afterwards.\n";

/* Every flag of each kind, from <linux/oio.h>. */
#define OIO_CARD_ALARMS_ALL	(2 * OIO_CARD_ALARM_TEMP_LOW_WARN - 1)
#define OIO_LASER_ALARMS_ALL	(2 * OIO_LASER_ALARM_FAILURE - 1)
#define OIO_LANE_ALARMS_ALL	(2 * OIO_LANE_ALARM_RX_AT_LIMIT - 1)

struct target {
	const char *kind;	/* "card", "laser", "lane" */
	uint32_t index;
	uint32_t max;		/* every flag of the kind */
};

static int latched(struct oio_ctx *ctx, uint32_t card,
		   const struct target *t, uint32_t *flags)
{
	struct oio_card_info c;
	struct oio_laser_info l;
	struct oio_lane_info n;
	int err;

	if (!strcmp(t->kind, "laser")) {
		err = oio_laser_get(ctx, card, t->index, &l);
		*flags = l.alarms;
	} else if (!strcmp(t->kind, "lane")) {
		err = oio_lane_get(ctx, card, t->index, &n);
		*flags = n.alarms;
	} else {
		err = oio_card_get(ctx, card, &c);
		*flags = c.alarms;
	}
	return err;
}

static int clear(struct oio_ctx *ctx, uint32_t card, const struct target *t,
		 uint32_t flags)
{
	if (!strcmp(t->kind, "laser"))
		return oio_laser_clear_alarms(ctx, card, t->index, flags);
	if (!strcmp(t->kind, "lane"))
		return oio_lane_clear_alarms(ctx, card, t->index, flags);
	return oio_card_clear_alarms(ctx, card, flags);
}

int cmd_clear_alarms(const struct oioctl *o, int argc, char **argv)
{
	struct target t = { .kind = "card", .max = OIO_CARD_ALARMS_ALL };
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_ctx *ctx = NULL;
	uint32_t flags = 0, after = 0;
	bool all = true;
	struct cmd_args a;
	int c, np, err, ret;

	cmd_args_init(&a, "clear-alarms", clear_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	np = cmd_npos(&a);
	if (np < 1 || np > 4)
		return usage_error("'clear-alarms' needs CARD [laser LINE | lane LANE] [FLAGS]");
	if (np >= 3) {
		t.kind = cmd_arg(&a, 1);
		if (strcmp(t.kind, "laser") && strcmp(t.kind, "lane"))
			return usage_error("unknown object '%s' (want laser or lane)",
					   t.kind);
		t.max = strcmp(t.kind, "laser") ? OIO_LANE_ALARMS_ALL :
			OIO_LASER_ALARMS_ALL;
	}
	if (np == 2 || np == 4) {
		ret = arg_u32("FLAGS", cmd_arg(&a, np - 1), 1, t.max, &flags);
		if (ret)
			return ret;
		all = false;
	}
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (!ret && np >= 3)
		ret = arg_u32(strcmp(t.kind, "laser") ? "LANE" : "LINE",
			      cmd_arg(&a, 2), 0, strcmp(t.kind, "laser") ?
			      card_lanes(&card) - 1 : card.wavelengths - 1,
			      &t.index);
	if (ret)
		goto out;
	err = all ? latched(ctx, card.id, &t, &flags) : 0;
	if (!err && flags)
		err = clear(ctx, card.id, &t, flags);
	if (!err)
		err = latched(ctx, card.id, &t, &after);
	if (err) {
		ret = lib_error(ctx, err, "clear alarms of oio%" PRIu32 " %s",
				card.id, t.kind);
		goto out;
	}
	if (opts.json) {
		struct json_object *top = json_object_new_object();
		struct json_object *arr = json_object_new_array();
		struct json_object *obj = json_object_new_object();

		enum flag_kind kind = !strcmp(t.kind, "card") ?
				      FLAGS_CARD_ALARM :
				      !strcmp(t.kind, "laser") ?
				      FLAGS_LASER_ALARM : FLAGS_LANE_ALARM;

		jadd_u64(obj, "card_id", card.id);
		jadd_str(obj, "object", t.kind);
		json_object_object_add(obj, "index", strcmp(t.kind, "card") ?
				       json_object_new_int64(t.index) : NULL);
		jadd_flags(obj, "cleared", kind, flags);
		jadd_flags(obj, "alarms", kind, after);
		json_object_array_add(arr, obj);
		json_object_object_add(top, "alarm_clears", arr);
		json_print(stdout, top, opts.pretty);
	} else if (!strcmp(t.kind, "card")) {
		printf("oio%" PRIu32 ": cleared 0x%" PRIx32 ", latched now 0x%"
		       PRIx32 "\n", card.id, flags, after);
	} else {
		printf("oio%" PRIu32 " %s %" PRIu32 ": cleared 0x%" PRIx32
		       ", latched now 0x%" PRIx32 "\n", card.id, t.kind,
		       t.index, flags, after);
	}
	ret = OIOCTL_EXIT_OK;
out:
	oio_ctx_free(ctx);
	return ret;
}
