// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: alarm vector service.
 *
 * The card latches flags and raises the alarm vector when a flag newly
 * latches. Event flags (a lane changed state, a transition failed, the
 * interlock opened) are consumed here: cleared on the card and announced
 * to pollers of the object's file. Level flags (temperatures, laser bias
 * and power, lock lost, heater at limit) stay latched for userspace and are
 * masked on the card until userspace clears them through the object's
 * "alarms" file, so a condition that persists cannot storm the host.
 */
#include <linux/bitmap.h>
#include <linux/sysfs.h>

#include "oio.h"
#include "oio_nl_gen.h"

/* What a service round found, announced on netlink once the lock is gone. */
struct oio_news {
	bool card;
	DECLARE_BITMAP(lasers, OIO_MAX_WAVELENGTHS);
	DECLARE_BITMAP(lanes, OIO_MAX_LANES);
	DECLARE_BITMAP(rings, OIO_MAX_RINGS);
};

#define OIO_CARD_EVENTS	(OIO_CARD_INTERLOCK_OPENED | OIO_CARD_LASER_SHUTDOWN)
#define OIO_LANE_EVENTS	(OIO_LNALM_STATE_CHANGED | OIO_LNALM_FAILED)

static void oio_notify(struct oio_dev *od, const char *dir, const char *attr)
{
	if (od->classdev)
		sysfs_notify(&od->classdev->kobj, dir, attr);
}

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
		oio_notify(od, NULL, "interlock");
	}
	oio_hold(od, OIO_REG_CARD_ALARM_MASK, flags & ~OIO_CARD_EVENTS);
	oio_notify(od, NULL, "alarms");
	news->card = true;
}

static void oio_service_lasers(struct oio_dev *od, struct oio_news *news)
{
	char name[16];
	u32 pending, flags;
	unsigned int l;

	if (oio_read(od, OIO_REG_LASER_ALARM_PENDING, &pending))
		return;
	for (l = 0; l < od->wavelengths; l++) {
		if (!(pending & BIT(l)) ||
		    oio_read(od, OIO_LASER_REG(l, OIO_LASER_ALARM), &flags))
			continue;
		oio_hold(od, OIO_LASER_REG(l, OIO_LASER_ALARM_MASK), flags);
		snprintf(name, sizeof(name), "laser%u", l);
		oio_notify(od, name, "alarms");
		__set_bit(l, news->lasers);
	}
}

static void oio_service_lanes(struct oio_dev *od, struct oio_news *news)
{
	unsigned long pending;
	unsigned int word, bit, n;
	char name[16];
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
			snprintf(name, sizeof(name), "lane%u", n);
			__set_bit(n, news->lanes);
			if (flags & (OIO_LNALM_TX_LOCK_LOST | OIO_LNALM_TX_AT_LIMIT))
				__set_bit(2 * n + OIO_RING_TX, news->rings);
			if (flags & (OIO_LNALM_RX_LOCK_LOST | OIO_LNALM_RX_AT_LIMIT))
				__set_bit(2 * n + OIO_RING_RX, news->rings);
			if (flags & OIO_LANE_EVENTS) {
				oio_write(od, OIO_LANE_REG(n, OIO_LANE_ALARM),
					  flags & OIO_LANE_EVENTS);
				oio_notify(od, name, "state");
			}
			if (flags & ~OIO_LANE_EVENTS) {
				oio_hold(od, OIO_LANE_REG(n, OIO_LANE_ALARM_MASK),
					 flags & ~OIO_LANE_EVENTS);
				oio_notify(od, name, "alarms");
			}
		}
	}
}

/**
 * oio_alarm_service() - consume what raised the alarm vector
 * @od: the card
 *
 * Context: process (the alarm vector's thread); takes @od->lock, then
 * announces what changed to netlink listeners without it.
 */
void oio_alarm_service(struct oio_dev *od)
{
	struct oio_news news = { };
	unsigned int i;
	u32 summary;

	mutex_lock(&od->lock);
	if (!oio_read(od, OIO_REG_ALARM_SUMMARY, &summary)) {
		if (summary & OIO_SUMMARY_CARD)
			oio_service_card(od, &news);
		if (summary & OIO_SUMMARY_LASER)
			oio_service_lasers(od, &news);
		if (summary & OIO_SUMMARY_LANE)
			oio_service_lanes(od, &news);
	}
	mutex_unlock(&od->lock);

	/* The fillers take the lock again to read what they announce. */
	if (news.card)
		oio_nl_notify(od, OIO_CMD_CARD_CHANGE_NTF, 0);
	for_each_set_bit(i, news.lasers, od->wavelengths)
		oio_nl_notify(od, OIO_CMD_LASER_CHANGE_NTF, i);
	for_each_set_bit(i, news.lanes, od->lanes)
		oio_nl_notify(od, OIO_CMD_LANE_CHANGE_NTF, i);
	for_each_set_bit(i, news.rings, od->rings)
		oio_nl_notify(od, OIO_CMD_RING_CHANGE_NTF, i);
}

/**
 * oio_alarm_clear() - clear latched level flags and unmask them again
 * @od: the card
 * @flag_reg: the object's latched flags register
 * @mask_reg: the object's mask register
 * @flags: which flags
 *
 * Context: takes @od->lock.
 * Return: 0 or -ENODEV.
 */
int oio_alarm_clear(struct oio_dev *od, u32 flag_reg, u32 mask_reg, u32 flags)
{
	u32 mask;
	int err;

	mutex_lock(&od->lock);
	err = oio_write(od, flag_reg, flags);
	if (!err)
		err = oio_read(od, mask_reg, &mask);
	if (!err)
		err = oio_write(od, mask_reg, mask & ~flags);
	mutex_unlock(&od->lock);
	return err;
}
