// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: driver for OIO optical I/O engine cards.
 *
 * Probe checks the card's identity and register-map version, resets it,
 * sizes everything from the geometry the card reports, sets up one MSI-X
 * vector per event source and the DMA buffers of the sweep and telemetry
 * engines, then publishes /sys/class/oio/oioN, the hwmon device, the
 * devlink instance, the debugfs directory and the card's netlink id.
 * Everything is device-managed except the class device, devlink, debugfs
 * and the netlink registry entry, which remove() takes down first.
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

#define OIO_SWEEP_BUF_SIZE	(512 * 1024)

static DEFINE_IDA(oio_ida);

bool oio_is_dead(struct oio_dev *od)
{
	return READ_ONCE(od->dead);
}

/* Surprise removal reads all ones: stop touching the card, wake waiters. */
static void oio_mark_dead(struct oio_dev *od)
{
	if (xchg(&od->dead, true))
		return;
	dev_err(&od->pdev->dev, "card stopped answering: marked dead\n");
	complete_all(&od->cmd_done);
	complete_all(&od->sweep_done);
	complete_all(&od->telem_done);
}

/**
 * oio_read() - read a register, detecting a card that has gone away
 * @od: the card
 * @off: register offset in BAR0
 * @val: where the value goes
 *
 * Context: any; takes no lock.
 * Return: 0, or -ENODEV once the card reads all ones.
 */
int oio_read(struct oio_dev *od, u32 off, u32 *val)
{
	u32 v;

	if (oio_is_dead(od))
		return -ENODEV;
	v = readl(od->regs + off);
	/* All ones is legal in a few registers: the magic tells them apart. */
	if (unlikely(v == U32_MAX) &&
	    readl(od->regs + OIO_REG_MAGIC) != OIO_MAGIC_VALUE) {
		oio_mark_dead(od);
		return -ENODEV;
	}
	*val = v;
	return 0;
}

/**
 * oio_write() - write a register of a card that is still there
 * @od: the card
 * @off: register offset in BAR0
 * @val: the value
 *
 * Context: any; takes no lock.
 * Return: 0, or -ENODEV if the card is dead.
 */
int oio_write(struct oio_dev *od, u32 off, u32 val)
{
	if (oio_is_dead(od))
		return -ENODEV;
	writel(val, od->regs + off);
	return 0;
}

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
	od->caps = readl(od->regs + OIO_REG_CAPS);
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

	writel(OIO_RESET_KEY, od->regs + OIO_REG_RESET);
	err = readl_poll_timeout(od->regs + OIO_REG_STATUS, st,
				 st & OIO_STATUS_READY, 10, 100000);
	if (err)
		dev_err(&od->pdev->dev, "card not ready after reset\n");
	return err;
}

static irqreturn_t oio_irq_cmd(int irq, void *data)
{
	struct oio_dev *od = data;

	writel(OIO_INT_CMD, od->regs + OIO_REG_INT_STATUS);
	complete(&od->cmd_done);
	return IRQ_HANDLED;
}

static irqreturn_t oio_irq_sweep(int irq, void *data)
{
	struct oio_dev *od = data;

	writel(OIO_INT_SWEEP, od->regs + OIO_REG_INT_STATUS);
	complete(&od->sweep_done);
	return IRQ_HANDLED;
}

static irqreturn_t oio_irq_telem(int irq, void *data)
{
	struct oio_dev *od = data;

	writel(OIO_INT_TELEM, od->regs + OIO_REG_INT_STATUS);
	complete(&od->telem_done);
	return IRQ_HANDLED;
}

/*
 * A card raising its alarm vector thousands of times a second would starve
 * the host; mute the vector for a second and say so. Latched flags are not
 * lost: the thread reads them all when the vector comes back.
 */
static bool oio_alarm_storm(struct oio_dev *od, int irq)
{
	if (time_after(jiffies, od->storm_start + HZ)) {
		od->storm_start = jiffies;
		od->storm_irqs = 0;
	}
	if (++od->storm_irqs <= OIO_STORM_IRQS)
		return false;
	disable_irq_nosync(irq);
	atomic_inc(&od->storms);
	dev_warn_ratelimited(&od->pdev->dev,
			     "alarm interrupt storm: vector muted for 1 s\n");
	schedule_delayed_work(&od->storm_unmute, HZ);
	return true;
}

static void oio_storm_unmute(struct work_struct *work)
{
	struct oio_dev *od = container_of(to_delayed_work(work), struct oio_dev,
					  storm_unmute);

	od->storm_irqs = 0;
	od->storm_start = jiffies;
	enable_irq(pci_irq_vector(od->pdev, OIO_VEC_ALARM));
}

static irqreturn_t oio_irq_alarm(int irq, void *data)
{
	struct oio_dev *od = data;

	writel(OIO_INT_ALARM, od->regs + OIO_REG_INT_STATUS);
	if (oio_alarm_storm(od, irq))
		return IRQ_HANDLED;
	return IRQ_WAKE_THREAD;
}

/*
 * Tell pollers of the class device which objects have news. A link coming
 * up moves every lane through four states within a millisecond or so, and
 * a latched flag raises no new interrupt until it is cleared: waiting a
 * little first takes the whole burst in one pass over the card, instead of
 * one per transition.
 */
static irqreturn_t oio_irq_alarm_thread(int irq, void *data)
{
	struct oio_dev *od = data;

	usleep_range(OIO_ALARM_COALESCE_US, 2 * OIO_ALARM_COALESCE_US);
	oio_alarm_service(od);
	return IRQ_HANDLED;
}

static int oio_setup_irqs(struct oio_dev *od)
{
	struct pci_dev *pdev = od->pdev;
	static const struct {
		unsigned int vector;
		irq_handler_t hard;
		irq_handler_t thread;
	} vecs[] = {
		{ OIO_VEC_CMD, oio_irq_cmd, NULL },
		{ OIO_VEC_ALARM, oio_irq_alarm, oio_irq_alarm_thread },
		{ OIO_VEC_SWEEP, oio_irq_sweep, NULL },
		{ OIO_VEC_TELEM, oio_irq_telem, NULL },
	};
	unsigned int i;
	int err;

	err = pci_alloc_irq_vectors(pdev, OIO_NUM_VECTORS, OIO_NUM_VECTORS,
				    PCI_IRQ_MSIX);
	if (err < 0)
		return dev_err_probe(&pdev->dev, err, "no MSI-X vectors\n");
	for (i = 0; i < ARRAY_SIZE(vecs); i++) {
		err = devm_request_threaded_irq(&pdev->dev,
						pci_irq_vector(pdev, vecs[i].vector),
						vecs[i].hard, vecs[i].thread,
						vecs[i].thread ? IRQF_ONESHOT : 0,
						OIO_DRV_NAME, od);
		if (err)
			return dev_err_probe(&pdev->dev, err,
					     "cannot request vector %u\n",
					     vecs[i].vector);
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
	od->telem_buf.size = PAGE_ALIGN(readl(od->regs + OIO_REG_TELEM_SIZE));
	od->sweep_buf.cpu = dmam_alloc_coherent(dev, od->sweep_buf.size,
						&od->sweep_buf.bus, GFP_KERNEL);
	od->telem_buf.cpu = dmam_alloc_coherent(dev, od->telem_buf.size,
						&od->telem_buf.bus, GFP_KERNEL);
	if (!od->sweep_buf.cpu || !od->telem_buf.cpu)
		return -ENOMEM;
	return 0;
}

static void oio_free_id(void *data)
{
	struct oio_dev *od = data;

	ida_free(&oio_ida, od->id);
}

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
	init_completion(&od->cmd_done);
	init_completion(&od->sweep_done);
	init_completion(&od->telem_done);
	INIT_DELAYED_WORK(&od->storm_unmute, oio_storm_unmute);
	pci_set_drvdata(pdev, od);

	err = pcim_enable_device(pdev);
	if (err)
		return dev_err_probe(dev, err, "cannot enable the device\n");
	if (pci_resource_len(pdev, OIO_BAR_REGS) < OIO_BAR0_SIZE)
		return dev_err_probe(dev, -ENODEV, "BAR0 smaller than 64 KiB\n");
	err = pcim_iomap_regions(pdev, BIT(OIO_BAR_REGS), OIO_DRV_NAME);
	if (err)
		return dev_err_probe(dev, err, "cannot map BAR0\n");
	od->regs = pcim_iomap_table(pdev)[OIO_BAR_REGS];
	pci_set_master(pdev);

	err = oio_identify(od);
	if (err)
		return err;
	err = oio_reset(od);
	if (err)
		return err;
	err = oio_setup_dma(od);
	if (err)
		return err;
	oio_engines_init(od);
	err = oio_setup_irqs(od);
	if (err)
		return err;

	od->id = ida_alloc(&oio_ida, GFP_KERNEL);
	if (od->id < 0)
		return od->id;
	err = devm_add_action_or_reset(dev, oio_free_id, od);
	if (err)
		return err;
	err = oio_sysfs_build(od);
	if (err)
		return err;
	/* Groups are set before the device is added: no uevent races them. */
	od->classdev = device_create_with_groups(&oio_class, dev, MKDEV(0, 0),
						 od, od->groups, "oio%d",
						 od->id);
	if (IS_ERR(od->classdev))
		return dev_err_probe(dev, PTR_ERR(od->classdev),
				     "cannot create the class device\n");
	err = oio_hwmon_init(od);
	if (err) {
		dev_err_probe(dev, err, "cannot register with hwmon\n");
		goto err_classdev;
	}
	err = oio_devlink_init(od);
	if (err) {
		dev_err_probe(dev, err, "cannot register with devlink\n");
		goto err_classdev;
	}
	oio_debugfs_init(od);
	err = oio_nl_card_add(od);
	if (err) {
		oio_debugfs_exit(od);
		oio_devlink_exit(od);
		goto err_classdev;
	}

	dev_info(dev, "oio%d: %ux%u lanes, serial %u, firmware %u.%u.%u\n",
		 od->id, od->ports, od->wavelengths, od->serial,
		 od->fw_version >> 16, (od->fw_version >> 8) & 0xff,
		 od->fw_version & 0xff);
	return 0;

err_classdev:
	device_unregister(od->classdev);
	return err;
}

static void oio_remove(struct pci_dev *pdev)
{
	struct oio_dev *od = pci_get_drvdata(pdev);
	struct device *classdev;

	/* Announce the departure, then wait for netlink requests using it. */
	oio_nl_card_remove(od);
	/* A muted vector stays muted until devres frees it. */
	cancel_delayed_work_sync(&od->storm_unmute);
	oio_debugfs_exit(od);
	oio_devlink_exit(od);
	/*
	 * The alarm thread notifies sysfs under the lock and the vector is
	 * only freed after remove(): hide the class device from it first.
	 */
	mutex_lock(&od->lock);
	classdev = od->classdev;
	od->classdev = NULL;
	mutex_unlock(&od->lock);
	/* Drains every sysfs access in progress; none start after this. */
	device_unregister(classdev);
	/* Leave the card dark: lasers off, lanes down. */
	if (!oio_is_dead(od))
		writel(OIO_RESET_KEY, od->regs + OIO_REG_RESET);
}

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
};

static int __init oio_init(void)
{
	int err;

	err = class_register(&oio_class);
	if (err)
		return err;
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
	return err;
}

static void __exit oio_exit(void)
{
	pci_unregister_driver(&oio_pci_driver);
	oio_nl_family_unregister();
	oio_debugfs_module_exit();
	class_unregister(&oio_class);
	ida_destroy(&oio_ida);
}

module_init(oio_init);
module_exit(oio_exit);

MODULE_DESCRIPTION("OIO optical I/O engine card driver");
MODULE_LICENSE("GPL");
