// SPDX-License-Identifier: GPL-2.0-only
/*
 * Argument parsers for oioctl. Kept free of I/O and global state so that
 * the unit tests can drive them directly.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	const char *digits = s;
	char *end;
	int base = 10;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = s + 2;
	}
	/* strtoull would accept blanks, a sign and a second 0x */
	for (end = (char *)digits; *end; end++)
		if (base == 10 ? !isdigit((unsigned char)*end) :
				 !isxdigit((unsigned char)*end))
			return -EINVAL;
	if (!*digits)
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int err = parse_u64(s, min, max, &v);

	if (err)
		return err;
	*out = (uint32_t)v;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_range(const char *s, uint32_t max, uint32_t *first, uint32_t *last)
{
	char buf[32];
	const char *dash;
	uint32_t a, b;
	int err;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "all")) {
		*first = 0;
		*last = max;
		return 0;
	}
	dash = strchr(s, '-');
	if (!dash) {
		err = parse_u32(s, 0, max, &a);
		if (err)
			return err;
		*first = *last = a;
		return 0;
	}
	if (dash == s || (size_t)(dash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, dash - s);
	buf[dash - s] = '\0';
	/* read both ends as text first: "x-3" is a syntax error, not a range */
	err = parse_u32(buf, 0, UINT32_MAX, &a);
	if (!err)
		err = parse_u32(dash + 1, 0, UINT32_MAX, &b);
	if (err)
		return err;
	if (a > b)
		return -EINVAL;
	if (b > max)
		return -ERANGE;
	*first = a;
	*last = b;
	return 0;
}

/* Exactly one to width hex digits; returns the number of digits read. */
static int hex_field(const char *s, int width, unsigned int *out)
{
	unsigned int v = 0;
	int n;

	for (n = 0; n < width && isxdigit((unsigned char)s[n]); n++) {
		char c = (char)tolower((unsigned char)s[n]);

		v = v * 16 + (unsigned int)(isdigit((unsigned char)c) ?
					    c - '0' : c - 'a' + 10);
	}
	if (!n || isxdigit((unsigned char)s[n]))
		return 0;
	*out = v;
	return n;
}

static int parse_pci(const char *s, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = s;
	int n;

	if (strchr(s, ':') != strrchr(s, ':')) {
		n = hex_field(p, 4, &dom);
		if (!n || p[n] != ':')
			return -EINVAL;
		p += n + 1;
	}
	n = hex_field(p, 2, &bus);
	if (!n || p[n] != ':')
		return -EINVAL;
	p += n + 1;
	n = hex_field(p, 2, &dev);
	if (!n || p[n] != '.')
		return -EINVAL;
	p += n + 1;
	if (*p < '0' || *p > '7' || p[1])
		return -EINVAL;
	fn = (unsigned int)(*p - '0');
	if (dev > 0x1f)
		return -EINVAL;
	snprintf(out, len, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

int parse_card_spec(const char *s, struct card_spec *out)
{
	struct card_spec spec = { 0 };
	int err;

	if (!s || !*s)
		return -EINVAL;
	if (strchr(s, ':')) {
		err = parse_pci(s, spec.pci, sizeof(spec.pci));
		if (err)
			return err;
		spec.kind = CARD_SPEC_PCI;
		*out = spec;
		return 0;
	}
	if (!strncmp(s, "oio", 3))
		s += 3;
	/* card ids are written in decimal everywhere (oioN) */
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1] == 'x'))
		return -EINVAL;
	err = parse_u32(s, 0, UINT32_MAX, &spec.id);
	if (err)
		return err;
	spec.kind = CARD_SPEC_ID;
	*out = spec;
	return 0;
}

/*
 * digits[.digits] times mult, exactly for the integer part; the fraction
 * goes through long double, whose 64-bit mantissa keeps nanoseconds exact
 * for any duration a user types.
 */
static int parse_fixed(const char *s, const char **endp, uint64_t mult,
		       uint64_t *out)
{
	const char *p = s;
	uint64_t ip = 0, frac = 0, div = 1, v;
	bool digits = false;
	long double f;

	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		digits = true;
		if (ip > (UINT64_MAX - d) / 10)
			return -ERANGE;
		ip = ip * 10 + d;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			digits = true;
			/* digits past 18 cannot change a nanosecond count */
			if (div <= UINT64_MAX / 100) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				div *= 10;
			}
		}
	}
	if (!digits)
		return -EINVAL;
	if (mult && ip > UINT64_MAX / mult)
		return -ERANGE;
	v = ip * mult;
	f = (long double)frac * (long double)mult / (long double)div;
	if ((long double)(UINT64_MAX - v) < f)
		return -ERANGE;
	*out = v + (uint64_t)f;
	*endp = p;
	return 0;
}

struct unit {
	const char *name;
	uint64_t mult;
};

static int parse_with_units(const char *s, const struct unit *units,
			    size_t n, uint64_t def, uint64_t *out)
{
	const char *unit, *end;
	uint64_t mult = def, v;
	size_t i;
	int err;

	if (!s)
		return -EINVAL;
	/* find the unit first: the multiplier must be known before scaling */
	unit = s;
	while (isdigit((unsigned char)*unit) || *unit == '.')
		unit++;
	if (*unit) {
		for (i = 0; i < n; i++)
			if (!strcmp(unit, units[i].name))
				break;
		if (i == n)
			return -EINVAL;
		mult = units[i].mult;
	}
	err = parse_fixed(s, &end, mult, &v);
	if (err)
		return err;
	if (end != unit)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_duration(const char *s, uint64_t default_unit_ns, uint64_t *out_ns)
{
	static const struct unit units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\u00b5s", 1000 },
		{ "ms", 1000000 },
		{ "s", 1000000000ULL },
		{ "min", 60000000000ULL },
	};

	return parse_with_units(s, units, ARRAY_SIZE(units),
				default_unit_ns, out_ns);
}

/*
 * Limits: the kernel's on a sweep's dwell (oio.yaml); liboio's on PRBS
 * verification (a bring-up is no soak test); a day between snapshots.
 */
const struct duration_opt opt_prbs_dwell = {
	"--prbs-dwell", "us", 1000, 1000, 10000000000ULL,
};
const struct duration_opt opt_sweep_dwell = {
	"--dwell", "ns", 1, 100, 1000000,
};
const struct duration_opt opt_watch = {
	"--watch", "s", 1000000000ULL, 1000000, 86400000000000ULL,
};

int parse_duration_opt(const char *s, const struct duration_opt *o,
		       uint64_t *out_ns)
{
	uint64_t ns;
	int err = parse_duration(s, o->bare_ns, &ns);

	if (err)
		return err;
	if (ns < o->min_ns || ns > o->max_ns)
		return -ERANGE;
	*out_ns = ns;
	return 0;
}

void format_duration(uint64_t ns, char *buf, size_t len)
{
	static const struct unit units[] = {
		{ "s", 1000000000ULL },
		{ "ms", 1000000 },
		{ "us", 1000 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (ns && ns % units[i].mult == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].mult,
				 units[i].name);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64 "ns", ns);
}

void duration_opt_want(const struct duration_opt *o, char *buf, size_t len)
{
	char lo[32], hi[32];

	format_duration(o->min_ns, lo, sizeof(lo));
	format_duration(o->max_ns, hi, sizeof(hi));
	snprintf(buf, len, "want %s to %s; a bare number is in %s", lo, hi,
		 o->bare);
}

int parse_current_ua(const char *s, uint32_t max_ua, uint32_t *out_ua)
{
	static const struct unit units[] = {
		{ "uA", 1 },
		{ "ua", 1 },
		{ "\u00b5A", 1 },
		{ "mA", 1000 },
		{ "ma", 1000 },
		{ "A", 1000000 },
		{ "a", 1000000 },
	};
	uint64_t v;
	int err;

	err = parse_with_units(s, units, ARRAY_SIZE(units), 1,
			       &v);
	if (err)
		return err;
	if (v > max_ua)
		return -ERANGE;
	*out_ua = (uint32_t)v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	/* strtod skips blanks and reads "inf", "nan" and hex floats */
	if (!s || !(isdigit((unsigned char)*s) || *s == '.' || *s == '-' ||
		    *s == '+'))
		return -EINVAL;
	if (strchr(s, 'x') || strchr(s, 'X'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v))
		return -EINVAL;
	if (errno == ERANGE && v != 0)
		return -ERANGE;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_keyword(const char *s, const char *const *words, size_t n)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (words[i] && !strcmp(s, words[i]))
			return (int)i;
	return -EINVAL;
}
