/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policies liboio checks the kernel's replies and events with, one per
 * attribute set of docs/netlink/specs/oio.yaml, generated into
 * oio-policy.c by scripts/lib-policy.py. Nothing here is exported.
 */
#ifndef OIO_POLICY_H
#define OIO_POLICY_H

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/oio.h>

struct oio_attr_set {
	const char *name;		/* as the spec names it */
	int maxattr;
	const struct nla_policy *policy;	/* maxattr + 1 entries */
	const char *const *names;		/* maxattr + 1 entries */
};

extern const struct oio_attr_set lio_set_card, lio_set_port, lio_set_laser,
	lio_set_lane, lio_set_ring, lio_set_telemetry, lio_set_sweep;

/* The set of a command's replies and notifications; NULL if unknown. */
const struct oio_attr_set *lio_set_of_cmd(unsigned int cmd);

struct oio_ctx;

/*
 * Parse a generic netlink message of set into tb (set->maxattr + 1
 * entries) under its policy. A message that breaks it is -EPROTO, with
 * the attribute at fault in ctx->errmsg when ctx is not NULL (the caller
 * holds ctx->lock, as in a reply callback).
 */
int lio_reply_parse(struct oio_ctx *ctx, struct nlmsghdr *nlh,
		    const struct oio_attr_set *set, struct nlattr **tb);
/*
 * -EPROTO, with what was wrong with the kernel's reply in ctx->errmsg
 * (held) when ctx is not NULL.
 */
int lio_reply_bad(struct oio_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* tb[attr] is present, or -EPROTO naming it in ctx->errmsg (held). */
int lio_reply_need(struct oio_ctx *ctx, const struct oio_attr_set *set,
		   struct nlattr **tb, int attr);

#endif /* OIO_POLICY_H */
