// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the sysfs tree, /sys/class/oio/oioN/, one value per file.
 *
 * The card's own files sit in oioN/; each port, laser line, lane and ring
 * has a directory (port0, laser0, lane0, ring0, ...) built as a named
 * attribute group, so every file exists before the device's uevent. One
 * table per kind of object lists its files; an attribute carries the index
 * of the object it belongs to. docs/ABI/testing/sysfs-class-oio documents
 * every file.
 */
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "oio.h"

struct oio_field {
	const char *name;
	umode_t mode;
	u32 cap;	/* OIO_CAP_* the file needs, 0 if none */
	ssize_t (*show)(struct oio_dev *od, unsigned int i, char *buf);
	int (*store)(struct oio_dev *od, unsigned int i, const char *buf);
};

struct oio_attr {
	struct device_attribute dattr;
	const struct oio_field *field;
	unsigned int index;
};

#define to_oio_attr(a) container_of(a, struct oio_attr, dattr)

/* One register, shown as an unsigned or signed decimal. */
static ssize_t show_reg(struct oio_dev *od, u32 off, bool is_signed, char *buf)
{
	u32 v;
	int err = oio_read(od, off, &v);

	if (err)
		return err;
	return is_signed ? sysfs_emit(buf, "%d\n", (s32)v) :
			   sysfs_emit(buf, "%u\n", v);
}

/*
 * Whole words only: kstrtobool() looks at the first characters alone and
 * would take "on-ish" or "1x" for a yes, changing state on bad input.
 */
static int parse_bool(const char *buf, bool *v)
{
	static const char * const words[] = {
		"0", "1", "n", "y", "no", "yes", "off", "on", "false", "true",
	};
	int i = sysfs_match_string(words, buf);

	if (i < 0)
		return -EINVAL;
	*v = i & 1;
	return 0;
}

static int parse_u32(const char *buf, u32 max, u32 *v)
{
	if (kstrtou32(buf, 0, v))
		return -EINVAL;
	return *v > max ? -ERANGE : 0;
}

/* Write one register under the card lock. */
static int store_locked(struct oio_dev *od, u32 off, u32 val)
{
	int err;

	mutex_lock(&od->lock);
	err = oio_write(od, off, val);
	mutex_unlock(&od->lock);
	return err;
}

/* ---- the card ---- */

/* Identity and geometry were read at probe and never change. */
static ssize_t card_serial(struct oio_dev *od, unsigned int i, char *buf)
{
	return sysfs_emit(buf, "%u\n", od->serial);
}

static ssize_t card_board_rev(struct oio_dev *od, unsigned int i, char *buf)
{
	return sysfs_emit(buf, "%u\n", od->board_rev);
}

static ssize_t card_ports(struct oio_dev *od, unsigned int i, char *buf)
{
	return sysfs_emit(buf, "%u\n", od->ports);
}

static ssize_t card_wavelengths(struct oio_dev *od, unsigned int i, char *buf)
{
	return sysfs_emit(buf, "%u\n", od->wavelengths);
}

static ssize_t card_lanes(struct oio_dev *od, unsigned int i, char *buf)
{
	return sysfs_emit(buf, "%u\n", od->lanes);
}

static ssize_t card_rings(struct oio_dev *od, unsigned int i, char *buf)
{
	return sysfs_emit(buf, "%u\n", od->rings);
}

#define CARD_SHOW_REG(_name, _reg, _signed)				\
static ssize_t card_##_name(struct oio_dev *od, unsigned int i, char *buf) \
{									\
	return show_reg(od, _reg, _signed, buf);			\
}

CARD_SHOW_REG(temp_millicelsius, OIO_REG_CARD_TEMP, true)
CARD_SHOW_REG(grid_first_pm, OIO_REG_GRID_FIRST_PM, false)
CARD_SHOW_REG(grid_spacing_pm, OIO_REG_GRID_SPACING_PM, false)
CARD_SHOW_REG(fsr_pm, OIO_REG_RING_FSR_PM, false)
CARD_SHOW_REG(heater_range_pm, OIO_REG_HEATER_RANGE_PM, false)
CARD_SHOW_REG(fwhm_pm, OIO_REG_RING_FWHM_PM, false)
CARD_SHOW_REG(line_rate_mbps, OIO_REG_LINE_RATE_MBPS, false)

static ssize_t card_firmware_version(struct oio_dev *od, unsigned int i,
				     char *buf)
{
	return sysfs_emit(buf, "%u.%u.%u\n", od->fw_version >> 16,
			  (od->fw_version >> 8) & 0xff, od->fw_version & 0xff);
}

static ssize_t card_interlock(struct oio_dev *od, unsigned int i, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_REG_INTERLOCK, &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%s\n",
			  v & OIO_INTERLOCK_CLOSED ? "closed" : "open");
}

static ssize_t card_interlock_opened(struct oio_dev *od, unsigned int i,
				     char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_REG_INTERLOCK, &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", !!(v & OIO_INTERLOCK_OPENED));
}

/* Writing 0 acknowledges the latched opening. */
static int card_interlock_opened_store(struct oio_dev *od, unsigned int i,
				       const char *buf)
{
	bool v;
	int err = parse_bool(buf, &v);

	if (err)
		return err;
	if (v)
		return -EINVAL;
	return store_locked(od, OIO_REG_INTERLOCK, OIO_INTERLOCK_OPENED);
}

static ssize_t card_armed(struct oio_dev *od, unsigned int i, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_REG_ARM, &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", !!(v & OIO_ARM_ARMED));
}

static int card_armed_store(struct oio_dev *od, unsigned int i,
			    const char *buf)
{
	bool arm;
	int err = parse_bool(buf, &arm);

	return err ?: oio_set_armed(od, arm);
}

static const char * const oio_refusals[] = {
	[OIO_REFUSED_NONE] = "none",
	[OIO_REFUSED_NOT_ARMED] = "not-armed",
	[OIO_REFUSED_INTERLOCK] = "interlock-open",
	[OIO_REFUSED_RANGE] = "out-of-range",
	[OIO_REFUSED_LINE_FAILED] = "line-failed",
};

static ssize_t card_laser_refused(struct oio_dev *od, unsigned int i,
				  char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_REG_LASER_REFUSED, &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%s\n", v < ARRAY_SIZE(oio_refusals) ?
			  oio_refusals[v] : "unknown");
}

static ssize_t card_alarms(struct oio_dev *od, unsigned int i, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_REG_CARD_ALARM, &v);

	if (err)
		return err;
	return sysfs_emit(buf, "0x%x\n", v);
}

static int card_alarms_store(struct oio_dev *od, unsigned int i,
			     const char *buf)
{
	u32 v;
	int err = parse_u32(buf, 0x3f, &v);

	return err ?: oio_alarm_clear(od, OIO_REG_CARD_ALARM,
				      OIO_REG_CARD_ALARM_MASK, v);
}

static const struct oio_field card_fields[] = {
	{ "serial", 0444, 0, card_serial },
	{ "firmware_version", 0444, 0, card_firmware_version },
	{ "board_rev", 0444, 0, card_board_rev },
	{ "ports", 0444, 0, card_ports },
	{ "wavelengths", 0444, 0, card_wavelengths },
	{ "lanes", 0444, 0, card_lanes },
	{ "rings", 0444, 0, card_rings },
	{ "temp_millicelsius", 0444, 0, card_temp_millicelsius },
	{ "grid_first_pm", 0444, 0, card_grid_first_pm },
	{ "grid_spacing_pm", 0444, 0, card_grid_spacing_pm },
	{ "fsr_pm", 0444, 0, card_fsr_pm },
	{ "heater_range_pm", 0444, 0, card_heater_range_pm },
	{ "fwhm_pm", 0444, 0, card_fwhm_pm },
	{ "line_rate_mbps", 0444, 0, card_line_rate_mbps },
	{ "interlock", 0444, OIO_CAP_INTERLOCK, card_interlock },
	{ "interlock_opened", 0644, OIO_CAP_INTERLOCK, card_interlock_opened,
	  card_interlock_opened_store },
	{ "armed", 0644, OIO_CAP_INTERLOCK, card_armed, card_armed_store },
	{ "laser_refused", 0444, 0, card_laser_refused },
	{ "alarms", 0644, 0, card_alarms, card_alarms_store },
	{ }
};

/* ---- ports ---- */

static ssize_t port_line_shift(struct oio_dev *od, unsigned int p, char *buf)
{
	return show_reg(od, OIO_REG_PORT_LINE_SHIFT(p), false, buf);
}

/* The barrel shifter can only move while the port carries no data. */
static int port_line_shift_store(struct oio_dev *od, unsigned int p,
				 const char *buf)
{
	u32 v;
	int err = parse_u32(buf, od->wavelengths - 1, &v);

	return err ?: oio_set_line_shift(od, p, v);
}

static const struct oio_field port_fields[] = {
	{ "line_shift", 0644, OIO_CAP_LINE_SHIFT, port_line_shift,
	  port_line_shift_store },
	{ }
};

/* ---- laser lines ---- */

static ssize_t laser_enable(struct oio_dev *od, unsigned int l, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LASER_REG(l, OIO_LASER_CTRL), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", !!(v & OIO_LASER_ENABLE));
}

/* The reason for a refusal stays readable in laser_refused. */
static int laser_enable_store(struct oio_dev *od, unsigned int l,
			      const char *buf)
{
	bool on;
	int err = parse_bool(buf, &on);

	return err ?: oio_set_laser_enable(od, l, on);
}

static ssize_t laser_bias_set_ua(struct oio_dev *od, unsigned int l, char *buf)
{
	return show_reg(od, OIO_LASER_REG(l, OIO_LASER_BIAS_SET), false, buf);
}

static int laser_bias_set_ua_store(struct oio_dev *od, unsigned int l,
				   const char *buf)
{
	u32 v;
	int err = parse_u32(buf, OIO_LASER_BIAS_MAX_UA, &v);

	return err ?: oio_set_laser_bias(od, l, v);
}

static ssize_t laser_bias_ua(struct oio_dev *od, unsigned int l, char *buf)
{
	return show_reg(od, OIO_LASER_REG(l, OIO_LASER_BIAS), false, buf);
}

static ssize_t laser_power_uw(struct oio_dev *od, unsigned int l, char *buf)
{
	return show_reg(od, OIO_LASER_REG(l, OIO_LASER_POWER), false, buf);
}

static ssize_t laser_temp(struct oio_dev *od, unsigned int l, char *buf)
{
	return show_reg(od, OIO_LASER_REG(l, OIO_LASER_TEMP), true, buf);
}

static ssize_t laser_status(struct oio_dev *od, unsigned int l, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LASER_REG(l, OIO_LASER_STATUS), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%s\n",
			  v & OIO_LASER_ST_FAILED ? "failed" :
			  v & OIO_LASER_ST_RAMPING ? "ramping" :
			  v & OIO_LASER_ST_EMITTING ? "emitting" : "dark");
}

static ssize_t laser_alarms(struct oio_dev *od, unsigned int l, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LASER_REG(l, OIO_LASER_ALARM), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "0x%x\n", v);
}

static int laser_alarms_store(struct oio_dev *od, unsigned int l,
			      const char *buf)
{
	u32 v;
	int err = parse_u32(buf, 0x7f, &v);

	return err ?: oio_alarm_clear(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LASER_REG(l, OIO_LASER_ALARM_MASK),
				      v);
}

static const struct oio_field laser_fields[] = {
	{ "enable", 0644, 0, laser_enable, laser_enable_store },
	{ "bias_set_ua", 0644, 0, laser_bias_set_ua, laser_bias_set_ua_store },
	{ "bias_ua", 0444, 0, laser_bias_ua },
	{ "power_uw", 0444, 0, laser_power_uw },
	{ "temp_millicelsius", 0444, 0, laser_temp },
	{ "status", 0444, 0, laser_status },
	{ "alarms", 0644, 0, laser_alarms, laser_alarms_store },
	{ }
};

/* ---- lanes ---- */

static const char * const oio_dp_states[] = {
	[OIO_DP_DEACTIVATED] = "deactivated",
	[OIO_DP_INIT] = "init",
	[OIO_DP_DEINIT] = "deinit",
	[OIO_DP_ACTIVATED] = "activated",
	[OIO_DP_TXTURNON] = "tx-turn-on",
	[OIO_DP_TXTURNOFF] = "tx-turn-off",
	[OIO_DP_INITIALIZED] = "initialized",
};

static const char * const oio_reasons[] = {
	[OIO_REASON_NONE] = "none",
	[OIO_REASON_LASER_DARK] = "laser-dark",
	[OIO_REASON_TX_UNLOCKED] = "tx-unlocked",
	[OIO_REASON_RX_UNLOCKED] = "rx-unlocked",
	[OIO_REASON_BAD_REQUEST] = "bad-request",
	[OIO_REASON_INTERLOCK] = "interlock-open",
};

static ssize_t lane_state(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 st;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &st);

	if (err)
		return err;
	st &= OIO_LANE_STATE_MASK;
	return sysfs_emit(buf, "%s\n", st < ARRAY_SIZE(oio_dp_states) &&
			  oio_dp_states[st] ? oio_dp_states[st] : "unknown");
}

/*
 * "initialize", "activate" or "deactivate": the state machine moves on its
 * own afterwards; poll() on this file wakes at each change.
 */
static int lane_state_store(struct oio_dev *od, unsigned int n,
			    const char *buf)
{
	if (sysfs_streq(buf, "initialize"))
		return oio_lane_request(od, n, OIO_LANE_REQ_INIT);
	if (sysfs_streq(buf, "activate"))
		return oio_lane_request(od, n, OIO_LANE_REQ_ACTIVATE);
	if (sysfs_streq(buf, "deactivate"))
		return oio_lane_request(od, n, OIO_LANE_REQ_DEACTIVATE);
	return -EINVAL;
}

static ssize_t lane_reason(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &v);

	if (err)
		return err;
	v = FIELD_GET(OIO_LANE_REASON_MASK, v);
	return sysfs_emit(buf, "%s\n", v < ARRAY_SIZE(oio_reasons) ?
			  oio_reasons[v] : "unknown");
}

static ssize_t lane_port(struct oio_dev *od, unsigned int n, char *buf)
{
	return sysfs_emit(buf, "%u\n", n / od->wavelengths);
}

static ssize_t lane_wavelength(struct oio_dev *od, unsigned int n, char *buf)
{
	return sysfs_emit(buf, "%u\n", n % od->wavelengths);
}

static ssize_t lane_prbs_bit(struct oio_dev *od, unsigned int n, u32 bit,
			     char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", !!(v & bit));
}

static int lane_prbs_bit_store(struct oio_dev *od, unsigned int n, u32 bit,
			       const char *buf)
{
	bool on;
	int err = parse_bool(buf, &on);

	return err ?: oio_set_prbs(od, n, on ? bit : 0, on ? 0 : bit);
}

static ssize_t lane_prbs_gen(struct oio_dev *od, unsigned int n, char *buf)
{
	return lane_prbs_bit(od, n, OIO_PRBS_GEN, buf);
}

static int lane_prbs_gen_store(struct oio_dev *od, unsigned int n,
			       const char *buf)
{
	return lane_prbs_bit_store(od, n, OIO_PRBS_GEN, buf);
}

static ssize_t lane_prbs_check(struct oio_dev *od, unsigned int n, char *buf)
{
	return lane_prbs_bit(od, n, OIO_PRBS_CHECK, buf);
}

static int lane_prbs_check_store(struct oio_dev *od, unsigned int n,
				 const char *buf)
{
	return lane_prbs_bit_store(od, n, OIO_PRBS_CHECK, buf);
}

/* A 64-bit counter: reading LO latches HI on the card. */
static ssize_t lane_counter(struct oio_dev *od, unsigned int n, u32 lo,
			    char *buf)
{
	u32 l, h;
	int err;

	mutex_lock(&od->lock);
	err = oio_read(od, OIO_LANE_REG(n, lo), &l);
	if (!err)
		err = oio_read(od, OIO_LANE_REG(n, lo + 4), &h);
	mutex_unlock(&od->lock);
	if (err)
		return err;
	return sysfs_emit(buf, "%llu\n", (u64)h << 32 | l);
}

static ssize_t lane_prbs_bits(struct oio_dev *od, unsigned int n, char *buf)
{
	return lane_counter(od, n, OIO_LANE_PRBS_BITS_LO, buf);
}

static ssize_t lane_prbs_errors(struct oio_dev *od, unsigned int n, char *buf)
{
	return lane_counter(od, n, OIO_LANE_PRBS_ERR_LO, buf);
}

/*
 * errors / bits in scientific notation with three digits, in integers:
 * "2.47e-06". Both counters come from one latched pair of reads. No bits
 * counted yet has no ratio: ENODATA.
 */
static ssize_t lane_ber(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 v[4];
	u64 num, den, m;
	int err, e = 0;

	mutex_lock(&od->lock);
	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_LO), &v[0]) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_HI), &v[1]) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_LO), &v[2]) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_HI), &v[3]);
	mutex_unlock(&od->lock);
	if (err)
		return err;
	den = (u64)v[1] << 32 | v[0];
	num = (u64)v[3] << 32 | v[2];
	if (!den)
		return -ENODATA;
	if (!num)
		return sysfs_emit(buf, "0\n");
	/* Scale num/den into [1, 10), dropping precision from den if need be. */
	while (num < den) {
		if (num > U64_MAX / 10)
			den /= 10;
		else
			num *= 10;
		e++;
	}
	while (num > U64_MAX / 100) {
		num /= 10;
		den /= 10;
	}
	m = div64_u64(num * 100, den);
	return sysfs_emit(buf, "%llu.%02llue-%02d\n", m / 100, m % 100, e);
}

static int lane_prbs_clear_store(struct oio_dev *od, unsigned int n,
				 const char *buf)
{
	bool clear;
	int err = parse_bool(buf, &clear);

	if (err || !clear)
		return err ?: -EINVAL;
	return oio_set_prbs(od, n, OIO_PRBS_CLEAR, 0);
}

static ssize_t lane_alarms(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_ALARM), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "0x%x\n", v);
}

static int lane_alarms_store(struct oio_dev *od, unsigned int n,
			     const char *buf)
{
	u32 v;
	int err = parse_u32(buf, 0x3f, &v);

	return err ?: oio_alarm_clear(od, OIO_LANE_REG(n, OIO_LANE_ALARM),
				      OIO_LANE_REG(n, OIO_LANE_ALARM_MASK), v);
}

static const struct oio_field lane_fields[] = {
	{ "state", 0644, 0, lane_state, lane_state_store },
	{ "reason", 0444, 0, lane_reason },
	{ "port", 0444, 0, lane_port },
	{ "wavelength", 0444, 0, lane_wavelength },
	{ "prbs_generator", 0644, OIO_CAP_PRBS, lane_prbs_gen,
	  lane_prbs_gen_store },
	{ "prbs_checker", 0644, OIO_CAP_PRBS, lane_prbs_check,
	  lane_prbs_check_store },
	{ "prbs_bits", 0444, OIO_CAP_PRBS, lane_prbs_bits },
	{ "prbs_errors", 0444, OIO_CAP_PRBS, lane_prbs_errors },
	{ "prbs_clear", 0200, OIO_CAP_PRBS, NULL, lane_prbs_clear_store },
	{ "ber", 0444, OIO_CAP_PRBS, lane_ber },
	{ "alarms", 0644, 0, lane_alarms, lane_alarms_store },
	{ }
};

/* ---- rings ---- */

static ssize_t ring_heater(struct oio_dev *od, unsigned int r, char *buf)
{
	return show_reg(od, OIO_RING_REG(r, OIO_RING_HEATER), false, buf);
}

/* While its lock loop runs, the loop owns the heater. */
static int ring_heater_store(struct oio_dev *od, unsigned int r,
			     const char *buf)
{
	u32 v;
	int err = parse_u32(buf, OIO_HEATER_MAX, &v);

	return err ?: oio_set_heater(od, r, v);
}

static ssize_t ring_heater_uw(struct oio_dev *od, unsigned int r, char *buf)
{
	return show_reg(od, OIO_RING_REG(r, OIO_RING_HEATER_UW), false, buf);
}

static ssize_t ring_monitor_na(struct oio_dev *od, unsigned int r, char *buf)
{
	return show_reg(od, OIO_RING_REG(r, OIO_RING_MONITOR), false, buf);
}

static ssize_t ring_lock(struct oio_dev *od, unsigned int r, char *buf)
{
	return show_reg(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL), false, buf);
}

static int ring_lock_store(struct oio_dev *od, unsigned int r,
			   const char *buf)
{
	bool on;
	int err = parse_bool(buf, &on);

	return err ?: oio_set_lock(od, r, on);
}

static const char * const oio_lock_states[] = {
	[OIO_LOCK_OFF] = "off",
	[OIO_LOCK_LOCKED] = "locked",
	[OIO_LOCK_LOST] = "lost",
	[OIO_LOCK_NO_SIGNAL] = "no-signal",
	[OIO_LOCK_ACQUIRING] = "acquiring",
};

static ssize_t ring_lock_state(struct oio_dev *od, unsigned int r, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_STATUS), &v);

	if (err)
		return err;
	v &= OIO_LOCK_ST_MASK;
	return sysfs_emit(buf, "%s\n", v < ARRAY_SIZE(oio_lock_states) &&
			  oio_lock_states[v] ? oio_lock_states[v] : "unknown");
}

static ssize_t ring_at_limit(struct oio_dev *od, unsigned int r, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_STATUS), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", !!(v & OIO_LOCK_AT_LIMIT));
}

static ssize_t ring_lane(struct oio_dev *od, unsigned int r, char *buf)
{
	return sysfs_emit(buf, "%u\n", r / 2);
}

static ssize_t ring_side(struct oio_dev *od, unsigned int r, char *buf)
{
	return sysfs_emit(buf, "%s\n", r % 2 == OIO_RING_TX ? "tx" : "rx");
}

static const struct oio_field ring_fields[] = {
	{ "heater", 0644, 0, ring_heater, ring_heater_store },
	{ "heater_uw", 0444, 0, ring_heater_uw },
	{ "monitor_na", 0444, 0, ring_monitor_na },
	{ "lock", 0644, OIO_CAP_LOCK_LOOP, ring_lock, ring_lock_store },
	{ "lock_state", 0444, OIO_CAP_LOCK_LOOP, ring_lock_state },
	{ "at_limit", 0444, OIO_CAP_LOCK_LOOP, ring_at_limit },
	{ "lane", 0444, 0, ring_lane },
	{ "side", 0444, 0, ring_side },
	{ }
};

/* ---- plumbing ---- */

static ssize_t oio_attr_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	struct oio_attr *oa = to_oio_attr(a);

	return oa->field->show(dev_get_drvdata(dev), oa->index, buf);
}

static ssize_t oio_attr_store(struct device *dev, struct device_attribute *a,
			      const char *buf, size_t count)
{
	struct oio_attr *oa = to_oio_attr(a);
	int err = oa->field->store(dev_get_drvdata(dev), oa->index, buf);

	return err ?: count;
}

/* Files the card has no feature for are hidden, not failing. */
static umode_t oio_attr_visible(struct kobject *kobj, struct attribute *attr,
				int n)
{
	struct oio_dev *od = dev_get_drvdata(kobj_to_dev(kobj));
	struct device_attribute *da = container_of(attr, struct device_attribute,
						   attr);
	const struct oio_field *f = to_oio_attr(da)->field;

	return !f->cap || (od->caps & f->cap) ? f->mode : 0;
}

static struct attribute_group *oio_group(struct oio_dev *od,
					 const struct oio_field *fields,
					 unsigned int index, const char *prefix)
{
	struct device *dev = &od->pdev->dev;
	struct attribute_group *grp;
	struct attribute **attrs;
	struct oio_attr *oa;
	unsigned int n, i;

	for (n = 0; fields[n].name; n++)
		;
	grp = devm_kzalloc(dev, sizeof(*grp), GFP_KERNEL);
	attrs = devm_kcalloc(dev, n + 1, sizeof(*attrs), GFP_KERNEL);
	oa = devm_kcalloc(dev, n, sizeof(*oa), GFP_KERNEL);
	if (!grp || !attrs || !oa)
		return NULL;
	if (prefix) {
		grp->name = devm_kasprintf(dev, GFP_KERNEL, "%s%u", prefix,
					   index);
		if (!grp->name)
			return NULL;
	}
	for (i = 0; i < n; i++) {
		sysfs_attr_init(&oa[i].dattr.attr);
		oa[i].dattr.attr.name = fields[i].name;
		oa[i].dattr.attr.mode = fields[i].mode;
		oa[i].dattr.show = fields[i].show ? oio_attr_show : NULL;
		oa[i].dattr.store = fields[i].store ? oio_attr_store : NULL;
		oa[i].field = &fields[i];
		oa[i].index = index;
		attrs[i] = &oa[i].dattr.attr;
	}
	grp->attrs = attrs;
	grp->is_visible = oio_attr_visible;
	return grp;
}

/**
 * oio_sysfs_build() - build the attribute groups of a card's class device
 * @od: the card, identified
 *
 * Context: probe.
 * Return: 0 or -ENOMEM.
 */
int oio_sysfs_build(struct oio_dev *od)
{
	static const struct {
		const struct oio_field *fields;
		const char *prefix;
	} kinds[] = {
		{ port_fields, "port" },
		{ laser_fields, "laser" },
		{ lane_fields, "lane" },
		{ ring_fields, "ring" },
	};
	unsigned int count[] = { od->ports, od->wavelengths, od->lanes,
				 od->rings };
	unsigned int total = 1 + od->ports + od->wavelengths + od->lanes +
			     od->rings;
	unsigned int k, i, g = 0;

	od->groups = devm_kcalloc(&od->pdev->dev, total + 1,
				  sizeof(*od->groups), GFP_KERNEL);
	if (!od->groups)
		return -ENOMEM;
	od->groups[g] = oio_group(od, card_fields, 0, NULL);
	if (!od->groups[g++])
		return -ENOMEM;
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (i = 0; i < count[k]; i++) {
			od->groups[g] = oio_group(od, kinds[k].fields, i,
						  kinds[k].prefix);
			if (!od->groups[g++])
				return -ENOMEM;
		}
	}
	return 0;
}

struct class oio_class = {
	.name = OIO_DRV_NAME,
};
