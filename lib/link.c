// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: link bring-up, tear-down and recovery - the I/O half; the
 * arithmetic is in tuning.c.
 *
 * Every step is sized for the card's register budget: state is read from
 * telemetry blocks (three register accesses each) rather than object gets,
 * and nothing is written that already holds the wanted value.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oio-private.h"
#include "tuning.h"

#define OIO_LASER_THRESHOLD_UA	20000	/* datasheet 6.11: no light below */
#define OIO_XTALK		0.08	/* datasheet 7.2: bus neighbours */

struct oio_run {
	struct oio_ctx *ctx;
	uint32_t card;
	struct oio_link_params prm;
	struct oio_card_info info;
	struct oio_tune_geom g;
	struct oio_telemetry *t;
	uint32_t code;		/* lines dimmed in the coded sweep */
	uint32_t emitting;
	uint32_t full_bias[OIO_MAX_WAVELENGTHS];
	uint32_t points;
	uint32_t *full;		/* [ring][point] */
	uint32_t *coded;
	double *u;
	struct oio_tune_ring *rings;
	struct oio_link_report *rep;
	oio_progress_cb progress;
	void *arg;
};

OIO_API void oio_link_params_init(struct oio_link_params *p)
{
	p->sweep_step = 28;
	p->sweep_dwell_ns = 2000;
	p->heater_tau_ns = 4000;
	p->prbs_dwell_us = 1000;
	p->ber_target = 1e-12;
	p->code_dim = 0.667;
	p->timeout_ms = 2000;
}

static void sleep_us(unsigned long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void progress(struct oio_run *run, const char *stage,
		     unsigned int done, unsigned int total)
{
	if (run->progress)
		run->progress(stage, done, total, run->arg);
}

/* Telemetry of only what the caller looks at: the block is the same. */
static int snap(struct oio_run *run, unsigned int parts)
{
	const struct oio_telemetry *t = run->t;
	int err;

	err = oio_telemetry_get_parts(run->ctx, run->card, parts, run->t);
	if (err)
		return err;
	/* a card reset or replaced under us would leave holes */
	if (((parts & OIO_TELEMETRY_PARTS_LASERS) &&
	     t->n_lasers != run->info.wavelengths) ||
	    ((parts & OIO_TELEMETRY_PARTS_LANES) &&
	     t->n_lanes != run->info.ports * run->info.wavelengths) ||
	    ((parts & OIO_TELEMETRY_PARTS_RINGS) &&
	     t->n_rings != 2 * run->info.ports * run->info.wavelengths)) {
		oio_ctx_set_err(run->ctx, "telemetry does not match the card");
		return -EPROTO;
	}
	return 0;
}

#define LASERS	OIO_TELEMETRY_PARTS_LASERS
#define LANES	OIO_TELEMETRY_PARTS_LANES
#define RINGS	OIO_TELEMETRY_PARTS_RINGS
#define ALL	(LASERS | LANES | RINGS)

static unsigned int lanes_of(const struct oio_run *run)
{
	return run->info.ports * run->info.wavelengths;
}

/*
 * Wait until no enabled line ramps; note which lines give light. The last
 * snapshot also carries the parts in extra.
 */
static int wait_lasers(struct oio_run *run, unsigned int extra)
{
	uint64_t deadline = 0;
	unsigned int l;
	int err;

	for (;;) {
		bool ramping = false;

		err = snap(run, LASERS | extra);
		if (err)
			return err;
		if (!deadline)
			deadline = run->t->time_ns +
				   run->prm.timeout_ms * 1000000ull;
		run->emitting = 0;
		for (l = 0; l < run->info.wavelengths; l++) {
			const struct oio_laser_info *li = &run->t->laser[l];

			if (li->enable && (li->status & OIO_LASER_RAMPING))
				ramping = true;
			if (li->enable && (li->status & OIO_LASER_EMITTING) &&
			    !(li->status & OIO_LASER_FAILED))
				run->emitting |= 1u << l;
		}
		if (!ramping)
			return 0;
		if (run->t->time_ns > deadline) {
			oio_ctx_set_err(run->ctx, "lasers still ramping after %u ms",
					run->prm.timeout_ms);
			return -ETIMEDOUT;
		}
		sleep_us(200);
	}
}

/* Wait until no lane of the mask is in a transient state. */
static int wait_lanes(struct oio_run *run, const bool *mask,
		      unsigned long first_us)
{
	uint64_t deadline = 0;
	unsigned int n;
	int err;

	sleep_us(first_us);
	for (;;) {
		bool moving = false;

		err = snap(run, LANES);
		if (err)
			return err;
		if (!deadline)
			deadline = run->t->time_ns +
				   run->prm.timeout_ms * 1000000ull;
		for (n = 0; n < lanes_of(run); n++) {
			enum oio_lane_state s = run->t->lane[n].state;

			if (mask[n] && s != OIO_LANE_STATE_DEACTIVATED &&
			    s != OIO_LANE_STATE_ACTIVATED &&
			    s != OIO_LANE_STATE_INITIALIZED)
				moving = true;
		}
		if (!moving)
			return 0;
		if (run->t->time_ns > deadline) {
			oio_ctx_set_err(run->ctx,
					"lanes still in transition after %u ms",
					run->prm.timeout_ms);
			return -ETIMEDOUT;
		}
		sleep_us(50);
	}
}

/* Coded lines at full power (dim false) or dimmed to prm.code_dim. */
static int dim_lines(struct oio_run *run, bool dim)
{
	bool changed = false;
	unsigned int l;
	int err;

	for (l = 0; l < run->info.wavelengths; l++) {
		uint32_t full = run->full_bias[l], bias = full;

		if (!(run->code & (1u << l)) || !(run->emitting & (1u << l)))
			continue;
		if (dim)
			bias = OIO_LASER_THRESHOLD_UA +
			       (uint32_t)lround((full - OIO_LASER_THRESHOLD_UA) *
						run->prm.code_dim);
		err = oio_laser_set_bias(run->ctx, run->card, l, bias);
		if (err)
			return err;
		changed = true;
	}
	/*
	 * A bias change ramps for about a millisecond (datasheet 6.11). The
	 * coded sweep needs it done; going back up, the lock loops ride the
	 * ramp and only the lanes wait for it.
	 */
	if (changed && dim)
		sleep_us(1000);
	return 0;
}

/*
 * Sweep the rings of the ports in mask, whole ports per run so each ring
 * is swept with both bus neighbours, as the tuning arithmetic assumes.
 */
static int sweep_ports(struct oio_run *run, const bool *mask, uint32_t *dst)
{
	unsigned int per_port = 2 * run->info.wavelengths, p = 0, most;
	struct oio_sweep_req req = {
		.start = 0, .stop = OIO_HEATER_MAX,
		.step = run->prm.sweep_step, .dwell_ns = run->prm.sweep_dwell_ns,
	};
	int err;

	most = OIO_SWEEP_REPLY_MAX / (4 * run->points * per_port);
	if (!most)
		most = 1;
	while (p < run->info.ports) {
		struct oio_sweep *s;
		unsigned int q = p;

		if (!mask[p]) {
			p++;
			continue;
		}
		while (q < run->info.ports && mask[q] && q - p < most)
			q++;
		req.first_ring = p * per_port;
		req.ring_count = (q - p) * per_port;
		err = oio_sweep_run(run->ctx, run->card, &req, &s);
		if (err)
			return err;
		memcpy(dst + (size_t)req.first_ring * run->points, s->trace,
		       4ull * req.ring_count * run->points);
		oio_sweep_free(s);
		run->rep->sweeps++;
		progress(run, "sweep", q, run->info.ports);
		p = q;
	}
	return 0;
}

/* Put the rings of the ports in mask back to cold: lanes off, loops off. */
static int release_ports(struct oio_run *run, const bool *mask)
{
	bool lanes[OIO_MAX_LANES] = { false };
	unsigned int w = run->info.wavelengths, n, r;
	bool any = false;
	int err;

	struct oio_batch b;

	err = snap(run, ALL);
	if (err)
		return err;
	oio_batch_init(&b, run->ctx);
	for (n = 0; n < lanes_of(run); n++) {
		const struct oio_lane_info *li = &run->t->lane[n];
		bool prbs = li->prbs_generator || li->prbs_checker;
		bool up = li->state != OIO_LANE_STATE_DEACTIVATED;

		lanes[n] = mask[n / w];
		if (lanes[n] && (up || prbs))
			oio_batch_add(&b, oio_msg_lane_set(
				run->ctx, run->card, n,
				up ? OIO_LANE_REQUEST_DEACTIVATE : 0,
				prbs ? 0 : -1, prbs ? 0 : -1));
		any |= lanes[n] && up;
	}
	for (r = 0; r < 2 * lanes_of(run); r++) {
		if (!mask[r / (2 * w)])
			continue;
		if (run->t->ring[r].lock)
			oio_batch_add(&b, oio_msg_ring_lock(run->ctx, run->card,
							    r, false));
		/* the loop leaves its code behind: read it, do not assume */
		if (run->t->ring[r].lock || run->t->ring[r].heater)
			oio_batch_add(&b, oio_msg_ring_heater(run->ctx,
							      run->card, r, 0));
	}
	err = oio_batch_run(&b);
	if (!err && any)
		err = wait_lanes(run, lanes, 40);
	/* heaters settle in about five time constants */
	sleep_us(5 * run->prm.heater_tau_ns / 1000 + 1);
	return err;
}

static void analyse(struct oio_run *run, const bool *mask)
{
	unsigned int w = run->info.wavelengths, r;
	double threshold = (1 + run->prm.code_dim) / 2;

	for (r = 0; r < 2 * lanes_of(run); r++) {
		struct oio_tune_ring *rg = &run->rings[r];

		if (!mask[r / (2 * w)])
			continue;
		oio_tune_peaks(rg, run->full + (size_t)r * run->points,
			       run->coded + (size_t)r * run->points, run->u,
			       run->points, &run->g);
		oio_tune_identify(rg, &run->g, run->code, run->emitting,
				  threshold);
	}
	oio_tune_ranges(run->rings, &run->g);
}

/* Line shift, heaters, then the lock loops in bus order. */
static int apply_port(struct oio_run *run, unsigned int p,
		      const struct oio_tune_port *tp, bool *want,
		      struct oio_batch *b)
{
	unsigned int w = run->info.wavelengths, side, i;
	int err = 0;

	if (tp->shift >= 0 && run->rep->line_shift[p] != (uint32_t)tp->shift) {
		err = oio_port_set_line_shift(run->ctx, run->card, p,
					      (uint32_t)tp->shift);
		if (err)
			return err;
		run->rep->line_shift[p] = (uint32_t)tp->shift;
	}
	for (side = 0; side < 2; side++)
		for (i = 0; i < w; i++)
			if (tp->code[side][i])
				oio_batch_add(b, oio_msg_ring_heater(
					run->ctx, run->card,
					oio_tune_ring_of(&run->g, p, side, i),
					tp->code[side][i]));
	for (i = 0; i < w; i++)
		want[p * w + i] = tp->shift >= 0 && tp->usable[i];
	return err;
}

static void lock_port(struct oio_run *run, unsigned int p, const bool *want,
		      struct oio_batch *b)
{
	unsigned int w = run->info.wavelengths, side, i;

	/* upstream first: a ring takes only what the rings before it left */
	for (side = 0; side < 2; side++)
		for (i = 0; i < w; i++)
			if (want[p * w + i])
				oio_batch_add(b, oio_msg_ring_lock(
					run->ctx, run->card,
					oio_tune_ring_of(&run->g, p, side, i),
					true));
}

static void fail_lane(struct oio_run *run, unsigned int n,
		      enum oio_link_fail why, bool *want)
{
	if (run->rep->lane[n].fail == OIO_LINK_OK)
		run->rep->lane[n].fail = why;
	want[n] = false;
}

/*
 * PRBS runs whatever the lane's state, so each wanted lane starts its
 * generator and checker and its INIT in one request; run->t, taken just
 * after, holds the counters at the start of the dwell.
 */
static int start_lanes(struct oio_run *run, const bool *want)
{
	struct oio_batch b;
	unsigned int n;

	oio_batch_init(&b, run->ctx);
	for (n = 0; n < lanes_of(run); n++)
		if (want[n])
			oio_batch_add(&b, oio_msg_lane_set(
				run->ctx, run->card, n,
				OIO_LANE_REQUEST_INITIALIZE, 1, 1));
	return oio_batch_run(&b);
}

/*
 * After the dwell: lanes with too many errors, that did not initialise
 * or whose rings did not lock are failed and sent back; the others stop
 * PRBS and activate in one request each.
 */
static int verify_and_activate(struct oio_run *run, const bool *started,
			       bool *want)
{
	uint64_t bits[OIO_MAX_LANES], errs[OIO_MAX_LANES];
	struct oio_batch b;
	unsigned int n;
	int err;

	for (n = 0; n < lanes_of(run); n++) {
		bits[n] = run->t->lane[n].prbs_bits;
		errs[n] = run->t->lane[n].prbs_errors;
	}
	progress(run, "verify", 0, 1);
	sleep_us(run->prm.prbs_dwell_us);
	err = wait_lasers(run, LANES);
	oio_batch_init(&b, run->ctx);
	for (n = 0; n < lanes_of(run) && !err; n++) {
		struct oio_link_lane *ll = &run->rep->lane[n];
		const struct oio_lane_info *li = &run->t->lane[n];
		enum oio_lane_request req = OIO_LANE_REQUEST_ACTIVATE;

		if (!started[n])
			continue;
		if (!want[n]) {
			/* its rings did not lock: back it goes */
			oio_batch_add(&b, oio_msg_lane_set(
				run->ctx, run->card, n,
				OIO_LANE_REQUEST_DEACTIVATE, 0, 0));
			continue;
		}
		ll->prbs_bits = li->prbs_bits - bits[n];
		ll->prbs_errors = li->prbs_errors - errs[n];
		if (!ll->prbs_bits || (double)ll->prbs_errors >
		    run->prm.ber_target * (double)ll->prbs_bits) {
			fail_lane(run, n, OIO_LINK_BER_HIGH, want);
			req = OIO_LANE_REQUEST_DEACTIVATE;
		} else if (li->state != OIO_LANE_STATE_INITIALIZED) {
			ll->reason = li->reason;
			fail_lane(run, n, OIO_LINK_NOT_ACTIVATED, want);
			req = OIO_LANE_REQUEST_DEACTIVATE;
		}
		oio_batch_add(&b, oio_msg_lane_set(run->ctx, run->card, n, req,
						   0, 0));
	}
	err = err ?: oio_batch_run(&b);
	progress(run, "verify", 1, 1);
	/* TXTURNON takes 50 us (datasheet 6.12) */
	err = err ?: wait_lanes(run, want, 60);
	for (n = 0; n < lanes_of(run) && !err; n++)
		if (want[n] && run->t->lane[n].state != OIO_LANE_STATE_ACTIVATED) {
			run->rep->lane[n].reason = run->t->lane[n].reason;
			fail_lane(run, n, OIO_LINK_NOT_ACTIVATED, want);
		}
	progress(run, "activate", 1, 1);
	return err;
}

/* Sweep, assign, tune, lock, verify and activate the ports in mask. */
static int bring_ports(struct oio_run *run, const bool *mask)
{
	unsigned int w = run->info.wavelengths, p, n, side, i;
	bool want[OIO_MAX_LANES] = { false }, started[OIO_MAX_LANES];
	struct oio_batch b;
	int err, lerr;

	oio_tune_drive(run->u, run->points, 0, run->prm.sweep_step,
		       run->prm.sweep_dwell_ns, run->prm.heater_tau_ns, 0);
	err = sweep_ports(run, mask, run->full);
	if (err)
		return err;
	err = dim_lines(run, true) ?:
	      wait_lasers(run, 0) ?:
	      sweep_ports(run, mask, run->coded);
	/* back to full power whatever happened: the next run starts there */
	lerr = dim_lines(run, false);
	err = err ?: lerr;
	if (err)
		return err;
	progress(run, "tune", 0, run->info.ports);
	analyse(run, mask);
	oio_batch_init(&b, run->ctx);
	for (p = 0; p < run->info.ports && !err; p++) {
		struct oio_tune_port tp;

		if (!mask[p])
			continue;
		oio_tune_port(run->rings, &run->g, p, run->emitting, &tp);
		for (i = 0; i < w; i++) {
			struct oio_link_lane *ll = &run->rep->lane[p * w + i];
			unsigned int l = (i + (tp.shift < 0 ? 0 : tp.shift)) % w;
			bool seen = true;

			ll->line = l;
			for (side = 0; side < 2; side++)
				seen &= run->rings[oio_tune_ring_of(
					&run->g, p, side, i)].identified;
			if (!(run->emitting & (1u << l)))
				ll->fail = OIO_LINK_LINE_DARK;
			else if (!seen)
				ll->fail = OIO_LINK_NO_RESONANCE;
			else if (tp.shift < 0 || !tp.usable[i])
				ll->fail = OIO_LINK_OUT_OF_RANGE;
		}
		err = apply_port(run, p, &tp, want, &b);
		progress(run, "tune", p + 1, run->info.ports);
	}
	/* run even after a failure: the batch owns its requests */
	lerr = oio_batch_run(&b);
	err = err ?: lerr;
	if (err)
		return err;
	sleep_us(5 * run->prm.heater_tau_ns / 1000 + 1);
	for (p = 0; p < run->info.ports; p++)
		if (mask[p])
			lock_port(run, p, want, &b);
	err = oio_batch_run(&b);
	/*
	 * One snapshot serves as the lock check and the PRBS baseline, so
	 * the lanes start first; the time it carries, which the report calls
	 * locked, is then a little late, never early.
	 */
	memcpy(started, want, sizeof(started));
	err = err ?: start_lanes(run, started) ?: snap(run, LANES | RINGS);
	if (err)
		return err;
	run->rep->t_locked = run->t->time_ns;
	progress(run, "lock", 1, 1);
	for (n = 0; n < lanes_of(run); n++) {
		const struct oio_ring_info *tx = &run->t->ring[2 * n];
		const struct oio_ring_info *rx = &run->t->ring[2 * n + 1];

		if (!mask[n / w])
			continue;
		run->rep->lane[n].tx_code = tx->heater;
		run->rep->lane[n].rx_code = rx->heater;
		if (want[n] && (tx->lock_state != OIO_LOCK_STATE_LOCKED ||
				rx->lock_state != OIO_LOCK_STATE_LOCKED))
			fail_lane(run, n, OIO_LINK_UNLOCKED, want);
	}
	return verify_and_activate(run, started, want);
}

static int run_init(struct oio_run *run, struct oio_ctx *ctx, uint32_t card,
		    const struct oio_link_params *params,
		    struct oio_link_report *rep, oio_progress_cb cb, void *arg)
{
	unsigned int k, r;
	int err;

	memset(run, 0, sizeof(*run));
	if (!ctx || !rep)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	rep->card_id = card;
	run->ctx = ctx;
	run->card = card;
	if (params)
		run->prm = *params;
	else
		oio_link_params_init(&run->prm);
	if (!run->prm.sweep_step || run->prm.sweep_step > OIO_HEATER_MAX ||
	    run->prm.sweep_dwell_ns < 100 || run->prm.sweep_dwell_ns > 1000000 ||
	    !(run->prm.code_dim > 0.1 && run->prm.code_dim < 0.9) ||
	    !(run->prm.ber_target >= 0) || !run->prm.timeout_ms) {
		oio_ctx_set_err(ctx, "link parameters out of range");
		return -EINVAL;
	}
	run->rep = rep;
	run->progress = cb;
	run->arg = arg;
	err = oio_card_get(ctx, card, &run->info);
	if (err)
		return err;
	if (!run->info.ports || run->info.ports > OIO_MAX_PORTS ||
	    !run->info.wavelengths ||
	    run->info.wavelengths > OIO_MAX_WAVELENGTHS)
		return -EPROTO;
	if (!run->info.grid_spacing_pm || !run->info.fsr_pm ||
	    !run->info.heater_range_pm || !run->info.fwhm_pm) {
		oio_ctx_set_err(ctx, "the driver does not report the card's optics (oio.ko too old?)");
		return -EOPNOTSUPP;
	}
	run->g = (struct oio_tune_geom){
		.ports = run->info.ports,
		.wavelengths = run->info.wavelengths,
		.spacing_pm = run->info.grid_spacing_pm,
		.fsr_pm = run->info.fsr_pm,
		.range_pm = run->info.heater_range_pm,
		.fwhm_pm = run->info.fwhm_pm,
		.xtalk = OIO_XTALK,
	};
	run->code = oio_tune_code(run->info.wavelengths, &k);
	run->points = OIO_HEATER_MAX / run->prm.sweep_step + 1;
	r = 2 * lanes_of(run);
	run->t = calloc(1, sizeof(*run->t));
	run->full = calloc((size_t)r * run->points, 4);
	run->coded = calloc((size_t)r * run->points, 4);
	run->u = calloc(run->points, sizeof(double));
	run->rings = calloc(r, sizeof(*run->rings));
	if (!run->t || !run->full || !run->coded || !run->u || !run->rings)
		return -ENOMEM;
	memset(rep, 0, sizeof(*rep));
	rep->card_id = card;
	rep->lanes = lanes_of(run);
	rep->ports = run->info.ports;
	return 0;
}

static void run_free(struct oio_run *run)
{
	free(run->t);
	free(run->full);
	free(run->coded);
	free(run->u);
	free(run->rings);
}

static int finish(struct oio_run *run, int err)
{
	struct oio_link_report *rep = run->rep;
	unsigned int n;

	if (!err)
		err = snap(run, LANES);
	if (!err) {
		rep->t_done = run->t->time_ns;
		rep->lanes_up = 0;
		for (n = 0; n < rep->lanes; n++) {
			if (run->t->lane[n].state == OIO_LANE_STATE_ACTIVATED) {
				rep->lanes_up++;
				rep->lane[n].fail = OIO_LINK_OK;
			} else if (rep->lane[n].fail == OIO_LINK_OK) {
				rep->lane[n].fail = OIO_LINK_NOT_ACTIVATED;
				rep->lane[n].reason = run->t->lane[n].reason;
			}
		}
		if (rep->lanes_up < rep->lanes) {
			oio_ctx_set_err(run->ctx, "%u of %u lanes did not come up",
					rep->lanes - rep->lanes_up, rep->lanes);
			err = -EIO;
		}
	}
	run_free(run);
	return err;
}

static int read_shifts(struct oio_run *run)
{
	struct oio_port_info *ports;
	size_t n, i;
	int err;

	err = oio_port_list(run->ctx, run->card, &ports, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (ports[i].port < OIO_MAX_PORTS)
			run->rep->line_shift[ports[i].port] = ports[i].line_shift;
	free(ports);
	return 0;
}

OIO_API int oio_link_up(struct oio_ctx *ctx, uint32_t card,
			const struct oio_link_params *params,
			struct oio_link_report *rep, oio_progress_cb cb,
			void *arg)
{
	bool all[OIO_MAX_PORTS];
	struct oio_run run;
	unsigned int l, p;
	int err;

	err = run_init(&run, ctx, card, params, rep, cb, arg);
	if (err) {
		run_free(&run);
		return err;
	}
	if (!run.info.interlock_closed) {
		oio_ctx_set_err(ctx, "the card's laser interlock is open");
		run_free(&run);
		return -EBUSY;
	}
	for (p = 0; p < OIO_MAX_PORTS; p++)
		all[p] = p < run.info.ports;
	progress(&run, "reset", 0, 1);
	err = read_shifts(&run) ?: release_ports(&run, all);
	if (!err && !run.info.armed)
		err = oio_card_set_armed(ctx, card, true);
	err = err ?: snap(&run, LASERS);
	if (err)
		return finish(&run, err);
	rep->t_start = run.t->time_ns;
	progress(&run, "lasers", 0, 1);
	for (l = 0; l < run.info.wavelengths && !err; l++) {
		const struct oio_laser_info *li = &run.t->laser[l];

		run.full_bias[l] = li->bias_set_ua;
		if (run.full_bias[l] <= OIO_LASER_THRESHOLD_UA) {
			oio_ctx_set_err(ctx, "laser line %u is set below its threshold",
					l);
			err = -EINVAL;
		} else if (!li->enable && !(li->status & OIO_LASER_FAILED)) {
			err = oio_laser_set_enable(ctx, card, l, true);
		}
	}
	if (!err)
		sleep_us(1000);
	err = err ?: wait_lasers(&run, 0);
	if (err)
		return finish(&run, err);
	rep->t_lasers = run.t->time_ns;
	progress(&run, "lasers", 1, 1);
	return finish(&run, bring_ports(&run, all));
}

OIO_API int oio_link_down(struct oio_ctx *ctx, uint32_t card)
{
	struct oio_link_report *rep = calloc(1, sizeof(*rep));
	bool all[OIO_MAX_PORTS];
	struct oio_run run;
	unsigned int l, p;
	int err;

	if (!rep)
		return -ENOMEM;
	err = run_init(&run, ctx, card, NULL, rep, NULL, NULL);
	for (p = 0; p < OIO_MAX_PORTS; p++)
		all[p] = !err && p < run.info.ports;
	err = err ?: release_ports(&run, all) ?: snap(&run, LASERS);
	for (l = 0; !err && l < run.info.wavelengths; l++)
		if (run.t->laser[l].enable)
			err = oio_laser_set_enable(ctx, card, l, false);
	run_free(&run);
	free(rep);
	return err;
}

OIO_API int oio_link_recover(struct oio_ctx *ctx, uint32_t card,
			     const struct oio_link_params *params,
			     struct oio_link_report *rep, oio_progress_cb cb,
			     void *arg)
{
	bool bad[OIO_MAX_PORTS] = { false };
	unsigned int w, n, l, nbad = 0;
	struct oio_run run;
	int err;

	err = run_init(&run, ctx, card, params, rep, cb, arg);
	err = err ?: read_shifts(&run) ?: snap(&run, ALL);
	if (err) {
		run_free(&run);
		return err;
	}
	w = run.info.wavelengths;
	rep->t_start = rep->t_lasers = run.t->time_ns;
	for (l = 0; l < w; l++) {
		const struct oio_laser_info *li = &run.t->laser[l];

		run.full_bias[l] = li->bias_set_ua;
		if (li->enable && (li->status & OIO_LASER_EMITTING) &&
		    !(li->status & OIO_LASER_FAILED))
			run.emitting |= 1u << l;
	}
	if (!run.emitting) {
		oio_ctx_set_err(ctx, "no laser line is lit: run link up");
		run_free(&run);
		return -ENOLINK;
	}
	for (n = 0; n < rep->lanes; n++) {
		const struct oio_ring_info *rg = &run.t->ring[2 * n];
		unsigned int line = (n % w + rep->line_shift[n / w]) % w;
		bool sick = run.t->lane[n].state != OIO_LANE_STATE_ACTIVATED &&
			    (run.emitting & (1u << line));

		/* healthy ports keep theirs; sick ones get theirs anew */
		rep->lane[n].line = line;
		rep->lane[n].tx_code = rg[0].heater;
		rep->lane[n].rx_code = rg[1].heater;

		for (l = 0; l < 2; l++)
			sick |= rg[l].lock && (rg[l].at_limit ||
					       rg[l].lock_state != OIO_LOCK_STATE_LOCKED);
		if (sick && !bad[n / w]) {
			bad[n / w] = true;
			nbad++;
		}
	}
	if (!nbad)
		return finish(&run, 0);
	progress(&run, "reset", 0, 1);
	err = release_ports(&run, bad);
	return finish(&run, err ?: bring_ports(&run, bad));
}
