// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: announcing changes. Every change of an object - made through
 * netlink, through sysfs, or by the card itself (an alarm, an interlock
 * opening, a reset, the card going away) - is gathered in a struct
 * oio_news and announced here, the same way whoever made it: a wakeup of
 * pollers of the object's sysfs files and the object's netlink event.
 */
#include <linux/workqueue.h>

#include "oio.h"
#include "oio_nl_gen.h"

/**
 * oio_news_all() - news of every object of a card
 * @od: the card
 * @news: filled
 *
 * For a change the driver cannot narrow down, such as a PCI reset.
 *
 * Context: any.
 */
void oio_news_all(struct oio_dev *od, struct oio_news *news)
{
	memset(news, 0, sizeof(*news));
	news->card = true;
	bitmap_fill(news->ports, od->ports);
	bitmap_fill(news->lasers, od->wavelengths);
	bitmap_fill(news->lanes, od->lanes);
	bitmap_fill(news->rings, od->rings);
}

/**
 * oio_news_flush() - announce what changed
 * @od: the card
 * @news: what changed
 *
 * Nothing is announced before the card-add event or after the card-delete
 * event, and nothing to sysfs pollers while there is no class device.
 *
 * Context: process; takes @od->notify_lock, and @od->lock to read what it
 * announces. Must not be called with either held.
 */
void oio_news_flush(struct oio_dev *od, const struct oio_news *news)
{
	unsigned int i;

	mutex_lock(&od->notify_lock);
	oio_sysfs_notify(od, news);
	if (!od->announce)
		goto out;
	if (news->card)
		oio_nl_notify(od, OIO_CMD_CARD_CHANGE_NTF, 0);
	for_each_set_bit(i, news->ports, od->ports)
		oio_nl_notify(od, OIO_CMD_PORT_CHANGE_NTF, i);
	for_each_set_bit(i, news->lasers, od->wavelengths)
		oio_nl_notify(od, OIO_CMD_LASER_CHANGE_NTF, i);
	for_each_set_bit(i, news->lanes, od->lanes)
		oio_nl_notify(od, OIO_CMD_LANE_CHANGE_NTF, i);
	for_each_set_bit(i, news->rings, od->rings)
		oio_nl_notify(od, OIO_CMD_RING_CHANGE_NTF, i);
out:
	mutex_unlock(&od->notify_lock);
}

static void oio_health_work(struct work_struct *work)
{
	struct oio_dev *od = container_of(work, struct oio_dev, health_work);
	struct oio_news news = { .card = true };

	oio_news_flush(od, &news);
}

/**
 * oio_health_changed() - announce a change of the card's health
 * @od: the card
 *
 * The change is seen inside a register access, with locks held: it is
 * announced from a work item.
 *
 * Context: any but hard interrupt.
 */
void oio_health_changed(struct oio_dev *od)
{
	spin_lock(&od->health_lock);
	if (!od->health_stop)
		schedule_work(&od->health_work);
	spin_unlock(&od->health_lock);
}

/**
 * oio_health_stop() - announce no more health changes; wait for the last
 * @od: the card
 *
 * Context: process; teardown, after which nothing may queue the work.
 */
void oio_health_stop(struct oio_dev *od)
{
	spin_lock(&od->health_lock);
	od->health_stop = true;
	spin_unlock(&od->health_lock);
	cancel_work_sync(&od->health_work);
}

/**
 * oio_notify_init() - set up a card's announcements
 * @od: the card, not yet published
 *
 * Context: probe.
 */
void oio_notify_init(struct oio_dev *od)
{
	spin_lock_init(&od->health_lock);
	INIT_WORK(&od->health_work, oio_health_work);
}
