// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: announcing changes. Every change of an object - made through
 * netlink, through sysfs, or by the card itself (an alarm, an interlock
 * opening, a reset, the card going away) - is gathered in a struct
 * oio_news and announced here, the same way whoever made it: a wakeup of
 * pollers of the object's sysfs files and the object's netlink event.
 *
 * The netlink event goes out at once. The sysfs wakeups are gathered for
 * a few milliseconds and made together: each sysfs_notify() queues the kernfs work
 * that tells fsnotify, whose worker, woken once per request, cost a
 * bring-up's batch of a few hundred heater, loop and lane requests more
 * than the requests themselves.
 */
#include <linux/workqueue.h>

#include "oio.h"
#include "oio_nl_gen.h"

/* How long sysfs wakeups gather after the first change: a jiffy or more. */
#define OIO_SYSFS_GATHER_MS	4

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

static void oio_news_add(struct oio_news *to, const struct oio_news *news)
{
	to->card |= news->card;
	bitmap_or(to->ports, to->ports, news->ports, OIO_MAX_PORTS);
	bitmap_or(to->lasers, to->lasers, news->lasers, OIO_MAX_WAVELENGTHS);
	bitmap_or(to->lanes, to->lanes, news->lanes, OIO_MAX_LANES);
	bitmap_or(to->rings, to->rings, news->rings, OIO_MAX_RINGS);
}

/**
 * oio_news_flush() - announce what changed
 * @od: the card
 * @news: what changed
 *
 * Nothing is announced before the card-add event or after the card-delete
 * event, and nothing to sysfs pollers while there is no class device.
 * Their wakeups follow within OIO_SYSFS_GATHER_MS of the first change,
 * shared by the changes made meanwhile.
 *
 * Context: process; takes @od->notify_lock, and @od->lock to read what it
 * announces. Must not be called with either held.
 */
void oio_news_flush(struct oio_dev *od, const struct oio_news *news)
{
	unsigned int i;

	mutex_lock(&od->notify_lock);
	if (od->classdev) {
		oio_news_add(&od->sysfs_news, news);
		/*
		 * Not re-armed while pending: the first change sets when
		 * pollers hear, and a steady stream cannot hold them off.
		 */
		schedule_delayed_work(&od->sysfs_work,
				      msecs_to_jiffies(OIO_SYSFS_GATHER_MS));
	}
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

static void oio_sysfs_work(struct work_struct *work)
{
	struct oio_dev *od = container_of(to_delayed_work(work), struct oio_dev,
					  sysfs_work);

	mutex_lock(&od->notify_lock);
	oio_sysfs_notify(od, &od->sysfs_news);
	memset(&od->sysfs_news, 0, sizeof(od->sysfs_news));
	mutex_unlock(&od->notify_lock);
}

/**
 * oio_sysfs_news_deliver() - wake the sysfs pollers of what gathered now
 * @od: the card
 *
 * For teardown, before the class device is hidden: kernfs does not wake
 * a poller when it removes the file.
 *
 * Context: process, without @od->notify_lock.
 */
void oio_sysfs_news_deliver(struct oio_dev *od)
{
	flush_delayed_work(&od->sysfs_work);
}

/**
 * oio_sysfs_news_stop() - drop the wakeups gathered since, and wait for
 *	one being made
 * @od: the card, its class device hidden (@od->classdev NULL): nothing
 *	queues the work again
 *
 * Context: process, without @od->notify_lock.
 */
void oio_sysfs_news_stop(struct oio_dev *od)
{
	cancel_delayed_work_sync(&od->sysfs_work);
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
	INIT_DELAYED_WORK(&od->sysfs_work, oio_sysfs_work);
}
