// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON objects and text formatting shared by oioctl's commands. The JSON
 * keys are a stable interface (oioctl(8), JSON OUTPUT): a key keeps its
 * name and shape in every command, and the schemas of tools/schema/ say
 * which; change them only together with the man page and the schemas.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void json_print(FILE *f, struct json_object *obj, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			  JSON_C_TO_STRING_PLAIN;
	fprintf(f, "%s\n", json_object_to_json_string_ext(obj, flags));
	json_object_put(obj);
}

void jadd_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

void jadd_i64(struct json_object *obj, const char *key, int64_t v)
{
	json_object_object_add(obj, key, json_object_new_int64(v));
}

void jadd_bool(struct json_object *obj, const char *key, bool v)
{
	json_object_object_add(obj, key, json_object_new_boolean(v));
}

void jadd_str(struct json_object *obj, const char *key, const char *s)
{
	json_object_object_add(obj, key, s ? json_object_new_string(s) : NULL);
}

/* A measured figure: null where it could not be measured (NAN). */
void jadd_num(struct json_object *obj, const char *key, double v)
{
	json_object_object_add(obj, key,
			       isfinite(v) ? json_object_new_double(v) : NULL);
}

/*
 * The flag names of the netlink specification, bit 0 first. A bit the
 * table does not know is named bitN, so that no set bit goes unnamed.
 */
static const char *const card_alarm_names[] = {
	"temp-high", "temp-low", "temp-high-warn", "temp-low-warn",
};

static const char *const laser_alarm_names[] = {
	"bias-high", "bias-high-warn", "power-low", "power-low-warn",
	"temp-high", "temp-low", "failure",
};

static const char *const lane_alarm_names[] = {
	"tx-lock-lost", "rx-lock-lost", "tx-at-limit", "rx-at-limit",
};

static const char *const laser_status_names[] = {
	"emitting", "ramping", "failed",
};

static const struct flag_table {
	const char *const *names;
	size_t n;
} flag_tables[] = {
	[FLAGS_CARD_ALARM] = { card_alarm_names, ARRAY_SIZE(card_alarm_names) },
	[FLAGS_LASER_ALARM] = { laser_alarm_names,
				ARRAY_SIZE(laser_alarm_names) },
	[FLAGS_LANE_ALARM] = { lane_alarm_names, ARRAY_SIZE(lane_alarm_names) },
	[FLAGS_LASER_STATUS] = { laser_status_names,
				 ARRAY_SIZE(laser_status_names) },
};

struct json_object *json_flag_names(enum flag_kind kind, uint32_t v)
{
	const struct flag_table *t = &flag_tables[kind];
	struct json_object *a = json_object_new_array();
	unsigned int bit;
	char name[16];

	for (bit = 0; bit < 32; bit++) {
		if (!(v & (1U << bit)))
			continue;
		if (bit < t->n)
			snprintf(name, sizeof(name), "%s", t->names[bit]);
		else
			snprintf(name, sizeof(name), "bit%u", bit);
		json_object_array_add(a, json_object_new_string(name));
	}
	return a;
}

void jadd_flags(struct json_object *obj, const char *key, enum flag_kind kind,
		uint32_t v)
{
	char names[64];

	snprintf(names, sizeof(names), "%s_names", key);
	jadd_u64(obj, key, v);
	json_object_object_add(obj, names, json_flag_names(kind, v));
}

const char *name_or_unknown(const char *name)
{
	return name ? name : "unknown";
}

struct json_object *json_card(const struct oio_card_info *c, bool calibration)
{
	struct json_object *o = json_object_new_object();
	char name[24];

	snprintf(name, sizeof(name), "oio%" PRIu32, c->id);
	jadd_u64(o, "card_id", c->id);
	jadd_str(o, "name", name);
	jadd_str(o, "pci_address", c->pci_address);
	jadd_u64(o, "serial", c->serial);
	jadd_str(o, "fw_version", c->fw_version);
	jadd_u64(o, "board_rev", c->board_rev);
	jadd_u64(o, "ports_total", c->ports);
	jadd_u64(o, "wavelengths", c->wavelengths);
	jadd_i64(o, "temp_mc", c->temp_mc);
	jadd_str(o, "health", name_or_unknown(oio_card_health_name(c->health)));
	jadd_bool(o, "interlock_closed", c->interlock_closed);
	jadd_bool(o, "interlock_opened", c->interlock_opened);
	jadd_bool(o, "armed", c->armed);
	jadd_flags(o, "alarms", FLAGS_CARD_ALARM, c->alarms);
	if (calibration) {
		struct json_object *cal = json_object_new_object();

		jadd_u64(cal, "grid_first_pm", c->grid_first_pm);
		jadd_u64(cal, "grid_spacing_pm", c->grid_spacing_pm);
		jadd_u64(cal, "fsr_pm", c->fsr_pm);
		jadd_u64(cal, "heater_range_pm", c->heater_range_pm);
		jadd_u64(cal, "fwhm_pm", c->fwhm_pm);
		jadd_u64(cal, "drift_pm_per_k", c->drift_pm_per_k);
		json_object_object_add(o, "calibration", cal);
	}
	return o;
}

struct json_object *json_port(const struct oio_port_info *p)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "card_id", p->card_id);
	jadd_u64(o, "port", p->port);
	jadd_u64(o, "line_shift", p->line_shift);
	return o;
}

struct json_object *json_laser(const struct oio_laser_info *l)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "card_id", l->card_id);
	jadd_u64(o, "line", l->line);
	jadd_bool(o, "enable", l->enable);
	jadd_u64(o, "bias_set_ua", l->bias_set_ua);
	jadd_u64(o, "bias_ua", l->bias_ua);
	jadd_u64(o, "power_uw", l->power_uw);
	jadd_i64(o, "temp_mc", l->temp_mc);
	jadd_flags(o, "status", FLAGS_LASER_STATUS, l->status);
	jadd_bool(o, "emitting", l->status & OIO_LASER_EMITTING);
	jadd_bool(o, "ramping", l->status & OIO_LASER_RAMPING);
	jadd_bool(o, "failed", l->status & OIO_LASER_FAILED);
	jadd_flags(o, "alarms", FLAGS_LASER_ALARM, l->alarms);
	return o;
}

struct json_object *json_ber(uint64_t bits, uint64_t errors)
{
	if (!bits)
		return NULL;
	return json_object_new_double((double)errors / (double)bits);
}

struct json_object *json_lane(const struct oio_lane_info *l)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "card_id", l->card_id);
	jadd_u64(o, "lane", l->lane);
	jadd_u64(o, "port", l->port);
	jadd_str(o, "state", lane_state_str(l->state));
	jadd_str(o, "reason",
		 lane_reason_str(l->reason));
	jadd_bool(o, "prbs_generator", l->prbs_generator);
	jadd_bool(o, "prbs_checker", l->prbs_checker);
	jadd_u64(o, "prbs_bits", l->prbs_bits);
	jadd_u64(o, "prbs_errors", l->prbs_errors);
	jadd_flags(o, "alarms", FLAGS_LANE_ALARM, l->alarms);
	return o;
}

struct json_object *json_prbs(const struct oio_lane_info *l)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "card_id", l->card_id);
	jadd_u64(o, "lane", l->lane);
	jadd_bool(o, "prbs_generator", l->prbs_generator);
	jadd_bool(o, "prbs_checker", l->prbs_checker);
	jadd_u64(o, "prbs_bits", l->prbs_bits);
	jadd_u64(o, "prbs_errors", l->prbs_errors);
	json_object_object_add(o, "ber", json_ber(l->prbs_bits,
						  l->prbs_errors));
	return o;
}

struct json_object *json_ring(const struct oio_ring_info *r)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "card_id", r->card_id);
	jadd_u64(o, "ring", r->ring);
	jadd_u64(o, "lane", r->ring / 2);
	jadd_str(o, "side", r->ring % 2 ? "rx" : "tx");
	jadd_u64(o, "heater_code", r->heater);
	jadd_u64(o, "heater_uw", r->heater_uw);
	jadd_u64(o, "monitor_na", r->monitor_na);
	jadd_bool(o, "lock", r->lock);
	jadd_str(o, "lock_state",
		 lock_state_str(r->lock_state));
	jadd_bool(o, "at_limit", r->at_limit);
	return o;
}

/* What bring-up measured of the card, for its wl lines. */
static struct json_object *json_link_card(const struct oio_link_card *m,
					  uint32_t wl)
{
	struct json_object *o = json_object_new_object();
	struct json_object *line = json_object_new_array();
	struct json_object *dim = json_object_new_array();
	uint32_t l;

	jadd_u64(o, "rings_named", m->rings_named);
	jadd_num(o, "fsr_pm", m->fsr_pm);
	jadd_num(o, "heater_tau_ns", m->heater_tau_ns);
	jadd_num(o, "crosstalk", m->crosstalk);
	jadd_num(o, "crosstalk_nn", m->crosstalk_nn);
	jadd_num(o, "noise_na", m->noise_na);
	jadd_num(o, "fwhm_pm", m->fwhm_pm);
	for (l = 0; l < wl && l < OIO_MAX_WAVELENGTHS; l++) {
		json_object_array_add(line, isfinite(m->line_pm[l]) ?
				      json_object_new_double(m->line_pm[l]) :
				      NULL);
		json_object_array_add(dim, isfinite(m->dim_shift_pm[l]) ?
				      json_object_new_double(m->dim_shift_pm[l]) :
				      NULL);
	}
	json_object_object_add(o, "line_pm", line);
	json_object_object_add(o, "dim_shift_pm", dim);
	return o;
}

struct json_object *json_link_report(const struct oio_link_report *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *shift = json_object_new_array();
	struct json_object *lanes = json_object_new_array();
	uint32_t wl = r->ports ? r->lanes / r->ports : 0;
	uint32_t i;

	jadd_u64(o, "card_id", r->card_id);
	jadd_u64(o, "lanes_total", r->lanes);
	jadd_u64(o, "lanes_up", r->lanes_up);
	jadd_u64(o, "ports_total", r->ports);
	for (i = 0; i < r->ports && i < OIO_MAX_PORTS; i++)
		json_object_array_add(shift,
				      json_object_new_uint64(r->line_shift[i]));
	json_object_object_add(o, "line_shifts", shift);
	jadd_u64(o, "t_start_ns", r->t_start);
	jadd_u64(o, "t_lasers_ns", r->t_lasers);
	jadd_u64(o, "t_locked_ns", r->t_locked);
	jadd_u64(o, "t_done_ns", r->t_done);
	jadd_u64(o, "sweeps", r->sweeps);
	for (i = 0; i < r->lanes && i < OIO_MAX_LANES; i++) {
		const struct oio_link_lane *l = &r->lane[i];
		struct json_object *e = json_object_new_object();

		jadd_u64(e, "lane", i);
		jadd_u64(e, "port", wl ? i / wl : 0);
		jadd_str(e, "fail", name_or_unknown(oio_link_fail_name(l->fail)));
		jadd_str(e, "reason",
			 lane_reason_str(l->reason));
		jadd_u64(e, "line", l->line);
		jadd_u64(e, "tx_code", l->tx_code);
		jadd_u64(e, "rx_code", l->rx_code);
		jadd_u64(e, "prbs_bits", l->prbs_bits);
		jadd_u64(e, "prbs_errors", l->prbs_errors);
		json_object_object_add(e, "ber", json_ber(l->prbs_bits,
							  l->prbs_errors));
		json_object_array_add(lanes, e);
	}
	json_object_object_add(o, "lane_results", lanes);
	json_object_object_add(o, "measured", json_link_card(&r->measured,
							      wl));
	return o;
}

const char *fmt_temp(char *buf, size_t len, int32_t mc, bool utf8)
{
	/* round in integers so that -0.04 °C does not print as "-0.0" */
	int64_t tenths = mc >= 0 ? ((int64_t)mc + 50) / 100 :
				   -((-(int64_t)mc + 50) / 100);
	int64_t a = tenths < 0 ? -tenths : tenths;

	snprintf(buf, len, "%s%" PRId64 ".%" PRId64 "%s", tenths < 0 ? "-" : "",
		 a / 10, a % 10, utf8 ? "\u00b0C" : " C");
	return buf;
}

const char *fmt_ma(char *buf, size_t len, uint32_t ua)
{
	uint64_t tenths = ((uint64_t)ua + 50) / 100;

	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " mA", tenths / 10,
		 tenths % 10);
	return buf;
}

const char *fmt_mw(char *buf, size_t len, uint32_t uw)
{
	uint64_t hundredths = ((uint64_t)uw + 5) / 10;

	snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 " mW", hundredths / 100,
		 hundredths % 100);
	return buf;
}

const char *fmt_na(char *buf, size_t len, uint32_t na, bool utf8)
{
	if (na < 1000)
		snprintf(buf, len, "%" PRIu32 " nA", na);
	else if (na < 1000000)
		snprintf(buf, len, "%.1f %s", na / 1e3, utf8 ? "\u00b5A" : "uA");
	else
		snprintf(buf, len, "%.2f mA", na / 1e6);
	return buf;
}

const char *fmt_ber(char *buf, size_t len, uint64_t bits, uint64_t errors)
{
	if (!bits)
		snprintf(buf, len, "-");
	else if (!errors)
		snprintf(buf, len, "<%.1e", 1.0 / (double)bits);
	else
		snprintf(buf, len, "%.1e", (double)errors / (double)bits);
	return buf;
}

const char *fmt_laser_status(char *buf, size_t len, uint32_t status)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} flags[] = {
		{ OIO_LASER_EMITTING, "emitting" },
		{ OIO_LASER_RAMPING, "ramping" },
		{ OIO_LASER_FAILED, "failed" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (!(status & flags[i].bit) || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", flags[i].name);
	}
	if (!used)
		snprintf(buf, len, "dark");
	return buf;
}

size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void put_cell(FILE *f, const char *s, size_t width)
{
	size_t w = text_width(s);

	fputs(s, f);
	do
		fputc(' ', f);
	while (++w < width);
}
