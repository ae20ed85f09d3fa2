// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: the generic netlink family, as generated from
 * docs/netlink/specs/oio.yaml into oio_nl_gen.c, on every kernel we build
 * for.
 *
 * Linux 6.2 added split ops (separate do and dump entries per command, each
 * with its own policy), which is what the generator emits; Kbuild defines
 * OIO_HAVE_GENL_SPLIT_OPS when the kernel's headers have them. Linux 6.1 only
 * has whole genl_ops, one per command. There, the generated tables are
 * compiled with stand-in types of the same shape and folded at module load
 * into one genl_ops per command: the do entry's handler, policy and flags,
 * plus the dump handler. A dump then accepts the do policy's attributes,
 * a superset of the dump's own; nothing else differs. 6.1 also declares
 * a policy's range pointer without const, which the generated tables use.
 */
#include <net/genetlink.h>

#include "oio.h"

#ifdef OIO_HAVE_GENL_SPLIT_OPS

#include "oio_nl_gen.c"

int oio_nl_family_register(void)
{
	return genl_register_family(&oio_nl_family);
}

void oio_nl_family_unregister(void)
{
	genl_unregister_family(&oio_nl_family);
}

struct genl_family *oio_nl_fam(void)
{
	return &oio_nl_family;
}

#else /* no split ops: Linux 6.1 */

struct oio_split_op {
	u8 cmd;
	u8 flags;
	unsigned int maxattr;
	const struct nla_policy *policy;
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
};

struct oio_split_family {
	const char *name;
	unsigned int version;
	bool netnsok;
	bool parallel_ops;
	struct module *module;
	const struct oio_split_op *split_ops;
	unsigned int n_split_ops;
	const struct genl_multicast_group *mcgrps;
	unsigned int n_mcgrps;
};

/* 6.1's policies point to non-const ranges; the ranges are only read. */
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_INT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}

#define genl_split_ops oio_split_op
#define genl_family oio_split_family
#include "oio_nl_gen.c"
#undef genl_family
#undef genl_split_ops

static struct genl_ops oio_nl_ops_61[ARRAY_SIZE(oio_nl_ops)];
static struct genl_family oio_nl_family_61;

int oio_nl_family_register(void)
{
	const struct oio_split_family *g = &oio_nl_family;
	unsigned int i, j, n = 0;

	for (i = 0; i < g->n_split_ops; i++) {
		const struct oio_split_op *s = &g->split_ops[i];
		struct genl_ops *o = NULL;

		for (j = 0; j < n; j++)
			if (oio_nl_ops_61[j].cmd == s->cmd)
				o = &oio_nl_ops_61[j];
		if (!o) {
			o = &oio_nl_ops_61[n++];
			o->cmd = s->cmd;
		}
		o->flags |= s->flags & GENL_ADMIN_PERM;
		if (s->doit) {
			o->doit = s->doit;
			o->policy = s->policy;
			o->maxattr = s->maxattr;
		} else {
			o->dumpit = s->dumpit;
			if (!o->policy) {
				o->policy = s->policy;
				o->maxattr = s->maxattr;
			}
		}
	}
	strscpy(oio_nl_family_61.name, g->name, sizeof(oio_nl_family_61.name));
	oio_nl_family_61.version = g->version;
	oio_nl_family_61.netnsok = g->netnsok;
	oio_nl_family_61.parallel_ops = g->parallel_ops;
	oio_nl_family_61.module = g->module;
	oio_nl_family_61.ops = oio_nl_ops_61;
	oio_nl_family_61.n_ops = n;
	oio_nl_family_61.mcgrps = g->mcgrps;
	oio_nl_family_61.n_mcgrps = g->n_mcgrps;
	return genl_register_family(&oio_nl_family_61);
}

void oio_nl_family_unregister(void)
{
	genl_unregister_family(&oio_nl_family_61);
}

struct genl_family *oio_nl_fam(void)
{
	return &oio_nl_family_61;
}

#endif
