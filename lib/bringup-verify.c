// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: the lanes - PRBS verification of the locked rings and
 * activation. Their margin is checked in bringup-margin.c.
 */
#include <string.h>

#include "bringup-run.h"

/*
 * How near an end a loop that saw nothing is tried again from the end, in
 * the card's nominal linewidths: inside 32200307's lane 4 RX ring, put by
 * a sweep in place 372 pm from its hot end by the fits (2.4 nominal
 * linewidths), saw nothing there; from the end, its loop runs into it
 * still climbing.
 */
#define PROBE_LINEWIDTHS	3.0
/*
 * How near the cold end a loop that sees nothing from there either, on a
 * bright line no other crowds, has its line past that end: a loop climbs
 * to a line within about a linewidth and a half, so a line between the
 * two starts, two linewidths apart, would show to one of them.
 */
#define COLD_LINEWIDTHS		2.0

/*
 * A line a ring meets only at the end of its reach, where its loop cannot
 * hold it, is out of its reach, whatever the symptom.
 */
static enum oio_link_fail at_reach(const struct run *run, unsigned int n,
				   enum oio_link_fail why)
{
	if (run->at_end[n] &&
	    (why == OIO_LINK_UNLOCKED || why == OIO_LINK_BER_HIGH))
		return OIO_LINK_NO_RESONANCE;
	return why;
}

void run_fail_lane(struct run *run, unsigned int n, enum oio_link_fail why,
		   bool *want)
{
	if (run->rep->lane[n].fail == OIO_LINK_OK) {
		run->rep->lane[n].fail = at_reach(run, n, why);
		/* met at an end: out of reach at this shift (run_unlocked()) */
		if (run->rep->lane[n].fail != why)
			run->end_shifts[n] |= run_shift_bit(run, n);
	}
	want[n] = false;
}

/*
 * A lane whose rings did not lock where a placement put them. If one of
 * them saw no line, at a line shift where the lane failed out of reach
 * before, that is the same line out of the same reach: placed there
 * again where the fits have the line inside the range, as they did not
 * know (inside 32200003's lane 17: its TX ring met line 5 at code 0, out
 * of reach, then saw nothing at the fits' 1147; until 2026-12-07 it ended
 * lock-not-held where the reference has it out of reach). Else a lock
 * not held - and at an end, out of reach all the same (run_fail_lane()).
 */
enum oio_link_fail run_unlocked(const struct run *run, unsigned int n)
{
	const struct oio_ring_info *tx = &run->tel->ring[2 * n];
	const struct oio_ring_info *rx = &run->tel->ring[2 * n + 1];

	if ((run->end_shifts[n] & run_shift_bit(run, n)) &&
	    (tx->lock_state == OIO_LOCK_STATE_NO_SIGNAL ||
	     rx->lock_state == OIO_LOCK_STATE_NO_SIGNAL))
		return OIO_LINK_NO_RESONANCE;
	return OIO_LINK_UNLOCKED;
}

enum oio_link_fail run_refusal(const struct run *run, unsigned int n)
{
	enum oio_lane_reason reason = run->tel->lane[n].reason;

	/*
	 * The card checks a lane's locks as TXTURNON ends and while it is
	 * ACTIVATED (datasheet 6.12): a ring whose loop let its line go
	 * after the lock check is a lock not held like one the check saw.
	 */
	return at_reach(run, n, reason == OIO_LANE_REASON_TX_UNLOCKED ||
				reason == OIO_LANE_REASON_RX_UNLOCKED ?
				OIO_LINK_UNLOCKED : OIO_LINK_NOT_ACTIVATED);
}

/* Lane n refused by the card's state machine: its reason kept too. */
static void lane_refused(struct run *run, unsigned int n, bool *want)
{
	run->rep->lane[n].reason = run->tel->lane[n].reason;
	run_fail_lane(run, n, run_refusal(run, n), want);
}

bool run_holds_line(const struct run *run, unsigned int n)
{
	unsigned int r;

	if (!run->on_line[n] || run->rep->lane[n].fail != OIO_LINK_BER_HIGH)
		return false;
	for (r = 2 * n; r < 2 * n + 2; r++)
		if (!run->tel->ring[r].lock || run->tel->ring[r].at_limit ||
		    run->tel->ring[r].lock_state != OIO_LOCK_STATE_LOCKED)
			return false;
	return true;
}

bool run_crowded_miss(const struct run *run, unsigned int n)
{
	const struct oio_link_lane *ll = &run->rep->lane[n];

	return ll->fail == OIO_LINK_BER_HIGH &&
	       run_wrong_line(ll->prbs_errors, ll->prbs_bits) &&
	       run_crowding(run, n, ~0u) >= CROWDED;
}

/*
 * Is lane n's line one a loop can lock on when it reaches it: lit, at
 * least half as bright as the lines' mean, no other lit line crowding it?
 */
static bool bright_alone(const struct run *run, unsigned int n)
{
	unsigned int l = run->rep->lane[n].line;

	return l < run->info.wavelengths && (run->emitting >> l & 1) &&
	       run->t->line_rel[l] >= 0.5 &&
	       run_crowding(run, n, ~0u) < CROWDED;
}

/*
 * A loop that saw no slope where the plan put its ring found no line
 * within a linewidth or two of it. Near an end of the heater's range the
 * line may lie past that end: a loop started at the end runs into it
 * still climbing, and says so (at limit). Near the cold end, one that
 * sees no slope from the end either, on a bright line no other crowds,
 * has it further past the end than a loop can see: the heat its
 * neighbours' loops settled at moves a ring red, so a line met near the
 * cold end can end up bluer than the ring gets cold. (A weak line gives a
 * loop no slope anywhere, and near the hot end the neighbours' heat only
 * brings a line nearer.) That only names the reason of a lane already
 * lost, so every ring probed goes back to its code with its loop off,
 * whatever it found - a lock from the end may be on another lane's line -
 * and a loop its probe knocked off its line acquires again. After a
 * probe, run->tel is a snapshot taken after it.
 */
static int probe_ends(struct run *run, const bool *mask, const bool *want)
{
	unsigned int r, rings = 2 * lanes_of(run), w = run->info.wavelengths;
	const struct oio_card_io *io = run->io;
	bool locked[OIO_MAX_RINGS], knocked = false, any = false;
	bool relock[OIO_MAX_RINGS];
	uint32_t was[OIO_MAX_RINGS];
	int err;

	for (r = 0; r < rings; r++) {
		const struct oio_ring_info *ri = &run->tel->ring[r];
		int end;

		locked[r] = ri->lock_state == OIO_LOCK_STATE_LOCKED;
		was[r] = UINT32_MAX;
		if (!mask[r / 2 / w] || !want[r / 2] ||
		    ri->lock_state != OIO_LOCK_STATE_NO_SIGNAL || ri->at_limit)
			continue;
		end = run_near_end(run, r, ri->heater, PROBE_LINEWIDTHS);
		if (!end)
			continue;
		was[r] = ri->heater;
		any = true;
		io->lock(io->h, r, false);
		io->heater(io->h, r, end > 0 ? OIO_HEATER_MAX : 0);
	}
	if (!any)
		return 0;
	for (r = 0; r < rings; r++)
		relock[r] = was[r] != UINT32_MAX;
	err = run_relock(run, relock);
	if (err)
		return err;
	for (r = 0; r < rings; r++) {
		if (was[r] == UINT32_MAX)
			continue;
		if (run->tel->ring[r].at_limit ||
		    (run->tel->ring[r].lock_state == OIO_LOCK_STATE_NO_SIGNAL &&
		     run_near_end(run, r, was[r], COLD_LINEWIDTHS) < 0 &&
		     bright_alone(run, r / 2))) {
			run->at_end[r / 2] = true;
			/* probed from the end it was near */
			run->at_cold_end[r / 2] |=
				run_near_end(run, r, was[r],
					     PROBE_LINEWIDTHS) < 0;
		}
		io->lock(io->h, r, false);
		io->heater(io->h, r, was[r]);
	}
	err = io->run(io->h);
	if (err)
		return err;
	for (r = 0; r < rings; r++)
		if (locked[r] &&
		    run->tel->ring[r].lock_state != OIO_LOCK_STATE_LOCKED) {
			io->lock(io->h, r, true);
			knocked = true;
		}
	if (knocked) {
		run_settle(run);
		err = io->run(io->h) ?: run_wait_locks(run);
	}
	return err ?: run_snap(run, LANES | RINGS);
}

/*
 * PRBS runs whatever the lane's state, so each wanted lane starts its
 * generator and checker and its INIT in one request; run->tel, taken just
 * after, holds the counters at the start of the dwell.
 */
static int start_lanes(struct run *run, const bool *want)
{
	unsigned int n;

	for (n = 0; n < lanes_of(run); n++)
		if (want[n] && !run->primed[n])
			run->io->lane(run->io->h, n, OIO_LANE_REQUEST_INITIALIZE,
				      1, 1);
	return run->io->run(run->io->h);
}

/*
 * Start the wanted lanes, check that their rings hold, and judge their
 * PRBS over a dwell; the lanes that fail go back to DEACTIVATED and the
 * others wait INITIALIZED. One snapshot serves as the lock check and the
 * PRBS baseline, so the lanes start first; the time it carries, which the
 * report calls locked, is then a little late, never early (later still
 * after a probe of the ends).
 */
int run_verify(struct run *run, const bool *mask, bool *want)
{
	uint64_t bits[OIO_MAX_LANES], errs[OIO_MAX_LANES];
	const struct oio_card_io *io = run->io;
	unsigned int n, w = run->info.wavelengths;
	bool started[OIO_MAX_LANES];
	int err;

	memcpy(started, want, sizeof(started));
	err = start_lanes(run, started) ?: run_snap(run, LANES | RINGS) ?:
	      probe_ends(run, mask, want);
	if (err)
		return err;
	run->rep->t_locked = run->tel->time_ns;
	run_progress(run, "lock", 1, 1);
	for (n = 0; n < lanes_of(run); n++) {
		const struct oio_ring_info *tx = &run->tel->ring[2 * n];
		const struct oio_ring_info *rx = &run->tel->ring[2 * n + 1];

		bits[n] = run->tel->lane[n].prbs_bits;
		errs[n] = run->tel->lane[n].prbs_errors;
		if (!mask[n / w])
			continue;
		run->rep->lane[n].tx_code = tx->heater;
		run->rep->lane[n].rx_code = rx->heater;
		/*
		 * A loop that ran its ring to an end of its heater's range
		 * found the line there, and one that ran into the end still
		 * climbing (at limit) found it past there: at or beyond the
		 * end of its reach, wherever the plan had put it. That holds
		 * until the port is planned again (apply_plan()) or the lane
		 * placed in place (run_place_in_situ()), or undo_harm() or
		 * put_back_best() puts back an earlier verification's (see
		 * port_state in bringup.c): a later failure of the lane,
		 * with its ring back inside, is the same line at the same
		 * reach - and the same end, at_cold_end, once a cold one.
		 */
		if (want[n] && (tx->at_limit || rx->at_limit ||
				run_at_end(run, 2 * n, tx->heater) ||
				run_at_end(run, 2 * n + 1, rx->heater))) {
			run->at_end[n] = true;
			run->at_cold_end[n] |=
				run_end_of_reach(run, 2 * n, tx->heater) < 0 ||
				run_end_of_reach(run, 2 * n + 1,
						 rx->heater) < 0;
		}
		if (want[n] && (tx->lock_state != OIO_LOCK_STATE_LOCKED ||
				rx->lock_state != OIO_LOCK_STATE_LOCKED))
			run_fail_lane(run, n, run_unlocked(run, n), want);
	}
	run_progress(run, "verify", 0, 1);
	io->sleep_us(io->h, run->prm.prbs_dwell_us);
	err = run_wait_lasers(run, LANES);
	for (n = 0; n < lanes_of(run) && !err; n++) {
		struct oio_link_lane *ll = &run->rep->lane[n];
		const struct oio_lane_info *li = &run->tel->lane[n];

		if (!started[n])
			continue;
		ll->prbs_bits = li->prbs_bits - bits[n];
		ll->prbs_errors = li->prbs_errors - errs[n];
		if (!want[n]) {
			/* its rings did not lock */
		} else if (run_wrong_line(ll->prbs_errors, ll->prbs_bits) &&
			   bright_alone(run, n)) {
			/*
			 * On a lit line at least half as bright as their
			 * mean, its receiver decodes none of its data: its
			 * rings hold another lane's line, and its own was not
			 * where they were put. A weak line errs so too, but it
			 * is weak; and so does one crowded by another lit line,
			 * whichever of the two its loops climbed onto: too
			 * weak as well (run_crowded_miss()).
			 */
			run_fail_lane(run, n, OIO_LINK_NO_RESONANCE, want);
		} else if (!ll->prbs_bits || (double)ll->prbs_errors >
			   run->prm.ber_target * (double)ll->prbs_bits) {
			run_fail_lane(run, n, OIO_LINK_BER_HIGH, want);
		} else if (li->state != OIO_LANE_STATE_INITIALIZED) {
			lane_refused(run, n, want);
		}
		/* one that verified waits INITIALIZED, its PRBS running */
		run->primed[n] = want[n];
		if (!want[n])
			io->lane(io->h, n, OIO_LANE_REQUEST_DEACTIVATE, 0, 0);
	}
	err = err ?: io->run(io->h);
	run_progress(run, "verify", 1, 1);
	return err;
}

/* The lanes that verified go to ACTIVATED, generators and checkers off. */
int run_activate(struct run *run, bool *want)
{
	const struct oio_card_io *io = run->io;
	unsigned int n;
	int err;

	for (n = 0; n < lanes_of(run); n++)
		if (want[n])
			io->lane(io->h, n, OIO_LANE_REQUEST_ACTIVATE, 0, 0);
	err = io->run(io->h);
	/* TXTURNON takes 50 us (datasheet 6.12) */
	err = err ?: run_wait_lanes(run, want, 60);
	for (n = 0; n < lanes_of(run) && !err; n++)
		if (want[n] &&
		    run->tel->lane[n].state != OIO_LANE_STATE_ACTIVATED)
			lane_refused(run, n, want);
	run_progress(run, "activate", 1, 1);
	return err;
}
