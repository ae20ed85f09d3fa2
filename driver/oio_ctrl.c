// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the operations that change a card, shared by sysfs and netlink so
 * both refuse the same things with the same errno. Each takes the card
 * lock for its whole register sequence.
 */
#include "oio.h"

/**
 * oio_set_armed() - arm or disarm the lasers
 * @od: the card
 * @arm: true to arm
 *
 * Context: takes @od->lock.
 * Return: 0, -EBUSY if the interlock is open, -ENODEV.
 */
int oio_set_armed(struct oio_dev *od, bool arm)
{
	u32 v = 0;
	int err;

	mutex_lock(&od->lock);
	err = oio_write(od, OIO_REG_ARM, arm ? OIO_ARM_KEY : 0) ?:
	      oio_read(od, OIO_REG_ARM, &v);
	if (!err && arm && !(v & OIO_ARM_ARMED))
		err = -EBUSY;
	mutex_unlock(&od->lock);
	return err;
}

/**
 * oio_set_laser_enable() - light or darken one laser line
 * @od: the card
 * @l: the line
 * @on: true to enable
 *
 * The card itself refuses an enable it may not do; the reason stays in
 * OIO_REG_LASER_REFUSED.
 *
 * Context: takes @od->lock.
 * Return: 0, -EPERM if not armed, -EBUSY if the interlock is open, -EIO if
 * the line failed, -ENODEV.
 */
int oio_set_laser_enable(struct oio_dev *od, unsigned int l, bool on)
{
	u32 ctrl = 0, why = 0;
	int err;

	mutex_lock(&od->lock);
	err = oio_write(od, OIO_LASER_REG(l, OIO_LASER_CTRL),
			on ? OIO_LASER_ENABLE : 0) ?:
	      oio_read(od, OIO_LASER_REG(l, OIO_LASER_CTRL), &ctrl);
	if (!err && on && !(ctrl & OIO_LASER_ENABLE))
		err = oio_read(od, OIO_REG_LASER_REFUSED, &why);
	mutex_unlock(&od->lock);
	if (err || !on || (ctrl & OIO_LASER_ENABLE))
		return err;
	switch (why) {
	case OIO_REFUSED_NOT_ARMED:
		return -EPERM;
	case OIO_REFUSED_INTERLOCK:
		return -EBUSY;
	default:
		return -EIO;
	}
}

/**
 * oio_set_laser_bias() - change a line's bias current set point
 * @od: the card
 * @l: the line
 * @ua: microamperes
 *
 * Context: takes @od->lock.
 * Return: 0, -ERANGE above the card's maximum, -ENODEV.
 */
int oio_set_laser_bias(struct oio_dev *od, unsigned int l, u32 ua)
{
	int err;

	if (ua > OIO_LASER_BIAS_MAX_UA)
		return -ERANGE;
	mutex_lock(&od->lock);
	err = oio_write(od, OIO_LASER_REG(l, OIO_LASER_BIAS_SET), ua);
	mutex_unlock(&od->lock);
	return err;
}

/**
 * oio_set_prbs() - switch a lane's PRBS generator and checker
 * @od: the card
 * @n: the lane
 * @set: OIO_PRBS_* bits to set (OIO_PRBS_CLEAR zeroes the counters)
 * @clear: OIO_PRBS_* bits to clear
 *
 * One read-modify-write whatever the bits, so both switch together.
 *
 * Context: takes @od->lock.
 * Return: 0 or -ENODEV.
 */
int oio_set_prbs(struct oio_dev *od, unsigned int n, u32 set, u32 clear)
{
	u32 v = 0;
	int err;

	mutex_lock(&od->lock);
	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL), &v) ?:
	      oio_write(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL),
			(v & ~clear) | set);
	mutex_unlock(&od->lock);
	return err;
}

/**
 * oio_lane_request() - ask a lane's state machine to move
 * @od: the card
 * @n: the lane
 * @req: OIO_LANE_REQ_*
 *
 * Context: takes @od->lock.
 * Return: 0, -EINVAL for an unknown request, -EBUSY when the lane's state
 * does not allow it, -ENODEV.
 */
int oio_lane_request(struct oio_dev *od, unsigned int n, u32 req)
{
	u32 st = 0;
	int err;

	if (req < OIO_LANE_REQ_DEACTIVATE || req > OIO_LANE_REQ_ACTIVATE)
		return -EINVAL;
	mutex_lock(&od->lock);
	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &st);
	st &= OIO_LANE_STATE_MASK;
	if (!err && ((req == OIO_LANE_REQ_INIT && st != OIO_DP_DEACTIVATED) ||
		     (req == OIO_LANE_REQ_ACTIVATE && st != OIO_DP_INITIALIZED)))
		err = -EBUSY;
	if (!err)
		err = oio_write(od, OIO_LANE_REG(n, OIO_LANE_CTRL), req);
	mutex_unlock(&od->lock);
	return err;
}

/**
 * oio_set_heater() - set a ring's heater code
 * @od: the card
 * @r: the ring
 * @code: DAC code
 *
 * Context: takes @od->lock.
 * Return: 0, -ERANGE above the DAC's range, -EBUSY while the ring's lock
 * loop owns the heater, -ENODEV.
 */
int oio_set_heater(struct oio_dev *od, unsigned int r, u32 code)
{
	u32 lock = 0;
	int err;

	if (code > OIO_HEATER_MAX)
		return -ERANGE;
	mutex_lock(&od->lock);
	err = oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL), &lock);
	if (!err && (lock & OIO_LOCK_ENABLE))
		err = -EBUSY;
	if (!err)
		err = oio_write(od, OIO_RING_REG(r, OIO_RING_HEATER), code);
	mutex_unlock(&od->lock);
	return err;
}

/**
 * oio_set_lock() - enable or disable a ring's lock loop
 * @od: the card
 * @r: the ring
 * @on: true to enable (re-acquires a loop that lost its line)
 *
 * Context: takes @od->lock.
 * Return: 0 or -ENODEV.
 */
int oio_set_lock(struct oio_dev *od, unsigned int r, bool on)
{
	int err;

	mutex_lock(&od->lock);
	err = oio_write(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL),
			on ? OIO_LOCK_ENABLE : 0);
	mutex_unlock(&od->lock);
	return err;
}

/**
 * oio_set_line_shift() - move a port's barrel shifter
 * @od: the card
 * @p: the port
 * @shift: lane w then carries line (w + @shift) mod wavelengths
 *
 * Context: takes @od->lock.
 * Return: 0, -ERANGE if @shift is not below the wavelengths, -EBUSY while a
 * lane of the port carries data, -ENODEV.
 */
int oio_set_line_shift(struct oio_dev *od, unsigned int p, u32 shift)
{
	unsigned int w;
	u32 st;
	int err = 0;

	if (shift >= od->wavelengths)
		return -ERANGE;
	mutex_lock(&od->lock);
	for (w = 0; w < od->wavelengths && !err; w++) {
		err = oio_read(od, OIO_LANE_REG(p * od->wavelengths + w,
						OIO_LANE_STATE), &st);
		st &= OIO_LANE_STATE_MASK;
		if (!err && (st == OIO_DP_ACTIVATED || st == OIO_DP_TXTURNON))
			err = -EBUSY;
	}
	if (!err)
		err = oio_write(od, OIO_REG_PORT_LINE_SHIFT(p), shift);
	mutex_unlock(&od->lock);
	return err;
}
