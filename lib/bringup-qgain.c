// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: what the lines' moves under the margin check's dimming
 * do to a lane's Q - the bus of datasheet 7.6 and the eyes of 7.8,
 * reckoned from what the sweeps measured. Arithmetic only.
 */
#include <math.h>

#include "bringup-run.h"
#include "select.h"

/*
 * The linewidth a ring's tails are reckoned by: not the fit of its peaks
 * alone (margin_detuned() uses that), which reads it narrow - by a fifth
 * at Q 2,500, against the model's truth - and a tail too narrow
 * understates what the lines' moves change: never below the nominal.
 */
static double tail_fwhm(const struct run *run, unsigned int r)
{
	return fmax(run->t->ring[r].fwhm_pm, run->g.fwhm_pm);
}

/* Ring r's share of a line d pm off a resonance, the nearest order's. */
static double share_at(const struct run *run, unsigned int r, double d)
{
	double x = 2 * remainder(d, run->t->fsr_pm) / tail_fwhm(run, r);

	return 1 / (1 + x * x);
}

/* How far line l moved under dimming (mv NULL: not at all). */
static double move_of(const double *mv, unsigned int l)
{
	return mv ? mv[l] : 0;
}

/*
 * Where the rings of a bus sit against the lines, and whether they move
 * as the lines dim: a ring locked on its lane's line sits on it and
 * follows it; any other at the offset its code at full power gives it
 * from the line it sits nearest, following that line as follow_lines()
 * has it follow - a parked ring, or one of a lane down whose loop holds
 * nothing, in the ports of mask, on a line whose move was measured - or
 * else staying put; one parked where its monitor read no line takes none.
 */
struct bus_seat {
	unsigned int line[MAX_W];
	double off[MAX_W];	/* pm red of that line */
	bool follows[MAX_W];	/* moves as that line does */
	unsigned int r[MAX_W];
};

static void seat_bus(const struct run *run, unsigned int p,
		     unsigned int side, const bool *mask, const bool *want,
		     const uint32_t *full, const double *shift,
		     struct bus_seat *b)
{
	const struct oio_tune *t = run->t;
	unsigned int W = run->info.wavelengths, w, m;
	uint32_t code[MAX_W];

	for (w = 0; w < W; w++)
		code[w] = full[lio_tune_ring_of(&run->g, p, side, w)];
	for (w = 0; w < W; w++) {
		unsigned int r = lio_tune_ring_of(&run->g, p, side, w);
		const struct oio_ring_info *ri = &run->tel->ring[r];
		unsigned int l = run->rep->lane[p * W + w].line;
		double pos, best = NAN;

		b->r[w] = r;
		b->line[w] = l;
		b->off[w] = 0;
		b->follows[w] = true;
		if (l < W && ri->lock_state == OIO_LOCK_STATE_LOCKED)
			continue;
		b->line[w] = W;		/* nowhere it can tell */
		b->follows[w] = false;
		/* parked where its monitor read no line: it takes none */
		if (!ri->lock && run_park_dark(run, r, code[w]))
			continue;
		pos = lio_tune_bus_position(t, p, side, w, code);
		for (m = 0; m < W && !isnan(pos); m++) {
			double d = remainder(pos - t->line_pm[m], t->fsr_pm);

			if (isnan(best) || fabs(d) < fabs(best)) {
				best = d;
				b->line[w] = m;
			}
		}
		b->off[w] = best;
		b->follows[w] = mask[p] && !want[p * W + w] &&
				b->line[w] < W && !isnan(shift[b->line[w]]) &&
				(!ri->lock ||
				 ri->lock_state == OIO_LOCK_STATE_LOST ||
				 ri->lock_state == OIO_LOCK_STATE_NO_SIGNAL);
	}
}

/*
 * Ring w of the bus's share of line m, the lines moved by mv: a bus
 * ring whose place it cannot tell takes none.
 */
static double seat_share(const struct run *run, const struct bus_seat *b,
			 unsigned int w, unsigned int m, const double *mv)
{
	const double *line = run->t->line_pm;
	unsigned int a = b->line[w];

	if (a >= run->info.wavelengths)
		return 0;
	return share_at(run, b->r[w], line[m] + move_of(mv, m) - line[a] -
				      (b->follows[w] ? move_of(mv, a) : 0) -
				      b->off[w]);
}

/*
 * Lane n's Q (datasheet 7.8) with the lines moved by mv, but for the
 * power every line shares: the light of its line that reaches its rings
 * past the rings upstream, times its eyes. On its TX side the other TX
 * rings imprint on its line, each by its share of the light that reaches
 * it; on its RX side its ring takes the other lines as they reach it. A
 * ring takes drop times its share of the light that reaches it: the
 * library cannot measure drop, so it takes all of it, which overstates
 * what the upstream rings' moves change of the light that reaches the
 * lane, and leaves out what the 10 % or so a real ring leaves adds of
 * lines taken upstream.
 */
static double lane_q(const struct run *run, unsigned int n,
		     const struct bus_seat *tx, const struct bus_seat *rx,
		     const double *mv)
{
	const struct oio_tune *t = run->t;
	unsigned int W = run->info.wavelengths, w = n % W, k, m;
	unsigned int l = run->rep->lane[n].line;
	double in[MAX_W], pass = 1, eye_tx, eye_rx, rx_in[MAX_W];

	/* the TX bus: line l as it reaches each ring */
	for (k = 0; k < W; k++) {
		in[k] = pass;
		pass *= 1 - seat_share(run, tx, k, l, mv);
	}
	eye_tx = seat_share(run, tx, w, l, mv);
	for (k = 0; k < W; k++)
		if (k != w && in[w] > 0)
			eye_tx -= in[k] / in[w] * seat_share(run, tx, k, l, mv);
	/* the RX bus: every line as it reaches ring w */
	for (m = 0; m < W; m++) {
		rx_in[m] = run->emitting >> m & 1 && t->line_rel[m] > 0 ?
			   t->line_rel[m] : 0;
		for (k = 0; k < w; k++)
			rx_in[m] *= 1 - seat_share(run, rx, k, m, mv);
	}
	if (!(rx_in[l] > 0) || !(in[w] > 0))
		return 0;
	eye_rx = seat_share(run, rx, w, l, mv);
	for (m = 0; m < W; m++)
		if (m != l)
			eye_rx -= rx_in[m] / rx_in[l] *
				  seat_share(run, rx, w, m, mv);
	return in[w] * rx_in[l] / t->line_rel[l] * fmax(eye_tx, 0) *
	       fmax(eye_rx, 0);
}

/*
 * The margin check takes it that dimming scales a lane's Q by the power
 * alone. But each line moves by its own amount as it dims, and a lane
 * whose neighbours' lines move away from its rings gets eye, and light
 * its upstream rings took, back: its Q falls less, and the check would
 * pass it short of the margin. Lane n's Q with the lines moved by shift
 * (line_moves(); a line it has no move for as the median line) over its
 * Q at full power, from where the sweeps put the lines and the rings
 * (full: every ring's code at full power): 1 where it cannot tell.
 */
double run_q_gain(const struct run *run, unsigned int n, const bool *mask,
		  const bool *want, const uint32_t *full, const double *shift)
{
	unsigned int W = run->info.wavelengths, p = n / W, l, k = 0;
	double q0, q1, mv[MAX_W], d[MAX_W], mid;
	struct bus_seat tx, rx;

	if (run->rep->lane[n].line >= W)
		return 1;
	for (l = 0; l < W; l++)
		if (!isnan(shift[l]))
			d[k++] = shift[l];
	if (!k)
		return 1;
	mid = lio_median(d, k);
	/* a line no loop measured moved as the median line did */
	for (l = 0; l < W; l++)
		mv[l] = isnan(shift[l]) ? mid : shift[l];
	seat_bus(run, p, 0, mask, want, full, shift, &tx);
	seat_bus(run, p, 1, mask, want, full, shift, &rx);
	q0 = lane_q(run, n, &tx, &rx, NULL);
	q1 = lane_q(run, n, &tx, &rx, mv);
	return q0 > 0 && q1 > 0 ? q1 / q0 : 1;
}

/*
 * The largest share lane n's rings, on its line, take of another lit
 * line among lines: one within a linewidth of it takes a fifth or more,
 * and the loop that dithers on the sum of the two may climb onto either.
 * 0 where it cannot tell (no line named, or no FSR: share_at() NAN, which
 * fmax() drops).
 */
double run_crowding(const struct run *run, unsigned int n, uint32_t lines)
{
	unsigned int W = run->info.wavelengths, l = run->rep->lane[n].line;
	unsigned int m, r;
	double most = 0;

	if (l >= W)
		return 0;
	for (m = 0; m < W; m++) {
		if (m == l || !((run->emitting & lines) >> m & 1))
			continue;
		for (r = 2 * n; r <= 2 * n + 1; r++)
			most = fmax(most, share_at(run, r, run->t->line_pm[m] -
							   run->t->line_pm[l]));
	}
	return most;
}

double run_park_share(const struct run *run, unsigned int r)
{
	const struct oio_tune *t = run->t;
	unsigned int W = run->info.wavelengths, p = r / 2 / W, side = r % 2;
	unsigned int k, m;
	uint32_t code[MAX_W] = { 0 };
	double pos, sum = 0;

	for (k = 0; k < W; k++)
		code[k] = run->tel->ring[lio_tune_ring_of(&run->g, p, side,
							  k)].heater;
	pos = lio_tune_bus_position(t, p, side, r / 2 % W, code);
	if (isnan(pos))
		return NAN;
	for (m = 0; m < W; m++)
		if (run->emitting >> m & 1 && t->line_rel[m] > 0)
			sum += t->line_rel[m] *
			       share_at(run, r, pos - t->line_pm[m]);
	return sum;
}
