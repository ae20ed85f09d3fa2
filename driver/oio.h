/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oio: driver for OIO optical I/O engine cards - shared definitions.
 *
 * Locking, outermost first:
 *
 *   notify_lock  who may hear of the card (classdev, announce) and what sysfs
 *                pollers have yet to hear (sysfs_news); held while
 *                announcing, which reads registers under @lock
 *   telem_lock   the telemetry cache; taken before @lock to start a run
 *   lock         one register sequence; never held across a wait for the
 *                card's firmware
 *
 * The control bits the driver keeps as written (oio_shadow.c) are @lock's;
 * the count of lapses that makes them unknown is atomic and lock-free.
 *
 * Engine waits (telemetry, sweeps) hold no lock: they sleep interruptibly
 * on a wait queue until the engine's vector, a timeout, a signal, a reset
 * or the card's removal.
 */
#ifndef _OIO_H
#define _OIO_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <uapi/linux/oio.h>
#include <uapi/linux/oio_dev.h>

#include "oio_regs.h"

#define OIO_DRV_NAME		"oio"

/* How long the driver waits for a firmware engine before giving up. */
#define OIO_CMD_TIMEOUT_MS	1000
/* how long a sweep engine may take to stop after an abort */
#define OIO_SWEEP_ABORT_POLL_US	100
#define OIO_SWEEP_ABORT_TIMEOUT_US (20 * USEC_PER_MSEC)
/* A reply must fit a default socket buffer: callers split bigger sweeps. */
#define OIO_TRACE_MAX_BYTES	(60 * 1024)
/* The sweep engine's buffer: the biggest trace a request may ask for. */
#define OIO_SWEEP_BUF_SIZE	(OIO_SWEEP_HDR_SIZE + OIO_TRACE_MAX_BYTES)
/* A caller without CAP_NET_ADMIN gets telemetry at most this old. */
#define OIO_TELEM_USER_AGE_MS	100
/* /dev/oioN for the first this many cards; later ones have netlink only */
#define OIO_CDEV_MINORS		256

/*
 * Alarm vector storms: raises spend a credit of time, OIO_STORM_COST_NS
 * each, that grows back with time up to OIO_STORM_BURST raises' worth:
 * a burst of real alarms (a card's lanes all changing state) passes at
 * once, and beyond it the vector takes OIO_STORM_RATE raises a second.
 * Out of credit, the hard handler mutes the vector; the alarm thread then
 * services the card after a back-off that doubles, up to
 * OIO_STORM_BACKOFF_MAX_MS, while the storm lasts, and unmutes it. See
 * oio_alarm.c.
 */
#define OIO_STORM_BURST		256
#define OIO_STORM_RATE		100
#define OIO_STORM_COST_NS	(NSEC_PER_SEC / OIO_STORM_RATE)
#define OIO_STORM_BACKOFF_MS	10
#define OIO_STORM_BACKOFF_MAX_MS 160
#define OIO_ALARM_COALESCE_US	500	/* gather a burst of alarms */

struct oio_dma {
	void *cpu;
	dma_addr_t bus;
	size_t size;
};

/* The columns of a decoded telemetry block, in the reply's order. */
enum oio_tcol {
	OIO_TCOL_LASER_ENABLE,
	OIO_TCOL_LASER_BIAS_SET,
	OIO_TCOL_LASER_BIAS,
	OIO_TCOL_LASER_POWER,
	OIO_TCOL_LASER_TEMP,
	OIO_TCOL_LASER_STATUS,
	OIO_TCOL_LASER_ALARMS,
	OIO_TCOL_LANE_STATE,
	OIO_TCOL_LANE_REASON,
	OIO_TCOL_LANE_PRBS_GEN,
	OIO_TCOL_LANE_PRBS_CHECK,
	OIO_TCOL_LANE_PRBS_BITS,
	OIO_TCOL_LANE_PRBS_ERRORS,
	OIO_TCOL_LANE_ALARMS,
	OIO_TCOL_PORT_LINE_SHIFT,
	OIO_TCOL_RING_HEATER,
	OIO_TCOL_RING_HEATER_UW,
	OIO_TCOL_RING_MONITOR,
	OIO_TCOL_RING_LOCK,
	OIO_TCOL_RING_LOCK_STATE,
	OIO_TCOL_RING_AT_LIMIT,
	OIO_TCOL_NUM
};

/**
 * struct oio_telem_block - one telemetry block, decoded into UAPI units
 * @seq: the card's sequence number
 * @time_ns: card time
 * @temp: card temperature, m°C
 * @alarms: card alarm flags (enum oio_card_alarm)
 * @armed: the card was armed
 * @interlock_closed: the interlock was closed
 * @taken: host time the block was decoded
 * @col: one array per column, carved from one allocation at probe
 */
struct oio_telem_block {
	u32 seq;
	u64 time_ns;
	s32 temp;
	u32 alarms;
	u8 armed;
	u8 interlock_closed;
	ktime_t taken;
	void *col[OIO_TCOL_NUM];
};

/* What changed, gathered while a lock is held and announced after. */
struct oio_news {
	bool card;
	DECLARE_BITMAP(ports, OIO_MAX_PORTS);
	DECLARE_BITMAP(lasers, OIO_MAX_WAVELENGTHS);
	DECLARE_BITMAP(lanes, OIO_MAX_LANES);
	DECLARE_BITMAP(rings, OIO_MAX_RINGS);
};

/* od->flags */
enum {
	OIO_F_SWEEP_BUSY,	/* a sweep owns the engine and its buffer */
	OIO_F_SWEEP_STUCK,	/* ... an aborted run that did not stop yet */
};

/**
 * struct oio_dev - one OIO engine card
 * @pdev: the PCI function
 * @regs: BAR0
 * @id: N of /sys/class/oio/oioN, allocated before any vector is live
 * @groups: attribute groups of the class device, built before it is added
 * @ports: optical ports, from the card
 * @wavelengths: laser lines and lanes per port, from the card
 * @lanes: @ports x @wavelengths
 * @rings: two per lane
 * @serial: serial number
 * @fw_version: firmware version, major << 16 | minor << 8 | patch
 * @board_rev: board revision
 * @caps: OIO_CAP_* feature bits
 * @lock: serialises every multi-register sequence; see above
 * @health: enum oio_card_health; only leaves OIO_CARD_HEALTH_GONE by rebind
 * @in_reset: a PCI reset is under way: no register access
 * @resets: PCI resets done, counted under @lock before @in_reset clears
 * @lapses: resets and lapses in the card's answers so far; see oio_shadow.c
 * @shadow_lapses: @lapses when the shadow below was last valid
 * @lock_known: rings whose @lock_on is known
 * @lock_on: rings whose lock loop was last enabled
 * @prbs_known: lanes whose @prbs_ctrl is known
 * @prbs_ctrl: PRBS_CTRL's GEN and CHECK as last written
 * @health_lock: protects @health_stop against the queueing of @health_work
 * @health_stop: set at teardown: @health_work is not queued any more
 * @health_work: announces a change of @health
 * @notify_lock: protects @classdev, @announce and @sysfs_news; see above
 * @classdev: the class device, NULL while there is none
 * @sysfs_news: changes whose sysfs pollers @sysfs_work has yet to wake
 * @sysfs_work: wakes them, a few milliseconds after the first; queued
 *	only while there is a class device
 * @cdev: /dev/oioN, or NULL; an open file keeps it (not the card) alive
 * @announce: netlink events of the card may go out (card-add sent,
 *	card-delete not yet)
 * @nl_users: netlink requests using the card; remove() waits for 0
 * @removing: remove() has begun: engine waits end with -ENODEV
 * @debugfs: the card's debugfs directory
 * @devlink: the card's devlink instance
 * @flags: OIO_F_* bits
 * @sweep_buf: sweep trace buffer, owned by whoever holds OIO_F_SWEEP_BUSY
 * @sweep_irqs: sweep vectors seen, bumped by the hard handler
 * @sweep_wq: sweep waiters sleep here
 * @telem_buf: telemetry DMA buffer, read only by the telemetry thread
 * @telem_size: bytes of one block, from the geometry
 * @telem_broken: -EIO if the card disagrees about @telem_size, else 0
 * @telem_lock: protects @telem_busy, @telem_started, @telem_poked,
 *	@telem_gen, @telem_err, @telem_valid and @telem
 * @telem_wq: telemetry waiters sleep here
 * @telem_busy: a snapshot is on the card (also read, locklessly, by the
 *	telemetry vector's hard handler)
 * @telem_started: jiffies when it was started
 * @telem_poked: jiffies when it was last started again, the card hung
 * @telem_gen: bumped at every completion (or failure) of a snapshot
 * @telem_err: verdict of the latest completion
 * @telem_valid: @telem holds a block
 * @telem: the latest block
 * @storm_stamp: when the hard handler last ran, ns (hard handler only)
 * @storm_credit: raises' credit, ns (hard handler only)
 * @storm_muted: the hard handler muted the vector; the thread unmutes it
 * @storm_backoff_ms: the thread's current back-off (thread only)
 * @storm_last: when the thread last unmuted (thread only)
 * @alarm_stop: teardown: the hard handler no longer mutes
 * @storms: how many storms muted the vector
 * @alarm_irqs: alarm vectors taken
 * @irq_names: "oioN-cmd" ... for /proc/interrupts
 * @probe_steps: steps of probe that could have failed so far (tests)
 */
struct oio_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	int id;
	const struct attribute_group **groups;

	u32 ports;
	u32 wavelengths;
	u32 lanes;
	u32 rings;
	u32 serial;
	u32 fw_version;
	u32 board_rev;
	u32 caps;

	/* serialises register sequences, see above */
	struct mutex lock;
	/* the run the sweep engine owns (none: count 0); @lock */
	u32 sweep_first;
	u32 sweep_count;
	u32 sweep_positions;
	atomic_t health;
	bool in_reset;
	atomic_t resets;
	atomic_t lapses;
	/* control bits as last written, see oio_shadow.c; @lock */
	int shadow_lapses;
	DECLARE_BITMAP(lock_known, OIO_MAX_RINGS);
	DECLARE_BITMAP(lock_on, OIO_MAX_RINGS);
	DECLARE_BITMAP(prbs_known, OIO_MAX_LANES);
	u8 prbs_ctrl[OIO_MAX_LANES];
	spinlock_t health_lock;	/* protects health_stop */
	bool health_stop;
	struct work_struct health_work;

	/* protects classdev, announce and sysfs_news, see above */
	struct mutex notify_lock;
	struct device *classdev;
	struct oio_news sysfs_news;
	struct delayed_work sysfs_work;
	struct cdev *cdev;
	bool announce;

	atomic_t nl_users;
	bool removing;

	struct dentry *debugfs;
	struct devlink *devlink;

	unsigned long flags;
	struct oio_dma sweep_buf;
	atomic_t sweep_irqs;
	wait_queue_head_t sweep_wq;

	struct oio_dma telem_buf;
	u32 telem_size;
	int telem_broken;
	/* protects the telemetry cache, see above */
	struct mutex telem_lock;
	wait_queue_head_t telem_wq;
	bool telem_busy;
	unsigned long telem_started;
	unsigned long telem_poked;
	u64 telem_gen;
	int telem_err;
	bool telem_valid;
	struct oio_telem_block telem;

	u64 storm_stamp;
	u64 storm_credit;
	bool storm_muted;
	unsigned int storm_backoff_ms;
	ktime_t storm_last;
	bool alarm_stop;
	atomic_t storms;
	atomic_t alarm_irqs;

	char irq_names[OIO_NUM_VECTORS][16];
	unsigned int probe_steps;
};

/* oio_main.c */
int oio_read(struct oio_dev *od, u32 off, u32 *val);
int oio_write(struct oio_dev *od, u32 off, u32 val);
int oio_read64(struct oio_dev *od, u32 lo, u64 *val);
bool oio_gone(struct oio_dev *od);
enum oio_card_health oio_health(struct oio_dev *od);

/* oio_flags.c: register encodings to the UAPI's and back */
u32 oio_card_alarms_uapi(u32 reg);
u32 oio_card_alarms_reg(u32 uapi);
u32 oio_laser_alarms_uapi(u32 reg);
u32 oio_laser_alarms_reg(u32 uapi);
u32 oio_lane_alarms_uapi(u32 reg);
u32 oio_lane_alarms_reg(u32 uapi);
u32 oio_laser_status_uapi(u32 reg);
u32 oio_lane_state_uapi(u32 reg);
u32 oio_lane_reason_uapi(u32 reg);
u32 oio_lock_state_uapi(u32 reg);

/* oio_alarm.c */
void oio_alarm_service(struct oio_dev *od);
bool oio_alarm_hard(struct oio_dev *od, int irq);
void oio_alarm_thread(struct oio_dev *od, int irq);
void oio_alarm_stop(struct oio_dev *od);
int oio_alarm_clear(struct oio_dev *od, u32 flag_reg, u32 mask_reg, u32 flags);

/* oio_notify.c */
void oio_news_flush(struct oio_dev *od, const struct oio_news *news);
void oio_news_all(struct oio_dev *od, struct oio_news *news);
void oio_notify_init(struct oio_dev *od);
void oio_health_changed(struct oio_dev *od);
void oio_health_stop(struct oio_dev *od);
void oio_sysfs_news_deliver(struct oio_dev *od);
void oio_sysfs_news_stop(struct oio_dev *od);

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
u32 oio_fault_caps_clear(void);
u32 oio_fault_telem_size(void);
int oio_fault_probe(struct oio_dev *od);

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
	u32 points;
};

/* DMA blocks are little-endian; every field sits on a 4-byte boundary. */
static inline u32 oio_le32(const void *blk, u32 off)
{
	return le32_to_cpup((const __le32 *)((const u8 *)blk + off));
}

unsigned int oio_tcol_count(const struct oio_dev *od, enum oio_tcol col);
unsigned int oio_tcol_size(enum oio_tcol col);
int oio_engines_setup(struct oio_dev *od);
void oio_engines_init(struct oio_dev *od);
void oio_engines_reset(struct oio_dev *od);
void oio_telem_complete(struct oio_dev *od);
int oio_telemetry_lock(struct oio_dev *od, unsigned int max_age_ms);
void oio_telemetry_unlock(struct oio_dev *od);
int oio_sweep(struct oio_dev *od, const struct oio_sweep_params *p,
	      u32 *status);
void oio_sweep_reset_done(struct oio_dev *od);
void oio_sweep_release(struct oio_dev *od);
bool oio_ring_swept(struct oio_dev *od, unsigned int r);

/* oio_ctrl.c: each with @od->lock held */
int oio_arm_check(struct oio_dev *od, bool acked);
int oio_laser_enable_check(struct oio_dev *od, unsigned int l);
int oio_lane_request_check(struct oio_dev *od, unsigned int n, u32 req);
int oio_set_armed(struct oio_dev *od, bool arm, struct oio_news *news);
int oio_ack_interlock(struct oio_dev *od, struct oio_news *news);
int oio_set_laser_enable(struct oio_dev *od, unsigned int l, bool on,
			 struct oio_news *news);
int oio_set_laser_bias(struct oio_dev *od, unsigned int l, u32 ua,
		       struct oio_news *news);
int oio_set_prbs(struct oio_dev *od, unsigned int n, u32 set, u32 clear,
		 struct oio_news *news);
int oio_lane_request(struct oio_dev *od, unsigned int n, u32 req,
		     struct oio_news *news);
int oio_lane_request_checked(struct oio_dev *od, unsigned int n, u32 req,
			     struct oio_news *news);
int oio_set_heater(struct oio_dev *od, unsigned int r, u32 code,
		   struct oio_news *news);
int oio_set_lock(struct oio_dev *od, unsigned int r, bool on,
		 struct oio_news *news);
int oio_set_line_shift(struct oio_dev *od, unsigned int p, u32 shift,
		       struct oio_news *news);
int oio_clear_card_alarms(struct oio_dev *od, u32 uapi,
			  struct oio_news *news);
int oio_clear_laser_alarms(struct oio_dev *od, unsigned int l, u32 uapi,
			   struct oio_news *news);
int oio_clear_lane_alarms(struct oio_dev *od, unsigned int n, u32 uapi,
			  struct oio_news *news);

/* oio_shadow.c: see each for its context */
void oio_shadow_forget(struct oio_dev *od);
void oio_shadow_reset(struct oio_dev *od);
int oio_shadow_lock_on(struct oio_dev *od, unsigned int r, bool *on);
void oio_shadow_kept_lock(struct oio_dev *od, unsigned int r, bool on,
			  int lapses);
int oio_shadow_prbs(struct oio_dev *od, unsigned int n, u32 *v);
void oio_shadow_kept_prbs(struct oio_dev *od, unsigned int n, u32 v,
			  int lapses);

/* oio_nl.c, oio_nl_family.c */
struct genl_family;
int oio_nl_family_register(void);
void oio_nl_family_unregister(void);
struct genl_family *oio_nl_fam(void);
int oio_nl_card_add(struct oio_dev *od);
void oio_nl_card_remove(struct oio_dev *od);
void oio_nl_notify(struct oio_dev *od, u8 cmd, unsigned int index);
struct sk_buff;
struct oio_dev *oio_card_get(unsigned long id);
void oio_card_put(struct oio_dev *od);
size_t oio_telem_msg_size(struct oio_dev *od, u32 parts);
int oio_telem_msg(struct sk_buff *msg, struct oio_dev *od, u32 parts,
		  unsigned int max_age_ms, u32 portid, u32 seq);

/* oio_cdev.c */
int oio_cdev_module_init(void);
void oio_cdev_module_exit(void);
dev_t oio_cdev_devt(struct oio_dev *od);
int oio_cdev_add(struct oio_dev *od);
void oio_cdev_remove(struct oio_dev *od);

/* oio_sysfs.c */
extern struct class oio_class;
int oio_sysfs_build(struct oio_dev *od);
void oio_sysfs_notify(struct oio_dev *od, const struct oio_news *news);

#endif /* _OIO_H */
