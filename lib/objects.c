// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: get, dump and set of cards, ports, laser lines, lanes and rings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "objects-sized.h"
#include "oio-private.h"

static uint32_t u32_of(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static bool bool_of(struct nlattr *a)
{
	return a && nla_get_u8(a);
}

static void str_of(struct nlattr *a, char *buf, size_t len)
{
	if (a)
		nla_strlcpy(buf, a, len);
	else
		buf[0] = '\0';
}

void lio_parse_card(struct nlattr **tb, struct oio_card_info *c)
{
	c->id = u32_of(tb[OIO_A_CARD_ID]);
	str_of(tb[OIO_A_CARD_PCI_ADDRESS], c->pci_address,
	       sizeof(c->pci_address));
	c->serial = u32_of(tb[OIO_A_CARD_SERIAL]);
	str_of(tb[OIO_A_CARD_FW_VERSION], c->fw_version,
	       sizeof(c->fw_version));
	c->board_rev = u32_of(tb[OIO_A_CARD_BOARD_REV]);
	c->ports = u32_of(tb[OIO_A_CARD_PORTS]);
	c->wavelengths = u32_of(tb[OIO_A_CARD_WAVELENGTHS]);
	c->temp_mc = (int32_t)u32_of(tb[OIO_A_CARD_TEMP]);
	c->interlock_closed = bool_of(tb[OIO_A_CARD_INTERLOCK_CLOSED]);
	c->armed = bool_of(tb[OIO_A_CARD_ARMED]);
	c->alarms = u32_of(tb[OIO_A_CARD_ALARMS]);
	c->grid_first_pm = u32_of(tb[OIO_A_CARD_GRID_FIRST_PM]);
	c->grid_spacing_pm = u32_of(tb[OIO_A_CARD_GRID_SPACING_PM]);
	c->fsr_pm = u32_of(tb[OIO_A_CARD_FSR_PM]);
	c->heater_range_pm = u32_of(tb[OIO_A_CARD_HEATER_RANGE_PM]);
	c->fwhm_pm = u32_of(tb[OIO_A_CARD_FWHM_PM]);
	c->drift_pm_per_k = u32_of(tb[OIO_A_CARD_DRIFT_PM_PER_K]);
	c->interlock_opened = bool_of(tb[OIO_A_CARD_INTERLOCK_OPENED]);
	c->health = u32_of(tb[OIO_A_CARD_HEALTH]);
}

void lio_parse_laser(struct nlattr **tb, struct oio_laser_info *l)
{
	l->card_id = u32_of(tb[OIO_A_LASER_CARD_ID]);
	l->line = u32_of(tb[OIO_A_LASER_LINE]);
	l->enable = bool_of(tb[OIO_A_LASER_ENABLE]);
	l->bias_set_ua = u32_of(tb[OIO_A_LASER_BIAS_SET]);
	l->bias_ua = u32_of(tb[OIO_A_LASER_BIAS]);
	l->power_uw = u32_of(tb[OIO_A_LASER_POWER]);
	l->temp_mc = (int32_t)u32_of(tb[OIO_A_LASER_TEMP]);
	l->status = u32_of(tb[OIO_A_LASER_STATUS]);
	l->alarms = u32_of(tb[OIO_A_LASER_ALARMS]);
}

void lio_parse_lane(struct nlattr **tb, struct oio_lane_info *l)
{
	l->card_id = u32_of(tb[OIO_A_LANE_CARD_ID]);
	l->lane = u32_of(tb[OIO_A_LANE_LANE]);
	l->port = u32_of(tb[OIO_A_LANE_PORT]);
	l->state = u32_of(tb[OIO_A_LANE_STATE]);
	l->reason = u32_of(tb[OIO_A_LANE_REASON]);
	l->prbs_generator = bool_of(tb[OIO_A_LANE_PRBS_GENERATOR]);
	l->prbs_checker = bool_of(tb[OIO_A_LANE_PRBS_CHECKER]);
	l->prbs_bits = tb[OIO_A_LANE_PRBS_BITS] ?
		       nla_get_u64(tb[OIO_A_LANE_PRBS_BITS]) : 0;
	l->prbs_errors = tb[OIO_A_LANE_PRBS_ERRORS] ?
			 nla_get_u64(tb[OIO_A_LANE_PRBS_ERRORS]) : 0;
	l->alarms = u32_of(tb[OIO_A_LANE_ALARMS]);
}

void lio_parse_ring(struct nlattr **tb, struct oio_ring_info *r)
{
	r->card_id = u32_of(tb[OIO_A_RING_CARD_ID]);
	r->ring = u32_of(tb[OIO_A_RING_RING]);
	r->heater = u32_of(tb[OIO_A_RING_HEATER]);
	r->heater_uw = u32_of(tb[OIO_A_RING_HEATER_POWER]);
	r->monitor_na = u32_of(tb[OIO_A_RING_MONITOR]);
	r->lock = bool_of(tb[OIO_A_RING_LOCK]);
	r->lock_state = u32_of(tb[OIO_A_RING_LOCK_STATE]);
	r->at_limit = bool_of(tb[OIO_A_RING_AT_LIMIT]);
}

/* ---- one generic get/dump per object kind ---- */

struct oio_kind {
	uint8_t get_cmd;
	uint8_t set_cmd;
	const struct oio_attr_set *set;
	int card_attr;		/* card id attribute */
	int index_attr;		/* index attribute, 0 for cards */
	size_t size;		/* this library's struct */
	size_t size_1;		/* 0.1.0's: no caller has less */
	void (*parse)(struct nlattr **tb, void *out);
};

#define KIND(cmd, up, low, idx, type, size1, fn) {			\
	.get_cmd = OIO_CMD_##cmd##_GET, .set_cmd = OIO_CMD_##cmd##_SET,	\
	.set = &lio_set_##low,						\
	.card_attr = OIO_A_##up##_CARD_ID, .index_attr = idx,		\
	.size = sizeof(type), .size_1 = size1,				\
	.parse = (void (*)(struct nlattr **, void *))fn }

void lio_parse_port(struct nlattr **tb, struct oio_port_info *p)
{
	p->card_id = u32_of(tb[OIO_A_PORT_CARD_ID]);
	p->port = u32_of(tb[OIO_A_PORT_PORT]);
	p->line_shift = u32_of(tb[OIO_A_PORT_LINE_SHIFT]);
}

static const struct oio_kind lio_port_kind =
	KIND(PORT, PORT, port, OIO_A_PORT_PORT, struct oio_port_info,
	     LIO_PORT_INFO_SIZE_1, lio_parse_port);
static const struct oio_kind lio_laser_kind =
	KIND(LASER, LASER, laser, OIO_A_LASER_LINE, struct oio_laser_info,
	     LIO_LASER_INFO_SIZE_1, lio_parse_laser);
static const struct oio_kind lio_lane_kind =
	KIND(LANE, LANE, lane, OIO_A_LANE_LANE, struct oio_lane_info,
	     LIO_LANE_INFO_SIZE_1, lio_parse_lane);
static const struct oio_kind lio_ring_kind =
	KIND(RING, RING, ring, OIO_A_RING_RING, struct oio_ring_info,
	     LIO_RING_INFO_SIZE_1, lio_parse_ring);
static const struct oio_kind lio_card_kind = {
	.get_cmd = OIO_CMD_CARD_GET, .set_cmd = OIO_CMD_CARD_SET,
	.set = &lio_set_card,
	.card_attr = OIO_A_CARD_ID, .index_attr = 0,
	.size = sizeof(struct oio_card_info),
	.size_1 = LIO_CARD_INFO_SIZE_1,
	.parse = (void (*)(struct nlattr **, void *))lio_parse_card,
};

struct oio_one {
	struct oio_ctx *ctx;
	const struct oio_kind *kind;
	void *out;
	size_t size;		/* the caller's struct (gets) */
	bool got;
};

/* Room for one object of any kind, as this library has it. */
union lio_object {
	struct oio_card_info card;
	struct oio_port_info port;
	struct oio_laser_info laser;
	struct oio_lane_info lane;
	struct oio_ring_info ring;
};

/* An object's reply names the object, or it is no answer to the request. */
static int lio_named(struct oio_one *one, struct nlattr **tb)
{
	const struct oio_kind *k = one->kind;

	return lio_reply_need(one->ctx, k->set, tb, k->card_attr) ?:
	       (k->index_attr ?
		lio_reply_need(one->ctx, k->set, tb, k->index_attr) : 0);
}

static int lio_take_one(struct nlmsghdr *nlh, struct nlattr **tb,
			void *arg)
{
	struct oio_one *one = arg;
	union lio_object obj;
	int err = lio_named(one, tb);

	(void)nlh;
	if (err)
		return err;
	/* parsed whole, handed over at the caller's size */
	memset(&obj, 0, sizeof(obj));
	one->kind->parse(tb, &obj);
	lio_sized_out(one->out, one->size, &obj, one->kind->size);
	one->got = true;
	return 0;
}

static int lio_get(struct oio_ctx *ctx, const struct oio_kind *k,
		   uint32_t card, uint32_t index, void *out, size_t size)
{
	struct nl_msg *msg = lio_msg_new(ctx, k->get_cmd, false);
	struct oio_one one = { .ctx = ctx, .kind = k, .out = out,
			       .size = size };
	int err;

	if (!out || size < k->size_1) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	if (msg && (nla_put_u32(msg, k->card_attr, card) ||
		    (k->index_attr &&
		     nla_put_u32(msg, k->index_attr, index)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = lio_xfer(ctx, msg, k->set, lio_take_one, &one);
	return err ? err : one.got ? 0 : -EIO;
}

static int lio_take_all(struct nlmsghdr *nlh, struct nlattr **tb,
			void *arg)
{
	struct oio_one *one = arg;
	void *item;
	int err = lio_named(one, tb);

	(void)nlh;
	if (err)
		return err;
	item = lio_vec_push(one->out);
	if (!item)
		return -ENOMEM;
	one->kind->parse(tb, item);
	return 0;
}

/*
 * All objects of one card, or of every card if card is UINT32_MAX, in an
 * array of the caller's size apart.
 */
static int lio_dump(struct oio_ctx *ctx, const struct oio_kind *k,
		    uint32_t card, void **items, size_t *n, size_t size)
{
	struct nl_msg *msg = lio_msg_new(ctx, k->get_cmd, true);
	struct oio_vec v = { .size = k->size };
	struct oio_one one = { .ctx = ctx, .kind = k, .out = &v };
	int err;

	if (!items || !n || size < k->size_1) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	if (msg && k->index_attr && card != UINT32_MAX &&
	    nla_put_u32(msg, k->card_attr, card)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = lio_xfer(ctx, msg, k->set, lio_take_all, &one) ?:
	      lio_sized_array(&v.items, v.n, k->size, size);
	if (err) {
		free(v.items);
		return err;
	}
	*items = v.items;
	*n = v.n;
	return 0;
}

static int lio_set(struct oio_ctx *ctx, struct nl_msg *msg,
		   const struct oio_attr_set *set)
{
	return lio_xfer(ctx, msg, set, NULL, NULL);
}

/* A set request addressed to one object; NULL if it cannot be built. */
static struct nl_msg *lio_set_msg(struct oio_ctx *ctx, const struct oio_kind *k,
				  uint32_t card, uint32_t index)
{
	struct nl_msg *msg = lio_msg_new(ctx, k->set_cmd, false);

	if (msg && (nla_put_u32(msg, k->card_attr, card) ||
		    (k->index_attr &&
		     nla_put_u32(msg, k->index_attr, index)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* A set of one attribute of one object, u8 (width 1) or u32. */
static struct nl_msg *lio_msg_one(struct oio_ctx *ctx, const struct oio_kind *k,
				  uint32_t card, uint32_t index, int attr,
				  uint32_t value, int width)
{
	struct nl_msg *msg = lio_set_msg(ctx, k, card, index);

	if (msg && (width == 1 ? nla_put_u8(msg, attr, (uint8_t)value) :
				 nla_put_u32(msg, attr, value))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int lio_set_one(struct oio_ctx *ctx, const struct oio_kind *k,
		       uint32_t card, uint32_t index, int attr, uint32_t value,
		       int width)
{
	return lio_set(ctx, lio_msg_one(ctx, k, card, index, attr, value,
					width), k->set);
}

/* ---- cards ---- */

OIO_API int oio_card_get_ex(struct oio_ctx *ctx, uint32_t id,
			    struct oio_card_info *out, size_t size)
{
	return lio_get(ctx, &lio_card_kind, id, 0, out, size);
}

OIO_API int oio_card_get(struct oio_ctx *ctx, uint32_t id,
			 struct oio_card_info *out)
{
	return oio_card_get_ex(ctx, id, out, LIO_CARD_INFO_SIZE_1);
}

OIO_API int oio_card_list_ex(struct oio_ctx *ctx,
			     struct oio_card_info **cards, size_t *n,
			     size_t size)
{
	return lio_dump(ctx, &lio_card_kind, UINT32_MAX, (void **)cards, n,
			size);
}

OIO_API int oio_card_list(struct oio_ctx *ctx, struct oio_card_info **cards,
			  size_t *n)
{
	return oio_card_list_ex(ctx, cards, n, LIO_CARD_INFO_SIZE_1);
}

OIO_API int oio_card_set_armed(struct oio_ctx *ctx, uint32_t id, bool armed)
{
	return lio_set_one(ctx, &lio_card_kind, id, 0, OIO_A_CARD_ARMED, armed,
			   1);
}

OIO_API int oio_card_ack_interlock(struct oio_ctx *ctx, uint32_t id)
{
	return lio_set_one(ctx, &lio_card_kind, id, 0,
			   OIO_A_CARD_INTERLOCK_OPENED, 0, 1);
}

OIO_API int oio_card_clear_alarms(struct oio_ctx *ctx, uint32_t id,
				  uint32_t flags)
{
	return lio_set_one(ctx, &lio_card_kind, id, 0, OIO_A_CARD_ALARMS, flags,
			   4);
}

/* ---- ports ---- */

OIO_API int oio_port_list_ex(struct oio_ctx *ctx, uint32_t card,
			     struct oio_port_info **ports, size_t *n,
			     size_t size)
{
	return lio_dump(ctx, &lio_port_kind, card, (void **)ports, n, size);
}

OIO_API int oio_port_list(struct oio_ctx *ctx, uint32_t card,
			  struct oio_port_info **ports, size_t *n)
{
	return oio_port_list_ex(ctx, card, ports, n, LIO_PORT_INFO_SIZE_1);
}

OIO_API int oio_port_set_line_shift(struct oio_ctx *ctx, uint32_t card,
				    uint32_t port, uint32_t shift)
{
	return lio_set_one(ctx, &lio_port_kind, card, port,
			   OIO_A_PORT_LINE_SHIFT, shift, 4);
}

/* ---- laser lines ---- */

OIO_API int oio_laser_get_ex(struct oio_ctx *ctx, uint32_t card,
			     uint32_t line, struct oio_laser_info *out,
			     size_t size)
{
	return lio_get(ctx, &lio_laser_kind, card, line, out, size);
}

OIO_API int oio_laser_get(struct oio_ctx *ctx, uint32_t card, uint32_t line,
			  struct oio_laser_info *out)
{
	return oio_laser_get_ex(ctx, card, line, out, LIO_LASER_INFO_SIZE_1);
}

OIO_API int oio_laser_list_ex(struct oio_ctx *ctx, uint32_t card,
			      struct oio_laser_info **lasers, size_t *n,
			      size_t size)
{
	return lio_dump(ctx, &lio_laser_kind, card, (void **)lasers, n, size);
}

OIO_API int oio_laser_list(struct oio_ctx *ctx, uint32_t card,
			   struct oio_laser_info **lasers, size_t *n)
{
	return oio_laser_list_ex(ctx, card, lasers, n, LIO_LASER_INFO_SIZE_1);
}

OIO_API int oio_laser_set_enable(struct oio_ctx *ctx, uint32_t card,
				 uint32_t line, bool enable)
{
	return lio_set_one(ctx, &lio_laser_kind, card, line, OIO_A_LASER_ENABLE,
			   enable, 1);
}

OIO_API int oio_laser_set_bias(struct oio_ctx *ctx, uint32_t card,
			       uint32_t line, uint32_t bias_ua)
{
	return lio_set_one(ctx, &lio_laser_kind, card, line,
			   OIO_A_LASER_BIAS_SET, bias_ua, 4);
}

OIO_API int oio_laser_clear_alarms(struct oio_ctx *ctx, uint32_t card,
				   uint32_t line, uint32_t flags)
{
	return lio_set_one(ctx, &lio_laser_kind, card, line, OIO_A_LASER_ALARMS,
			   flags, 4);
}

/* ---- lanes ---- */

OIO_API int oio_lane_get_ex(struct oio_ctx *ctx, uint32_t card,
			    uint32_t lane, struct oio_lane_info *out,
			    size_t size)
{
	return lio_get(ctx, &lio_lane_kind, card, lane, out, size);
}

OIO_API int oio_lane_get(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
			 struct oio_lane_info *out)
{
	return oio_lane_get_ex(ctx, card, lane, out, LIO_LANE_INFO_SIZE_1);
}

OIO_API int oio_lane_list_ex(struct oio_ctx *ctx, uint32_t card,
			     struct oio_lane_info **lanes, size_t *n,
			     size_t size)
{
	return lio_dump(ctx, &lio_lane_kind, card, (void **)lanes, n, size);
}

OIO_API int oio_lane_list(struct oio_ctx *ctx, uint32_t card,
			  struct oio_lane_info **lanes, size_t *n)
{
	return oio_lane_list_ex(ctx, card, lanes, n, LIO_LANE_INFO_SIZE_1);
}

struct nl_msg *lio_msg_lane_set(struct oio_ctx *ctx, uint32_t card,
				uint32_t lane, enum oio_lane_request req,
				int generator, int checker)
{
	struct nl_msg *msg = lio_set_msg(ctx, &lio_lane_kind, card, lane);

	if (msg && ((req && nla_put_u32(msg, OIO_A_LANE_REQUEST, req)) ||
		    (generator >= 0 &&
		     nla_put_u8(msg, OIO_A_LANE_PRBS_GENERATOR, generator)) ||
		    (checker >= 0 &&
		     nla_put_u8(msg, OIO_A_LANE_PRBS_CHECKER, checker)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

OIO_API int oio_lane_set(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
			 enum oio_lane_request req, int generator, int checker)
{
	if (generator < -1 || generator > 1 || checker < -1 || checker > 1 ||
	    (!req && generator < 0 && checker < 0))
		return -EINVAL;
	return lio_set(ctx, lio_msg_lane_set(ctx, card, lane, req, generator,
					     checker), &lio_set_lane);
}

OIO_API int oio_lane_clear_alarms(struct oio_ctx *ctx, uint32_t card,
				  uint32_t lane, uint32_t flags)
{
	return lio_set_one(ctx, &lio_lane_kind, card, lane, OIO_A_LANE_ALARMS,
			   flags, 4);
}

OIO_API int oio_lane_request(struct oio_ctx *ctx, uint32_t card,
			     uint32_t lane, enum oio_lane_request req)
{
	return req ? oio_lane_set(ctx, card, lane, req, -1, -1) : -EINVAL;
}

OIO_API int oio_lane_set_prbs(struct oio_ctx *ctx, uint32_t card,
			      uint32_t lane, int generator, int checker)
{
	return oio_lane_set(ctx, card, lane, 0, generator, checker);
}

/* ---- rings ---- */

OIO_API int oio_ring_get_ex(struct oio_ctx *ctx, uint32_t card,
			    uint32_t ring, struct oio_ring_info *out,
			    size_t size)
{
	return lio_get(ctx, &lio_ring_kind, card, ring, out, size);
}

OIO_API int oio_ring_get(struct oio_ctx *ctx, uint32_t card, uint32_t ring,
			 struct oio_ring_info *out)
{
	return oio_ring_get_ex(ctx, card, ring, out, LIO_RING_INFO_SIZE_1);
}

OIO_API int oio_ring_list_ex(struct oio_ctx *ctx, uint32_t card,
			     struct oio_ring_info **rings, size_t *n,
			     size_t size)
{
	return lio_dump(ctx, &lio_ring_kind, card, (void **)rings, n, size);
}

OIO_API int oio_ring_list(struct oio_ctx *ctx, uint32_t card,
			  struct oio_ring_info **rings, size_t *n)
{
	return oio_ring_list_ex(ctx, card, rings, n, LIO_RING_INFO_SIZE_1);
}

struct nl_msg *lio_msg_ring_heater(struct oio_ctx *ctx, uint32_t card,
				   uint32_t ring, uint32_t code)
{
	return lio_msg_one(ctx, &lio_ring_kind, card, ring, OIO_A_RING_HEATER,
			   code, 4);
}

struct nl_msg *lio_msg_ring_lock(struct oio_ctx *ctx, uint32_t card,
				 uint32_t ring, bool lock)
{
	return lio_msg_one(ctx, &lio_ring_kind, card, ring, OIO_A_RING_LOCK,
			   lock, 1);
}

OIO_API int oio_ring_set_heater(struct oio_ctx *ctx, uint32_t card,
				uint32_t ring, uint32_t code)
{
	return lio_set(ctx, lio_msg_ring_heater(ctx, card, ring, code),
		       &lio_set_ring);
}

OIO_API int oio_ring_set_lock(struct oio_ctx *ctx, uint32_t card,
			      uint32_t ring, bool lock)
{
	return lio_set(ctx, lio_msg_ring_lock(ctx, card, ring, lock),
		       &lio_set_ring);
}
