// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: hardware monitoring, so that lm-sensors shows every card.
 *
 * temp1 is the card ("card"); temp2 onwards, curr and power are the laser
 * lines' TEC temperature, bias and optical power per port, labelled
 * "laser<L> TEC", "laser<L> bias" and "laser<L> power" (docs/hwmon.md).
 * The card's warning and alarm thresholds appear as max/crit and
 * min/lcrit. The *_alarm files read the card's latched flags rather than
 * comparing values, so a transient stays visible after it ends, until
 * userspace clears it through the object's "alarms" file in
 * /sys/class/oio/oioN (the alarm thread masks a latched level flag, see
 * oio_alarm.c, but never clears it).
 *
 * Only the card's own temperature thresholds are writable here: the laser
 * thresholds are shared by every line, and a write to one channel silently
 * changing all the others would surprise sensors(1) users.
 *
 * The tables cover OIO_MAX_WAVELENGTHS lines and hide those the card lacks,
 * so the channel of a line is the same on every card.
 */
#include <linux/build_bug.h>
#include <linux/hwmon.h>
#include <linux/math.h>

#include "oio.h"

/* The card's sensor range: a threshold outside it could never trip. */
#define OIO_HWMON_TEMP_MIN_MC	(-40000)
#define OIO_HWMON_TEMP_MAX_MC	125000

/* Labels say what each channel measures: sensors(1) shows nothing else. */
static const char * const oio_tec_labels[] = {
	"laser0 TEC", "laser1 TEC", "laser2 TEC", "laser3 TEC",
	"laser4 TEC", "laser5 TEC", "laser6 TEC", "laser7 TEC",
	"laser8 TEC", "laser9 TEC", "laser10 TEC", "laser11 TEC",
	"laser12 TEC", "laser13 TEC", "laser14 TEC", "laser15 TEC",
};

static const char * const oio_bias_labels[] = {
	"laser0 bias", "laser1 bias", "laser2 bias", "laser3 bias",
	"laser4 bias", "laser5 bias", "laser6 bias", "laser7 bias",
	"laser8 bias", "laser9 bias", "laser10 bias", "laser11 bias",
	"laser12 bias", "laser13 bias", "laser14 bias", "laser15 bias",
};

static const char * const oio_power_labels[] = {
	"laser0 power", "laser1 power", "laser2 power", "laser3 power",
	"laser4 power", "laser5 power", "laser6 power", "laser7 power",
	"laser8 power", "laser9 power", "laser10 power", "laser11 power",
	"laser12 power", "laser13 power", "laser14 power", "laser15 power",
};

static int oio_hwmon_reg(struct oio_dev *od, u32 off, bool is_signed,
			 long *val)
{
	u32 v;
	int err = oio_read(od, off, &v);

	if (err)
		return err;
	*val = is_signed ? (long)(s32)v : (long)v;
	return 0;
}

static int oio_hwmon_flag(struct oio_dev *od, u32 off, u32 flag, long *val)
{
	u32 v;
	int err = oio_read(od, off, &v);

	if (err)
		return err;
	*val = !!(v & flag);
	return 0;
}

/* The threshold register behind a writable temp1 file, or 0. */
static u32 oio_card_temp_limit(u32 attr)
{
	switch (attr) {
	case hwmon_temp_max:
		return OIO_REG_TEMP_HIGH_WARN;
	case hwmon_temp_crit:
		return OIO_REG_TEMP_HIGH_ALARM;
	case hwmon_temp_min:
		return OIO_REG_TEMP_LOW_WARN;
	case hwmon_temp_lcrit:
		return OIO_REG_TEMP_LOW_ALARM;
	default:
		return 0;
	}
}

static int oio_hwmon_card_temp(struct oio_dev *od, u32 attr, long *val)
{
	u32 limit = oio_card_temp_limit(attr);

	if (limit)
		return oio_hwmon_reg(od, limit, true, val);
	switch (attr) {
	case hwmon_temp_input:
		return oio_hwmon_reg(od, OIO_REG_CARD_TEMP, true, val);
	case hwmon_temp_max_alarm:
		return oio_hwmon_flag(od, OIO_REG_CARD_ALARM,
				      OIO_CARD_TEMP_HIGH_WARN, val);
	case hwmon_temp_crit_alarm:
		return oio_hwmon_flag(od, OIO_REG_CARD_ALARM,
				      OIO_CARD_TEMP_HIGH_ALARM, val);
	case hwmon_temp_min_alarm:
		return oio_hwmon_flag(od, OIO_REG_CARD_ALARM,
				      OIO_CARD_TEMP_LOW_WARN, val);
	case hwmon_temp_lcrit_alarm:
		return oio_hwmon_flag(od, OIO_REG_CARD_ALARM,
				      OIO_CARD_TEMP_LOW_ALARM, val);
	default:
		return -EOPNOTSUPP;
	}
}

static int oio_hwmon_laser_temp(struct oio_dev *od, u32 attr, unsigned int l,
				long *val)
{
	switch (attr) {
	case hwmon_temp_input:
		return oio_hwmon_reg(od, OIO_LASER_REG(l, OIO_LASER_TEMP), true,
				     val);
	case hwmon_temp_crit:
		return oio_hwmon_reg(od, OIO_REG_LTEMP_HIGH_ALARM, true, val);
	case hwmon_temp_lcrit:
		return oio_hwmon_reg(od, OIO_REG_LTEMP_LOW_ALARM, true, val);
	case hwmon_temp_crit_alarm:
		return oio_hwmon_flag(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LALM_TEMP_HIGH, val);
	case hwmon_temp_lcrit_alarm:
		return oio_hwmon_flag(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LALM_TEMP_LOW, val);
	default:
		return -EOPNOTSUPP;
	}
}

/* hwmon counts current in mA, the card in uA. */
static int oio_hwmon_ma(struct oio_dev *od, u32 off, long *val)
{
	int err = oio_hwmon_reg(od, off, false, val);

	if (!err)
		*val = DIV_ROUND_CLOSEST(*val, 1000);
	return err;
}

static int oio_hwmon_bias(struct oio_dev *od, u32 attr, unsigned int l,
			  long *val)
{
	switch (attr) {
	case hwmon_curr_input:
		return oio_hwmon_ma(od, OIO_LASER_REG(l, OIO_LASER_BIAS), val);
	case hwmon_curr_max:
		return oio_hwmon_ma(od, OIO_REG_BIAS_HIGH_WARN, val);
	case hwmon_curr_crit:
		return oio_hwmon_ma(od, OIO_REG_BIAS_HIGH_ALARM, val);
	case hwmon_curr_max_alarm:
		return oio_hwmon_flag(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LALM_BIAS_HIGH_WARN, val);
	case hwmon_curr_crit_alarm:
		return oio_hwmon_flag(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LALM_BIAS_HIGH, val);
	default:
		return -EOPNOTSUPP;
	}
}

/* hwmon counts power in uW, as the card does. */
static int oio_hwmon_power(struct oio_dev *od, u32 attr, unsigned int l,
			   long *val)
{
	switch (attr) {
	case hwmon_power_input:
		return oio_hwmon_reg(od, OIO_LASER_REG(l, OIO_LASER_POWER),
				     false, val);
	case hwmon_power_min:
		return oio_hwmon_reg(od, OIO_REG_POWER_LOW_WARN, false, val);
	case hwmon_power_lcrit:
		return oio_hwmon_reg(od, OIO_REG_POWER_LOW_ALARM, false, val);
	case hwmon_power_min_alarm:
		return oio_hwmon_flag(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LALM_POWER_LOW_WARN, val);
	case hwmon_power_lcrit_alarm:
		return oio_hwmon_flag(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LALM_POWER_LOW, val);
	default:
		return -EOPNOTSUPP;
	}
}

static int oio_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			  u32 attr, int channel, long *val)
{
	struct oio_dev *od = dev_get_drvdata(dev);

	switch (type) {
	case hwmon_temp:
		if (!channel)
			return oio_hwmon_card_temp(od, attr, val);
		return oio_hwmon_laser_temp(od, attr, channel - 1, val);
	case hwmon_curr:
		return oio_hwmon_bias(od, attr, channel, val);
	case hwmon_power:
		return oio_hwmon_power(od, attr, channel, val);
	default:
		return -EOPNOTSUPP;
	}
}

static int oio_hwmon_read_string(struct device *dev,
				 enum hwmon_sensor_types type, u32 attr,
				 int channel, const char **str)
{
	switch (type) {
	case hwmon_temp:
		*str = channel ? oio_tec_labels[channel - 1] : "card";
		return 0;
	case hwmon_curr:
		*str = oio_bias_labels[channel];
		return 0;
	case hwmon_power:
		*str = oio_power_labels[channel];
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int oio_hwmon_write(struct device *dev, enum hwmon_sensor_types type,
			   u32 attr, int channel, long val)
{
	struct oio_dev *od = dev_get_drvdata(dev);
	u32 limit = oio_card_temp_limit(attr);
	int err;

	if (type != hwmon_temp || channel || !limit)
		return -EOPNOTSUPP;
	if (val < OIO_HWMON_TEMP_MIN_MC || val > OIO_HWMON_TEMP_MAX_MC)
		return -ERANGE;
	mutex_lock(&od->lock);
	err = oio_write(od, limit, (u32)(s32)val);
	mutex_unlock(&od->lock);
	return err;
}

static umode_t oio_hwmon_is_visible(const void *data,
				    enum hwmon_sensor_types type, u32 attr,
				    int channel)
{
	const struct oio_dev *od = data;

	if (type == hwmon_temp && !channel)
		return oio_card_temp_limit(attr) ? 0644 : 0444;
	if (type == hwmon_temp)
		channel--;
	return channel < od->wavelengths ? 0444 : 0;
}

#define OIO_HWMON_CARD_TEMP						\
	(HWMON_T_INPUT | HWMON_T_LABEL | HWMON_T_MAX | HWMON_T_CRIT |	\
	 HWMON_T_MIN | HWMON_T_LCRIT | HWMON_T_MAX_ALARM |		\
	 HWMON_T_CRIT_ALARM | HWMON_T_MIN_ALARM | HWMON_T_LCRIT_ALARM)
#define OIO_HWMON_TEC							\
	(HWMON_T_INPUT | HWMON_T_LABEL | HWMON_T_CRIT | HWMON_T_LCRIT |	\
	 HWMON_T_CRIT_ALARM | HWMON_T_LCRIT_ALARM)
#define OIO_HWMON_BIAS							\
	(HWMON_C_INPUT | HWMON_C_LABEL | HWMON_C_MAX | HWMON_C_CRIT |	\
	 HWMON_C_MAX_ALARM | HWMON_C_CRIT_ALARM)
#define OIO_HWMON_POWER							\
	(HWMON_P_INPUT | HWMON_P_LABEL | HWMON_P_MIN | HWMON_P_LCRIT |	\
	 HWMON_P_MIN_ALARM | HWMON_P_LCRIT_ALARM)

/* One laser channel per entry, OIO_MAX_WAVELENGTHS of them. */
static const struct hwmon_channel_info *oio_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, OIO_HWMON_CARD_TEMP,
			   OIO_HWMON_TEC, OIO_HWMON_TEC, OIO_HWMON_TEC,
			   OIO_HWMON_TEC, OIO_HWMON_TEC, OIO_HWMON_TEC,
			   OIO_HWMON_TEC, OIO_HWMON_TEC, OIO_HWMON_TEC,
			   OIO_HWMON_TEC, OIO_HWMON_TEC, OIO_HWMON_TEC,
			   OIO_HWMON_TEC, OIO_HWMON_TEC, OIO_HWMON_TEC,
			   OIO_HWMON_TEC),
	HWMON_CHANNEL_INFO(curr,
			   OIO_HWMON_BIAS, OIO_HWMON_BIAS, OIO_HWMON_BIAS,
			   OIO_HWMON_BIAS, OIO_HWMON_BIAS, OIO_HWMON_BIAS,
			   OIO_HWMON_BIAS, OIO_HWMON_BIAS, OIO_HWMON_BIAS,
			   OIO_HWMON_BIAS, OIO_HWMON_BIAS, OIO_HWMON_BIAS,
			   OIO_HWMON_BIAS, OIO_HWMON_BIAS, OIO_HWMON_BIAS,
			   OIO_HWMON_BIAS),
	HWMON_CHANNEL_INFO(power,
			   OIO_HWMON_POWER, OIO_HWMON_POWER, OIO_HWMON_POWER,
			   OIO_HWMON_POWER, OIO_HWMON_POWER, OIO_HWMON_POWER,
			   OIO_HWMON_POWER, OIO_HWMON_POWER, OIO_HWMON_POWER,
			   OIO_HWMON_POWER, OIO_HWMON_POWER, OIO_HWMON_POWER,
			   OIO_HWMON_POWER, OIO_HWMON_POWER, OIO_HWMON_POWER,
			   OIO_HWMON_POWER),
	NULL
};

static const struct hwmon_ops oio_hwmon_ops = {
	.is_visible = oio_hwmon_is_visible,
	.read = oio_hwmon_read,
	.read_string = oio_hwmon_read_string,
	.write = oio_hwmon_write,
};

static const struct hwmon_chip_info oio_hwmon_chip = {
	.ops = &oio_hwmon_ops,
	.info = oio_hwmon_info,
};

/**
 * oio_hwmon_init() - register the card's hwmon device
 * @od: the card, identified
 *
 * The hwmon device is device-managed on the PCI function: it goes away
 * after remove(), while BAR0 is still mapped.
 *
 * Context: probe.
 * Return: 0 or a negative errno.
 */
int oio_hwmon_init(struct oio_dev *od)
{
	struct device *hwmon;

	/* The tables above have one channel per possible laser line. */
	BUILD_BUG_ON(ARRAY_SIZE(oio_tec_labels) != OIO_MAX_WAVELENGTHS);
	BUILD_BUG_ON(ARRAY_SIZE(oio_bias_labels) != OIO_MAX_WAVELENGTHS);
	BUILD_BUG_ON(ARRAY_SIZE(oio_power_labels) != OIO_MAX_WAVELENGTHS);

	hwmon = devm_hwmon_device_register_with_info(&od->pdev->dev,
						     OIO_DRV_NAME, od,
						     &oio_hwmon_chip, NULL);
	return PTR_ERR_OR_ZERO(hwmon);
}
