// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl laser show|set: the card's laser lines (wavelengths).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oioctl.h"
#include "output.h"
#include "parse.h"

/* OIO_LASER_BIAS_MAX_UA of the datasheet; the kernel checks it too */
#define LASER_BIAS_MAX_UA	150000

static const char laser_usage[] =
"Usage: oioctl laser show [CARD [LINE]]\n"
"       oioctl laser set CARD LINE [enable on|off] [bias CURRENT]\n"
"\n"
"show: enable, status, bias set point and measured bias, optical power\n"
"per port, TEC temperature and alarms of every line (LINE may be N, N-M\n"
"or all).\n"
"set: switch a line on or off (the card must be armed to switch it on)\n"
"and change its bias set point. CURRENT is in uA, or with a unit: 80mA,\n"
"80000uA (at most 150 mA).\n";

static void laser_row(const struct oioctl *o, const struct oio_laser_info *l)
{
	char b[6][40];

	snprintf(b[0], sizeof(b[0]), "oio%" PRIu32, l->card_id);
	snprintf(b[1], sizeof(b[1]), "%" PRIu32, l->line);
	put_cell(stdout, b[0], 6);
	put_cell(stdout, b[1], 6);
	put_cell(stdout, l->enable ? "on" : "off", 8);
	put_cell(stdout, fmt_laser_status(b[2], sizeof(b[2]), l->status), 18);
	put_cell(stdout, fmt_ma(b[3], sizeof(b[3]), l->bias_set_ua), 10);
	put_cell(stdout, fmt_ma(b[4], sizeof(b[4]), l->bias_ua), 10);
	put_cell(stdout, fmt_mw(b[5], sizeof(b[5]), l->power_uw), 9);
	put_cell(stdout, fmt_temp(b[2], sizeof(b[2]), l->temp_mc, o->utf8), 8);
	printf("0x%" PRIx32 "\n", l->alarms);
}

static void laser_header(void)
{
	printf("CARD  LINE  ENABLE  STATUS            BIAS SET  BIAS      "
	       "POWER    TEMP    ALARMS\n");
}

static void lasers_print(const struct oioctl *o,
			 const struct oio_laser_info *l, size_t n)
{
	size_t i;

	if (o->json) {
		struct json_object *top = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(arr, json_laser(&l[i]));
		json_object_object_add(top, "lasers", arr);
		json_print(stdout, top, o->pretty);
		return;
	}
	laser_header();
	for (i = 0; i < n; i++)
		laser_row(o, &l[i]);
}

static int laser_show(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct oio_laser_info *l;
	struct oio_ctx *ctx = NULL;
	struct json_object *arr = NULL, *top;
	uint32_t first = 0, last = UINT32_MAX;
	size_t ncards, n, i, k;
	struct cmd_args a;
	int c, err, ret;

	cmd_args_init(&a, "laser show", laser_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 2)
		return usage_error("too many arguments for 'laser show'");
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, cmd_arg(&a, 0), &cards, &ncards);
	if (!ret && cmd_npos(&a) == 2)
		ret = arg_range("LINE", cmd_arg(&a, 1),
				cards[0].wavelengths - 1, &first, &last);
	if (ret)
		goto out;

	if (opts.json)
		arr = json_object_new_array();
	else
		laser_header();
	for (i = 0; i < ncards; i++) {
		err = oio_laser_list(ctx, cards[i].id, &l, &n);
		if (err) {
			ret = lib_error(ctx, err, "list lasers of oio%" PRIu32,
					cards[i].id);
			continue;
		}
		for (k = 0; k < n; k++) {
			if (l[k].line < first || l[k].line > last)
				continue;
			if (opts.json)
				json_object_array_add(arr, json_laser(&l[k]));
			else
				laser_row(&opts, &l[k]);
		}
		free(l);
	}
	if (opts.json) {
		top = json_object_new_object();
		json_object_object_add(top, "lasers", arr);
		json_print(stdout, top, opts.pretty);
	}
out:
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

static int laser_set(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_laser_info l;
	struct oio_ctx *ctx = NULL;
	bool has_enable = false, has_bias = false, enable = false;
	uint32_t line, bias = 0;
	struct cmd_args a;
	int c, i, err, ret;

	cmd_args_init(&a, "laser set", laser_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) < 4)
		return usage_error("'laser set' needs CARD LINE and enable or bias");
	/* every argument is read before the card is touched */
	for (i = 2; i < cmd_npos(&a); i += 2) {
		const char *key = cmd_arg(&a, i), *val = cmd_arg(&a, i + 1);

		if (strcmp(key, "enable") && strcmp(key, "bias"))
			return usage_error("unknown laser setting '%s' (want enable or bias)",
					   key);
		if (!val)
			return usage_error("laser setting '%s' needs a value",
					   key);
		if (!strcmp(key, "enable")) {
			ret = arg_bool("enable", val, &enable);
			if (ret)
				return ret;
			has_enable = true;
		} else {
			err = parse_current_ua(val, LASER_BIAS_MAX_UA, &bias);
			if (err == -ERANGE)
				return usage_error("bias '%s' out of range (0-150mA)",
						   val);
			if (err)
				return usage_error("invalid bias '%s' (want uA, or a unit: 80mA)",
						   val);
			has_bias = true;
		}
	}
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (!ret)
		ret = arg_u32("LINE", cmd_arg(&a, 1), 0, card.wavelengths - 1,
			      &line);
	if (ret)
		goto out;

	/*
	 * enable first: if the card refuses it (not armed, interlock open)
	 * nothing has changed yet, and enabling ramps to whatever set point
	 * the bias write leaves.
	 */
	if (has_enable) {
		err = oio_laser_set_enable(ctx, card.id, line, enable);
		if (err) {
			ret = lib_error(ctx, err, "%s laser line %" PRIu32
					" of oio%" PRIu32,
					enable ? "enable" : "disable", line,
					card.id);
			goto out;
		}
	}
	if (has_bias) {
		err = oio_laser_set_bias(ctx, card.id, line, bias);
		if (err) {
			ret = lib_error(ctx, err, "set bias of laser line %"
					PRIu32 " of oio%" PRIu32, line,
					card.id);
			goto out;
		}
	}
	err = oio_laser_get(ctx, card.id, line, &l);
	if (err) {
		ret = lib_error(ctx, err, "get laser line %" PRIu32 " of oio%"
				PRIu32, line, card.id);
		goto out;
	}
	lasers_print(&opts, &l, 1);
out:
	oio_ctx_free(ctx);
	return ret;
}

int cmd_laser(const struct oioctl *o, int argc, char **argv)
{
	static const char *const subs[] = { "show", "set" };
	int skip, s = subcommand(argc, argv, laser_usage, subs, 2, &skip);

	if (s < 0)
		return OPT_EXIT(s);
	if (s == 1)
		return laser_set(o, argc - skip, argv + skip);
	return laser_show(o, argc - skip, argv + skip);
}
