/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	docs/netlink/specs/oio.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_OIO_H
#define _UAPI_LINUX_OIO_H

#define OIO_FAMILY_NAME		"oio"
#define OIO_FAMILY_VERSION	1

/**
 * enum oio_lane_state - CMIS data-path state of a lane.
 */
enum oio_lane_state {
	OIO_LANE_STATE_DEACTIVATED = 1,
	OIO_LANE_STATE_INIT,
	OIO_LANE_STATE_DEINIT,
	OIO_LANE_STATE_ACTIVATED,
	OIO_LANE_STATE_TX_TURN_ON,
	OIO_LANE_STATE_TX_TURN_OFF,
	OIO_LANE_STATE_INITIALIZED,

	/* private: */
	__OIO_LANE_STATE_MAX,
	OIO_LANE_STATE_MAX = (__OIO_LANE_STATE_MAX - 1)
};

/**
 * enum oio_lane_reason - Why the last transition of a lane failed, or why it
 *   dropped. The card cannot tell which laser line a ring sits on: a ring on
 *   another lane's line shows up as PRBS errors, not as a reason.
 */
enum oio_lane_reason {
	OIO_LANE_REASON_NONE,
	OIO_LANE_REASON_LASER_DARK,
	OIO_LANE_REASON_TX_UNLOCKED,
	OIO_LANE_REASON_RX_UNLOCKED,
	OIO_LANE_REASON_BAD_REQUEST,
	OIO_LANE_REASON_INTERLOCK_OPEN,

	/* private: */
	__OIO_LANE_REASON_MAX,
	OIO_LANE_REASON_MAX = (__OIO_LANE_REASON_MAX - 1)
};

/**
 * enum oio_lane_request - What a lane-set asks the lane's state machine to do.
 */
enum oio_lane_request {
	OIO_LANE_REQUEST_DEACTIVATE = 1,
	OIO_LANE_REQUEST_INITIALIZE,
	OIO_LANE_REQUEST_ACTIVATE,

	/* private: */
	__OIO_LANE_REQUEST_MAX,
	OIO_LANE_REQUEST_MAX = (__OIO_LANE_REQUEST_MAX - 1)
};

/**
 * enum oio_lock_state - State of a ring's hardware lock loop.
 */
enum oio_lock_state {
	OIO_LOCK_STATE_OFF,
	OIO_LOCK_STATE_LOCKED,
	OIO_LOCK_STATE_LOST,
	OIO_LOCK_STATE_NO_SIGNAL,
	OIO_LOCK_STATE_ACQUIRING,

	/* private: */
	__OIO_LOCK_STATE_MAX,
	OIO_LOCK_STATE_MAX = (__OIO_LOCK_STATE_MAX - 1)
};

/**
 * enum oio_card_health - Whether the card answers.
 * @OIO_CARD_HEALTH_OK: the card answers
 * @OIO_CARD_HEALTH_NOT_ANSWERING: its registers read all ones while its PCI
 *   function is still there (a link retraining, a card resetting): every
 *   access fails with EIO until it answers again
 * @OIO_CARD_HEALTH_GONE: its PCI function is gone (surprise removal): every
 *   access fails with ENODEV until the card is bound again
 */
enum oio_card_health {
	OIO_CARD_HEALTH_OK,
	OIO_CARD_HEALTH_NOT_ANSWERING,
	OIO_CARD_HEALTH_GONE,
};

/**
 * enum oio_card_alarm - Latched alarm flags of a card (level flags: a flag
 *   whose condition persists latches again as soon as it is cleared).
 * @OIO_CARD_ALARM_TEMP_HIGH: card temperature above the high alarm threshold
 * @OIO_CARD_ALARM_TEMP_LOW: card temperature below the low alarm threshold
 * @OIO_CARD_ALARM_TEMP_HIGH_WARN: card temperature above the high warning
 *   threshold
 * @OIO_CARD_ALARM_TEMP_LOW_WARN: card temperature below the low warning
 *   threshold
 */
enum oio_card_alarm {
	OIO_CARD_ALARM_TEMP_HIGH = 1,
	OIO_CARD_ALARM_TEMP_LOW = 2,
	OIO_CARD_ALARM_TEMP_HIGH_WARN = 4,
	OIO_CARD_ALARM_TEMP_LOW_WARN = 8,
};

/**
 * enum oio_laser_alarm - Latched alarm flags of a laser line (level flags).
 * @OIO_LASER_ALARM_BIAS_HIGH: measured bias above the high alarm threshold
 * @OIO_LASER_ALARM_BIAS_HIGH_WARN: measured bias above the high warning
 *   threshold
 * @OIO_LASER_ALARM_POWER_LOW: optical power below the low alarm threshold
 * @OIO_LASER_ALARM_POWER_LOW_WARN: optical power below the low warning
 *   threshold
 * @OIO_LASER_ALARM_TEMP_HIGH: TEC temperature above its high alarm threshold
 * @OIO_LASER_ALARM_TEMP_LOW: TEC temperature below its low alarm threshold
 * @OIO_LASER_ALARM_FAILURE: the line failed
 */
enum oio_laser_alarm {
	OIO_LASER_ALARM_BIAS_HIGH = 1,
	OIO_LASER_ALARM_BIAS_HIGH_WARN = 2,
	OIO_LASER_ALARM_POWER_LOW = 4,
	OIO_LASER_ALARM_POWER_LOW_WARN = 8,
	OIO_LASER_ALARM_TEMP_HIGH = 16,
	OIO_LASER_ALARM_TEMP_LOW = 32,
	OIO_LASER_ALARM_FAILURE = 64,
};

/**
 * enum oio_lane_alarm - Latched alarm flags of a lane: each latches when its
 *   event happens and stays latched until cleared.
 * @OIO_LANE_ALARM_TX_LOCK_LOST: the lock loop of the lane's TX ring lost its
 *   line
 * @OIO_LANE_ALARM_RX_LOCK_LOST: the lock loop of the lane's RX ring lost its
 *   line
 * @OIO_LANE_ALARM_TX_AT_LIMIT: the TX ring's heater reached the end of its
 *   range
 * @OIO_LANE_ALARM_RX_AT_LIMIT: the RX ring's heater reached the end of its
 *   range
 */
enum oio_lane_alarm {
	OIO_LANE_ALARM_TX_LOCK_LOST = 1,
	OIO_LANE_ALARM_RX_LOCK_LOST = 2,
	OIO_LANE_ALARM_TX_AT_LIMIT = 4,
	OIO_LANE_ALARM_RX_AT_LIMIT = 8,
};

/**
 * enum oio_laser_status - What a laser line does now.
 * @OIO_LASER_STATUS_EMITTING: it gives light
 * @OIO_LASER_STATUS_RAMPING: its bias is moving towards the set point
 * @OIO_LASER_STATUS_FAILED: the line failed and gives no light
 */
enum oio_laser_status {
	OIO_LASER_STATUS_EMITTING = 1,
	OIO_LASER_STATUS_RAMPING = 2,
	OIO_LASER_STATUS_FAILED = 4,
};

/**
 * enum oio_telemetry_parts - Which objects a telemetry reply carries.
 */
enum oio_telemetry_parts {
	OIO_TELEMETRY_PARTS_LASERS = 1,
	OIO_TELEMETRY_PARTS_LANES = 2,
	OIO_TELEMETRY_PARTS_RINGS = 4,
};

enum {
	OIO_A_CARD_ID = 1,
	OIO_A_CARD_PCI_ADDRESS,
	OIO_A_CARD_SERIAL,
	OIO_A_CARD_FW_VERSION,
	OIO_A_CARD_BOARD_REV,
	OIO_A_CARD_PORTS,
	OIO_A_CARD_WAVELENGTHS,
	OIO_A_CARD_TEMP,
	OIO_A_CARD_INTERLOCK_CLOSED,
	OIO_A_CARD_ARMED,
	OIO_A_CARD_ALARMS,
	OIO_A_CARD_GRID_FIRST_PM,
	OIO_A_CARD_GRID_SPACING_PM,
	OIO_A_CARD_FSR_PM,
	OIO_A_CARD_HEATER_RANGE_PM,
	OIO_A_CARD_FWHM_PM,
	OIO_A_CARD_INTERLOCK_OPENED,
	OIO_A_CARD_HEALTH,
	OIO_A_CARD_DRIFT_PM_PER_K,

	__OIO_A_CARD_MAX,
	OIO_A_CARD_MAX = (__OIO_A_CARD_MAX - 1)
};

enum {
	OIO_A_PORT_CARD_ID = 1,
	OIO_A_PORT_PORT,
	OIO_A_PORT_LINE_SHIFT,

	__OIO_A_PORT_MAX,
	OIO_A_PORT_MAX = (__OIO_A_PORT_MAX - 1)
};

enum {
	OIO_A_LASER_CARD_ID = 1,
	OIO_A_LASER_LINE,
	OIO_A_LASER_ENABLE,
	OIO_A_LASER_BIAS_SET,
	OIO_A_LASER_BIAS,
	OIO_A_LASER_POWER,
	OIO_A_LASER_TEMP,
	OIO_A_LASER_STATUS,
	OIO_A_LASER_ALARMS,

	__OIO_A_LASER_MAX,
	OIO_A_LASER_MAX = (__OIO_A_LASER_MAX - 1)
};

enum {
	OIO_A_LANE_CARD_ID = 1,
	OIO_A_LANE_LANE,
	OIO_A_LANE_PORT,
	OIO_A_LANE_STATE,
	OIO_A_LANE_REASON,
	OIO_A_LANE_REQUEST,
	OIO_A_LANE_PRBS_GENERATOR,
	OIO_A_LANE_PRBS_CHECKER,
	OIO_A_LANE_PRBS_BITS,
	OIO_A_LANE_PRBS_ERRORS,
	OIO_A_LANE_ALARMS,
	OIO_A_LANE_PAD,

	__OIO_A_LANE_MAX,
	OIO_A_LANE_MAX = (__OIO_A_LANE_MAX - 1)
};

enum {
	OIO_A_RING_CARD_ID = 1,
	OIO_A_RING_RING,
	OIO_A_RING_HEATER,
	OIO_A_RING_HEATER_POWER,
	OIO_A_RING_MONITOR,
	OIO_A_RING_LOCK,
	OIO_A_RING_LOCK_STATE,
	OIO_A_RING_AT_LIMIT,

	__OIO_A_RING_MAX,
	OIO_A_RING_MAX = (__OIO_A_RING_MAX - 1)
};

enum {
	OIO_A_TELEMETRY_CARD_ID = 1,
	OIO_A_TELEMETRY_SEQ,
	OIO_A_TELEMETRY_TIME,
	OIO_A_TELEMETRY_TEMP,
	OIO_A_TELEMETRY_ALARMS,
	OIO_A_TELEMETRY_PAD,
	OIO_A_TELEMETRY_PARTS,
	OIO_A_TELEMETRY_AGE,
	OIO_A_TELEMETRY_ARMED,
	OIO_A_TELEMETRY_INTERLOCK_CLOSED,
	OIO_A_TELEMETRY_PORTS,
	OIO_A_TELEMETRY_WAVELENGTHS,
	OIO_A_TELEMETRY_LASER_ENABLE,
	OIO_A_TELEMETRY_LASER_BIAS_SET,
	OIO_A_TELEMETRY_LASER_BIAS,
	OIO_A_TELEMETRY_LASER_POWER,
	OIO_A_TELEMETRY_LASER_TEMP,
	OIO_A_TELEMETRY_LASER_STATUS,
	OIO_A_TELEMETRY_LASER_ALARMS,
	OIO_A_TELEMETRY_LANE_STATE,
	OIO_A_TELEMETRY_LANE_REASON,
	OIO_A_TELEMETRY_LANE_PRBS_GENERATOR,
	OIO_A_TELEMETRY_LANE_PRBS_CHECKER,
	OIO_A_TELEMETRY_LANE_PRBS_BITS,
	OIO_A_TELEMETRY_LANE_PRBS_ERRORS,
	OIO_A_TELEMETRY_LANE_ALARMS,
	OIO_A_TELEMETRY_PORT_LINE_SHIFT,
	OIO_A_TELEMETRY_RING_HEATER,
	OIO_A_TELEMETRY_RING_HEATER_POWER,
	OIO_A_TELEMETRY_RING_MONITOR,
	OIO_A_TELEMETRY_RING_LOCK,
	OIO_A_TELEMETRY_RING_LOCK_STATE,
	OIO_A_TELEMETRY_RING_AT_LIMIT,

	__OIO_A_TELEMETRY_MAX,
	OIO_A_TELEMETRY_MAX = (__OIO_A_TELEMETRY_MAX - 1)
};

enum {
	OIO_A_SWEEP_CARD_ID = 1,
	OIO_A_SWEEP_FIRST_RING,
	OIO_A_SWEEP_RING_COUNT,
	OIO_A_SWEEP_START,
	OIO_A_SWEEP_STOP,
	OIO_A_SWEEP_STEP,
	OIO_A_SWEEP_DWELL,
	OIO_A_SWEEP_POINTS,
	OIO_A_SWEEP_TEMP,
	OIO_A_SWEEP_TRACE,
	OIO_A_SWEEP_SEQ,
	OIO_A_SWEEP_POSITIONS,
	OIO_A_SWEEP_RINGS,

	__OIO_A_SWEEP_MAX,
	OIO_A_SWEEP_MAX = (__OIO_A_SWEEP_MAX - 1)
};

enum {
	OIO_CMD_CARD_GET = 1,
	OIO_CMD_CARD_SET,
	OIO_CMD_PORT_GET,
	OIO_CMD_PORT_SET,
	OIO_CMD_LASER_GET,
	OIO_CMD_LASER_SET,
	OIO_CMD_LANE_GET,
	OIO_CMD_LANE_SET,
	OIO_CMD_RING_GET,
	OIO_CMD_RING_SET,
	OIO_CMD_TELEMETRY_GET,
	OIO_CMD_SWEEP_RUN,
	OIO_CMD_CARD_ADD_NTF,
	OIO_CMD_CARD_DELETE_NTF,
	OIO_CMD_CARD_CHANGE_NTF,
	OIO_CMD_LASER_CHANGE_NTF,
	OIO_CMD_LANE_CHANGE_NTF,
	OIO_CMD_RING_CHANGE_NTF,
	OIO_CMD_SWEEP_DONE_NTF,
	OIO_CMD_PORT_CHANGE_NTF,

	__OIO_CMD_MAX,
	OIO_CMD_MAX = (__OIO_CMD_MAX - 1)
};

#define OIO_MCGRP_MONITOR	"monitor"

#endif /* _UAPI_LINUX_OIO_H */
