// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the card's firmware engines that write to host memory - telemetry
 * snapshots and heater sweeps. Each run is started with one register
 * write and finishes with an interrupt, so a telemetry snapshot costs the
 * card three register accesses whatever its size: the start, the
 * interrupt's acknowledge and one status read.
 */
#include <linux/completion.h>
#include <linux/jiffies.h>

#include "oio.h"

/**
 * oio_engines_init() - point the engines at their DMA buffers
 * @od: the card, just reset
 *
 * Context: probe.
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

/*
 * Wait for an engine's vector, then for its verdict. A vector from a run
 * that finished late (after a timeout, or as firmware recovered) may come
 * first: while the status still says busy, wait for the next one.
 */
static int oio_engine_wait(struct oio_dev *od, struct completion *done,
			   u32 status_reg, unsigned long ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	u32 st;
	int err;

	do {
		long left = max_t(long, (long)(deadline - jiffies), 1);

		if (!wait_for_completion_timeout(done, left))
			return oio_is_dead(od) ? -ENODEV : -ETIMEDOUT;
		err = oio_read(od, status_reg, &st);
		if (err)
			return err;
	} while (st == OIO_ENG_BUSY);
	/* The block is in memory before the status says so. */
	dma_rmb();
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

/**
 * oio_telemetry_snapshot() - have the card write one telemetry block
 * @od: the card
 *
 * The block is in @od->telem_buf afterwards, laid out as the datasheet's
 * telemetry block.
 *
 * Context: caller holds @od->lock.
 * Return: 0, -ETIMEDOUT if the firmware never answered, -EIO, -ENODEV.
 */
int oio_telemetry_snapshot(struct oio_dev *od)
{
	int err;

	lockdep_assert_held(&od->lock);
	reinit_completion(&od->telem_done);
	err = oio_write(od, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	if (err)
		return err;
	return oio_engine_wait(od, &od->telem_done, OIO_REG_TELEM_STATUS,
			       OIO_CMD_TIMEOUT_MS);
}

/**
 * oio_sweep() - sweep the heaters of a run of rings together
 * @od: the card
 * @p: what to sweep; the caller checked it against the card
 *
 * The trace is in @od->sweep_buf afterwards. A sweep the card never
 * finishes is aborted, which restores the rings' heater codes.
 *
 * Context: caller holds @od->lock.
 * Return: 0, -EBUSY if a ring of the run is locked, -ENOSPC if the trace
 * does not fit the buffer, -ETIMEDOUT, -EIO, -ENODEV.
 */
int oio_sweep(struct oio_dev *od, const struct oio_sweep_params *p)
{
	u32 points = (p->stop - p->start) / p->step + 1;
	u64 bytes = OIO_SWEEP_HDR_SIZE + 4ull * p->swept * points;
	int err;

	lockdep_assert_held(&od->lock);
	if (bytes > od->sweep_buf.size)
		return -ENOSPC;
	reinit_completion(&od->sweep_done);
	err = oio_write(od, OIO_REG_SWEEP_FIRST_RING, p->first) ?:
	      oio_write(od, OIO_REG_SWEEP_RING_COUNT, p->count) ?:
	      oio_write(od, OIO_REG_SWEEP_POS_MASK, p->positions) ?:
	      oio_write(od, OIO_REG_SWEEP_START, p->start) ?:
	      oio_write(od, OIO_REG_SWEEP_STOP, p->stop) ?:
	      oio_write(od, OIO_REG_SWEEP_STEP, p->step) ?:
	      oio_write(od, OIO_REG_SWEEP_DWELL_NS, p->dwell_ns) ?:
	      oio_write(od, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	if (err)
		return err;
	err = oio_engine_wait(od, &od->sweep_done, OIO_REG_SWEEP_STATUS,
			      OIO_CMD_TIMEOUT_MS +
			      div_u64((u64)points * p->dwell_ns, NSEC_PER_MSEC));
	if (err == -ETIMEDOUT)
		oio_write(od, OIO_REG_SWEEP_CTRL, OIO_SWEEP_ABORT);
	/*
	 * The caller checked everything else the card validates, so a
	 * refusal means a ring of the run has its lock loop on. Letting the
	 * card check saves a register read per ring.
	 */
	if (err == -EINVAL)
		err = -EBUSY;
	return err;
}
