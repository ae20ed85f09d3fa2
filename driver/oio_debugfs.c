// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: debugfs, /sys/kernel/debug/oio/<pci address>/, for people debugging
 * the driver or the card.
 *
 * "regs" dumps every readable register: the global block, then each laser
 * line, lane and ring, one block per seq_file record so that a dump of the
 * largest card never needs one huge buffer. "counters" shows the card's
 * access counters and the driver's alarm vector figures. Write-only
 * registers are left out: reading one does nothing useful and makes the
 * card log a guest error.
 *
 * /sys/kernel/debug/oio/fault/ holds fault injection knobs, read at the
 * next probe, for tests of what a real card's firmware could get wrong:
 * "caps_clear" hides OIO_CAP_* bits of the card's CAPS, "telem_size"
 * replaces the telemetry block size the card reports (0: the card's own),
 * "probe_step" fails the Nth step of probe that can fail, with -ENOMEM,
 * to test each of probe's ways out (0: none).
 *
 * As everywhere in the kernel, a debugfs failure is not an error: the
 * driver works without these files.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "oio.h"

struct oio_reg_name {
	const char *name;
	u32 off;
};

#define OIO_GLOBAL(r)	{ #r, OIO_REG_##r }
#define OIO_BLOCK(r)	{ #r, OIO_##r }

static const struct oio_reg_name oio_global_regs[] = {
	OIO_GLOBAL(MAGIC),
	OIO_GLOBAL(VERSION),
	OIO_GLOBAL(CAPS),
	OIO_GLOBAL(GEOMETRY),
	OIO_GLOBAL(SERIAL),
	OIO_GLOBAL(FW_VERSION),
	OIO_GLOBAL(BOARD_REV),
	OIO_GLOBAL(SCRATCH),
	OIO_GLOBAL(STATUS),
	OIO_GLOBAL(GRID_FIRST_PM),
	OIO_GLOBAL(GRID_SPACING_PM),
	OIO_GLOBAL(RING_FSR_PM),
	OIO_GLOBAL(HEATER_RANGE_PM),
	OIO_GLOBAL(RING_FWHM_PM),
	OIO_GLOBAL(LINE_RATE_MBPS),
	OIO_GLOBAL(RING_DRIFT_PM_PER_K),
	OIO_GLOBAL(INT_STATUS),
	OIO_GLOBAL(CARD_TEMP),
	OIO_GLOBAL(INTERLOCK),
	OIO_GLOBAL(ARM),
	OIO_GLOBAL(LASER_REFUSED),
	OIO_GLOBAL(ALARM_SUMMARY),
	OIO_GLOBAL(CARD_ALARM),
	OIO_GLOBAL(CARD_ALARM_MASK),
	OIO_GLOBAL(LASER_ALARM_PENDING),
	OIO_GLOBAL(TEMP_HIGH_ALARM),
	OIO_GLOBAL(TEMP_HIGH_WARN),
	OIO_GLOBAL(TEMP_LOW_WARN),
	OIO_GLOBAL(TEMP_LOW_ALARM),
	OIO_GLOBAL(BIAS_HIGH_ALARM),
	OIO_GLOBAL(BIAS_HIGH_WARN),
	OIO_GLOBAL(POWER_LOW_WARN),
	OIO_GLOBAL(POWER_LOW_ALARM),
	OIO_GLOBAL(LTEMP_HIGH_ALARM),
	OIO_GLOBAL(LTEMP_LOW_ALARM),
	OIO_GLOBAL(CMD_OPCODE),
	OIO_GLOBAL(CMD_ARG0),
	OIO_GLOBAL(CMD_ARG1),
	OIO_GLOBAL(CMD_ARG2),
	OIO_GLOBAL(CMD_ARG3),
	OIO_GLOBAL(CMD_STATUS),
	OIO_GLOBAL(CMD_SEQ),
	OIO_GLOBAL(SWEEP_ADDR_LO),
	OIO_GLOBAL(SWEEP_ADDR_HI),
	OIO_GLOBAL(SWEEP_LEN),
	OIO_GLOBAL(SWEEP_FIRST_RING),
	OIO_GLOBAL(SWEEP_RING_COUNT),
	OIO_GLOBAL(SWEEP_START),
	OIO_GLOBAL(SWEEP_STOP),
	OIO_GLOBAL(SWEEP_STEP),
	OIO_GLOBAL(SWEEP_DWELL_NS),
	OIO_GLOBAL(SWEEP_STATUS),
	OIO_GLOBAL(SWEEP_SEQ),
	OIO_GLOBAL(TELEM_ADDR_LO),
	OIO_GLOBAL(TELEM_ADDR_HI),
	OIO_GLOBAL(TELEM_LEN),
	OIO_GLOBAL(TELEM_CTRL),
	OIO_GLOBAL(TELEM_PERIOD_US),
	OIO_GLOBAL(TELEM_STATUS),
	OIO_GLOBAL(TELEM_SEQ),
	OIO_GLOBAL(TELEM_SIZE),
	/* Each _LO read latches its _HI: keep them in this order. */
	OIO_GLOBAL(CNT_MMIO_RD_LO),
	OIO_GLOBAL(CNT_MMIO_RD_HI),
	OIO_GLOBAL(CNT_MMIO_WR_LO),
	OIO_GLOBAL(CNT_MMIO_WR_HI),
	OIO_GLOBAL(CNT_DMA_LO),
	OIO_GLOBAL(CNT_DMA_HI),
	{ }
};

static const struct oio_reg_name oio_laser_regs[] = {
	OIO_BLOCK(LASER_CTRL),
	OIO_BLOCK(LASER_BIAS_SET),
	OIO_BLOCK(LASER_BIAS),
	OIO_BLOCK(LASER_POWER),
	OIO_BLOCK(LASER_TEMP),
	OIO_BLOCK(LASER_STATUS),
	OIO_BLOCK(LASER_ALARM),
	OIO_BLOCK(LASER_ALARM_MASK),
	{ }
};

static const struct oio_reg_name oio_lane_regs[] = {
	OIO_BLOCK(LANE_STATE),
	OIO_BLOCK(LANE_PRBS_CTRL),
	OIO_BLOCK(LANE_PRBS_BITS_LO),
	OIO_BLOCK(LANE_PRBS_BITS_HI),
	OIO_BLOCK(LANE_PRBS_ERR_LO),
	OIO_BLOCK(LANE_PRBS_ERR_HI),
	OIO_BLOCK(LANE_ALARM),
	OIO_BLOCK(LANE_ALARM_MASK),
	{ }
};

static const struct oio_reg_name oio_ring_regs[] = {
	OIO_BLOCK(RING_HEATER),
	OIO_BLOCK(RING_MONITOR),
	OIO_BLOCK(RING_LOCK_CTRL),
	OIO_BLOCK(RING_LOCK_STATUS),
	OIO_BLOCK(RING_HEATER_UW),
	{ }
};

static struct dentry *oio_debugfs_root;
static u32 oio_fault_caps;
static u32 oio_fault_telem;
static u32 oio_fault_step;

/**
 * oio_fault_caps_clear() - CAPS bits a test asked to hide at probe
 *
 * Return: OIO_CAP_* bits, 0 unless injected.
 */
u32 oio_fault_caps_clear(void)
{
	return READ_ONCE(oio_fault_caps);
}

/**
 * oio_fault_probe() - count a step of probe that can fail; fail it if asked
 * @od: the card being probed
 *
 * Context: probe.
 * Return: -ENOMEM for the step "probe_step" names, else 0.
 */
int oio_fault_probe(struct oio_dev *od)
{
	u32 n = READ_ONCE(oio_fault_step);

	return n && ++od->probe_steps == n ? -ENOMEM : 0;
}

/**
 * oio_fault_telem_size() - telemetry block size a test asked to report
 *
 * Return: bytes, 0 unless injected.
 */
u32 oio_fault_telem_size(void)
{
	return READ_ONCE(oio_fault_telem);
}

static int oio_dump_reg(struct seq_file *m, const char *name, int index,
			u32 off)
{
	struct oio_dev *od = m->private;
	char label[32];
	u32 v;
	int err = oio_read(od, off, &v);

	if (err)
		return err;
	if (index < 0)
		strscpy(label, name, sizeof(label));
	else
		snprintf(label, sizeof(label), "%s(%d)", name, index);
	seq_printf(m, "%04x %-24s 0x%08x\n", off, label, v);
	return 0;
}

static int oio_dump_block(struct seq_file *m, const struct oio_reg_name *regs,
			  int index, u32 base)
{
	int err = 0;

	for (; regs->name && !err; regs++)
		err = oio_dump_reg(m, regs->name, index, base + regs->off);
	return err;
}

static int oio_dump_global(struct seq_file *m)
{
	struct oio_dev *od = m->private;
	unsigned int i;
	int err;

	err = oio_dump_block(m, oio_global_regs, -1, 0);
	for (i = 0; i < OIO_LANE_PENDING_WORDS && !err; i++)
		err = oio_dump_reg(m, "LANE_ALARM_PENDING", i,
				   OIO_REG_LANE_ALARM_PENDING(i));
	for (i = 0; i < od->ports && !err; i++)
		err = oio_dump_reg(m, "PORT_LINE_SHIFT", i,
				   OIO_REG_PORT_LINE_SHIFT(i));
	return err;
}

/* Records: the global block, then one per laser line, lane and ring. */
static loff_t oio_regs_records(struct oio_dev *od)
{
	return 1 + od->wavelengths + od->lanes + od->rings;
}

static void *oio_regs_start(struct seq_file *m, loff_t *pos)
{
	struct oio_dev *od = m->private;

	/* Released by oio_regs_stop(), which seq_file always calls. */
	mutex_lock(&od->lock);
	if (oio_gone(od))
		return ERR_PTR(-ENODEV);
	return *pos < oio_regs_records(od) ? pos : NULL;
}

static void *oio_regs_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct oio_dev *od = m->private;

	++*pos;
	return *pos < oio_regs_records(od) ? pos : NULL;
}

static void oio_regs_stop(struct seq_file *m, void *v)
{
	struct oio_dev *od = m->private;

	mutex_unlock(&od->lock);
}

static int oio_regs_show(struct seq_file *m, void *v)
{
	struct oio_dev *od = m->private;
	unsigned int i = *(loff_t *)v;

	if (!i)
		return oio_dump_global(m);
	i--;
	if (i < od->wavelengths)
		return oio_dump_block(m, oio_laser_regs, i,
				      OIO_LASER_REG(i, 0));
	i -= od->wavelengths;
	if (i < od->lanes)
		return oio_dump_block(m, oio_lane_regs, i, OIO_LANE_REG(i, 0));
	i -= od->lanes;
	return oio_dump_block(m, oio_ring_regs, i, OIO_RING_REG(i, 0));
}

static const struct seq_operations oio_regs_sops = {
	.start = oio_regs_start,
	.next = oio_regs_next,
	.stop = oio_regs_stop,
	.show = oio_regs_show,
};
DEFINE_SEQ_ATTRIBUTE(oio_regs);

static int oio_counters_show(struct seq_file *m, void *v)
{
	static const struct oio_reg_name counters[] = {
		{ "mmio_reads", OIO_REG_CNT_MMIO_RD_LO },
		{ "mmio_writes", OIO_REG_CNT_MMIO_WR_LO },
		{ "dma_bytes", OIO_REG_CNT_DMA_LO },
	};
	struct oio_dev *od = m->private;
	u64 val[ARRAY_SIZE(counters)];
	unsigned int i;
	u32 lo, hi;
	int err = 0;

	/* The lock keeps another reader from re-latching _HI in between. */
	mutex_lock(&od->lock);
	for (i = 0; i < ARRAY_SIZE(counters) && !err; i++) {
		err = oio_read(od, counters[i].off, &lo) ?:
		      oio_read(od, counters[i].off + 4, &hi);
		if (!err)
			val[i] = (u64)hi << 32 | lo;
	}
	mutex_unlock(&od->lock);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		seq_printf(m, "%s %llu\n", counters[i].name, val[i]);
	seq_printf(m, "alarm_irqs %d\n", atomic_read(&od->alarm_irqs));
	seq_printf(m, "alarm_storms %d\n", atomic_read(&od->storms));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(oio_counters);

/**
 * oio_debugfs_module_init() - create /sys/kernel/debug/oio/
 *
 * Context: module init.
 */
void oio_debugfs_module_init(void)
{
	struct dentry *fault;

	oio_debugfs_root = debugfs_create_dir(OIO_DRV_NAME, NULL);
	fault = debugfs_create_dir("fault", oio_debugfs_root);
	debugfs_create_x32("caps_clear", 0600, fault, &oio_fault_caps);
	debugfs_create_u32("telem_size", 0600, fault, &oio_fault_telem);
	debugfs_create_u32("probe_step", 0600, fault, &oio_fault_step);
}

/**
 * oio_debugfs_module_exit() - remove /sys/kernel/debug/oio/
 *
 * Context: module exit, after every card is gone.
 */
void oio_debugfs_module_exit(void)
{
	debugfs_remove_recursive(oio_debugfs_root);
}

/**
 * oio_debugfs_init() - create the card's debugfs directory and files
 * @od: the card, identified
 *
 * Context: probe.
 */
void oio_debugfs_init(struct oio_dev *od)
{
	od->debugfs = debugfs_create_dir(pci_name(od->pdev), oio_debugfs_root);
	debugfs_create_file("regs", 0400, od->debugfs, od, &oio_regs_fops);
	debugfs_create_file("counters", 0400, od->debugfs, od,
			    &oio_counters_fops);
}

/**
 * oio_debugfs_exit() - remove the card's debugfs directory
 * @od: the card
 *
 * Waits for reads in progress; later reads of a file still open fail.
 *
 * Context: remove.
 */
void oio_debugfs_exit(struct oio_dev *od)
{
	debugfs_remove_recursive(od->debugfs);
	od->debugfs = NULL;
}
