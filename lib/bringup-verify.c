// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: the lanes - PRBS verification of the locked rings, its
 * margin, and activation.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bringup-run.h"

/* Errors a lane at the BER target makes in the margin check's dwell. */
#define MARGIN_ERRORS	3.0
/* How close a dimmed line's power must come to the share asked for. */
#define POWER_TOL	0.02

void run_fail_lane(struct run *run, unsigned int n, enum oio_link_fail why,
		   bool *want)
{
	/*
	 * A line a ring meets only at the end of its reach, where its loop
	 * cannot hold it, is out of its reach, whatever the symptom.
	 */
	if (run->at_end[n] &&
	    (why == OIO_LINK_UNLOCKED || why == OIO_LINK_BER_HIGH))
		why = OIO_LINK_NO_RESONANCE;
	if (run->rep->lane[n].fail == OIO_LINK_OK)
		run->rep->lane[n].fail = why;
	want[n] = false;
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
 * report calls locked, is then a little late, never early.
 */
int run_verify(struct run *run, const bool *mask, bool *want)
{
	uint64_t bits[OIO_MAX_LANES], errs[OIO_MAX_LANES];
	const struct oio_card_io *io = run->io;
	unsigned int n, w = run->info.wavelengths;
	bool started[OIO_MAX_LANES];
	int err;

	memcpy(started, want, sizeof(started));
	err = start_lanes(run, started) ?: run_snap(run, LANES | RINGS);
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
		 * found the line there: at the end of its reach, wherever the
		 * plan had put it. That holds until the port is planned
		 * again (apply_plan()): a later failure of the lane, with its
		 * ring back inside, is the same line at the same reach.
		 */
		if (want[n] && (run_at_end(run, 2 * n, tx->heater) ||
				run_at_end(run, 2 * n + 1, rx->heater)))
			run->at_end[n] = true;
		if (want[n] && (tx->lock_state != OIO_LOCK_STATE_LOCKED ||
				rx->lock_state != OIO_LOCK_STATE_LOCKED))
			run_fail_lane(run, n, OIO_LINK_UNLOCKED, want);
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
		} else if (!ll->prbs_bits || (double)ll->prbs_errors >
			   run->prm.ber_target * (double)ll->prbs_bits) {
			run_fail_lane(run, n, OIO_LINK_BER_HIGH, want);
		} else if (li->state != OIO_LANE_STATE_INITIALIZED) {
			ll->reason = li->reason;
			run_fail_lane(run, n, OIO_LINK_NOT_ACTIVATED, want);
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

/* The Q-factor of a bit error ratio: BER = erfc(Q / sqrt 2) / 2. */
static double q_of(double ber)
{
	double lo = 0, hi = 40;
	int i;

	for (i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;

		if (erfc(mid / M_SQRT2) / 2 > ber)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * Every lit line's power to share s of its full: the bias for it found
 * by a secant from full power, as the threshold is the line's own.
 */
static int set_power(struct run *run, uint32_t lit, double s)
{
	uint32_t bias[MAX_W];
	unsigned int l, step;
	int err = 0;

	for (step = 0; step < 2 && !err; step++) {
		for (l = 0; l < run->info.wavelengths; l++) {
			const struct oio_laser_info *li = &run->tel->laser[l];
			double full = run->full_bias[l], p = li->power_uw;
			double slope;

			bias[l] = run->full_bias[l];
			if (!(lit >> l & 1) || run->full_uw[l] <= 0)
				continue;
			if (!step) {
				/* a first guess: threshold a quarter of it */
				bias[l] = (uint32_t)lround(full * (0.25 + 0.75 * s));
				continue;
			}
			bias[l] = li->bias_set_ua;
			slope = (run->full_uw[l] - p) / (full - li->bias_set_ua);
			if (fabs(p / run->full_uw[l] - s) < POWER_TOL ||
			    !(slope > 0))
				continue;
			bias[l] = (uint32_t)lround(fmin(fmax(full - (1 - s) *
							     run->full_uw[l] /
							     slope, 1), full));
		}
		err = run_set_lasers(run, lit, bias);
	}
	return err;
}

/* The codes of the rings of a bus, side side of port p. */
static void bus_codes(const struct run *run, const uint32_t *ring_code,
		      unsigned int p, unsigned int side, uint32_t *code)
{
	unsigned int w;

	for (w = 0; w < run->info.wavelengths; w++)
		code[w] = ring_code[lio_tune_ring_of(&run->g, p, side, w)];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * How far each line moved from full power, the rings then at codes full,
 * to now (run->tel): the median move of the locked rings on it, which
 * followed it. NAN for a line none of them is on.
 */
static void line_moves(const struct run *run, const uint32_t *full,
		       const bool *want, double *shift)
{
	unsigned int W = run->info.wavelengths, p, side, w, l, n[MAX_W] = { 0 };
	double d[MAX_W][2 * OIO_MAX_PORTS];
	uint32_t now[OIO_MAX_RINGS];

	for (w = 0; w < 2 * lanes_of(run); w++)
		now[w] = run->tel->ring[w].heater;
	for (p = 0; p < run->info.ports; p++)
		for (side = 0; side < 2; side++) {
			uint32_t was[MAX_W], is[MAX_W];

			bus_codes(run, full, p, side, was);
			bus_codes(run, now, p, side, is);
			for (w = 0; w < W; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);
				double m;

				l = run->rep->lane[p * W + w].line;
				if (!want[p * W + w] || l >= W ||
				    run->tel->ring[r].lock_state !=
				    OIO_LOCK_STATE_LOCKED)
					continue;
				m = lio_tune_bus_position(run->t, p, side, w,
							  is) -
				    lio_tune_bus_position(run->t, p, side, w,
							  was);
				if (!isnan(m))
					d[l][n[l]++] = m;
			}
		}
	for (l = 0; l < W; l++) {
		shift[l] = NAN;
		if (!n[l])
			continue;
		qsort(d[l], n[l], sizeof(d[l][0]), cmp_double);
		shift[l] = n[l] % 2 ? d[l][n[l] / 2] :
			   (d[l][n[l] / 2 - 1] + d[l][n[l] / 2]) / 2;
	}
}

/*
 * A DFB laser's line moves with its bias, so dimming moves every line,
 * each by its own amount. The locked rings follow theirs; a parked ring
 * would not, and what it takes of the line beside it - light and eye -
 * would change with the dimming, against the margin check's premise that
 * only the power does. So the parked rings follow the line they sit
 * nearest, by the move the loops on it measured (run->tel, just after
 * dimming), in the ports of mask. full: every ring's code at full
 * power; moved[r]: the rings given another code. Return: whether there
 * is any.
 */
static bool follow_lines(struct run *run, const bool *mask,
			 const uint32_t *full, const bool *want, bool *moved)
{
	unsigned int W = run->info.wavelengths, p, side, w;
	double shift[MAX_W];
	bool any_moved = false;

	line_moves(run, full, want, shift);
	for (p = 0; p < run->info.ports; p++)
		for (side = 0; side < 2; side++) {
			uint32_t was[MAX_W], code[MAX_W];
			bool parked[MAX_W], any = false;

			for (w = 0; w < W && mask[p]; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);

				parked[w] = !want[p * W + w] &&
					    !run->tel->ring[r].lock;
				any |= parked[w];
			}
			if (!any)
				continue;
			bus_codes(run, full, p, side, was);
			for (w = 0; w < W; w++)
				code[w] = run->tel->ring[lio_tune_ring_of(
					&run->g, p, side, w)].heater;
			lio_tune_follow(run->t, p, side, parked, was, shift,
					code);
			for (w = 0; w < W; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);

				if (!parked[w] || code[w] == was[w])
					continue;
				run->io->heater(run->io->h, r, code[w]);
				moved[r] = any_moved = true;
			}
		}
	return any_moved;
}

/*
 * A dwell short enough for bring-up cannot show a BER as low as the
 * target: at 32 Gb/s a millisecond holds 3e7 bits. But the receiver's
 * Q-factor scales with the optical power it gets (datasheet 7.8), so with
 * every line dimmed to the share that brings a lane at the target down
 * to a BER the dwell does show - Q(3 / bits) / Q(target), three errors
 * expected - a lane with less margin than the target errs, twice or
 * more, and one with the margin stays (all but) clean.
 * Recovery checks so only where it sweeps, which dims the lines anyway,
 * or for lanes link up did not check on the line they now carry.
 */
int run_margin(struct run *run, const bool *mask, const bool *judge,
	       bool *want)
{
	uint64_t bits = UINT64_MAX, base[OIO_MAX_LANES];
	const struct oio_card_io *io = run->io;
	uint32_t lit = run->emitting, full[OIO_MAX_RINGS];
	bool moved[OIO_MAX_RINGS] = { false }, any_moved = false;
	unsigned int n, r, any = 0;
	double s;
	int err, lerr;

	for (n = 0; n < lanes_of(run); n++)
		if (want[n] && (!judge || judge[n]) &&
		    run->rep->lane[n].prbs_bits) {
			any++;
			if (run->rep->lane[n].prbs_bits < bits)
				bits = run->rep->lane[n].prbs_bits;
		}
	if (!any || run->prm.ber_target <= 0)
		return 0;
	s = q_of(MARGIN_ERRORS / (double)bits) / q_of(run->prm.ber_target);
	if (s >= 1)
		return 0;	/* the dwell shows the target by itself */
	run_progress(run, "margin", 0, 1);
	err = run_snap(run, RINGS);
	for (r = 0; r < 2 * lanes_of(run) && !err; r++)
		full[r] = run->tel->ring[r].heater;
	err = err ?: set_power(run, lit, s);
	/* the loops follow the lines once the ramps end: let them settle */
	if (!err)
		run_settle(run);
	err = err ?: run_snap(run, LANES | RINGS);
	if (!err && follow_lines(run, mask, full, want, moved)) {
		any_moved = true;
		err = io->run(io->h);
		if (!err)
			run_settle(run);
		err = err ?: run_snap(run, LANES);
	}
	for (n = 0; n < lanes_of(run) && !err; n++)
		base[n] = run->tel->lane[n].prbs_errors;
	if (!err) {
		io->sleep_us(io->h, run->prm.prbs_dwell_us);
		err = run_snap(run, LANES);
	}
	for (n = 0; n < lanes_of(run) && !err; n++) {
		/*
		 * A lane at the target makes MARGIN_ERRORS errors; one error
		 * alone may be what an earlier dwell had nearly made.
		 */
		if (!want[n] || (judge && !judge[n]) ||
		    run->tel->lane[n].prbs_errors < base[n] + 2)
			continue;
		run->rep->lane[n].prbs_errors +=
			run->tel->lane[n].prbs_errors - base[n];
		run_fail_lane(run, n, OIO_LINK_BER_HIGH, want);
		run->primed[n] = false;
		io->lane(io->h, n, OIO_LANE_REQUEST_DEACTIVATE, 0, 0);
	}
	/* full power, and the parked rings where it had them, whatever happened */
	for (r = 0; r < 2 * lanes_of(run); r++)
		if (moved[r])
			io->heater(io->h, r, full[r]);
	lerr = run_full_power(run, lit);
	err = err ?: lerr ?: io->run(io->h);
	if (!err && any_moved)
		run_settle(run);
	run_progress(run, "margin", 1, 1);
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
		    run->tel->lane[n].state != OIO_LANE_STATE_ACTIVATED) {
			run->rep->lane[n].reason = run->tel->lane[n].reason;
			run_fail_lane(run, n, OIO_LINK_NOT_ACTIVATED, want);
		}
	run_progress(run, "activate", 1, 1);
	return err;
}
