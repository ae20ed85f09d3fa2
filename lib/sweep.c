// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: heater sweeps. One netlink reply carries at most
 * OIO_SWEEP_REPLY_MAX bytes of trace, so bigger sweeps run in several
 * parts of whole rings. Rings swept together heat their neighbours, so
 * callers that care about crosstalk choose the parts themselves, or sweep
 * only some bus positions at a time. A sweep holds the card's writer lock
 * (cardlock.h); bring-up, which holds it already, sweeps through
 * sweep_run_held().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "cardlock.h"
#include "objects-sized.h"
#include "oio-private.h"

struct lio_sweep_part {
	struct oio_ctx *ctx;	/* for what a bad reply lacks */
	struct oio_sweep *s;
	uint32_t row;		/* first row of this part in s */
	uint32_t rows;		/* rows it brought */
	uint32_t first, max;	/* the run it asked for */
	bool got;
};

static int lio_take_sweep(struct nlmsghdr *nlh, struct nlattr **tb,
			  void *arg)
{
	struct lio_sweep_part *part = arg;
	struct oio_sweep *s = part->s;
	struct nlattr *trace = tb[OIO_A_SWEEP_TRACE];
	struct nlattr *rings = tb[OIO_A_SWEEP_RINGS];
	uint32_t n, i;
	int err;

	(void)nlh;
	err = lio_reply_need(part->ctx, &lio_set_sweep, tb, OIO_A_SWEEP_TRACE) ?:
	      lio_reply_need(part->ctx, &lio_set_sweep, tb, OIO_A_SWEEP_RINGS) ?:
	      lio_reply_need(part->ctx, &lio_set_sweep, tb,
			     OIO_A_SWEEP_POINTS) ?:
	      lio_reply_need(part->ctx, &lio_set_sweep, tb,
			     OIO_A_SWEEP_RING_COUNT);
	if (err)
		return err;
	if (nla_get_u32(tb[OIO_A_SWEEP_POINTS]) != s->points)
		return lio_reply_bad(part->ctx, "the kernel's sweep has %u points, not the %u asked for",
				     nla_get_u32(tb[OIO_A_SWEEP_POINTS]),
				     s->points);
	n = nla_get_u32(tb[OIO_A_SWEEP_RING_COUNT]);
	if (n > part->max || (uint32_t)nla_len(rings) != 4 * n ||
	    (uint64_t)nla_len(trace) != 4ull * n * s->points)
		return lio_reply_bad(part->ctx, "the kernel's sweep has %u rings (at most %u asked for) in a list of %d bytes and a trace of %d",
				     n, part->max, nla_len(rings),
				     nla_len(trace));
	memcpy(s->ring + part->row, nla_data(rings), 4 * n);
	/* rings of the run asked for, in order: what rows are told apart by */
	for (i = 0; i < n; i++) {
		uint32_t r = s->ring[part->row + i];

		if (r < part->first || r - part->first >= part->max ||
		    (i && r <= s->ring[part->row + i - 1]))
			return lio_reply_bad(part->ctx, "the kernel's sweep lists ring %u, not in rising order within %u to %u",
					     r, part->first,
					     part->first + part->max - 1);
	}
	memcpy(s->trace + (size_t)part->row * s->points, nla_data(trace),
	       4ull * n * s->points);
	if (!part->row && tb[OIO_A_SWEEP_TEMP])
		s->temp_mc = (int32_t)nla_get_u32(tb[OIO_A_SWEEP_TEMP]);
	part->rows = n;
	part->got = true;
	return 0;
}

static int lio_sweep_part(struct oio_ctx *ctx, uint32_t card,
			  const struct oio_sweep_req *req, uint32_t first,
			  uint32_t count, struct lio_sweep_part *part)
{
	struct nl_msg *msg = lio_msg_new(ctx, OIO_CMD_SWEEP_RUN, false);
	int err;

	if (msg && (nla_put_u32(msg, OIO_A_SWEEP_CARD_ID, card) ||
		    nla_put_u32(msg, OIO_A_SWEEP_FIRST_RING, first) ||
		    nla_put_u32(msg, OIO_A_SWEEP_RING_COUNT, count) ||
		    nla_put_u32(msg, OIO_A_SWEEP_START, req->start) ||
		    nla_put_u32(msg, OIO_A_SWEEP_STOP, req->stop) ||
		    nla_put_u32(msg, OIO_A_SWEEP_STEP, req->step) ||
		    nla_put_u32(msg, OIO_A_SWEEP_DWELL, req->dwell_ns) ||
		    (req->positions &&
		     nla_put_u32(msg, OIO_A_SWEEP_POSITIONS, req->positions)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	part->ctx = ctx;
	part->first = first;
	part->max = count;
	err = lio_xfer(ctx, msg, &lio_set_sweep, lio_take_sweep, part);
	return err ? err : part->got ? 0 : -EIO;
}

/*
 * One run of rings; a run whose trace is too big for a reply (the driver
 * says EMSGSIZE) is taken in two halves. Without a mask the size is known
 * beforehand, and runs are cut to fit at once.
 */
static int lio_sweep_rings(struct oio_ctx *ctx, uint32_t card,
			   const struct oio_sweep_req *req, uint32_t first,
			   uint32_t count, struct oio_sweep *s)
{
	uint32_t per_part = OIO_SWEEP_REPLY_MAX / (4 * s->points);
	struct lio_sweep_part part = { .s = s, .row = s->ring_count };
	int err;

	if (!req->positions && count > per_part)
		return lio_sweep_rings(ctx, card, req, first, per_part, s) ?:
		       lio_sweep_rings(ctx, card, req, first + per_part,
				       count - per_part, s);
	err = lio_sweep_part(ctx, card, req, first, count, &part);
	if (err == -EMSGSIZE && count > 1)
		return lio_sweep_rings(ctx, card, req, first, count / 2, s) ?:
		       lio_sweep_rings(ctx, card, req, first + count / 2,
				       count - count / 2, s);
	if (!err)
		s->ring_count += part.rows;
	return err;
}

static bool bad_req(const struct oio_sweep_req *req)
{
	return !req || !req->ring_count || !req->step ||
	       req->start > req->stop || req->stop > OIO_HEATER_MAX;
}

/*
 * A sweep moves heaters and leaves its rings cold: not in the middle of
 * another's bring-up, so it takes the card's lock. The caller's request
 * of req_size bytes is read as this library's whole one first.
 */
OIO_API int oio_sweep_run_ex(struct oio_ctx *ctx, uint32_t card,
			     const struct oio_sweep_req *req, size_t req_size,
			     struct oio_sweep **out)
{
	struct oio_sweep_req r;
	struct cardlock lock;
	int err;

	if (!ctx || !out || !req)
		return -EINVAL;
	err = lio_sized_in(&r, sizeof(r), req, req_size,
			   LIO_SWEEP_REQ_SIZE_1);
	if (err) {
		lio_ctx_set_err(ctx, "a sweep request of %zu bytes: %s",
				req_size, err == -E2BIG ?
				"members this liboio does not know are set" :
				"shorter than liboio 0.1.0's");
		return err;
	}
	if (bad_req(&r))
		return -EINVAL;
	err = ctx_card_lock(ctx, card, NULL, &lock);
	if (err)
		return err;
	err = sweep_run_held(ctx, card, &r, out);
	cardlock_drop(&lock);
	return err;
}

OIO_API int oio_sweep_run(struct oio_ctx *ctx, uint32_t card,
			  const struct oio_sweep_req *req,
			  struct oio_sweep **out)
{
	return oio_sweep_run_ex(ctx, card, req, LIO_SWEEP_REQ_SIZE_1, out);
}

int sweep_run_held(struct oio_ctx *ctx, uint32_t card,
		   const struct oio_sweep_req *req, struct oio_sweep **out)
{
	struct oio_sweep *s;
	int err;

	if (!out || bad_req(req))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->card_id = card;
	s->first_ring = req->first_ring;
	s->start = req->start;
	s->step = req->step;
	s->points = (req->stop - req->start) / req->step + 1;
	s->trace = calloc((size_t)req->ring_count * s->points, 4);
	s->ring = calloc(req->ring_count, 4);
	if (!s->trace || !s->ring) {
		oio_sweep_free(s);
		return -ENOMEM;
	}
	err = lio_sweep_rings(ctx, card, req, req->first_ring, req->ring_count,
			      s);
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
	free(s->ring);
	free(s->trace);
	free(s);
}
