// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio bring-up: the card accesses its steps are made of - snapshots,
 * waits, lasers, sweeps, release (bringup-run.h).
 *
 * Every step is sized for the card's register budget: state is read from
 * telemetry blocks rather than object by object, requests go in batches,
 * and nothing is written that already holds the wanted value.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bringup-run.h"

/* How long to let a heater settle, in its time constants. */
#define SETTLE_TAUS	6
/*
 * Before the heaters' time constants are measured: long enough for the
 * slowest the card could have (tens of microseconds) to cool down.
 */
#define COOL_US		120
/* Polling periods of the waits, us. */
#define LASER_POLL_US	200
#define LANE_POLL_US	50
#define LOCK_POLL_US	20

void run_progress(struct run *run, const char *stage, unsigned int done,
		     unsigned int total)
{
	if (run->progress)
		run->progress(stage, done, total, run->arg);
}

void run_explain(struct run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run->io->explain(run->io->h, fmt, ap);
	va_end(ap);
}

/* A snapshot of only what the caller looks at: the block is the same. */
int run_snap(struct run *run, unsigned int parts)
{
	const struct oio_telemetry *t = run->tel;
	int err = run->io->snapshot(run->io->h, parts, run->tel);

	if (err)
		return err;
	/* a card reset or replaced under us would leave holes */
	if (((parts & LASERS) && t->n_lasers != run->info.wavelengths) ||
	    ((parts & LANES) && t->n_lanes != lanes_of(run)) ||
	    ((parts & RINGS) && t->n_rings != 2 * lanes_of(run))) {
		run_explain(run, "telemetry does not match the card");
		return -EPROTO;
	}
	return 0;
}

/* A wait's end: timeout_ms of card time, polled every poll_us. */
struct deadline {
	bool armed;
	uint64_t ran;		/* card time gone forwards since the start */
	uint64_t card_was;	/* the card's clock at the last poll */
	uint64_t host_at;	/* on the host's monotonic clock */
	unsigned long polls;
};

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Past the deadline on the card's clock - the time it went forwards, so
 * that a clock set back (a card reset) does not put the end off - or,
 * should that clock stop, twice the timeout on the host's clock since it
 * last went forwards, or twice as many polls as the timeout allows. Polls
 * alone are not enough: each costs a netlink round trip on top of its
 * sleep, and the fastest loops would wait minutes. The host's clock
 * counts only while the card's stands still: a process that the host did
 * not run for seconds has not seen a stopped card, and a card whose time
 * runs only as it is driven (an emulated one) would otherwise time out
 * under a loaded host with nothing wrong.
 */
static int deadline_passed(struct run *run, struct deadline *d,
			   unsigned long poll_us)
{
	uint64_t timeout_ns = run->prm.timeout_ms * 1000000ull;
	uint64_t card = run->tel->time_ns, host = host_ns();

	if (!d->armed || card > d->card_was) {
		if (d->armed)
			d->ran += card - d->card_was;
		d->armed = true;
		d->host_at = host + 2 * timeout_ns;
	}
	d->card_was = card;
	return d->ran > timeout_ns || host > d->host_at ||
	       ++d->polls > 2 * (run->prm.timeout_ms * 1000ul / poll_us + 1);
}

/*
 * Wait until no enabled line ramps; note which lines give light. The last
 * snapshot also carries the parts in extra.
 */
int run_wait_lasers(struct run *run, unsigned int extra)
{
	struct deadline deadline = { 0 };
	unsigned int l;
	int err;

	for (;;) {
		bool ramping = false;

		err = run_snap(run, LASERS | extra);
		if (err)
			return err;
		run->emitting = 0;
		for (l = 0; l < run->info.wavelengths; l++) {
			const struct oio_laser_info *li = &run->tel->laser[l];

			if (li->status & OIO_LASER_RAMPING)
				ramping = true;
			if (run_line_lit(li))
				run->emitting |= 1u << l;
		}
		if (!ramping)
			return 0;
		if (deadline_passed(run, &deadline, LASER_POLL_US)) {
			run_explain(run, "lasers still ramping after %u ms",
				run->prm.timeout_ms);
			return -ETIMEDOUT;
		}
		run->io->sleep_us(run->io->h, LASER_POLL_US);
	}
}

/* Wait until no lane of the mask is in a transient state. */
int run_wait_lanes(struct run *run, const bool *mask,
		      unsigned long first_us)
{
	struct deadline deadline = { 0 };
	unsigned int n;
	int err;

	run->io->sleep_us(run->io->h, first_us);
	for (;;) {
		bool moving = false;

		err = run_snap(run, LANES);
		if (err)
			return err;
		for (n = 0; n < lanes_of(run); n++) {
			enum oio_lane_state s = run->tel->lane[n].state;

			if (mask[n] && s != OIO_LANE_STATE_DEACTIVATED &&
			    s != OIO_LANE_STATE_ACTIVATED &&
			    s != OIO_LANE_STATE_INITIALIZED)
				moving = true;
		}
		if (!moving)
			return 0;
		if (deadline_passed(run, &deadline, LANE_POLL_US)) {
			run_explain(run, "lanes still in transition after %u ms",
				run->prm.timeout_ms);
			return -ETIMEDOUT;
		}
		run->io->sleep_us(run->io->h, LANE_POLL_US);
	}
}

/* Wait until no ring's lock loop is acquiring; the rings' snapshot stays. */
int run_wait_locks(struct run *run)
{
	struct deadline deadline = { 0 };
	unsigned int r;
	int err;

	for (;;) {
		bool busy = false;

		err = run_snap(run, RINGS);
		if (err)
			return err;
		for (r = 0; r < 2 * lanes_of(run); r++)
			busy |= run->tel->ring[r].lock_state ==
				OIO_LOCK_STATE_ACQUIRING;
		if (!busy)
			return 0;
		if (deadline_passed(run, &deadline, LOCK_POLL_US)) {
			run_explain(run, "lock loops still acquiring after %u ms",
				run->prm.timeout_ms);
			return -ETIMEDOUT;
		}
		run->io->sleep_us(run->io->h, LOCK_POLL_US);
	}
}

/* Let heaters just written settle, by the slowest time constant seen. */
void run_settle(struct run *run)
{
	double tau = run->t->tau_ns;
	unsigned int r;

	for (r = 0; r < 2 * lanes_of(run); r++)
		if (run->t->ring[r].tau_ns > tau)
			tau = run->t->ring[r].tau_ns;
	tau = fmin(fmax(tau, 1000), 200000);
	run->io->sleep_us(run->io->h, (unsigned long)(SETTLE_TAUS * tau / 1000));
}

int run_relock(struct run *run, const bool *relock)
{
	const struct oio_card_io *io = run->io;
	unsigned int r;
	int err = io->run(io->h);

	if (err)
		return err;
	run_settle(run);
	for (r = 0; r < 2 * lanes_of(run); r++)
		if (relock[r])
			io->lock(io->h, r, true);
	return io->run(io->h) ?: run_wait_locks(run);
}

/*
 * Before the first line goes below its full bias, the full bias of every
 * line the run found lit goes to the journal: killed while lines are
 * dimmed, the run leaves the next one what full was.
 */
static int keep_full(struct run *run, uint32_t lit, const uint32_t *bias)
{
	const struct oio_card_io *io = run->io;
	uint32_t want = run->kept | run->lit0;
	bool dims = false;
	unsigned int l;
	int err;

	if (!io->keep_full || !(want & ~run->kept))
		return 0;
	for (l = 0; l < run->info.wavelengths; l++)
		dims |= (lit >> l & 1) && bias[l] != run->full_bias[l];
	if (!dims)
		return 0;
	err = io->keep_full(io->h, run->full_bias, want);
	if (!err)
		run->kept = want;
	return err;
}

int run_set_lasers(struct run *run, uint32_t lit, const uint32_t *bias)
{
	const struct oio_card_io *io = run->io;
	unsigned int l;
	int err, e;

	/* nothing dimmed that the journal would not bring back */
	err = keep_full(run, lit, bias);
	if (err)
		return err;

	/*
	 * Not from a snapshot, which may be older than the last writes: each
	 * line is written unless this run itself last set it to the same,
	 * and a write that fails forgets what the line holds.
	 */
	for (l = 0; l < run->info.wavelengths; l++) {
		struct run_laser *k = &run->laser[l];

		if (!(lit >> l & 1))
			continue;
		e = 0;
		if (bias[l] && (!k->known || k->bias != bias[l])) {
			e = io->laser_bias(io->h, l, bias[l]);
			k->bias = bias[l];
		}
		/*
		 * A line the last look saw failed would refuse to light: its
		 * lanes fail, not the run. Its bias goes back all the same.
		 */
		if (!e && (!k->known || k->on != !!bias[l]) &&
		    !(bias[l] && (run->tel->laser[l].status & OIO_LASER_FAILED))) {
			e = io->laser_enable(io->h, l, bias[l]);
			k->on = bias[l];
			/* refused, and failed since that look: not an error */
			if (e && bias[l] && !run_snap(run, LASERS) &&
			    (run->tel->laser[l].status & OIO_LASER_FAILED)) {
				e = 0;
				k->on = false;
			}
		}
		k->known = !e;
		if (k->known && bias[l] == run->full_bias[l])
			run->dimmed &= ~(1u << l);
		else
			run->dimmed |= 1u << l;
		err = err ?: e;
	}
	e = run_wait_lasers(run, 0);
	return err ?: e;
}

int run_full_power(struct run *run, uint32_t lit)
{
	return run_set_lasers(run, lit, run->full_bias);
}

int run_lines_left(struct run *run, uint32_t lit)
{
	unsigned int l;
	int err = run_snap(run, LASERS);

	if (err)
		return err;
	run->emitting = 0;
	for (l = 0; l < run->info.wavelengths; l++) {
		const struct oio_laser_info *li = &run->tel->laser[l];

		if (!(lit >> l & 1) || (li->status & OIO_LASER_FAILED))
			continue;
		if ((run->dimmed >> l & 1) || run_line_lit(li))
			run->emitting |= 1u << l;
	}
	return 0;
}

int run_dim_lines(struct run *run, uint32_t lit, bool dim)
{
	uint32_t bias[MAX_W];
	unsigned int l;

	for (l = 0; l < run->info.wavelengths; l++) {
		bias[l] = run->full_bias[l];
		if (dim && (run->code >> l & 1))
			bias[l] = run->dark ? 0 :
				  (uint32_t)lround(bias[l] * run->prm.dim_bias);
	}
	return run_set_lasers(run, lit, bias);
}

int run_dim_except(struct run *run, uint32_t lit, uint32_t full)
{
	uint32_t bias[MAX_W];
	unsigned int l;

	for (l = 0; l < run->info.wavelengths; l++)
		bias[l] = (full >> l & 1) ? run->full_bias[l] :
			  (uint32_t)lround(run->full_bias[l] *
					   run->prm.dim_bias);
	return run_set_lasers(run, lit, bias);
}

int run_light_only(struct run *run, uint32_t lit, uint32_t on)
{
	uint32_t bias[MAX_W];
	unsigned int l;

	for (l = 0; l < run->info.wavelengths; l++)
		bias[l] = (on >> l & 1) ? run->full_bias[l] : 0;
	return run_set_lasers(run, lit, bias);
}

/*
 * Sweep the rings of the ports in mask at the bus positions asked for (0
 * for all), ports next to each other in one run.
 */
int run_sweep_ports(struct run *run, const bool *mask, uint32_t *dst,
		       uint32_t dwell_ns, uint32_t positions)
{
	unsigned int per_port = 2 * run->info.wavelengths, p = 0;
	struct oio_sweep_req req = {
		.start = 0, .stop = OIO_HEATER_MAX,
		.step = run->prm.sweep_step, .dwell_ns = dwell_ns,
		.positions = positions,
	};
	int err;

	while (p < run->info.ports) {
		unsigned int q = p;

		if (!mask[p]) {
			p++;
			continue;
		}
		while (q < run->info.ports && mask[q])
			q++;
		req.first_ring = p * per_port;
		req.ring_count = (q - p) * per_port;
		err = run->io->sweep(run->io->h, &req,
				     dst + (size_t)req.first_ring * run->points);
		if (err)
			return err;
		run->rep->sweeps++;
		/*
		 * The engine puts the rings back cold at the end, from full
		 * scale: let them settle before the next sweep sees them.
		 */
		run->io->sleep_us(run->io->h, COOL_US);
		p = q;
	}
	return 0;
}

/*
 * Sweeps A and B: a class of bus positions at a time, three apart, so no
 * swept ring has a swept neighbour heating it or taking its line.
 */
int run_sweep_classes(struct run *run, const bool *mask, uint32_t *dst,
			 uint32_t dwell_ns)
{
	unsigned int k, classes = 1;
	int err = 0;

	for (k = 0; k < classes && !err; k++)
		err = run_sweep_ports(run, mask, dst, dwell_ns,
				  lio_tune_class(run->info.wavelengths, k,
						 &classes));
	return err;
}

/* Put the rings of the ports in mask back to cold: lanes off, loops off. */
int run_release_ports(struct run *run, const bool *mask)
{
	bool lanes[OIO_MAX_LANES] = { false };
	unsigned int w = run->info.wavelengths, n, r;
	const struct oio_card_io *io = run->io;
	bool any = false, heat = false;
	int err;

	err = run_snap(run, ALL);
	if (err)
		return err;
	for (n = 0; n < lanes_of(run); n++) {
		const struct oio_lane_info *li = &run->tel->lane[n];
		bool prbs = li->prbs_generator || li->prbs_checker;
		bool up = li->state != OIO_LANE_STATE_DEACTIVATED;

		lanes[n] = mask[n / w];
		/* deactivated: a check it passed no longer holds */
		if (lanes[n])
			run->primed[n] = run->on_line[n] = false;
		if (lanes[n] && (up || prbs))
			io->lane(io->h, n, up ? OIO_LANE_REQUEST_DEACTIVATE : 0,
				 prbs ? 0 : -1, prbs ? 0 : -1);
		any |= lanes[n] && up;
	}
	for (r = 0; r < 2 * lanes_of(run); r++) {
		const struct oio_ring_info *ri = &run->tel->ring[r];

		if (!mask[r / (2 * w)])
			continue;
		if (ri->lock)
			io->lock(io->h, r, false);
		/* the loop leaves its code behind: read it, do not assume */
		if (ri->lock || ri->heater) {
			io->heater(io->h, r, 0);
			heat = true;
		}
	}
	err = io->run(io->h);
	if (!err && any)
		err = run_wait_lanes(run, lanes, 40);
	if (heat)
		io->sleep_us(io->h, COOL_US);
	return err;
}

/* Ring r's heater law: its fit, or the nominal one for a ring never named. */
static void ring_law(const struct run *run, unsigned int r, double *q,
		     double *h)
{
	const struct oio_tune_ring *rg = &run->t->ring[r];

	*q = rg->named ? rg->q : run->g.range_pm;
	*h = rg->named ? rg->h : 0;
}

double run_heat_pm(const struct run *run, unsigned int r, uint32_t code)
{
	double q, h;

	ring_law(run, r, &q, &h);
	return q * lio_tune_law(code / (double)OIO_HEATER_MAX, h);
}

uint32_t run_code_moved(const struct run *run, unsigned int r,
			uint32_t code, double pm)
{
	double q, h, y = run_heat_pm(run, r, code) + pm;

	ring_law(run, r, &q, &h);
	if (!(q > 0) || y >= q)
		return OIO_HEATER_MAX;
	return (uint32_t)lround(lio_tune_law_inv(fmax(y, 0) / q, h) *
				OIO_HEATER_MAX);
}

double run_ring_noise(const struct run *run, unsigned int r)
{
	double noise = run->t->ring[r].noise_na > 0 ? run->t->ring[r].noise_na :
			run->t->noise_na;

	return noise > 0 ? noise : 0;
}

double run_fwhm_pm(const struct run *run, unsigned int r)
{
	const struct oio_tune_ring *rg = &run->t->ring[r];

	return rg->fwhm_pm > 0 ? rg->fwhm_pm : run->g.fwhm_pm;
}

/* Is ring r at code within room pm of an end: -1 cold, 1 hot, 0 neither? */
static int within_of_end(const struct run *run, unsigned int r,
			 uint32_t code, double room)
{
	double y = run_heat_pm(run, r, code), q, h;

	ring_law(run, r, &q, &h);
	return y < room ? -1 : y > q - room ? 1 : 0;
}

int run_near_end(const struct run *run, unsigned int r, uint32_t code,
		 double linewidths)
{
	return within_of_end(run, r, code, linewidths * run->g.fwhm_pm);
}

int run_end_of_reach(const struct run *run, unsigned int r, uint32_t code)
{
	return within_of_end(run, r, code, run_fwhm_pm(run, r) / 2);
}

bool run_at_end(const struct run *run, unsigned int r, uint32_t code)
{
	return run_end_of_reach(run, r, code) != 0;
}
