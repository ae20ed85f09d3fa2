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
 * reckon it should, and PARK_OVER times what they reckon, sits on a
 * line's flank where they put it clear: a TX ring so placed imprints on
 * that line (datasheet 7.8), closing the eye of the lane that carries it,
 * which a dwell too short for the BER target does not show. Parked
 * clear, a ring reads the tails of the lines on either side, about a
 * tenth of a peak at Q 5,000 and half of one or more at 2,500, which the
 * fits reckon only so well (optical-worst 26190261's ring 20 read half a
 * peak where they reckoned a tenth: they had line 0 544 pm from it, the
 * model 229). A move is taken only if it reads less by half as much.
 */
#define PARK_EXCESS	0.1
/*
 * Half as much again as the fits reckon, not twice: twice let through
 * optical-worst 36190172's lane 27 RX ring, parked 0.62 of a linewidth
 * from line 7 upstream of lane 30's, which read 0.46 of a full peak where
 * they reckoned 0.26 and took 40 % of the line from lane 30; that lane
 * then failed its margin check at its port's best line shift.
 */
#define PARK_OVER	1.5
/*
 * What a ring moved by its monitor may read and still be taken to sit
 * clear of every line, as the tails at Q 5,000 read: on a card of low Q
 * it reads half a peak wherever it goes, and the fits' seat is the
 * better guess at what it takes.
 */
#define PARK_DARK	0.2

/*
 * Moves, in line spacings, tried for such a ring, the darkest reading
 * kept: a third finds the middle of a gap the fits misjudged, two thirds
 * the next gap where two lines crowd the ring from both sides (26190261's
 * ring 20 sat in 677 pm between line 0 and line 7 of the next order).
 */
static const double park_moves[] = { 0.35, -0.35, 0.7, -0.7 };

/*
 * By how much parked ring r may read more than it should before it is
 * taken to sit on a line: PARK_EXCESS of a full peak, and six times its
 * noise.
 */
static double park_slack(const struct run *run, unsigned int r)
{
	return lio_fmax(PARK_EXCESS * run->t->ring[r].ref_na,
			6 * run_ring_noise(run, r));
}

/*
 * Does parked ring r sit on a line's flank: more light than the fits
 * reckon it by park_slack() and twice over - or, where its monitor last
 * judged it, than it read then by as much?
 */
static bool misplaced(const struct run *run, unsigned int r)
{
	const struct oio_ring_info *ri = &run->tel->ring[r];
	double ref = run->t->ring[r].ref_na, na = ri->monitor_na, reckoned;

	if (!(ref > 0))
		return false;
	if (run_park_kept(run, r, ri->heater))
		return na - run->park_na[r] > park_slack(run, r);
	reckoned = run_park_share(run, r) * ref;
	return !isnan(reckoned) && na > PARK_OVER * reckoned &&
	       na - reckoned > park_slack(run, r);
}

/*
 * The rings of lost to code, settled and read (run->tel); on an error,
 * back at their codes at.
 */
static int park_set(struct run *run, const bool *lost, const uint32_t *code,
		    const uint32_t *at)
{
	const struct oio_card_io *io = run->io;
	unsigned int r;
	int err;

	for (r = 0; r < 2 * lanes_of(run); r++)
		if (lost[r])
			io->heater(io->h, r, code[r]);
	err = io->run(io->h);
	if (!err) {
		run_settle(run);
		err = run_snap(run, RINGS);
	}
	if (err) {
		for (r = 0; r < 2 * lanes_of(run); r++)
			if (lost[r])
				io->heater(io->h, r, at[r]);
		io->run(io->h);
	}
	return err;
}

/*
 * The rings of park that misplaced() finds, each moved by park_moves[]
 * in turn and left where its monitor read least by park_slack() / 2 or
 * more (where it was, if nowhere), run->tel a snapshot then. Only with
 * every line at full power: a dimmed line's share says nothing of the
 * light it takes at full power. Not in recovery by the calibration,
 * which keeps no monitor's full peak to judge by.
 */
static int park_by_monitor(struct run *run, const bool *park)
{
	unsigned int nr = 2 * lanes_of(run), r, k;
	uint32_t at[OIO_MAX_RINGS], best[OIO_MAX_RINGS], probe[OIO_MAX_RINGS];
	double least[OIO_MAX_RINGS];
	bool lost[OIO_MAX_RINGS], any = false;
	int err;

	if (run->quiet || run->dimmed)
		return 0;
	err = run_snap(run, RINGS);
	for (r = 0; r < nr && !err; r++) {
		lost[r] = park[r] && misplaced(run, r);
		at[r] = best[r] = run->tel->ring[r].heater;
		least[r] = run->tel->ring[r].monitor_na -
			   park_slack(run, r) / 2;
		any |= lost[r];
	}
	if (err || !any)
		return err;
	for (k = 0; k < sizeof(park_moves) / sizeof(park_moves[0]); k++) {
		for (r = 0; r < nr; r++)
			probe[r] = run_code_moved(run, r, at[r], park_moves[k] *
						  run->g.spacing_pm);
		err = park_set(run, lost, probe, at);
		if (err)
			return err;
		for (r = 0; r < nr; r++) {
			if (!lost[r] || run->tel->ring[r].monitor_na >= least[r])
				continue;
			least[r] = run->tel->ring[r].monitor_na;
			best[r] = run->tel->ring[r].heater;
		}
	}
	err = park_set(run, lost, best, at);
	if (err)
		return err;
	for (r = 0; r < nr; r++) {
		double na = run->tel->ring[r].monitor_na;

		if (!lost[r])
			continue;
		/* moved now, or by an earlier check and not since */
		run->park_dark[r] = (best[r] != at[r] ||
				     (run_park_kept(run, r, at[r]) &&
				      run->park_dark[r])) &&
				    na <= PARK_DARK * run->t->ring[r].ref_na;
		run->by_monitor[r] = true;
		run->park_code[r] = best[r];
		run->park_na[r] = na;
	}
	return 0;
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
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);
				const struct oio_ring_info *ri =
					&run->tel->ring[r];

				code[w] = was[w] = ri->heater;
				park[r] = !want[p * W + w] &&
					  !run_holds_line(run, p * W + w);
				/*
				 * where its monitor put it: kept, not moved,
				 * while it reads no more than it did there
				 */
				parked[w] = park[r] &&
					    (ri->lock ||
					     !run_park_kept(run, r, ri->heater) ||
					     (!run->dimmed && misplaced(run, r)));
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
