// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the card's register encodings of flags and states, translated to
 * the UAPI's (docs/netlink/specs/oio.yaml) and back. Netlink and sysfs
 * speak only the UAPI's; the register map may change under them.
 *
 * The card's event flags (a lane changed state or failed a transition,
 * the interlock opened, lasers were shut) are consumed by the alarm
 * service and announced as events; they have no UAPI flag.
 */
#include <linux/kernel.h>

#include "oio.h"

struct oio_flag_map {
	u32 reg;
	u32 uapi;
};

static const struct oio_flag_map oio_card_alarm_map[] = {
	{ OIO_CARD_TEMP_HIGH_ALARM, OIO_CARD_ALARM_TEMP_HIGH },
	{ OIO_CARD_TEMP_LOW_ALARM, OIO_CARD_ALARM_TEMP_LOW },
	{ OIO_CARD_TEMP_HIGH_WARN, OIO_CARD_ALARM_TEMP_HIGH_WARN },
	{ OIO_CARD_TEMP_LOW_WARN, OIO_CARD_ALARM_TEMP_LOW_WARN },
};

static const struct oio_flag_map oio_laser_alarm_map[] = {
	{ OIO_LALM_BIAS_HIGH, OIO_LASER_ALARM_BIAS_HIGH },
	{ OIO_LALM_BIAS_HIGH_WARN, OIO_LASER_ALARM_BIAS_HIGH_WARN },
	{ OIO_LALM_POWER_LOW, OIO_LASER_ALARM_POWER_LOW },
	{ OIO_LALM_POWER_LOW_WARN, OIO_LASER_ALARM_POWER_LOW_WARN },
	{ OIO_LALM_TEMP_HIGH, OIO_LASER_ALARM_TEMP_HIGH },
	{ OIO_LALM_TEMP_LOW, OIO_LASER_ALARM_TEMP_LOW },
	{ OIO_LALM_FAILURE, OIO_LASER_ALARM_FAILURE },
};

static const struct oio_flag_map oio_lane_alarm_map[] = {
	{ OIO_LNALM_TX_LOCK_LOST, OIO_LANE_ALARM_TX_LOCK_LOST },
	{ OIO_LNALM_RX_LOCK_LOST, OIO_LANE_ALARM_RX_LOCK_LOST },
	{ OIO_LNALM_TX_AT_LIMIT, OIO_LANE_ALARM_TX_AT_LIMIT },
	{ OIO_LNALM_RX_AT_LIMIT, OIO_LANE_ALARM_RX_AT_LIMIT },
};

static const struct oio_flag_map oio_laser_status_map[] = {
	{ OIO_LASER_ST_EMITTING, OIO_LASER_STATUS_EMITTING },
	{ OIO_LASER_ST_RAMPING, OIO_LASER_STATUS_RAMPING },
	{ OIO_LASER_ST_FAILED, OIO_LASER_STATUS_FAILED },
};

static u32 oio_to_uapi(const struct oio_flag_map *m, size_t n, u32 reg)
{
	u32 v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (reg & m[i].reg)
			v |= m[i].uapi;
	return v;
}

static u32 oio_to_reg(const struct oio_flag_map *m, size_t n, u32 uapi)
{
	u32 v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (uapi & m[i].uapi)
			v |= m[i].reg;
	return v;
}

u32 oio_card_alarms_uapi(u32 reg)
{
	return oio_to_uapi(oio_card_alarm_map, ARRAY_SIZE(oio_card_alarm_map),
			   reg);
}

u32 oio_card_alarms_reg(u32 uapi)
{
	return oio_to_reg(oio_card_alarm_map, ARRAY_SIZE(oio_card_alarm_map),
			  uapi);
}

u32 oio_laser_alarms_uapi(u32 reg)
{
	return oio_to_uapi(oio_laser_alarm_map,
			   ARRAY_SIZE(oio_laser_alarm_map), reg);
}

u32 oio_laser_alarms_reg(u32 uapi)
{
	return oio_to_reg(oio_laser_alarm_map, ARRAY_SIZE(oio_laser_alarm_map),
			  uapi);
}

u32 oio_lane_alarms_uapi(u32 reg)
{
	return oio_to_uapi(oio_lane_alarm_map, ARRAY_SIZE(oio_lane_alarm_map),
			   reg);
}

u32 oio_lane_alarms_reg(u32 uapi)
{
	return oio_to_reg(oio_lane_alarm_map, ARRAY_SIZE(oio_lane_alarm_map),
			  uapi);
}

u32 oio_laser_status_uapi(u32 reg)
{
	return oio_to_uapi(oio_laser_status_map,
			   ARRAY_SIZE(oio_laser_status_map), reg);
}

/*
 * The state enums of the spec were drawn from the datasheet's codes; the
 * tables keep the two apart all the same. A code the driver does not know
 * is passed on unchanged, past the enum's end, for userspace to show as
 * unknown.
 */
u32 oio_lane_state_uapi(u32 reg)
{
	static const u32 map[] = {
		[OIO_DP_DEACTIVATED] = OIO_LANE_STATE_DEACTIVATED,
		[OIO_DP_INIT] = OIO_LANE_STATE_INIT,
		[OIO_DP_DEINIT] = OIO_LANE_STATE_DEINIT,
		[OIO_DP_ACTIVATED] = OIO_LANE_STATE_ACTIVATED,
		[OIO_DP_TXTURNON] = OIO_LANE_STATE_TX_TURN_ON,
		[OIO_DP_TXTURNOFF] = OIO_LANE_STATE_TX_TURN_OFF,
		[OIO_DP_INITIALIZED] = OIO_LANE_STATE_INITIALIZED,
	};

	reg &= OIO_LANE_STATE_MASK;
	return reg < ARRAY_SIZE(map) && map[reg] ? map[reg] : reg;
}

u32 oio_lane_reason_uapi(u32 reg)
{
	static const u32 map[] = {
		[OIO_REASON_NONE] = OIO_LANE_REASON_NONE,
		[OIO_REASON_LASER_DARK] = OIO_LANE_REASON_LASER_DARK,
		[OIO_REASON_TX_UNLOCKED] = OIO_LANE_REASON_TX_UNLOCKED,
		[OIO_REASON_RX_UNLOCKED] = OIO_LANE_REASON_RX_UNLOCKED,
		[OIO_REASON_BAD_REQUEST] = OIO_LANE_REASON_BAD_REQUEST,
		[OIO_REASON_INTERLOCK] = OIO_LANE_REASON_INTERLOCK_OPEN,
	};

	reg = (reg & OIO_LANE_REASON_MASK) >> OIO_LANE_REASON_SHIFT;
	return reg < ARRAY_SIZE(map) ? map[reg] : reg;
}

u32 oio_lock_state_uapi(u32 reg)
{
	static const u32 map[] = {
		[OIO_LOCK_OFF] = OIO_LOCK_STATE_OFF,
		[OIO_LOCK_LOCKED] = OIO_LOCK_STATE_LOCKED,
		[OIO_LOCK_LOST] = OIO_LOCK_STATE_LOST,
		[OIO_LOCK_NO_SIGNAL] = OIO_LOCK_STATE_NO_SIGNAL,
		[OIO_LOCK_ACQUIRING] = OIO_LOCK_STATE_ACQUIRING,
	};

	reg &= OIO_LOCK_ST_MASK;
	return reg < ARRAY_SIZE(map) ? map[reg] : reg;
}
