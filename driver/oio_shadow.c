// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: control bits only the host changes, kept as last written.
 *
 * A heater write is refused while the ring's lock loop owns the heater,
 * and a PRBS switch is a read-modify-write. Reading LOCK_CTRL and
 * PRBS_CTRL back each time cost a bring-up a fifth of its MMIO; the card
 * changes neither register by itself, only a reset does. So the driver
 * keeps what it wrote, and forgets it all when the card resets or stops
 * answering, and again when it answers again: a write may have been lost
 * meanwhile. What it does not know, it reads from the card once. A reset
 * the driver made and saw complete leaves every bit at 0, which it knows
 * without reading.
 *
 * What it cannot see: a reset the driver is not told of that no access
 * caught reading all ones (the driver has no AER or power-management
 * handlers), and a write a dead card dropped before any access noticed.
 * Its heater writes may then be refused, or taken and ignored by the
 * card, until the loop is switched again; reading the card back would
 * have caught that at the next write.
 *
 * Readers that report a register (sysfs, netlink gets) still read the
 * card: the shadow only saves the reads that precede a write.
 */
#include "oio.h"

/**
 * oio_shadow_forget() - forget every kept control bit
 * @od: the card
 *
 * Context: any; takes no lock.
 */
void oio_shadow_forget(struct oio_dev *od)
{
	atomic_inc(&od->lapses);
}

/**
 * oio_shadow_reset() - the card has just been reset: every bit is 0
 * @od: the card
 *
 * Context: probe, or @od->lock held.
 */
void oio_shadow_reset(struct oio_dev *od)
{
	od->shadow_lapses = atomic_read(&od->lapses);
	bitmap_zero(od->lock_on, OIO_MAX_RINGS);
	bitmap_fill(od->lock_known, OIO_MAX_RINGS);
	memset(od->prbs_ctrl, 0, sizeof(od->prbs_ctrl));
	bitmap_fill(od->prbs_known, OIO_MAX_LANES);
}

/* Drop what a reset or a lapse since it was kept made unknown. */
static void oio_shadow_sync(struct oio_dev *od)
{
	int lapses = atomic_read(&od->lapses);

	lockdep_assert_held(&od->lock);
	if (od->shadow_lapses == lapses)
		return;
	bitmap_zero(od->lock_known, OIO_MAX_RINGS);
	bitmap_zero(od->prbs_known, OIO_MAX_LANES);
	od->shadow_lapses = lapses;
}

/**
 * oio_shadow_lock_on() - is a ring's lock loop enabled?
 * @od: the card
 * @r: the ring
 * @on: where the answer goes
 *
 * Context: @od->lock held.
 * Return: 0, or an errno of oio_read() when the card had to be asked.
 */
int oio_shadow_lock_on(struct oio_dev *od, unsigned int r, bool *on)
{
	int lapses, err;
	u32 v;

	oio_shadow_sync(od);
	if (test_bit(r, od->lock_known)) {
		*on = test_bit(r, od->lock_on);
		return 0;
	}
	lapses = atomic_read(&od->lapses);
	err = oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL), &v);
	if (err)
		return err;
	*on = v & OIO_LOCK_ENABLE;
	oio_shadow_kept_lock(od, r, *on, lapses);
	return 0;
}

/**
 * oio_shadow_kept_lock() - keep a ring's lock enable as written
 * @od: the card
 * @r: the ring
 * @on: what was written, or read
 * @lapses: @od->lapses read before the access
 *
 * Context: @od->lock held.
 */
void oio_shadow_kept_lock(struct oio_dev *od, unsigned int r, bool on,
			  int lapses)
{
	oio_shadow_sync(od);
	if (lapses != od->shadow_lapses)
		return;
	assign_bit(r, od->lock_on, on);
	__set_bit(r, od->lock_known);
}

/**
 * oio_shadow_prbs() - a lane's PRBS_CTRL (GEN and CHECK)
 * @od: the card
 * @n: the lane
 * @v: where the value goes
 *
 * Context: @od->lock held.
 * Return: 0, or an errno of oio_read() when the card had to be asked.
 */
int oio_shadow_prbs(struct oio_dev *od, unsigned int n, u32 *v)
{
	int lapses, err;

	oio_shadow_sync(od);
	if (test_bit(n, od->prbs_known)) {
		*v = od->prbs_ctrl[n];
		return 0;
	}
	lapses = atomic_read(&od->lapses);
	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL), v);
	if (err)
		return err;
	oio_shadow_kept_prbs(od, n, *v, lapses);
	return 0;
}

/**
 * oio_shadow_kept_prbs() - keep a lane's PRBS_CTRL as written
 * @od: the card
 * @n: the lane
 * @v: what was written, or read (CLEAR is not kept: it clears itself)
 * @lapses: @od->lapses read before the access
 *
 * Context: @od->lock held.
 */
void oio_shadow_kept_prbs(struct oio_dev *od, unsigned int n, u32 v,
			  int lapses)
{
	oio_shadow_sync(od);
	if (lapses != od->shadow_lapses)
		return;
	od->prbs_ctrl[n] = v & (OIO_PRBS_GEN | OIO_PRBS_CHECK);
	__set_bit(n, od->prbs_known);
}
