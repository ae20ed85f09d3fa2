/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A bring-up judged on the emulated card: what the library reported, what
 * the card's true state says of it, and what the feasibility reference
 * (reference.h) says any bring-up could have done. Host tests only.
 */
#ifndef OIO_VERDICT_H
#define OIO_VERDICT_H

#include "liboio.h"
#include "reference.h"

struct verdict {
	unsigned int lanes;		/* the card's */
	unsigned int up;		/* lanes the report calls up */
	unsigned int possible;		/* the reference's best, summed */
	unsigned int up_possible;	/* up, counted up to each port's best */
	unsigned int beyond;		/* up beyond the reference's best */
	bool whole;			/* every lane up */
	bool ref_whole;			/* every lane the reference allows */
	/* up in the report, yet off its line, not ACTIVATED or erring */
	unsigned int wrongly_up;
	/* down for a reason the reference does not give at that shift */
	unsigned int disagree;
	unsigned int first_disagree;	/* lane, if any */
	unsigned int ref_ok_down;	/* down though the reference allows it */
	/* the reference's word on each lane at the shift the library chose */
	enum ref_why why[OIO_MAX_LANES];
	bool also_weak[OIO_MAX_LANES];	/* out of reach, too weak too */
};

/*
 * Judge the card c just brought up by rep, against a BER target. The
 * reference is taken with the lasers as they are now.
 */
void verdict_judge(struct simcard *c, const struct oio_link_report *rep,
		   double ber, struct verdict *v);

#endif
