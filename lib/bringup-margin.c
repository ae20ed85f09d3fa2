// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: the margin check - the lanes that verified, checked
 * again with less light, as a dwell cannot show a BER as low as the target.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bringup-run.h"
#include "minmax.h"
#include "select.h"

/*
 * The margin check dims the lines so that a lane at the BER target would
 * make MARGIN_ERRORS errors on average in a verification dwell's bits,
 * and dwells MARGIN_DWELLS times as long: 9 at the target. A lane fails
 * on MARGIN_FAIL errors. A checker counts what happens, a Poisson draw,
 * so these are odds (margin_dwell()).
 */
#define MARGIN_ERRORS	3.0
#define MARGIN_DWELLS	3
#define MARGIN_FAIL	5
/* How close a dimmed line's power must come to the share asked for. */
#define POWER_TOL	0.02
/* Monitor readings averaged for a detuned ring's share of its line. */
#define MONITOR_READS	4
/* The tolerance rx_gain()'s readings aim at, if MONITOR_READS allow. */
#define RX_GAIN_TOL	0.05
/*
 * The least gain rx_gain() tells. On quiet cards (one reading a side) the
 * gain it reads of lanes nothing flatters spreads by 0.7 % rms - the
 * noise, the dither of the loops, their tracking - so 3 % is over four
 * times that; a lane at the target that gains 3 % makes 3.8 errors on
 * average in the dimmed dwell where it should make 9.
 */
#define RX_GAIN_MIN	0.03
/*
 * Q a lane may gain from the lines' moves under dimming before it gets a
 * dwell of its own, the lines dimmed further: at 1 %, a lane at the
 * target makes 6.8 errors on average in the dimmed dwell where it should
 * make 9.
 */
#define Q_GAIN_TOL	0.01
/*
 * Dwells at most for the lanes whose Q the lines' moves raised, each a
 * dimming and a PRBS dwell more. One takes in the lanes whose checks see
 * s within Q_GAIN_TOL at one share, or up to twice that harsher, so
 * shares spread by 5 % need four, as optical-worst 5190107's 12 such
 * lanes, from 0.696 to 0.730 of full power, did with the reckoning at
 * face value: with three, its three lanes on line 0, clean at full power,
 * were left over and failed. With FLAT_MISS its shares spread from
 * 0.677 to 0.734, and four no longer fit them: the last dwell takes every
 * lane still left, at the deepest share any of them needs. That is
 * harsher for the others - one a few % over the target may fail there -
 * but left over, it would fail anyway.
 */
#define FLAT_ROUNDS	4
/*
 * The reckoning of what the lines' moves give a lane (run_q_gain()) falls
 * short: on inside 10200403 it had lane 31 gain 8.5 % at the check's
 * share where the errors of its dwells showed 11.9 %, and at a deeper one
 * 9.3 % where they showed 12.8 % (read when the model counted expected
 * errors, not drawn ones), and the lane, short of the target by 0.6 % of
 * Q at full power, came up in error. So a lane's reckoned excess
 * counts FLAT_MISS times over. It errs the other way too (inside 5200173's
 * lanes on line 7, crowded by line 0's next order, gain less than it has
 * them gain), and there a lane with some margin may fail.
 */
#define FLAT_MISS	1.5
/*
 * The most Q the moves may give a lane judged so (share_for()), as
 * q_gain_held() counts it: a sixth as reckoned.
 */
#define FLAT_GAIN_MAX	1.25

/*
 * The Q lane n's check is taken to gain from the lines' moves: a gain's
 * excess as FLAT_MISS has it, a loss as reckoned.
 */
static double q_gain_held(const struct run *run, unsigned int n,
			  const bool *mask, const bool *want,
			  const uint32_t *full, const double *shift)
{
	double g = run_q_gain(run, n, mask, want, full, shift);

	return g > 1 ? 1 + FLAT_MISS * (g - 1) : g;
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

/*
 * Lane n, down, holds its own line (run_holds_line()) - not one whose
 * rings may sit on the line crowding it (run_crowded_miss()): its loops
 * follow that line. One crowded_unmeasured() failed verified clean on its
 * own line, and its loops follow that.
 */
static bool held_on(const struct run *run, unsigned int n)
{
	return run_holds_line(run, n) && !run_crowded_miss(run, n);
}

/*
 * How far each line moved from full power, the rings then at codes full,
 * to now (run->tel): the median move of the locked rings on it, which
 * followed it - those of lanes up, and of lanes down that hold their line
 * (held_on()), whose loops follow it as well. NAN for a line none of them
 * is on.
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
				if (!(want[p * W + w] ||
				      held_on(run, p * W + w)) || l >= W ||
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
	for (l = 0; l < W; l++)
		shift[l] = lio_median(d[l], n[l]);
}

/*
 * A DFB laser's line moves with its bias, so dimming moves every line,
 * each by its own amount. The locked rings follow theirs; a parked ring
 * would not, and what it takes of the line beside it - light and eye -
 * would change with the dimming, against the margin check's premise that
 * only the power does. So the parked rings - and those of lanes down whose
 * loop, locked on nothing, only holds the heater: turned off - follow the
 * line they sit nearest, by the move the loops on it measured (shift,
 * from line_moves()), in the ports of mask - but for one parked where its
 * monitor read no line, which the fits have near one: it stays, in a gap
 * wider than the moves. full: every ring's code at
 * full power; moved[r]: the rings given another code - a ring an earlier
 * call moved is compared with the code it has now, so that it goes to
 * its new one even if that is its code at full power. Return: whether
 * there is any.
 */
static bool follow_lines(struct run *run, const bool *mask,
			 const uint32_t *full, const double *shift,
			 const bool *want, bool *moved)
{
	unsigned int W = run->info.wavelengths, p, side, w;
	bool any_moved = false;

	for (p = 0; p < run->info.ports; p++)
		for (side = 0; side < 2; side++) {
			uint32_t was[MAX_W], code[MAX_W], cur[MAX_W];
			bool parked[MAX_W], any = false;

			for (w = 0; w < W && mask[p]; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);

				parked[w] = !want[p * W + w] &&
					    (!run->tel->ring[r].lock ||
					     run->tel->ring[r].lock_state ==
					     OIO_LOCK_STATE_LOST ||
					     run->tel->ring[r].lock_state ==
					     OIO_LOCK_STATE_NO_SIGNAL) &&
					    !run_park_dark(run, r, full[r]);
				any |= parked[w];
			}
			if (!any)
				continue;
			bus_codes(run, full, p, side, was);
			for (w = 0; w < W; w++)
				cur[w] = code[w] = run->tel->ring[
					lio_tune_ring_of(&run->g, p, side,
							 w)].heater;
			lio_tune_follow(run->t, p, side, parked, was, shift,
					code);
			for (w = 0; w < W; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);

				if (!parked[w] ||
				    code[w] == (moved[r] ? cur[w] : was[w]))
					continue;
				if (run->tel->ring[r].lock)
					run->io->lock(run->io->h, r, false);
				run->io->heater(run->io->h, r, code[w]);
				moved[r] = any_moved = true;
			}
		}
	return any_moved;
}

/*
 * A lane that failed a check after it verified: down again, PRBS off. One
 * that errs keeps its rings on its line: the lanes beside it passed with
 * them there, taking its line from the rings downstream, and parked they
 * would hand it on to them (run_park()).
 */
static void drop_lane(struct run *run, unsigned int n, enum oio_link_fail why,
		      bool *want)
{
	run_fail_lane(run, n, why, want);
	run->on_line[n] = run->rep->lane[n].fail == OIO_LINK_BER_HIGH;
	run->primed[n] = false;
	run->io->lane(run->io->h, n, OIO_LANE_REQUEST_DEACTIVATE, 0, 0);
}

/*
 * One PRBS dwell from the counters in run->tel: a lane of judged fails if
 * it errs MARGIN_FAIL times or more. A lane at the target makes 9 errors
 * on average, a Poisson draw: it passes 5.5 % of the time, one at twice
 * its BER (13.2 on average) 0.3 %, one at three times 0.03 %. One 4.5 %
 * of Q over the target (2.5 on average) passes 89 % of the time, 3 %
 * over 66 %, 10 % over all but 0.014 %. A single millisecond, 3 errors
 * at the target and a fail on 2, passed one at the target 20 % of the
 * time and one at twice its BER 7 %: a clean millisecond is no proof,
 * one at twice the target makes none 1 % of the time.
 */
static int margin_dwell(struct run *run, const bool *judged, bool *want)
{
	uint64_t base[OIO_MAX_LANES], base_bits[OIO_MAX_LANES];
	unsigned int n;
	int err;

	for (n = 0; n < lanes_of(run); n++) {
		base[n] = run->tel->lane[n].prbs_errors;
		base_bits[n] = run->tel->lane[n].prbs_bits;
	}
	run->io->sleep_us(run->io->h, MARGIN_DWELLS * run->prm.prbs_dwell_us);
	err = run_snap(run, LANES);
	for (n = 0; n < lanes_of(run) && !err; n++) {
		const struct oio_lane_info *li = &run->tel->lane[n];
		uint64_t e, b;

		if (!judged[n] || li->prbs_errors < base[n] + MARGIN_FAIL)
			continue;
		e = li->prbs_errors - base[n];
		/* bits fewer than before: cleared meanwhile, none known */
		b = li->prbs_bits >= base_bits[n] ? li->prbs_bits - base_bits[n] :
						     0;
		/*
		 * The report counts the dwell that failed the lane, not its
		 * clean verification: its BER is the one that failed it, and
		 * run_crowded_miss() sees a lane whose rings held another line
		 * while dimmed.
		 */
		run->rep->lane[n].prbs_errors = e;
		run->rep->lane[n].prbs_bits = b;
		drop_lane(run, n, OIO_LINK_BER_HIGH, want);
	}
	return err;
}

/*
 * How many readings rx_gain() takes of each side, at most MONITOR_READS:
 * enough that its tolerance for the lanes of on, on[n] reading na[n] at
 * full power, comes to RX_GAIN_TOL with their lines at share s.
 */
static unsigned int rx_reads(const struct run *run, const bool *on,
			     const double *na, double s)
{
	unsigned int n, k = 1;

	for (n = 0; n < lanes_of(run); n++) {
		double x;

		if (!on[n] || !(na[n] > 0))
			continue;
		x = 3 * run_ring_noise(run, 2 * n + 1) / na[n] *
		    sqrt(1 + 1 / (s * s)) / RX_GAIN_TOL;
		if (x * x > k)
			k = x * x >= MONITOR_READS ? MONITOR_READS :
			    (unsigned int)ceil(x * x);
	}
	return k;
}

/*
 * The RX monitors of the lanes of on, k readings averaged: the one in
 * run->tel, and k - 1 snapshots more, which take the lanes too, so that
 * a dwell counted from run->tel starts after them.
 */
static int rx_average(struct run *run, const bool *on, unsigned int k,
		      double *na)
{
	unsigned int n, i;
	int err = 0;

	for (n = 0; n < lanes_of(run); n++)
		na[n] = on[n] ? run->tel->ring[2 * n + 1].monitor_na : 0;
	for (i = 1; i < k && !err; i++) {
		err = run_snap(run, LANES | RINGS);
		for (n = 0; n < lanes_of(run) && !err; n++)
			if (on[n])
				na[n] += run->tel->ring[2 * n + 1].monitor_na;
	}
	for (n = 0; n < lanes_of(run); n++)
		na[n] /= k;
	return err;
}

/*
 * Each RX ring's monitor in the lanes on, averaged over MONITOR_READS
 * snapshots: a share of two readings carries the noise of both.
 */
static int rx_monitors(struct run *run, const bool *on, double *na)
{
	return run_snap(run, RINGS) ?: rx_average(run, on, MONITOR_READS, na);
}

/* The share of its full power lane n's line is at now; dflt if unknown. */
static double line_share(const struct run *run, unsigned int n, double dflt)
{
	unsigned int l = run->rep->lane[n].line;

	if (l < run->info.wavelengths && run->full_uw[l] > 0)
		return run->tel->laser[l].power_uw / run->full_uw[l];
	return dflt;
}

/*
 * What dimming did to the light that reaches lane n's RX ring, measured:
 * its monitor now (na, k readings) against full_na, at full power, over
 * the share its line's power is now at. The rings upstream on its bus
 * take what they take of its line as they sit, not as run_q_gain()
 * reckons them - a parked ring that followed its line by a reckoned move,
 * which the heater law and the heat of the loops beside it make good only
 * so far, most of all - and the receiver's side of the lane's Q follows
 * that light (datasheet 7.8; what reaches its TX ring, which a ring
 * upstream on the TX bus changes, it does not tell apart from what leaves
 * that bus). *tol: the noise of the two readings, thrice, never below
 * RX_GAIN_MIN; 1 and no tolerance where they tell nothing.
 */
static double rx_gain(const struct run *run, unsigned int n, double full_na,
		      double na, unsigned int k, double *tol)
{
	const struct oio_ring_info *ri = &run->tel->ring[2 * n + 1];
	double p = line_share(run, n, 0);

	*tol = 0;
	if (!(p > 0) || !(full_na > 0) ||
	    ri->lock_state != OIO_LOCK_STATE_LOCKED)
		return 1;
	*tol = fmax(RX_GAIN_MIN, 3 * run_ring_noise(run, 2 * n + 1) / full_na *
				sqrt((1 + 1 / (p * p)) / k));
	return na / full_na / p;
}

/*
 * Is lane n crowded, by the fits, by a lit line whose move under dimming
 * no loop gave (shift NAN: no lane up or held on it, or none whose loops
 * stayed locked)? What the check sees then hangs on how far that line
 * moves against the lane's own, which the reckoning cannot tell: on
 * inside 38200178 line 0, carrying no lane, moved off the lanes on line
 * 7, whose RX rings took (by the card's truth; the fits, 0.99) about
 * half as much of its next order as of their own line, and three of
 * them, at 1.2e-12 to 3e-10 at full power, passed the check
 * (docs/bringup.md, step 8).
 */
static bool crowded_unmeasured(const struct run *run, unsigned int n,
			       const double *shift)
{
	uint32_t unmeasured = 0;
	unsigned int l;

	for (l = 0; l < run->info.wavelengths; l++)
		if (isnan(shift[l]))
			unmeasured |= 1u << l;
	return unmeasured && run_crowding(run, n, unmeasured) >= CROWDED;
}

/* A loop the blue move of its line ran into the cold end of its heater. */
static bool cold_end(const struct run *run, unsigned int r)
{
	const struct oio_ring_info *ri = &run->tel->ring[r];

	return ri->at_limit && run_end_of_reach(run, r, ri->heater) < 0;
}

/* Lanes on whose rings did not come back to LOCKED fail, as unlocked. */
static void fail_unlocked(struct run *run, bool *on, bool *want)
{
	unsigned int n;

	for (n = 0; n < lanes_of(run); n++) {
		if (!on[n] ||
		    (run->tel->ring[2 * n].lock_state ==
		     OIO_LOCK_STATE_LOCKED &&
		     run->tel->ring[2 * n + 1].lock_state ==
		     OIO_LOCK_STATE_LOCKED))
			continue;
		on[n] = false;
		drop_lane(run, n, OIO_LINK_UNLOCKED, want);
	}
}

/*
 * A ring near the cold end of its reach cannot follow its line as far
 * blue as dimming moves it (a DFB line follows its bias): its loop runs
 * into the end, and its lane errs for that, not for want of margin. With
 * every line back at full power, such a loop finds its line again, and
 * a lane judge asks for is given the dimmed share s of its light another
 * way: its RX ring, loop off, is detuned - red, or blue from near the hot
 * end - until its monitor reads that share of what it read on the line.
 * The drop is a Lorentzian and the receiver's Q follows the power it
 * drops (datasheet 7.8); the ring also picks up a little more of the next
 * line, so the check is if anything a little harsher than dimming. One
 * dwell then judges the lane as the dimmed check would have, and the ring
 * goes back on its line: a lane whose loop does not find it again, or
 * whose share could not be set within the tolerance dimming has, fails.
 */
static int margin_detuned(struct run *run, const bool *detune,
			  const bool *judge, bool *want, double s)
{
	double peak[OIO_MAX_LANES], pm[OIO_MAX_LANES], got[OIO_MAX_LANES];
	double aim[OIO_MAX_LANES];
	bool on[OIO_MAX_LANES] = { false }, adjust = true, any = false;
	bool judged[OIO_MAX_LANES], off = false, relock[OIO_MAX_RINGS];
	const struct oio_card_io *io = run->io;
	uint32_t at[OIO_MAX_LANES];
	unsigned int n, r, step;
	int err, lerr;

	err = run_snap(run, RINGS);
	for (r = 0; r < 2 * lanes_of(run) && !err; r++)
		if (detune[r / 2] &&
		    run->tel->ring[r].lock_state != OIO_LOCK_STATE_LOCKED)
			io->lock(io->h, r, true);
	err = err ?: io->run(io->h) ?: run_wait_locks(run);
	if (err)
		return err;
	for (n = 0; n < lanes_of(run); n++)
		on[n] = detune[n] && want[n];
	fail_unlocked(run, on, want);
	for (n = 0; n < lanes_of(run); n++) {
		on[n] &= !judge || judge[n];
		any |= on[n];
		at[n] = run->tel->ring[2 * n + 1].heater;
	}
	if (!any)
		return io->run(io->h);
	memcpy(judged, on, sizeof(judged));
	err = rx_monitors(run, on, peak);
	for (n = 0; n < lanes_of(run) && !err; n++) {
		double fwhm = run_fwhm_pm(run, 2 * n + 1);
		double noise = run_ring_noise(run, 2 * n + 1);

		if (!on[n])
			continue;
		/*
		 * Below s by three times the noise of the share read, so
		 * that a share set by a reading is not above s; never by
		 * more than the check's own tolerance thrice.
		 */
		aim[n] = s - fmin(3 * noise / peak[n] *
				  sqrt((1 + s * s) / MONITOR_READS),
				  3 * POWER_TOL);
		pm[n] = fwhm / 2 * sqrt(1 / aim[n] - 1);
		if (run_near_end(run, 2 * n + 1, at[n], 1) > 0)
			pm[n] = -pm[n];
		io->lock(io->h, 2 * n + 1, false);
		off = true;
	}
	/* a first guess from its linewidth, then rescaled to the reading */
	for (step = 0; step < 3 && adjust && !err; step++) {
		for (n = 0; n < lanes_of(run); n++)
			if (on[n])
				io->heater(io->h, 2 * n + 1,
					   run_code_moved(run, 2 * n + 1, at[n],
							  pm[n]));
		err = io->run(io->h);
		if (err)
			break;
		run_settle(run);
		err = rx_monitors(run, on, got);
		for (n = 0, adjust = false; n < lanes_of(run) && !err; n++) {
			if (!on[n])
				continue;
			got[n] /= peak[n];
			if (!(got[n] > 0 && got[n] < 1) ||
			    fabs(got[n] - aim[n]) < POWER_TOL)
				continue;
			pm[n] *= sqrt((1 / aim[n] - 1) / (1 / got[n] - 1));
			adjust = true;
		}
	}
	/* a share above s would not check the margin asked for */
	for (n = 0; n < lanes_of(run) && !err; n++)
		if (on[n] && got[n] > s + POWER_TOL) {
			drop_lane(run, n, OIO_LINK_BER_HIGH, want);
			judged[n] = false;
		}
	err = err ?: run_snap(run, LANES) ?: margin_dwell(run, judged, want);
	if (!off)
		return err;	/* its loop never left the line */
	/* back on its line, whatever happened */
	for (r = 0; r < 2 * lanes_of(run); r++) {
		relock[r] = r % 2 && on[r / 2];
		if (relock[r])
			io->heater(io->h, r, at[r / 2]);
	}
	lerr = run_relock(run, relock);
	err = err ?: lerr;
	if (!err) {
		for (n = 0; n < lanes_of(run); n++)
			on[n] &= want[n];
		fail_unlocked(run, on, want);
		err = io->run(io->h);
	}
	return err;
}

/*
 * Every lit line of lit to share s of its full power, the loops settled
 * on them, run->tel a snapshot then; shift: how far each line moved from
 * full power, the rings then at codes full (line_moves()).
 */
static int dim_lines(struct run *run, uint32_t lit, double s,
		     const uint32_t *full, const bool *want, double *shift)
{
	int err = set_power(run, lit, s);

	/* the loops follow the lines once the ramps end: let them settle */
	if (!err)
		run_settle(run);
	err = err ?: run_snap(run, ALL);
	if (!err)
		line_moves(run, full, want, shift);
	return err;
}

/* follow_lines(), and if any ring moved, its heater settled. */
static int follow_settled(struct run *run, const bool *mask,
			  const uint32_t *full, const double *shift,
			  const bool *want, bool *moved, bool *any_moved)
{
	int err;

	if (!follow_lines(run, mask, full, shift, want, moved))
		return 0;
	*any_moved = true;
	err = run->io->run(run->io->h);
	if (!err)
		run_settle(run);
	return err ?: run_snap(run, LANES | RINGS);
}

/*
 * What lane n's check sees with every line at share x, as a share of its
 * Q at full power: x times its q_gain_held(), the moves measured at share
 * s (shift) scaled to x, as they follow the bias and so the power; and
 * times gain, what its RX ring measured at s beyond that (rx_gain(), 1 if
 * nothing), its excess scaled so too: a parked ring's follow is off by a
 * share of its move. (That counts the light the reckoning has the lane
 * gain twice, which only makes the check harsher.)
 */
static double seen_at(const struct run *run, unsigned int n,
		      const bool *mask, const bool *want,
		      const uint32_t *full, const double *shift, double gain,
		      double s, double x)
{
	double at[MAX_W];
	unsigned int l;

	for (l = 0; l < run->info.wavelengths; l++)
		at[l] = shift[l] * (1 - x) / (1 - s);
	return x * q_gain_held(run, n, mask, want, full, at) *
	       (1 + (gain - 1) * (1 - x) / (1 - s));
}

/*
 * The share at which lane n's check sees s: below s, as it sees more
 * there (seen_at()), found by stepping down and then halving. NAN if no
 * share down to s / 1.25 does: a quarter more Q from the moves (as
 * q_gain_held() counts it, a sixth as reckoned) is past what the
 * reckoning is good for (the card's worst lanes gain a tenth),
 * and deeper still the lines would move so far that the loops of lanes
 * already judged could run into the ends of their heaters.
 */
static double share_for(const struct run *run, unsigned int n,
			const bool *mask, const bool *want,
			const uint32_t *full, const double *shift, double gain,
			double s)
{
	double hi = s, lo = s;
	unsigned int i;

	do {
		hi = lo;
		lo *= 0.9;
		if (lo < s / FLAT_GAIN_MAX)
			return NAN;
	} while (seen_at(run, n, mask, want, full, shift, gain, s, lo) > s);
	/* to a thousandth of s and better: the power is set to 2 % */
	for (i = 0; i < 12; i++) {
		double mid = (lo + hi) / 2;

		if (seen_at(run, n, mask, want, full, shift, gain, s, mid) > s)
			hi = mid;
		else
			lo = mid;
	}
	return lo;
}

/*
 * Lane n, judged at a round's share, would see more than s: more than its
 * reckoning had it see, whether the share was set for it or it was taken
 * along at another lane's. A later round judges it at nx, the share
 * what it saw calls for, or at its reckoned one if that is deeper; if no
 * round is left, or nx is past FLAT_GAIN_MAX, it fails.
 */
static void seen_more(struct run *run, unsigned int n, double s,
		      double nx, unsigned int round, double *x,
		      bool *flattered, bool *judged, bool *want)
{
	judged[n] = false;
	if (round + 1 < FLAT_ROUNDS && nx >= s / FLAT_GAIN_MAX) {
		flattered[n] = true;
		x[n] = lio_fmin(x[n], nx);
	} else {
		drop_lane(run, n, OIO_LINK_BER_HIGH, want);
	}
}

/*
 * The lanes of flattered, whose Q the lines' moves raised at share s
 * (shift), would pass the check short of the margin. Each is judged where
 * its check sees s, the lines dimmed further: the deeper the dimming, the
 * further they move. One dwell takes the least flattered lane left and
 * every other whose check sees s at that share within Q_GAIN_TOL (or a
 * little harsher), FLAT_ROUNDS at most, the last taking every lane left
 * at the deepest share any of them needs, harsher for the others.
 * One whose ring the deeper move takes into the cold end is judged
 * detuned instead (detune[n]), as the lanes that met it at s are. A lane
 * left over (no share within FLAT_GAIN_MAX) fails. One whose Q, reckoned
 * from the moves and the power measured at its round's share, is raised
 * by more than reckoned - the lane the share was set for, or one taken
 * along - waits for a later round if one is left, at the share what it
 * saw calls for (or its reckoned one, if deeper), no deeper than
 * share_for() would go; else it fails: its margin could not be checked.
 * Only a dwell at a share where the lane saw s, within the tolerances,
 * judges it.
 */
static int margin_flattered(struct run *run, const bool *mask, uint32_t lit,
			    const uint32_t *full, const double *shift,
			    double s, const double *full_na, unsigned int reads,
			    const double *gain, bool *flattered, bool *want,
			    bool *moved, bool *any_moved, bool *detune)
{
	double x[OIO_MAX_LANES], moves[MAX_W], deeper, tol, na[OIO_MAX_LANES];
	bool judged[OIO_MAX_LANES], any;
	unsigned int n, round;
	int err = 0;

	for (n = 0; n < lanes_of(run); n++)
		x[n] = flattered[n] ? share_for(run, n, mask, want, full,
						shift, gain[n], s) : NAN;
	for (round = 0; round < FLAT_ROUNDS && !err; round++) {
		bool last = round + 1 == FLAT_ROUNDS;

		deeper = NAN;
		for (n = 0; n < lanes_of(run); n++)
			if (flattered[n] && want[n] && !isnan(x[n]) &&
			    (isnan(deeper) ||
			     (last ? x[n] < deeper : x[n] > deeper)))
				deeper = x[n];
		if (isnan(deeper))
			break;
		for (n = 0; n < lanes_of(run); n++) {
			double seen = NAN;

			/* one left over (x NAN) is not taken along */
			if (flattered[n] && want[n] && !isnan(x[n]))
				seen = seen_at(run, n, mask, want, full, shift,
					       gain[n], s, deeper);
			judged[n] = last ? !isnan(seen) :
				    (x[n] == deeper ||
				     (seen <= s * (1 + Q_GAIN_TOL) &&
				      seen >= s * (1 - 2 * Q_GAIN_TOL)));
			judged[n] &= flattered[n] && want[n];
		}
		err = dim_lines(run, lit, deeper, full, want, moves);
		for (n = 0; n < lanes_of(run) && !err; n++) {
			double got = line_share(run, n, deeper), seen;

			if (!judged[n])
				continue;
			flattered[n] = false;
			/* its line moved this far blue: judged detuned */
			if (cold_end(run, 2 * n) || cold_end(run, 2 * n + 1)) {
				detune[n] = true;
				judged[n] = false;
				continue;
			}
			seen = got * q_gain_held(run, n, mask, want, full,
						 moves);
			if (seen > s * (1 + Q_GAIN_TOL))
				seen_more(run, n, s,
					  lio_fmin(got, deeper) * s / seen,
					  round, x, flattered, judged, want);
		}
		err = err ?: follow_settled(run, mask, full, moves, want,
					    moved, any_moved);
		/* and as its own ring measures it, the rings upstream moved */
		err = err ?: rx_average(run, judged, reads, na);
		for (n = 0, any = false; n < lanes_of(run) && !err; n++) {
			double got = line_share(run, n, deeper), g;

			if (!judged[n])
				continue;
			g = rx_gain(run, n, full_na[n], na[n], reads, &tol);
			if (got * g > s * (1 + tol))
				seen_more(run, n, s,
					  lio_fmin(got, deeper) * s / (got * g),
					  round, x, flattered, judged, want);
			any |= judged[n];
		}
		if (!err && any)
			err = margin_dwell(run, judged, want);
	}
	for (n = 0; n < lanes_of(run) && !err; n++)
		if (flattered[n] && want[n])
			drop_lane(run, n, OIO_LINK_BER_HIGH, want);
	return err;
}

/*
 * After dimming deeper than s, a loop of a lane up may have run into its
 * heater's end and lost its line: back at full power, such a ring goes
 * back to its code and its loop acquires again; a lane whose loop does
 * not, fails.
 */
static int relock_lanes(struct run *run, const uint32_t *full, bool *want)
{
	const struct oio_card_io *io = run->io;
	bool relock[OIO_MAX_RINGS] = { false }, on[OIO_MAX_LANES];
	unsigned int n, r;
	bool any = false;
	int err;

	err = run_snap(run, RINGS);
	for (r = 0; r < 2 * lanes_of(run) && !err; r++) {
		relock[r] = want[r / 2] && run->tel->ring[r].lock_state !=
					   OIO_LOCK_STATE_LOCKED;
		if (!relock[r])
			continue;
		io->lock(io->h, r, false);
		io->heater(io->h, r, full[r]);
		any = true;
	}
	if (err || !any)
		return err;
	err = run_relock(run, relock);
	for (n = 0; n < lanes_of(run); n++)
		on[n] = relock[2 * n] || relock[2 * n + 1];
	if (!err)
		fail_unlocked(run, on, want);
	return err ?: io->run(io->h);
}

/*
 * A dwell short enough for bring-up cannot show a BER as low as the
 * target: at 32 Gb/s a millisecond holds 3e7 bits. But the receiver's
 * Q-factor scales with the optical power it gets (datasheet 7.8), so with
 * every line dimmed to the share that brings a lane at the target down
 * to a BER the dwell does show - Q(3 / bits) / Q(target), three errors
 * expected - and dwelling MARGIN_DWELLS times as long, a lane with less
 * margin than the target errs MARGIN_FAIL times or more but for a few
 * % of the time, and one with the margin stays under that.
 * Recovery checks so only where it sweeps, which dims the lines anyway,
 * or for lanes link up did not check on the line they now carry.
 */
int run_margin(struct run *run, const bool *mask, const bool *judge,
	       bool *want)
{
	uint64_t bits = UINT64_MAX;
	const struct oio_card_io *io = run->io;
	uint32_t lit = run->emitting, full[OIO_MAX_RINGS];
	bool moved[OIO_MAX_RINGS] = { false }, any_moved = false;
	bool detune[OIO_MAX_LANES] = { false }, any_detune = false;
	bool judged[OIO_MAX_LANES], flattered[OIO_MAX_LANES];
	bool any_flattered = false;
	unsigned int n, r, any = 0;
	double s, shift[MAX_W], full_na[OIO_MAX_LANES], gain[OIO_MAX_LANES];
	double na[OIO_MAX_LANES], tol;
	bool on[OIO_MAX_LANES];
	unsigned int reads;
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
	for (n = 0; n < lanes_of(run); n++) {
		on[n] = want[n] && (!judge || judge[n]);
		full_na[n] = run->tel->ring[2 * n + 1].monitor_na;
	}
	reads = rx_reads(run, on, full_na, s);
	err = err ?: rx_average(run, on, reads, full_na);
	err = err ?: dim_lines(run, lit, s, full, want, shift);
	for (n = 0; n < lanes_of(run) && !err; n++) {
		detune[n] = want[n] && (cold_end(run, 2 * n) ||
					cold_end(run, 2 * n + 1));
		judged[n] = want[n] && (!judge || judge[n]) && !detune[n];
		/* no dwell here judges it: what it sees hangs on that move */
		if (judged[n] && crowded_unmeasured(run, n, shift)) {
			drop_lane(run, n, OIO_LINK_BER_HIGH, want);
			judged[n] = false;
		}
		flattered[n] = judged[n] &&
			       q_gain_held(run, n, mask, want, full, shift) >
			       1 + Q_GAIN_TOL;
		judged[n] &= !flattered[n];
		any_flattered |= flattered[n];
	}
	err = err ?: follow_settled(run, mask, full, shift, want, moved,
				    &any_moved);
	/* what the reckoning missed, as the lane's own ring measures it */
	err = err ?: rx_average(run, on, reads, na);
	for (n = 0; n < lanes_of(run) && !err; n++) {
		gain[n] = 1;
		if (!judged[n] && !flattered[n])
			continue;
		gain[n] = rx_gain(run, n, full_na[n], na[n], reads, &tol);
		if (gain[n] <= 1 + tol) {
			gain[n] = 1;
			continue;
		}
		flattered[n] = any_flattered = true;
		judged[n] = false;
	}
	err = err ?: margin_dwell(run, judged, want);
	if (!err && any_flattered)
		err = margin_flattered(run, mask, lit, full, shift, s,
				       full_na, reads, gain, flattered, want,
				       moved, &any_moved, detune);
	for (n = 0; n < lanes_of(run); n++)
		any_detune |= detune[n];
	/* full power, and the parked rings where it had them, whatever happened */
	for (r = 0; r < 2 * lanes_of(run); r++)
		if (moved[r])
			io->heater(io->h, r, full[r]);
	lerr = run_full_power(run, lit);
	err = err ?: lerr ?: io->run(io->h);
	if (!err && any_moved)
		run_settle(run);
	if (!err && any_flattered)
		err = relock_lanes(run, full, want);
	if (!err && any_detune)
		err = margin_detuned(run, detune, judge, want, s);
	run_progress(run, "margin", 1, 1);
	return err;
}
