// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: link up's measurements as text, for recovery (calib.h).
 *
 *   oio-calibration 1
 *   card SERIAL PORTS WAVELENGTHS FIRST_PM SPACING_PM FSR_PM RANGE_PM TEMP_MC
 *   fit FSR_PM TAU_NS TAU_MEASURED XT1 XT2
 *   line L PM                                    (a line per laser line)
 *   port P SHIFT UNREACH...                      (a line per port)
 *   ring R NAMED STUCK GUESSED O Q H GUESS_O XT_GAIN TAU_NS  (per ring)
 *   lane N TX_CODE RX_CODE                       (the lanes that came up)
 *   down N FAIL REASON TX_CODE RX_CODE HELD
 *          (the others: enum oio_link_fail, the card's reason, where
 *           their rings were left, and whether they held the lane's line;
 *           "down N FAIL REASON" alone, as older libraries wrote it, is
 *           read too)
 *   end
 *
 * UNREACH: a bus-position mask per line shift, hex. "end" last, so that
 * a file cut short is not taken for a card with fewer lanes up.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"

#define CAL_MAGIC	"oio-calibration 1"
/*
 * The widest a sane analysis goes: the FSR within a quarter of nominal,
 * crosstalk and its per-ring share within what plan.c searches, heater
 * laws within twice what naming.c tries, full scales within twice the
 * nominal range, positions within a few FSR of the grid.
 */
#define FSR_SLACK	0.25
#define XT1_MAX		0.35
#define GAIN_MAX	2.5
#define LAW_MAX		0.5
#define Q_MAX		2.0
#define ORDERS		4
#define TAU_MAX_NS	1e6
/* a ring's line with every value at its longest, and a margin */
#define RING_LINE_MAX	200
/* a lane's: six numbers of ten digits at most */
#define LANE_LINE_MAX	80

void lio_cal_take(struct lio_cal *c, const struct oio_card_info *info,
		  const struct oio_tune *t)
{
	unsigned int r, l, p, s;

	memset(c, 0, sizeof(*c));
	c->serial = info->serial;
	c->ports = info->ports;
	c->wavelengths = info->wavelengths;
	c->grid_first_pm = info->grid_first_pm;
	c->grid_spacing_pm = info->grid_spacing_pm;
	c->fsr_nominal_pm = info->fsr_pm;
	c->heater_range_pm = info->heater_range_pm;
	c->fsr_pm = t->fsr_pm;
	c->tau_ns = t->tau_ns;
	c->tau_measured = t->tau_measured;
	c->xt1 = t->xt1;
	c->xt2 = t->xt2;
	for (l = 0; l < info->wavelengths; l++)
		c->line_pm[l] = t->line_pm[l];
	for (p = 0; p < info->ports; p++)
		for (s = 0; s < info->wavelengths; s++)
			c->unreach[p][s] = t->unreach[p][s];
	for (r = 0; r < 2 * info->ports * info->wavelengths; r++) {
		const struct oio_tune_ring *rg = &t->ring[r];

		c->ring[r] = (struct lio_cal_ring){
			.named = rg->named, .stuck = rg->stuck,
			.guessed = rg->guessed, .o = rg->o, .q = rg->q,
			.h = rg->h, .guess_o = rg->guess_o,
			.xt_gain = rg->xt_gain, .tau_ns = rg->tau_ns,
		};
	}
}

void lio_cal_give(const struct lio_cal *c, struct oio_tune *t)
{
	unsigned int r, l, p, s;

	t->fsr_pm = c->fsr_pm;
	t->tau_ns = c->tau_ns;
	t->tau_measured = c->tau_measured;
	t->xt1 = c->xt1;
	t->xt2 = c->xt2;
	t->named = 0;
	for (l = 0; l < c->wavelengths; l++)
		t->line_pm[l] = c->line_pm[l];
	for (p = 0; p < c->ports; p++)
		for (s = 0; s < c->wavelengths; s++)
			t->unreach[p][s] = c->unreach[p][s];
	for (r = 0; r < 2 * c->ports * c->wavelengths; r++) {
		const struct lio_cal_ring *cr = &c->ring[r];
		struct oio_tune_ring *rg = &t->ring[r];

		rg->named = cr->named;
		rg->stuck = cr->stuck;
		rg->guessed = cr->guessed;
		rg->o = cr->o;
		rg->q = cr->q;
		rg->h = cr->h;
		rg->guess_o = cr->guess_o;
		rg->xt_gain = cr->xt_gain;
		rg->tau_ns = cr->tau_ns;
		t->named += cr->named;
	}
}

bool lio_cal_fits(const struct lio_cal *c, const struct oio_card_info *info)
{
	return c->serial == info->serial && c->ports == info->ports &&
	       c->wavelengths == info->wavelengths &&
	       c->grid_first_pm == info->grid_first_pm &&
	       c->grid_spacing_pm == info->grid_spacing_pm &&
	       c->fsr_nominal_pm == info->fsr_pm &&
	       c->heater_range_pm == info->heater_range_pm;
}

int lio_cal_format(const struct lio_cal *c, char **text)
{
	unsigned int R = 2 * c->ports * c->wavelengths, r, l, p, s;
	size_t cap = 512 + (size_t)c->ports * (32 + 12 * c->wavelengths) +
		     (size_t)c->wavelengths * 48 + (size_t)R * RING_LINE_MAX +
		     (size_t)(R / 2) * LANE_LINE_MAX;
	char *b = malloc(cap);
	size_t n = 0;

	if (!b)
		return -ENOMEM;
#define PUT(...) (n += (size_t)snprintf(b + n, n < cap ? cap - n : 0, __VA_ARGS__))
	PUT("%s\ncard %u %u %u %u %u %u %u %d\nfit %.9g %.9g %d %.9g %.9g\n",
	    CAL_MAGIC, c->serial, c->ports, c->wavelengths, c->grid_first_pm,
	    c->grid_spacing_pm, c->fsr_nominal_pm, c->heater_range_pm,
	    c->temp_mc, c->fsr_pm, c->tau_ns, c->tau_measured, c->xt1,
	    c->xt2);
	for (l = 0; l < c->wavelengths; l++)
		PUT("line %u %.9g\n", l, c->line_pm[l]);
	for (p = 0; p < c->ports; p++) {
		PUT("port %u %u", p, c->line_shift[p]);
		for (s = 0; s < c->wavelengths; s++)
			PUT(" %x", c->unreach[p][s]);
		PUT("\n");
	}
	for (r = 0; r < R; r++) {
		const struct lio_cal_ring *cr = &c->ring[r];

		PUT("ring %u %d %d %d %.9g %.9g %.9g %.9g %.9g %.9g\n", r,
		    cr->named, cr->stuck, cr->guessed, cr->o, cr->q, cr->h,
		    cr->guess_o, cr->xt_gain, cr->tau_ns);
	}
	for (r = 0; r < R / 2; r++) {
		if (c->lane[r].up)
			PUT("lane %u %u %u\n", r, c->lane[r].code[0],
			    c->lane[r].code[1]);
		else if (c->lane[r].fail && c->lane[r].coded)
			PUT("down %u %u %u %u %u %d\n", r, c->lane[r].fail,
			    c->lane[r].reason, c->lane[r].code[0],
			    c->lane[r].code[1], c->lane[r].held);
		else if (c->lane[r].fail)
			PUT("down %u %u %u\n", r, c->lane[r].fail,
			    c->lane[r].reason);
	}
	PUT("end\n");
#undef PUT
	if (n >= cap) {
		/* the estimate above is wrong, not the input: never cut */
		free(b);
		return -EOVERFLOW;
	}
	*text = b;
	return (int)n;
}

static bool flag(int v)
{
	return v == 0 || v == 1;
}

/* What the text said so far: each item once. */
struct seen {
	bool fit, line[OIO_MAX_WAVELENGTHS], port[OIO_MAX_PORTS];
	bool ring[OIO_MAX_RINGS], lane[OIO_MAX_LANES];
	unsigned int lines, ports, rings;
};

/* Within ORDERS FSRs of the grid, where a ring or a line can be. */
static bool placed(const struct lio_cal *c, double pm)
{
	double lo = c->grid_first_pm - ORDERS * c->fsr_pm;
	double hi = c->grid_first_pm +
		    (double)c->wavelengths * c->grid_spacing_pm +
		    ORDERS * c->fsr_pm;

	return pm >= lo && pm <= hi;
}

/* One line of text into c; false if it is not one of ours. */
static bool parse_line(struct lio_cal *c, const char *s, struct seen *sn)
{
	unsigned int W = c->wavelengths, i, a, b, x, s2;
	struct lio_cal_ring cr;
	int f1, f2, f3, at, nf;
	double v;

	if (sscanf(s, "line %u %lf%n", &i, &v, &at) == 2 && !s[at]) {
		if (i >= W || sn->line[i] || !placed(c, v))
			return false;
		c->line_pm[i] = v;
		sn->line[i] = true;
		sn->lines++;
		return true;
	}
	/* counts and codes: no sign, which %u would wrap */
	if (strchr(s, '-') && strncmp(s, "ring ", 5) && strncmp(s, "line ", 5))
		return false;
	if (sscanf(s, "port %u %u%n", &i, &a, &at) == 2) {
		if (i >= c->ports || sn->port[i] || a >= W)
			return false;
		c->line_shift[i] = a;
		for (s2 = 0; s2 < W; s2++) {
			int k;

			if (sscanf(s + at, " %x%n", &x, &k) != 1 ||
			    x >> W)
				return false;
			c->unreach[i][s2] = x;
			at += k;
		}
		sn->port[i] = true;
		sn->ports++;
		return !s[at];
	}
	if (sscanf(s, "ring %u %d %d %d %lf %lf %lf %lf %lf %lf%n", &i, &f1,
		   &f2, &f3, &cr.o, &cr.q, &cr.h, &cr.guess_o, &cr.xt_gain,
		   &cr.tau_ns, &at) == 10 && !s[at]) {
		if (i >= 2 * c->ports * W || sn->ring[i] || !flag(f1) ||
		    !flag(f2) || !flag(f3))
			return false;
		cr.named = f1;
		cr.stuck = f2;
		cr.guessed = f3;
		/* what the plan divides by, inverts and compares with */
		if (!(cr.xt_gain >= 0 && cr.xt_gain <= GAIN_MAX) ||
		    !(cr.tau_ns >= 0 && cr.tau_ns <= TAU_MAX_NS) ||
		    (cr.named && (!placed(c, cr.o) || !(cr.q > 0) ||
				  cr.q > Q_MAX * c->heater_range_pm ||
				  !(fabs(cr.h) <= LAW_MAX))) ||
		    (cr.guessed && !placed(c, cr.guess_o)))
			return false;
		c->ring[i] = cr;
		sn->ring[i] = true;
		sn->rings++;
		return true;
	}
	if (sscanf(s, "lane %u %u %u%n", &i, &a, &b, &at) == 3 && !s[at]) {
		if (i >= c->ports * W || sn->lane[i] || a > OIO_HEATER_MAX ||
		    b > OIO_HEATER_MAX)
			return false;
		c->lane[i] = (struct lio_cal_lane){ .up = true, .coded = true,
						    .code = { a, b } };
		sn->lane[i] = true;
		return true;
	}
	x = 0;
	s2 = 0;
	f1 = 0;
	nf = sscanf(s, "down %u %u %u%n %u %u %d%n", &i, &a, &b, &at, &x, &s2,
		    &f1, &at);
	if ((nf == 3 || nf == 6) && !s[at]) {
		if (i >= c->ports * W || sn->lane[i] || a == OIO_LINK_OK ||
		    a > OIO_LINK_ABORTED || b > OIO_LANE_REASON_MAX ||
		    x > OIO_HEATER_MAX || s2 > OIO_HEATER_MAX || !flag(f1) ||
		    (f1 && a != OIO_LINK_BER_HIGH))
			return false;
		c->lane[i] = (struct lio_cal_lane){
			.coded = nf == 6, .held = f1, .code = { x, s2 },
			.fail = (enum oio_link_fail)a,
			.reason = (enum oio_lane_reason)b };
		sn->lane[i] = true;
		return true;
	}
	return false;
}

int lio_cal_parse(struct lio_cal *c, const char *text)
{
	struct seen *sn = calloc(1, sizeof(*sn));
	const char *s = text, *e;
	char line[RING_LINE_MAX * 2];
	bool end = false;
	int at;

	int err = -EINVAL;

	memset(c, 0, sizeof(*c));
	if (!sn)
		return -ENOMEM;
	if (strncmp(s, CAL_MAGIC "\n", sizeof(CAL_MAGIC)))
		goto out;
	s += sizeof(CAL_MAGIC);
	for (; *s && !end; s = *e ? e + 1 : e) {
		size_t n;

		e = strchr(s, '\n');
		if (!e)
			goto out;
		n = (size_t)(e - s);
		if (n >= sizeof(line))
			goto out;
		memcpy(line, s, n);
		line[n] = '\0';
		if (!c->ports) {
			/* the card first: it sizes the rest */
			if (sscanf(line, "card %u %u %u %u %u %u %u %d%n",
				   &c->serial, &c->ports, &c->wavelengths,
				   &c->grid_first_pm, &c->grid_spacing_pm,
				   &c->fsr_nominal_pm, &c->heater_range_pm,
				   &c->temp_mc, &at) != 8 || line[at] ||
			    !c->ports || c->ports > OIO_MAX_PORTS ||
			    !c->wavelengths ||
			    c->wavelengths > OIO_MAX_WAVELENGTHS ||
			    !c->grid_spacing_pm || !c->fsr_nominal_pm ||
			    !c->heater_range_pm ||
			    /* a sign only in the temperature, the last */
			    (strchr(line, '-') &&
			     strchr(line, '-') < strrchr(line, ' ')))
				goto out;
			continue;
		}
		if (!strncmp(line, "fit ", 4)) {
			int tm;

			if (sn->fit ||
			    sscanf(line, "fit %lf %lf %d %lf %lf%n",
				   &c->fsr_pm, &c->tau_ns, &tm, &c->xt1,
				   &c->xt2, &at) != 5 || line[at] ||
			    !(fabs(c->fsr_pm / c->fsr_nominal_pm - 1) <=
			      FSR_SLACK) ||
			    !(c->tau_ns > 0 && c->tau_ns <= TAU_MAX_NS) ||
			    !flag(tm) || !(c->xt1 >= 0 && c->xt1 <= XT1_MAX) ||
			    !(c->xt2 >= 0 && c->xt2 <= XT1_MAX / 2))
				goto out;
			c->tau_measured = tm;
			sn->fit = true;
			continue;
		}
		if (!strcmp(line, "end")) {
			end = true;
			continue;
		}
		if (!parse_line(c, line, sn))
			goto out;
	}
	/* every line, port and ring said, and the fit */
	if (end && !*s && sn->fit && sn->lines == c->wavelengths &&
	    sn->ports == c->ports && sn->rings == 2 * c->ports * c->wavelengths)
		err = 0;
out:
	free(sn);
	return err;
}
