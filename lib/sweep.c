// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: heater sweeps. One netlink reply carries at most
 * OIO_SWEEP_REPLY_MAX bytes of trace, so bigger sweeps run in several
 * parts of whole rings. Rings swept together heat their neighbours, so
 * callers that care about crosstalk choose the parts themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

struct oio_sweep_part {
	struct oio_sweep *s;
	uint32_t offset;	/* first sample of this part in s->trace */
	uint32_t expect;	/* samples this part should bring */
	bool got;
};

static int oio_take_sweep(struct nlmsghdr *nlh, struct nlattr **tb,
			  void *arg)
{
	struct oio_sweep_part *part = arg;
	struct oio_sweep *s = part->s;
	struct nlattr *trace = tb[OIO_A_SWEEP_TRACE];

	(void)nlh;
	if (!trace || !tb[OIO_A_SWEEP_POINTS] ||
	    (uint32_t)nla_len(trace) != 4 * part->expect ||
	    nla_get_u32(tb[OIO_A_SWEEP_POINTS]) != s->points)
		return -EPROTO;
	memcpy(s->trace + part->offset, nla_data(trace), 4 * part->expect);
	if (!part->offset && tb[OIO_A_SWEEP_TEMP])
		s->temp_mc = (int32_t)nla_get_u32(tb[OIO_A_SWEEP_TEMP]);
	part->got = true;
	return 0;
}

static int oio_sweep_part(struct oio_ctx *ctx, uint32_t card,
			  const struct oio_sweep_req *req, uint32_t first,
			  uint32_t count, struct oio_sweep_part *part)
{
	struct nl_msg *msg = oio_msg_new(ctx, OIO_CMD_SWEEP_RUN, false);
	int err;

	if (msg && (nla_put_u32(msg, OIO_A_SWEEP_CARD_ID, card) ||
		    nla_put_u32(msg, OIO_A_SWEEP_FIRST_RING, first) ||
		    nla_put_u32(msg, OIO_A_SWEEP_RING_COUNT, count) ||
		    nla_put_u32(msg, OIO_A_SWEEP_START, req->start) ||
		    nla_put_u32(msg, OIO_A_SWEEP_STOP, req->stop) ||
		    nla_put_u32(msg, OIO_A_SWEEP_STEP, req->step) ||
		    nla_put_u32(msg, OIO_A_SWEEP_DWELL, req->dwell_ns))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = oio_xfer(ctx, msg, OIO_A_SWEEP_MAX, oio_take_sweep, part);
	return err ? err : part->got ? 0 : -EIO;
}

OIO_API int oio_sweep_run(struct oio_ctx *ctx, uint32_t card,
			  const struct oio_sweep_req *req,
			  struct oio_sweep **out)
{
	uint32_t points, per_part, done = 0;
	struct oio_sweep *s;
	int err = 0;

	if (!req || !out || !req->ring_count || !req->step ||
	    req->start > req->stop || req->stop > OIO_HEATER_MAX)
		return -EINVAL;
	points = (req->stop - req->start) / req->step + 1;
	per_part = OIO_SWEEP_REPLY_MAX / (4 * points);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->trace = calloc((size_t)req->ring_count * points, 4);
	if (!s->trace) {
		free(s);
		return -ENOMEM;
	}
	s->card_id = card;
	s->first_ring = req->first_ring;
	s->ring_count = req->ring_count;
	s->start = req->start;
	s->step = req->step;
	s->points = points;
	while (!err && done < req->ring_count) {
		uint32_t count = req->ring_count - done;
		struct oio_sweep_part part = {
			.s = s, .offset = done * points,
		};

		if (count > per_part)
			count = per_part;
		part.expect = count * points;
		err = oio_sweep_part(ctx, card, req, req->first_ring + done,
				     count, &part);
		done += count;
	}
	if (err) {
		oio_sweep_free(s);
		return err;
	}
	*out = s;
	return 0;
}

OIO_API void oio_sweep_free(struct oio_sweep *s)
{
	if (!s)
		return;
	free(s->trace);
	free(s);
}
