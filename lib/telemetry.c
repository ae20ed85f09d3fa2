// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: telemetry snapshots. The card writes every reading in one DMA
 * block, so a snapshot of the whole card costs it three register accesses
 * however many rings it has.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

static int oio_take_telemetry(struct nlmsghdr *nlh, struct nlattr **tb,
			      void *arg)
{
	struct oio_telemetry *t = arg;
	struct nlattr *a, *sub[64];
	int rem;

	t->card_id = tb[OIO_A_TELEMETRY_CARD_ID] ?
		     nla_get_u32(tb[OIO_A_TELEMETRY_CARD_ID]) : 0;
	t->seq = tb[OIO_A_TELEMETRY_SEQ] ?
		 nla_get_u32(tb[OIO_A_TELEMETRY_SEQ]) : 0;
	t->time_ns = tb[OIO_A_TELEMETRY_TIME] ?
		     nla_get_u64(tb[OIO_A_TELEMETRY_TIME]) : 0;
	t->temp_mc = tb[OIO_A_TELEMETRY_TEMP] ?
		     (int32_t)nla_get_u32(tb[OIO_A_TELEMETRY_TEMP]) : 0;
	t->alarms = tb[OIO_A_TELEMETRY_ALARMS] ?
		    nla_get_u32(tb[OIO_A_TELEMETRY_ALARMS]) : 0;

	/*
	 * tb keeps only the last of each repeated nest: walk them all.
	 * nla_parse_nested() clears sub itself.
	 */
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		switch (nla_type(a)) {
		case OIO_A_TELEMETRY_LASER:
			if (t->n_lasers >= OIO_MAX_WAVELENGTHS ||
			    nla_parse_nested(sub, OIO_A_LASER_MAX, a, NULL))
				return -EPROTO;
			oio_parse_laser(sub, &t->laser[t->n_lasers]);
			t->laser[t->n_lasers++].card_id = t->card_id;
			break;
		case OIO_A_TELEMETRY_LANE:
			if (t->n_lanes >= OIO_MAX_LANES ||
			    nla_parse_nested(sub, OIO_A_LANE_MAX, a, NULL))
				return -EPROTO;
			oio_parse_lane(sub, &t->lane[t->n_lanes]);
			t->lane[t->n_lanes++].card_id = t->card_id;
			break;
		case OIO_A_TELEMETRY_RING:
			if (t->n_rings >= OIO_MAX_RINGS ||
			    nla_parse_nested(sub, OIO_A_RING_MAX, a, NULL))
				return -EPROTO;
			oio_parse_ring(sub, &t->ring[t->n_rings]);
			t->ring[t->n_rings++].card_id = t->card_id;
			break;
		}
	}
	return 0;
}

OIO_API int oio_telemetry_get_parts(struct oio_ctx *ctx, uint32_t card,
				    unsigned int parts,
				    struct oio_telemetry *out)
{
	const unsigned int all = OIO_TELEMETRY_PARTS_LASERS |
				 OIO_TELEMETRY_PARTS_LANES |
				 OIO_TELEMETRY_PARTS_RINGS;
	struct nl_msg *msg;

	if (!out || (parts & ~all))
		return -EINVAL;
	/* the header only: n_* and the arrays are filled as nests come */
	memset(out, 0, offsetof(struct oio_telemetry, laser));
	msg = oio_msg_new(ctx, OIO_CMD_TELEMETRY_GET, false);
	if (msg && (nla_put_u32(msg, OIO_A_TELEMETRY_CARD_ID, card) ||
		    (parts && nla_put_u32(msg, OIO_A_TELEMETRY_PARTS, parts)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return oio_xfer(ctx, msg, OIO_A_TELEMETRY_MAX, oio_take_telemetry, out);
}

OIO_API int oio_telemetry_get(struct oio_ctx *ctx, uint32_t card,
			      struct oio_telemetry *out)
{
	return oio_telemetry_get_parts(ctx, card, 0, out);
}
