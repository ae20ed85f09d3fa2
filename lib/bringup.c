// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: link bring-up, tear-down and recovery over a card interface
 * (bringup.h): sweep, name, plan, place, lock, verify, activate. The
 * arithmetic is in tuning.c, naming.c and plan.c, the card accesses in
 * bringup-card.c, the second chances in bringup-place.c, the lanes in
 * bringup-verify.c and their margin in bringup-margin.c (its reckoning in
 * bringup-qgain.c). Nothing is taken from the model's defaults: what the
 * card's nominal registers do not give is measured from the sweeps or
 * watched on the card.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bringup-run.h"
#include "calib.h"
#include "oio-api.h"
#include "par.h"
#include "select.h"

/* The second sweep's dwell, times the first's. */
#define SLOW_SWEEP	2
/* Parking what failed, then checking the rest again: at most so often. */
#define PARK_ROUNDS	2
/*
 * Ports planned again after their rings missed their lines: so often
 * (three: with two, optical-worst 13190211's port 5 spent its second on a
 * shift promising 7 that brought up 2 and never tried the one that holds
 * 7), and once more to go back to the best plan tried.
 */
#define REPLAN_ROUNDS	3
/*
 * Ports planned again after lanes failed their margin check: so often.
 * Then up to TRY_SHIFTS more placements and margin checks for a port
 * still short, each at another shift, one to go back where it did
 * better, and, if that comes back short of it, one putting it back as it
 * was there.
 */
#define MARGIN_REPLANS	2
/*
 * Tries of another shift, one after another, for a port still short: the
 * fits often promise several shifts alike, and one of them holds a lane
 * more (thermal-worst 25180285's port 6 and 25180353's port 2, whole at
 * the second shift tried; optical-worst 290322's port 1 at the third).
 */
#define TRY_SHIFTS	3
/*
 * Recovery by link up's calibration: rings locked on their lines needed
 * to measure the drift since, and how closely (median deviation, of a
 * linewidth) they must agree on it.
 */
#define CAL_MIN_RINGS	4
#define CAL_AGREE	0.25

static void measured(struct run *run)
{
	const struct oio_tune *t = run->t;
	struct oio_link_card *m = &run->rep->measured;
	double v[OIO_MAX_RINGS];
	unsigned int r, n = 0, l;

	m->rings_named = t->named;
	/* with no ring named the rest is the nominal card, not a measure */
	if (!t->named)
		return;
	m->fsr_pm = t->fsr_pm;
	m->heater_tau_ns = t->tau_measured ? t->tau_ns : NAN;
	m->crosstalk = t->xt1;
	m->crosstalk_nn = t->xt2;
	/* recovery by the calibration took no trace to measure it in */
	m->noise_na = run->quiet ? NAN : t->noise_na;
	for (r = 0; r < 2 * lanes_of(run); r++)
		if (t->ring[r].named && t->ring[r].fwhm_pm > 0)
			v[n++] = t->ring[r].fwhm_pm;
	if (n) {
		/* median; v is scratch */
		unsigned int i, j;

		for (i = 1; i < n; i++)
			for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
				double x = v[j];

				v[j] = v[j - 1];
				v[j - 1] = x;
			}
		m->fwhm_pm = v[n / 2];
	} else {
		m->fwhm_pm = NAN;
	}
	for (l = 0; l < run->info.wavelengths; l++) {
		m->line_pm[l] = t->line_pm[l];
		/*
		 * link up darkens the coded lines, recovery by the
		 * calibration dims none: no move to measure
		 */
		m->dim_shift_pm[l] = run->dark || run->quiet ? NAN :
				     (run->code >> l & 1) ? t->dim_shift_pm[l] :
							     0;
	}
}

/* Port p's lanes onto the lines of line shift shift. */
static int set_shift(struct run *run, unsigned int p, int s)
{
	uint32_t shift = (uint32_t)s;
	int err;

	if (run->rep->line_shift[p] == shift)
		return 0;
	err = run->io->line_shift(run->io->h, p, shift);
	if (!err)
		run->rep->line_shift[p] = shift;
	return err;
}

/* Line shift and heaters of a port as planned; parked rings go cold. */
static int apply_plan(struct run *run, unsigned int p, bool *want)
{
	const struct oio_tune_port *tp = &run->plan[p];
	unsigned int w = run->info.wavelengths, side, i;
	const struct oio_card_io *io = run->io;
	int err;

	err = set_shift(run, p, tp->shift);
	if (err)
		return err;
	for (side = 0; side < 2; side++)
		for (i = 0; i < w; i++)
			if (tp->code[side][i])
				io->heater(io->h,
					   lio_tune_ring_of(&run->g, p, side, i),
					   tp->code[side][i]);
	for (i = 0; i < w; i++) {
		want[p * w + i] = tp->usable[i];
		run->on_line[p * w + i] = false;
		run->at_end[p * w + i] = tp->usable[i] &&
			(run_at_end(run, lio_tune_ring_of(&run->g, p, 0, i),
				    tp->code[0][i]) ||
			 run_at_end(run, lio_tune_ring_of(&run->g, p, 1, i),
				    tp->code[1][i]));
		run->at_cold_end[p * w + i] = tp->usable[i] &&
			(run_end_of_reach(run,
					  lio_tune_ring_of(&run->g, p, 0, i),
					  tp->code[0][i]) < 0 ||
			 run_end_of_reach(run,
					  lio_tune_ring_of(&run->g, p, 1, i),
					  tp->code[1][i]) < 0);
	}
	return 0;
}

/* Enable the loops of the wanted lanes of a port, upstream first. */
static void lock_port(struct run *run, unsigned int p, const bool *want)
{
	unsigned int w = run->info.wavelengths, side, i;

	for (side = 0; side < 2; side++)
		for (i = 0; i < w; i++)
			if (want[p * w + i])
				run->io->lock(run->io->h,
					      lio_tune_ring_of(&run->g, p, side,
							       i), true);
}

static enum oio_link_fail fail_of(enum oio_tune_why why)
{
	switch (why) {
	case OIO_TUNE_OK:
		return OIO_LINK_OK;
	case OIO_TUNE_DARK:
		return OIO_LINK_LINE_DARK;
	case OIO_TUNE_UNNAMED:
		return OIO_LINK_NO_RESONANCE;
	case OIO_TUNE_STUCK:
		return OIO_LINK_HEATER_STUCK;
	case OIO_TUNE_OUT_OF_REACH:
		break;
	}
	return OIO_LINK_OUT_OF_RANGE;
}

/*
 * Ports as a verification or a margin check left them - which lanes
 * passed, which were held on their line, every ring's code, each lane's
 * verdict with its line, codes and the PRBS counts it was judged by - so
 * that placing their failed lanes in place can be undone where it cost
 * more lanes than it won (undo_harm()), and a port put back as it was at
 * its best (put_back_best()).
 */
struct port_state {
	bool want[OIO_MAX_LANES];
	bool at_end[OIO_MAX_LANES];
	bool at_cold_end[OIO_MAX_LANES];
	bool on_line[OIO_MAX_LANES];
	uint32_t code[OIO_MAX_RINGS];
	/* the verdicts, with the line and the PRBS counts that gave them */
	struct oio_link_lane lane[OIO_MAX_LANES];
};

/*
 * Port p into ps. Its rings' codes are run->tel's: run_verify(),
 * run_park() and margin_rounds() end with every ring of the card taken
 * at full power.
 */
static void save_port(const struct run *run, unsigned int p,
		      const bool *want, struct port_state *ps)
{
	unsigned int W = run->info.wavelengths, n, r;

	for (n = p * W; n < (p + 1) * W; n++) {
		ps->want[n] = want[n];
		ps->at_end[n] = run->at_end[n];
		ps->at_cold_end[n] = run->at_cold_end[n];
		ps->on_line[n] = run->on_line[n];
		ps->lane[n] = run->rep->lane[n];
	}
	for (r = 2 * p * W; r < 2 * (p + 1) * W; r++)
		ps->code[r] = run->tel->ring[r].heater;
}

static void save_ports(const struct run *run, const bool *want,
		       struct port_state *ps)
{
	unsigned int p;

	for (p = 0; p < run->info.ports; p++)
		save_port(run, p, want, ps);
}

/* The lanes within two places of lane w of a port, but w. */
static uint32_t near_lanes(unsigned int w)
{
	return ((0x1fu << w) >> 2) & ~(1u << w);
}

/*
 * Lane w of a port: left out of reach by the plan (was), then swept in
 * place and put on its line, where it erred or lost it (now), while a
 * lane within two places of it that was up (bit of lost) went down. Its
 * heat knocked that neighbour off its own line, and the neighbour's ring
 * may then take or crowd this one's (inside 32200318's lane 62: lane
 * 61's RX ring, heated red past its cold end, climbed onto line 1
 * upstream of it and took nine tenths of it). The port goes back to the
 * plan's placement, where the lane is out of reach as the plan said.
 */
static bool reached_at_a_cost(const struct oio_link_lane *was,
			      const struct oio_link_lane *now, unsigned int w,
			      uint32_t lost)
{
	return was->fail == OIO_LINK_OUT_OF_RANGE &&
	       (now->fail == OIO_LINK_BER_HIGH ||
		now->fail == OIO_LINK_UNLOCKED) && (lost & near_lanes(w));
}

/*
 * Port p back as ps has it: its lanes stopped, its rings unlocked at
 * their codes, for run_relock() to lock those of the lanes it wants. Of
 * the verdicts, whole puts back every lane's record (its line and codes
 * too) and which lanes were held on their line; else only the verdicts
 * of lanes up then or now, with the counts that gave them (a lane that
 * passed since and goes back to failing is judged by its earlier dwell,
 * run_crowded_miss()), and a lane failed both times keeps the later,
 * unless it reached its line only at a cost (reached_at_a_cost()).
 */
static void put_back_port(struct run *run, unsigned int p,
			  const struct port_state *ps, bool *want, bool whole)
{
	unsigned int W = run->info.wavelengths, n, r;
	const struct oio_card_io *io = run->io;
	uint32_t lost = 0;

	for (n = p * W; n < (p + 1) * W; n++)
		lost |= (uint32_t)(ps->want[n] && !want[n]) << (n - p * W);
	for (n = p * W; n < (p + 1) * W; n++) {
		struct oio_link_lane *ll = &run->rep->lane[n];
		const struct oio_link_lane *was = &ps->lane[n];

		if (want[n] || run->primed[n])
			io->lane(io->h, n, OIO_LANE_REQUEST_DEACTIVATE, 0, 0);
		want[n] = ps->want[n];
		run->primed[n] = false;
		run->at_end[n] = ps->at_end[n];
		run->at_cold_end[n] = ps->at_cold_end[n];
		if (whole) {
			*ll = *was;
			run->on_line[n] = ps->on_line[n];
		} else if (want[n] || ll->fail == OIO_LINK_OK ||
			   reached_at_a_cost(was, ll, n - p * W, lost)) {
			ll->fail = was->fail;
			ll->reason = was->reason;
			ll->prbs_bits = was->prbs_bits;
			ll->prbs_errors = was->prbs_errors;
		}
		for (r = 2 * n; r < 2 * n + 2; r++) {
			io->lock(io->h, r, false);
			io->heater(io->h, r, ps->code[r]);
		}
	}
}

/*
 * The ports of back, put back by put_back_port(): the rings of the lanes
 * wanted and of those held on their line locked again, and the lanes
 * wanted verified. A held lane left unlocked would not follow its line
 * when the next margin check dims it, and would hand it downstream.
 */
static int relock_back(struct run *run, const bool *back, bool *want)
{
	unsigned int W = run->info.wavelengths, r;
	bool relock[OIO_MAX_RINGS];

	for (r = 0; r < 2 * lanes_of(run); r++)
		relock[r] = back[r / 2 / W] &&
			    (want[r / 2] || run->on_line[r / 2]);
	return run_relock(run, relock) ?: run_verify(run, back, want);
}

/* Lanes of port p wanted. */
static unsigned int port_up(const struct run *run, unsigned int p,
			    const bool *want)
{
	unsigned int W = run->info.wavelengths, n, up = 0;

	for (n = p * W; n < (p + 1) * W; n++)
		up += want[n];
	return up;
}

/*
 * A port with fewer lanes up than before its failed lanes were placed in
 * place goes back to how the first verification left it: a ring placed
 * on a line out of its lane's reach can still heat a neighbour off its
 * own, or take its line. Its rings back at their codes - those of its
 * failed lanes too, where they were when the others passed, for the
 * park that follows to move - and the lanes that had passed, and those
 * held on their line, locked again (relock_back()). A failed lane keeps
 * what placing it in place found, unless that placement cost it its line
 * (reached_at_a_cost()).
 */
static int undo_harm(struct run *run, const bool *mask,
		     const struct port_state *ps, bool *want)
{
	unsigned int p, was[OIO_MAX_PORTS];
	bool back[OIO_MAX_PORTS] = { false }, any = false;
	int err;

	for (p = 0; p < run->info.ports; p++) {
		was[p] = port_up(run, p, ps->want);
		if (!mask[p] || port_up(run, p, want) >= was[p])
			continue;
		back[p] = any = true;
		put_back_port(run, p, ps, want, false);
	}
	if (!any)
		return 0;
	err = relock_back(run, back, want);
	for (p = 0; p < run->info.ports && !err; p++)
		if (back[p] && port_up(run, p, want) < was[p])
			run_explain(run, "port %u put back as it was: %u of its %u lanes verify again",
				    p, port_up(run, p, want), was[p]);
	return err;
}

/*
 * Tune the ports of mask as planned, lock, verify; place in place what
 * failed, then what that broke in the ports of all (the run's), and undo
 * it where that lost lanes.
 */
static int place_ports(struct run *run, const bool *mask, const bool *all,
		       bool *want)
{
	unsigned int w = run->info.wavelengths, p, n;
	bool moved;
	int err = 0, lerr;

	for (p = 0; p < run->info.ports && !err; p++) {
		const struct oio_tune_port *tp = &run->plan[p];

		if (!mask[p])
			continue;
		for (n = p * w; n < (p + 1) * w; n++) {
			struct oio_link_lane *ll = &run->rep->lane[n];

			ll->line = (n % w + (uint32_t)tp->shift) % w;
			ll->fail = fail_of(tp->why[n % w]);
			/* an earlier placement's verification is not this one's */
			ll->prbs_bits = ll->prbs_errors = 0;
			ll->reason = 0;
		}
		err = apply_plan(run, p, want);
		run_progress(run, "tune", p + 1, run->info.ports);
	}
	lerr = run->io->run(run->io->h);
	err = err ?: lerr;
	if (err)
		return err;
	/* heaters settled and the dimmed lines back at full power */
	run_settle(run);
	err = run_wait_lasers(run, 0);
	if (err)
		return err;
	for (p = 0; p < run->info.ports; p++)
		if (mask[p])
			lock_port(run, p, want);
	err = run->io->run(run->io->h) ?: run_repair(run, mask, want) ?:
	      run_verify(run, mask, want);
	if (!err && !run->quiet) {
		bool again, harmed[OIO_MAX_LANES], any = false;
		/* some 13 kB: off the stack */
		struct port_state *ps = malloc(sizeof(*ps));

		if (!ps)
			return -ENOMEM;
		save_ports(run, want, ps);
		memcpy(harmed, want, sizeof(harmed));
		err = run_place_in_situ(run, mask, NULL, want, &again);
		if (!err && again)
			err = run_park(run, mask, want, &moved) ?:
			      run_verify(run, mask, want);
		/*
		 * The loops of the lanes that had verified were off while
		 * the others were placed, and came back on at codes that
		 * allow for their neighbours' new heat as far as the
		 * crosstalk was measured: one that climbed to the next line
		 * fails now. Those few are placed in place themselves, their
		 * neighbours where they stay.
		 */
		for (n = 0; n < lanes_of(run); n++) {
			harmed[n] = harmed[n] && !want[n];
			any |= harmed[n];
		}
		if (!err && again && any) {
			err = run_place_in_situ(run, all, harmed, want,
						&again);
			if (!err && again)
				err = run_park(run, all, want, &moved) ?:
				      run_verify(run, all, want);
		}
		if (!err && any)
			err = undo_harm(run, all, ps, want);
		free(ps);
	}
	return err;
}

/* Port p goes with plan tp: a shift tried, its lanes to be started anew. */
static void adopt_plan(struct run *run, unsigned int p,
		       const struct oio_tune_port *tp)
{
	unsigned int W = run->info.wavelengths, w;

	run->plan[p] = *tp;
	run->tried[p] |= 1u << tp->shift;
	for (w = 0; w < W; w++)
		run->primed[p * W + w] = false;
}

/*
 * A spared or traded plan of port p at shift s is taken: what the shift
 * has had (base), and t->unreach (was) and crowded as they were, for
 * replan().
 */
static void take_spare(struct run *run, unsigned int p, unsigned int s,
		       unsigned int base, uint32_t was)
{
	run->spare_at[p] = (int)s;
	run->spare_up[p] = base;
	run->spare_unreach[p] = was;
	run->spare_crowded[p] = run->crowded[p][s];
}

/* Was lane n left down out of reach, its line met at a heater's cold end? */
static bool met_cold(const struct run *run, unsigned int n)
{
	return run->at_end[n] && run->at_cold_end[n] &&
	       run->rep->lane[n].fail == OIO_LINK_NO_RESONANCE;
}

/*
 * A lane of port p met cold at shift s, out of reach, may have been put
 * there by the heat of neighbours within two places that were placed
 * with it (by the plan, or a sweep in place) and came up no better: its
 * ring then needs more heat of its own, and may have room. The first
 * such lane not let back at s yet is let back into the plan there (out
 * of t->unreach) and marked spared; its number back, or -1 if none.
 */
static int spare_one(struct run *run, unsigned int p, unsigned int s,
		     const bool *want)
{
	unsigned int W = run->info.wavelengths, w;
	uint32_t cold = 0, out = 0;

	for (w = 0; w < W; w++) {
		unsigned int n = p * W + w;

		cold |= (uint32_t)met_cold(run, n) << w;
		/* named, not up, and missed here out of reach */
		out |= (uint32_t)(run->plan[p].why[w] != OIO_TUNE_UNNAMED &&
				  !want[n] &&
				  (run->t->unreach[p][s] >> w & 1)) << w;
	}
	for (w = 0; w < W; w++) {
		if (!(cold >> w & 1) || (run->spared[p][s] >> w & 1) ||
		    !(run->t->unreach[p][s] >> w & 1) ||
		    !(out & near_lanes(w)))
			continue;
		run->spared[p][s] |= 1u << w;
		run->t->unreach[p][s] &= ~(1u << w);
		return (int)w;
	}
	return -1;
}

/*
 * A lane up at shift s with two or more lanes met cold within two places
 * of it, missed out of reach, may be what keeps them cold: the plan of s
 * with it left out and them let back, taken if it keeps every other lane
 * up, has them all usable and promises more than the port has had at any
 * shift; if not, t->unreach goes back to was. Once a lane up and shift.
 */
static bool trade_plan(struct run *run, unsigned int p, unsigned int s,
		       unsigned int base, uint32_t was, const bool *want,
		       struct oio_tune_port *tp)
{
	unsigned int W = run->info.wavelengths, u, v;
	uint32_t cold = 0;

	for (v = 0; v < W; v++)
		cold |= (uint32_t)(met_cold(run, p * W + v) &&
				   (run->t->unreach[p][s] >> v & 1)) << v;
	for (u = 0; u < W; u++) {
		uint32_t near = near_lanes(u) & cold;
		bool keeps = true;

		if (!want[p * W + u] || (run->traded[p][s] >> u & 1) ||
		    __builtin_popcount(near) < 2)
			continue;
		run->traded[p][s] |= 1u << u;
		run->t->unreach[p][s] = (run->t->unreach[p][s] & ~near) |
					1u << u;
		lio_tune_plan_shifts(run->t, p, 1u << s, tp);
		for (v = 0; v < W; v++)
			keeps &= v == u || !want[p * W + v] || tp->usable[v];
		for (v = 0; v < W; v++)
			keeps &= !(near >> v & 1) || tp->usable[v];
		if (keeps && tp->ok_at[s] > run->best_up[p]) {
			take_spare(run, p, s, base, was);
			return true;
		}
		run->t->unreach[p][s] = was;
	}
	return false;
}

/*
 * Plan port p again at the shift s it was placed at, with a lane spared
 * (spare_one()) and the lanes missed there left out: true, and the plan
 * in tp, if it keeps every lane up in the plan and promises more than
 * the port has had at any shift (the up there are, at most): one that
 * cannot beat its best spends a round on a placement at best as good,
 * which the last round would undo. If not, the lane is out of reach
 * there again, and the next such lane is tried (spared once a lane and
 * shift, taken or not); then a lane up with two such lanes within two
 * places is left out for them (trade_plan()).
 * What the shift has had (base: the up there are, or the port's best if
 * this is its best shift), and t->unreach and crowded as they were, go to
 * the run for replan() to put back if the spared placement brings up
 * fewer.
 */
static bool spare_plan(struct run *run, unsigned int p, unsigned int s,
		       unsigned int up, const bool *want,
		       struct oio_tune_port *tp)
{
	unsigned int W = run->info.wavelengths, v, base = up;
	uint32_t was = run->t->unreach[p][s];
	int w;

	if (run->best_shift[p] == (int)s && run->best_up[p] > base)
		base = run->best_up[p];
	while ((w = spare_one(run, p, s, want)) >= 0) {
		bool keeps = true;

		lio_tune_plan_shifts(run->t, p, 1u << s, tp);
		for (v = 0; v < W; v++)
			keeps &= !want[p * W + v] || tp->usable[v];
		if (keeps && tp->usable[w] &&
		    tp->ok_at[s] > run->best_up[p]) {
			take_spare(run, p, s, base, was);
			return true;
		}
		run->t->unreach[p][s] |= 1u << w;
	}
	return trade_plan(run, p, s, base, was, want, tp);
}

/*
 * A port left with a lane whose rings could not be put on its line (no
 * resonance, out of range, a lock not held) is planned again. One whose
 * line a sweep in place met nowhere is planned knowing that: the fits that
 * chose its line shift missed by more than they allow for, and may have
 * missed elsewhere too. If another shift now promises more lanes than this
 * one brought up, or as many with lanes it is unsure of that a sweep in
 * place may find, and was not tried yet, the port goes in redo with that
 * plan. A lane that failed only its BER, its rings on its line, is no
 * reason: a weak line errs at every shift. One the margin check took down
 * (lost) may be that too, or a ring near an end of its reach that the
 * fits put inside it: worth the try, once a margin check has said so. The
 * last round (last) only takes a port back to the best shift it tried.
 * Before any other shift, a lane met cold beside lanes missed with it is
 * let back into the plan of the shift it was placed at, the lanes missed
 * there left out (spare_plan()).
 * Return: whether any port goes in redo.
 */
static bool replan(struct run *run, const bool *mask, const bool *want,
		   const bool *lost, bool last, bool *redo)
{
	unsigned int W = run->info.wavelengths, p, w, up, ok, best;
	struct oio_tune_port tp;
	bool any = false, placing;
	int s, k, pick;

	/* a line that went dark since the sweeps promises no lane */
	run->t->emitting &= run->emitting;
	for (p = 0; p < run->info.ports; p++) {
		/* nor carries one at the best shift any more */
		unsigned int gone = (unsigned int)__builtin_popcount(
			run->best_lit[p] & ~run->emitting);

		if (run->tried_up[p]) {
			run->best_up[p] -= gone < run->best_up[p] ? gone :
					   run->best_up[p];
			run->best_lit[p] &= run->emitting;
		}
		redo[p] = false;
		s = run->plan[p].shift;
		if (!mask[p] || s < 0)
			continue;
		run->tried[p] |= 1u << s;
		for (w = 0, up = 0, placing = false; w < W; w++) {
			enum oio_link_fail f = run->rep->lane[p * W + w].fail;
			bool missed;

			up += want[p * W + w];
			/* a crowded line's rings may be on the other line */
			missed = f == OIO_LINK_NO_RESONANCE ||
				 run_crowded_miss(run, p * W + w);
			if (missed && run->plan[p].why[w] != OIO_TUNE_UNNAMED) {
				/* crowded unless missed otherwise here */
				if (f == OIO_LINK_NO_RESONANCE)
					run->crowded[p][s] &= ~(1u << w);
				else if (!(run->t->unreach[p][s] >> w & 1))
					run->crowded[p][s] |= 1u << w;
				run->t->unreach[p][s] |= 1u << w;
			}
			/*
			 * where its rings could not be put on its line; a lane
			 * they reached that errs (a weak line, a narrow eye)
			 * fares no better at another shift, unless lost says
			 */
			placing |= !want[p * W + w] &&
				   (missed ||
				    f == OIO_LINK_OUT_OF_RANGE ||
				    f == OIO_LINK_UNLOCKED ||
				    (lost && lost[p * W + w]));
		}
		/*
		 * a spared placement that brought up fewer than it had to
		 * beat leaves the shift as it found it
		 */
		if (run->spare_at[p] == s) {
			if (up < run->spare_up[p]) {
				run->t->unreach[p][s] = run->spare_unreach[p];
				run->crowded[p][s] = run->spare_crowded[p];
			}
			run->spare_at[p] = -1;
		}
		if (!run->tried_up[p] || up >= run->best_up[p]) {
			run->best_up[p] = up;
			run->best_shift[p] = s;
			run->best_lit[p] = run->emitting;
		}
		run->tried_up[p] = true;
		/* the last round only goes back to the best shift tried */
		if (last) {
			if (up >= run->best_up[p])
				continue;
			lio_tune_plan_shifts(run->t, p,
					     1u << run->best_shift[p], &tp);
			pick = tp.shift;
		} else {
			if (!placing)
				continue;
			if (spare_plan(run, p, (unsigned int)s, up, want,
				       &tp)) {
				adopt_plan(run, p, &tp);
				redo[p] = any = true;
				continue;
			}
			lio_tune_plan(run->t, p, &tp);
			for (w = 0, ok = 0; w < W; w++)
				ok += tp.usable[w];
			pick = tp.shift >= 0 && ok > up &&
			       !(run->tried[p] >> tp.shift & 1) ? tp.shift : -1;
		}
		for (k = 0, best = up; k < (int)W && pick < 0 && !last; k++)
			if (!(run->tried[p] >> k & 1) &&
			    tp.ok_at[k] + tp.unsure_at[k] > best) {
				best = tp.ok_at[k] + tp.unsure_at[k];
				pick = k;
			}
		if (pick < 0)
			continue;
		if (pick != tp.shift)
			lio_tune_plan_shifts(run->t, p, 1u << pick, &tp);
		adopt_plan(run, p, &tp);
		redo[p] = any = true;
	}
	if (any)
		run_progress(run, "re-plan", 1, 1);
	return any;
}

/*
 * Re-plans of the ports of mask while they promise more, then back to
 * each port's best; all the run's ports, whose lanes a placement may harm
 * (place_ports()); lost, if not NULL, as replan() takes it, in the first
 * round. placed, if not NULL, gets the ports placed again.
 */
static int replan_rounds(struct run *run, const bool *mask, const bool *all,
			 bool *want, const bool *lost, bool *placed)
{
	unsigned int round, p;
	bool redo[OIO_MAX_PORTS];
	int err = 0;

	for (round = 0; round <= REPLAN_ROUNDS && !err; round++) {
		bool last = round == REPLAN_ROUNDS;

		if (!replan(run, mask, want, round ? NULL : lost, last,
			    redo)) {
			if (last)
				break;
			round = REPLAN_ROUNDS - 1;
			continue;
		}
		for (p = 0; p < run->info.ports && placed; p++)
			placed[p] |= redo[p];
		err = run_release_ports(run, redo) ?:
		      place_ports(run, redo, all, want);
	}
	return err;
}

/*
 * The margin check of every lane up (of judge, if not NULL), the parked
 * rings of mask, the run's ports, following the dimmed lines: a placement
 * may have moved lanes of other ports too (in place, or put back). What
 * failed takes no light from what comes up, and as that moves the heat
 * the others see, they are checked again. (Recovery's sweeps dim the
 * lines already: its margin check too.) run->tel's rings end taken at
 * full power, for save_port(): a check takes them dimmed.
 */
static int margin_rounds(struct run *run, const bool *mask,
			 const bool *judge, bool *want)
{
	unsigned int round;
	bool moved = true;
	int err;

	err = run_margin(run, mask, judge, want);
	for (round = 0; round < PARK_ROUNDS && !err; round++) {
		err = run_park(run, mask, want, &moved);
		if (err || !moved)
			break;
		err = run_verify(run, mask, want) ?:
		      run_margin(run, mask, judge, want);
	}
	return err || !moved ? err : run_snap(run, RINGS);
}

/*
 * The shift of each port that kept the most lanes through a margin check,
 * and the port as it was then.
 */
struct best_held {
	unsigned int most[OIO_MAX_PORTS];
	int at[OIO_MAX_PORTS];
	uint32_t lit[OIO_MAX_PORTS];		/* lines lit then */
	uint32_t checked[OIO_MAX_PORTS];	/* shifts margin-checked */
	/* lanes in reach (ok_at) at the shift try_another() last tried */
	unsigned int tried_ok[OIO_MAX_PORTS];
	struct oio_tune_port plan[OIO_MAX_PORTS];
	struct port_state ps;
};

/* Note the shift of each port of placed, just margin-checked, as checked. */
static void note_checked(const struct run *run, const bool *placed,
			 const bool *want, struct best_held *bh)
{
	unsigned int p, up;

	for (p = 0; p < run->info.ports; p++) {
		if (!placed[p] || run->plan[p].shift < 0)
			continue;
		bh->checked[p] |= 1u << run->plan[p].shift;
		up = port_up(run, p, want);
		if (up > bh->most[p] || bh->at[p] < 0) {
			bh->most[p] = up;
			bh->at[p] = run->plan[p].shift;
			bh->lit[p] = run->emitting;
			bh->plan[p] = run->plan[p];
			save_port(run, p, want, &bh->ps);
		}
	}
}

/* Place the ports of redo as planned, and check every lane up again. */
static int place_checked(struct run *run, const bool *mask, const bool *redo,
			 bool *want, struct best_held *bh)
{
	int err;

	err = run_release_ports(run, redo) ?:
	      place_ports(run, redo, mask, want) ?:
	      margin_rounds(run, mask, NULL, want);
	if (!err)
		note_checked(run, redo, want, bh);
	return err;
}

/*
 * A lane the margin check took down (held before it, not now) had a ring
 * near an end of its reach, or a narrow eye, where its line shift puts
 * it; another may centre it. Its port is planned again from the lanes it
 * holds now, placed and checked again; MARGIN_REPLANS bounds the rounds,
 * as each costs a port up to REPLAN_ROUNDS + 1 placements and a margin
 * check. A shift the port was placed at before but that no margin check
 * judged may be tried again: it lost to one the check has now cut down.
 */
static int margin_replans(struct run *run, const bool *mask, bool *held,
			  bool *want, struct best_held *bh)
{
	unsigned int W = run->info.wavelengths, p, n, round;
	bool again[OIO_MAX_PORTS], back[OIO_MAX_PORTS], any = true;
	bool lost[OIO_MAX_LANES];
	int err = 0;

	for (round = 0; round < MARGIN_REPLANS && any && !err; round++) {
		memset(again, false, sizeof(again));
		for (n = 0, any = false; n < lanes_of(run); n++) {
			lost[n] = mask[n / W] && held[n] && !want[n];
			again[n / W] |= lost[n];
			any |= lost[n];
		}
		if (!any)
			break;
		for (p = 0; p < run->info.ports; p++) {
			if (!again[p])
				continue;
			/* what its shift holds through the margin check */
			run->tried[p] = bh->checked[p];
			run->best_up[p] = port_up(run, p, want);
			run->best_shift[p] = run->plan[p].shift;
			run->best_lit[p] = run->emitting;
		}
		/* a port placed again, at whatever shift, is checked again */
		memset(back, false, sizeof(back));
		err = replan_rounds(run, again, mask, want, lost, back);
		for (p = 0, any = false; p < run->info.ports; p++)
			any |= back[p];
		memcpy(held, want, lanes_of(run) * sizeof(*held));
		if (!err && any) {
			err = margin_rounds(run, mask, NULL, want);
			if (!err)
				note_checked(run, back, want, bh);
		}
	}
	return err;
}

/*
 * A port short of the lanes its lit lines could carry tries the shift the
 * plan prefers among those no margin check judged that promise
 * at least what it holds and what it held at its best: the fits cannot
 * tell apart shifts that promise alike, and those ties are where the
 * lanes are found; a sweep in place may also find a lane they put just
 * out of reach. A line that errs on the ports of mask and is up on none
 * of them is weak, and no shift mends that (a port recovered alone is
 * its only judge) - unless its rings may have sat on the line crowding
 * it (run_crowded_miss()). run->best_* are replan()'s, which is done with
 * them. *tried: whether any port tried one. The shift tried is checked,
 * so a try after it (not first) takes another, and only one with at least
 * as many lanes in reach - tied, as the plan prefers the most - and only
 * for a port that never held as many lanes as its lit lines could carry
 * here: one that did, and was knocked short since by the check of other
 * ports' tries, goes back there instead (after_margin()). A try of a
 * shift promising fewer costs a check of every port (optical-worst's
 * mean tuning rose by a third) for one seed more than the ties find.
 */
static int try_another(struct run *run, const bool *mask, bool *want,
		       struct best_held *bh, bool first, bool *tried)
{
	unsigned int W = run->info.wavelengths, p, k, w, n, up, could, got;
	bool redo[OIO_MAX_PORTS] = { false }, any = false;
	uint32_t errs = 0, carried = 0, shifts;
	struct oio_tune_port tp;

	/* a line that went dark since promises no lane */
	run->t->emitting &= run->emitting;
	for (n = 0; n < lanes_of(run); n++) {
		const struct oio_link_lane *ll = &run->rep->lane[n];

		if (!mask[n / W])
			continue;
		if (want[n])
			carried |= 1u << ll->line;
		else if (ll->fail == OIO_LINK_BER_HIGH &&
			 !run_crowded_miss(run, n))
			errs |= 1u << ll->line;
	}
	for (p = 0; p < run->info.ports; p++) {
		const struct oio_tune_port *now = &run->plan[p];

		if (!mask[p] || now->shift < 0)
			continue;
		up = port_up(run, p, want);
		for (w = 0, could = 0; w < W; w++) {
			unsigned int l = (w + (unsigned int)now->shift) % W;

			could += now->why[w] != OIO_TUNE_DARK &&
				 now->why[w] != OIO_TUNE_STUCK &&
				 (run->emitting >> l & 1) &&
				 !((errs & ~carried) >> l & 1);
		}
		/* after the first round, only the ports that tried before */
		if (up >= could ||
		    (!first && (bh->most[p] >= could || !bh->tried_ok[p])))
			continue;
		lio_tune_plan(run->t, p, &tp);
		for (k = 0, shifts = 0; k < W; k++) {
			got = tp.ok_at[k] + tp.unsure_at[k];
			if (!(bh->checked[p] >> k & 1) && tp.ok_at[k] &&
			    tp.ok_at[k] >= bh->tried_ok[p] &&
			    got >= up && got >= bh->most[p])
				shifts |= 1u << k;
		}
		if (!shifts)
			continue;
		/* of those, the one the plan itself would pick */
		lio_tune_plan_shifts(run->t, p, shifts, &tp);
		bh->tried_ok[p] = tp.ok_at[tp.shift];
		adopt_plan(run, p, &tp);
		redo[p] = any = true;
	}
	*tried = any;
	return any ? place_checked(run, mask, redo, want, bh) : 0;
}

/*
 * Put the ports of back as bh holds them at their best: their line
 * shifts, plans and lanes, and their rings at their codes then, those of
 * the lanes up or held on their line then locked again, and the lanes up
 * verified.
 */
static int put_back_best(struct run *run, const bool *back, bool *want,
			 const struct best_held *bh)
{
	unsigned int p;
	int err = 0;

	/* lanes are only started, not active, until run_activate() */
	for (p = 0; p < run->info.ports && !err; p++) {
		if (!back[p])
			continue;
		err = set_shift(run, p, bh->plan[p].shift);
		if (err)
			break;
		run->plan[p] = bh->plan[p];
		put_back_port(run, p, &bh->ps, want, true);
	}
	return err ?: relock_back(run, back, want);
}

/*
 * After the margin check: re-plans for the lanes it took, a try of
 * another shift for the ports still short, and then each port ends at
 * the shift that kept the most lanes through a margin check: placed there
 * again, and checked, if it now holds fewer. One that still holds fewer
 * is put back as it was there (put_back_best()) and its lanes checked
 * again: spread-3nm 250044's port 2 kept six lanes at its best shift and
 * came back to it with five. So is any port that the placement and
 * check of those placed again left short of its best: that check dims
 * every line, and optical-worst 23190118's port 6, holding seven lanes at
 * shift 7 as it had at shift 0, lost a ring off its line in it; put back
 * at shift 0, it holds seven again. Only the lanes of the ports put back
 * are judged: no other port moved, and judged again, inside 300178's
 * lane 5, on another port, was lost. That check dims every line as well,
 * and a port it leaves short is told of (run_explain()), not put back: a
 * put-back is done once. A port whose lines lit then are not all lit now
 * stays as placed.
 */
static int after_margin(struct run *run, const bool *mask, bool *held,
			bool *want)
{
	bool again[OIO_MAX_PORTS], back[OIO_MAX_PORTS], any = false;
	bool judge[OIO_MAX_LANES];
	struct best_held *bh;
	unsigned int W = run->info.wavelengths, p, n, up, t;
	unsigned int had[OIO_MAX_PORTS] = { 0 };
	bool tried = true;
	int err;

	/* a port_state is some 13 kB: off the stack */
	bh = calloc(1, sizeof(*bh));
	if (!bh)
		return -ENOMEM;
	for (p = 0; p < run->info.ports; p++)
		bh->at[p] = -1;
	note_checked(run, mask, want, bh);
	err = margin_replans(run, mask, held, want, bh);
	for (t = 0; t < TRY_SHIFTS && tried && !err; t++)
		err = try_another(run, mask, want, bh, !t, &tried);
	for (p = 0; p < run->info.ports && !err; p++) {
		again[p] = mask[p] && bh->at[p] >= 0 &&
			   port_up(run, p, want) < bh->most[p];
		if (!again[p])
			continue;
		run->best_up[p] = bh->most[p];
		run->best_shift[p] = bh->at[p];
		run->best_lit[p] = bh->lit[p];
		any = true;
	}
	if (!err && any && replan(run, again, want, NULL, true, back))
		err = place_checked(run, mask, back, want, bh);
	for (p = 0, any = false; p < run->info.ports && !err; p++) {
		had[p] = port_up(run, p, want);
		back[p] = mask[p] && bh->at[p] >= 0 && had[p] < bh->most[p] &&
			  !(bh->lit[p] & ~run->emitting);
		any |= back[p];
	}
	if (!err && any) {
		for (n = 0; n < lanes_of(run); n++)
			judge[n] = back[n / W];
		err = put_back_best(run, back, want, bh) ?:
		      margin_rounds(run, mask, judge, want);
	}
	/* that check dims every line too: what it cost is told, not mended */
	for (p = 0; p < run->info.ports && !err && any; p++) {
		up = port_up(run, p, want);
		if (back[p] && up < bh->most[p])
			run_explain(run, "port %u put back as it was at line shift %d: %u of the %u lanes it held there hold again (%u before)",
				    p, bh->at[p], up, bh->most[p], had[p]);
		else if (!back[p] && up < had[p])
			run_explain(run, "port %u lost %u lanes in the check of the ports put back",
				    p, had[p] - up);
	}
	free(bh);
	return err;
}

/* A run and the ports it brings up, for lio_par_for()'s loops. */
struct run_mask {
	struct run *run;
	const bool *mask;
};

/* A ring's sweep C, read apart from every other ring's. */
static void ring_traces_c(void *arg, unsigned int r)
{
	const struct run_mask *rm = arg;
	struct run *run = rm->run;

	if (rm->mask[r / (2 * run->info.wavelengths)])
		lio_tune_traces_c(run->t, r, run->c + (size_t)r * run->points);
}

/* Then its sweep A. */
static void ring_traces_a(void *arg, unsigned int r)
{
	const struct run_mask *rm = arg;
	struct run *run = rm->run;

	if (rm->mask[r / (2 * run->info.wavelengths)])
		lio_tune_traces_a(run->t, r, run->a + (size_t)r * run->points);
}

/* And its sweep B. */
static void ring_traces_b(void *arg, unsigned int r)
{
	const struct run_mask *rm = arg;
	struct run *run = rm->run;

	if (rm->mask[r / (2 * run->info.wavelengths)])
		lio_tune_traces_b(run->t, r, run->b + (size_t)r * run->points);
}

/* A port's plan, from the analysis alone: apart from every other's. */
static void port_plan(void *arg, unsigned int p)
{
	const struct run_mask *rm = arg;

	if (rm->mask[p])
		lio_tune_plan(rm->run->t, p, &rm->run->plan[p]);
}

/* Sweep, measure, assign, place, lock, verify and activate a mask. */
static int bring_ports(struct run *run, const bool *mask)
{
	unsigned int w = run->info.wavelengths, l;
	bool want[OIO_MAX_LANES] = { false }, held[OIO_MAX_LANES];
	uint32_t lit = run->emitting;
	double dim_ratio[MAX_W];
	struct oio_tune_sweep sa = {
		.start = 0, .step = run->prm.sweep_step, .points = run->points,
		.dwell_ns = run->prm.sweep_dwell_ns,
	}, sb = sa, sc = sa;
	struct run_mask rm = { .run = run, .mask = mask };
	struct lio_par bg;
	int err, lerr;

	sb.dwell_ns = SLOW_SWEEP * sa.dwell_ns;
	run_progress(run, "sweep", 0, 3);
	err = run_sweep_ports(run, mask, run->c, sc.dwell_ns, 0);
	if (err)
		return err;
	lio_tune_init(run->t, &run->g, &sa, &sb, &sc, run->code,
		      run->emitting, run->full_uw);
	/*
	 * Sweep C's peaks are found while the card makes sweep A, and A's
	 * while it dims lines and makes sweep B: on a real card the host
	 * waits for it meanwhile.
	 */
	lio_par_start(&bg, 2 * lanes_of(run), ring_traces_c, &rm);
	err = run_sweep_classes(run, mask, run->a, sa.dwell_ns);
	lio_par_finish(&bg);
	if (err)
		return err;
	run_progress(run, "sweep", 2, 3);
	lio_par_start(&bg, 2 * lanes_of(run), ring_traces_a, &rm);
	err = run_dim_lines(run, lit, true);
	for (l = 0; l < w; l++) {
		const struct oio_laser_info *li = &run->tel->laser[l];

		dim_ratio[l] = run->full_uw[l] > 0 ?
			       li->power_uw / run->full_uw[l] : 0;
	}
	err = err ?: run_sweep_classes(run, mask, run->b, sb.dwell_ns);
	run_progress(run, "sweep", 3, 3);
	/*
	 * Link up's darkened lines stay dark through the analysis: the
	 * anchor sweeps that most cards need next light lines of their own,
	 * and a ramp to full power between them costs the card a millisecond
	 * of its tuning. Recovery's working lanes need their light now.
	 */
	if (err || !run->dark)
		lerr = run_full_power(run, lit);
	else
		lerr = run_lines_left(run, lit);
	lio_par_finish(&bg);
	err = err ?: lerr;
	if (err)
		return err;

	run_progress(run, "analyse", 0, 1);
	lio_tune_dimmed(run->t, run->emitting, run->full_uw, dim_ratio);
	/* with t->unreach, which lio_tune_init() cleared */
	memset(run->crowded, 0, sizeof(run->crowded));
	memset(run->end_shifts, 0, sizeof(run->end_shifts));
	lio_par_for(2 * lanes_of(run), ring_traces_b, &rm);
	lio_tune_analyse(run->t);
	run_progress(run, "analyse", 1, 1);

	lio_par_for(run->info.ports, port_plan, &rm);
	err = run_anchor_unnamed(run, mask);
	/* the lines sweep B darkened, if no anchor sweep brought them back */
	if (!err && (run->dimmed & lit))
		err = run_full_power(run, lit);
	if (err)
		return err;
	measured(run);
	err = place_ports(run, mask, mask, want) ?:
	      replan_rounds(run, mask, mask, want, NULL, NULL);
	memcpy(held, want, sizeof(held));
	err = err ?: margin_rounds(run, mask, NULL, want) ?:
	      after_margin(run, mask, held, want);
	return err ?: run_activate(run, want);
}

/* The first parameter out of its range, by name; NULL if none is. */
static const char *bad_param(const struct oio_link_params *prm)
{
	/* a sweep of at least 8 points */
	if (!prm->sweep_step || prm->sweep_step > OIO_HEATER_MAX / 8)
		return "sweep_step (1 to 511 codes)";
	if (prm->sweep_dwell_ns < 100 ||
	    prm->sweep_dwell_ns > 1000000 / SLOW_SWEEP)
		return "sweep_dwell_ns (100 ns to 500 us)";
	if (!(prm->dim_bias > 0.3 && prm->dim_bias < 0.95))
		return "dim_bias (above 0.3, under 0.95)";
	/* a BER above a coin's is no target */
	if (!(prm->ber_target > 0 && prm->ber_target <= 0.5))
		return "ber_target (above 0, at most 0.5)";
	if (!prm->prbs_dwell_us || prm->prbs_dwell_us > 10000000)
		return "prbs_dwell_us (1 us to 10 s)";
	if (!prm->timeout_ms)
		return "timeout_ms (at least 1)";
	return NULL;
}

int lio_bringup_check_params(const struct oio_link_params *prm)
{
	return bad_param(prm) ? -EINVAL : 0;
}

/* Nothing measured yet: NAN throughout, as the report promises. */
void lio_bringup_blank(struct oio_link_report *rep)
{
	struct oio_link_card *m = &rep->measured;
	unsigned int l;

	memset(rep, 0, sizeof(*rep));
	m->fsr_pm = m->heater_tau_ns = m->crosstalk = m->crosstalk_nn = NAN;
	m->noise_na = m->fwhm_pm = NAN;
	for (l = 0; l < OIO_MAX_WAVELENGTHS; l++)
		m->line_pm[l] = m->dim_shift_pm[l] = NAN;
}

static int run_init(struct run *run, const struct oio_card_io *io,
		    const struct oio_card_info *info,
		    const struct oio_link_params *params,
		    struct oio_link_report *rep, oio_progress_cb cb, void *arg)
{
	unsigned int k, r;

	memset(run, 0, sizeof(*run));
	run->io = io;
	for (k = 0; k < OIO_MAX_PORTS; k++)
		run->spare_at[k] = -1;
	if (!rep || !info)
		return -EINVAL;
	lio_bringup_blank(rep);
	rep->card_id = info->id;
	if (params)
		run->prm = *params;
	else
		oio_link_params_init_ex(&run->prm, sizeof(run->prm));
	if (bad_param(&run->prm)) {
		run_explain(run, "link parameter out of range: %s",
			    bad_param(&run->prm));
		return -EINVAL;
	}
	run->info = *info;
	run->rep = rep;
	run->progress = cb;
	run->arg = arg;
	if (!info->ports || info->ports > OIO_MAX_PORTS ||
	    !info->wavelengths || info->wavelengths > OIO_MAX_WAVELENGTHS)
		return -EPROTO;
	if (!info->grid_spacing_pm || !info->fsr_pm ||
	    !info->heater_range_pm || !info->fwhm_pm) {
		run_explain(run, "the driver does not report the card's optics (oio.ko too old?)");
		return -EOPNOTSUPP;
	}
	run->g = (struct oio_tune_geom){
		.ports = info->ports,
		.wavelengths = info->wavelengths,
		.first_pm = info->grid_first_pm,
		.spacing_pm = info->grid_spacing_pm,
		.fsr_pm = info->fsr_pm,
		.range_pm = info->heater_range_pm,
		.fwhm_pm = info->fwhm_pm,
	};
	run->code = lio_tune_code(info->wavelengths, &k);
	run->points = OIO_HEATER_MAX / run->prm.sweep_step + 1;
	r = 2 * lanes_of(run);
	run->t = calloc(1, sizeof(*run->t));
	run->tel = calloc(1, sizeof(*run->tel));
	run->a = calloc((size_t)r * run->points, 4);
	run->b = calloc((size_t)r * run->points, 4);
	run->c = calloc((size_t)r * run->points, 4);
	if (!run->t || !run->tel || !run->a || !run->b || !run->c)
		return -ENOMEM;
	rep->lanes = lanes_of(run);
	rep->ports = info->ports;
	return 0;
}

static void run_free(struct run *run)
{
	free(run->t);
	free(run->tel);
	free(run->a);
	free(run->b);
	free(run->c);
}

/*
 * The report of a run that ends in an error: up (and ok), the lanes its
 * last look at them (run->tel, if seen) found activated; every other lane
 * says why not - aborted, if nothing before. Unseen (a card gone, say),
 * no lane is known to be up.
 */
static void report_error(struct run *run, bool seen)
{
	struct oio_link_report *rep = run->rep;
	unsigned int n;

	rep->lanes_up = 0;
	for (n = 0; n < rep->lanes; n++) {
		if (seen &&
		    run->tel->lane[n].state == OIO_LANE_STATE_ACTIVATED) {
			rep->lanes_up++;
			rep->lane[n].fail = OIO_LINK_OK;
			continue;
		}
		if (rep->lane[n].fail == OIO_LINK_OK)
			rep->lane[n].fail = OIO_LINK_ABORTED;
	}
}

/*
 * An error before the run did anything to the lanes; seen: run->tel
 * holds a look at them. run_init() may have failed before the run had
 * a report to fill.
 */
static int run_refused(struct run *run, int err, bool seen)
{
	if (run->rep)
		report_error(run, seen);
	run_free(run);
	return err;
}

/*
 * After an error midway, best effort: the lines lit as the run found them,
 * at full power, and every lane that is not up back to DEACTIVATED with
 * its PRBS off, so that nothing is left half done; the report says which
 * lanes are up and which the run did not finish.
 */
static void clean_up(struct run *run)
{
	const struct oio_card_io *io = run->io;
	bool seen;
	unsigned int n;

	/* a cancelled run still puts the card back */
	if (io->cleaning)
		io->cleaning(io->h, true);
	if (run->lit0)
		run_full_power(run, run->lit0);
	seen = !run_snap(run, LANES);
	report_error(run, seen);
	for (n = 0; seen && n < run->rep->lanes; n++) {
		enum oio_lane_state st = run->tel->lane[n].state;

		if (st != OIO_LANE_STATE_ACTIVATED &&
		    st != OIO_LANE_STATE_DEACTIVATED)
			io->lane(io->h, n, OIO_LANE_REQUEST_DEACTIVATE, 0, 0);
	}
	if (seen)
		io->run(io->h);
	if (io->cleaning)
		io->cleaning(io->h, false);
}

/*
 * The journal goes once every line in it is back at full bias; a line
 * that is not keeps it for the next run.
 */
static void forget_full(struct run *run)
{
	const struct oio_card_io *io = run->io;

	if (run->kept && !(run->kept & run->dimmed) && io->keep_full &&
	    !io->keep_full(io->h, NULL, 0))
		run->kept = 0;
}

/*
 * Link up's measurements, for recovery to place rings by (calib.h). A
 * failure to keep them costs recovery its way without dimming, not this
 * run its result: it is explained, and the run goes on.
 */
static void save_cal(struct run *run)
{
	const struct oio_card_io *io = run->io;
	struct lio_cal *c;
	char *text = NULL;
	unsigned int n, p;
	int len;

	if (!io->save_cal || !run->t->named)
		return;
	c = malloc(sizeof(*c));
	if (!c)
		return;
	lio_cal_take(c, &run->info, run->t);
	c->temp_mc = run->tel->temp_mc;
	for (p = 0; p < run->info.ports; p++)
		c->line_shift[p] = run->rep->line_shift[p];
	/* finish() has given every lane its last word */
	for (n = 0; n < lanes_of(run); n++) {
		if (run->tel->lane[n].state != OIO_LANE_STATE_ACTIVATED) {
			c->lane[n].fail = run->rep->lane[n].fail;
			c->lane[n].reason = run->rep->lane[n].reason;
			c->lane[n].held = run_holds_line(run, n);
		} else {
			c->lane[n].up = true;
		}
		c->lane[n].coded = true;
		c->lane[n].code[0] = run->tel->ring[2 * n].heater;
		c->lane[n].code[1] = run->tel->ring[2 * n + 1].heater;
	}
	len = lio_cal_format(c, &text);
	free(c);
	if (len >= 0)
		len = io->save_cal(io->h, text, (size_t)len);
	free(text);
	if (len < 0)
		run_explain(run, "the calibration could not be kept for link recover (error %d): it will dim lines",
			    -len);
}

/*
 * Lane n, left out of its port's plan at the shift it ended at only for
 * a crowded miss there: too weak, whatever the plan called it. Judged
 * once the run is over, as the run itself treats such a lane as one its
 * rings could not reach (replan(), try_another()).
 */
static bool crowded_out(const struct run *run, unsigned int n)
{
	unsigned int w = run->info.wavelengths, s;

	s = run->rep->line_shift[n / w];
	return s < w && (run->crowded[n / w][s] >> (n % w) & 1);
}

static int finish(struct run *run, int err)
{
	struct oio_link_report *rep = run->rep;
	unsigned int n;

	/*
	 * A run that got to the end returns 0 however many lanes came up:
	 * those that did not are a result, in the report, not an errno
	 * (-EIO is the kernel's, for an I/O failure). One that fails at its
	 * last look at the lanes cleans up too.
	 */
	if (!err)
		err = run_snap(run, run->keep_cal ? ALL : LANES | LASERS);
	/*
	 * No memory too: the clean-up is best effort like any other, and
	 * allocates nothing of its own. Memory that stays short only makes
	 * it do less (a batch that cannot get a message fails whole; a
	 * failed look counts no lane up), never harm.
	 */
	if (err)
		clean_up(run);
	forget_full(run);
	if (!err) {
		rep->t_done = run->tel->time_ns;
		rep->lanes_up = 0;
		for (n = 0; n < rep->lanes; n++) {
			const struct oio_laser_info *li =
				&run->tel->laser[rep->lane[n].line];

			if (run->tel->lane[n].state == OIO_LANE_STATE_ACTIVATED) {
				rep->lanes_up++;
				rep->lane[n].fail = OIO_LINK_OK;
			} else if (!run_line_lit(li)) {
				/*
				 * whatever its lane failed of on the way, a
				 * line that went dark during the run is why
				 */
				rep->lane[n].fail = OIO_LINK_LINE_DARK;
			} else if (rep->lane[n].fail == OIO_LINK_OK) {
				/* activated, or asked to be again, and dropped */
				rep->lane[n].fail = run_refusal(run, n);
				rep->lane[n].reason = run->tel->lane[n].reason;
			} else if (rep->lane[n].fail == OIO_LINK_OUT_OF_RANGE &&
				   crowded_out(run, n)) {
				rep->lane[n].fail = OIO_LINK_BER_HIGH;
			}
		}
		if (run->keep_cal)
			save_cal(run);
	}
	run_free(run);
	return err;
}

/*
 * Full bias and power of each line as it is now; the full bias of a line
 * in the journal is the journal's.
 */
static void note_lines(struct run *run)
{
	unsigned int l;

	for (l = 0; l < run->info.wavelengths; l++) {
		const struct oio_laser_info *li = &run->tel->laser[l];

		if (!(run->kept >> l & 1))
			run->full_bias[l] = li->bias_set_ua;
		run->full_uw[l] = li->power_uw;
	}
}

/*
 * A journal means a run was killed while it had lines dimmed or dark, and
 * their set points are not their full bias: those lines back to the
 * journal's bias, lit, before anything is taken from the card. A line
 * that has failed since cannot be put back and is left out.
 */
static int recall_full(struct run *run)
{
	const struct oio_card_io *io = run->io;
	uint32_t bias[OIO_MAX_WAVELENGTHS], lines = 0;
	unsigned int l;
	int err;

	if (!io->recall_full)
		return 0;
	err = io->recall_full(io->h, bias, &lines);
	if (err)
		return err;
	for (l = 0; l < OIO_MAX_WAVELENGTHS; l++)
		if (l >= run->info.wavelengths ||
		    (run->tel->laser[l].status & OIO_LASER_FAILED))
			lines &= ~(1u << l);
	if (!lines)
		return 0;
	for (l = 0; l < run->info.wavelengths; l++)
		if (lines >> l & 1)
			run->full_bias[l] = bias[l];
	run->kept = run->dimmed = lines;
	run_explain(run, "an interrupted run had lines dimmed: their full bias taken from its journal, not their set points");
	return run_set_lasers(run, lines, run->full_bias);
}

int lio_bringup_up(const struct oio_card_io *io,
		   const struct oio_card_info *info,
		   const struct oio_link_params *prm,
		   struct oio_link_report *rep, oio_progress_cb cb, void *arg)
{
	bool all[OIO_MAX_PORTS];
	struct run run;
	unsigned int l, p;
	int err, lerr = 0;

	err = run_init(&run, io, info, prm, rep, cb, arg);
	if (err)
		return run_refused(&run, err, false);
	run.dark = run.keep_cal = true;
	/* this run's measurements replace it, or none: never an older run's */
	if (io->save_cal && io->save_cal(io->h, NULL, 0))
		run_explain(&run, "the calibration of an earlier link up could not be removed");
	if (!info->interlock_closed) {
		run_explain(&run, "the card's laser interlock is open");
		return run_refused(&run, -EBUSY, false);
	}
	for (p = 0; p < OIO_MAX_PORTS; p++)
		all[p] = p < info->ports;
	run_progress(&run, "reset", 0, 1);
	err = io->line_shifts(io->h, rep->line_shift) ?:
	      run_release_ports(&run, all);
	if (!err && !info->armed)
		err = io->arm(io->h);
	err = err ?: run_snap(&run, LASERS) ?: recall_full(&run);
	if (err)
		return finish(&run, err);
	rep->t_start = run.tel->time_ns;
	run_progress(&run, "lasers", 0, 1);
	/* a line that will not light fails its own lanes, not the card */
	for (l = 0; l < info->wavelengths; l++) {
		const struct oio_laser_info *li = &run.tel->laser[l];
		int e;

		if (li->enable || (li->status & OIO_LASER_FAILED))
			continue;
		e = io->laser_enable(io->h, l, true);
		if (e) {
			run_explain(&run, "line %u would not light (%d)", l, e);
			lerr = lerr ?: e;
		}
	}
	err = run_wait_lasers(&run, 0);
	if (!err && !run.emitting)
		err = lerr ?: -ENOLINK;
	if (err)
		return finish(&run, err);
	note_lines(&run);
	run.lit0 = run.emitting;
	rep->t_lasers = run.tel->time_ns;
	run_progress(&run, "lasers", 1, 1);
	return finish(&run, bring_ports(&run, all));
}

int lio_bringup_down(const struct oio_card_io *io,
		     const struct oio_card_info *info)
{
	bool all[OIO_MAX_PORTS];
	struct run run;
	unsigned int l, p;
	int err, e;

	/* no optics and no traces needed: only the card, and a snapshot */
	if (!info || !info->ports || info->ports > OIO_MAX_PORTS ||
	    !info->wavelengths || info->wavelengths > OIO_MAX_WAVELENGTHS)
		return -EINVAL;
	memset(&run, 0, sizeof(run));
	run.io = io;
	run.info = *info;
	oio_link_params_init_ex(&run.prm, sizeof(run.prm));
	run.tel = calloc(1, sizeof(*run.tel));
	if (!run.tel)
		return -ENOMEM;
	for (p = 0; p < OIO_MAX_PORTS; p++)
		all[p] = p < info->ports;
	err = run_release_ports(&run, all);
	/* every line off, whatever came before and whichever write fails */
	for (l = 0; l < info->wavelengths; l++) {
		e = io->laser_enable(io->h, l, false);
		err = err ?: e;
	}
	free(run.tel);
	return err;
}

/*
 * Link up's calibration: read, and checked to be this card's. false, with
 * why, if there is none to trust.
 */
static bool load_cal(struct run *run, struct lio_cal *c, const char **why)
{
	const struct oio_card_io *io = run->io;
	char *text;
	int err;

	*why = "link up kept no calibration";
	if (!io->load_cal)
		return false;
	err = io->load_cal(io->h, &text);
	if (err) {
		if (err != -ENOENT)
			*why = "the calibration kept cannot be read";
		return false;
	}
	err = lio_cal_parse(c, text);
	free(text);
	if (err) {
		*why = "the calibration kept is damaged";
		return false;
	}
	if (!lio_cal_fits(c, &run->info)) {
		*why = "the calibration kept is not this card's";
		return false;
	}
	return true;
}

/*
 * The calibration into run->t, moved by the card's drift since link up:
 * the median move that the rings locked on their lines say the rings
 * made, those of every lane still up, whatever its port. Before the sick
 * ports are released. false, with why, if too few rings are locked to
 * measure it by, or if they disagree on it.
 */
static bool recall_cal(struct run *run, const struct lio_cal *c,
		       double *drift, const char **why)
{
	unsigned int W = run->info.wavelengths, n, side, i, k = 0;
	struct oio_tune_sweep sw = {
		.start = 0, .step = run->prm.sweep_step, .points = run->points,
		.dwell_ns = run->prm.sweep_dwell_ns,
	};
	double d[OIO_MAX_RINGS], dev[OIO_MAX_RINGS], m;
	struct oio_tune *t = run->t;

	lio_tune_init(t, &run->g, &sw, &sw, &sw, run->code, run->emitting,
		      run->full_uw);
	lio_cal_give(c, t);
	for (n = 0; n < lanes_of(run); n++) {
		unsigned int p = n / W, w = n % W;
		unsigned int l = (w + run->rep->line_shift[p]) % W;

		if (run->tel->lane[n].state != OIO_LANE_STATE_ACTIVATED ||
		    !(run->emitting >> l & 1))
			continue;
		for (side = 0; side < 2; side++) {
			const struct oio_ring_info *ri = &run->tel->ring[2 * n + side];
			uint32_t code[MAX_W];
			double pos;

			if (!ri->lock || ri->at_limit ||
			    ri->lock_state != OIO_LOCK_STATE_LOCKED)
				continue;
			for (i = 0; i < W; i++)
				code[i] = run->tel->ring[
					lio_tune_ring_of(&run->g, p, side, i)].heater;
			pos = lio_tune_bus_position(t, p, side, w, code);
			/* on its line, at whichever order it is */
			if (!isnan(pos))
				d[k++] = remainder(t->line_pm[l] - pos,
						   t->fsr_pm);
		}
	}
	if (k < CAL_MIN_RINGS) {
		*why = "too few rings are locked to measure the drift since link up by";
		return false;
	}
	qsort(d, k, sizeof(*d), lio_cmp_double);
	m = d[k / 2];
	for (i = 0; i < k; i++)
		dev[i] = fabs(d[i] - m);
	qsort(dev, k, sizeof(*dev), lio_cmp_double);
	if (dev[k / 2] > CAL_AGREE * run->g.fwhm_pm) {
		*why = "the rings still locked disagree on the drift since link up";
		return false;
	}
	for (i = 0; i < 2 * lanes_of(run); i++) {
		t->ring[i].o += m;
		t->ring[i].guess_o += m;
	}
	/*
	 * The lines link up's sweeps in place found out of a ring's reach
	 * may be in it now, and the others out of it: past a linewidth of
	 * drift, the fits alone say.
	 */
	if (fabs(m) > run->g.fwhm_pm)
		memset(t->unreach, 0, sizeof(t->unreach));
	*drift = m;
	return true;
}

/* Whether lane n's line at line shift s emits now. */
static bool lit_at(const struct run *run, unsigned int n, unsigned int s)
{
	unsigned int W = run->info.wavelengths;

	return run->emitting >> ((n % W + s) % W) & 1;
}

/*
 * The share of a uniform move of a bus's rings that ring w's own heater
 * makes: its neighbours' heat moves with theirs (plan.c's model).
 */
static double own_share(const struct run *run, unsigned int p,
			unsigned int side, unsigned int w)
{
	const struct oio_tune *t = run->t;
	unsigned int W = run->info.wavelengths;
	double x = 0;
	int d;

	for (d = -2; d <= 2; d++) {
		int k = (int)w + d;

		if (!d || k < 0 || k >= (int)W)
			continue;
		x += abs(d) == 1 ?
		     t->xt1 * t->ring[lio_tune_ring_of(&run->g, p, side, w)].xt_gain :
		     t->xt2;
	}
	return 1 / (1 + x);
}

/*
 * The code of lane n's ring on side where the calibration has it, moved
 * by the drift, its neighbours moving with it: false where that leaves
 * its reach. A ring never named keeps it as it was.
 */
static bool code_at_cal(const struct run *run, const struct lio_cal *c,
			unsigned int n, unsigned int side, double drift,
			uint32_t *code)
{
	unsigned int W = run->info.wavelengths, p = n / W, w = n % W;
	const struct oio_tune_ring *rg =
		&run->t->ring[lio_tune_ring_of(&run->g, p, side, w)];
	double y;

	*code = c->lane[n].code[side];
	if (!rg->named)
		return true;
	y = rg->q * lio_tune_law(*code / (double)OIO_HEATER_MAX, rg->h) -
	    drift * own_share(run, p, side, w);
	if (!(y >= 0 && y <= rg->q))
		return false;
	*code = (uint32_t)lround(lio_tune_law_inv(y / rg->q, rg->h) *
				 OIO_HEATER_MAX);
	return true;
}

/*
 * Lane n planned at the codes the calibration has its rings locked at (up,
 * or held on its line), moved by the drift (code_at_cal()): false, the
 * plan as it was, where one would leave its ring's reach or sit at its
 * cold end.
 */
static bool plan_at_cal(struct run *run, const struct lio_cal *c,
			unsigned int n, double drift)
{
	unsigned int W = run->info.wavelengths, w = n % W, side;
	struct oio_tune_port *tp = &run->plan[n / W];
	uint32_t code[2];

	for (side = 0; side < 2; side++)
		if (!code_at_cal(run, c, n, side, drift, &code[side]) ||
		    !code[side])
			return false;
	for (side = 0; side < 2; side++)
		tp->code[side][w] = code[side];
	tp->usable[w] = true;
	tp->why[w] = OIO_TUNE_OK;
	return true;
}

/*
 * The rings of port p's lanes that link up left down, parked or cold,
 * planned where it left them, moved by the drift (code_at_cal()), where
 * the port keeps its line shift: there its monitors found them clear of
 * every line, and its margin check passed the lanes up with them so. The
 * fits' parks for the rings that link up never found a line with can sit
 * on a line's flank (inside 41200122's lanes 16 and 17 on line 3, with
 * no drift, upstream of lane 22, which verified and came up at 1.4e-8).
 * Marked in at, and kept there by run_park() (run_park_kept()) once
 * placed (keep_parks()). A lane with a ring never named, which no drift
 * can be reckoned for, keeps the fits' park (by its likeliest naming).
 */
static void plan_parks_at_cal(struct run *run, const struct lio_cal *c,
			      unsigned int p, double drift, bool *at)
{
	unsigned int W = run->info.wavelengths, w, side;
	struct oio_tune_port *tp = &run->plan[p];

	if ((int)c->line_shift[p] != tp->shift)
		return;
	for (w = 0; w < W; w++) {
		unsigned int n = p * W + w;
		uint32_t code[2];

		if (tp->usable[w] || c->lane[n].up || c->lane[n].held ||
		    !c->lane[n].coded || !run->t->ring[2 * n].named ||
		    !run->t->ring[2 * n + 1].named ||
		    !code_at_cal(run, c, n, 0, drift, &code[0]) ||
		    !code_at_cal(run, c, n, 1, drift, &code[1]))
			continue;
		for (side = 0; side < 2; side++)
			tp->code[side][w] = code[side];
		at[n] = true;
	}
}

/*
 * The rings of the lanes of at, parked where their plan put them: kept
 * there by run_park() for as long as they sit at that code. Recovery by
 * the calibration has no monitor's full peak (ref_na) to judge them by,
 * as park_by_monitor() does link up's, so the mark holds whatever their
 * monitors read - as the fits' parks it replaces went unjudged too.
 */
static void keep_parks(struct run *run, const bool *at)
{
	unsigned int W = run->info.wavelengths, n, side;

	for (n = 0; n < lanes_of(run); n++)
		for (side = 0; side < 2 && at[n]; side++) {
			unsigned int r = 2 * n + side;

			run->by_monitor[r] = true;
			run->park_dark[r] = false;
			run->park_code[r] = run->plan[n / W].code[side][n % W];
			run->park_na[r] = 0;
		}
}

/*
 * Whether ring w of a bus put back by park_as_before() at code[w] is
 * short of where link up left it (at codes was[], the drift since) by
 * more than PUT_BACK_SLACK linewidths, at an end of its heater: a ring
 * left cold that the card's warming took red, or one at its hot end the
 * card's cooling took blue. The fits park it then (run_park()) rather
 * than leave it nearer a line by so much: 10 K took optical-worst
 * 41190160's lane 56's TX ring, cold, from 1.9 to 0.7 linewidths of line
 * 7, upstream of lane 58's.
 */
#define PUT_BACK_SLACK	0.25
static bool past_reach(const struct run *run, unsigned int p,
		       unsigned int side, unsigned int w, const uint32_t *was,
		       const uint32_t *code, double drift)
{
	unsigned int r = lio_tune_ring_of(&run->g, p, side, w);
	double off;

	if (code[w] && code[w] != OIO_HEATER_MAX)
		return false;
	off = lio_tune_bus_position(run->t, p, side, w, code) -
	      (lio_tune_bus_position(run->t, p, side, w, was) - drift);
	return fabs(off) > PUT_BACK_SLACK * run_fwhm_pm(run, r);
}

/*
 * The rings of the lanes down in the ports of mask that link up left
 * parked or cold, put back where it left them, moved by the drift, their
 * neighbours' heat as it is now (lio_tune_follow()): there its monitors
 * found them clear of every line, and its margin check passed the lanes
 * up with them so. Parked anew by the fits instead, one can come to rest
 * on the flank of a line upstream of the lane that carries it (inside
 * 41200184 after 10 K: lane 58's TX ring 0.98 linewidths from line 1,
 * where link up had it 1.36 away, and lane 59 up at 4.4e-10). Those put
 * back, both rings or neither, are marked in done. Left to run_park():
 * a lane with a ring never named, which no drift can be reckoned for
 * (the fits park it by its likeliest naming), one with a ring the drift
 * took past an end of its reach (past_reach()), and those of a port the
 * calibration does not have whole (an older library's, or a line shift
 * since changed).
 */
static int park_as_before(struct run *run, const bool *mask,
			  const struct lio_cal *c, double drift, bool *done)
{
	const struct oio_card_io *io = run->io;
	unsigned int W = run->info.wavelengths, p, side, w, l;
	double shift[MAX_W];
	bool any = false;
	int err;

	for (l = 0; l < W; l++)
		shift[l] = -drift;
	for (p = 0; p < run->info.ports; p++) {
		bool parked[MAX_W], back[MAX_W], whole = mask[p] &&
			c->line_shift[p] == run->rep->line_shift[p];
		uint32_t was[MAX_W], code[2][MAX_W];

		for (w = 0; w < W && whole; w++) {
			unsigned int n = p * W + w;

			whole = c->lane[n].coded;
			parked[w] = !done[n] && !run->on_line[n] &&
				    !c->lane[n].up && !c->lane[n].held &&
				    run->tel->lane[n].state !=
				    OIO_LANE_STATE_ACTIVATED &&
				    run->t->ring[2 * n].named &&
				    run->t->ring[2 * n + 1].named;
			back[w] = parked[w];
		}
		for (side = 0; side < 2 && whole; side++) {
			for (w = 0; w < W; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);

				was[w] = c->lane[p * W + w].code[side];
				code[side][w] = run->tel->ring[r].heater;
			}
			lio_tune_follow(run->t, p, side, parked, was, shift,
					code[side]);
			for (w = 0; w < W; w++)
				back[w] &= !past_reach(run, p, side, w, was,
						       code[side], drift);
		}
		for (side = 0; side < 2 && whole; side++)
			for (w = 0; w < W; w++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, w);
				const struct oio_ring_info *ri = &run->tel->ring[r];

				if (!back[w])
					continue;
				if (ri->lock)
					io->lock(io->h, r, false);
				if (ri->lock || ri->heater != code[side][w]) {
					io->heater(io->h, r, code[side][w]);
					any = true;
				}
			}
		for (w = 0; w < W && whole; w++)
			done[p * W + w] |= back[w];
	}
	if (!any)
		return 0;
	err = io->run(io->h);
	if (!err)
		run_settle(run);
	return err;
}

/*
 * A port of bad planned at the line shift link up left it at, if that
 * kept more of its lanes up than the fits' best now promises (lanes on
 * lines lit now): lanes the fits missed had been found then by sweeps in
 * place. Those lanes take the codes they locked at then (plan_at_cal()).
 */
static void plan_as_before(struct run *run, const struct lio_cal *c,
			   unsigned int p, double drift)
{
	unsigned int W = run->info.wavelengths, w, was = 0, ok = 0;
	struct oio_tune_port *tp = &run->plan[p];

	for (w = 0; w < W; w++) {
		was += c->lane[p * W + w].up && lit_at(run, p * W + w,
						       c->line_shift[p]);
		ok += tp->usable[w];
	}
	if (was < ok)
		return;
	if ((int)c->line_shift[p] != tp->shift)
		lio_tune_plan_shifts(run->t, p, 1u << c->line_shift[p], tp);
	for (w = 0; w < W; w++)
		if (c->lane[p * W + w].up && tp->why[w] != OIO_TUNE_DARK)
			plan_at_cal(run, c, p * W + w, drift);
}

/* A lane that failed because its rings were not put on its line. */
static bool misplaced(enum oio_link_fail f)
{
	return f == OIO_LINK_NO_RESONANCE || f == OIO_LINK_OUT_OF_RANGE ||
	       f == OIO_LINK_UNLOCKED;
}

/* Whether link up found lane n too weak at the line shift it has now. */
static bool weak(const struct run *run, const struct lio_cal *c,
		 unsigned int n)
{
	unsigned int p = n / run->info.wavelengths;

	return c->lane[n].fail == OIO_LINK_BER_HIGH &&
	       run->rep->line_shift[p] == c->line_shift[p];
}

/*
 * Lanes the calibration's placement verified but whose margin nothing
 * proves - link up's margin check passed them on no line, or on another,
 * or in a port of again, which is not as link up checked it - are
 * checked for it, which dims the lines for a dwell; those failing are
 * parked with the others, and the rest verified again.
 */
static int margin_as_before(struct run *run, const bool *mask,
			    const bool *again, const struct lio_cal *c,
			    bool *want)
{
	bool unproven[OIO_MAX_LANES] = { false }, any = false, moved;
	unsigned int W = run->info.wavelengths, n, k = 0;
	int err;

	for (n = 0; n < lanes_of(run); n++) {
		unsigned int p = n / W;
		bool same = run->rep->line_shift[p] == c->line_shift[p];

		if (mask[p] && want[n] &&
		    (again[p] || !(same && c->lane[n].up))) {
			unproven[n] = any = true;
			k++;
		}
	}
	if (!any)
		return 0;
	run_explain(run, "%u lanes link up did not check on their line: lines dimmed for three PRBS dwells to check their margin",
		    k);
	err = run_margin(run, mask, unproven, want);
	for (n = 0; n < lanes_of(run) && !err; n++)
		if (unproven[n] && !want[n])
			break;
	if (err || n == lanes_of(run))
		return err;
	err = run_park(run, mask, want, &moved);
	return err || !moved ? err : run_verify(run, mask, want);
}

/*
 * The lanes of bad too weak at link up whose rings held their line then,
 * placed on it again (recover_quiet()): down, as link up left them, their
 * rings left there if their verification failed them for errors only -
 * the lanes beside them were checked so, and parked they would hand their
 * line on downstream. Those that verified are dropped, too weak as link
 * up found them. One whose rings did not lock on its line is parked with
 * the others, and the lanes of its port checked for margin
 * (margin_as_before()).
 */
static int hold_weak(struct run *run, const bool *bad, const struct lio_cal *c,
		     bool *want)
{
	unsigned int n, w = run->info.wavelengths;
	bool any = false;

	for (n = 0; n < lanes_of(run); n++) {
		if (!bad[n / w] || !weak(run, c, n) || !c->lane[n].held)
			continue;
		if (want[n]) {
			/* not run_fail_lane(): too weak, wherever it sits */
			run->rep->lane[n].fail = OIO_LINK_BER_HIGH;
			want[n] = false;
			run->primed[n] = false;
			run->io->lane(run->io->h, n,
				      OIO_LANE_REQUEST_DEACTIVATE, 0, 0);
			any = true;
		}
		run->on_line[n] = run->rep->lane[n].fail == OIO_LINK_BER_HIGH;
	}
	return any ? run->io->run(run->io->h) : 0;
}

/*
 * The ports of bad placed by the calibration, with no sweep and every
 * line at full power: planned from the fits, tuned, locked, verified,
 * activated. A port left with a lane down that was up after link up, or
 * with one planned whose rings could not be put on its line, goes in left
 * instead, to be recovered by sweeps.
 */
static int recover_quiet(struct run *run, const bool *bad,
			 const struct lio_cal *c, double drift, bool *left)
{
	unsigned int W = run->info.wavelengths, p, n, round, up, short_of;
	bool want[OIO_MAX_LANES] = { false }, moved;
	bool healthy[OIO_MAX_PORTS] = { false }, stay[OIO_MAX_LANES];
	bool kept[OIO_MAX_PORTS] = { false }, at_cal[OIO_MAX_LANES] = { false };
	/* ports with a lane held at link up that is not now */
	bool unheld[OIO_MAX_PORTS] = { false };
	int err;

	for (p = 0; p < run->info.ports; p++) {
		if (!bad[p])
			continue;
		lio_tune_plan(run->t, p, &run->plan[p]);
		plan_as_before(run, c, p, drift);
		/*
		 * Too weak there at link up: its rings are put back on its
		 * line if they held it then (hold_weak()), else parked.
		 */
		for (n = p * W; n < (p + 1) * W; n++)
			if ((int)c->line_shift[p] == run->plan[p].shift &&
			    c->lane[n].fail == OIO_LINK_BER_HIGH &&
			    !(c->lane[n].held &&
			      run->plan[p].why[n % W] != OIO_TUNE_DARK &&
			      plan_at_cal(run, c, n, drift)))
				run->plan[p].usable[n % W] = false;
		plan_parks_at_cal(run, c, p, drift, at_cal);
	}
	run->quiet = true;
	measured(run);
	/*
	 * The drift moves every parked ring with the card, unlocked, and may
	 * bring one onto a line upstream of the lane that carries it: in the
	 * healthy ports too, those rings go back where link up left them
	 * (park_as_before()), or are parked again, clear of the lines where
	 * the calibration now puts them.
	 */
	for (p = 0; p < run->info.ports; p++)
		healthy[p] = !bad[p];
	for (n = 0; n < lanes_of(run); n++)
		stay[n] = healthy[n / W] &&
			    run->tel->lane[n].state == OIO_LANE_STATE_ACTIVATED;
	err = park_as_before(run, healthy, c, drift, stay) ?:
	      run_park(run, healthy, stay, &moved) ?:
	      place_ports(run, bad, bad, want) ?: hold_weak(run, bad, c, want);
	if (!err)
		keep_parks(run, at_cal);
	for (round = 0; round < PARK_ROUNDS && !err; round++) {
		err = run_park(run, bad, want, &moved);
		if (err || !moved)
			break;
		err = run_verify(run, bad, want);
	}
	run->quiet = false;
	if (err)
		return err;
	for (n = 0; n < lanes_of(run); n++) {
		if (!bad[n / W] || !weak(run, c, n))
			continue;
		run_fail_lane(run, n, OIO_LINK_BER_HIGH, want);
		if (!c->lane[n].held || run_holds_line(run, n))
			continue;
		/* link up's word on it, wherever its rings went */
		if (run->rep->lane[n].fail != OIO_LINK_LINE_DARK)
			run->rep->lane[n].fail = OIO_LINK_BER_HIGH;
		unheld[n / W] = true;
	}
	for (p = 0; p < run->info.ports; p++) {
		if (!bad[p])
			continue;
		for (up = short_of = 0, n = p * W; n < (p + 1) * W; n++) {
			enum oio_link_fail f = run->rep->lane[n].fail;
			bool was_up = c->lane[n].up &&
				      lit_at(run, n, c->line_shift[p]);

			up += want[n];
			/*
			 * A lane up after link up that is not now, on a
			 * line still lit, whatever failed it, and one
			 * planned whose rings were not put on its line;
			 * not one that only erred, which a weak line does
			 * at every shift, nor one link up found too weak
			 * (its port's margin is checked instead).
			 */
			short_of += !want[n] && f != OIO_LINK_LINE_DARK &&
				    (was_up || (run->plan[p].usable[n % W] &&
						misplaced(f) && !weak(run, c, n)));
		}
		left[p] = short_of > 0;
		if (!left[p])
			continue;
		run_explain(run, "port %u: %u lanes up, %u short of link up's or of the plan: it is swept again",
			    p, up, short_of);
		for (n = p * W; n < (p + 1) * W; n++) {
			want[n] = false;
			/* parked anew by its sweeps' fits and monitors */
			run->by_monitor[2 * n] = false;
			run->by_monitor[2 * n + 1] = false;
		}
	}
	for (p = 0; p < run->info.ports; p++)
		kept[p] = bad[p] && !left[p];
	return margin_as_before(run, kept, unheld, c, want) ?:
	       run_activate(run, want);
}

/*
 * The lanes ACTIVATED in run->tel in ports outside skip: working, their
 * heater codes held; and those of the lanes down whose rings hold their
 * line (run_holds_line()), the first time only: a loop that lost its
 * line left its heater where it lost it, which says little of where the
 * line is. A lane once noted stays noted.
 */
static void note_working(struct run *run, const bool *skip, bool *working,
			 bool *noted, uint32_t *held)
{
	unsigned int n, w = run->info.wavelengths;

	for (n = 0; n < lanes_of(run); n++) {
		if (skip[n / w])
			continue;
		if (run->tel->lane[n].state == OIO_LANE_STATE_ACTIVATED)
			working[n] = true;
		else if (noted[n] || !run_holds_line(run, n))
			continue;
		noted[n] = true;
		held[2 * n] = run->tel->ring[2 * n].heater;
		held[2 * n + 1] = run->tel->ring[2 * n + 1].heater;
	}
}

/*
 * Recovery dims lines with the working lanes' loops on (a sweep, a margin
 * check): a ring near the cold end of its reach cannot follow its line
 * that far blue, and its lane drops out of ACTIVATED. With every line
 * back at full power, its loop finds the line again and the lane goes
 * back up - if its line is lit, and its rings lock within half a spacing
 * of where they held it: a ring further off climbed to another line, and
 * its lane is left down, its loops off, lock-not-held. The rings of a
 * lane down left on its line (run->on_line) that were noted holding it
 * are locked again so too; one that locks elsewhere, or at its limit,
 * has its loops turned off, its heaters back where it held its line.
 * Those that had lost it before recovery looked have their loops turned
 * off where they left them: nothing tells which line a loop would climb
 * to from there, nor where its own line is. Parking needs the fits,
 * which recovery has only for the ports it redoes; the next recovery
 * that redoes a port parks them with the others.
 */
static int rejoin(struct run *run, const bool *working, const bool *noted,
		  const uint32_t *held)
{
	bool again[OIO_MAX_LANES] = { false }, any = false, lost = false;
	const struct oio_card_io *io = run->io;
	unsigned int n, r;
	int err = run_snap(run, ALL);

	for (n = 0; n < lanes_of(run) && !err; n++) {
		const struct oio_laser_info *li =
			&run->tel->laser[run->rep->lane[n].line];
		bool keep = !working[n] && run->on_line[n];

		if ((!working[n] && !keep) ||
		    run->tel->lane[n].state == OIO_LANE_STATE_ACTIVATED ||
		    !run_line_lit(li))
			continue;
		/* holding still, or parked since */
		if (keep && (run_holds_line(run, n) ||
			     !run->tel->ring[2 * n].lock ||
			     !run->tel->ring[2 * n + 1].lock))
			continue;
		if (keep && !noted[n]) {
			run->on_line[n] = false;
			io->lock(io->h, 2 * n, false);
			io->lock(io->h, 2 * n + 1, false);
			lost = true;
			continue;
		}
		for (r = 2 * n; r < 2 * n + 2; r++)
			if (run->tel->ring[r].lock_state !=
			    OIO_LOCK_STATE_LOCKED)
				io->lock(io->h, r, true);
		again[n] = any = true;
	}
	if (err || (!any && !lost))
		return err;
	if (any)
		err = io->run(io->h) ?: run_wait_locks(run);
	for (n = 0; n < lanes_of(run) && !err && any; n++) {
		bool ok = again[n];

		for (r = 2 * n; r < 2 * n + 2 && ok; r++)
			ok = run->tel->ring[r].lock_state ==
			     OIO_LOCK_STATE_LOCKED &&
			     fabs(run_heat_pm(run, r, run->tel->ring[r].heater) -
				  run_heat_pm(run, r, held[r])) <
			     run->g.spacing_pm / 2;
		if (ok && working[n]) {
			io->lane(io->h, n, OIO_LANE_REQUEST_ACTIVATE, 0, 0);
		} else if (!working[n] && again[n]) {
			again[n] = false;
			/* back on its line, and holding it */
			run->on_line[n] = ok && run_holds_line(run, n);
			for (r = 2 * n; r < 2 * n + 2 && !run->on_line[n];
			     r++) {
				io->lock(io->h, r, false);
				io->heater(io->h, r, held[r]);
			}
		} else if (again[n]) {
			again[n] = false;
			io->lock(io->h, 2 * n, false);
			io->lock(io->h, 2 * n + 1, false);
			run->rep->lane[n].fail = OIO_LINK_UNLOCKED;
		}
	}
	/* TXTURNON takes 50 us (datasheet 6.12) */
	if (!err && any)
		err = io->run(io->h) ?: run_wait_lanes(run, again, 60);
	else if (!err && lost)
		err = io->run(io->h);
	return err;
}

int lio_bringup_recover(const struct oio_card_io *io,
			const struct oio_card_info *info,
			const struct oio_link_params *prm,
			struct oio_link_report *rep, oio_progress_cb cb,
			void *arg)
{
	bool bad[OIO_MAX_PORTS] = { false }, left[OIO_MAX_PORTS] = { false };
	bool working[OIO_MAX_LANES] = { false };
	bool noted[OIO_MAX_LANES] = { false };
	uint32_t held[OIO_MAX_RINGS];
	unsigned int w, n, l, p, nbad = 0;
	struct lio_cal *cal;
	const char *why = NULL;
	bool have, quiet, seen, loose = false;
	double drift = 0;
	struct run run;
	int err;

	err = run_init(&run, io, info, prm, rep, cb, arg);
	err = err ?: io->line_shifts(io->h, rep->line_shift) ?:
	      run_snap(&run, ALL);
	seen = !err;
	err = err ?: recall_full(&run);
	/* lines put back: the lanes and rings seen again as they are now */
	if (!err && run.kept) {
		err = run_snap(&run, ALL);
		seen = !err;
	}
	if (err) {
		forget_full(&run);
		return run_refused(&run, err, seen);
	}
	w = run.info.wavelengths;
	rep->t_start = rep->t_lasers = run.tel->time_ns;
	note_lines(&run);
	for (l = 0; l < w; l++) {
		const struct oio_laser_info *li = &run.tel->laser[l];

		if (run_line_lit(li))
			run.emitting |= 1u << l;
	}
	if (!run.emitting) {
		run_explain(&run, "no laser line is lit: run link up");
		return run_refused(&run, -ENOLINK, true);
	}
	run.lit0 = run.emitting;
	cal = malloc(sizeof(*cal));
	if (!cal) {
		forget_full(&run);
		return run_refused(&run, -ENOMEM, true);
	}
	have = load_cal(&run, cal, &why);
	for (n = 0; n < rep->lanes; n++) {
		const struct oio_ring_info *rg = &run.tel->ring[2 * n];
		unsigned int line = (n % w + rep->line_shift[n / w]) % w;
		bool lit = run.emitting >> line & 1;
		bool same = have &&
			    cal->line_shift[n / w] == rep->line_shift[n / w];
		bool down = run.tel->lane[n].state != OIO_LANE_STATE_ACTIVATED;
		/*
		 * A port is redone for what broke since link up, not for a
		 * lane that link up could not bring up (too weak, out of
		 * reach, ...): that would take down its working lanes for
		 * nothing new. Such a lane keeps link up's reason.
		 */
		bool sick = down && lit && (!same || cal->lane[n].up);
		bool kept = down && same && !cal->lane[n].up;

		/* healthy ports keep theirs; sick ones get theirs anew */
		rep->lane[n].line = line;
		rep->lane[n].tx_code = rg[0].heater;
		rep->lane[n].rx_code = rg[1].heater;
		if (!lit) {
			rep->lane[n].fail = OIO_LINK_LINE_DARK;
		} else if (kept) {
			rep->lane[n].fail = cal->lane[n].fail;
			rep->lane[n].reason = cal->lane[n].reason;
			/* too weak, its rings left on its line: not parked */
			run.on_line[n] = rg[0].lock && rg[1].lock &&
					 rep->lane[n].fail == OIO_LINK_BER_HIGH;
			loose |= run.on_line[n] && !run_holds_line(&run, n);
		}

		/*
		 * A ring on a dark line has nothing to hold; one of a lane
		 * left down that lost its line is parked with the others of
		 * its port (recover_quiet()), or has its loops turned off
		 * (rejoin()).
		 */
		for (l = 0; l < 2 && lit && !kept; l++)
			sick |= rg[l].lock && (rg[l].at_limit ||
					       rg[l].lock_state != OIO_LOCK_STATE_LOCKED);
		if (sick && !bad[n / w]) {
			bad[n / w] = true;
			nbad++;
		}
	}
	/* run.tel is still the snapshot the sick ports were found in */
	note_working(&run, bad, working, noted, held);
	if (!nbad) {
		/* a loop of a lane left on its line that lost it: again */
		free(cal);
		return finish(&run, loose ? rejoin(&run, working, noted, held) :
				     0);
	}
	/* the drift from every ring still locked, the sick ports' too */
	quiet = have && recall_cal(&run, cal, &drift, &why);
	run_progress(&run, "reset", 0, 1);
	err = run_release_ports(&run, bad);
	if (!err && quiet) {
		err = recover_quiet(&run, bad, cal, drift, left);
	} else if (!err) {
		run_explain(&run, "%s: the ports are swept again, with lines dimmed",
			    why);
		memcpy(left, bad, sizeof(left));
	}
	free(cal);
	for (p = 0, n = 0; p < run.info.ports; p++)
		n += left[p];
	if (!err && n) {
		/* the lanes recover_quiet() brought back work too */
		err = run_snap(&run, RINGS | LANES);
		if (!err)
			note_working(&run, left, working, noted, held);
		err = err ?: run_release_ports(&run, left) ?:
		      bring_ports(&run, left);
	}
	return finish(&run, err ?: rejoin(&run, working, noted, held));
}
