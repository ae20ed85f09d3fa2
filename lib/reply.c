// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the kernel's replies checked against the spec's policies before
 * anything reads them, so that a short or mistyped attribute is an error
 * that names it rather than a value read past its end or a silent zero.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

int lio_reply_bad(struct oio_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx) {
		va_start(ap, fmt);
		vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

/*
 * libnl's check of one attribute (validate_nla()) for the policies
 * lib-policy.py writes: a length in [minlen, maxlen], a type's own
 * minimum where no minlen is given, and a NUL at a string's end.
 */
static bool attr_ok(const struct nlattr *a, const struct nla_policy *pt)
{
	int len = a->nla_len - NLA_HDRLEN;
	int min = pt->minlen;

	if (!min) {
		switch (pt->type) {
		case NLA_U8:
		case NLA_STRING:
			min = 1;
			break;
		case NLA_U16:
			min = 2;
			break;
		case NLA_U32:
			min = 4;
			break;
		case NLA_U64:
			min = 8;
			break;
		default:
			break;
		}
	}
	if (len < min || (pt->maxlen && len > pt->maxlen))
		return false;
	return pt->type != NLA_STRING ||
	       ((const char *)a + NLA_HDRLEN)[len - 1] == '\0';
}

/*
 * One pass over the attributes, with libnl's rules (nla_parse()): types
 * above the set's are skipped, a repeated one keeps its last. Not libnl's
 * own parser: it stops quietly at an attribute that overruns the message,
 * does not say which attribute broke the policy, and, a library call per
 * attribute, cost a telemetry read twice what the rest of it did.
 */
int lio_reply_parse(struct oio_ctx *ctx, struct nlmsghdr *nlh,
		    const struct oio_attr_set *set, struct nlattr **tb)
{
	const struct nlattr *a;
	int rem;

	if (!genlmsg_valid_hdr(nlh, 0))
		return lio_reply_bad(ctx, "a reply of set %s is %u bytes, too short for its header",
				 set->name, nlh->nlmsg_len);
	memset(tb, 0, sizeof(*tb) * (set->maxattr + 1));
	a = genlmsg_attrdata(nlmsg_data(nlh), 0);
	rem = genlmsg_attrlen(nlmsg_data(nlh), 0);
	while (rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= rem) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type > 0 && type <= set->maxattr) {
			if (!attr_ok(a, &set->policy[type]))
				return lio_reply_bad(ctx, "the kernel's reply has a malformed attribute %s.%s (%d bytes)",
						 set->name,
						 set->names[type] ?
						 set->names[type] : "?",
						 a->nla_len - NLA_HDRLEN);
			tb[type] = (struct nlattr *)a;
		}
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
	if (rem > 0)
		return lio_reply_bad(ctx, "the kernel's reply of set %s ends in a truncated attribute (%d bytes)",
				 set->name, rem);
	return 0;
}

int lio_reply_need(struct oio_ctx *ctx, const struct oio_attr_set *set,
		   struct nlattr **tb, int attr)
{
	if (tb[attr])
		return 0;
	return lio_reply_bad(ctx, "the kernel's reply lacks attribute %s.%s",
			 set->name, set->names[attr]);
}
