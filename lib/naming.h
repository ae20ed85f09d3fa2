/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: what the analysis' two halves share - tuning.c's passes over
 * the card (traces, lags, shading, the card's fits) and naming.c's
 * search for each ring's naming, which judges the lines and orders of
 * its peaks against the card's lines.
 */
#ifndef OIO_NAMING_H
#define OIO_NAMING_H

#include <stdbool.h>

#include "tuning.h"

#define MAX_W		OIO_MAX_WAVELENGTHS

#define AMBIGUOUS	6.0	/* another naming must cost this much more */
/*
 * A ring a pass named with a lead of this much or more over any distinct
 * naming keeps it in the passes after: refitted and renamed there, not
 * searched again - in the last pass that search was a fifth of the
 * analysis, in the middle one as much again. With the lead at AMBIGUOUS
 * (every ring named), a few cards left a lane down for another reason
 * than the reference's; at twice it, none (docs/bringup.md).
 */
#define DECISIVE	(2 * AMBIGUOUS)
/* Rings named before the card's spread of them is trusted. */
#define PRIOR_RINGS	16
/*
 * A heater's full scale is the card's nominal (HEATER_RANGE_PM) within
 * its spread, some ten percent: a card whose first pass named its rings'
 * median this far off it has named them wrong (README, step 4), and the
 * namings its searches refine then pay for a full scale beyond it, by
 * NOMINAL_SLACK a sigma.
 */
#define NOMINAL_OFF	0.25
#define EDGE_SAMPLES	2.5	/* a peak this close to an end is half one */
/* How many places a ring's heat reaches: lio_tune_heat_share() is 0 beyond. */
#define HEAT_REACH	2

/* The share of ring k's own shift that reaches ring rj, dist places away. */
static inline double lio_tune_heat_share(const struct oio_tune *t,
					 const struct oio_tune_ring *rj,
					 unsigned int dist)
{
	return dist == 0 ? 1 : dist == 1 ? t->xt1 * rj->xt_gain :
	       dist == 2 ? t->xt2 : 0;
}

/* A ring's linewidth as measured, else the card's nominal one. */
static inline double lio_tune_fwhm(const struct oio_tune *t,
				   const struct oio_tune_ring *rg)
{
	return rg->fwhm_pm > 0 ? rg->fwhm_pm : t->g.fwhm_pm;
}

/* Would line put a full peak a lone line showed on another line? */
static inline bool lio_tune_off_its_anchor(const struct oio_tune_peak *p,
					   int line)
{
	return p->anchor >= 0 && !p->edge && line != p->anchor;
}

/*
 * Name ring rg, at bus position w, from its peaks against the lines of
 * cb, each peak's misfit judged at sigma pm: whether it could (else it
 * may be guessed, rg->guessed, or left for an anchor sweep). A naming
 * within AMBIGUOUS of a distinct one is not taken, unless settle and the
 * card's other rings tell the two apart.
 */
bool lio_tune_name_ring(const struct oio_tune *t, struct oio_tune_ring *rg,
			unsigned int w, double sigma,
			const struct oio_comb *cb, bool settle);
/*
 * A ring an earlier pass named decisively, refitted and judged again:
 * whether its naming stands (else it is searched afresh).
 */
bool lio_tune_rename_kept(const struct oio_tune *t, struct oio_tune_ring *rg,
			  double sigma, const struct oio_comb *cb);
/*
 * A ring with one full peak, which a lone line's sweep named - or one
 * whose search put such a peak on another line (lio_tune_rename()): the
 * card's usual full scale through it, at the order that puts the ring
 * where the card's rings sit. False, rg untouched, if it has no such peak
 * clear of the sweep's ends or the card has no median heater yet.
 */
bool lio_tune_anchor_alone(const struct oio_tune *t, struct oio_tune_ring *rg,
			   unsigned int w);
/*
 * Is full scale q unlike every other of the card's heaters? Meaningful
 * once lio_tune_card_spread() has set their range (t->spread_pm > 0).
 */
bool lio_tune_heater_unlike(const struct oio_tune *t, double q);
/*
 * The named rings' median heater and law; with PRIOR_RINGS named, also
 * their offsets' mean and spread and their heaters' and laws' ranges,
 * else spread_pm 0 and the ranges unbounded.
 */
void lio_tune_card_spread(struct oio_tune *t);
/* The lines and the FSR from every named ring; then, if joint, linefit.c. */
void lio_tune_refine_card(struct oio_tune *t, double sigma, bool joint);

#endif /* OIO_NAMING_H */
