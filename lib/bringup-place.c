// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: placing the rings the sweeps left unsure of - those
 * whose loop captured the wrong way (repair), those whose peaks named no
 * line for sure (anchors), and those of lanes that still failed (swept in
 * place with their line alone lit).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bringup-run.h"

/* Re-placing rings whose lock went wrong: this many rounds at most. */
#define REPAIR_ROUNDS	2
/* A peak a ring swept in place shows, over its monitor's noise. */
#define IN_SITU_SNR	20.0
/* One over this is a line met, too weak to hold. */
#define WEAK_SNR	5.0
/* Rounds of it, for rings whose neighbours were placed after them. */
#define IN_SITU_ROUNDS	3

/*
 * Where ring r should sit: the line its lane carries, at the position the
 * sweeps put that line for this ring.
 */
static double target_of(const struct run *run, unsigned int r)
{
	const struct oio_tune *t = run->t;
	unsigned int w = run->info.wavelengths, n = r / 2, p = n / w;
	unsigned int l = (n % w + run->plan[p].shift) % w;
	const struct oio_tune_ring *rg = &t->ring[r];
	double best = NAN, m;

	for (m = -2; m <= 3; m++) {
		double pos = t->line_pm[l] + m * t->fsr_pm;

		if (pos < rg->o || pos > rg->o + rg->q)
			continue;
		if (isnan(best) || fabs(pos - rg->o - rg->q / 2) <
				   fabs(best - rg->o - rg->q / 2))
			best = pos;
	}
	return best;
}

/*
 * Rings whose loop did not capture, or captured far from where the plan
 * put the line, are placed again from where their neighbours actually
 * locked, and locked again. A loop that moved a ring by half a spacing or
 * more climbed to another line.
 */
int run_repair(struct run *run, const bool *mask, bool *want)
{
	unsigned int W = run->info.wavelengths, p, side, w, round;
	const struct oio_card_io *io = run->io;
	int err;

	err = run_wait_locks(run);
	for (round = 0; round < REPAIR_ROUNDS && !err; round++) {
		bool again = false, relock[OIO_MAX_RINGS] = { false };

		for (p = 0; p < run->info.ports; p++) {
			if (!mask[p])
				continue;
			for (side = 0; side < 2; side++) {
				bool fixed[MAX_W], bad[MAX_W];
				double target[MAX_W];
				uint32_t code[MAX_W];
				bool any = false;

				for (w = 0; w < W; w++) {
					unsigned int r = lio_tune_ring_of(
						&run->g, p, side, w);
					const struct oio_ring_info *ri =
						&run->tel->ring[r];
					double moved;

					code[w] = ri->heater;
					target[w] = target_of(run, r);
					bad[w] = false;
					fixed[w] = true;
					if (!want[p * W + w])
						continue;
					moved = fabs(lio_tune_position(
							     run->t, r,
							     ri->heater /
							     (double)OIO_HEATER_MAX) -
						     lio_tune_position(
							     run->t, r,
							     run->plan[p].code[side][w] /
							     (double)OIO_HEATER_MAX));
					if (ri->lock_state ==
					    OIO_LOCK_STATE_LOCKED &&
					    moved < run->g.spacing_pm / 2)
						continue;
					if (isnan(target[w]))
						continue;
					bad[w] = true;
					fixed[w] = false;
					any = true;
				}
				if (!any)
					continue;
				again = true;
				lio_tune_codes(run->t, p, side, fixed, target,
					       code);
				for (w = 0; w < W; w++) {
					unsigned int r = lio_tune_ring_of(
						&run->g, p, side, w);

					if (!bad[w])
						continue;
					io->lock(io->h, r, false);
					io->heater(io->h, r, code[w]);
					run->plan[p].code[side][w] = code[w];
					/* the snapshot still has it locked */
					relock[r] = true;
				}
			}
		}
		if (!again)
			return 0;
		for (p = 0; p < run->info.ports; p++) {
			if (!mask[p])
				continue;
			for (side = 0; side < 2; side++)
				for (w = 0; w < W; w++) {
					unsigned int r = lio_tune_ring_of(
						&run->g, p, side, w);

					relock[r] |= want[p * W + w] &&
						     run->tel->ring[r].lock_state !=
						     OIO_LOCK_STATE_LOCKED;
				}
		}
		err = run_relock(run, relock);
	}
	return err;
}

/*
 * Sweep, as sweep A was, for line l alone, a class at a time: on every
 * port that needs one of its positions, every position any port needs.
 */
static int anchor_line(struct run *run, const uint32_t *need, unsigned int l,
		       double others)
{
	unsigned int w = run->info.wavelengths, k, classes = 1, p, b, side;
	int err = 0;

	for (k = 0; k < classes && !err; k++) {
		uint32_t cls = lio_tune_class(w, k, &classes), positions = 0;
		bool ports[OIO_MAX_PORTS] = { false };

		for (p = 0; p < run->info.ports; p++) {
			ports[p] = need[p] & cls;
			positions |= need[p] & cls;
		}
		if (!positions)
			continue;
		err = run_sweep_ports(run, ports, run->b, run->prm.sweep_dwell_ns,
				  positions);
		for (p = 0; p < run->info.ports && !err; p++)
			for (b = 0; b < w; b++) {
				if (!(need[p] & cls & (1u << b)))
					continue;
				for (side = 0; side < 2; side++) {
					unsigned int r =
						lio_tune_ring_of(&run->g, p,
								 side, b);

					if (!run->t->ring[r].named)
						lio_tune_anchor(run->t, r,
							run->b + (size_t)r *
								 run->points,
							l, others,
							positions);
				}
			}
	}
	return err;
}

/*
 * Line l alone at full power: the others dark for link up; for recovery,
 * which keeps the lanes that work, dimmed as sweep B dims. *others is
 * their power now, as a share of full.
 */
static int single_out(struct run *run, uint32_t lit, unsigned int l,
		      double *others)
{
	unsigned int k;
	int err;

	*others = 0;
	if (run->dark)
		return run_light_only(run, lit, 1u << l);
	err = run_dim_except(run, lit, 1u << l);
	for (k = 0; k < run->info.wavelengths && !err; k++)
		if (k != l && (lit >> k & 1) && run->full_uw[k] > 0)
			*others = fmax(*others, run->tel->laser[k].power_uw /
						run->full_uw[k]);
	return err;
}

/*
 * One round of anchors: for each lane its rings left unnamed, the line its
 * port's plan gives it, off lines over, if lit (lit: the lines that give
 * light at full power, as the first round began); the rings renamed, the
 * ports planned again. *swept says whether there was any.
 */
static int anchor_round(struct run *run, const bool *mask, uint32_t lit,
			int off, uint32_t *tried, bool *swept)
{
	unsigned int w = run->info.wavelengths, p, b, l, side, lines = 0;
	uint32_t need[MAX_W][OIO_MAX_PORTS] = { { 0 } };
	int err = 0;
	double others;

	for (p = 0; p < run->info.ports; p++) {
		const struct oio_tune_port *tp = &run->plan[p];

		if (!mask[p] || tp->shift < 0)
			continue;
		for (b = 0; b < w; b++) {
			unsigned int r = lio_tune_ring_of(&run->g, p, 0, b);

			l = (b + (unsigned int)tp->shift + w + (unsigned int)off) % w;
			if (tp->why[b] != OIO_TUNE_UNNAMED || !(lit >> l & 1) ||
			    ((tried[r] | tried[r + 1]) >> l & 1))
				continue;
			need[l][p] |= 1u << b;
			tried[r] |= 1u << l;
			tried[r + 1] |= 1u << l;
		}
	}
	for (l = 0; l < w; l++)
		for (p = 0; p < run->info.ports; p++)
			if (need[l][p]) {
				lines++;
				break;
			}
	*swept = lines;
	for (l = 0, b = 0; l < w && !err; l++) {
		for (p = 0; p < run->info.ports && !need[l][p]; p++)
			;
		if (p == run->info.ports)
			continue;
		err = single_out(run, lit, l, &others) ?:
		      anchor_line(run, need[l], l, others);
		run_progress(run, "anchor", ++b, lines);
	}
	for (p = 0; p < run->info.ports && !err; p++) {
		bool renamed = false;

		for (l = 0; l < w; l++)
			for (b = 0; b < w; b++)
				for (side = 0; side < 2 && need[l][p] >> b & 1;
				     side++) {
					unsigned int r =
						lio_tune_ring_of(&run->g, p,
								 side, b);

					if (!run->t->ring[r].named &&
					    lio_tune_rename(run->t, r))
						renamed = true;
				}
		if (renamed)
			lio_tune_plan(run->t, p, &run->plan[p]);
	}
	return err;
}

/*
 * Rings whose peaks named no line for sure: swept again, as in sweep A,
 * with their lane's line the only one at full power, they show where that
 * line is - or that it is not in their reach, and then the lines beside it
 * are tried.
 */
int run_anchor_unnamed(struct run *run, const bool *mask)
{
	static const int offs[] = { 0, -1, 1 };
	uint32_t tried[OIO_MAX_RINGS] = { 0 }, lit = run->emitting;
	bool swept, any = false;
	unsigned int i;
	int err = 0, lerr;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]) && !err; i++) {
		err = anchor_round(run, mask, lit, offs[i], tried, &swept);
		any |= swept;
	}
	if (!any)
		return err;
	/* every line back whatever happened: the lanes need them */
	lerr = run_full_power(run, lit);
	return err ?: lerr;
}

/* Could a sweep where its rings stand still bring the lane up? */
static bool fixable(const struct run *run, unsigned int n, uint32_t lit)
{
	const struct oio_link_lane *ll = &run->rep->lane[n];

	if (run->plan[n / run->info.wavelengths].shift < 0 ||
	    !(lit >> ll->line & 1))
		return false;
	switch (ll->fail) {
	case OIO_LINK_NO_RESONANCE:
	case OIO_LINK_OUT_OF_RANGE:
	case OIO_LINK_UNLOCKED:
	case OIO_LINK_BER_HIGH:
		return true;
	default:
		return false;
	}
}

/*
 * The code where a ring swept in place met the one line lit: of its
 * peaks, the one nearest the middle of the heater's range, which leaves
 * the loop room both ways, else an end it met it at; 0 if it met none.
 * *weak: it met the line, but only too weakly to hold it, and away from
 * the ends (a weak peak within half a linewidth of one is no meeting).
 */
static uint32_t met_at(const struct run *run, unsigned int r,
		       const uint32_t *trace, const uint32_t *ref,
		       double others, bool *weak)
{
	struct oio_trace_peak pk[OIO_TUNE_MAX_PEAKS], rk[OIO_TUNE_MAX_PEAKS];
	unsigned int nr = 0, j;
	uint32_t edge = 0;
	const struct oio_tune_ring *rg = &run->t->ring[r];
	double tau = rg->tau_ns > 0 ? rg->tau_ns : run->t->tau_ns;
	double a = exp(-(double)run->prm.sweep_dwell_ns / tau);
	double lag = run->prm.sweep_step * a / (1 - a), best = NAN;
	double mid = lio_tune_law_inv(0.5, 0) * OIO_HEATER_MAX;
	unsigned int i, n;

	n = lio_trace_peaks(trace, run->points, pk, OIO_TUNE_MAX_PEAKS);
	if (ref)
		nr = lio_trace_peaks(ref, run->points, rk, OIO_TUNE_MAX_PEAKS);
	for (i = 0; i < n; i++) {
		double code = pk[i].index * run->prm.sweep_step - lag;

		/*
		 * Half a peak at an end: the line may be just inside the
		 * range, past the sweep's last lagging sample, or beyond it.
		 * Failing a whole peak, the end is worth a try: a loop put
		 * there climbs to the line if it can.
		 */
		if (pk[i].edge) {
			/* (with the others only dimmed, it could be theirs) */
			if (pk[i].height_na >= IN_SITU_SNR * rg->noise_na &&
			    !ref)
				edge = pk[i].index < run->points / 2 ? 1 :
					OIO_HEATER_MAX;
			continue;
		}
		/* the others dimmed, not dark: the line's is as tall as with
		 * every line at full power
		 */
		for (j = 0; ref && j < nr; j++)
			if (fabs(rk[j].index - pk[i].index) <= 1.5)
				break;
		if (ref && (j == nr || pk[i].height_na <
			    (1 + others) / 2 * rk[j].height_na))
			continue;
		/*
		 * A weak peak within half a linewidth of an end is the tail
		 * of a resonance at or past that end: out of reach, not weak.
		 */
		if (pk[i].height_na < IN_SITU_SNR * rg->noise_na) {
			uint32_t at = (uint32_t)lround(fmin(fmax(code, 0),
							    OIO_HEATER_MAX));

			*weak |= pk[i].height_na > WEAK_SNR * rg->noise_na &&
				 !run_at_end(run, r, at);
			continue;
		}
		if (isnan(best) || fabs(code - mid) < fabs(best - mid))
			best = code;
	}
	if (isnan(best))
		return edge;
	return (uint32_t)lround(fmin(fmax(best, 1), OIO_HEATER_MAX));
}

/* What placing rings in place knows as it goes. */
struct in_situ {
	uint32_t need[MAX_W][OIO_MAX_PORTS];	/* positions, by lane line */
	uint32_t code[OIO_MAX_RINGS];		/* each heater as it stands */
	uint32_t was[OIO_MAX_RINGS];		/* and before */
	uint32_t hold[OIO_MAX_RINGS];
	bool found[OIO_MAX_RINGS];
	/* met it, too weakly to hold it, away from its heater's ends */
	bool weak[OIO_MAX_RINGS];
	/* the codes of its neighbours w-2 ... w+2 when the ring was swept */
	uint32_t seen[OIO_MAX_RINGS][5];
	/* and of the rings upstream of it on its bus, 0 ... w-1 */
	uint32_t upstream[OIO_MAX_RINGS][MAX_W];
};

/* Ring at w + d on r's bus, or -1. */
static int beside(const struct run *run, unsigned int r, int d)
{
	int w = (int)(r / 2 % run->info.wavelengths) + d;

	if (w < 0 || w >= (int)run->info.wavelengths)
		return -1;
	return (int)r + 2 * d;
}

/*
 * Sweep in place the positions of class k in st->need[l][port], a port at
 * a time, into dst. The engine leaves every ring it swept cold: each goes
 * back where it was, or with find where it met line l - judged against
 * ref, the same sweep with every line at full power, when the other lines
 * were only dimmed to others - for the next sweep to see it there.
 */
static int sweep_class(struct run *run, struct in_situ *st, unsigned int l,
		       unsigned int k, uint32_t *dst, bool find,
		       const uint32_t *ref, double others)
{
	unsigned int W = run->info.wavelengths, classes, p, b, side, j;
	uint32_t cls = lio_tune_class(W, k, &classes);
	const struct oio_card_io *io = run->io;
	int err = 0, d;

	for (p = 0; p < run->info.ports && !err; p++) {
		uint32_t pos = st->need[l][p] & cls;
		bool ports[OIO_MAX_PORTS] = { false };

		if (!pos)
			continue;
		ports[p] = true;
		err = run_sweep_ports(run, ports, dst, run->prm.sweep_dwell_ns,
				      pos);
		for (b = 0; b < W && !err; b++)
			for (side = 0; side < 2 && pos >> b & 1; side++) {
				unsigned int r = lio_tune_ring_of(&run->g, p,
								  side, b);
				uint32_t c = 0;

				if (find) {
					c = met_at(run, r,
						   dst + (size_t)r * run->points,
						   ref ? ref + (size_t)r *
							 run->points : NULL,
						   others, &st->weak[r]);
					for (d = -2; d <= 2; d++)
						st->seen[r][d + 2] =
							beside(run, r, d) < 0 ? 0 :
							st->code[beside(run, r, d)];
					for (j = 0; j < b; j++)
						st->upstream[r][j] = st->code[
							lio_tune_ring_of(&run->g, p,
									 side, j)];
				}
				if (c) {
					st->code[r] = c;
					st->found[r] = true;
				}
				io->heater(io->h, r, st->code[r]);
			}
		err = err ?: io->run(io->h);
		if (!err)
			run_settle(run);
	}
	return err;
}

/*
 * Place the rings of st->need[l] where they meet line l, class by class:
 * for link up with the other lines dark; for recovery with them dimmed,
 * after a sweep of the same class with every line at full power.
 */
static int sweep_in_situ(struct run *run, struct in_situ *st, unsigned int l,
			 uint32_t lit)
{
	unsigned int k, classes = 1;
	double others = 0;
	int err = 0;

	if (run->dark)
		err = run_light_only(run, lit, 1u << l);
	for (k = 0; k < classes && !err; k++) {
		lio_tune_class(run->info.wavelengths, k, &classes);
		if (run->dark) {
			err = sweep_class(run, st, l, k, run->b, true, NULL, 0);
			continue;
		}
		err = run_full_power(run, lit) ?:
		      sweep_class(run, st, l, k, run->a, false, NULL, 0) ?:
		      single_out(run, lit, l, &others) ?:
		      sweep_class(run, st, l, k, run->b, true, run->a, others);
	}
	return err;
}

/* How far (pm) a ring's own heater moves it from code then to code now. */
static double heat_moved(const struct run *run, uint32_t now, uint32_t then)
{
	return run->g.range_pm *
	       (lio_tune_law(now / (double)OIO_HEATER_MAX, 0) -
		lio_tune_law(then / (double)OIO_HEATER_MAX, 0));
}

/*
 * Has a neighbour of ring r moved since r was swept by enough to move r
 * a quarter of a linewidth?
 */
static bool neighbours_moved(const struct run *run, const struct in_situ *st,
			     unsigned int r)
{
	const struct oio_tune *t = run->t;
	double moved = 0;
	int d;

	for (d = -2; d <= 2; d++) {
		int k = beside(run, r, d);
		double share = d == -1 || d == 1 ? t->xt1 : t->xt2;

		if (!d || k < 0)
			continue;
		moved += share * heat_moved(run, st->code[k],
					    st->seen[r][d + 2]);
	}
	return fabs(moved) > run->g.fwhm_pm / 4;
}

/*
 * Has a ring upstream of r moved by a linewidth since r was swept without
 * meeting its line? It may have sat on that line then, in another order,
 * and taken all but a tenth of it: a ring placed in place for another line
 * moves off it, and r may meet it now. (A loop's wobble of a code or two,
 * held, is no such move.)
 */
static bool upstream_moved(const struct run *run, const struct in_situ *st,
			   unsigned int r)
{
	unsigned int W = run->info.wavelengths, n = r / 2, w = n % W, j;

	if (st->found[r])
		return false;
	for (j = 0; j < w; j++) {
		unsigned int k = lio_tune_ring_of(&run->g, n / W, r % 2, j);

		if (fabs(heat_moved(run, st->code[k], st->upstream[r][j])) >
		    run->g.fwhm_pm)
			return true;
	}
	return false;
}

/*
 * Did a ring of lane n, swept in place, meet its line nowhere at all (a
 * weak peak within half a linewidth of an end counting as nowhere)?
 */
static bool out_of_reach(const struct in_situ *st, unsigned int n)
{
	unsigned int r;

	for (r = 2 * n; r < 2 * n + 2; r++)
		if (!st->found[r] && !st->weak[r])
			return true;
	return false;
}

/*
 * The code that keeps ring r where it was at was[r] now that its
 * neighbours moved from was[] to now[]: less of its own heat for the
 * crosstalk they add, as far as the sweeps measured it.
 */
static uint32_t hold_place(const struct run *run, unsigned int r,
			   const uint32_t *was, const uint32_t *now)
{
	const struct oio_tune *t = run->t;
	const struct oio_tune_ring *rg = &t->ring[r];
	double q = rg->named ? rg->q : run->g.range_pm;
	double h = rg->named ? rg->h : 0, shift = 0, g;
	int d;

	for (d = -2; d <= 2; d++) {
		int k = beside(run, r, d);
		const struct oio_tune_ring *rk;
		double share;

		if (!d || k < 0 || was[k] == now[k])
			continue;
		rk = &t->ring[k];
		share = d == -1 || d == 1 ? t->xt1 * rg->xt_gain : t->xt2;
		shift += share * (rk->named ? rk->q : run->g.range_pm) *
			 (lio_tune_law(now[k] / (double)OIO_HEATER_MAX,
				       rk->named ? rk->h : 0) -
			  lio_tune_law(was[k] / (double)OIO_HEATER_MAX,
				       rk->named ? rk->h : 0));
	}
	g = lio_tune_law(was[r] / (double)OIO_HEATER_MAX, h) - shift / q;
	return (uint32_t)lround(lio_tune_law_inv(g, h) * OIO_HEATER_MAX);
}

/*
 * Lanes that did not verify, with their line lit: each of their rings is
 * swept where it stands, its bus neighbours at their codes, with that line
 * alone at full power, and the peak it shows is where the ring meets its
 * line, neighbours' heat and all; a ring whose neighbour was placed after
 * it is swept again, and so is one that met nothing once a ring upstream
 * of it moved. For link up the other lines go dark meanwhile, and
 * the loops of the lanes that verified are off through it: a loop follows
 * its line as the line dims, blue with the bias, and would come back to it
 * half a spacing off. Recovery only dims them, and the loops stay on.
 * Every wanted lane is verified again.
 */
int run_place_in_situ(struct run *run, const bool *mask, const bool *only,
		      bool *want, bool *again)
{
	unsigned int W = run->info.wavelengths, n, l, r, p, round, todo = 0;
	const struct oio_card_io *io = run->io;
	bool fix[OIO_MAX_LANES] = { false }, hold[OIO_MAX_LANES];
	uint32_t lit = run->emitting;
	struct in_situ *st;
	bool any_off = false;
	int err, lerr;

	*again = false;
	for (n = 0; n < lanes_of(run); n++)
		if (mask[n / W] && !want[n] && (!only || only[n]) &&
		    fixable(run, n, lit)) {
			fix[n] = true;
			todo++;
		}
	if (!todo)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = run_snap(run, RINGS);
	if (err)
		goto out;
	*again = true;
	for (r = 0; r < 2 * lanes_of(run); r++)
		st->code[r] = st->was[r] = run->tel->ring[r].heater;
	/*
	 * A loop turned off leaves its heater where it had it. Dimmed lines
	 * only move a little, and the loops of the lanes that verified
	 * follow them; dark ones they would lose - those of a lane down
	 * whose rings hold its line too (run_holds_line()).
	 */
	for (n = 0; n < lanes_of(run); n++) {
		hold[n] = (want[n] || run_holds_line(run, n)) && run->dark;
		if (!hold[n] && !fix[n])
			continue;
		io->lock(io->h, 2 * n, false);
		io->lock(io->h, 2 * n + 1, false);
	}
	err = io->run(io->h);
	for (round = 0; round < IN_SITU_ROUNDS && todo && !err; round++) {
		memset(st->need, 0, sizeof(st->need));
		for (n = 0; n < lanes_of(run); n++)
			if (fix[n] && (!round ||
				       neighbours_moved(run, st, 2 * n) ||
				       neighbours_moved(run, st, 2 * n + 1) ||
				       upstream_moved(run, st, 2 * n) ||
				       upstream_moved(run, st, 2 * n + 1)))
				st->need[run->rep->lane[n].line][n / W] |=
					1u << (n % W);
		todo = 0;
		for (l = 0; l < W && !err; l++) {
			for (p = 0; p < run->info.ports && !st->need[l][p]; p++)
				;
			if (p == run->info.ports)
				continue;
			todo++;
			err = sweep_in_situ(run, st, l, lit);
		}
		run_progress(run, "in place", round + 1, IN_SITU_ROUNDS);
	}
	/* every line back whatever happened: the lanes need them */
	lerr = run_full_power(run, lit);
	err = err ?: lerr;
	if (err)
		goto out;
	/* the lanes that verified hold their place against the new heat */
	for (r = 0; r < 2 * lanes_of(run); r++)
		if (hold[r / 2])
			st->hold[r] = hold_place(run, r, st->was, st->code);
	for (n = 0; n < lanes_of(run); n++) {
		if (fix[n] && st->found[2 * n] && st->found[2 * n + 1]) {
			run->rep->lane[n].fail = OIO_LINK_OK;
			run->rep->lane[n].reason = 0;
			want[n] = true;
			run->at_end[n] = run_at_end(run, 2 * n,
						    st->code[2 * n]) ||
					 run_at_end(run, 2 * n + 1,
						    st->code[2 * n + 1]);
			run->at_cold_end[n] =
				run_end_of_reach(run, 2 * n,
						 st->code[2 * n]) < 0 ||
				run_end_of_reach(run, 2 * n + 1,
						 st->code[2 * n + 1]) < 0;
		} else if (fix[n] && out_of_reach(st, n)) {
			/* its line is nowhere in a ring's reach: say so */
			run->rep->lane[n].fail = OIO_LINK_NO_RESONANCE;
			run->end_shifts[n] |= run_shift_bit(run, n);
		} else if (hold[n]) {
			st->code[2 * n] = st->hold[2 * n];
			st->code[2 * n + 1] = st->hold[2 * n + 1];
		}
		/* a loop that stayed on owns its heater */
		hold[n] |= fix[n] && want[n];
		for (r = 2 * n; r < 2 * n + 2 && hold[n]; r++)
			if (st->code[r] != st->was[r])
				io->heater(io->h, r, st->code[r]);
	}
	err = io->run(io->h);
	if (err)
		goto out;
	run_settle(run);
	for (n = 0; n < lanes_of(run); n++)
		if (hold[n]) {
			io->lock(io->h, 2 * n, true);
			io->lock(io->h, 2 * n + 1, true);
		}
	err = io->run(io->h) ?: run_wait_locks(run);
	/*
	 * A lane down that held its line is not verified: a ring of it that
	 * locked half a spacing from where it was put found another line.
	 * Its loops go off and its rings back to where they were put, near
	 * their own line, for the next park to move.
	 */
	for (n = 0; n < lanes_of(run) && !err; n++) {
		bool off = false;

		for (r = 2 * n; r < 2 * n + 2 && hold[n] && !want[n]; r++)
			off |= fabs(run_heat_pm(run, r,
						run->tel->ring[r].heater) -
				    run_heat_pm(run, r, st->code[r])) >=
			       run->g.spacing_pm / 2;
		if (!off)
			continue;
		run->on_line[n] = false;
		any_off = true;
		for (r = 2 * n; r < 2 * n + 2; r++) {
			io->lock(io->h, r, false);
			io->heater(io->h, r, st->code[r]);
		}
	}
	if (!err && any_off) {
		err = io->run(io->h);
		run_settle(run);
	}
out:
	free(st);
	return err;
}
