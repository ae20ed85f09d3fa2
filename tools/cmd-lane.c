// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl lane show|set and oioctl prbs: lanes, their state machines and
 * their PRBS generators and checkers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oioctl.h"
#include "output.h"
#include "parse.h"

static const char lane_usage[] =
"Usage: oioctl lane show [CARD [LANE]]\n"
"       oioctl lane set CARD LANE request deactivate|initialize|activate\n"
"\n"
"show: port, state, reason of the last transition, PRBS and alarms of\n"
"every lane (LANE may be N, N-M or all). Lane n is port n / wavelengths.\n"
"set: ask the lane's state machine for a transition; the lane must be\n"
"initialized before it can be activated.\n";

static const char prbs_usage[] =
"Usage: oioctl prbs CARD LANE|N-M|all on|off\n"
"       oioctl prbs show [CARD [LANE]]\n"
"\n"
"Switch the PRBS generator and checker of lanes on or off together, or\n"
"show their counters: bits checked, bit errors and the bit error ratio\n"
"(\"<X\" is the bound 1/bits while no error was counted).\n";

/* Indexed by enum oio_lane_request; the CLI's words for the requests. */
static const char *const lane_requests[] = {
	[OIO_LANE_REQUEST_DEACTIVATE] = "deactivate",
	[OIO_LANE_REQUEST_INITIALIZE] = "initialize",
	[OIO_LANE_REQUEST_ACTIVATE] = "activate",
};

static void lane_header(void)
{
	printf("CARD  LANE  PORT  STATE         REASON          PRBS     "
	       "BITS            ERRORS      BER       ALARMS\n");
}

static void lane_row(const struct oio_lane_info *l)
{
	char b[4][32];

	snprintf(b[0], sizeof(b[0]), "oio%" PRIu32, l->card_id);
	put_cell(stdout, b[0], 6);
	snprintf(b[0], sizeof(b[0]), "%" PRIu32, l->lane);
	put_cell(stdout, b[0], 6);
	snprintf(b[0], sizeof(b[0]), "%" PRIu32, l->port);
	put_cell(stdout, b[0], 6);
	put_cell(stdout, lane_state_str(l->state), 14);
	put_cell(stdout, lane_reason_str(l->reason), 16);
	put_cell(stdout, l->prbs_generator ?
		 (l->prbs_checker ? "gen+chk" : "gen") :
		 (l->prbs_checker ? "chk" : "off"), 9);
	snprintf(b[1], sizeof(b[1]), "%" PRIu64, l->prbs_bits);
	put_cell(stdout, b[1], 16);
	snprintf(b[2], sizeof(b[2]), "%" PRIu64, l->prbs_errors);
	put_cell(stdout, b[2], 12);
	put_cell(stdout, fmt_ber(b[3], sizeof(b[3]), l->prbs_bits,
				 l->prbs_errors), 10);
	printf("0x%" PRIx32 "\n", l->alarms);
}

static void prbs_header(void)
{
	printf("CARD  LANE  GEN  CHK  BITS            ERRORS      BER\n");
}

static void prbs_row(const struct oio_lane_info *l)
{
	char b[32];

	snprintf(b, sizeof(b), "oio%" PRIu32, l->card_id);
	put_cell(stdout, b, 6);
	snprintf(b, sizeof(b), "%" PRIu32, l->lane);
	put_cell(stdout, b, 6);
	put_cell(stdout, l->prbs_generator ? "on" : "off", 5);
	put_cell(stdout, l->prbs_checker ? "on" : "off", 5);
	snprintf(b, sizeof(b), "%" PRIu64, l->prbs_bits);
	put_cell(stdout, b, 16);
	snprintf(b, sizeof(b), "%" PRIu64, l->prbs_errors);
	put_cell(stdout, b, 12);
	printf("%s\n", fmt_ber(b, sizeof(b), l->prbs_bits, l->prbs_errors));
}

/* How lanes are printed: the lane table or the PRBS table. */
struct lane_view {
	const char *key;	/* the JSON array's name */
	void (*header)(void);
	void (*row)(const struct oio_lane_info *l);
	struct json_object *(*json)(const struct oio_lane_info *l);
};

static const struct lane_view lane_view = {
	"lanes", lane_header, lane_row, json_lane,
};

static const struct lane_view prbs_view = {
	"prbs", prbs_header, prbs_row, json_prbs,
};

/*
 * Print lanes first..last of the cards (every lane of every card when
 * spec is NULL). Returns the exit status.
 */
static int lanes_print(const struct oioctl *o, struct oio_ctx *ctx,
		       const struct oio_card_info *cards, size_t ncards,
		       uint32_t first, uint32_t last,
		       const struct lane_view *v)
{
	struct json_object *arr = NULL, *top;
	struct oio_lane_info *l;
	size_t i, k, n;
	int err, ret = 0;

	if (o->json)
		arr = json_object_new_array();
	else
		v->header();
	for (i = 0; i < ncards; i++) {
		err = oio_lane_list(ctx, cards[i].id, &l, &n);
		if (err) {
			ret = lib_error(ctx, err, "list lanes of oio%" PRIu32,
					cards[i].id);
			continue;
		}
		for (k = 0; k < n; k++) {
			if (l[k].lane < first || l[k].lane > last)
				continue;
			if (o->json)
				json_object_array_add(arr, v->json(&l[k]));
			else
				v->row(&l[k]);
		}
		free(l);
	}
	if (o->json) {
		top = json_object_new_object();
		json_object_object_add(top, v->key, arr);
		json_print(stdout, top, o->pretty);
	}
	return ret;
}

static int lanes_show(const struct oioctl *o, int argc, char **argv,
		      const char *name, const char *usage,
		      const struct lane_view *v)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	uint32_t first = 0, last = UINT32_MAX;
	struct cmd_args a;
	size_t ncards;
	int c, ret;

	cmd_args_init(&a, name, usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 2)
		return usage_error("too many arguments for '%s'", name);
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, cmd_arg(&a, 0), &cards, &ncards);
	if (!ret && cmd_npos(&a) == 2)
		ret = arg_range("LANE", cmd_arg(&a, 1),
				card_lanes(&cards[0]) - 1, &first, &last);
	if (ret)
		goto out;
	ret = lanes_print(&opts, ctx, cards, ncards, first, last, v);
out:
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

/*
 * Wait for a lane to leave its transient state: the longest, INIT, takes
 * 100 us (datasheet 6.12); give up after 100 ms and show what there is.
 */
static int lane_settle(struct oio_ctx *ctx, uint32_t card, uint32_t lane)
{
	const struct timespec tick = { .tv_nsec = 100000 };
	struct oio_lane_info l;
	unsigned int i;
	int err;

	for (i = 0; i < 1000; i++) {
		err = oio_lane_get(ctx, card, lane, &l);
		if (err || l.state == OIO_LANE_STATE_DEACTIVATED ||
		    l.state == OIO_LANE_STATE_INITIALIZED ||
		    l.state == OIO_LANE_STATE_ACTIVATED)
			return err;
		nanosleep(&tick, NULL);
	}
	return 0;
}

static int lane_set(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_ctx *ctx = NULL;
	struct cmd_args a;
	uint32_t lane;
	int c, req, err, ret;

	cmd_args_init(&a, "lane set", lane_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) != 4 || strcmp(cmd_arg(&a, 2), "request"))
		return usage_error("'lane set' needs CARD LANE request deactivate|initialize|activate");
	req = parse_keyword(cmd_arg(&a, 3), lane_requests,
			    ARRAY_SIZE(lane_requests));
	if (req < 0)
		return usage_error("invalid lane request '%s' (want deactivate, initialize or activate)",
				   cmd_arg(&a, 3));
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (!ret)
		ret = arg_u32("LANE", cmd_arg(&a, 1), 0, card_lanes(&card) - 1,
			      &lane);
	if (ret)
		goto out;
	err = oio_lane_request(ctx, card.id, lane, (enum oio_lane_request)req);
	if (err) {
		ret = lib_error(ctx, err, "%s lane %" PRIu32 " of oio%" PRIu32,
				lane_requests[req], lane, card.id);
		goto out;
	}
	/* show where the request ended, not the transient on the way */
	err = lane_settle(ctx, card.id, lane);
	if (err) {
		ret = lib_error(ctx, err, "lane %" PRIu32 " of oio%" PRIu32,
				lane, card.id);
		goto out;
	}
	ret = lanes_print(&opts, ctx, &card, 1, lane, lane, &lane_view);
out:
	oio_ctx_free(ctx);
	return ret;
}

int cmd_lane(const struct oioctl *o, int argc, char **argv)
{
	static const char *const subs[] = { "show", "set" };
	int skip, s = subcommand(argc, argv, lane_usage, subs, 2, &skip);

	if (s < 0)
		return OPT_EXIT(s);
	if (s == 1)
		return lane_set(o, argc - skip, argv + skip);
	return lanes_show(o, argc - skip, argv + skip, "lane show", lane_usage,
			  &lane_view);
}

static int prbs_set(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info card;
	struct oio_ctx *ctx = NULL;
	uint32_t first, last, lane;
	struct cmd_args a;
	bool on;
	int c, err, ret;

	cmd_args_init(&a, "prbs", prbs_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) != 3)
		return usage_error("'prbs' needs CARD LANE|all on|off, or show");
	ret = arg_bool("PRBS state", cmd_arg(&a, 2), &on);
	if (ret)
		return ret;
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (!ret)
		ret = arg_range("LANE", cmd_arg(&a, 1), card_lanes(&card) - 1,
				&first, &last);
	if (ret)
		goto out;
	for (lane = first; lane <= last; lane++) {
		err = oio_lane_set_prbs(ctx, card.id, lane, on, on);
		if (err) {
			ret = lib_error(ctx, err, "switch PRBS %s on lane %"
					PRIu32 " of oio%" PRIu32,
					on ? "on" : "off", lane, card.id);
			goto out;
		}
	}
	ret = lanes_print(&opts, ctx, &card, 1, first, last, &prbs_view);
out:
	oio_ctx_free(ctx);
	return ret;
}

int cmd_prbs(const struct oioctl *o, int argc, char **argv)
{
	/* "prbs CARD ..." switches; "prbs show" is the only subcommand */
	if (argc > 1 && !strcmp(argv[1], "show"))
		return lanes_show(o, argc - 1, argv + 1, "prbs show",
				  prbs_usage, &prbs_view);
	if (argc > 1 && !strcmp(argv[1], "help")) {
		fputs(prbs_usage, stdout);
		return OIOCTL_EXIT_OK;
	}
	return prbs_set(o, argc, argv);
}
