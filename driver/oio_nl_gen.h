/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	docs/netlink/specs/oio.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_OIO_GEN_H
#define _LINUX_OIO_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/oio.h>

int oio_nl_card_get_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_card_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int oio_nl_card_set_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_port_get_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_port_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int oio_nl_port_set_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_laser_get_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_laser_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int oio_nl_laser_set_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_lane_get_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_lane_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int oio_nl_lane_set_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_ring_get_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_ring_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int oio_nl_ring_set_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_telemetry_get_doit(struct sk_buff *skb, struct genl_info *info);
int oio_nl_sweep_run_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	OIO_NLGRP_MONITOR,
};

extern struct genl_family oio_nl_family;

#endif /* _LINUX_OIO_GEN_H */
