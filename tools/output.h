/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Output helpers for oioctl: the JSON objects every command shares (built
 * with json-c, keys documented in oioctl(8)), human-unit formatting for
 * the text output, and the peak finder of sweep traces. Apart from
 * json_print() nothing here does I/O, so tests/unit/test-output.c can
 * check it.
 */
#ifndef OIOCTL_OUTPUT_H
#define OIOCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json.h>

#include "liboio.h"

/* Print obj on one line (or indented when pretty) and drop the reference. */
void json_print(FILE *f, struct json_object *obj, bool pretty);

/* Add key: value to obj; these keep the call sites short. */
void jadd_u64(struct json_object *obj, const char *key, uint64_t v);
void jadd_i64(struct json_object *obj, const char *key, int64_t v);
void jadd_bool(struct json_object *obj, const char *key, bool v);
void jadd_str(struct json_object *obj, const char *key, const char *s);
void jadd_num(struct json_object *obj, const char *key, double v);

/* The flag sets of the netlink specification. */
enum flag_kind {
	FLAGS_CARD_ALARM,
	FLAGS_LASER_ALARM,
	FLAGS_LANE_ALARM,
	FLAGS_LASER_STATUS,
};

/* The names of the set bits of v, bit 0 first; bitN for an unknown bit. */
struct json_object *json_flag_names(enum flag_kind kind, uint32_t v);
/* Every flags field: key as a number and key_names as json_flag_names(). */
void jadd_flags(struct json_object *obj, const char *key, enum flag_kind kind,
		uint32_t v);

/*
 * The objects of oio's model. json_card() gives the card's own fields; the
 * calibration sub-object only when calibration is set.
 */
struct json_object *json_card(const struct oio_card_info *c, bool calibration);
struct json_object *json_port(const struct oio_port_info *p);
struct json_object *json_laser(const struct oio_laser_info *l);
struct json_object *json_lane(const struct oio_lane_info *l);
struct json_object *json_prbs(const struct oio_lane_info *l);
struct json_object *json_ring(const struct oio_ring_info *r);
struct json_object *json_link_report(const struct oio_link_report *r);

/* errors/bits, or NULL (JSON null) while no bit was counted. */
struct json_object *json_ber(uint64_t bits, uint64_t errors);

/* Text forms. Each returns buf. */
const char *fmt_temp(char *buf, size_t len, int32_t mc, bool utf8);
const char *fmt_ma(char *buf, size_t len, uint32_t ua);
const char *fmt_mw(char *buf, size_t len, uint32_t uw);
const char *fmt_na(char *buf, size_t len, uint32_t na, bool utf8);
/* "2.5e-07", "<3.1e-11" (no error seen: the bound 1/bits), "-" (no bits) */
const char *fmt_ber(char *buf, size_t len, uint64_t bits, uint64_t errors);
/* "emitting", "ramping,failed", ... or "dark" for none */
const char *fmt_laser_status(char *buf, size_t len, uint32_t status);

/* A name of the library's, or "unknown" for a value it does not know. */
const char *name_or_unknown(const char *name);
#define lane_state_str(s)	name_or_unknown(oio_lane_state_name(s))
#define lane_reason_str(r)	name_or_unknown(oio_lane_reason_name(r))
#define lock_state_str(s)	name_or_unknown(oio_lock_state_name(s))

/* Terminal columns s takes (UTF-8: continuation bytes take none). */
size_t text_width(const char *s);
/* s, then blanks up to width columns (at least one). */
void put_cell(FILE *f, const char *s, size_t width);

#endif /* OIOCTL_OUTPUT_H */
