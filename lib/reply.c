// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the kernel's replies checked against the spec's policies before
 * anything reads them, so that a short or mistyped attribute is an error
 * that names it rather than a value read past its end or a silent zero.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

static int __attribute__((format(printf, 2, 3)))
bad_reply(struct oio_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx) {
		va_start(ap, fmt);
		vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

int lio_reply_parse(struct oio_ctx *ctx, struct nlmsghdr *nlh,
		    const struct oio_attr_set *set, struct nlattr **tb)
{
	struct nlattr *a;
	int rem;

	if (!genlmsg_valid_hdr(nlh, 0))
		return bad_reply(ctx, "a reply of set %s is %u bytes, too short for its header",
				 set->name, nlh->nlmsg_len);
	/*
	 * libnl's parser stops quietly at an attribute that overruns the
	 * message and does not say which attribute broke the policy: walk
	 * them first, one by one.
	 */
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		int type = nla_type(a);

		if (type > 0 && type <= set->maxattr &&
		    nla_validate(a, a->nla_len, set->maxattr, set->policy))
			return bad_reply(ctx, "the kernel's reply has a malformed attribute %s.%s (%d bytes)",
					 set->name,
					 set->names[type] ? set->names[type] :
					 "?", nla_len(a));
	}
	if (rem > 0)
		return bad_reply(ctx, "the kernel's reply of set %s ends in a truncated attribute (%d bytes)",
				 set->name, rem);
	if (genlmsg_parse(nlh, 0, tb, set->maxattr, set->policy))
		return bad_reply(ctx, "the kernel's reply of set %s does not parse",
				 set->name);
	return 0;
}

int lio_reply_need(struct oio_ctx *ctx, const struct oio_attr_set *set,
		   struct nlattr **tb, int attr)
{
	if (tb[attr])
		return 0;
	return bad_reply(ctx, "the kernel's reply lacks attribute %s.%s",
			 set->name, set->names[attr]);
}
