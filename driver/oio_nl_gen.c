// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	docs/netlink/specs/oio.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "oio_nl_gen.h"

#include <uapi/linux/oio.h>

/* Integer value ranges */
static const struct netlink_range_validation oio_a_laser_bias_set_range = {
	.max	= 150000ULL,
};

static const struct netlink_range_validation oio_a_sweep_dwell_range = {
	.min	= 100ULL,
	.max	= 1000000ULL,
};

/* OIO_CMD_CARD_GET - do */
static const struct nla_policy oio_card_get_nl_policy[OIO_A_CARD_ID + 1] = {
	[OIO_A_CARD_ID] = { .type = NLA_U32, },
};

/* OIO_CMD_CARD_SET - do */
static const struct nla_policy oio_card_set_nl_policy[OIO_A_CARD_INTERLOCK_OPENED + 1] = {
	[OIO_A_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_CARD_ARMED] = NLA_POLICY_MAX(NLA_U8, 1),
	[OIO_A_CARD_ALARMS] = NLA_POLICY_MASK(NLA_U32, 0xf),
	[OIO_A_CARD_INTERLOCK_OPENED] = NLA_POLICY_MAX(NLA_U8, 0),
};

/* OIO_CMD_PORT_GET - do */
static const struct nla_policy oio_port_get_do_nl_policy[OIO_A_PORT_PORT + 1] = {
	[OIO_A_PORT_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_PORT_PORT] = { .type = NLA_U32, },
};

/* OIO_CMD_PORT_GET - dump */
static const struct nla_policy oio_port_get_dump_nl_policy[OIO_A_PORT_CARD_ID + 1] = {
	[OIO_A_PORT_CARD_ID] = { .type = NLA_U32, },
};

/* OIO_CMD_PORT_SET - do */
static const struct nla_policy oio_port_set_nl_policy[OIO_A_PORT_LINE_SHIFT + 1] = {
	[OIO_A_PORT_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_PORT_PORT] = { .type = NLA_U32, },
	[OIO_A_PORT_LINE_SHIFT] = NLA_POLICY_MAX(NLA_U32, 15),
};

/* OIO_CMD_LASER_GET - do */
static const struct nla_policy oio_laser_get_do_nl_policy[OIO_A_LASER_LINE + 1] = {
	[OIO_A_LASER_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_LASER_LINE] = { .type = NLA_U32, },
};

/* OIO_CMD_LASER_GET - dump */
static const struct nla_policy oio_laser_get_dump_nl_policy[OIO_A_LASER_CARD_ID + 1] = {
	[OIO_A_LASER_CARD_ID] = { .type = NLA_U32, },
};

/* OIO_CMD_LASER_SET - do */
static const struct nla_policy oio_laser_set_nl_policy[OIO_A_LASER_ALARMS + 1] = {
	[OIO_A_LASER_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_LASER_LINE] = { .type = NLA_U32, },
	[OIO_A_LASER_ENABLE] = NLA_POLICY_MAX(NLA_U8, 1),
	[OIO_A_LASER_BIAS_SET] = NLA_POLICY_FULL_RANGE(NLA_U32, &oio_a_laser_bias_set_range),
	[OIO_A_LASER_ALARMS] = NLA_POLICY_MASK(NLA_U32, 0x7f),
};

/* OIO_CMD_LANE_GET - do */
static const struct nla_policy oio_lane_get_do_nl_policy[OIO_A_LANE_LANE + 1] = {
	[OIO_A_LANE_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_LANE_LANE] = { .type = NLA_U32, },
};

/* OIO_CMD_LANE_GET - dump */
static const struct nla_policy oio_lane_get_dump_nl_policy[OIO_A_LANE_CARD_ID + 1] = {
	[OIO_A_LANE_CARD_ID] = { .type = NLA_U32, },
};

/* OIO_CMD_LANE_SET - do */
static const struct nla_policy oio_lane_set_nl_policy[OIO_A_LANE_ALARMS + 1] = {
	[OIO_A_LANE_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_LANE_LANE] = { .type = NLA_U32, },
	[OIO_A_LANE_REQUEST] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[OIO_A_LANE_PRBS_GENERATOR] = NLA_POLICY_MAX(NLA_U8, 1),
	[OIO_A_LANE_PRBS_CHECKER] = NLA_POLICY_MAX(NLA_U8, 1),
	[OIO_A_LANE_ALARMS] = NLA_POLICY_MASK(NLA_U32, 0xf),
};

/* OIO_CMD_RING_GET - do */
static const struct nla_policy oio_ring_get_do_nl_policy[OIO_A_RING_RING + 1] = {
	[OIO_A_RING_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_RING_RING] = { .type = NLA_U32, },
};

/* OIO_CMD_RING_GET - dump */
static const struct nla_policy oio_ring_get_dump_nl_policy[OIO_A_RING_CARD_ID + 1] = {
	[OIO_A_RING_CARD_ID] = { .type = NLA_U32, },
};

/* OIO_CMD_RING_SET - do */
static const struct nla_policy oio_ring_set_nl_policy[OIO_A_RING_LOCK + 1] = {
	[OIO_A_RING_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_RING_RING] = { .type = NLA_U32, },
	[OIO_A_RING_HEATER] = NLA_POLICY_MAX(NLA_U32, 4095),
	[OIO_A_RING_LOCK] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* OIO_CMD_TELEMETRY_GET - do */
static const struct nla_policy oio_telemetry_get_nl_policy[OIO_A_TELEMETRY_PARTS + 1] = {
	[OIO_A_TELEMETRY_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_TELEMETRY_PARTS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* OIO_CMD_SWEEP_RUN - do */
static const struct nla_policy oio_sweep_run_nl_policy[OIO_A_SWEEP_POSITIONS + 1] = {
	[OIO_A_SWEEP_CARD_ID] = { .type = NLA_U32, },
	[OIO_A_SWEEP_FIRST_RING] = { .type = NLA_U32, },
	[OIO_A_SWEEP_RING_COUNT] = NLA_POLICY_MIN(NLA_U32, 1),
	[OIO_A_SWEEP_START] = NLA_POLICY_MAX(NLA_U32, 4095),
	[OIO_A_SWEEP_STOP] = NLA_POLICY_MAX(NLA_U32, 4095),
	[OIO_A_SWEEP_STEP] = NLA_POLICY_RANGE(NLA_U32, 1, 4095),
	[OIO_A_SWEEP_DWELL] = NLA_POLICY_FULL_RANGE(NLA_U32, &oio_a_sweep_dwell_range),
	[OIO_A_SWEEP_POSITIONS] = { .type = NLA_U32, },
};

/* Ops table for oio */
static const struct genl_split_ops oio_nl_ops[] = {
	{
		.cmd		= OIO_CMD_CARD_GET,
		.doit		= oio_nl_card_get_doit,
		.policy		= oio_card_get_nl_policy,
		.maxattr	= OIO_A_CARD_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= OIO_CMD_CARD_GET,
		.dumpit	= oio_nl_card_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= OIO_CMD_CARD_SET,
		.doit		= oio_nl_card_set_doit,
		.policy		= oio_card_set_nl_policy,
		.maxattr	= OIO_A_CARD_INTERLOCK_OPENED,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_PORT_GET,
		.doit		= oio_nl_port_get_doit,
		.policy		= oio_port_get_do_nl_policy,
		.maxattr	= OIO_A_PORT_PORT,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_PORT_GET,
		.dumpit		= oio_nl_port_get_dumpit,
		.policy		= oio_port_get_dump_nl_policy,
		.maxattr	= OIO_A_PORT_CARD_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= OIO_CMD_PORT_SET,
		.doit		= oio_nl_port_set_doit,
		.policy		= oio_port_set_nl_policy,
		.maxattr	= OIO_A_PORT_LINE_SHIFT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_LASER_GET,
		.doit		= oio_nl_laser_get_doit,
		.policy		= oio_laser_get_do_nl_policy,
		.maxattr	= OIO_A_LASER_LINE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_LASER_GET,
		.dumpit		= oio_nl_laser_get_dumpit,
		.policy		= oio_laser_get_dump_nl_policy,
		.maxattr	= OIO_A_LASER_CARD_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= OIO_CMD_LASER_SET,
		.doit		= oio_nl_laser_set_doit,
		.policy		= oio_laser_set_nl_policy,
		.maxattr	= OIO_A_LASER_ALARMS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_LANE_GET,
		.doit		= oio_nl_lane_get_doit,
		.policy		= oio_lane_get_do_nl_policy,
		.maxattr	= OIO_A_LANE_LANE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_LANE_GET,
		.dumpit		= oio_nl_lane_get_dumpit,
		.policy		= oio_lane_get_dump_nl_policy,
		.maxattr	= OIO_A_LANE_CARD_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= OIO_CMD_LANE_SET,
		.doit		= oio_nl_lane_set_doit,
		.policy		= oio_lane_set_nl_policy,
		.maxattr	= OIO_A_LANE_ALARMS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_RING_GET,
		.doit		= oio_nl_ring_get_doit,
		.policy		= oio_ring_get_do_nl_policy,
		.maxattr	= OIO_A_RING_RING,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_RING_GET,
		.dumpit		= oio_nl_ring_get_dumpit,
		.policy		= oio_ring_get_dump_nl_policy,
		.maxattr	= OIO_A_RING_CARD_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= OIO_CMD_RING_SET,
		.doit		= oio_nl_ring_set_doit,
		.policy		= oio_ring_set_nl_policy,
		.maxattr	= OIO_A_RING_LOCK,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_TELEMETRY_GET,
		.doit		= oio_nl_telemetry_get_doit,
		.policy		= oio_telemetry_get_nl_policy,
		.maxattr	= OIO_A_TELEMETRY_PARTS,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= OIO_CMD_SWEEP_RUN,
		.doit		= oio_nl_sweep_run_doit,
		.policy		= oio_sweep_run_nl_policy,
		.maxattr	= OIO_A_SWEEP_POSITIONS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group oio_nl_mcgrps[] = {
	[OIO_NLGRP_MONITOR] = { "monitor", },
};

struct genl_family oio_nl_family __ro_after_init = {
	.name		= OIO_FAMILY_NAME,
	.version	= OIO_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= oio_nl_ops,
	.n_split_ops	= ARRAY_SIZE(oio_nl_ops),
	.mcgrps		= oio_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(oio_nl_mcgrps),
};
