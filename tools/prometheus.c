// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl telemetry --prometheus FILE: the cards' telemetry in Prometheus's
 * text exposition format, for node_exporter's textfile collector.
 *
 * Names follow Prometheus's conventions: an oio_ prefix, base units
 * (celsius, amperes, watts) in the name, _total on counters. Every series
 * carries card="oioN" and serial="S": card numbers follow probe order, the
 * serial follows the card. Values are printed as exact decimals of the
 * card's integer readings (millidegrees, microamperes, microwatts), not as
 * rounded floating point. docs/man/oioctl.8 lists every metric.
 *
 * Pure formatting and the atomic write: telemetry-prom.c takes the
 * snapshot, tests/unit/test-prometheus.c checks this file.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/oio.h>

#include "prometheus.h"

enum prom_scope { PER_CARD, PER_LASER, PER_LANE };

/* A value: v / 10^decimals, printed exactly. */
struct prom_value {
	int64_t v;
	unsigned int decimals;
};

struct prom_family {
	const char *name;
	const char *type;
	const char *help;
	enum prom_scope scope;
	struct prom_value (*value)(const struct prom_card *c, size_t i);
};

static struct prom_value val(int64_t v, unsigned int decimals)
{
	return (struct prom_value){ .v = v, .decimals = decimals };
}

static uint32_t lanes_up(const struct oio_telemetry *t)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < t->n_lanes && i < OIO_MAX_LANES; i++)
		n += t->lane[i].state == OIO_LANE_STATE_ACTIVATED;
	return n;
}

static uint32_t rings_in(const struct oio_telemetry *t, int lock_state)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < t->n_rings && i < OIO_MAX_RINGS; i++)
		n += lock_state < 0 ? t->ring[i].at_limit :
			t->ring[i].lock_state == (enum oio_lock_state)lock_state;
	return n;
}

static struct prom_value card_temp(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(c->t->temp_mc, 3);
}

static struct prom_value card_alarms(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(c->t->alarms, 0);
}

static struct prom_value card_armed(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(c->info->armed, 0);
}

static struct prom_value card_interlock(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(c->info->interlock_closed, 0);
}

static struct prom_value card_n_lanes(const struct prom_card *c, size_t i)
{
	(void)i;
	return val((int64_t)c->t->n_lanes, 0);
}

static struct prom_value card_n_lanes_up(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(lanes_up(c->t), 0);
}

static struct prom_value card_rings(const struct prom_card *c, size_t i)
{
	(void)i;
	return val((int64_t)c->t->n_rings, 0);
}

static struct prom_value card_locked(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(rings_in(c->t, OIO_LOCK_STATE_LOCKED), 0);
}

static struct prom_value card_lost(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(rings_in(c->t, OIO_LOCK_STATE_LOST), 0);
}

static struct prom_value card_at_limit(const struct prom_card *c, size_t i)
{
	(void)i;
	return val(rings_in(c->t, -1), 0);
}

static struct prom_value laser_enabled(const struct prom_card *c, size_t i)
{
	return val(c->t->laser[i].enable, 0);
}

static struct prom_value laser_emitting(const struct prom_card *c, size_t i)
{
	return val(!!(c->t->laser[i].status & OIO_LASER_EMITTING), 0);
}

static struct prom_value laser_failed(const struct prom_card *c, size_t i)
{
	return val(!!(c->t->laser[i].status & OIO_LASER_FAILED), 0);
}

static struct prom_value laser_bias(const struct prom_card *c, size_t i)
{
	return val(c->t->laser[i].bias_ua, 6);
}

static struct prom_value laser_power(const struct prom_card *c, size_t i)
{
	return val(c->t->laser[i].power_uw, 6);
}

static struct prom_value laser_temp(const struct prom_card *c, size_t i)
{
	return val(c->t->laser[i].temp_mc, 3);
}

static struct prom_value laser_alarms(const struct prom_card *c, size_t i)
{
	return val(c->t->laser[i].alarms, 0);
}

static struct prom_value lane_up(const struct prom_card *c, size_t i)
{
	return val(c->t->lane[i].state == OIO_LANE_STATE_ACTIVATED, 0);
}

/* Counters above 2^63 do not happen: 32 Gb/s takes 9 years to 2^63. */
static struct prom_value lane_bits(const struct prom_card *c, size_t i)
{
	return val((int64_t)c->t->lane[i].prbs_bits, 0);
}

static struct prom_value lane_errors(const struct prom_card *c, size_t i)
{
	return val((int64_t)c->t->lane[i].prbs_errors, 0);
}

static const struct prom_family families[] = {
	{ "oio_card_temperature_celsius", "gauge",
	  "Card temperature.", PER_CARD, card_temp },
	{ "oio_card_alarm_flags", "gauge",
	  "Latched card alarm flags (OIO_CARD_* bits).", PER_CARD, card_alarms },
	{ "oio_card_armed", "gauge",
	  "1 if the card's lasers are armed.", PER_CARD, card_armed },
	{ "oio_card_interlock_closed", "gauge",
	  "1 if the laser safety interlock is closed.", PER_CARD,
	  card_interlock },
	{ "oio_lanes", "gauge", "Lanes of the card.", PER_CARD, card_n_lanes },
	{ "oio_lanes_up", "gauge", "Lanes activated (carrying data).",
	  PER_CARD, card_n_lanes_up },
	{ "oio_rings", "gauge", "Microrings of the card.", PER_CARD,
	  card_rings },
	{ "oio_rings_locked", "gauge", "Rings whose lock loop holds its lock.",
	  PER_CARD, card_locked },
	{ "oio_rings_lost", "gauge", "Rings whose lock loop lost its lock.",
	  PER_CARD, card_lost },
	{ "oio_rings_at_limit", "gauge",
	  "Rings whose heater is at an end of its range.", PER_CARD,
	  card_at_limit },
	{ "oio_laser_enabled", "gauge", "1 if the laser line is enabled.",
	  PER_LASER, laser_enabled },
	{ "oio_laser_emitting", "gauge", "1 if the laser line emits.",
	  PER_LASER, laser_emitting },
	{ "oio_laser_failed", "gauge", "1 if the laser line has failed.",
	  PER_LASER, laser_failed },
	{ "oio_laser_bias_amperes", "gauge", "Laser line bias current.",
	  PER_LASER, laser_bias },
	{ "oio_laser_power_watts", "gauge",
	  "Laser line optical power, per port.", PER_LASER, laser_power },
	{ "oio_laser_temperature_celsius", "gauge",
	  "Laser line TEC temperature.", PER_LASER, laser_temp },
	{ "oio_laser_alarm_flags", "gauge",
	  "Latched laser line alarm flags (OIO_LALM_* bits).", PER_LASER,
	  laser_alarms },
	{ "oio_lane_up", "gauge", "1 if the lane is activated.", PER_LANE,
	  lane_up },
	{ "oio_lane_prbs_bits_total", "counter",
	  "Bits the lane's PRBS checker counted since it was last cleared.",
	  PER_LANE, lane_bits },
	{ "oio_lane_prbs_errors_total", "counter",
	  "Bit errors the lane's PRBS checker counted since it was last cleared.",
	  PER_LANE, lane_errors },
};

/* A label value, escaped as the text format wants: \\, \" and \n. */
static void put_label(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s=\"", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', f);
		if (*value == '\n')
			fputs("\\n", f);
		else
			fputc(*value, f);
	}
	fputc('"', f);
}

static void put_value(FILE *f, struct prom_value v)
{
	uint64_t mag = v.v < 0 ? -(uint64_t)v.v : (uint64_t)v.v;
	uint64_t scale = 1;
	unsigned int d;

	for (d = 0; d < v.decimals; d++)
		scale *= 10;
	fprintf(f, " %s%" PRIu64, v.v < 0 ? "-" : "", mag / scale);
	if (v.decimals)
		fprintf(f, ".%0*" PRIu64, (int)v.decimals, mag % scale);
	fputc('\n', f);
}

/* name{card="oioN",serial="S"[,extra="x"...]} */
static void put_series(FILE *f, const char *name, const struct prom_card *c,
		       const char *extra, uint32_t extra_val,
		       const char *extra2, uint32_t extra2_val)
{
	char card[16], serial[16], num[16];

	snprintf(card, sizeof(card), "oio%" PRIu32, c->info->id);
	snprintf(serial, sizeof(serial), "%" PRIu32, c->info->serial);
	fprintf(f, "%s{", name);
	put_label(f, "card", card);
	fputc(',', f);
	put_label(f, "serial", serial);
	if (extra) {
		snprintf(num, sizeof(num), "%" PRIu32, extra_val);
		fputc(',', f);
		put_label(f, extra, num);
	}
	if (extra2) {
		snprintf(num, sizeof(num), "%" PRIu32, extra2_val);
		fputc(',', f);
		put_label(f, extra2, num);
	}
	fputc('}', f);
}

static void put_family(FILE *f, const struct prom_family *fam,
		       const struct prom_card *cards, size_t n)
{
	size_t c, i;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help,
		fam->name, fam->type);
	for (c = 0; c < n; c++) {
		const struct oio_telemetry *t = cards[c].t;

		if (!t)
			continue;
		switch (fam->scope) {
		case PER_CARD:
			put_series(f, fam->name, &cards[c], NULL, 0, NULL, 0);
			put_value(f, fam->value(&cards[c], 0));
			break;
		case PER_LASER:
			for (i = 0; i < t->n_lasers && i < OIO_MAX_WAVELENGTHS;
			     i++) {
				put_series(f, fam->name, &cards[c], "line",
					   t->laser[i].line, NULL, 0);
				put_value(f, fam->value(&cards[c], i));
			}
			break;
		case PER_LANE:
			for (i = 0; i < t->n_lanes && i < OIO_MAX_LANES; i++) {
				put_series(f, fam->name, &cards[c], "lane",
					   t->lane[i].lane, "port",
					   t->lane[i].port);
				put_value(f, fam->value(&cards[c], i));
			}
			break;
		}
	}
}

/*
 * oio_port_heater_headroom_kelvin{port,direction}: only for a port with a
 * lane up, as there is no margin to speak of otherwise. Millikelvin is
 * finer than the estimate is good for, and keeps the value exact decimal.
 */
static void put_headroom(FILE *f, const struct prom_card *cards, size_t n)
{
	static const char name[] = "oio_port_heater_headroom_kelvin";
	char card[16], serial[16], port[16];
	struct oio_headroom h;
	size_t c;
	uint32_t p;
	int dir;

	fprintf(f, "# HELP %s Kelvin the card may warm or cool before a heater "
		"of a lane up reaches an end of its range (nominal law).\n"
		"# TYPE %s gauge\n", name, name);
	for (c = 0; c < n; c++) {
		const struct oio_telemetry *t = cards[c].t;

		for (p = 0; t && p < cards[c].info->ports; p++) {
			if (oio_port_headroom(cards[c].info, t->lane,
					      t->n_lanes, t->ring, t->n_rings,
					      p, &h) || !h.known)
				continue;
			for (dir = 0; dir < 2; dir++) {
				double k = dir ? h.cool_k : h.warm_k;

				snprintf(card, sizeof(card), "oio%" PRIu32,
					 cards[c].info->id);
				snprintf(serial, sizeof(serial), "%" PRIu32,
					 cards[c].info->serial);
				snprintf(port, sizeof(port), "%" PRIu32, p);
				fprintf(f, "%s{", name);
				put_label(f, "card", card);
				fputc(',', f);
				put_label(f, "serial", serial);
				fputc(',', f);
				put_label(f, "port", port);
				fputc(',', f);
				put_label(f, "direction", dir ? "cool" : "warm");
				fputc('}', f);
				put_value(f, val(llround(k * 1000), 3));
			}
		}
	}
}

void prom_format(FILE *f, const struct prom_card *cards, size_t n)
{
	char card[16], serial[16];
	size_t c, i;

	fputs("# HELP oio_telemetry_success 1 if the card's telemetry snapshot "
	      "was read.\n# TYPE oio_telemetry_success gauge\n", f);
	for (c = 0; c < n; c++) {
		put_series(f, "oio_telemetry_success", &cards[c], NULL, 0,
			   NULL, 0);
		put_value(f, val(cards[c].t != NULL, 0));
	}
	fputs("# HELP oio_card_info The card's identity; the value is 1.\n"
	      "# TYPE oio_card_info gauge\n", f);
	for (c = 0; c < n; c++) {
		const struct oio_card_info *ci = cards[c].info;

		snprintf(card, sizeof(card), "oio%" PRIu32, ci->id);
		snprintf(serial, sizeof(serial), "%" PRIu32, ci->serial);
		fputs("oio_card_info{", f);
		put_label(f, "card", card);
		fputc(',', f);
		put_label(f, "serial", serial);
		fputc(',', f);
		put_label(f, "firmware", ci->fw_version);
		snprintf(serial, sizeof(serial), "%" PRIu32, ci->board_rev);
		fputc(',', f);
		put_label(f, "board_rev", serial);
		fputc(',', f);
		put_label(f, "pci_address", ci->pci_address);
		fputs("} 1\n", f);
	}
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		put_family(f, &families[i], cards, n);
	put_headroom(f, cards, n);
}

int prom_path_ok(const char *path)
{
	size_t len = strlen(path);

	return len > 5 && !strcmp(path + len - 5, ".prom") &&
		path[len - 6] != '/';
}

int prom_write_file(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	char *tmp;
	int fd, err = 0;
	FILE *f;

	/* ".name.XXXXXX": the collector reads only *.prom, never this */
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)dirlen, path,
		     path + dirlen) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* node_exporter runs as its own user: the file is world-readable */
	if (fchmod(fd, 0644) < 0) {
		err = -errno;
		close(fd);
		goto unlink;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto unlink;
	}
	errno = 0;
	if (fwrite(text, 1, len, f) != len || fflush(f) || fsync(fd) < 0)
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = errno ? -errno : -EIO;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
unlink:
	if (err)
		unlink(tmp);
out:
	free(tmp);
	return err;
}
