/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which lanes of an emulated card a bring-up could bring up: a check with
 * the card's true silicon (tests/unit/simcard.c), bus order and wavelength
 * stealing included, that host tests compare the library's results
 * against. It knows what the card cannot tell the host; only tests may
 * look. It tries every line shift and, where its greedy rounds leave a
 * lane out, every set of each bus's rings that can sit on their lines at
 * once, each with room for its loop (each ring in the first of its
 * resonance orders the search finds that leaves every ring room; cards of
 * up to 10 lines, wider ones keeping the rounds' answer). A library that beats it on a
 * port - holding a ring within half a linewidth of its heater's end,
 * where the reference leaves a loop no room - counts as 'beyond',
 * reported, not wrong.
 */
#ifndef OIO_REFERENCE_H
#define OIO_REFERENCE_H

#include "simcard.h"

enum ref_why {
	REF_OK,
	REF_DARK,	/* the lane's line gives no light */
	REF_STUCK,	/* a ring's heater does not move */
	REF_REACH,	/* a ring cannot reach the line in any order, with
			 * half a linewidth of heater to spare each way -
			 * or not with the rings of the placement that
			 * brings up most lanes on theirs */
	REF_WEAK,	/* reachable, but the BER target is out of reach:
			 * a weak line, or one its neighbours crowd */
};

struct ref_port {
	unsigned int best;		/* most lanes any shift brings up */
	unsigned int shift;		/* the first shift that does */
	/* per shift and lane: can it come up, and if not why */
	enum ref_why why[OIO_MAX_WAVELENGTHS][OIO_MAX_WAVELENGTHS];
	/*
	 * Out of reach, and too weak as well: with its rings on its line
	 * (each ring out of reach given the heat it would need, every ring
	 * of the bus on its own line) it would still miss the BER target.
	 * Either is its reason.
	 */
	bool also_weak[OIO_MAX_WAVELENGTHS][OIO_MAX_WAVELENGTHS];
};

struct ref_card {
	unsigned int possible;		/* lanes, summed over ports' best */
	struct ref_port port[OIO_MAX_PORTS];
};

/*
 * Judge a card whose lasers are lit as they will run (at the time of the
 * card's clock). ber is the target a lane must meet with both rings
 * centred on its line.
 */
void ref_card(struct simcard *c, double ber, struct ref_card *out);

const char *ref_why_name(enum ref_why why);

#endif
