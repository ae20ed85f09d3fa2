// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: driver for OIO optical I/O engine cards.
 *
 * Probe checks the card's identity and register-map version, resets it,
 * sizes everything from the geometry the card reports, allocates the
 * card's number, sets up the DMA buffers of the sweep and telemetry
 * engines and one MSI-X vector per event source, then publishes
 * /dev/oioN with /sys/class/oio/oioN, the hwmon device, the devlink
 * instance, the debugfs directory and the card's netlink id, in that
 * order; the card-add event is the last step and the first event of the
 * card.
 *
 * Teardown (remove(), or probe unwinding through devres) runs the other
 * way: the card-delete event is the last event, netlink users are waited
 * for, the class device and the node go, the alarm vector stops muting
 * itself, and the card is reset with bus mastering off before devres
 * frees the DMA buffers and the vectors.
 */
#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "oio.h"

static DEFINE_IDA(oio_ida);

/* ---- register access and the card's health ---- */

/**
 * oio_health() - whether the card answers
 * @od: the card
 *
 * Context: any.
 * Return: an enum oio_card_health.
 */
enum oio_card_health oio_health(struct oio_dev *od)
{
	return atomic_read(&od->health);
}

/**
 * oio_gone() - the card's PCI function is gone for good
 * @od: the card
 *
 * Context: any.
 * Return: true once a surprise removal was seen.
 */
bool oio_gone(struct oio_dev *od)
{
	return oio_health(od) == OIO_CARD_HEALTH_GONE;
}

/* Move to a new health (never out of GONE) and announce the change. */
static void oio_set_health(struct oio_dev *od, enum oio_card_health h)
{
	int old = atomic_read(&od->health);

	do {
		if (old == h || old == OIO_CARD_HEALTH_GONE)
			return;
	} while (!atomic_try_cmpxchg(&od->health, &old, h));
	if (h == OIO_CARD_HEALTH_GONE)
		dev_err(&od->pdev->dev, "card gone: marked dead\n");
	else if (h == OIO_CARD_HEALTH_NOT_ANSWERING)
		dev_warn(&od->pdev->dev, "card not answering\n");
	else
		dev_info(&od->pdev->dev, "card answers again\n");
	/* Engine waiters look at the health. */
	wake_up_all(&od->telem_wq);
	wake_up_all(&od->sweep_wq);
	oio_health_changed(od);
}

/*
 * A register read all ones and the magic does not answer either: the card
 * is gone only if its PCI function is (config space reads fail too).
 * Otherwise it is resetting or its link is retraining: fail this access
 * and try the card again at the next one.
 */
static int oio_not_answering(struct oio_dev *od)
{
	/* A reset under way reads all ones by design. */
	if (READ_ONCE(od->in_reset))
		return -EAGAIN;
	/* Writes may have been lost while it did not answer. */
	oio_shadow_forget(od);
	if (!pci_device_is_present(od->pdev)) {
		oio_set_health(od, OIO_CARD_HEALTH_GONE);
		return -ENODEV;
	}
	oio_set_health(od, OIO_CARD_HEALTH_NOT_ANSWERING);
	return -EIO;
}

static int oio_access_ok(struct oio_dev *od)
{
	if (READ_ONCE(od->in_reset))
		return -EAGAIN;
	switch (oio_health(od)) {
	case OIO_CARD_HEALTH_GONE:
		return -ENODEV;
	case OIO_CARD_HEALTH_NOT_ANSWERING:
		/* Back? One read of the magic says. */
		if (readl(od->regs + OIO_REG_MAGIC) != OIO_MAGIC_VALUE)
			return oio_not_answering(od);
		/*
		 * A write made between another access finding it silent and
		 * the health saying so may be lost too.
		 */
		oio_shadow_forget(od);
		oio_set_health(od, OIO_CARD_HEALTH_OK);
		return 0;
	default:
		return 0;
	}
}

/**
 * oio_read() - read a register of a card that answers
 * @od: the card
 * @off: register offset in BAR0
 * @val: where the value goes
 *
 * Context: process or threaded interrupt; takes no lock.
 * Return: 0; -EIO while the card does not answer, -ENODEV once it is
 * gone, -EAGAIN during a PCI reset.
 */
int oio_read(struct oio_dev *od, u32 off, u32 *val)
{
	int err = oio_access_ok(od);
	u32 v;

	if (err)
		return err;
	v = readl(od->regs + off);
	/* All ones is legal in a few registers: the magic tells them apart. */
	if (unlikely(v == U32_MAX) &&
	    readl(od->regs + OIO_REG_MAGIC) != OIO_MAGIC_VALUE)
		return oio_not_answering(od);
	*val = v;
	return 0;
}

/**
 * oio_read64() - read a 64-bit counter, _LO then the _HI it latched
 * @od: the card
 * @lo: offset of the _LO half
 * @val: where the value goes
 *
 * Context: caller holds @od->lock, so no other read re-latches _HI.
 * Return: as oio_read().
 */
int oio_read64(struct oio_dev *od, u32 lo, u64 *val)
{
	u32 l, h;
	int err;

	lockdep_assert_held(&od->lock);
	err = oio_read(od, lo, &l) ?: oio_read(od, lo + 4, &h);
	if (!err)
		*val = (u64)h << 32 | l;
	return err;
}

/**
 * oio_write() - write a register of a card that answers
 * @od: the card
 * @off: register offset in BAR0
 * @val: the value
 *
 * Context: process or threaded interrupt; takes no lock.
 * Return: 0 or as oio_read().
 */
int oio_write(struct oio_dev *od, u32 off, u32 val)
{
	int err = oio_access_ok(od);

	if (!err)
		writel(val, od->regs + off);
	return err;
}

/* ---- identity and reset ---- */

static int oio_identify(struct oio_dev *od)
{
	struct device *dev = &od->pdev->dev;
	u32 magic, version, geom;

	magic = readl(od->regs + OIO_REG_MAGIC);
	if (magic != OIO_MAGIC_VALUE) {
		dev_err(dev, "not an OIO engine: magic 0x%08x\n", magic);
		return -ENODEV;
	}
	version = readl(od->regs + OIO_REG_VERSION);
	if (version >> 16 != OIO_VERSION_MAJOR) {
		dev_err(dev, "register map %u.%u not supported (driver knows %u.x)\n",
			version >> 16, version & 0xffff, OIO_VERSION_MAJOR);
		return -ENODEV;
	}
	geom = readl(od->regs + OIO_REG_GEOMETRY);
	od->ports = FIELD_GET(OIO_GEOM_PORTS_MASK, geom);
	od->wavelengths = FIELD_GET(OIO_GEOM_WAVELENGTHS_MASK, geom);
	od->rings = FIELD_GET(OIO_GEOM_RINGS_MASK, geom);
	od->lanes = od->ports * od->wavelengths;
	if (!od->ports || od->ports > OIO_MAX_PORTS || !od->wavelengths ||
	    od->wavelengths > OIO_MAX_WAVELENGTHS || od->rings != 2 * od->lanes) {
		dev_err(dev, "impossible geometry 0x%08x\n", geom);
		return -ENODEV;
	}
	od->caps = readl(od->regs + OIO_REG_CAPS) & ~oio_fault_caps_clear();
	od->serial = readl(od->regs + OIO_REG_SERIAL);
	od->fw_version = readl(od->regs + OIO_REG_FW_VERSION);
	od->board_rev = readl(od->regs + OIO_REG_BOARD_REV);
	return 0;
}

/* Power-on state: lasers off, lanes deactivated, engines idle. */
static int oio_reset(struct oio_dev *od)
{
	u32 st;
	int err;

	oio_shadow_forget(od);
	writel(OIO_RESET_KEY, od->regs + OIO_REG_RESET);
	err = readl_poll_timeout(od->regs + OIO_REG_STATUS, st,
				 st != U32_MAX && (st & OIO_STATUS_READY), 10,
				 100000);
	if (err)
		dev_err(&od->pdev->dev, "card not ready after reset\n");
	else
		oio_shadow_reset(od);
	return err;
}

/*
 * Leave the card dark and unable to write to memory: lasers off, engines
 * stopped, bus mastering off. Whatever the driver thinks of the card's
 * health: a card that read all ones for a moment may well be back, and a
 * write to a card that is gone goes nowhere.
 */
static void oio_quiesce(struct oio_dev *od)
{
	oio_shadow_forget(od);
	writel(OIO_RESET_KEY, od->regs + OIO_REG_RESET);
	/* The reset stops the engines; wait for it before DMA goes off. */
	readl(od->regs + OIO_REG_STATUS);
	pci_clear_master(od->pdev);
}

static void oio_quiesce_action(void *data)
{
	oio_quiesce(data);
}

/* ---- vectors ---- */

/*
 * Claim a raise of a vector only if the card says it raised it: its bit of
 * INT_STATUS is set at every raise. A vector firing for nothing is then
 * IRQ_NONE, and the core's spurious-interrupt detector shuts it off. All
 * ones is a card that is gone, not every cause at once.
 */
static bool oio_irq_claim(struct oio_dev *od, u32 bit)
{
	u32 st = readl(od->regs + OIO_REG_INT_STATUS);

	if (st == U32_MAX || !(st & bit))
		return false;
	writel(bit, od->regs + OIO_REG_INT_STATUS);
	return true;
}

/*
 * The sweep and telemetry vectors raise once per run the driver started,
 * and a snapshot is meant to cost the card 3 accesses: they are claimed
 * from the driver's own record of a run on the card, with no read. A raise
 * with no run started is IRQ_NONE all the same.
 */
static bool oio_irq_expected(struct oio_dev *od, u32 bit, bool running)
{
	if (!running)
		return false;
	writel(bit, od->regs + OIO_REG_INT_STATUS);
	return true;
}

static irqreturn_t oio_irq_cmd(int irq, void *data)
{
	return oio_irq_claim(data, OIO_INT_CMD) ? IRQ_HANDLED : IRQ_NONE;
}

static irqreturn_t oio_irq_sweep(int irq, void *data)
{
	struct oio_dev *od = data;

	if (!oio_irq_expected(od, OIO_INT_SWEEP,
			      test_bit(OIO_F_SWEEP_BUSY, &od->flags)))
		return IRQ_NONE;
	atomic_inc(&od->sweep_irqs);
	wake_up_all(&od->sweep_wq);
	return IRQ_HANDLED;
}

static irqreturn_t oio_irq_telem(int irq, void *data)
{
	struct oio_dev *od = data;

	return oio_irq_expected(od, OIO_INT_TELEM, READ_ONCE(od->telem_busy)) ?
	       IRQ_WAKE_THREAD : IRQ_NONE;
}

/* Decode the block in the thread, where the cache's mutex may be taken. */
static irqreturn_t oio_irq_telem_thread(int irq, void *data)
{
	oio_telem_complete(data);
	return IRQ_HANDLED;
}

static irqreturn_t oio_irq_alarm(int irq, void *data)
{
	struct oio_dev *od = data;

	/* No access here: the thread acknowledges a burst of raises once. */
	atomic_inc(&od->alarm_irqs);
	oio_alarm_hard(od, irq);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t oio_irq_alarm_thread(int irq, void *data)
{
	oio_alarm_thread(data, irq);
	return IRQ_HANDLED;
}

static void oio_alarm_stop_action(void *data)
{
	oio_alarm_stop(data);
}

static int oio_setup_irqs(struct oio_dev *od)
{
	struct pci_dev *pdev = od->pdev;
	static const struct {
		unsigned int vector;
		const char *name;
		irq_handler_t hard;
		irq_handler_t thread;
	} vecs[] = {
		{ OIO_VEC_CMD, "cmd", oio_irq_cmd, NULL },
		{ OIO_VEC_ALARM, "alarm", oio_irq_alarm, oio_irq_alarm_thread },
		{ OIO_VEC_SWEEP, "sweep", oio_irq_sweep, NULL },
		{ OIO_VEC_TELEM, "telem", oio_irq_telem, oio_irq_telem_thread },
	};
	unsigned int i;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(vecs) != OIO_NUM_VECTORS);
	err = oio_fault_probe(od) ?:
	      pci_alloc_irq_vectors(pdev, OIO_NUM_VECTORS, OIO_NUM_VECTORS,
				    PCI_IRQ_MSIX);
	if (err < 0)
		return dev_err_probe(&pdev->dev, err, "no MSI-X vectors\n");
	for (i = 0; i < ARRAY_SIZE(vecs); i++) {
		char *name = od->irq_names[vecs[i].vector];

		snprintf(name, sizeof(od->irq_names[0]), "oio%d-%s", od->id,
			 vecs[i].name);
		err = oio_fault_probe(od) ?:
		      devm_request_threaded_irq(&pdev->dev,
						pci_irq_vector(pdev, vecs[i].vector),
						vecs[i].hard, vecs[i].thread,
						vecs[i].thread ? IRQF_ONESHOT : 0,
						name, od);
		if (err)
			return dev_err_probe(&pdev->dev, err,
					     "cannot request vector %u\n",
					     vecs[i].vector);
		/* Freed before the vector: the thread's unmute stays balanced. */
		if (vecs[i].vector == OIO_VEC_ALARM) {
			err = oio_fault_probe(od) ?:
			      devm_add_action_or_reset(&pdev->dev,
						       oio_alarm_stop_action, od);
			if (err)
				return err;
		}
	}
	return 0;
}

static int oio_setup_dma(struct oio_dev *od)
{
	struct device *dev = &od->pdev->dev;
	int err;

	err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (err)
		return dev_err_probe(dev, err, "no usable DMA mask\n");
	od->sweep_buf.size = OIO_SWEEP_BUF_SIZE;
	if (oio_fault_probe(od))
		return -ENOMEM;
	od->sweep_buf.cpu = dmam_alloc_coherent(dev, od->sweep_buf.size,
						&od->sweep_buf.bus, GFP_KERNEL);
	if (!od->sweep_buf.cpu)
		return -ENOMEM;
	err = oio_fault_probe(od) ?: oio_engines_setup(od);
	if (err)
		return err;
	/*
	 * Registered after the buffers, so released before them: on any
	 * teardown the card stops writing to memory before it is freed.
	 */
	return oio_fault_probe(od) ?:
	       devm_add_action_or_reset(dev, oio_quiesce_action, od);
}

static void oio_health_stop_action(void *data)
{
	oio_health_stop(data);
}

static void oio_free_id(void *data)
{
	struct oio_dev *od = data;

	ida_free(&oio_ida, od->id);
}

/* ---- the class device ---- */

static int oio_classdev_add(struct oio_dev *od)
{
	struct device *cd;
	int err;

	/* The node is live before udev hears of it. */
	err = oio_fault_probe(od) ?: oio_cdev_add(od);
	if (err)
		return err;
	if (oio_fault_probe(od)) {
		oio_cdev_remove(od);
		return -ENOMEM;
	}
	/* Groups are set before the device is added: no uevent races them. */
	cd = device_create_with_groups(&oio_class, &od->pdev->dev,
				       oio_cdev_devt(od), od, od->groups,
				       "oio%d", od->id);
	if (IS_ERR(cd)) {
		oio_cdev_remove(od);
		return PTR_ERR(cd);
	}
	mutex_lock(&od->notify_lock);
	od->classdev = cd;
	mutex_unlock(&od->notify_lock);
	return 0;
}

/*
 * The sysfs wakeups go through the class device under notify_lock: those
 * gathered are made while it is there, then it is hidden, the wakeups
 * gathered since are dropped, and the sysfs accesses in progress are
 * drained; none start after this.
 */
static void oio_classdev_remove(struct oio_dev *od)
{
	struct device *cd;

	oio_sysfs_news_deliver(od);
	mutex_lock(&od->notify_lock);
	cd = od->classdev;
	od->classdev = NULL;
	mutex_unlock(&od->notify_lock);
	oio_sysfs_news_stop(od);
	if (cd)
		device_unregister(cd);
	oio_cdev_remove(od);
}

/* ---- probe and remove ---- */

static int oio_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct device *dev = &pdev->dev;
	struct oio_dev *od;
	int err;

	od = devm_kzalloc(dev, sizeof(*od), GFP_KERNEL);
	if (!od)
		return -ENOMEM;
	od->pdev = pdev;
	mutex_init(&od->lock);
	mutex_init(&od->notify_lock);
	mutex_init(&od->telem_lock);
	init_waitqueue_head(&od->telem_wq);
	init_waitqueue_head(&od->sweep_wq);
	atomic_set(&od->health, OIO_CARD_HEALTH_OK);
	oio_notify_init(od);
	od->storm_stamp = ktime_get_ns();
	od->storm_credit = (u64)OIO_STORM_BURST * OIO_STORM_COST_NS;
	pci_set_drvdata(pdev, od);

	err = oio_fault_probe(od) ?: pcim_enable_device(pdev);
	if (err)
		return dev_err_probe(dev, err, "cannot enable the device\n");
	if (pci_resource_len(pdev, OIO_BAR_REGS) < OIO_BAR0_SIZE)
		return dev_err_probe(dev, -ENODEV, "BAR0 smaller than 64 KiB\n");
	err = oio_fault_probe(od) ?:
	      pcim_iomap_regions(pdev, BIT(OIO_BAR_REGS), OIO_DRV_NAME);
	if (err)
		return dev_err_probe(dev, err, "cannot map BAR0\n");
	od->regs = pcim_iomap_table(pdev)[OIO_BAR_REGS];

	err = oio_identify(od);
	if (err)
		return err;
	err = oio_reset(od);
	if (err)
		return err;
	err = oio_setup_dma(od);
	if (err)
		return err;
	pci_set_master(pdev);
	oio_engines_init(od);

	/* The number names the vectors and every event: before them both. */
	od->id = oio_fault_probe(od) ?: ida_alloc(&oio_ida, GFP_KERNEL);
	if (od->id < 0)
		return od->id;
	err = oio_fault_probe(od) ?:
	      devm_add_action_or_reset(dev, oio_free_id, od);
	if (err)
		return err;
	err = oio_fault_probe(od) ?: oio_sysfs_build(od);
	if (err)
		return err;
	/* Released after the vectors, whose threads queue health changes. */
	err = oio_fault_probe(od) ?:
	      devm_add_action_or_reset(dev, oio_health_stop_action, od);
	if (err)
		return err;
	err = oio_setup_irqs(od);
	if (err)
		return err;

	err = oio_classdev_add(od);
	if (err)
		return dev_err_probe(dev, err, "cannot create the class device\n");
	err = oio_fault_probe(od) ?: oio_hwmon_init(od);
	if (err) {
		dev_err_probe(dev, err, "cannot register with hwmon\n");
		goto err_classdev;
	}
	err = oio_fault_probe(od) ?: oio_devlink_init(od);
	if (err) {
		dev_err_probe(dev, err, "cannot register with devlink\n");
		goto err_classdev;
	}
	oio_debugfs_init(od);
	err = oio_fault_probe(od) ?: oio_nl_card_add(od);
	if (err)
		goto err_debugfs;

	dev_info(dev, "oio%d: %ux%u lanes, serial %u, firmware %u.%u.%u\n",
		 od->id, od->ports, od->wavelengths, od->serial,
		 od->fw_version >> 16, (od->fw_version >> 8) & 0xff,
		 od->fw_version & 0xff);
	return 0;

err_debugfs:
	oio_debugfs_exit(od);
	oio_devlink_exit(od);
err_classdev:
	oio_classdev_remove(od);
	return err;
}

static void oio_remove(struct pci_dev *pdev)
{
	struct oio_dev *od = pci_get_drvdata(pdev);

	/* The last event, then no netlink user is left. */
	oio_nl_card_remove(od);
	oio_debugfs_exit(od);
	oio_devlink_exit(od);
	oio_classdev_remove(od);
	oio_alarm_stop(od);
	/* devres does it too; a remove() leaves the card dark at once. */
	oio_quiesce(od);
}

/* Reboot and kexec: no light and no DMA into the next kernel's memory. */
static void oio_shutdown(struct pci_dev *pdev)
{
	struct oio_dev *od = pci_get_drvdata(pdev);

	mutex_lock(&od->lock);
	oio_quiesce(od);
	mutex_unlock(&od->lock);
}

/*
 * A PCI reset (sysfs "reset", a bus reset of the slot) returns the card to
 * its power-on state behind the driver's back: stop every register access
 * for its duration, fail the engines' waiters, then point the engines at
 * their buffers again and announce that everything changed.
 */
static void oio_reset_prepare(struct pci_dev *pdev)
{
	struct oio_dev *od = pci_get_drvdata(pdev);

	/* Register accesses fail from here; waiters of the engines wake. */
	WRITE_ONCE(od->in_reset, true);
	oio_engines_reset(od);
	/* Released by oio_reset_done(), which the PCI core always calls. */
	mutex_lock(&od->lock);
}

static void oio_reset_done(struct pci_dev *pdev)
{
	struct oio_dev *od = pci_get_drvdata(pdev);
	struct oio_news news;
	int err;

	/* lock-free readers wait until the card answers again */
	err = oio_reset(od);
	/*
	 * Counted under @od->lock, which oio_sweep() reads it under: a run
	 * started before this reset was lost with it. A waiter that slept
	 * through the whole reset wakes to it.
	 */
	atomic_inc(&od->resets);
	/* pairs with smp_rmb() in oio_reset_since() */
	smp_mb__after_atomic();
	WRITE_ONCE(od->in_reset, false);
	wake_up_all(&od->sweep_wq);
	if (!err)
		oio_engines_init(od);
	mutex_unlock(&od->lock);
	oio_sweep_reset_done(od);
	oio_news_all(od, &news);
	oio_news_flush(od, &news);
}

static const struct pci_error_handlers oio_err_handlers = {
	.reset_prepare = oio_reset_prepare,
	.reset_done = oio_reset_done,
};

static const struct pci_device_id oio_ids[] = {
	{ PCI_DEVICE(OIO_PCI_VENDOR_ID, OIO_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, oio_ids);

static struct pci_driver oio_pci_driver = {
	.name = OIO_DRV_NAME,
	.id_table = oio_ids,
	.probe = oio_probe,
	.remove = oio_remove,
	.shutdown = oio_shutdown,
	.err_handler = &oio_err_handlers,
};

static int __init oio_init(void)
{
	int err;

	err = oio_cdev_module_init();
	if (err)
		return err;
	err = class_register(&oio_class);
	if (err)
		goto err_cdev;
	oio_debugfs_module_init();
	/* Before the cards: their arrival is announced on the family. */
	err = oio_nl_family_register();
	if (err)
		goto err_debugfs;
	err = pci_register_driver(&oio_pci_driver);
	if (err)
		goto err_family;
	return 0;

err_family:
	oio_nl_family_unregister();
err_debugfs:
	oio_debugfs_module_exit();
	class_unregister(&oio_class);
err_cdev:
	oio_cdev_module_exit();
	return err;
}

static void __exit oio_exit(void)
{
	pci_unregister_driver(&oio_pci_driver);
	oio_nl_family_unregister();
	oio_debugfs_module_exit();
	class_unregister(&oio_class);
	oio_cdev_module_exit();
	ida_destroy(&oio_ida);
}

module_init(oio_init);
module_exit(oio_exit);

MODULE_DESCRIPTION("OIO optical I/O engine card driver");
MODULE_LICENSE("GPL");
