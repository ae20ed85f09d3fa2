/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oio: driver for OIO optical I/O engine cards - shared definitions.
 */
#ifndef _OIO_H
#define _OIO_H

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "oio_regs.h"

#define OIO_DRV_NAME		"oio"

/* How long the driver waits for a firmware engine before giving up. */
#define OIO_CMD_TIMEOUT_MS	1000
#define OIO_SWEEP_TIMEOUT_MS	10000
/* More alarm vectors than this in a second is a storm: mute for a second. */
#define OIO_STORM_IRQS		2000
#define OIO_ALARM_COALESCE_US	500	/* gather a burst of alarms, see oio_main.c */

struct oio_dma {
	void *cpu;
	dma_addr_t bus;
	size_t size;
};

/**
 * struct oio_dev - one OIO engine card
 * @pdev: the PCI function
 * @regs: BAR0
 * @id: N of /sys/class/oio/oioN
 * @classdev: the class device
 * @groups: attribute groups of @classdev, built before it is added
 * @ports: optical ports, from the card
 * @wavelengths: laser lines and lanes per port, from the card
 * @lanes: @ports x @wavelengths
 * @rings: two per lane
 * @serial: serial number
 * @fw_version: firmware version, major << 16 | minor << 8 | patch
 * @board_rev: board revision
 * @caps: OIO_CAP_* feature bits
 * @lock: serialises every multi-register sequence, the engines and their
 *	buffers; taken by sysfs, netlink and the alarm thread, never in hard
 *	interrupt context
 * @dead: the card stopped answering (all-ones reads); set once, read
 *	without @lock
 * @debugfs: the card's debugfs directory
 * @devlink: the card's devlink instance
 * @sweep_buf: sweep trace buffer, protected by @lock
 * @telem_buf: telemetry block buffer, protected by @lock
 * @cmd_done: completed by the command vector
 * @sweep_done: completed by the sweep vector
 * @telem_done: completed by the telemetry vector
 * @storm_start: jiffies at which the current one-second count began
 * @storm_irqs: alarm vectors counted since @storm_start
 * @storms: how many times the alarm vector was muted
 * @storm_unmute: unmutes the alarm vector a second after a storm
 */
struct oio_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	int id;
	struct device *classdev;
	const struct attribute_group **groups;

	u32 ports;
	u32 wavelengths;
	u32 lanes;
	u32 rings;
	u32 serial;
	u32 fw_version;
	u32 board_rev;
	u32 caps;

	/* serialises register sequences and engines, see above */
	struct mutex lock;
	bool dead;

	struct dentry *debugfs;
	struct devlink *devlink;

	struct oio_dma sweep_buf;
	struct oio_dma telem_buf;
	struct completion cmd_done;
	struct completion sweep_done;
	struct completion telem_done;

	/* alarm vector storm guard, touched only by its hard handler and work */
	unsigned long storm_start;
	unsigned int storm_irqs;
	atomic_t storms;
	struct delayed_work storm_unmute;
};

int oio_read(struct oio_dev *od, u32 off, u32 *val);
int oio_write(struct oio_dev *od, u32 off, u32 val);
bool oio_is_dead(struct oio_dev *od);

/* oio_alarm.c */
void oio_alarm_service(struct oio_dev *od);
int oio_alarm_clear(struct oio_dev *od, u32 flag_reg, u32 mask_reg, u32 flags);

/* oio_hwmon.c */
int oio_hwmon_init(struct oio_dev *od);

/* oio_devlink.c */
int oio_devlink_init(struct oio_dev *od);
void oio_devlink_exit(struct oio_dev *od);

/* oio_debugfs.c */
void oio_debugfs_module_init(void);
void oio_debugfs_module_exit(void);
void oio_debugfs_init(struct oio_dev *od);
void oio_debugfs_exit(struct oio_dev *od);

/* oio_engine.c */
struct oio_sweep_params {
	u32 first;
	u32 count;
	u32 start;
	u32 stop;
	u32 step;
	u32 dwell_ns;
	u32 positions;	/* bus positions swept, a bit each */
	u32 swept;	/* rings of the run at those positions */
};

void oio_engines_init(struct oio_dev *od);
int oio_telemetry_snapshot(struct oio_dev *od);
int oio_sweep(struct oio_dev *od, const struct oio_sweep_params *p);

/* oio_ctrl.c */
int oio_set_armed(struct oio_dev *od, bool arm);
int oio_set_laser_enable(struct oio_dev *od, unsigned int l, bool on);
int oio_set_laser_bias(struct oio_dev *od, unsigned int l, u32 ua);
int oio_set_prbs(struct oio_dev *od, unsigned int n, u32 set, u32 clear);
int oio_lane_request(struct oio_dev *od, unsigned int n, u32 req);
int oio_set_heater(struct oio_dev *od, unsigned int r, u32 code);
int oio_set_lock(struct oio_dev *od, unsigned int r, bool on);
int oio_set_line_shift(struct oio_dev *od, unsigned int p, u32 shift);

/* oio_nl.c, oio_nl_family.c */
struct genl_family;
int oio_nl_family_register(void);
void oio_nl_family_unregister(void);
struct genl_family *oio_nl_fam(void);
int oio_nl_card_add(struct oio_dev *od);
void oio_nl_card_remove(struct oio_dev *od);
void oio_nl_notify(struct oio_dev *od, u8 cmd, unsigned int index);

/* oio_sysfs.c */
extern struct class oio_class;
int oio_sysfs_build(struct oio_dev *od);

#endif /* _OIO_H */
