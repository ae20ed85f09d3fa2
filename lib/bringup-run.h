/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: what the steps of a bring-up share - the run they work on and
 * the card accesses they are made of. Private to bringup*.c.
 */
#ifndef OIO_BRINGUP_RUN_H
#define OIO_BRINGUP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "bringup.h"

#define MAX_W		OIO_MAX_WAVELENGTHS

#define LASERS	OIO_TELEMETRY_PARTS_LASERS
#define LANES	OIO_TELEMETRY_PARTS_LANES
#define RINGS	OIO_TELEMETRY_PARTS_RINGS
#define ALL	(LASERS | LANES | RINGS)

/* What this run last wrote to a line, when the write went through. */
struct run_laser {
	bool known;
	bool on;
	uint32_t bias;
};

/* A lane that errs on this share of its bits gets none of its data. */
#define WRONG_LINE_BER	0.45

/* Did errs of bits say a lane's rings held another line (or none)? */
static inline bool run_wrong_line(uint64_t errs, uint64_t bits)
{
	return bits && (double)errs >= WRONG_LINE_BER * (double)bits;
}

struct run {
	const struct oio_card_io *io;
	struct oio_card_info info;
	struct oio_link_params prm;
	struct oio_tune_geom g;
	struct oio_tune *t;
	struct oio_telemetry *tel;
	uint32_t code;		/* lines dimmed in the second sweep */
	/*
	 * Link up darkens them instead: a line that is off is not there at
	 * all, and the others stay put. Recovery must keep the ports that
	 * work, so it only dims.
	 */
	bool dark;
	/*
	 * Recovery placing by link up's calibration: no line is dimmed or
	 * darkened, so no sweep in place either.
	 */
	bool quiet;
	bool keep_cal;		/* link up: its measurements kept at the end */
	/*
	 * Lines giving light, as the last wait for the lasers saw them; from
	 * link up's sweep B until its lines are back, those that will give
	 * it at full power (run_lines_left()).
	 */
	uint32_t emitting;
	uint32_t lit0;		/* lines lit at full power when the run began */
	uint32_t kept;		/* lines whose full bias the journal holds */
	uint32_t dimmed;	/* lines that may not be at full bias now */
	struct run_laser laser[MAX_W];
	/* lanes INITIALIZED with their PRBS running, from a check passed */
	bool primed[OIO_MAX_LANES];
	/* lanes whose line a ring met only at an end of its heater's range */
	bool at_end[OIO_MAX_LANES];
	/* and of those, the lanes where that end was a cold one */
	bool at_cold_end[OIO_MAX_LANES];
	/*
	 * the line shifts (run_shift_bit()) at which a lane failed at an
	 * end of its reach (at_end), or a sweep in place met its line in no
	 * ring's reach: kept through placements at that shift, which set
	 * at_end anew from their own codes (run_unlocked()), and through a
	 * sweep in place that meets a peak there - inside 32200003's lane 17
	 * met one at code 1147, where its loop then saw no line - cleared
	 * for fresh sweeps (bring_ports())
	 */
	uint32_t end_shifts[OIO_MAX_LANES];
	/*
	 * lanes down for errors whose rings were left locked on their line
	 * (run_holds_line()): by link up's margin check, or as recovery
	 * found them; cleared when the port is released or placed anew,
	 * and as it was when a port is put back at its best
	 */
	bool on_line[OIO_MAX_LANES];
	/*
	 * by ring: parked where its monitor judged it (bringup-park.c) - at
	 * park_code, reading park_na there; park_dark if the monitor moved
	 * it off where the fits put it, to where it reads clear of every
	 * line - and kept there while it sits at that code (run_park_kept()),
	 * until its port is placed again
	 */
	bool by_monitor[OIO_MAX_RINGS];
	bool park_dark[OIO_MAX_RINGS];
	uint32_t park_code[OIO_MAX_RINGS];
	double park_na[OIO_MAX_RINGS];
	/*
	 * by port and line shift: the lanes t->unreach holds out of the
	 * plan only because a line crowded theirs (run_crowded_miss()) -
	 * too weak, not out of reach, if the run ends with them left out
	 */
	uint32_t crowded[OIO_MAX_PORTS][MAX_W];
	uint32_t full_bias[MAX_W];
	double full_uw[MAX_W];
	uint32_t points;
	uint32_t *a;		/* [ring][point], full power, by classes */
	uint32_t *b;		/* coded lines dimmed, by classes */
	uint32_t *c;		/* full power, every ring at once */
	struct oio_tune_port plan[OIO_MAX_PORTS];
	/* by port: the line shifts placed, and the one with most lanes up */
	uint32_t tried[OIO_MAX_PORTS];
	/*
	 * by port and line shift: the lanes let back into the plan there,
	 * once each (spare_one()); and by port, the shift a spared (or
	 * traded, trade_plan()) plan was adopted at (-1: none), the lanes it
	 * must beat, and t->unreach and crowded there before it, put back if
	 * it brings up fewer (replan())
	 */
	uint32_t spared[OIO_MAX_PORTS][MAX_W];
	/* and the lanes up left out there to let two such lanes back */
	uint32_t traded[OIO_MAX_PORTS][MAX_W];
	int spare_at[OIO_MAX_PORTS];
	unsigned int spare_up[OIO_MAX_PORTS];
	uint32_t spare_unreach[OIO_MAX_PORTS];
	uint32_t spare_crowded[OIO_MAX_PORTS];
	bool tried_up[OIO_MAX_PORTS];
	unsigned int best_up[OIO_MAX_PORTS];
	int best_shift[OIO_MAX_PORTS];
	uint32_t best_lit[OIO_MAX_PORTS];	/* lines lit then */
	struct oio_link_report *rep;
	oio_progress_cb progress;
	void *arg;
};

static inline unsigned int lanes_of(const struct run *run)
{
	return run->info.ports * run->info.wavelengths;
}

_Static_assert(OIO_MAX_WAVELENGTHS <= 32, "end_shifts holds a bit a shift");

/* Lane n's port's line shift as a bit of run->end_shifts[n]. */
static inline uint32_t run_shift_bit(const struct run *run, unsigned int n)
{
	uint32_t s = run->rep->line_shift[n / run->info.wavelengths];

	return s < run->info.wavelengths ? 1u << s : 0;
}

/* Does a line give light: enabled, emitting, not failed? */
static inline bool run_line_lit(const struct oio_laser_info *li)
{
	return li->enable && (li->status & OIO_LASER_EMITTING) &&
	       !(li->status & OIO_LASER_FAILED);
}

/* ---- the card, step by step (bringup-card.c) ---- */

void run_progress(struct run *run, const char *stage, unsigned int done,
		  unsigned int total);
void run_explain(struct run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A telemetry snapshot of parts into run->tel. */
int run_snap(struct run *run, unsigned int parts);
/*
 * Wait until no line ramps; note which give light in run->emitting. The
 * last snapshot also carries the parts in extra.
 */
int run_wait_lasers(struct run *run, unsigned int extra);
/* Wait, first_us and on, until no lane of mask is in a transient state. */
int run_wait_lanes(struct run *run, const bool *mask, unsigned long first_us);
/* Wait until no loop is acquiring; the rings' snapshot stays. */
int run_wait_locks(struct run *run);
/* Let heaters just written settle, by the slowest time constant seen. */
void run_settle(struct run *run);
/*
 * Heaters queued with their loops off: send them, let them settle, then
 * turn on the loops of relock[ring] and wait for them to acquire - not
 * before, or a loop would chase the ring while its heater still moves it.
 */
int run_relock(struct run *run, const bool *relock);
/*
 * Every line of lit to bias[l] (0: off): each written, whatever was there,
 * past any write that fails - but a line that has failed is not enabled,
 * nor its refusal an error: its lanes fail, not the run; then the ramps
 * waited for, and run->emitting the lines that give light. The first
 * error back.
 */
int run_set_lasers(struct run *run, uint32_t lit, const uint32_t *bias);
/* The lines of lit back at full power: after every change, error or not. */
int run_full_power(struct run *run, uint32_t lit);
/*
 * With lines of lit still darkened: run->emitting the lines that will
 * give light back at full power - those giving it now, and those this
 * run turned off that have not failed since.
 */
int run_lines_left(struct run *run, uint32_t lit);
/* Coded lines of lit dimmed, or darkened (run->dark), or back to full. */
int run_dim_lines(struct run *run, uint32_t lit, bool dim);
/* Lines of full among lit at full bias, the others dimmed. */
int run_dim_except(struct run *run, uint32_t lit, uint32_t full);
/* The lines of on among lit lit, the others dark. */
int run_light_only(struct run *run, uint32_t lit, uint32_t on);
/* Sweep the rings of the ports in mask at the bus positions (0: all). */
int run_sweep_ports(struct run *run, const bool *mask, uint32_t *dst,
		    uint32_t dwell_ns, uint32_t positions);
/* The same, a class of bus positions at a time. */
int run_sweep_classes(struct run *run, const bool *mask, uint32_t *dst,
		      uint32_t dwell_ns);
/* Rings of the ports in mask back to cold: lanes off, loops off. */
int run_release_ports(struct run *run, const bool *mask);
/*
 * Ring r's linewidth: as its sweeps measured it, or the card's nominal.
 * Rings differ from the nominal by several percent, cards of another
 * design by more.
 */
double run_fwhm_pm(const struct run *run, unsigned int r);
/* Ring r's monitor noise, rms, as the sweeps read it (or the card's). */
double run_ring_noise(const struct run *run, unsigned int r);
/*
 * Is ring r at code within that many of the card's nominal linewidths of
 * an end of its range: -1 of the cold end, 1 of the hot one, 0 of
 * neither? For the windows a loop is probed or moved in, which are wide.
 */
int run_near_end(const struct run *run, unsigned int r, uint32_t code,
		 double linewidths);
/*
 * The same within half ring r's own linewidth (run_fwhm_pm()): where its
 * loop has no room to hold a line, which a ring's own linewidth decides.
 */
int run_end_of_reach(const struct run *run, unsigned int r, uint32_t code);
/* Either end: run_end_of_reach() != 0. */
bool run_at_end(const struct run *run, unsigned int r, uint32_t code);
/* How far ring r's heater moves it at code, by its law: pm red of cold. */
double run_heat_pm(const struct run *run, unsigned int r, uint32_t code);
/* The code that moves ring r, at code, pm red (blue if negative). */
uint32_t run_code_moved(const struct run *run, unsigned int r,
			uint32_t code, double pm);

/* ---- placing rings the sweeps left unsure (bringup-place.c) ---- */

/* Re-place, from their neighbours' codes, rings whose loop went wrong. */
int run_repair(struct run *run, const bool *mask, bool *want);
/* Name the rings no naming was sure for, by a lone line's sweep. */
int run_anchor_unnamed(struct run *run, const bool *mask);
/*
 * Place the rings of lanes that failed (of only, if not NULL) by sweeping
 * them where they stand with their line alone lit; *again if the lanes
 * need verifying again.
 */
int run_place_in_situ(struct run *run, const bool *mask, const bool *only,
		      bool *want, bool *again);

/*
 * Rings of the lanes of mask not wanted, but for those holding their line
 * (run_holds_line()): loops off, parked where they take no line from the
 * lanes that are up - a cold one too, which its neighbours' heat may have
 * moved onto a line; a ring no naming placed goes cold; one whose monitor
 * reads a line the fits have it clear of, moved where it reads least
 * (bringup-park.c). *moved if any loop went off or heater changed (not if
 * all sat parked already).
 */
int run_park(struct run *run, const bool *mask, const bool *want,
	     bool *moved);
/*
 * Is ring r, at code, where a park by its monitor left it - no darker
 * place found, or one the fits have near a line?
 */
static inline bool run_park_kept(const struct run *run, unsigned int r,
				 uint32_t code)
{
	return run->by_monitor[r] && run->park_code[r] == code;
}

/* The latter: moved by its monitor to where it reads clear. */
static inline bool run_park_dark(const struct run *run, unsigned int r,
				 uint32_t code)
{
	return run_park_kept(run, r, code) && run->park_dark[r];
}

/* ---- lanes (bringup-verify.c) ---- */

void run_fail_lane(struct run *run, unsigned int n, enum oio_link_fail why,
		   bool *want);
/* Why lane n's rings, placed and snapped in run->tel, did not lock. */
enum oio_link_fail run_unlocked(const struct run *run, unsigned int n);
/* Start the wanted lanes, check their locks and their PRBS over a dwell. */
int run_verify(struct run *run, const bool *mask, bool *want);
/* The lanes that verified go to ACTIVATED. */
int run_activate(struct run *run, bool *want);

/* ---- margin (bringup-margin.c) ---- */

/*
 * The lanes that verified, checked again with less light: margin. Only
 * those of judge fail for it (NULL: every one). A ring of a lane down
 * whose loop lost its line or found none may have its loop turned off,
 * to follow the line it sits nearest as a parked one does.
 */
int run_margin(struct run *run, const bool *mask, const bool *judge,
	       bool *want);
/*
 * Lane n's Q with the lines moved by shift (pm, by line; NAN: not
 * measured) over its Q at full power, the power they share left out,
 * from the rings' codes at full power and how run->tel finds their
 * loops, the rings of the lanes down in the ports of mask following
 * their lines as run_margin() has them (bringup-qgain.c): 1 where it
 * cannot tell.
 */
double run_q_gain(const struct run *run, unsigned int n, const bool *mask,
		  const bool *want, const uint32_t *full, const double *shift);
/* A share of another line that crowds a lane's own: within a linewidth. */
#define CROWDED		0.2
/*
 * The largest share lane n's rings take of another lit line among lines,
 * centred on their own (bringup-qgain.c): 0 where it cannot tell.
 */
double run_crowding(const struct run *run, unsigned int n, uint32_t lines);
/*
 * The share of a full peak ring r's monitor reads, by where the fits put
 * it at the codes in run->tel against the lit lines at full power: the
 * tails of each, the light the rings upstream take left out (it reckons
 * high). NAN if no naming placed it (bringup-qgain.c).
 */
double run_park_share(const struct run *run, unsigned int r);
/*
 * Did lane n fail its PRBS as a lane whose rings hold another line does,
 * on a line crowded by another (bringup-verify.c)? Its reason says too
 * weak, as a crowded line is, but its rings may sit on the other line.
 */
bool run_crowded_miss(const struct run *run, unsigned int n);
/*
 * Why lane n failed, the card's state machine having refused it for
 * the reason in its telemetry (bringup-verify.c).
 */
enum oio_link_fail run_refusal(const struct run *run, unsigned int n);
/*
 * Does lane n, down for errors with its rings left on its line, still
 * have both locked, neither at its limit, in run->tel (bringup-verify.c)?
 * Parking leaves them there.
 */
bool run_holds_line(const struct run *run, unsigned int n);

#endif /* OIO_BRINGUP_RUN_H */
