// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: alarm vector service.
 *
 * The card latches flags and raises the alarm vector when an unmasked flag
 * newly latches. Event flags (a lane changed state, a transition failed,
 * the interlock opened, lasers were shut) are consumed here: cleared on
 * the card and announced. Held flags (temperatures, laser bias, power and
 * failure, lock lost, heater at limit) stay latched for userspace and are
 * masked on the card until userspace clears them, so a condition that
 * persists cannot raise the vector again; clearing one whose condition
 * persists latches it again, which raises the vector, so it is held and
 * announced again at once.
 *
 * Storms: the vector is an edge (MSI-X), so every raise costs a hard
 * interrupt, whatever the thread does. Raises spend a credit that grows
 * back at OIO_STORM_RATE a second, up to a burst of OIO_STORM_BURST; out of
 * credit, the hard handler mutes the vector and the thread services the
 * card after a back-off, which doubles while the storm lasts (up to
 * OIO_STORM_BACKOFF_MAX_MS), and unmutes it. Whatever else fires beside
 * it, a storm costs one burst, then about OIO_STORM_RATE interrupts a
 * second, and every latched flag is still serviced, one back-off late.
 */
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/interrupt.h>

#include "oio.h"

#define OIO_CARD_EVENTS	(OIO_CARD_INTERLOCK_OPENED | OIO_CARD_LASER_SHUTDOWN)
#define OIO_LANE_EVENTS	(OIO_LNALM_STATE_CHANGED | OIO_LNALM_FAILED)

/* Mask level flags that latched until userspace clears them. */
static void oio_hold(struct oio_dev *od, u32 mask_reg, u32 flags)
{
	u32 mask;

	if (!flags || oio_read(od, mask_reg, &mask))
		return;
	oio_write(od, mask_reg, mask | flags);
}

static void oio_service_card(struct oio_dev *od, struct oio_news *news)
{
	u32 flags;

	if (oio_read(od, OIO_REG_CARD_ALARM, &flags) || !flags)
		return;
	if (flags & OIO_CARD_EVENTS) {
		oio_write(od, OIO_REG_CARD_ALARM, flags & OIO_CARD_EVENTS);
		/* The interlock shut every line and disarmed the card. */
		bitmap_fill(news->lasers, od->wavelengths);
	}
	oio_hold(od, OIO_REG_CARD_ALARM_MASK, flags & ~OIO_CARD_EVENTS);
	news->card = true;
}

static void oio_service_lasers(struct oio_dev *od, struct oio_news *news)
{
	u32 pending, flags;
	unsigned int l;

	if (oio_read(od, OIO_REG_LASER_ALARM_PENDING, &pending))
		return;
	for (l = 0; l < od->wavelengths; l++) {
		if (!(pending & BIT(l)) ||
		    oio_read(od, OIO_LASER_REG(l, OIO_LASER_ALARM), &flags))
			continue;
		oio_hold(od, OIO_LASER_REG(l, OIO_LASER_ALARM_MASK), flags);
		__set_bit(l, news->lasers);
	}
}

static void oio_service_lanes(struct oio_dev *od, struct oio_news *news)
{
	unsigned long pending;
	unsigned int word, bit, n;
	u32 v, flags;

	for (word = 0; word * 32 < od->lanes; word++) {
		if (oio_read(od, OIO_REG_LANE_ALARM_PENDING(word), &v))
			return;
		pending = v;
		for_each_set_bit(bit, &pending, 32) {
			n = word * 32 + bit;
			if (n >= od->lanes ||
			    oio_read(od, OIO_LANE_REG(n, OIO_LANE_ALARM), &flags))
				continue;
			__set_bit(n, news->lanes);
			if (flags & (OIO_LNALM_TX_LOCK_LOST | OIO_LNALM_TX_AT_LIMIT))
				__set_bit(2 * n + OIO_RING_TX, news->rings);
			if (flags & (OIO_LNALM_RX_LOCK_LOST | OIO_LNALM_RX_AT_LIMIT))
				__set_bit(2 * n + OIO_RING_RX, news->rings);
			if (flags & OIO_LANE_EVENTS)
				oio_write(od, OIO_LANE_REG(n, OIO_LANE_ALARM),
					  flags & OIO_LANE_EVENTS);
			oio_hold(od, OIO_LANE_REG(n, OIO_LANE_ALARM_MASK),
				 flags & ~OIO_LANE_EVENTS);
		}
	}
}

/**
 * oio_alarm_service() - consume what raised the alarm vector
 * @od: the card
 *
 * Context: process (the alarm vector's thread, or a caller that cleared
 * flags); takes @od->lock, then announces what changed without it.
 */
void oio_alarm_service(struct oio_dev *od)
{
	struct oio_news news = { };
	u32 summary;

	mutex_lock(&od->lock);
	/*
	 * The raises this service answers are acknowledged once, before it
	 * reads what latched: a lane's state changes come in bursts, and an
	 * ack at every raise cost a bring-up more accesses than its heaters.
	 * A flag latching after the summary read raises the vector again,
	 * and the thread runs again.
	 */
	if (!oio_write(od, OIO_REG_INT_STATUS, OIO_INT_ALARM) &&
	    !oio_read(od, OIO_REG_ALARM_SUMMARY, &summary)) {
		if (summary & OIO_SUMMARY_CARD)
			oio_service_card(od, &news);
		if (summary & OIO_SUMMARY_LASER)
			oio_service_lasers(od, &news);
		if (summary & OIO_SUMMARY_LANE)
			oio_service_lanes(od, &news);
	}
	mutex_unlock(&od->lock);
	oio_news_flush(od, &news);
}

/**
 * oio_alarm_hard() - count a raise of the alarm vector; mute a storm
 * @od: the card
 * @irq: the alarm vector
 *
 * Context: hard interrupt. The window state is the hard handler's own.
 * Return: true if the vector was muted.
 */
bool oio_alarm_hard(struct oio_dev *od, int irq)
{
	u64 now = ktime_get_ns();

	od->storm_credit = min(od->storm_credit + (now - od->storm_stamp),
			       (u64)OIO_STORM_BURST * OIO_STORM_COST_NS);
	od->storm_stamp = now;
	if (od->storm_credit >= OIO_STORM_COST_NS) {
		od->storm_credit -= OIO_STORM_COST_NS;
		return false;
	}
	if (READ_ONCE(od->alarm_stop))
		return false;
	/* Unmuted by the thread this raise wakes, after its back-off. */
	disable_irq_nosync(irq);
	od->storm_muted = true;
	return true;
}

/**
 * oio_alarm_thread() - the alarm vector's thread: coalesce, service, unmute
 * @od: the card
 * @irq: the alarm vector
 *
 * Context: the vector's thread; the only place that unmutes it, so a mute
 * and its unmute never outlive the vector (oio_alarm_stop() waits here).
 */
void oio_alarm_thread(struct oio_dev *od, int irq)
{
	ktime_t now;

	if (!od->storm_muted) {
		/* A lane moves through several states within a millisecond. */
		usleep_range(OIO_ALARM_COALESCE_US, 2 * OIO_ALARM_COALESCE_US);
		oio_alarm_service(od);
		return;
	}
	now = ktime_get();
	/* A storm that muted again soon after the last unmute backs off more. */
	if (od->storm_backoff_ms &&
	    ktime_ms_delta(now, od->storm_last) < 4 * od->storm_backoff_ms) {
		od->storm_backoff_ms = min(2 * od->storm_backoff_ms,
					   OIO_STORM_BACKOFF_MAX_MS);
	} else {
		od->storm_backoff_ms = OIO_STORM_BACKOFF_MS;
		atomic_inc(&od->storms);
		dev_warn_ratelimited(&od->pdev->dev,
				     "alarm interrupt storm: vector muted, serviced every %u ms at most\n",
				     OIO_STORM_BACKOFF_MAX_MS);
	}
	if (!READ_ONCE(od->alarm_stop))
		msleep(od->storm_backoff_ms);
	oio_alarm_service(od);
	od->storm_last = ktime_get();
	od->storm_muted = false;
	enable_irq(irq);
}

/**
 * oio_alarm_stop() - silence the alarm vector for good
 * @od: the card
 *
 * Masks the vector and waits for its handler and thread, which unmutes a
 * storm's mute (without its back-off) before it returns: the vector can
 * then be freed with its mutes balanced, and nothing of the storm guard
 * outlives it. Idempotent.
 *
 * Context: process; remove(), or devres just before freeing the vector.
 */
void oio_alarm_stop(struct oio_dev *od)
{
	if (od->alarm_stop)
		return;
	WRITE_ONCE(od->alarm_stop, true);
	/* Masks first: a storm cannot keep the thread busy while we wait. */
	disable_irq(pci_irq_vector(od->pdev, OIO_VEC_ALARM));
}

/**
 * oio_alarm_clear() - clear latched flags and unmask them again
 * @od: the card
 * @flag_reg: the object's latched flags register
 * @mask_reg: the object's mask register
 * @flags: which flags (register encoding)
 *
 * Unmasks first, then clears: a level flag whose condition persists
 * latches again unmasked, which raises the alarm vector, and the alarm
 * thread holds and announces it. Cleared the other way round it would
 * latch again while masked and, unmasked then, never raise anything.
 *
 * Context: @od->lock held.
 * Return: 0 or a negative errno from the card's access.
 */
int oio_alarm_clear(struct oio_dev *od, u32 flag_reg, u32 mask_reg, u32 flags)
{
	u32 mask;

	if (!flags)
		return 0;
	lockdep_assert_held(&od->lock);
	return oio_read(od, mask_reg, &mask) ?:
	       oio_write(od, mask_reg, mask & ~flags) ?:
	       oio_write(od, flag_reg, flags);
}
