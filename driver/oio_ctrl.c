// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the operations that change a card, shared by sysfs and netlink so
 * both refuse the same things with the same errno and announce the same
 * events. Each runs under the card lock, which the caller holds for its
 * whole request: a request checks everything that may refuse it first
 * (the oio_*_check() helpers), so a refused request changes nothing. Each
 * notes what it changed in the caller's struct oio_news, which the caller
 * announces once it has dropped the lock (oio_news_flush()).
 */
#include "oio.h"

/**
 * oio_arm_check() - would the card arm now?
 * @od: the card
 * @acked: the same request acknowledges the interlock's last opening first
 *
 * Context: @od->lock held, and kept until the arm is written.
 * Return: 0, -EBUSY if the interlock is open or its opening is not
 * acknowledged, -ENODEV, -EIO, -EAGAIN.
 */
int oio_arm_check(struct oio_dev *od, bool acked)
{
	u32 v;
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_read(od, OIO_REG_INTERLOCK, &v);
	if (!err && (!(v & OIO_INTERLOCK_CLOSED) ||
		     (!acked && (v & OIO_INTERLOCK_OPENED))))
		err = -EBUSY;
	return err;
}

/**
 * oio_set_armed() - arm or disarm the lasers
 * @od: the card
 * @arm: true to arm
 * @news: what changed
 *
 * Arming needs the interlock closed and its last opening acknowledged
 * (oio_ack_interlock()): lasers stay off until a person has seen it.
 * Disarming turns every line off.
 *
 * Context: @od->lock held.
 * Return: 0, -EBUSY if the interlock is open or its opening is not
 * acknowledged, -ENODEV, -EIO, -EAGAIN.
 */
int oio_set_armed(struct oio_dev *od, bool arm, struct oio_news *news)
{
	u32 v = 0;
	int err;

	lockdep_assert_held(&od->lock);
	err = arm ? oio_arm_check(od, false) : 0;
	if (!err)
		err = oio_write(od, OIO_REG_ARM, arm ? OIO_ARM_KEY : 0) ?:
		      oio_read(od, OIO_REG_ARM, &v);
	/* the interlock opened since the check */
	if (!err && arm && !(v & OIO_ARM_ARMED))
		err = -EBUSY;
	if (!err) {
		news->card = true;
		if (!arm)
			bitmap_fill(news->lasers, od->wavelengths);
	}
	return err;
}

/**
 * oio_ack_interlock() - acknowledge the interlock's last opening
 * @od: the card
 * @news: what changed
 *
 * Works while the interlock is still open; the latch sets again at the
 * next opening.
 *
 * Context: @od->lock held.
 * Return: 0, -ENODEV, -EIO.
 */
int oio_ack_interlock(struct oio_dev *od, struct oio_news *news)
{
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_write(od, OIO_REG_INTERLOCK, OIO_INTERLOCK_OPENED);
	if (!err)
		news->card = true;
	return err;
}

/**
 * oio_laser_enable_check() - would the card light a line now?
 * @od: the card
 * @l: the line
 *
 * The card's own checks, in its order (datasheet section 6.4).
 *
 * Context: @od->lock held, and kept until the enable is written.
 * Return: 0, -EBUSY if the interlock is open, -EPERM if not armed, -EIO if
 * the line failed (or the card does not answer), -ENODEV, -EAGAIN.
 */
int oio_laser_enable_check(struct oio_dev *od, unsigned int l)
{
	u32 lock, arm, st;
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_read(od, OIO_REG_INTERLOCK, &lock) ?:
	      oio_read(od, OIO_REG_ARM, &arm) ?:
	      oio_read(od, OIO_LASER_REG(l, OIO_LASER_STATUS), &st);
	if (err)
		return err;
	if (!(lock & OIO_INTERLOCK_CLOSED))
		return -EBUSY;
	if (!(arm & OIO_ARM_ARMED))
		return -EPERM;
	return st & OIO_LASER_ST_FAILED ? -EIO : 0;
}

/**
 * oio_set_laser_enable() - light or darken one laser line
 * @od: the card
 * @l: the line
 * @on: true to enable
 * @news: what changed
 *
 * The card itself refuses an enable it may not do; the reason stays in
 * OIO_REG_LASER_REFUSED.
 *
 * Context: @od->lock held.
 * Return: 0, -EPERM if not armed, -EBUSY if the interlock is open, -EIO if
 * the line failed, -ENODEV, -EAGAIN.
 */
int oio_set_laser_enable(struct oio_dev *od, unsigned int l, bool on,
			 struct oio_news *news)
{
	u32 ctrl = 0, why = 0;
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_write(od, OIO_LASER_REG(l, OIO_LASER_CTRL),
			on ? OIO_LASER_ENABLE : 0) ?:
	      oio_read(od, OIO_LASER_REG(l, OIO_LASER_CTRL), &ctrl);
	if (!err && on && !(ctrl & OIO_LASER_ENABLE))
		err = oio_read(od, OIO_REG_LASER_REFUSED, &why);
	if (err)
		return err;
	if (!on || (ctrl & OIO_LASER_ENABLE)) {
		__set_bit(l, news->lasers);
		return 0;
	}
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
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: 0, -ERANGE above the card's maximum, -ENODEV, -EIO.
 */
int oio_set_laser_bias(struct oio_dev *od, unsigned int l, u32 ua,
		       struct oio_news *news)
{
	int err;

	if (ua > OIO_LASER_BIAS_MAX_UA)
		return -ERANGE;
	lockdep_assert_held(&od->lock);
	err = oio_write(od, OIO_LASER_REG(l, OIO_LASER_BIAS_SET), ua);
	if (!err)
		__set_bit(l, news->lasers);
	return err;
}

/**
 * oio_set_prbs() - switch a lane's PRBS generator and checker
 * @od: the card
 * @n: the lane
 * @set: OIO_PRBS_* bits to set (OIO_PRBS_CLEAR zeroes the counters)
 * @clear: OIO_PRBS_* bits to clear
 * @news: what changed
 *
 * One write whatever the bits, so both switch together, from the bits the
 * driver last wrote (read from the card once if it does not know them).
 *
 * Context: @od->lock held.
 * Return: 0, -ENODEV, -EIO, -EAGAIN.
 */
int oio_set_prbs(struct oio_dev *od, unsigned int n, u32 set, u32 clear,
		 struct oio_news *news)
{
	int lapses = atomic_read(&od->lapses);
	u32 v = 0;
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_shadow_prbs(od, n, &v);
	if (err)
		return err;
	v = (v & ~clear) | set;
	err = oio_write(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL), v);
	if (err)
		return err;
	oio_shadow_kept_prbs(od, n, v, lapses);
	__set_bit(n, news->lanes);
	return 0;
}

static const u32 oio_lane_reqs[] = {
	[OIO_LANE_REQUEST_DEACTIVATE] = OIO_LANE_REQ_DEACTIVATE,
	[OIO_LANE_REQUEST_INITIALIZE] = OIO_LANE_REQ_INIT,
	[OIO_LANE_REQUEST_ACTIVATE] = OIO_LANE_REQ_ACTIVATE,
};

/**
 * oio_lane_request_check() - does a lane's state allow a request now?
 * @od: the card
 * @n: the lane
 * @req: enum oio_lane_request
 *
 * Context: @od->lock held, and kept until the request is written.
 * Return: 0, -EINVAL for an unknown request, -EBUSY when the lane's state
 * does not allow it, -ENODEV, -EIO, -EAGAIN.
 */
int oio_lane_request_check(struct oio_dev *od, unsigned int n, u32 req)
{
	u32 st;
	int err;

	lockdep_assert_held(&od->lock);
	if (req >= ARRAY_SIZE(oio_lane_reqs) || !oio_lane_reqs[req])
		return -EINVAL;
	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &st);
	if (err)
		return err;
	st &= OIO_LANE_STATE_MASK;
	if ((req == OIO_LANE_REQUEST_INITIALIZE && st != OIO_DP_DEACTIVATED) ||
	    (req == OIO_LANE_REQUEST_ACTIVATE && st != OIO_DP_INITIALIZED))
		return -EBUSY;
	return 0;
}

/**
 * oio_lane_request() - ask a lane's state machine to move
 * @od: the card
 * @n: the lane
 * @req: enum oio_lane_request
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: as oio_lane_request_check().
 */
int oio_lane_request(struct oio_dev *od, unsigned int n, u32 req,
		     struct oio_news *news)
{
	return oio_lane_request_check(od, n, req) ?:
	       oio_lane_request_checked(od, n, req, news);
}

/**
 * oio_lane_request_checked() - the same, oio_lane_request_check() passed
 * @od: the card
 * @n: the lane
 * @req: enum oio_lane_request
 * @news: what changed
 *
 * For a caller that checked under the same hold of @od->lock: the state is
 * not read twice.
 *
 * Context: @od->lock held.
 * Return: 0, -ENODEV, -EIO.
 */
int oio_lane_request_checked(struct oio_dev *od, unsigned int n, u32 req,
			     struct oio_news *news)
{
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_write(od, OIO_LANE_REG(n, OIO_LANE_CTRL), oio_lane_reqs[req]);
	if (!err)
		__set_bit(n, news->lanes);
	return err;
}

/**
 * oio_set_heater() - set a ring's heater code
 * @od: the card
 * @r: the ring
 * @code: DAC code
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: 0, -ERANGE above the DAC's range, -EBUSY while the ring's lock
 * loop owns the heater or a sweep runs over it, -ENODEV, -EIO.
 */
int oio_set_heater(struct oio_dev *od, unsigned int r, u32 code,
		   struct oio_news *news)
{
	bool loop_on = false;
	int err;

	if (code > OIO_HEATER_MAX)
		return -ERANGE;
	lockdep_assert_held(&od->lock);
	err = oio_ring_swept(od, r) ? -EBUSY :
	      oio_shadow_lock_on(od, r, &loop_on);
	if (!err && loop_on)
		err = -EBUSY;
	if (!err)
		err = oio_write(od, OIO_RING_REG(r, OIO_RING_HEATER), code);
	if (!err)
		__set_bit(r, news->rings);
	return err;
}

/**
 * oio_set_lock() - enable or disable a ring's lock loop
 * @od: the card
 * @r: the ring
 * @on: true to enable (re-acquires a loop that lost its line)
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: 0, -EBUSY while a sweep runs over the ring, -ENODEV, -EIO.
 */
int oio_set_lock(struct oio_dev *od, unsigned int r, bool on,
		 struct oio_news *news)
{
	int lapses = atomic_read(&od->lapses);
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_ring_swept(od, r) ? -EBUSY :
	      oio_write(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL),
			on ? OIO_LOCK_ENABLE : 0);
	if (err)
		return err;
	oio_shadow_kept_lock(od, r, on, lapses);
	__set_bit(r, news->rings);
	return 0;
}

/**
 * oio_set_line_shift() - move a port's barrel shifter
 * @od: the card
 * @p: the port
 * @shift: lane w then carries line (w + @shift) mod wavelengths
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: 0, -ERANGE if @shift is not below the wavelengths, -EBUSY while a
 * lane of the port carries data, -ENODEV, -EIO.
 */
int oio_set_line_shift(struct oio_dev *od, unsigned int p, u32 shift,
		       struct oio_news *news)
{
	unsigned int w;
	u32 st;
	int err = 0;

	if (shift >= od->wavelengths)
		return -ERANGE;
	lockdep_assert_held(&od->lock);
	for (w = 0; w < od->wavelengths && !err; w++) {
		err = oio_read(od, OIO_LANE_REG(p * od->wavelengths + w,
						OIO_LANE_STATE), &st);
		st &= OIO_LANE_STATE_MASK;
		if (!err && (st == OIO_DP_ACTIVATED || st == OIO_DP_TXTURNON))
			err = -EBUSY;
	}
	if (!err)
		err = oio_write(od, OIO_REG_PORT_LINE_SHIFT(p), shift);
	if (!err)
		__set_bit(p, news->ports);
	return err;
}

/**
 * oio_clear_card_alarms() - clear latched card alarm flags
 * @od: the card
 * @uapi: enum oio_card_alarm flags
 * @news: what changed
 *
 * A flag whose condition persists latches again and is announced by the
 * alarm service; see oio_alarm_clear().
 *
 * Context: @od->lock held.
 * Return: 0, -ENODEV, -EIO.
 */
int oio_clear_card_alarms(struct oio_dev *od, u32 uapi, struct oio_news *news)
{
	int err = oio_alarm_clear(od, OIO_REG_CARD_ALARM,
				  OIO_REG_CARD_ALARM_MASK,
				  oio_card_alarms_reg(uapi));

	if (!err)
		news->card = true;
	return err;
}

/**
 * oio_clear_laser_alarms() - clear latched alarm flags of a laser line
 * @od: the card
 * @l: the line
 * @uapi: enum oio_laser_alarm flags
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: 0, -ENODEV, -EIO.
 */
int oio_clear_laser_alarms(struct oio_dev *od, unsigned int l, u32 uapi,
			   struct oio_news *news)
{
	int err = oio_alarm_clear(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				  OIO_LASER_REG(l, OIO_LASER_ALARM_MASK),
				  oio_laser_alarms_reg(uapi));

	if (!err)
		__set_bit(l, news->lasers);
	return err;
}

/**
 * oio_clear_lane_alarms() - clear latched alarm flags of a lane
 * @od: the card
 * @n: the lane
 * @uapi: enum oio_lane_alarm flags
 * @news: what changed
 *
 * Context: @od->lock held.
 * Return: 0, -ENODEV, -EIO.
 */
int oio_clear_lane_alarms(struct oio_dev *od, unsigned int n, u32 uapi,
			  struct oio_news *news)
{
	int err = oio_alarm_clear(od, OIO_LANE_REG(n, OIO_LANE_ALARM),
				  OIO_LANE_REG(n, OIO_LANE_ALARM_MASK),
				  oio_lane_alarms_reg(uapi));

	if (!err)
		__set_bit(n, news->lanes);
	return err;
}
