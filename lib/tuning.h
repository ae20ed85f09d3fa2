/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the pure half of bring-up - from sweep traces to heater codes -
 * with no I/O, so unit tests can feed it any card the model can make.
 *
 * Nothing here assumes the card is the nominal one. The card's nominal
 * registers (grid, FSR, heater range, linewidth) are a starting point; what
 * bring-up uses is measured, from three sweeps of every ring:
 *
 * - A: every line at full power, the rings of each bus swept a class of
 *   bus positions at a time, three apart, so that a swept ring has no
 *   swept neighbour to heat it or to take its line at the same drive;
 * - B: the same with a coded subset of lines dimmed, twice as slow;
 * - C: every ring of a bus swept together, at full power.
 *
 * From A and B come, per card: where each laser line really is, how far a
 * dimmed line moves, the FSR, the heater time constant; per ring: its time
 * constant, noise, linewidth, and its own response - position against
 * drive, with its own heater law - through the lines it meets, each named
 * by the code. C adds what the neighbours' heat does: the card's thermal
 * crosstalk, and each ring's share of it.
 */
#ifndef OIO_TUNING_H
#define OIO_TUNING_H

#include <stdbool.h>
#include <stdint.h>

#include "comb.h"
#include "liboio.h"

#define OIO_TUNE_MAX_PEAKS	24

/* The card's nominal registers and geometry. */
struct oio_tune_geom {
	unsigned int ports;
	unsigned int wavelengths;
	double first_pm;	/* line 0 */
	double spacing_pm;
	double fsr_pm;
	double range_pm;	/* heater full scale */
	double fwhm_pm;
};

/* How a sweep was taken: every ring of a port at the same code. */
struct oio_tune_sweep {
	unsigned int start;
	unsigned int step;
	unsigned int points;
	double dwell_ns;
};

struct oio_tune_peak {
	double code_a;		/* centre in sweep A, as sampled */
	double code_b;		/* the same resonance in sweep B, or NAN */
	double x;		/* lag-free drive of A's centre, code/4095 */
	double height;		/* nA above its floor, sweep A */
	double width;		/* FWHM, codes, sweep A (0: not fitted) */
	double ratio;		/* height in B / height in A */
	bool edge;		/* half a peak at an end of the sweep */
	bool merged;		/* two halves a ring upstream split, as one */
	uint32_t shadow;	/* lines a ring upstream takes at this drive */
	uint32_t shadow_b;	/* and at its drive in B, dimmed lines moved */
	int anchor;		/* line a lone-line sweep showed here, or -1 */
	int line;		/* named line, -1 if not named */
	int order;		/* FSR orders above the ring's first */
};

struct oio_tune_ring {
	unsigned int n;
	struct oio_tune_peak pk[OIO_TUNE_MAX_PEAKS];
	unsigned int nc;	/* sweep C's peaks */
	double c_x[OIO_TUNE_MAX_PEAKS];
	double c_height[OIO_TUNE_MAX_PEAKS];
	unsigned int nb;	/* sweep B's peaks, to match */
	double b_code[OIO_TUNE_MAX_PEAKS];
	double b_height[OIO_TUNE_MAX_PEAKS];
	double noise_na;	/* monitor noise, rms */
	double top_na;		/* tallest peak */
	double ref_na;		/* a full peak's height */
	double lag_codes;	/* measured lag of A behind B, codes */
	unsigned int lag_n;	/* peaks it was measured on */
	double tau_ns;		/* heater time constant */
	/*
	 * position(x) = o + q * lio_tune_law(x, h) with its neighbours cold:
	 * o where it sits cold, q its own heater's full scale
	 */
	uint32_t absent;	/* lines a lone-line sweep did not show */
	/* the bus positions swept with it then, by line */
	uint32_t absent_swept[OIO_MAX_WAVELENGTHS];
	/*
	 * Its sweeps showed no resonance at all where the others did: its
	 * heater, or its monitor, does not respond.
	 */
	bool stuck;
	bool named;
	double o, q, h;
	/*
	 * An unnamed ring whose peaks had namings nearly as cheap: where the
	 * cheapest puts it cold. Every naming lays the lines over the peaks
	 * it saw, so this is enough to park it clear of them, not to place it.
	 */
	bool guessed;
	double guess_o;
	/*
	 * What the cheapest distinct naming cost over the ring's own when its
	 * search named it, INFINITY if it found none; 0 if unnamed or named
	 * by its anchor alone. A ring a pass kept has that of the pass that
	 * named it.
	 */
	double lead;
	double rms_pm;		/* how well the named peaks fit */
	double fwhm_pm;		/* measured linewidth, 0 if unknown */
	double xt_gain;		/* its share of the card's crosstalk, 1 mean */
};

/*
 * A tall peak of sweep C as the crosstalk fit sees it, the same at every
 * crosstalk it tries: ring r's position from its own heat, and its
 * neighbours' own shifts, adjacent and two places away.
 */
struct oio_tune_cpeak {
	double base, n1, n2;
	unsigned int r;
};

struct oio_tune {
	struct oio_tune_geom g;
	struct oio_tune_sweep sa, sb, sc;
	uint32_t code;		/* lines dimmed in sweep B */
	uint32_t emitting;	/* lines that gave light (and still do: a
				 * re-plan drops one that went dark) */
	double dim_ratio[OIO_MAX_WAVELENGTHS];	/* power dimmed / full */
	bool dark;		/* the coded lines were off in sweep B */
	double line_rel[OIO_MAX_WAVELENGTHS];	/* power / lines' mean */
	/* measured across the card */
	double line_pm[OIO_MAX_WAVELENGTHS];	/* where each line is */
	double dim_shift_pm[OIO_MAX_WAVELENGTHS]; /* and moves when dimmed */
	double fsr_pm;
	double tau_ns;
	bool tau_measured;	/* tau_ns from the rings, not a guess */
	double xt1, xt2;	/* crosstalk from adjacent and next rings */
	double noise_na;	/* median of the rings' */
	/*
	 * Where fabrication put the rings: cold, ring w sits some prior_pm
	 * off grid position w, give or take up to spread_pm - from the
	 * named rings, once there are enough (spread_pm > 0).
	 */
	double prior_pm, spread_pm;
	double q_pm;		/* the named rings' median full scale */
	double h_med;		/* and law */
	double q_lo, q_hi;	/* and the range of them, and of the laws */
	double h_lo, h_hi;
	/*
	 * The first pass named the card's heaters far off its nominal full
	 * scale: named again from the start, a search's namings paying for
	 * that.
	 */
	bool off_nominal;
	unsigned int named;	/* rings named */
	/*
	 * [port][line shift]: the bus positions whose line a sweep in
	 * place found out of a ring's reach, whatever the fits say.
	 */
	uint32_t unreach[OIO_MAX_PORTS][OIO_MAX_WAVELENGTHS];
	struct oio_tune_ring ring[OIO_MAX_RINGS];
	/* the card fits' working space: a handle's own, as the whole struct */
	double scratch[OIO_MAX_WAVELENGTHS][OIO_MAX_RINGS * 2];
	/* the crosstalk fit's: the tall peaks of sweep C (plan.c) */
	struct oio_tune_cpeak cpeak[OIO_MAX_RINGS * OIO_TUNE_MAX_PEAKS];
};

/*
 * The peaks of a trace into this library's own struct oio_trace_peak,
 * whatever size 0.1.0's oio_trace_peaks() writes; 0 for none or no memory.
 */
static inline unsigned int lio_trace_peaks(const uint32_t *trace,
					   unsigned int points,
					   struct oio_trace_peak *out,
					   unsigned int max)
{
	int n = oio_trace_peaks_ex(trace, points, out, max, sizeof(*out));

	return n > 0 ? (unsigned int)n : 0;
}

/* Ring of the card at bus position w of port p, side 0 (TX) or 1 (RX). */
static inline unsigned int lio_tune_ring_of(const struct oio_tune_geom *g,
					    unsigned int p, unsigned int side,
					    unsigned int w)
{
	return 2 * (p * g->wavelengths + w) + side;
}

/*
 * Shift of a heater at drive x = code/4095 as a share of its full scale:
 * the square law bent by h, x^2 (1 + h) / (1 + h x^2), as resistive
 * heaters bend it. Inline: judging namings asks it for every peak.
 */
static inline double lio_tune_law(double x, double h)
{
	return x * x * (1 + h) / (1 + h * x * x);
}
/* The laws a fit tries: h within +- this. */
#define LIO_TUNE_LAW_MAX	0.25
/* The drive giving share g of full scale, for law h. */
double lio_tune_law_inv(double g, double h);

/*
 * The dimmed lines: a cyclic pattern of W bits whose windows of *k
 * consecutive bits are all different, k as small as possible.
 */
uint32_t lio_tune_code(unsigned int wavelengths, unsigned int *k);

/*
 * The bus positions swept together in sweeps A and B: class k of *classes
 * (positions three apart, k < *classes).
 */
uint32_t lio_tune_class(unsigned int wavelengths, unsigned int k,
			unsigned int *classes);

/*
 * Start from the nominal card, no line dimmed yet. Only the header and
 * the rings of g's geometry are cleared (recovery inits a run's t twice):
 * nothing reads a ring past them, and the fits' working space (scratch,
 * cpeak) is written before it is read.
 */
void lio_tune_init(struct oio_tune *t, const struct oio_tune_geom *g,
		   const struct oio_tune_sweep *sa,
		   const struct oio_tune_sweep *sb,
		   const struct oio_tune_sweep *sc, uint32_t code,
		   uint32_t emitting, const double *line_uw);

/*
 * Once sweep B is made: the lines lit now (one may have gone dark since
 * lio_tune_init()), their full power, and each one's power in sweep B as
 * a share of it.
 */
void lio_tune_dimmed(struct oio_tune *t, uint32_t emitting,
		     const double *line_uw, const double *dim_ratio);

/*
 * One ring's trace of sweep C: its peaks. It clears what the ring held,
 * so it comes first. Apart from every other ring's, and from sweeps A
 * and B, which need not have been made.
 */
void lio_tune_traces_c(struct oio_tune *t, unsigned int r, const uint32_t *c);

/*
 * Then its trace of sweep A: its peaks. Apart from every other ring's,
 * and from sweep B, which need not have been made.
 */
void lio_tune_traces_a(struct oio_tune *t, unsigned int r, const uint32_t *a);

/*
 * Then its trace of sweep B, after lio_tune_dimmed(): its peaks, matched
 * to A's, and the time constant they give. Apart from every other ring's.
 */
void lio_tune_traces_b(struct oio_tune *t, unsigned int r, const uint32_t *b);

/*
 * Everything from the traces: time constants and lag-free drives, line
 * positions and their shift when dimmed, the FSR, every ring's response
 * and the names of its peaks, the crosstalk. Returns the rings named.
 */
unsigned int lio_tune_analyse(struct oio_tune *t);

/*
 * A sweep of ring r taken as sweep A was but with only line at full
 * power, the others dark (others 0) or dimmed to that share of theirs:
 * the peaks it shows at full height are that line's, and name the ring's
 * peaks in A. swept: the positions of r's bus swept with it, the others
 * left where they were. Returns how many it showed.
 */
unsigned int lio_tune_anchor(struct oio_tune *t, unsigned int r,
			     const uint32_t *trace, unsigned int line,
			     double others, uint32_t swept);

/* Name ring r again, from its anchors too; true if it is named now. */
bool lio_tune_rename(struct oio_tune *t, unsigned int r);

/* The crosstalk, from sweep C once the rings are named (plan.c). */
void lio_tune_crosstalk(struct oio_tune *t);

/*
 * A full peak: what timing, anchoring and the card fits rely on. A shaded
 * line does not leave one.
 */
static inline bool lio_tune_trusted(const struct oio_tune_ring *rg,
				    const struct oio_tune_peak *p)
{
	return p->anchor >= 0 ||
	       (!p->edge && rg->ref_na > 0 && p->height >= 0.7 * rg->ref_na);
}

/* Residual of a named peak of ring rg against its line, pm. */
static inline double lio_tune_resid(const struct oio_tune *t,
				    const struct oio_tune_ring *rg,
				    const struct oio_tune_peak *p)
{
	return rg->o + rg->q * lio_tune_law(p->x, rg->h) -
	       (t->line_pm[p->line] + p->order * t->fsr_pm);
}

/*
 * The lines and every named ring's response fitted together, each peak
 * within 3 sigma of its line counted (linefit.c).
 */
void lio_tune_fit_lines(struct oio_tune *t, double sigma);

/* Position of ring r at drive x, pm; NAN if it was not named. */
double lio_tune_position(const struct oio_tune *t, unsigned int r, double x);

/*
 * Why a lane of a port cannot come up with the plan chosen, if it cannot.
 */
enum oio_tune_why {
	OIO_TUNE_OK,
	OIO_TUNE_DARK,		/* its line gives no light */
	OIO_TUNE_UNNAMED,	/* a ring showed nothing to name */
	OIO_TUNE_STUCK,		/* a ring's sweeps showed no resonance */
	OIO_TUNE_OUT_OF_REACH,	/* a ring cannot reach the line */
};

struct oio_tune_port {
	int shift;		/* -1: no shift lets any lane up */
	double margin_pm;	/* closest a ring comes to a heater end */
	uint32_t code[2][OIO_MAX_WAVELENGTHS];	/* [side][w] */
	enum oio_tune_why why[OIO_MAX_WAVELENGTHS];
	bool usable[OIO_MAX_WAVELENGTHS];
	/*
	 * What each line shift promised: lanes in reach, and lanes unsure -
	 * out of reach by less than the fits' error, or with a ring never
	 * named - that a sweep in place may still find
	 */
	unsigned int ok_at[OIO_MAX_WAVELENGTHS];
	unsigned int unsure_at[OIO_MAX_WAVELENGTHS];
};

/*
 * Choose a port's line shift and every ring's heater code, the bus
 * neighbours' heat included: the shift that lets the most lanes up, then
 * keeps the rings furthest from their heater ends. Rings of lanes that
 * cannot come up are parked where they touch no line.
 */
void lio_tune_plan(const struct oio_tune *t, unsigned int port,
		   struct oio_tune_port *out);
/* The same among the line shifts of mask shifts only (bit s: shift s). */
void lio_tune_plan_shifts(const struct oio_tune *t, unsigned int port,
			  uint32_t shifts, struct oio_tune_port *out);

/*
 * Heater codes for a bus whose rings at positions with fixed[w] hold
 * code[w] (locked, or parked), solving for the others to reach the
 * positions target_pm[w] - used to re-place rings after others locked.
 */
void lio_tune_codes(const struct oio_tune *t, unsigned int port,
		    unsigned int side, const bool *fixed,
		    const double *target_pm, uint32_t *code);

/*
 * Codes for the rings at positions with parked[w] of a bus whose rings
 * hold code[w]: where they touch no line, their neighbours as they are;
 * an unnamed ring by its likeliest naming, cold if it had none.
 */
void lio_tune_park(const struct oio_tune *t, unsigned int port,
		   unsigned int side, const bool *parked, uint32_t *code);

/*
 * Where ring w of a bus resonates (pm, the lines' frame) with its bus at
 * code[]; NAN for a ring never named.
 */
double lio_tune_bus_position(const struct oio_tune *t, unsigned int port,
			     unsigned int side, unsigned int w,
			     const uint32_t *code);

/*
 * Codes that move the rings at positions with parked[w] of a bus, which
 * sat where codes was[] put them, by shift_pm[l] of the line they sat
 * nearest (NAN: a line whose move is unknown, and that is not followed);
 * the others hold code[w] now.
 */
void lio_tune_follow(const struct oio_tune *t, unsigned int port,
		     unsigned int side, const bool *parked,
		     const uint32_t *was, const double *shift_pm,
		     uint32_t *code);

#endif /* OIO_TUNING_H */
