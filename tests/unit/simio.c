// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's card interface on the host's emulated card; see simio.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

#include "simio.h"

#define DMA_BASE	0x100000000ull
#define DMA_SIZE	(512 * 1024)

enum { Q_HEATER, Q_LOCK, Q_LANE };

static struct simio *of(void *h)
{
	return h;
}

static uint32_t le(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Run an engine that DMAs into the window: GO, then wait until it is done. */
static int engine_wait(struct simcard *c, uint32_t status_reg, int64_t ns)
{
	simcard_wait(c, ns + 1000);
	switch (simcard_rd(c, status_reg)) {
	case OIO_ENG_DONE:
		return 0;
	case OIO_ENG_BUSY:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static int sim_snapshot(void *h, unsigned int parts, struct oio_telemetry *t)
{
	struct simcard *c = of(h)->c;
	OioEngineState *s = &c->s;
	const uint8_t *blk = c->dma, *p;
	unsigned int i;
	int err;

	/* as liboio's: the parts asked for, the rest left as it was */
	if (!parts)
		parts = OIO_TELEMETRY_PARTS_LASERS | OIO_TELEMETRY_PARTS_LANES |
			OIO_TELEMETRY_PARTS_RINGS;
	simcard_wr(c, OIO_REG_TELEM_ADDR_LO, (uint32_t)DMA_BASE);
	simcard_wr(c, OIO_REG_TELEM_ADDR_HI, (uint32_t)(DMA_BASE >> 32));
	simcard_wr(c, OIO_REG_TELEM_LEN, DMA_SIZE);
	simcard_wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	err = engine_wait(c, OIO_REG_TELEM_STATUS, OIO_T_TELEM_NS);
	if (err)
		return err;
	memset(t, 0, offsetof(struct oio_telemetry, laser));
	t->seq = le(blk + OIO_TELEM_HDR_SEQ);
	t->time_ns = le(blk + OIO_TELEM_HDR_TIME_NS_LO) |
		     (uint64_t)le(blk + OIO_TELEM_HDR_TIME_NS_HI) << 32;
	t->temp_mc = (int32_t)le(blk + OIO_TELEM_HDR_CARD_TEMP);
	p = blk + OIO_TELEM_HDR_SIZE;
	if (parts & OIO_TELEMETRY_PARTS_LASERS)
		t->n_lasers = s->wavelengths;
	if (parts & OIO_TELEMETRY_PARTS_LANES)
		t->n_lanes = s->lanes;
	if (parts & OIO_TELEMETRY_PARTS_RINGS)
		t->n_rings = s->rings;
	for (i = 0; i < s->wavelengths; i++, p += OIO_TELEM_LASER_SIZE) {
		struct oio_laser_info *l = &t->laser[i];

		if (!(parts & OIO_TELEMETRY_PARTS_LASERS))
			continue;

		l->line = i;
		l->enable = le(p + OIO_TELEM_LASER_CTRL) & OIO_LASER_ENABLE;
		l->bias_set_ua = le(p + OIO_TELEM_LASER_BIAS_SET);
		l->bias_ua = le(p + OIO_TELEM_LASER_BIAS);
		l->power_uw = le(p + OIO_TELEM_LASER_POWER);
		l->temp_mc = (int32_t)le(p + OIO_TELEM_LASER_TEMP);
		l->status = le(p + OIO_TELEM_LASER_STATUS);
		l->alarms = le(p + OIO_TELEM_LASER_ALARM);
	}
	for (i = 0; i < s->lanes; i++, p += OIO_TELEM_LANE_SIZE) {
		struct oio_lane_info *l = &t->lane[i];
		uint32_t st = le(p + OIO_TELEM_LANE_STATE);
		uint32_t prbs = le(p + OIO_TELEM_LANE_PRBS_CTRL);

		if (!(parts & OIO_TELEMETRY_PARTS_LANES))
			continue;
		l->lane = i;
		l->port = i / s->wavelengths;
		l->state = st & OIO_LANE_STATE_MASK;
		l->reason = (st & OIO_LANE_REASON_MASK) >> OIO_LANE_REASON_SHIFT;
		l->prbs_generator = prbs & OIO_PRBS_GEN;
		l->prbs_checker = prbs & OIO_PRBS_CHECK;
		l->prbs_bits = le(p + OIO_TELEM_LANE_BITS_LO) |
			       (uint64_t)le(p + OIO_TELEM_LANE_BITS_HI) << 32;
		l->prbs_errors = le(p + OIO_TELEM_LANE_ERR_LO) |
				 (uint64_t)le(p + OIO_TELEM_LANE_ERR_HI) << 32;
		l->alarms = le(p + OIO_TELEM_LANE_ALARM);
	}
	for (i = 0; i < s->rings; i++, p += OIO_TELEM_RING_SIZE) {
		struct oio_ring_info *r = &t->ring[i];
		uint32_t lock = le(p + OIO_TELEM_RING_LOCK);

		if (!(parts & OIO_TELEMETRY_PARTS_RINGS))
			continue;
		r->ring = i;
		r->heater = le(p + OIO_TELEM_RING_HEATER);
		r->monitor_na = le(p + OIO_TELEM_RING_MONITOR);
		r->heater_uw = le(p + OIO_TELEM_RING_HEATER_UW);
		r->lock = lock >> 16 & OIO_LOCK_ENABLE;
		r->lock_state = lock & OIO_LOCK_ST_MASK;
		r->at_limit = lock & OIO_LOCK_AT_LIMIT;
	}
	return 0;
}

static int sim_sweep(void *h, const struct oio_sweep_req *req,
		     uint32_t *trace)
{
	struct simcard *c = of(h)->c;
	uint32_t points = (req->stop - req->start) / req->step + 1;
	uint32_t mask = req->positions ?: OIO_SWEEP_ALL_POSITIONS, r, row = 0;
	int err;

	simcard_wr(c, OIO_REG_SWEEP_ADDR_LO, (uint32_t)DMA_BASE);
	simcard_wr(c, OIO_REG_SWEEP_ADDR_HI, (uint32_t)(DMA_BASE >> 32));
	simcard_wr(c, OIO_REG_SWEEP_LEN, DMA_SIZE);
	simcard_wr(c, OIO_REG_SWEEP_FIRST_RING, req->first_ring);
	simcard_wr(c, OIO_REG_SWEEP_RING_COUNT, req->ring_count);
	simcard_wr(c, OIO_REG_SWEEP_START, req->start);
	simcard_wr(c, OIO_REG_SWEEP_STOP, req->stop);
	simcard_wr(c, OIO_REG_SWEEP_STEP, req->step);
	simcard_wr(c, OIO_REG_SWEEP_DWELL_NS, req->dwell_ns);
	simcard_wr(c, OIO_REG_SWEEP_POS_MASK, mask);
	simcard_wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	err = engine_wait(c, OIO_REG_SWEEP_STATUS,
			  (int64_t)points * req->dwell_ns);
	if (err)
		return err;
	for (r = 0; r < req->ring_count; r++) {
		if (!(mask >> ((req->first_ring + r) / 2 % c->s.wavelengths) & 1))
			continue;
		memcpy(trace + (size_t)r * points,
		       c->dma + OIO_SWEEP_HDR_SIZE + 4ull * row++ * points,
		       4ull * points);
	}
	return 0;
}

static int refused(struct simcard *c)
{
	switch (simcard_rd(c, OIO_REG_LASER_REFUSED)) {
	case OIO_REFUSED_NONE:
		return 0;
	case OIO_REFUSED_RANGE:
		return -ERANGE;
	case OIO_REFUSED_LINE_FAILED:
		return -EIO;
	default:
		return -EPERM;
	}
}

static int sim_laser_enable(void *h, uint32_t line, bool on)
{
	struct simcard *c = of(h)->c;

	simcard_wr(c, OIO_LASER_REG(line, OIO_LASER_CTRL),
		   on ? OIO_LASER_ENABLE : 0);
	return refused(c);
}

static int sim_laser_bias(void *h, uint32_t line, uint32_t ua)
{
	struct simcard *c = of(h)->c;

	simcard_wr(c, OIO_LASER_REG(line, OIO_LASER_BIAS_SET), ua);
	return refused(c);
}

static int sim_arm(void *h)
{
	struct simcard *c = of(h)->c;

	simcard_wr(c, OIO_REG_ARM, OIO_ARM_KEY);
	return refused(c);
}

static int sim_line_shift(void *h, uint32_t port, uint32_t shift)
{
	struct simcard *c = of(h)->c;

	simcard_wr(c, OIO_REG_PORT_LINE_SHIFT(port), shift);
	return simcard_rd(c, OIO_REG_PORT_LINE_SHIFT(port)) == shift ? 0 :
	       -EBUSY;
}

static int sim_line_shifts(void *h, uint32_t *shift)
{
	struct simcard *c = of(h)->c;
	unsigned int p;

	for (p = 0; p < c->s.ports; p++)
		shift[p] = simcard_rd(c, OIO_REG_PORT_LINE_SHIFT(p));
	return 0;
}

static int sim_run(void *h);

static void queue(void *h, uint8_t kind, uint32_t idx, uint32_t a, int b,
		  int cc)
{
	struct simio *s = of(h);

	/*
	 * As liboio's batches: a full one goes at once, and its error waits
	 * for the run() that ends the batch.
	 */
	if (s->nq == sizeof(s->q) / sizeof(s->q[0])) {
		int err = sim_run(s);

		s->err = s->err ?: err;
	}
	s->q[s->nq++] = (typeof(s->q[0])){ kind, idx, a, b, cc };
}

static void sim_heater(void *h, uint32_t ring, uint32_t code)
{
	queue(h, Q_HEATER, ring, code, 0, 0);
}

static void sim_lock(void *h, uint32_t ring, bool on)
{
	queue(h, Q_LOCK, ring, on, 0, 0);
}

static void sim_lane(void *h, uint32_t lane, enum oio_lane_request req,
		     int gen, int chk)
{
	queue(h, Q_LANE, lane, req, gen, chk);
}

/* As the driver runs a batch: in order, every request, the first error. */
static int sim_run(void *h)
{
	struct simio *s = of(h);
	struct simcard *c = s->c;
	unsigned int i;
	int err = 0;

	for (i = 0; i < s->nq; i++) {
		uint32_t idx = s->q[i].idx, a = s->q[i].a;

		switch (s->q[i].kind) {
		case Q_HEATER:
			/*
			 * The driver knows the loop enable it wrote
			 * (oio_shadow.c) and reads nothing: the card's own
			 * state stands for it here, so a test that knocks a
			 * loop off is one more of the driver's users.
			 */
			if (c->s.ring[idx].lock_en) {
				err = err ?: -EBUSY;
				break;
			}
			simcard_wr(c, OIO_RING_REG(idx, OIO_RING_HEATER), a);
			break;
		case Q_LOCK:
			simcard_wr(c, OIO_RING_REG(idx, OIO_RING_LOCK_CTRL),
				   a ? OIO_LOCK_ENABLE : 0);
			break;
		case Q_LANE:
			if (s->q[i].b >= 0 || s->q[i].c >= 0) {
				/* kept by the driver too: no read */
				uint32_t v = c->s.lane[idx].prbs_ctrl;

				if (s->q[i].b >= 0)
					v = s->q[i].b ? v | OIO_PRBS_GEN :
							v & ~OIO_PRBS_GEN;
				if (s->q[i].c >= 0)
					v = s->q[i].c ? v | OIO_PRBS_CHECK :
							v & ~OIO_PRBS_CHECK;
				simcard_wr(c, OIO_LANE_REG(idx,
							   OIO_LANE_PRBS_CTRL),
					   v);
			}
			if (a)
				simcard_wr(c, OIO_LANE_REG(idx, OIO_LANE_CTRL),
					   a == OIO_LANE_REQUEST_DEACTIVATE ?
					   OIO_LANE_REQ_DEACTIVATE :
					   a == OIO_LANE_REQUEST_INITIALIZE ?
					   OIO_LANE_REQ_INIT :
					   OIO_LANE_REQ_ACTIVATE);
			break;
		}
	}
	s->nq = 0;
	err = s->err ?: err;
	s->err = 0;
	return err;
}

static void sim_sleep_us(void *h, unsigned long us)
{
	simcard_wait(of(h)->c, (int64_t)us * 1000);
}

static void sim_explain(void *h, const char *fmt, va_list ap)
{
	struct simio *s = of(h);

	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
}

static int sim_recall_full(void *h, uint32_t *bias, uint32_t *lines)
{
	struct simio *s = of(h);

	memcpy(bias, s->kept_bias, sizeof(s->kept_bias));
	*lines = s->kept;
	return 0;
}

static int sim_keep_full(void *h, const uint32_t *bias, uint32_t lines)
{
	struct simio *s = of(h);
	unsigned int l;

	s->kept = lines;
	for (l = 0; l < OIO_MAX_WAVELENGTHS; l++)
		s->kept_bias[l] = lines >> l & 1 ? bias[l] : 0;
	return 0;
}

static int sim_save_cal(void *h, const char *text, size_t len)
{
	struct simio *s = of(h);
	char *copy;

	if (!text) {
		simio_fini(s);
		return 0;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	free(s->cal);
	s->cal = copy;
	s->cal_len = len;
	s->cal_saves++;
	return 0;
}

static int sim_load_cal(void *h, char **text)
{
	struct simio *s = of(h);

	if (!s->cal)
		return -ENOENT;
	*text = strdup(s->cal);
	return *text ? 0 : -ENOMEM;
}

void simio_fini(struct simio *s)
{
	free(s->cal);
	s->cal = NULL;
}

void simio_init(struct simio *s, struct simcard *c)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	if (!c->dma) {
		c->dma = calloc(1, DMA_SIZE);
		c->dma_size = DMA_SIZE;
		c->dma_base = DMA_BASE;
	}
	s->io = (struct oio_card_io){
		.h = s,
		.snapshot = sim_snapshot,
		.sweep = sim_sweep,
		.laser_enable = sim_laser_enable,
		.laser_bias = sim_laser_bias,
		.arm = sim_arm,
		.line_shift = sim_line_shift,
		.line_shifts = sim_line_shifts,
		.heater = sim_heater,
		.lock = sim_lock,
		.lane = sim_lane,
		.run = sim_run,
		.sleep_us = sim_sleep_us,
		.explain = sim_explain,
		.recall_full = sim_recall_full,
		.keep_full = sim_keep_full,
		.save_cal = sim_save_cal,
		.load_cal = sim_load_cal,
	};
}

void simio_card_info(struct simio *s, struct oio_card_info *info)
{
	struct simcard *c = s->c;
	uint32_t geom = simcard_rd(c, OIO_REG_GEOMETRY);

	memset(info, 0, sizeof(*info));
	info->serial = simcard_rd(c, OIO_REG_SERIAL);
	info->ports = geom & OIO_GEOM_PORTS_MASK;
	info->wavelengths = (geom & OIO_GEOM_WAVELENGTHS_MASK) >>
			    OIO_GEOM_WAVELENGTHS_SHIFT;
	info->interlock_closed = simcard_rd(c, OIO_REG_INTERLOCK) &
				 OIO_INTERLOCK_CLOSED;
	info->armed = simcard_rd(c, OIO_REG_ARM) & OIO_ARM_ARMED;
	info->grid_first_pm = simcard_rd(c, OIO_REG_GRID_FIRST_PM);
	info->grid_spacing_pm = simcard_rd(c, OIO_REG_GRID_SPACING_PM);
	info->fsr_pm = simcard_rd(c, OIO_REG_RING_FSR_PM);
	info->heater_range_pm = simcard_rd(c, OIO_REG_HEATER_RANGE_PM);
	info->fwhm_pm = simcard_rd(c, OIO_REG_RING_FWHM_PM);
	info->drift_pm_per_k = simcard_rd(c, OIO_REG_RING_DRIFT_PM_PER_K);
}
