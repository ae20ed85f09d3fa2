// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: names of the enumerations, as the CLI and its JSON spell them
 * (the YAML spec's names, so they read the same as the kernel's docs).
 */
#include "liboio.h"
#include "oio-api.h"

#define NAME_OF(tbl, v) \
	((unsigned int)(v) < sizeof(tbl) / sizeof(tbl[0]) ? tbl[v] : NULL)

OIO_API const char *oio_lane_state_name(enum oio_lane_state s)
{
	static const char *const names[] = {
		[OIO_LANE_STATE_DEACTIVATED] = "deactivated",
		[OIO_LANE_STATE_INIT] = "init",
		[OIO_LANE_STATE_DEINIT] = "deinit",
		[OIO_LANE_STATE_ACTIVATED] = "activated",
		[OIO_LANE_STATE_TX_TURN_ON] = "tx-turn-on",
		[OIO_LANE_STATE_TX_TURN_OFF] = "tx-turn-off",
		[OIO_LANE_STATE_INITIALIZED] = "initialized",
	};

	return NAME_OF(names, s);
}

OIO_API const char *oio_lane_reason_name(enum oio_lane_reason r)
{
	static const char *const names[] = {
		[OIO_LANE_REASON_NONE] = "none",
		[OIO_LANE_REASON_LASER_DARK] = "laser-dark",
		[OIO_LANE_REASON_TX_UNLOCKED] = "tx-unlocked",
		[OIO_LANE_REASON_RX_UNLOCKED] = "rx-unlocked",
		[OIO_LANE_REASON_BAD_REQUEST] = "bad-request",
		[OIO_LANE_REASON_INTERLOCK_OPEN] = "interlock-open",
	};

	return NAME_OF(names, r);
}

OIO_API const char *oio_lock_state_name(enum oio_lock_state s)
{
	static const char *const names[] = {
		[OIO_LOCK_STATE_OFF] = "off",
		[OIO_LOCK_STATE_LOCKED] = "locked",
		[OIO_LOCK_STATE_LOST] = "lost",
		[OIO_LOCK_STATE_NO_SIGNAL] = "no-signal",
		[OIO_LOCK_STATE_ACQUIRING] = "acquiring",
	};

	return NAME_OF(names, s);
}

OIO_API const char *oio_card_health_name(enum oio_card_health h)
{
	static const char *const names[] = {
		[OIO_CARD_HEALTH_OK] = "ok",
		[OIO_CARD_HEALTH_NOT_ANSWERING] = "not-answering",
		[OIO_CARD_HEALTH_GONE] = "gone",
	};

	return NAME_OF(names, h);
}

OIO_API const char *oio_event_type_name(enum oio_event_type t)
{
	static const char *const names[] = {
		[OIO_EVENT_CARD_ADD] = "card-add",
		[OIO_EVENT_CARD_DELETE] = "card-delete",
		[OIO_EVENT_CARD_CHANGE] = "card-change",
		[OIO_EVENT_LASER_CHANGE] = "laser-change",
		[OIO_EVENT_LANE_CHANGE] = "lane-change",
		[OIO_EVENT_RING_CHANGE] = "ring-change",
		[OIO_EVENT_SWEEP_DONE] = "sweep-done",
		[OIO_EVENT_PORT_CHANGE] = "port-change",
		[OIO_EVENT_DRIVER_GONE] = "driver-gone",
		[OIO_EVENT_DRIVER_BACK] = "driver-back",
	};

	return NAME_OF(names, t);
}

OIO_API const char *oio_link_fail_name(enum oio_link_fail f)
{
	static const char *const names[] = {
		[OIO_LINK_OK] = "ok",
		[OIO_LINK_LINE_DARK] = "laser-line-dark",
		[OIO_LINK_NO_RESONANCE] = "no-resonance-in-range",
		[OIO_LINK_OUT_OF_RANGE] = "no-line-shift-fits",
		[OIO_LINK_UNLOCKED] = "lock-not-held",
		[OIO_LINK_BER_HIGH] = "ber-too-high",
		[OIO_LINK_NOT_ACTIVATED] = "activation-refused",
		[OIO_LINK_HEATER_STUCK] = "heater-stuck",
		[OIO_LINK_ABORTED] = "aborted",
	};

	return NAME_OF(names, f);
}
