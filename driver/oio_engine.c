// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the card's firmware engines that write to host memory - telemetry
 * snapshots and heater sweeps. A run is started with one register write
 * and ends with the engine's vector; no lock is held while it runs, so a
 * slow or hung engine holds up its own requester only, and that one can
 * be interrupted by a signal. remove() and a PCI reset end every wait.
 *
 * Telemetry: the vector's thread checks each block the card writes and
 * decodes it into a cache (od->telem) under od->telem_lock; requests are
 * served from the cache when it is recent enough, else they start a run
 * (or join the one under way) and wait for the next block. The DMA buffer
 * is only read by the thread, so a run never tears a reply.
 *
 * Sweeps: one at a time per card (OIO_F_SWEEP_BUSY), which owns the trace
 * buffer until oio_sweep_release().
 */
#include <linux/delay.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>

#include "oio.h"

/* ---- telemetry ---- */

static u32 blk32(const u8 *p, u32 off)
{
	return oio_le32(p, off);
}

static u64 blk64(const u8 *p, u32 lo)
{
	return (u64)blk32(p, lo + 4) << 32 | blk32(p, lo);
}

/* Element size of each column of struct oio_telem_block. */
static const u8 oio_tcol_bytes[OIO_TCOL_NUM] = {
	[OIO_TCOL_LASER_ENABLE] = 1,
	[OIO_TCOL_LASER_BIAS_SET] = 4,
	[OIO_TCOL_LASER_BIAS] = 4,
	[OIO_TCOL_LASER_POWER] = 4,
	[OIO_TCOL_LASER_TEMP] = 4,
	[OIO_TCOL_LASER_STATUS] = 4,
	[OIO_TCOL_LASER_ALARMS] = 4,
	[OIO_TCOL_LANE_STATE] = 4,
	[OIO_TCOL_LANE_REASON] = 4,
	[OIO_TCOL_LANE_PRBS_GEN] = 1,
	[OIO_TCOL_LANE_PRBS_CHECK] = 1,
	[OIO_TCOL_LANE_PRBS_BITS] = 8,
	[OIO_TCOL_LANE_PRBS_ERRORS] = 8,
	[OIO_TCOL_LANE_ALARMS] = 4,
	[OIO_TCOL_PORT_LINE_SHIFT] = 4,
	[OIO_TCOL_RING_HEATER] = 4,
	[OIO_TCOL_RING_HEATER_UW] = 4,
	[OIO_TCOL_RING_MONITOR] = 4,
	[OIO_TCOL_RING_LOCK] = 1,
	[OIO_TCOL_RING_LOCK_STATE] = 4,
	[OIO_TCOL_RING_AT_LIMIT] = 1,
};

/**
 * oio_tcol_count() - elements of a telemetry column on this card
 * @od: the card
 * @col: the column
 *
 * Return: the number of lasers, lanes, ports or rings the column covers.
 */
unsigned int oio_tcol_count(const struct oio_dev *od, enum oio_tcol col)
{
	if (col <= OIO_TCOL_LASER_ALARMS)
		return od->wavelengths;
	if (col <= OIO_TCOL_LANE_ALARMS)
		return od->lanes;
	if (col == OIO_TCOL_PORT_LINE_SHIFT)
		return od->ports;
	return od->rings;
}

/**
 * oio_tcol_size() - bytes of one element of a telemetry column
 * @col: the column
 *
 * Return: 1, 4 or 8.
 */
unsigned int oio_tcol_size(enum oio_tcol col)
{
	return oio_tcol_bytes[col];
}

/**
 * oio_engines_setup() - size and allocate the engines' buffers
 * @od: the card, identified
 *
 * The telemetry block's size follows from the geometry; a card whose
 * TELEM_SIZE says otherwise has a firmware bug, and the driver neither
 * trusts the size nor reads past what it allocated: telemetry is refused
 * on that card with EIO, the rest of it works.
 *
 * Context: probe.
 * Return: 0 or -ENOMEM.
 */
int oio_engines_setup(struct oio_dev *od)
{
	struct device *dev = &od->pdev->dev;
	size_t bytes = 0;
	unsigned int c;
	u32 said;
	u8 *p;

	od->telem_size = OIO_TELEM_HDR_SIZE +
			 od->wavelengths * OIO_TELEM_LASER_SIZE +
			 od->lanes * OIO_TELEM_LANE_SIZE +
			 od->rings * OIO_TELEM_RING_SIZE;
	said = oio_fault_telem_size() ?: readl(od->regs + OIO_REG_TELEM_SIZE);
	if (said != od->telem_size) {
		dev_err(dev, "card reports a telemetry block of %u bytes, its geometry needs %u: telemetry off\n",
			said, od->telem_size);
		od->telem_broken = -EIO;
	}
	od->telem_buf.size = PAGE_ALIGN(od->telem_size);
	od->telem_buf.cpu = dmam_alloc_coherent(dev, od->telem_buf.size,
						&od->telem_buf.bus, GFP_KERNEL);
	if (!od->telem_buf.cpu)
		return -ENOMEM;

	/* The decoded block: one allocation, a column after another. */
	for (c = 0; c < OIO_TCOL_NUM; c++)
		bytes += ALIGN(oio_tcol_count(od, c) * oio_tcol_size(c), 8);
	p = devm_kzalloc(dev, bytes, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	for (c = 0; c < OIO_TCOL_NUM; c++) {
		od->telem.col[c] = p;
		p += ALIGN(oio_tcol_count(od, c) * oio_tcol_size(c), 8);
	}
	return 0;
}

/**
 * oio_engines_init() - point the engines at their DMA buffers
 * @od: the card, just reset
 *
 * Context: probe, or a PCI reset with @od->lock held.
 */
void oio_engines_init(struct oio_dev *od)
{
	writel(lower_32_bits(od->telem_buf.bus), od->regs + OIO_REG_TELEM_ADDR_LO);
	writel(upper_32_bits(od->telem_buf.bus), od->regs + OIO_REG_TELEM_ADDR_HI);
	writel(od->telem_buf.size, od->regs + OIO_REG_TELEM_LEN);
	writel(lower_32_bits(od->sweep_buf.bus), od->regs + OIO_REG_SWEEP_ADDR_LO);
	writel(upper_32_bits(od->sweep_buf.bus), od->regs + OIO_REG_SWEEP_ADDR_HI);
	writel(od->sweep_buf.size, od->regs + OIO_REG_SWEEP_LEN);
}

/**
 * oio_engines_reset() - the card is being reset: end every engine wait
 * @od: the card, with @od->in_reset set
 *
 * Context: process; takes @od->telem_lock. Not with @od->lock held.
 */
void oio_engines_reset(struct oio_dev *od)
{
	mutex_lock(&od->telem_lock);
	od->telem_valid = false;
	if (od->telem_busy) {
		WRITE_ONCE(od->telem_busy, false);
		od->telem_err = -EAGAIN;
		od->telem_gen++;
	}
	mutex_unlock(&od->telem_lock);
	wake_up_all(&od->telem_wq);
	wake_up_all(&od->sweep_wq);
}

static int oio_engine_verdict(u32 st)
{
	switch (st) {
	case OIO_ENG_DONE:
		return 0;
	case OIO_ENG_ERR_NOSPC:
		return -ENOSPC;
	case OIO_ENG_ERR_INVAL:
		return -EINVAL;
	default:
		/* DMA refused, or a stray verdict (aborted, idle) */
		return -EIO;
	}
}

/* Check the header against what the driver knows, then decode. */
static int oio_telem_decode(struct oio_dev *od)
{
	struct oio_telem_block *t = &od->telem;
	const u8 *blk = od->telem_buf.cpu, *p;
	u32 geom = od->ports << OIO_GEOM_PORTS_SHIFT |
		   od->wavelengths << OIO_GEOM_WAVELENGTHS_SHIFT |
		   od->rings << OIO_GEOM_RINGS_SHIFT;
	unsigned int i;

	if (blk32(blk, OIO_TELEM_HDR_MAGIC) != OIO_TELEM_MAGIC ||
	    blk32(blk, OIO_TELEM_HDR_SIZE_BYTES) != od->telem_size ||
	    blk32(blk, OIO_TELEM_HDR_GEOMETRY) != geom) {
		dev_warn_ratelimited(&od->pdev->dev,
				     "telemetry block with a bad header: dropped\n");
		return -EIO;
	}
	t->seq = blk32(blk, OIO_TELEM_HDR_SEQ);
	t->time_ns = blk64(blk, OIO_TELEM_HDR_TIME_NS_LO);
	t->temp = (s32)blk32(blk, OIO_TELEM_HDR_CARD_TEMP);
	t->alarms = oio_card_alarms_uapi(blk32(blk, OIO_TELEM_HDR_CARD_ALARM));
	t->armed = !!(blk32(blk, OIO_TELEM_HDR_ARM) & OIO_ARM_ARMED);
	t->interlock_closed = !!(blk32(blk, OIO_TELEM_HDR_INTERLOCK) &
				 OIO_INTERLOCK_CLOSED);

	p = blk + OIO_TELEM_HDR_SIZE;
	for (i = 0; i < od->wavelengths; i++, p += OIO_TELEM_LASER_SIZE) {
		((u8 *)t->col[OIO_TCOL_LASER_ENABLE])[i] =
			!!(blk32(p, OIO_TELEM_LASER_CTRL) & OIO_LASER_ENABLE);
		((u32 *)t->col[OIO_TCOL_LASER_BIAS_SET])[i] =
			blk32(p, OIO_TELEM_LASER_BIAS_SET);
		((u32 *)t->col[OIO_TCOL_LASER_BIAS])[i] =
			blk32(p, OIO_TELEM_LASER_BIAS);
		((u32 *)t->col[OIO_TCOL_LASER_POWER])[i] =
			blk32(p, OIO_TELEM_LASER_POWER);
		((s32 *)t->col[OIO_TCOL_LASER_TEMP])[i] =
			(s32)blk32(p, OIO_TELEM_LASER_TEMP);
		((u32 *)t->col[OIO_TCOL_LASER_STATUS])[i] =
			oio_laser_status_uapi(blk32(p, OIO_TELEM_LASER_STATUS));
		((u32 *)t->col[OIO_TCOL_LASER_ALARMS])[i] =
			oio_laser_alarms_uapi(blk32(p, OIO_TELEM_LASER_ALARM));
	}
	for (i = 0; i < od->lanes; i++, p += OIO_TELEM_LANE_SIZE) {
		u32 st = blk32(p, OIO_TELEM_LANE_STATE);
		u32 prbs = blk32(p, OIO_TELEM_LANE_PRBS_CTRL);

		((u32 *)t->col[OIO_TCOL_LANE_STATE])[i] = oio_lane_state_uapi(st);
		((u32 *)t->col[OIO_TCOL_LANE_REASON])[i] =
			oio_lane_reason_uapi(st);
		((u8 *)t->col[OIO_TCOL_LANE_PRBS_GEN])[i] =
			!!(prbs & OIO_PRBS_GEN);
		((u8 *)t->col[OIO_TCOL_LANE_PRBS_CHECK])[i] =
			!!(prbs & OIO_PRBS_CHECK);
		((u64 *)t->col[OIO_TCOL_LANE_PRBS_BITS])[i] =
			blk64(p, OIO_TELEM_LANE_BITS_LO);
		((u64 *)t->col[OIO_TCOL_LANE_PRBS_ERRORS])[i] =
			blk64(p, OIO_TELEM_LANE_ERR_LO);
		((u32 *)t->col[OIO_TCOL_LANE_ALARMS])[i] =
			oio_lane_alarms_uapi(blk32(p, OIO_TELEM_LANE_ALARM));
		if (i % od->wavelengths == 0)
			((u32 *)t->col[OIO_TCOL_PORT_LINE_SHIFT])[i / od->wavelengths] =
				blk32(p, OIO_TELEM_LANE_SHIFT);
	}
	for (i = 0; i < od->rings; i++, p += OIO_TELEM_RING_SIZE) {
		u32 lock = blk32(p, OIO_TELEM_RING_LOCK);

		((u32 *)t->col[OIO_TCOL_RING_HEATER])[i] =
			blk32(p, OIO_TELEM_RING_HEATER);
		((u32 *)t->col[OIO_TCOL_RING_HEATER_UW])[i] =
			blk32(p, OIO_TELEM_RING_HEATER_UW);
		((u32 *)t->col[OIO_TCOL_RING_MONITOR])[i] =
			blk32(p, OIO_TELEM_RING_MONITOR);
		((u8 *)t->col[OIO_TCOL_RING_LOCK])[i] =
			!!((lock >> 16) & OIO_LOCK_ENABLE);
		((u32 *)t->col[OIO_TCOL_RING_LOCK_STATE])[i] =
			oio_lock_state_uapi(lock);
		((u8 *)t->col[OIO_TCOL_RING_AT_LIMIT])[i] =
			!!(lock & OIO_LOCK_AT_LIMIT);
	}
	t->taken = ktime_get();
	return 0;
}

/**
 * oio_telem_complete() - the telemetry vector fired: take its block
 * @od: the card
 *
 * Context: the telemetry vector's thread; takes @od->telem_lock.
 */
void oio_telem_complete(struct oio_dev *od)
{
	u32 st;
	int err;

	mutex_lock(&od->telem_lock);
	err = oio_read(od, OIO_REG_TELEM_STATUS, &st);
	/* A late vector of a run that was given up on: this one goes on. */
	if (!err && st == OIO_ENG_BUSY)
		goto out;
	if (!err)
		err = oio_engine_verdict(st);
	if (!err) {
		/* The block is in memory before the status says so. */
		dma_rmb();
		err = oio_telem_decode(od);
	}
	if (!err)
		od->telem_valid = true;
	od->telem_err = err;
	WRITE_ONCE(od->telem_busy, false);
	od->telem_gen++;
	wake_up_all(&od->telem_wq);
out:
	mutex_unlock(&od->telem_lock);
}

static bool oio_engine_ended(struct oio_dev *od)
{
	return READ_ONCE(od->removing) || READ_ONCE(od->in_reset) ||
	       oio_health(od) != OIO_CARD_HEALTH_OK;
}

static int oio_engine_end_err(struct oio_dev *od)
{
	if (READ_ONCE(od->removing) || oio_gone(od))
		return -ENODEV;
	return READ_ONCE(od->in_reset) ? -EAGAIN : -EIO;
}

/**
 * oio_telemetry_lock() - a telemetry block at most max_age_ms old
 * @od: the card
 * @max_age_ms: the oldest block the caller takes; 0 for a new one
 *
 * On success the block is in @od->telem and @od->telem_lock is held: copy
 * what is needed and call oio_telemetry_unlock().
 *
 * Context: process; sleeps interruptibly, with no lock held, up to
 * OIO_CMD_TIMEOUT_MS while the card writes a block.
 * Return: 0 with the lock held; -EIO if the card's telemetry is broken or
 * the card does not answer, -ETIMEDOUT, -EINTR, -ENODEV, -EAGAIN during a
 * reset.
 */
int oio_telemetry_lock(struct oio_dev *od, unsigned int max_age_ms)
{
	unsigned long timeout = msecs_to_jiffies(OIO_CMD_TIMEOUT_MS);
	long left;
	u64 gen;
	int err;

	if (od->telem_broken)
		return od->telem_broken;
	mutex_lock(&od->telem_lock);
	if (od->telem_valid && max_age_ms &&
	    ktime_ms_delta(ktime_get(), od->telem.taken) <= max_age_ms)
		return 0;
	if (od->telem_busy &&
	    time_after_eq(jiffies, od->telem_started + timeout)) {
		/*
		 * The card has not finished a run for a whole timeout: say so
		 * at once rather than make every caller wait, and once a
		 * timeout start it again in case the card lost it (a card
		 * still busy ignores the start).
		 */
		if (time_after_eq(jiffies, od->telem_poked + timeout)) {
			mutex_lock(&od->lock);
			oio_write(od, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
			mutex_unlock(&od->lock);
			od->telem_poked = jiffies;
		}
		mutex_unlock(&od->telem_lock);
		return -ETIMEDOUT;
	}
	if (!od->telem_busy) {
		/* before the start: its raise is claimed by this (oio_main.c) */
		WRITE_ONCE(od->telem_busy, true);
		mutex_lock(&od->lock);
		err = oio_write(od, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
		mutex_unlock(&od->lock);
		if (err) {
			WRITE_ONCE(od->telem_busy, false);
			mutex_unlock(&od->telem_lock);
			return err;
		}
		od->telem_started = jiffies;
		od->telem_poked = jiffies;
	}
	gen = od->telem_gen;
	mutex_unlock(&od->telem_lock);

	left = wait_event_interruptible_timeout(od->telem_wq,
						READ_ONCE(od->telem_gen) != gen ||
						oio_engine_ended(od), timeout);
	mutex_lock(&od->telem_lock);
	if (od->telem_gen != gen) {
		err = od->telem_err;
		if (!err)
			return 0;
	} else if (left < 0) {
		err = -EINTR;
	} else if (oio_engine_ended(od)) {
		err = oio_engine_end_err(od);
	} else {
		/* Still busy: the next caller fails at once (see above). */
		err = -ETIMEDOUT;
	}
	mutex_unlock(&od->telem_lock);
	return err;
}

/**
 * oio_telemetry_unlock() - done with the block oio_telemetry_lock() gave
 * @od: the card
 */
void oio_telemetry_unlock(struct oio_dev *od)
{
	mutex_unlock(&od->telem_lock);
}

/* ---- sweeps ---- */

/* Has a reset ended since @resets was read (under @od->lock)? */
static bool oio_reset_since(struct oio_dev *od, int resets)
{
	/* pairs with smp_mb__after_atomic() in oio_reset_done() */
	smp_rmb();
	return atomic_read(&od->resets) != resets;
}

/*
 * A reset lost the run. It may have begun and ended before the wait
 * looked, leaving in_reset as it was: the count of resets done since the
 * start says so then.
 */
static bool oio_sweep_lost(struct oio_dev *od, int resets)
{
	return oio_engine_ended(od) || oio_reset_since(od, resets);
}

/* Why a run was lost: a reset that ended meanwhile is still a reset. */
static int oio_sweep_lost_err(struct oio_dev *od, int resets)
{
	int err = oio_engine_end_err(od);

	return err == -EIO && oio_reset_since(od, resets) ? -EAGAIN : err;
}

/*
 * Wait for the sweep vector, then for the engine's verdict. A vector from
 * a run that finished late (after a timeout) may come first: while the
 * status still says busy, wait for the next one. A reset since the start
 * (@resets, read under @od->lock before it) ends the wait with -EAGAIN.
 */
static int oio_sweep_wait(struct oio_dev *od, int irqs, int resets,
			  unsigned long ms, u32 *status)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	u32 st;
	int err;

	for (;;) {
		long left = max_t(long, (long)(deadline - jiffies), 1);

		left = wait_event_interruptible_timeout(od->sweep_wq,
							atomic_read(&od->sweep_irqs) != irqs ||
							oio_sweep_lost(od, resets),
							left);
		if (left < 0)
			return -EINTR;
		if (oio_sweep_lost(od, resets))
			return oio_sweep_lost_err(od, resets);
		if (!left)
			return -ETIMEDOUT;
		irqs = atomic_read(&od->sweep_irqs);
		err = oio_read(od, OIO_REG_SWEEP_STATUS, &st);
		/* a reset during the read failed it or left the engine IDLE */
		if (oio_sweep_lost(od, resets))
			return oio_sweep_lost_err(od, resets);
		if (err)
			return err;
		if (st != OIO_ENG_BUSY)
			break;
	}
	/* The trace is in memory before the status says so. */
	dma_rmb();
	*status = st;
	return oio_engine_verdict(st);
}

/*
 * Stop a run the driver gave up on; the card restores the heater codes.
 * The caller owns the engine (OIO_F_SWEEP_BUSY), whose registers are its
 * own, so no lock is held while the firmware stops. Return: true once the
 * engine has stopped (a card that is gone or resetting has no run left),
 * false if it is still busy and must stay owned.
 */
static bool oio_sweep_abort(struct oio_dev *od)
{
	u32 st = OIO_ENG_BUSY;
	int err, rerr;

	err = oio_write(od, OIO_REG_SWEEP_CTRL, OIO_SWEEP_ABORT) ?:
	      read_poll_timeout(oio_read, rerr, rerr || st != OIO_ENG_BUSY,
				OIO_SWEEP_ABORT_POLL_US,
				OIO_SWEEP_ABORT_TIMEOUT_US, false,
				od, OIO_REG_SWEEP_STATUS, &st) ?: rerr;
	if (err == -ENODEV || err == -EAGAIN)
		return true;
	if (err || st == OIO_ENG_BUSY) {
		dev_warn_ratelimited(&od->pdev->dev,
				     "sweep engine still busy after an abort\n");
		return false;
	}
	return true;
}

/*
 * An engine that outlived its abort stays owned, rings and all. The next
 * sweep request tries the abort again and takes the engine over once it
 * has stopped; a reset stops it for good.
 */
static int oio_sweep_take(struct oio_dev *od)
{
	if (!test_and_set_bit_lock(OIO_F_SWEEP_BUSY, &od->flags))
		return 0;
	if (!test_and_clear_bit(OIO_F_SWEEP_STUCK, &od->flags))
		return -EALREADY;
	if (oio_sweep_abort(od))
		return 0;
	set_bit(OIO_F_SWEEP_STUCK, &od->flags);
	return -EALREADY;
}

/**
 * oio_sweep_reset_done() - a reset stopped an engine that outlived its abort
 * @od: the card
 *
 * Context: process, after a reset of the card; not with @od->lock held.
 */
void oio_sweep_reset_done(struct oio_dev *od)
{
	if (test_and_clear_bit(OIO_F_SWEEP_STUCK, &od->flags))
		oio_sweep_release(od);
}

/**
 * oio_sweep() - sweep the heaters of a run of rings together
 * @od: the card
 * @p: what to sweep; the caller checked it against the card
 *
 * @status: the engine's last status (OIO_ENG_*), for a reason to give
 *
 * On success the trace is in @od->sweep_buf and the engine is the
 * caller's until oio_sweep_release(). A run the card does not finish in
 * time, or that a signal interrupts, is aborted.
 *
 * Context: process; sleeps interruptibly, with no lock held, for the run.
 * Return: 0; -EALREADY if a sweep is running, -EBUSY if a ring of the run
 * is locked, -ENOSPC if the trace does not fit the buffer, -ETIMEDOUT,
 * -EINTR, -EIO (see @status), -ENODEV, -EAGAIN if a PCI reset came before
 * the run's verdict was read.
 */
int oio_sweep(struct oio_dev *od, const struct oio_sweep_params *p,
	      u32 *status)
{
	u64 bytes = OIO_SWEEP_HDR_SIZE + 4ull * p->swept * p->points;
	const void *blk = od->sweep_buf.cpu;
	int err, irqs, resets;

	*status = OIO_ENG_IDLE;
	if (bytes > od->sweep_buf.size)
		return -ENOSPC;
	err = oio_sweep_take(od);
	if (err)
		return err;
	irqs = atomic_read(&od->sweep_irqs);
	mutex_lock(&od->lock);
	/*
	 * A reset under way fails the writes below, or comes after them:
	 * oio_reset_done() counts it under this lock.
	 */
	resets = atomic_read(&od->resets);
	/* the card ignores heater and loop writes to these rings meanwhile */
	od->sweep_first = p->first;
	od->sweep_count = p->count;
	od->sweep_positions = p->positions;
	err = oio_write(od, OIO_REG_SWEEP_FIRST_RING, p->first) ?:
	      oio_write(od, OIO_REG_SWEEP_RING_COUNT, p->count) ?:
	      oio_write(od, OIO_REG_SWEEP_POS_MASK, p->positions) ?:
	      oio_write(od, OIO_REG_SWEEP_START, p->start) ?:
	      oio_write(od, OIO_REG_SWEEP_STOP, p->stop) ?:
	      oio_write(od, OIO_REG_SWEEP_STEP, p->step) ?:
	      oio_write(od, OIO_REG_SWEEP_DWELL_NS, p->dwell_ns) ?:
	      oio_write(od, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	mutex_unlock(&od->lock);
	if (!err) {
		err = oio_sweep_wait(od, irqs, resets, OIO_CMD_TIMEOUT_MS +
				     div_u64((u64)p->points * p->dwell_ns,
					     NSEC_PER_MSEC), status);
		/*
		 * The run may go on after any failure but a reset's, which
		 * stopped it: stop it first.
		 */
		if (err && err != -EINVAL && err != -ENODEV &&
		    err != -EAGAIN && !oio_sweep_abort(od)) {
			set_bit(OIO_F_SWEEP_STUCK, &od->flags);
			return err;
		}
	}
	/* a trace that is not this run's is nobody's */
	if (!err && (oio_le32(blk, OIO_SWEEP_HDR_MAGIC) != OIO_SWEEP_MAGIC ||
		     oio_le32(blk, OIO_SWEEP_HDR_FIRST_RING) != p->first ||
		     oio_le32(blk, OIO_SWEEP_HDR_RING_COUNT) != p->swept ||
		     oio_le32(blk, OIO_SWEEP_HDR_POINTS) != p->points)) {
		dev_warn_ratelimited(&od->pdev->dev,
				     "sweep trace not of the run asked for\n");
		err = -EIO;
	}
	/*
	 * The caller checked everything else the card validates, so a
	 * refusal means a ring of the run has its lock loop on. Letting the
	 * card check saves a register read per ring.
	 */
	if (err == -EINVAL)
		err = -EBUSY;
	if (err)
		oio_sweep_release(od);
	return err;
}

/**
 * oio_sweep_release() - hand the sweep engine and its buffer on
 * @od: the card
 */
void oio_sweep_release(struct oio_dev *od)
{
	mutex_lock(&od->lock);
	od->sweep_count = 0;
	mutex_unlock(&od->lock);
	clear_bit_unlock(OIO_F_SWEEP_BUSY, &od->flags);
}

/**
 * oio_ring_swept() - is a ring in the run the sweep engine owns?
 * @od: the card
 * @r: the ring
 *
 * Context: @od->lock held.
 */
bool oio_ring_swept(struct oio_dev *od, unsigned int r)
{
	lockdep_assert_held(&od->lock);
	return r >= od->sweep_first && r - od->sweep_first < od->sweep_count &&
	       (od->sweep_positions & BIT(r / 2 % od->wavelengths));
}
