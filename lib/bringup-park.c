// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: parking the rings of lanes that are down, where they
 * take no line from the lanes that are up - by the fits, and then by
 * what their own monitors read there.
 */
#include <math.h>
#include <stdbool.h>

#include "bringup-run.h"
#include "minmax.h"

/*
 * A parked ring reading this share of a full peak more than the fits
 * reckon it should, and twice what they reckon, sits on a line's flank
 * where they put it clear: a TX ring so placed imprints on that line
 * (datasheet 7.8), closing the eye of the lane that carries it, which a
 * dwell too short for the BER target does not show. Parked clear, a ring
 * reads the tails of the lines on either side, about a tenth of a peak
 * at Q 5,000 and half of one at 2,500, which the fits reckon only so well
 * (optical-worst 26190261's ring 20 read half a peak where they reckoned
 * a tenth: they had line 0 544 pm from it, the model 229).
 */
#define PARK_EXCESS	0.1

/*
 * Moves, in line spacings, tried for such a ring, the darkest reading
 * kept: a third finds the middle of a gap the fits misjudged, two thirds
 * the next gap where two lines crowd the ring from both sides (26190261's
 * ring 20 sat in 677 pm between line 0 and line 7 of the next order).
 */
static const double park_moves[] = { 0.35, -0.35, 0.7, -0.7 };

/*
 * Did the fits misplace parked ring r: does its monitor read more than
 * they reckon by PARK_EXCESS of a full peak, by six times its noise, and
 * twice what they reckon?
 */
static bool misplaced(const struct run *run, unsigned int r)
{
	const struct oio_tune_ring *rg = &run->t->ring[r];
	double noise = rg->noise_na > 0 ? rg->noise_na : run->t->noise_na;
	double reckoned = run_park_share(run, r) * rg->ref_na;
	double na = run->tel->ring[r].monitor_na;

	return rg->ref_na > 0 && !isnan(reckoned) && na > 2 * reckoned &&
	       na - reckoned > lio_fmax(PARK_EXCESS * rg->ref_na,
					6 * (noise > 0 ? noise : 0));
}

/*
 * The rings of park that the fits misplaced, each moved by park_moves[]
 * in turn and left where its monitor read least (where it was, if
 * nowhere darker). Only with every line at full power: a dimmed line's
 * share says nothing of the light it takes at full power.
 */
static int park_by_monitor(struct run *run, const bool *park)
{
	const struct oio_card_io *io = run->io;
	unsigned int nr = 2 * lanes_of(run), r, k;
	uint32_t at[OIO_MAX_RINGS], best[OIO_MAX_RINGS];
	double least[OIO_MAX_RINGS];
	bool lost[OIO_MAX_RINGS], any = false;
	int err;

	if (run->dimmed & run->emitting)
		return 0;
	err = run_snap(run, RINGS);
	for (r = 0; r < nr && !err; r++) {
		lost[r] = park[r] && misplaced(run, r);
		at[r] = best[r] = run->tel->ring[r].heater;
		least[r] = run->tel->ring[r].monitor_na;
		any |= lost[r];
	}
	for (k = 0; k < sizeof(park_moves) / sizeof(park_moves[0]) && any && !err; k++) {
		for (r = 0; r < nr; r++)
			if (lost[r])
				io->heater(io->h, r,
					   run_code_moved(run, r, at[r],
							  park_moves[k] *
							  run->g.spacing_pm));
		err = io->run(io->h);
		if (err)
			break;
		run_settle(run);
		err = run_snap(run, RINGS);
		for (r = 0; r < nr && !err; r++) {
			if (!lost[r] || run->tel->ring[r].monitor_na >= least[r])
				continue;
			least[r] = run->tel->ring[r].monitor_na;
			best[r] = run->tel->ring[r].heater;
		}
	}
	if (err || !any)
		return err;
	for (r = 0; r < nr; r++)
		if (lost[r])
			io->heater(io->h, r, best[r]);
	err = io->run(io->h);
	if (!err)
		run_settle(run);
	return err;
}

int run_park(struct run *run, const bool *mask, const bool *want,
	     bool *moved)
{
	unsigned int W = run->info.wavelengths, p, side, w;
	const struct oio_card_io *io = run->io;
	bool park[OIO_MAX_RINGS] = { false };
	int err;

	*moved = false;
	err = run_snap(run, RINGS);
	for (p = 0; p < run->info.ports && !err; p++) {
		if (!mask[p])
			continue;
		for (side = 0; side < 2; side++) {
			bool parked[MAX_W], any = false;
			uint32_t code[MAX_W], was[MAX_W];

			for (w = 0; w < W; w++) {
				const struct oio_ring_info *ri = &run->tel->ring[
					lio_tune_ring_of(&run->g, p, side, w)];

				code[w] = was[w] = ri->heater;
				parked[w] = !want[p * W + w] &&
					    !run_holds_line(run, p * W + w);
				any |= parked[w];
			}
			if (!any)
				continue;
			lio_tune_park(run->t, p, side, parked, code);
			for (w = 0; w < W; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);

				if (!parked[w])
					continue;
				park[r] = true;
				if (run->tel->ring[r].lock)
					io->lock(io->h, r, false);
				/*
				 * One parked already, where it would be parked
				 * again, has not moved: another round of checks
				 * would only check the same again.
				 */
				if (code[w] != was[w] || run->tel->ring[r].lock) {
					io->heater(io->h, r, code[w]);
					*moved = true;
				}
			}
		}
	}
	if (err || !*moved)
		return err;
	err = io->run(io->h);
	if (!err)
		run_settle(run);
	return err ?: park_by_monitor(run, park);
}
