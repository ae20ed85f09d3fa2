/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pure parsers for oioctl's arguments. None of them prints or touches the
 * system; each returns 0, -EINVAL for text it cannot read or -ERANGE for a
 * value outside the allowed range, and leaves *out alone on failure, so
 * they can be unit-tested on their own (tests/unit/test-parse.c).
 */
#ifndef OIOCTL_PARSE_H
#define OIOCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A decimal number, or hexadecimal with 0x; no sign, no blanks. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* on/off, yes/no, true/false, 1/0 (case-insensitive). */
int parse_bool(const char *s, bool *out);

/*
 * "N", "N-M" or "all" over indexes 0..max. "all" gives 0..max. Both ends
 * must be <= max and first <= last.
 */
int parse_range(const char *s, uint32_t max, uint32_t *first, uint32_t *last);

enum card_spec_kind {
	CARD_SPEC_ID,
	CARD_SPEC_PCI,
};

struct card_spec {
	enum card_spec_kind kind;
	uint32_t id;
	char pci[16];	/* dddd:bb:dd.f, lower case, domain filled in */
};

/* N, oioN, or a PCI address dddd:bb:dd.f or bb:dd.f (domain 0000). */
int parse_card_spec(const char *s, struct card_spec *out);

/*
 * A duration: a decimal number (fraction allowed) with an optional unit
 * ns, us, ms, s or m; a bare number is in units of default_unit_ns.
 * Sub-nanosecond remainders are dropped.
 */
int parse_duration(const char *s, uint64_t default_unit_ns, uint64_t *out_ns);

/*
 * oioctl's options that take a duration, all read by
 * parse_duration_opt(): a number with a unit (ns, us, ms, s, min), or a
 * bare number in the unit the option has always had, listed here and
 * once in the man page (DURATIONS).
 */
struct duration_opt {
	const char *name;	/* "--dwell" */
	const char *bare;	/* the unit of a bare number: "ns" */
	uint64_t bare_ns;
	uint64_t min_ns, max_ns;
};

extern const struct duration_opt opt_prbs_dwell;	/* link up, recover */
extern const struct duration_opt opt_sweep_dwell;	/* sweep --dwell */
extern const struct duration_opt opt_watch;		/* telemetry --watch */

/* 0, -EINVAL for text that is no duration, -ERANGE outside the option's. */
int parse_duration_opt(const char *s, const struct duration_opt *o,
		       uint64_t *out_ns);
/*
 * The one-line reason for a refused value, without the option's name:
 * "want 100ns to 1ms; a bare number is in ns".
 */
void duration_opt_want(const struct duration_opt *o, char *buf, size_t len);
/* ns in the largest unit that writes it whole: 1000000 -> "1ms". */
void format_duration(uint64_t ns, char *buf, size_t len);

/*
 * A current in microamperes: a number with an optional unit uA, mA or A
 * (case of the prefix matters: "mA", not "MA"); a bare number is in uA.
 */
int parse_current_ua(const char *s, uint32_t max_ua, uint32_t *out_ua);

/* A finite floating-point number within [min, max]. */
int parse_double(const char *s, double min, double max, double *out);

/*
 * The index of s in words[0..n-1] (exact match), or -EINVAL. For enum-like
 * keywords such as lane requests.
 */
int parse_keyword(const char *s, const char *const *words, size_t n);

#endif /* OIOCTL_PARSE_H */
