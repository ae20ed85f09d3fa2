/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The envelope of cards bring-up supports, as emulated card properties:
 * each knob's range and the corners tested, shared by the host suite
 * (tests/unit/test-envelope.c, hundreds of seeds a corner) and the VM
 * sample (tests/guest/link-bringup.c, a few seeds a corner through the
 * real driver). README "Cards bring-up supports" lists them.
 */
#ifndef OIO_CORNERS_H
#define OIO_CORNERS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct knob {
	const char *name;
	int64_t lo, hi;		/* the envelope, typical to worst */
};

/* Every knob of the envelope and its range; "inside" draws each. */
static const struct knob knobs[] = {
	{ "fsr-permille", 937, 1125 },
	{ "fsr-order-permille", 0, 20 },
	{ "crosstalk-permille", 0, 150 },
	{ "crosstalk-spread-permille", 0, 300 },
	{ "crosstalk-nn-permille", 0, 30 },
	{ "heater-tau-ns", 2000, 10000 },
	{ "heater-tau-spread-permille", 0, 200 },
	{ "heater-law-permille", 0, 150 },
	{ "laser-error-pm", 0, 250 },
	{ "laser-offset-pm", 0, 5000 },
	{ "laser-drift-pm-per-ma", 0, 15 },
	{ "monitor-noise-na", 0, 14000 },
	{ "ring-q", 2500, 10000 },
	{ "ring-spread-pm", 0, 3000 },
	{ "heater-range-pm", 5500, 8000 },
};

struct corner {
	const char *name;
	const char *props;	/* knob=value ..., NULL: drawn inside */
	unsigned int seeds;	/* times the -n given */
	/*
	 * Known not to meet the targets yet (issue 9's note says by how
	 * much): reported as TAP TODO, so that it shows without failing the
	 * suite, while a corner that meets them fails the suite if it stops.
	 */
	bool todo;
};

static const struct corner corners[] = {
	{ "default", "", 2, false },
	{ "fsr-7.5", "fsr-permille=937", 1, false },
	{ "fsr-9", "fsr-permille=1125", 1, false },
	{ "fsr-order-2%", "fsr-order-permille=20", 1, false },
	{ "crosstalk-0", "crosstalk-permille=0", 1, false },
	{ "crosstalk-15%",
	  "crosstalk-permille=150 crosstalk-spread-permille=300 "
	  "crosstalk-nn-permille=30", 1, false },
	{ "tau-2us", "heater-tau-ns=2000 heater-tau-spread-permille=200", 1, false },
	{ "tau-10us", "heater-tau-ns=10000 heater-tau-spread-permille=200", 1, false },
	{ "law-15%", "heater-law-permille=150", 1, false },
	{ "line-error-250pm", "laser-error-pm=250", 1, false },
	{ "offset-5nm", "laser-offset-pm=5000", 1, false },
	{ "drift-15pm/mA", "laser-drift-pm-per-ma=15", 1, false },
	{ "noise-1%", "monitor-noise-na=14000", 1, false },
	{ "q-2500", "ring-q=2500", 1, false },
	{ "q-10000", "ring-q=10000", 1, false },
	{ "spread-3nm", "ring-spread-pm=3000", 1, false },
	{ "range-5.5nm", "heater-range-pm=5500", 1, false },
	{ "range-8nm", "heater-range-pm=8000", 1, false },
	/* combined: the heat, then the light, at their worst together */
	{ "thermal-worst",
	  "crosstalk-permille=150 crosstalk-spread-permille=300 "
	  "crosstalk-nn-permille=30 heater-tau-ns=10000 "
	  "heater-tau-spread-permille=200 heater-law-permille=150", 1, false },
	{ "optical-worst",
	  "laser-error-pm=250 laser-offset-pm=5000 laser-drift-pm-per-ma=15 "
	  "monitor-noise-na=14000 ring-spread-pm=3000", 1, false },
	{ "inside", NULL, 1, false },
	/* a failed laser: its lanes dark, every other one up */
	{ "line-dark", "laser-fail-mask=4", 1, false },
};

#define NCORNERS	(sizeof(corners) / sizeof(corners[0]))

/* Room for a corner's properties, every knob drawn. */
#define CORNER_PROPS_MAX	1024

static inline uint64_t corner_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * Corner k's properties for seed, as "knob=value ..." in buf: its own,
 * or for a corner drawn inside, every knob drawn for this seed.
 */
static inline void corner_props(unsigned int k, uint64_t seed, char *buf,
				size_t len)
{
	size_t used = 0;
	unsigned int i;

	if (corners[k].props) {
		snprintf(buf, len, "%s", corners[k].props);
		return;
	}
	buf[0] = 0;
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		uint64_t u = corner_mix(seed * 31 + i);
		int64_t span = knobs[i].hi - knobs[i].lo;
		int n = snprintf(buf + used, len - used, "%s%s=%lld",
				 i ? " " : "", knobs[i].name,
				 (long long)(knobs[i].lo +
					     (int64_t)(u % (uint64_t)(span + 1))));

		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

/*
 * Each knob=value of props to set(arg, knob, value), in order: 0, -EINVAL
 * for a word that is not knob=value, or the first error set returns.
 */
static inline int corner_each(const char *props,
			      int (*set)(void *arg, const char *knob,
					 long long value),
			      void *arg)
{
	char buf[CORNER_PROPS_MAX], *tok, *save;
	int err = 0;

	snprintf(buf, sizeof(buf), "%s", props);
	for (tok = strtok_r(buf, " ", &save); tok && !err;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return -EINVAL;
		*eq = 0;
		err = set(arg, tok, strtoll(eq + 1, NULL, 0));
	}
	return err;
}

#endif
