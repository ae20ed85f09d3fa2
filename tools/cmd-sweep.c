// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl sweep: heater sweeps of rings, shown as resonance summaries, CSV,
 * JSON or a plot of monitor current against heater code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oioctl.h"
#include "output.h"
#include "parse.h"

#define PLOT_HEIGHT	20
#define MAX_PEAKS	64

static const char sweep_usage[] =
"Usage: oioctl sweep CARD RING [--count N] [--start CODE] [--stop CODE]\n"
"                   [--step S] [--dwell TIME] [--plot|--csv]\n"
"\n"
"Sweep the heaters of N rings from RING on together and record each\n"
"ring's monitor photocurrent at every code. The rings' lock loops must be\n"
"off. A peak is where the ring meets a laser line.\n"
"\n"
"  -n, --count N     rings to sweep (1)\n"
"      --start CODE  first heater code (0)\n"
"      --stop CODE   last heater code, inclusive (4095)\n"
"      --step S      codes between samples (16)\n"
"      --dwell TIME  time at each step, 100ns to 1ms (4us); a unit ns, us,\n"
"                    ms, s or min, or a bare number in ns\n"
"      --plot        plot each trace in the terminal\n"
"      --csv         the traces as CSV: code,ring<R>,...\n"
"\n"
"By default each ring's peaks are listed, as link up finds them: those\n"
"that stand out of the trace's noise and of the tails around them, not\n"
"at either end of the trace.\n";

enum sweep_format { FMT_SUMMARY, FMT_PLOT, FMT_CSV, FMT_JSON };

static uint32_t code_at(const struct oio_sweep *s, uint32_t i)
{
	return s->start + i * s->step;
}

static const uint32_t *trace_of(const struct oio_sweep *s, uint32_t r)
{
	return s->trace + (size_t)r * s->points;
}

/*
 * One ring's peaks, found as bring-up finds them (oio_trace_peaks()), at
 * their highest sample. A maximum at either end of the trace is the flank
 * of a resonance outside the codes swept: not listed.
 */
static size_t ring_peaks(const uint32_t *v, uint32_t points,
			 struct oio_trace_peak *out)
{
	unsigned int n, i;
	size_t k = 0;

	n = oio_trace_peaks(v, points, out, MAX_PEAKS);
	for (i = 0; i < n; i++)
		if (!out[i].edge)
			out[k++] = out[i];
	return k;
}

static void sweep_summary(const struct oioctl *o, const struct oio_sweep *s)
{
	struct oio_trace_peak peaks[MAX_PEAKS];
	char b[32];
	uint32_t r;
	size_t n, i;

	printf("oio%" PRIu32 ": %" PRIu32 " point%s from code %" PRIu32
	       " step %" PRIu32 ", card at %s\n", s->card_id, s->points,
	       s->points == 1 ? "" : "s", s->start, s->step,
	       fmt_temp(b, sizeof(b), s->temp_mc, o->utf8));
	for (r = 0; r < s->ring_count; r++) {
		uint32_t ring = s->ring[r];

		n = ring_peaks(trace_of(s, r), s->points, peaks);
		printf("ring %" PRIu32 " (lane %" PRIu32 " %s): %zu peak%s%s\n",
		       ring, ring / 2, ring % 2 ? "rx" : "tx", n,
		       n == 1 ? "" : "s", n ? ":" : "");
		for (i = 0; i < n && i < MAX_PEAKS; i++)
			printf("  code %4" PRIu32 "  %s\n",
			       code_at(s, peaks[i].sample),
			       fmt_na(b, sizeof(b), peaks[i].value_na, o->utf8));
	}
}

static void sweep_csv(const struct oio_sweep *s)
{
	uint32_t r, i;

	printf("code");
	for (r = 0; r < s->ring_count; r++)
		printf(",ring%" PRIu32, s->ring[r]);
	printf("\n");
	for (i = 0; i < s->points; i++) {
		printf("%" PRIu32, code_at(s, i));
		for (r = 0; r < s->ring_count; r++)
			printf(",%" PRIu32, trace_of(s, r)[i]);
		printf("\n");
	}
}

static void sweep_json(const struct oioctl *o, const struct oio_sweep *s)
{
	struct json_object *top = json_object_new_object();
	struct json_object *sw = json_object_new_object();
	struct json_object *codes = json_object_new_array();
	struct json_object *rings = json_object_new_array();
	struct oio_trace_peak peaks[MAX_PEAKS];
	uint32_t r, i;
	size_t n, k;

	jadd_u64(sw, "card_id", s->card_id);
	jadd_u64(sw, "first_ring", s->first_ring);
	jadd_u64(sw, "ring_count", s->ring_count);
	jadd_u64(sw, "start_code", s->start);
	jadd_u64(sw, "step_code", s->step);
	jadd_u64(sw, "points", s->points);
	jadd_i64(sw, "temp_mc", s->temp_mc);
	for (i = 0; i < s->points; i++)
		json_object_array_add(codes,
				      json_object_new_uint64(code_at(s, i)));
	json_object_object_add(sw, "codes", codes);
	for (r = 0; r < s->ring_count; r++) {
		struct json_object *e = json_object_new_object();
		struct json_object *t = json_object_new_array();
		struct json_object *p = json_object_new_array();
		const uint32_t *v = trace_of(s, r);

		jadd_u64(e, "ring", s->ring[r]);
		for (i = 0; i < s->points; i++)
			json_object_array_add(t, json_object_new_uint64(v[i]));
		json_object_object_add(e, "monitor_trace_na", t);
		n = ring_peaks(v, s->points, peaks);
		for (k = 0; k < n && k < MAX_PEAKS; k++) {
			struct json_object *pk = json_object_new_object();

			jadd_u64(pk, "code", code_at(s, peaks[k].sample));
			jadd_u64(pk, "monitor_na", peaks[k].value_na);
			json_object_array_add(p, pk);
		}
		json_object_object_add(e, "peaks", p);
		json_object_array_add(rings, e);
	}
	json_object_object_add(sw, "traces", rings);
	json_object_object_add(top, "sweep", sw);
	json_print(stdout, top, o->pretty);
}

/* Print n blanks. */
static void blanks(size_t n)
{
	while (n--)
		fputc(' ', stdout);
}

/* How much of the plot cell in row (0 at the top) v fills, in eighths. */
static size_t cell_eighths(uint32_t v, uint32_t top, size_t row)
{
	uint64_t floor8 = (uint64_t)(PLOT_HEIGHT - 1 - row) * 8;
	uint64_t level = top ? (uint64_t)v * PLOT_HEIGHT * 8 / top : 0;

	if (level <= floor8)
		return 0;
	return level - floor8 >= 8 ? 8 : (size_t)(level - floor8);
}

static void plot_ring(const struct oioctl *o, const struct oio_sweep *s,
		      uint32_t r, unsigned int columns)
{
	/* eighths of a cell, from a sliver to a full block */
	static const char *const blocks[] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
		"\u2586", "\u2587", "\u2588",
	};
	const uint32_t *v = trace_of(s, r);
	uint32_t ring = s->ring[r], top = 0;
	struct oio_trace_peak peaks[MAX_PEAKS];
	uint32_t bin[512];
	char label[PLOT_HEIGHT][24], b[32];
	size_t cols, lw = 0, i, k, npk, row, next;

	for (i = 0; i < s->points; i++)
		if (v[i] > top)
			top = v[i];
	for (row = 0; row < PLOT_HEIGHT; row++) {
		label[row][0] = '\0';
		if (row == 0)
			fmt_na(label[row], sizeof(label[row]), top, o->utf8);
		else if (row == PLOT_HEIGHT / 2)
			fmt_na(label[row], sizeof(label[row]), top / 2,
			       o->utf8);
		else if (row == PLOT_HEIGHT - 1)
			fmt_na(label[row], sizeof(label[row]), 0, o->utf8);
		if (text_width(label[row]) > lw)
			lw = text_width(label[row]);
	}
	cols = columns > lw + 3 ? columns - lw - 3 : 10;
	if (cols > s->points)
		cols = s->points;
	if (cols > ARRAY_SIZE(bin))
		cols = ARRAY_SIZE(bin);
	/* each column shows the highest sample of its codes */
	memset(bin, 0, sizeof(bin));
	for (i = 0; i < s->points; i++) {
		k = i * cols / s->points;
		if (v[i] > bin[k])
			bin[k] = v[i];
	}

	printf("oio%" PRIu32 " ring %" PRIu32 " (lane %" PRIu32 " %s): "
	       "monitor current vs heater code, max %s\n", s->card_id, ring,
	       ring / 2, ring % 2 ? "rx" : "tx",
	       fmt_na(b, sizeof(b), top, o->utf8));
	for (row = 0; row < PLOT_HEIGHT; row++) {
		size_t end = 0;

		blanks(lw - text_width(label[row]));
		printf("%s %s", label[row], o->utf8 ?
		       (label[row][0] ? "\u2524" : "\u2502") :
		       (label[row][0] ? "+" : "|"));
		for (k = 0; k < cols; k++)
			if (cell_eighths(bin[k], top, row))
				end = k + 1;
		for (k = 0; k < end; k++) {
			size_t e = cell_eighths(bin[k], top, row);

			if (o->utf8)
				fputs(blocks[e], stdout);
			else
				fputc(e == 8 ? '#' : e ? '.' : ' ', stdout);
		}
		fputc('\n', stdout);
	}
	blanks(lw + 1);
	fputs(o->utf8 ? "\u2514" : "+", stdout);
	for (k = 0; k < cols; k++)
		fputs(o->utf8 ? "\u2500" : "-", stdout);
	fputc('\n', stdout);

	/* mark where the ring meets a line, and say at which code */
	npk = ring_peaks(v, s->points, peaks);
	if (npk > MAX_PEAKS)
		npk = MAX_PEAKS;
	if (npk) {
		blanks(lw + 2);
		for (next = 0, i = 0; i < npk; i++) {
			size_t col = peaks[i].sample * cols / s->points;

			/* two peaks in one column share its mark */
			if (col < next)
				continue;
			blanks(col - next);
			fputc('^', stdout);
			next = col + 1;
		}
		fputc('\n', stdout);
		blanks(lw + 2);
		for (next = 0, i = 0; i < npk; i++) {
			size_t col = peaks[i].sample * cols / s->points;
			size_t len;

			snprintf(b, sizeof(b), "%" PRIu32,
				 code_at(s, peaks[i].sample));
			len = strlen(b);
			/* at the right edge, end the label with the axis */
			if (col + len > cols)
				col = cols > len ? cols - len : 0;
			/* a label that would run into the last is left out */
			if (col < next)
				continue;
			blanks(col - next);
			fputs(b, stdout);
			next = col + len;
			/* keep a blank between two labels */
			if (i + 1 < npk) {
				fputc(' ', stdout);
				next++;
			}
		}
		fputc('\n', stdout);
	}
	blanks(lw + 2);
	snprintf(b, sizeof(b), "%" PRIu32, code_at(s, s->points - 1));
	printf("%" PRIu32, s->start);
	k = snprintf(NULL, 0, "%" PRIu32, s->start) + strlen(b);
	blanks(cols > k ? cols - k : 1);
	printf("%s\n\n", b);
}

int cmd_sweep(const struct oioctl *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "start", required_argument, NULL, 'S' },
		{ "stop", required_argument, NULL, 'E' },
		{ "step", required_argument, NULL, 's' },
		{ "dwell", required_argument, NULL, 'd' },
		{ "plot", no_argument, NULL, 'P' },
		{ "csv", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct oioctl opts = *o;
	struct oio_sweep_req req = {
		.ring_count = 1, .start = 0, .stop = OIO_HEATER_MAX,
		.step = 16, .dwell_ns = 4000,
	};
	struct oio_card_info card;
	struct oio_sweep *s = NULL;
	struct oio_ctx *ctx = NULL;
	enum sweep_format fmt = FMT_SUMMARY;
	bool plot = false, csv = false;
	uint32_t rings;
	struct cmd_args a;
	uint64_t ns;
	int c, err, ret = OIOCTL_EXIT_OK;

	cmd_args_init(&a, "sweep", sweep_usage, argc, argv);
	a.longopts = longopts;
	a.shortopts = "n:";
	while ((c = cmd_getopt(&a, &opts)) > 0) {
		switch (c) {
		case 'n':
			ret = arg_u32("--count", a.optarg, 1, OIO_MAX_RINGS,
				      &req.ring_count);
			break;
		case 'S':
			ret = arg_u32("--start", a.optarg, 0, OIO_HEATER_MAX,
				      &req.start);
			break;
		case 'E':
			ret = arg_u32("--stop", a.optarg, 0, OIO_HEATER_MAX,
				      &req.stop);
			break;
		case 's':
			ret = arg_u32("--step", a.optarg, 1, OIO_HEATER_MAX,
				      &req.step);
			break;
		case 'd':
			if (parse_duration_opt(a.optarg, &opt_sweep_dwell, &ns))
				return duration_error(&opt_sweep_dwell,
						      a.optarg);
			req.dwell_ns = (uint32_t)ns;
			break;
		case 'P':
			plot = true;
			break;
		case 'C':
			csv = true;
			break;
		}
		if (ret)
			return ret;
	}
	if (c < 0)
		return OPT_EXIT(c);
	if (plot + csv + opts.json > 1)
		return usage_error("choose one of --plot, --csv and --json");
	fmt = plot ? FMT_PLOT : csv ? FMT_CSV : opts.json ? FMT_JSON :
	      FMT_SUMMARY;
	if (cmd_npos(&a) != 2)
		return usage_error("'sweep' needs CARD and RING");
	if (req.start > req.stop)
		return usage_error("--start %" PRIu32 " is above --stop %" PRIu32,
				   req.start, req.stop);

	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = card_select(ctx, cmd_arg(&a, 0), &card);
	if (ret)
		goto out;
	rings = 2 * card_lanes(&card);
	ret = arg_u32("RING", cmd_arg(&a, 1), 0, rings - 1, &req.first_ring);
	if (ret)
		goto out;
	if (req.ring_count > rings - req.first_ring) {
		ret = usage_error("--count %" PRIu32 " from ring %" PRIu32
				  " runs past the last ring (%" PRIu32 ")",
				  req.ring_count, req.first_ring, rings - 1);
		goto out;
	}
	err = oio_sweep_run(ctx, card.id, &req, &s);
	if (err) {
		ret = lib_error(ctx, err, "sweep rings %" PRIu32 "-%" PRIu32
				" of oio%" PRIu32, req.first_ring,
				req.first_ring + req.ring_count - 1, card.id);
		goto out;
	}
	if (!s->points) {
		ret = cli_error("the sweep of oio%" PRIu32
				" returned no points", card.id);
		goto out;
	}
	switch (fmt) {
	case FMT_PLOT: {
		unsigned int columns = term_columns(STDOUT_FILENO);
		uint32_t r;

		for (r = 0; r < s->ring_count; r++)
			plot_ring(&opts, s, r, columns);
		break;
	}
	case FMT_CSV:
		sweep_csv(s);
		break;
	case FMT_JSON:
		sweep_json(&opts, s);
		break;
	default:
		sweep_summary(&opts, s);
		break;
	}
out:
	oio_sweep_free(s);
	oio_ctx_free(ctx);
	return ret;
}
