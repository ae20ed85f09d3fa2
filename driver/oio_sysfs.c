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
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "oio.h"
#include "oio_ber.h"

struct oio_field {
	const char *name;
	umode_t mode;
	u32 cap;	/* OIO_CAP_* the file needs, 0 if none */
	ssize_t (*show)(struct oio_dev *od, unsigned int i, char *buf);
	int (*store)(struct oio_dev *od, unsigned int i, const char *buf,
		     struct oio_news *news);
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

/* Booleans as everywhere in sysfs: kstrtobool() (1/y/t/on, 0/n/f/off). */
static int parse_bool(const char *buf, bool *v)
{
	return kstrtobool(buf, v) ? -EINVAL : 0;
}

static int parse_u32(const char *buf, u32 max, u32 *v)
{
	if (kstrtou32(buf, 0, v))
		return -EINVAL;
	return *v > max ? -ERANGE : 0;
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
CARD_SHOW_REG(drift_pm_per_k, OIO_REG_RING_DRIFT_PM_PER_K, false)

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
				       const char *buf, struct oio_news *news)
{
	bool v;
	int err = parse_bool(buf, &v);

	if (err)
		return err;
	if (v)
		return -EINVAL;
	return oio_ack_interlock(od, news);
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
			    const char *buf, struct oio_news *news)
{
	bool arm;
	int err = parse_bool(buf, &arm);

	return err ?: oio_set_armed(od, arm, news);
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
	return sysfs_emit(buf, "0x%x\n", oio_card_alarms_uapi(v));
}

/* Every flag of enum oio_card_alarm; above, ERANGE. */
#define OIO_CARD_ALARMS_ALL	(2 * OIO_CARD_ALARM_TEMP_LOW_WARN - 1)

static int card_alarms_store(struct oio_dev *od, unsigned int i,
			     const char *buf, struct oio_news *news)
{
	u32 v;
	int err = parse_u32(buf, OIO_CARD_ALARMS_ALL, &v);

	return err ?: oio_clear_card_alarms(od, v, news);
}

static ssize_t card_health(struct oio_dev *od, unsigned int i, char *buf)
{
	static const char * const names[] = {
		[OIO_CARD_HEALTH_OK] = "ok",
		[OIO_CARD_HEALTH_NOT_ANSWERING] = "not-answering",
		[OIO_CARD_HEALTH_GONE] = "gone",
	};

	return sysfs_emit(buf, "%s\n", names[oio_health(od)]);
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
	{ "drift_pm_per_k", 0444, 0, card_drift_pm_per_k },
	{ "line_rate_mbps", 0444, 0, card_line_rate_mbps },
	{ "interlock", 0444, OIO_CAP_INTERLOCK, card_interlock },
	{ "interlock_opened", 0644, OIO_CAP_INTERLOCK, card_interlock_opened,
	  card_interlock_opened_store },
	{ "armed", 0644, OIO_CAP_INTERLOCK, card_armed, card_armed_store },
	{ "laser_refused", 0444, 0, card_laser_refused },
	{ "alarms", 0644, 0, card_alarms, card_alarms_store },
	{ "health", 0444, 0, card_health },
	{ }
};

/* ---- ports ---- */

static ssize_t port_line_shift(struct oio_dev *od, unsigned int p, char *buf)
{
	return show_reg(od, OIO_REG_PORT_LINE_SHIFT(p), false, buf);
}

/* The barrel shifter can only move while the port carries no data. */
static int port_line_shift_store(struct oio_dev *od, unsigned int p,
				 const char *buf, struct oio_news *news)
{
	u32 v;
	int err = parse_u32(buf, od->wavelengths - 1, &v);

	return err ?: oio_set_line_shift(od, p, v, news);
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
			      const char *buf, struct oio_news *news)
{
	bool on;
	int err = parse_bool(buf, &on);

	return err ?: oio_set_laser_enable(od, l, on, news);
}

static ssize_t laser_bias_set_ua(struct oio_dev *od, unsigned int l, char *buf)
{
	return show_reg(od, OIO_LASER_REG(l, OIO_LASER_BIAS_SET), false, buf);
}

static int laser_bias_set_ua_store(struct oio_dev *od, unsigned int l,
				   const char *buf, struct oio_news *news)
{
	u32 v;
	int err = parse_u32(buf, OIO_LASER_BIAS_MAX_UA, &v);

	return err ?: oio_set_laser_bias(od, l, v, news);
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
	v = oio_laser_status_uapi(v);
	return sysfs_emit(buf, "%s\n",
			  v & OIO_LASER_STATUS_FAILED ? "failed" :
			  v & OIO_LASER_STATUS_RAMPING ? "ramping" :
			  v & OIO_LASER_STATUS_EMITTING ? "emitting" : "dark");
}

static ssize_t laser_alarms(struct oio_dev *od, unsigned int l, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LASER_REG(l, OIO_LASER_ALARM), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "0x%x\n", oio_laser_alarms_uapi(v));
}

/* Every flag of enum oio_laser_alarm; above, ERANGE. */
#define OIO_LASER_ALARMS_ALL	(2 * OIO_LASER_ALARM_FAILURE - 1)

static int laser_alarms_store(struct oio_dev *od, unsigned int l,
			      const char *buf, struct oio_news *news)
{
	u32 v;
	int err = parse_u32(buf, OIO_LASER_ALARMS_ALL, &v);

	return err ?: oio_clear_laser_alarms(od, l, v, news);
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

/* The spec's names (docs/netlink/specs/oio.yaml), by UAPI value. */
static const char * const oio_lane_states[] = {
	[OIO_LANE_STATE_DEACTIVATED] = "deactivated",
	[OIO_LANE_STATE_INIT] = "init",
	[OIO_LANE_STATE_DEINIT] = "deinit",
	[OIO_LANE_STATE_ACTIVATED] = "activated",
	[OIO_LANE_STATE_TX_TURN_ON] = "tx-turn-on",
	[OIO_LANE_STATE_TX_TURN_OFF] = "tx-turn-off",
	[OIO_LANE_STATE_INITIALIZED] = "initialized",
};

static const char * const oio_lane_reasons[] = {
	[OIO_LANE_REASON_NONE] = "none",
	[OIO_LANE_REASON_LASER_DARK] = "laser-dark",
	[OIO_LANE_REASON_TX_UNLOCKED] = "tx-unlocked",
	[OIO_LANE_REASON_RX_UNLOCKED] = "rx-unlocked",
	[OIO_LANE_REASON_BAD_REQUEST] = "bad-request",
	[OIO_LANE_REASON_INTERLOCK_OPEN] = "interlock-open",
};

static const char *oio_name(const char * const *names, size_t n, u32 v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

static ssize_t lane_state(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 st;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &st);

	if (err)
		return err;
	return sysfs_emit(buf, "%s\n",
			  oio_name(oio_lane_states, ARRAY_SIZE(oio_lane_states),
				   oio_lane_state_uapi(st)));
}

/*
 * "initialize", "activate" or "deactivate": the state machine moves on its
 * own afterwards; poll() on this file wakes at each change.
 */
static int lane_state_store(struct oio_dev *od, unsigned int n,
			    const char *buf, struct oio_news *news)
{
	if (sysfs_streq(buf, "initialize"))
		return oio_lane_request(od, n, OIO_LANE_REQUEST_INITIALIZE,
					news);
	if (sysfs_streq(buf, "activate"))
		return oio_lane_request(od, n, OIO_LANE_REQUEST_ACTIVATE, news);
	if (sysfs_streq(buf, "deactivate"))
		return oio_lane_request(od, n, OIO_LANE_REQUEST_DEACTIVATE,
					news);
	return -EINVAL;
}

static ssize_t lane_reason(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%s\n",
			  oio_name(oio_lane_reasons,
				   ARRAY_SIZE(oio_lane_reasons),
				   oio_lane_reason_uapi(v)));
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
			       const char *buf, struct oio_news *news)
{
	bool on;
	int err = parse_bool(buf, &on);

	return err ?: oio_set_prbs(od, n, on ? bit : 0, on ? 0 : bit, news);
}

static ssize_t lane_prbs_gen(struct oio_dev *od, unsigned int n, char *buf)
{
	return lane_prbs_bit(od, n, OIO_PRBS_GEN, buf);
}

static int lane_prbs_gen_store(struct oio_dev *od, unsigned int n,
			       const char *buf, struct oio_news *news)
{
	return lane_prbs_bit_store(od, n, OIO_PRBS_GEN, buf, news);
}

static ssize_t lane_prbs_check(struct oio_dev *od, unsigned int n, char *buf)
{
	return lane_prbs_bit(od, n, OIO_PRBS_CHECK, buf);
}

static int lane_prbs_check_store(struct oio_dev *od, unsigned int n,
				 const char *buf, struct oio_news *news)
{
	return lane_prbs_bit_store(od, n, OIO_PRBS_CHECK, buf, news);
}

/* A 64-bit counter: reading LO latches HI on the card. */
static ssize_t lane_counter(struct oio_dev *od, unsigned int n, u32 lo,
			    char *buf)
{
	u64 v;
	int err;

	mutex_lock(&od->lock);
	err = oio_read64(od, OIO_LANE_REG(n, lo), &v);
	mutex_unlock(&od->lock);
	if (err)
		return err;
	return sysfs_emit(buf, "%llu\n", v);
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
 * errors / bits, both counted at one instant: from one telemetry block (at
 * most OIO_TELEM_USER_AGE_MS old: any user may read this file, and may
 * not make the card work at will). A card without telemetry gives the two
 * counters one after the other. No bits counted yet has no ratio: ENODATA.
 */
static ssize_t lane_ber(struct oio_dev *od, unsigned int n, char *buf)
{
	u64 bits, errors;
	int err;

	if (od->caps & OIO_CAP_TELEMETRY && !od->telem_broken) {
		err = oio_telemetry_lock(od, OIO_TELEM_USER_AGE_MS);
		if (err)
			return err;
		bits = ((u64 *)od->telem.col[OIO_TCOL_LANE_PRBS_BITS])[n];
		errors = ((u64 *)od->telem.col[OIO_TCOL_LANE_PRBS_ERRORS])[n];
		oio_telemetry_unlock(od);
	} else {
		mutex_lock(&od->lock);
		err = oio_read64(od, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_LO),
				 &errors) ?:
		      oio_read64(od, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_LO),
				 &bits);
		mutex_unlock(&od->lock);
		if (err)
			return err;
	}
	if (!bits)
		return -ENODATA;
	return oio_ber_format(errors, bits, buf, PAGE_SIZE);
}

static int lane_prbs_clear_store(struct oio_dev *od, unsigned int n,
				 const char *buf, struct oio_news *news)
{
	bool clear;
	int err = parse_bool(buf, &clear);

	if (err || !clear)
		return err ?: -EINVAL;
	return oio_set_prbs(od, n, OIO_PRBS_CLEAR, 0, news);
}

static ssize_t lane_alarms(struct oio_dev *od, unsigned int n, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_ALARM), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "0x%x\n", oio_lane_alarms_uapi(v));
}

/* Every flag of enum oio_lane_alarm; above, ERANGE. */
#define OIO_LANE_ALARMS_ALL	(2 * OIO_LANE_ALARM_RX_AT_LIMIT - 1)

static int lane_alarms_store(struct oio_dev *od, unsigned int n,
			     const char *buf, struct oio_news *news)
{
	u32 v;
	int err = parse_u32(buf, OIO_LANE_ALARMS_ALL, &v);

	return err ?: oio_clear_lane_alarms(od, n, v, news);
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
			     const char *buf, struct oio_news *news)
{
	u32 v;
	int err = parse_u32(buf, OIO_HEATER_MAX, &v);

	return err ?: oio_set_heater(od, r, v, news);
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
	u32 v;
	int err = oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", !!(v & OIO_LOCK_ENABLE));
}

static int ring_lock_store(struct oio_dev *od, unsigned int r,
			   const char *buf, struct oio_news *news)
{
	bool on;
	int err = parse_bool(buf, &on);

	return err ?: oio_set_lock(od, r, on, news);
}

static const char * const oio_lock_states[] = {
	[OIO_LOCK_STATE_OFF] = "off",
	[OIO_LOCK_STATE_LOCKED] = "locked",
	[OIO_LOCK_STATE_LOST] = "lost",
	[OIO_LOCK_STATE_NO_SIGNAL] = "no-signal",
	[OIO_LOCK_STATE_ACQUIRING] = "acquiring",
};

static ssize_t ring_lock_state(struct oio_dev *od, unsigned int r, char *buf)
{
	u32 v;
	int err = oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_STATUS), &v);

	if (err)
		return err;
	return sysfs_emit(buf, "%s\n",
			  oio_name(oio_lock_states, ARRAY_SIZE(oio_lock_states),
				   oio_lock_state_uapi(v)));
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

/* A change through sysfs is announced as one through netlink is. */
static ssize_t oio_attr_store(struct device *dev, struct device_attribute *a,
			      const char *buf, size_t count)
{
	struct oio_dev *od = dev_get_drvdata(dev);
	struct oio_attr *oa = to_oio_attr(a);
	struct oio_news news = { };
	int err;

	/* Every store is one operation of oio_ctrl.c, made under the lock. */
	mutex_lock(&od->lock);
	err = oa->field->store(od, oa->index, buf, &news);
	mutex_unlock(&od->lock);
	oio_news_flush(od, &news);
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

/* The files of each object that show something a change may move. */
static const char * const oio_card_polled[] = {
	"armed", "interlock", "interlock_opened", "alarms", "health", NULL,
};

static const char * const oio_port_polled[] = { "line_shift", NULL };

static const char * const oio_laser_polled[] = {
	"enable", "bias_set_ua", "status", "alarms", NULL,
};

static const char * const oio_lane_polled[] = {
	"state", "reason", "alarms", "prbs_generator", "prbs_checker", NULL,
};

static const char * const oio_ring_polled[] = {
	"heater", "lock", "lock_state", "at_limit", NULL,
};

static void oio_notify_files(struct kobject *kobj, const char *prefix,
			     unsigned int index, const char * const *files)
{
	char dir[16];

	snprintf(dir, sizeof(dir), "%s%u", prefix, index);
	for (; *files; files++)
		sysfs_notify(kobj, dir, *files);
}

/**
 * oio_sysfs_notify() - wake pollers of the files of what changed
 * @od: the card
 * @news: what changed
 *
 * Context: process, with @od->notify_lock held, which keeps the class
 * device from going away under it.
 */
void oio_sysfs_notify(struct oio_dev *od, const struct oio_news *news)
{
	struct kobject *kobj;
	const char * const *f;
	unsigned int i;

	lockdep_assert_held(&od->notify_lock);
	if (!od->classdev)
		return;
	kobj = &od->classdev->kobj;
	if (news->card)
		for (f = oio_card_polled; *f; f++)
			sysfs_notify(kobj, NULL, *f);
	for_each_set_bit(i, news->ports, od->ports)
		oio_notify_files(kobj, "port", i, oio_port_polled);
	for_each_set_bit(i, news->lasers, od->wavelengths)
		oio_notify_files(kobj, "laser", i, oio_laser_polled);
	for_each_set_bit(i, news->lanes, od->lanes)
		oio_notify_files(kobj, "lane", i, oio_lane_polled);
	for_each_set_bit(i, news->rings, od->rings)
		oio_notify_files(kobj, "ring", i, oio_ring_polled);
}

struct class oio_class = {
	.name = OIO_DRV_NAME,
};
