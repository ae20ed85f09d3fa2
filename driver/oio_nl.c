// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: generic netlink handlers and notifications.
 *
 * Requests name a card by its id; the card registry maps ids to cards. A
 * handler takes a reference on the card it works on (od->nl_users) under
 * the registry's lock and drops it when done, so no lock is held while it
 * works and requests to different cards never wait for each other.
 * remove() unpublishes the card, ends the engine waits and waits for the
 * references to go. Within a card, od->lock serialises register sequences
 * as for sysfs.
 *
 * Every reply and notification of an object is built by the same filler,
 * so an event has the shape of a get reply. Objects of features the card
 * lacks (OIO_CAP_*) are left out of replies, and requests that need them
 * are refused with EOPNOTSUPP, as sysfs hides their files.
 */
#include <linux/bitfield.h>
#include <linux/capability.h>
#include <linux/rculist.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "oio.h"
#include "oio_nl_gen.h"

/* Cards published to netlink; its lock hands out references. */
static DEFINE_XARRAY(oio_cards);

enum oio_obj { OIO_CARD, OIO_PORT, OIO_LASER, OIO_LANE, OIO_RING };

static bool oio_has(const struct oio_dev *od, u32 cap)
{
	return od->caps & cap;
}

/* ---- fillers: one per object, shared by replies and events ---- */

/* What the driver read at probe: answers for a card that does not. */
static int oio_fill_card_identity(struct sk_buff *msg, struct oio_dev *od)
{
	char fw[16];

	snprintf(fw, sizeof(fw), "%u.%u.%u", od->fw_version >> 16,
		 (od->fw_version >> 8) & 0xff, od->fw_version & 0xff);
	if (nla_put_u32(msg, OIO_A_CARD_ID, od->id) ||
	    nla_put_string(msg, OIO_A_CARD_PCI_ADDRESS, pci_name(od->pdev)) ||
	    nla_put_u32(msg, OIO_A_CARD_SERIAL, od->serial) ||
	    nla_put_string(msg, OIO_A_CARD_FW_VERSION, fw) ||
	    nla_put_u32(msg, OIO_A_CARD_BOARD_REV, od->board_rev) ||
	    nla_put_u32(msg, OIO_A_CARD_PORTS, od->ports) ||
	    nla_put_u32(msg, OIO_A_CARD_WAVELENGTHS, od->wavelengths))
		return -EMSGSIZE;
	return 0;
}

/*
 * A card that does not answer is still a card: identity and health. The
 * readings follow only when they could all be read.
 */
static int oio_fill_card(struct sk_buff *msg, struct oio_dev *od)
{
	u32 temp, lock, arm, alarms, drift, cal[5];
	unsigned int i;
	int err;

	err = oio_read(od, OIO_REG_CARD_TEMP, &temp) ?:
	      oio_read(od, OIO_REG_INTERLOCK, &lock) ?:
	      oio_read(od, OIO_REG_ARM, &arm) ?:
	      oio_read(od, OIO_REG_CARD_ALARM, &alarms) ?:
	      oio_read(od, OIO_REG_RING_DRIFT_PM_PER_K, &drift);
	/* GRID_FIRST_PM ... RING_FWHM_PM, in the attributes' order */
	for (i = 0; i < ARRAY_SIZE(cal) && !err; i++)
		err = oio_read(od, OIO_REG_GRID_FIRST_PM + 4 * i, &cal[i]);
	if (oio_fill_card_identity(msg, od) ||
	    nla_put_u32(msg, OIO_A_CARD_HEALTH, oio_health(od)))
		return -EMSGSIZE;
	if (err)
		return 0;
	if (nla_put_s32(msg, OIO_A_CARD_TEMP, (s32)temp) ||
	    nla_put_u32(msg, OIO_A_CARD_ALARMS, oio_card_alarms_uapi(alarms)))
		return -EMSGSIZE;
	if (oio_has(od, OIO_CAP_INTERLOCK) &&
	    (nla_put_u8(msg, OIO_A_CARD_INTERLOCK_CLOSED,
			!!(lock & OIO_INTERLOCK_CLOSED)) ||
	     nla_put_u8(msg, OIO_A_CARD_INTERLOCK_OPENED,
			!!(lock & OIO_INTERLOCK_OPENED)) ||
	     nla_put_u8(msg, OIO_A_CARD_ARMED, !!(arm & OIO_ARM_ARMED))))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(cal); i++)
		if (nla_put_u32(msg, OIO_A_CARD_GRID_FIRST_PM + i, cal[i]))
			return -EMSGSIZE;
	if (nla_put_u32(msg, OIO_A_CARD_DRIFT_PM_PER_K, drift))
		return -EMSGSIZE;
	return 0;
}

static int oio_fill_port(struct sk_buff *msg, struct oio_dev *od,
			 unsigned int p)
{
	u32 shift;
	int err = oio_read(od, OIO_REG_PORT_LINE_SHIFT(p), &shift);

	if (err)
		return err;
	if (nla_put_u32(msg, OIO_A_PORT_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_PORT_PORT, p) ||
	    (oio_has(od, OIO_CAP_LINE_SHIFT) &&
	     nla_put_u32(msg, OIO_A_PORT_LINE_SHIFT, shift)))
		return -EMSGSIZE;
	return 0;
}

static int oio_fill_laser(struct sk_buff *msg, struct oio_dev *od,
			  unsigned int l)
{
	u32 v[OIO_LASER_STRIDE / 4];
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		err = oio_read(od, OIO_LASER_REG(l, 4 * i), &v[i]);
		if (err)
			return err;
	}
	if (nla_put_u32(msg, OIO_A_LASER_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_LASER_LINE, l) ||
	    nla_put_u8(msg, OIO_A_LASER_ENABLE,
		       !!(v[OIO_LASER_CTRL / 4] & OIO_LASER_ENABLE)) ||
	    nla_put_u32(msg, OIO_A_LASER_BIAS_SET, v[OIO_LASER_BIAS_SET / 4]) ||
	    nla_put_u32(msg, OIO_A_LASER_BIAS, v[OIO_LASER_BIAS / 4]) ||
	    nla_put_u32(msg, OIO_A_LASER_POWER, v[OIO_LASER_POWER / 4]) ||
	    nla_put_s32(msg, OIO_A_LASER_TEMP, (s32)v[OIO_LASER_TEMP / 4]) ||
	    nla_put_u32(msg, OIO_A_LASER_STATUS,
			oio_laser_status_uapi(v[OIO_LASER_STATUS / 4])) ||
	    nla_put_u32(msg, OIO_A_LASER_ALARMS,
			oio_laser_alarms_uapi(v[OIO_LASER_ALARM / 4])))
		return -EMSGSIZE;
	return 0;
}

static int oio_fill_lane(struct sk_buff *msg, struct oio_dev *od,
			 unsigned int n)
{
	u32 st, prbs, alarms;
	u64 bits, errors;
	int err;

	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &st) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL), &prbs) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_ALARM), &alarms) ?:
	      oio_read64(od, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_LO), &bits) ?:
	      oio_read64(od, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_LO), &errors);
	if (err)
		return err;
	if (nla_put_u32(msg, OIO_A_LANE_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_LANE_LANE, n) ||
	    nla_put_u32(msg, OIO_A_LANE_PORT, n / od->wavelengths) ||
	    nla_put_u32(msg, OIO_A_LANE_STATE, oio_lane_state_uapi(st)) ||
	    nla_put_u32(msg, OIO_A_LANE_REASON, oio_lane_reason_uapi(st)) ||
	    nla_put_u32(msg, OIO_A_LANE_ALARMS, oio_lane_alarms_uapi(alarms)))
		return -EMSGSIZE;
	if (oio_has(od, OIO_CAP_PRBS) &&
	    (nla_put_u8(msg, OIO_A_LANE_PRBS_GENERATOR,
			!!(prbs & OIO_PRBS_GEN)) ||
	     nla_put_u8(msg, OIO_A_LANE_PRBS_CHECKER,
			!!(prbs & OIO_PRBS_CHECK)) ||
	     nla_put_u64_64bit(msg, OIO_A_LANE_PRBS_BITS, bits,
			       OIO_A_LANE_PAD) ||
	     nla_put_u64_64bit(msg, OIO_A_LANE_PRBS_ERRORS, errors,
			       OIO_A_LANE_PAD)))
		return -EMSGSIZE;
	return 0;
}

static int oio_fill_ring(struct sk_buff *msg, struct oio_dev *od,
			 unsigned int r)
{
	u32 heater, uw, mon, lock, st;
	int err;

	err = oio_read(od, OIO_RING_REG(r, OIO_RING_HEATER), &heater) ?:
	      oio_read(od, OIO_RING_REG(r, OIO_RING_HEATER_UW), &uw) ?:
	      oio_read(od, OIO_RING_REG(r, OIO_RING_MONITOR), &mon) ?:
	      oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_CTRL), &lock) ?:
	      oio_read(od, OIO_RING_REG(r, OIO_RING_LOCK_STATUS), &st);
	if (err)
		return err;
	if (nla_put_u32(msg, OIO_A_RING_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_RING_RING, r) ||
	    nla_put_u32(msg, OIO_A_RING_HEATER, heater) ||
	    nla_put_u32(msg, OIO_A_RING_HEATER_POWER, uw) ||
	    nla_put_u32(msg, OIO_A_RING_MONITOR, mon))
		return -EMSGSIZE;
	if (oio_has(od, OIO_CAP_LOCK_LOOP) &&
	    (nla_put_u8(msg, OIO_A_RING_LOCK, !!(lock & OIO_LOCK_ENABLE)) ||
	     nla_put_u32(msg, OIO_A_RING_LOCK_STATE, oio_lock_state_uapi(st)) ||
	     nla_put_u8(msg, OIO_A_RING_AT_LIMIT, !!(st & OIO_LOCK_AT_LIMIT))))
		return -EMSGSIZE;
	return 0;
}

static int oio_fill(struct sk_buff *msg, struct oio_dev *od, enum oio_obj obj,
		    unsigned int i)
{
	switch (obj) {
	case OIO_CARD:
		return oio_fill_card(msg, od);
	case OIO_PORT:
		return oio_fill_port(msg, od, i);
	case OIO_LASER:
		return oio_fill_laser(msg, od, i);
	case OIO_LANE:
		return oio_fill_lane(msg, od, i);
	default:
		return oio_fill_ring(msg, od, i);
	}
}

static unsigned int oio_count(struct oio_dev *od, enum oio_obj obj)
{
	switch (obj) {
	case OIO_CARD:
		return 1;
	case OIO_PORT:
		return od->ports;
	case OIO_LASER:
		return od->wavelengths;
	case OIO_LANE:
		return od->lanes;
	default:
		return od->rings;
	}
}

/* One object as a whole message; the card lock is taken here. */
static int oio_put_msg(struct sk_buff *msg, struct oio_dev *od,
		       enum oio_obj obj, unsigned int i, u8 cmd, u32 portid,
		       u32 seq, int flags)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(msg, portid, seq, oio_nl_fam(), flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&od->lock);
	err = oio_fill(msg, od, obj, i);
	mutex_unlock(&od->lock);
	if (err) {
		genlmsg_cancel(msg, hdr);
		return err;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* ---- the registry ---- */

/* A reference on a published card, or NULL. */
struct oio_dev *oio_card_get(unsigned long id)
{
	struct oio_dev *od;

	xa_lock(&oio_cards);
	od = xa_load(&oio_cards, id);
	if (od)
		atomic_inc(&od->nl_users);
	xa_unlock(&oio_cards);
	return od;
}

/* The published card with the lowest id >= *id, referenced, or NULL. */
static struct oio_dev *oio_card_next(unsigned long *id)
{
	struct oio_dev *od;

	xa_lock(&oio_cards);
	od = xa_find(&oio_cards, id, ULONG_MAX, XA_PRESENT);
	if (od)
		atomic_inc(&od->nl_users);
	xa_unlock(&oio_cards);
	return od;
}

void oio_card_put(struct oio_dev *od)
{
	if (atomic_dec_and_test(&od->nl_users))
		wake_up_var(&od->nl_users);
}

/* The card a request names, referenced; drop it with oio_card_put(). */
static struct oio_dev *oio_nl_card(struct genl_info *info, int attr)
{
	struct oio_dev *od;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return ERR_PTR(-EINVAL);
	od = oio_card_get(nla_get_u32(info->attrs[attr]));
	if (!od) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "no such card");
		return ERR_PTR(-ENODEV);
	}
	return od;
}

static int oio_nl_index(struct genl_info *info, int attr, unsigned int count,
			unsigned int *index)
{
	if (GENL_REQ_ATTR_CHECK(info, attr))
		return -EINVAL;
	*index = nla_get_u32(info->attrs[attr]);
	if (*index >= count) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "index beyond the card's objects");
		return -ERANGE;
	}
	return 0;
}

static const struct {
	int card_attr;
	int index_attr;
	u8 cmd;
} oio_objs[] = {
	[OIO_CARD] = { OIO_A_CARD_ID, 0, OIO_CMD_CARD_GET },
	[OIO_PORT] = { OIO_A_PORT_CARD_ID, OIO_A_PORT_PORT, OIO_CMD_PORT_GET },
	[OIO_LASER] = { OIO_A_LASER_CARD_ID, OIO_A_LASER_LINE,
			OIO_CMD_LASER_GET },
	[OIO_LANE] = { OIO_A_LANE_CARD_ID, OIO_A_LANE_LANE, OIO_CMD_LANE_GET },
	[OIO_RING] = { OIO_A_RING_CARD_ID, OIO_A_RING_RING, OIO_CMD_RING_GET },
};

/*
 * The object a request names: its card, referenced, and its index there.
 * On success drop the card with oio_card_put().
 */
static int oio_nl_target(struct genl_info *info, enum oio_obj obj,
			 struct oio_dev **odp, unsigned int *index)
{
	struct oio_dev *od = oio_nl_card(info, oio_objs[obj].card_attr);
	int err;

	*index = 0;
	if (IS_ERR(od))
		return PTR_ERR(od);
	if (obj != OIO_CARD) {
		err = oio_nl_index(info, oio_objs[obj].index_attr,
				   oio_count(od, obj), index);
		if (err) {
			oio_card_put(od);
			return err;
		}
	}
	*odp = od;
	return 0;
}

static int oio_nl_something(struct genl_info *info, bool any)
{
	if (any)
		return 0;
	NL_SET_ERR_MSG(info->extack, "nothing to set");
	return -EINVAL;
}

/* A request attribute for a feature the card lacks. */
static int oio_nl_cap(struct genl_info *info, struct oio_dev *od, u32 cap,
		      int attr)
{
	if (!info->attrs[attr] || oio_has(od, cap))
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
			    "the card lacks the feature this needs");
	return -EOPNOTSUPP;
}

/* A reason for refusals the operations report by errno alone. */
static int oio_nl_errno(struct genl_info *info, int err)
{
	if (info->extack && info->extack->_msg)
		return err;	/* the handler already said why */
	switch (err) {
	case -ENODEV:
		NL_SET_ERR_MSG(info->extack, "card gone");
		break;
	case -EIO:
		NL_SET_ERR_MSG(info->extack, "card not answering");
		break;
	case -EAGAIN:
		NL_SET_ERR_MSG(info->extack, "card resetting");
		break;
	case -ETIMEDOUT:
		NL_SET_ERR_MSG(info->extack,
			       "card did not answer in time (firmware hung?)");
		break;
	case -EPERM:
		NL_SET_ERR_MSG(info->extack, "card not armed");
		break;
	case -EINTR:
		NL_SET_ERR_MSG(info->extack, "interrupted");
		break;
	}
	return err;
}

static int oio_get_doit(struct genl_info *info, enum oio_obj obj)
{
	struct sk_buff *msg;
	struct oio_dev *od;
	unsigned int i;
	int err;

	err = oio_nl_target(info, obj, &od, &i);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = oio_put_msg(msg, od, obj, i, oio_objs[obj].cmd, info->snd_portid,
			  info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

/* Split ops (6.2) also moved the dump's parsed attributes into an info. */
static struct nlattr **oio_dump_attrs(struct netlink_callback *cb)
{
#ifdef OIO_HAVE_GENL_SPLIT_OPS
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * Dump every object of one kind, of one card when the request names it.
 * cb->args[0] is the next card id, cb->args[1] the next index on it.
 */
static int oio_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb,
			  enum oio_obj obj)
{
	struct nlattr **tb = oio_dump_attrs(cb);
	/* A dump without a request policy (card-get) parses no attributes. */
	struct nlattr *only = tb ? tb[oio_objs[obj].card_attr] : NULL;
	unsigned long id = cb->args[0];
	struct oio_dev *od;
	int err = 0;

	if (only && id < nla_get_u32(only))
		id = nla_get_u32(only);
	for (; (od = oio_card_next(&id)); id++) {
		/* where the last round stopped, if that card is still there */
		unsigned int i = id == cb->args[0] ? cb->args[1] : 0;

		if (only && id != nla_get_u32(only)) {
			oio_card_put(od);
			break;
		}
		for (; i < oio_count(od, obj); i++) {
			err = oio_put_msg(skb, od, obj, i, oio_objs[obj].cmd,
					  NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (err == -ENODEV || err == -EIO || err == -EAGAIN) {
				err = 0;	/* a card that does not answer ends its part */
				break;
			}
			if (err)
				break;
		}
		oio_card_put(od);
		if (err) {
			cb->args[0] = id;
			cb->args[1] = i;
			goto out;
		}
		cb->args[1] = 0;
	}
	cb->args[0] = ULONG_MAX;
out:
	/* A full skb ends this round; the dump goes on from cb->args. */
	return err == -EMSGSIZE ? skb->len : err;
}

int oio_nl_card_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return oio_get_doit(info, OIO_CARD);
}

int oio_nl_card_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return oio_get_dumpit(skb, cb, OIO_CARD);
}

int oio_nl_port_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return oio_get_doit(info, OIO_PORT);
}

int oio_nl_port_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return oio_get_dumpit(skb, cb, OIO_PORT);
}

int oio_nl_laser_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return oio_get_doit(info, OIO_LASER);
}

int oio_nl_laser_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return oio_get_dumpit(skb, cb, OIO_LASER);
}

int oio_nl_lane_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return oio_get_doit(info, OIO_LANE);
}

int oio_nl_lane_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return oio_get_dumpit(skb, cb, OIO_LANE);
}

int oio_nl_ring_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return oio_get_doit(info, OIO_RING);
}

int oio_nl_ring_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return oio_get_dumpit(skb, cb, OIO_RING);
}

/* ---- set operations ---- */

/*
 * The set operations: everything that may refuse the request is checked
 * first, under the lock the whole request holds, so a refused request
 * changes nothing on the card.
 */
int oio_nl_card_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_news news = { };
	struct oio_dev *od;
	bool arm;
	int err;

	od = oio_nl_card(info, OIO_A_CARD_ID);
	if (IS_ERR(od))
		return PTR_ERR(od);
	err = oio_nl_something(info, tb[OIO_A_CARD_ARMED] ||
			       tb[OIO_A_CARD_ALARMS] ||
			       tb[OIO_A_CARD_INTERLOCK_OPENED]) ?:
	      oio_nl_cap(info, od, OIO_CAP_INTERLOCK, OIO_A_CARD_ARMED) ?:
	      oio_nl_cap(info, od, OIO_CAP_INTERLOCK,
			 OIO_A_CARD_INTERLOCK_OPENED);
	if (err)
		goto out;
	arm = tb[OIO_A_CARD_ARMED] && nla_get_u8(tb[OIO_A_CARD_ARMED]);
	mutex_lock(&od->lock);
	/* The request's own acknowledgment counts: one request can arm. */
	err = arm ? oio_arm_check(od, !!tb[OIO_A_CARD_INTERLOCK_OPENED]) : 0;
	if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_CARD_ARMED],
				    "interlock open, or its opening not acknowledged");
	if (!err && tb[OIO_A_CARD_ALARMS])
		err = oio_clear_card_alarms(od, nla_get_u32(tb[OIO_A_CARD_ALARMS]),
					    &news);
	if (!err && tb[OIO_A_CARD_INTERLOCK_OPENED])
		err = oio_ack_interlock(od, &news);
	if (!err && tb[OIO_A_CARD_ARMED]) {
		err = oio_set_armed(od, arm, &news);
		if (err == -EBUSY)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_CARD_ARMED],
					    "the interlock opened meanwhile");
	}
	mutex_unlock(&od->lock);
	oio_news_flush(od, &news);
out:
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

int oio_nl_port_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct oio_news news = { };
	struct oio_dev *od;
	unsigned int p;
	int err;

	err = oio_nl_target(info, OIO_PORT, &od, &p);
	if (err)
		return err;
	err = GENL_REQ_ATTR_CHECK(info, OIO_A_PORT_LINE_SHIFT) ? -EINVAL :
	      oio_nl_cap(info, od, OIO_CAP_LINE_SHIFT, OIO_A_PORT_LINE_SHIFT);
	if (!err) {
		u32 shift = nla_get_u32(info->attrs[OIO_A_PORT_LINE_SHIFT]);

		mutex_lock(&od->lock);
		err = oio_set_line_shift(od, p, shift, &news);
		mutex_unlock(&od->lock);
		if (err == -ERANGE)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[OIO_A_PORT_LINE_SHIFT],
					    "not below the card's wavelengths");
		else if (err == -EBUSY)
			NL_SET_ERR_MSG(info->extack,
				       "a lane of the port carries data");
	}
	oio_news_flush(od, &news);
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

/* Why the card would not light a line (oio_laser_enable_check()). */
static void oio_nl_enable_msg(struct genl_info *info, struct oio_dev *od,
			      int err)
{
	const struct nlattr *a = info->attrs[OIO_A_LASER_ENABLE];

	if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, a, "interlock open");
	else if (err == -EPERM)
		NL_SET_ERR_MSG_ATTR(info->extack, a, "card not armed");
	else if (err == -EIO && oio_health(od) == OIO_CARD_HEALTH_OK)
		NL_SET_ERR_MSG_ATTR(info->extack, a, "laser line failed");
}

int oio_nl_laser_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_news news = { };
	struct oio_dev *od;
	unsigned int l;
	bool on;
	int err;

	err = oio_nl_target(info, OIO_LASER, &od, &l);
	if (err)
		return err;
	err = oio_nl_something(info, tb[OIO_A_LASER_ENABLE] ||
			       tb[OIO_A_LASER_BIAS_SET] ||
			       tb[OIO_A_LASER_ALARMS]);
	if (err)
		goto out;
	on = tb[OIO_A_LASER_ENABLE] && nla_get_u8(tb[OIO_A_LASER_ENABLE]);
	mutex_lock(&od->lock);
	err = on ? oio_laser_enable_check(od, l) : 0;
	if (!err && tb[OIO_A_LASER_ALARMS])
		err = oio_clear_laser_alarms(od, l,
					     nla_get_u32(tb[OIO_A_LASER_ALARMS]),
					     &news);
	/* The set point first, so an enable ramps straight to it. */
	if (!err && tb[OIO_A_LASER_BIAS_SET])
		err = oio_set_laser_bias(od, l,
					 nla_get_u32(tb[OIO_A_LASER_BIAS_SET]),
					 &news);
	if (!err && tb[OIO_A_LASER_ENABLE])
		err = oio_set_laser_enable(od, l, on, &news);
	mutex_unlock(&od->lock);
	oio_nl_enable_msg(info, od, err);
	oio_news_flush(od, &news);
out:
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

/* A u8 flag attribute, if present, sets or clears bit. */
static void oio_nl_bit(const struct nlattr *a, u32 bit, u32 *set, u32 *clear)
{
	if (a && nla_get_u8(a))
		*set |= bit;
	else if (a)
		*clear |= bit;
}

int oio_nl_lane_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_news news = { };
	u32 set = 0, clear = 0;
	struct oio_dev *od;
	unsigned int n;
	int err;

	err = oio_nl_target(info, OIO_LANE, &od, &n);
	if (err)
		return err;
	err = oio_nl_something(info, tb[OIO_A_LANE_REQUEST] ||
			       tb[OIO_A_LANE_PRBS_GENERATOR] ||
			       tb[OIO_A_LANE_PRBS_CHECKER] ||
			       tb[OIO_A_LANE_ALARMS]) ?:
	      oio_nl_cap(info, od, OIO_CAP_PRBS, OIO_A_LANE_PRBS_GENERATOR) ?:
	      oio_nl_cap(info, od, OIO_CAP_PRBS, OIO_A_LANE_PRBS_CHECKER);
	if (err)
		goto out;
	oio_nl_bit(tb[OIO_A_LANE_PRBS_GENERATOR], OIO_PRBS_GEN, &set, &clear);
	oio_nl_bit(tb[OIO_A_LANE_PRBS_CHECKER], OIO_PRBS_CHECK, &set, &clear);
	mutex_lock(&od->lock);
	if (tb[OIO_A_LANE_REQUEST]) {
		err = oio_lane_request_check(od, n,
					     nla_get_u32(tb[OIO_A_LANE_REQUEST]));
		if (err == -EBUSY)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[OIO_A_LANE_REQUEST],
					    "not allowed in the lane's state");
	}
	if (!err && tb[OIO_A_LANE_ALARMS])
		err = oio_clear_lane_alarms(od, n,
					    nla_get_u32(tb[OIO_A_LANE_ALARMS]),
					    &news);
	if (!err && (set || clear))
		err = oio_set_prbs(od, n, set, clear, &news);
	if (!err && tb[OIO_A_LANE_REQUEST])
		err = oio_lane_request_checked(od, n,
					       nla_get_u32(tb[OIO_A_LANE_REQUEST]),
					       &news);
	mutex_unlock(&od->lock);
	oio_news_flush(od, &news);
out:
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

int oio_nl_ring_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_news news = { };
	struct oio_dev *od;
	unsigned int r;
	int err;

	err = oio_nl_target(info, OIO_RING, &od, &r);
	if (err)
		return err;
	err = oio_nl_something(info, tb[OIO_A_RING_HEATER] ||
			       tb[OIO_A_RING_LOCK]) ?:
	      oio_nl_cap(info, od, OIO_CAP_LOCK_LOOP, OIO_A_RING_LOCK);
	if (err)
		goto out;
	mutex_lock(&od->lock);
	/*
	 * The heater first: it is refused while the loop is on or a sweep
	 * runs, and the loop only while a sweep runs, so a refused heater
	 * leaves the loop as it was and the loop is never refused after it.
	 */
	if (tb[OIO_A_RING_HEATER]) {
		err = oio_set_heater(od, r, nla_get_u32(tb[OIO_A_RING_HEATER]),
				     &news);
		if (err == -EBUSY && oio_ring_swept(od, r))
			NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_RING_HEATER],
					    "a sweep runs over the ring");
		else if (err == -EBUSY)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_RING_HEATER],
					    "the lock loop owns the heater");
	}
	if (!err && tb[OIO_A_RING_LOCK]) {
		err = oio_set_lock(od, r, nla_get_u8(tb[OIO_A_RING_LOCK]), &news);
		if (err == -EBUSY)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_RING_LOCK],
					    "a sweep runs over the ring");
	}
	mutex_unlock(&od->lock);
	oio_news_flush(od, &news);
out:
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

/* ---- notifications and the registry ---- */

/* Listeners in any network namespace: the cards belong to none. */
static bool oio_nl_listened(void)
{
	struct net *net;
	bool any = false;

	rcu_read_lock();
	for_each_net_rcu(net) {
		if (genl_has_listeners(oio_nl_fam(), net, OIO_NLGRP_MONITOR)) {
			any = true;
			break;
		}
	}
	rcu_read_unlock();
	return any;
}

static void oio_nl_multicast(struct sk_buff *msg)
{
	genlmsg_multicast_allns(oio_nl_fam(), msg, 0, OIO_NLGRP_MONITOR);
}

/**
 * oio_nl_notify() - tell the monitor group an object changed
 * @od: the card
 * @cmd: an OIO_CMD_*_NTF
 * @index: the port, laser line, lane or ring; unused for card events
 *
 * Context: process, with @od->notify_lock held (oio_news_flush()); takes
 * @od->lock to read the object.
 */
void oio_nl_notify(struct oio_dev *od, u8 cmd, unsigned int index)
{
	struct sk_buff *msg;
	enum oio_obj obj;

	lockdep_assert_held(&od->notify_lock);
	switch (cmd) {
	case OIO_CMD_PORT_CHANGE_NTF:
		obj = OIO_PORT;
		break;
	case OIO_CMD_LASER_CHANGE_NTF:
		obj = OIO_LASER;
		break;
	case OIO_CMD_LANE_CHANGE_NTF:
		obj = OIO_LANE;
		break;
	case OIO_CMD_RING_CHANGE_NTF:
		obj = OIO_RING;
		break;
	default:
		obj = OIO_CARD;
	}
	if (!oio_nl_listened())
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (oio_put_msg(msg, od, obj, index, cmd, 0, 0, 0)) {
		nlmsg_free(msg);
		return;
	}
	oio_nl_multicast(msg);
}

/* The card-delete event, from what was read at probe. */
static void oio_nl_notify_delete(struct oio_dev *od)
{
	struct sk_buff *msg;
	void *hdr;

	if (!oio_nl_listened())
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, oio_nl_fam(), 0, OIO_CMD_CARD_DELETE_NTF);
	if (!hdr || oio_fill_card_identity(msg, od)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	oio_nl_multicast(msg);
}

/**
 * oio_nl_card_add() - publish a card to netlink and announce it
 * @od: the card, fully set up
 *
 * The card-add event is the card's first: announcements start here.
 *
 * Context: probe.
 * Return: 0 or -ENOMEM / -EBUSY.
 */
int oio_nl_card_add(struct oio_dev *od)
{
	int err;

	mutex_lock(&od->notify_lock);
	err = xa_insert(&oio_cards, od->id, od, GFP_KERNEL);
	if (!err) {
		od->announce = true;
		oio_nl_notify(od, OIO_CMD_CARD_ADD_NTF, 0);
	}
	mutex_unlock(&od->notify_lock);
	return err;
}

/**
 * oio_nl_card_remove() - announce a card leaving, and unpublish it
 * @od: the card
 *
 * The card-delete event is the card's last. Then no new request finds the
 * card, the engine waits of those in flight end, and they are waited for.
 *
 * Context: remove.
 */
void oio_nl_card_remove(struct oio_dev *od)
{
	mutex_lock(&od->notify_lock);
	od->announce = false;
	oio_nl_notify_delete(od);
	mutex_unlock(&od->notify_lock);

	xa_erase(&oio_cards, od->id);
	WRITE_ONCE(od->removing, true);
	wake_up_all(&od->telem_wq);
	wake_up_all(&od->sweep_wq);
	wait_var_event(&od->nl_users, !atomic_read(&od->nl_users));
}

/* ---- telemetry and sweeps ---- */

static const struct {
	int attr;
	u32 part;
} oio_tcols[OIO_TCOL_NUM] = {
	[OIO_TCOL_LASER_ENABLE] = { OIO_A_TELEMETRY_LASER_ENABLE,
				    OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LASER_BIAS_SET] = { OIO_A_TELEMETRY_LASER_BIAS_SET,
				      OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LASER_BIAS] = { OIO_A_TELEMETRY_LASER_BIAS,
				  OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LASER_POWER] = { OIO_A_TELEMETRY_LASER_POWER,
				   OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LASER_TEMP] = { OIO_A_TELEMETRY_LASER_TEMP,
				  OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LASER_STATUS] = { OIO_A_TELEMETRY_LASER_STATUS,
				    OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LASER_ALARMS] = { OIO_A_TELEMETRY_LASER_ALARMS,
				    OIO_TELEMETRY_PARTS_LASERS },
	[OIO_TCOL_LANE_STATE] = { OIO_A_TELEMETRY_LANE_STATE,
				  OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_LANE_REASON] = { OIO_A_TELEMETRY_LANE_REASON,
				   OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_LANE_PRBS_GEN] = { OIO_A_TELEMETRY_LANE_PRBS_GENERATOR,
				     OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_LANE_PRBS_CHECK] = { OIO_A_TELEMETRY_LANE_PRBS_CHECKER,
				       OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_LANE_PRBS_BITS] = { OIO_A_TELEMETRY_LANE_PRBS_BITS,
				      OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_LANE_PRBS_ERRORS] = { OIO_A_TELEMETRY_LANE_PRBS_ERRORS,
					OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_LANE_ALARMS] = { OIO_A_TELEMETRY_LANE_ALARMS,
				   OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_PORT_LINE_SHIFT] = { OIO_A_TELEMETRY_PORT_LINE_SHIFT,
				       OIO_TELEMETRY_PARTS_LANES },
	[OIO_TCOL_RING_HEATER] = { OIO_A_TELEMETRY_RING_HEATER,
				   OIO_TELEMETRY_PARTS_RINGS },
	[OIO_TCOL_RING_HEATER_UW] = { OIO_A_TELEMETRY_RING_HEATER_POWER,
				      OIO_TELEMETRY_PARTS_RINGS },
	[OIO_TCOL_RING_MONITOR] = { OIO_A_TELEMETRY_RING_MONITOR,
				    OIO_TELEMETRY_PARTS_RINGS },
	[OIO_TCOL_RING_LOCK] = { OIO_A_TELEMETRY_RING_LOCK,
				 OIO_TELEMETRY_PARTS_RINGS },
	[OIO_TCOL_RING_LOCK_STATE] = { OIO_A_TELEMETRY_RING_LOCK_STATE,
				       OIO_TELEMETRY_PARTS_RINGS },
	[OIO_TCOL_RING_AT_LIMIT] = { OIO_A_TELEMETRY_RING_AT_LIMIT,
				     OIO_TELEMETRY_PARTS_RINGS },
};

/* The columns a card has: no PRBS or lock loop, no column of theirs. */
static bool oio_tcol_shown(struct oio_dev *od, enum oio_tcol c)
{
	switch (c) {
	case OIO_TCOL_LANE_PRBS_GEN:
	case OIO_TCOL_LANE_PRBS_CHECK:
	case OIO_TCOL_LANE_PRBS_BITS:
	case OIO_TCOL_LANE_PRBS_ERRORS:
		return oio_has(od, OIO_CAP_PRBS);
	case OIO_TCOL_RING_LOCK:
	case OIO_TCOL_RING_LOCK_STATE:
	case OIO_TCOL_RING_AT_LIMIT:
		return oio_has(od, OIO_CAP_LOCK_LOOP);
	case OIO_TCOL_PORT_LINE_SHIFT:
		return oio_has(od, OIO_CAP_LINE_SHIFT);
	default:
		return true;
	}
}

/* Context: caller holds @od->telem_lock. */
static int oio_put_telemetry(struct sk_buff *msg, struct oio_dev *od,
			     u32 parts)
{
	const struct oio_telem_block *t = &od->telem;
	s64 age = ktime_us_delta(ktime_get(), t->taken);
	unsigned int c;

	lockdep_assert_held(&od->telem_lock);
	if (nla_put_u32(msg, OIO_A_TELEMETRY_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_SEQ, t->seq) ||
	    nla_put_u64_64bit(msg, OIO_A_TELEMETRY_TIME, t->time_ns,
			      OIO_A_TELEMETRY_PAD) ||
	    nla_put_s32(msg, OIO_A_TELEMETRY_TEMP, t->temp) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_ALARMS, t->alarms) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_AGE, clamp_t(s64, age, 0, U32_MAX)) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_PORTS, od->ports) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_WAVELENGTHS, od->wavelengths))
		return -EMSGSIZE;
	if (oio_has(od, OIO_CAP_INTERLOCK) &&
	    (nla_put_u8(msg, OIO_A_TELEMETRY_ARMED, t->armed) ||
	     nla_put_u8(msg, OIO_A_TELEMETRY_INTERLOCK_CLOSED,
			t->interlock_closed)))
		return -EMSGSIZE;
	for (c = 0; c < OIO_TCOL_NUM; c++) {
		unsigned int len = oio_tcol_count(od, c) * oio_tcol_size(c);
		struct nlattr *a;

		if (!(parts & oio_tcols[c].part) || !oio_tcol_shown(od, c))
			continue;
		if (oio_tcol_size(c) == 8)
			a = nla_reserve_64bit(msg, oio_tcols[c].attr, len,
					      OIO_A_TELEMETRY_PAD);
		else
			a = nla_reserve(msg, oio_tcols[c].attr, len);
		if (!a)
			return -EMSGSIZE;
		memcpy(nla_data(a), t->col[c], len);
	}
	return 0;
}

/* Room for the parts asked for: their arrays, and the header. */
size_t oio_telem_msg_size(struct oio_dev *od, u32 parts)
{
	size_t n = 256;
	unsigned int c;

	for (c = 0; c < OIO_TCOL_NUM; c++)
		if (parts & oio_tcols[c].part)
			n += nla_total_size_64bit(oio_tcol_count(od, c) *
						  oio_tcol_size(c));
	return n;
}

/**
 * oio_telem_msg() - a telemetry-get reply of the parts asked for
 * @msg: room for oio_telem_msg_size(@od, @parts)
 * @od: the card, referenced
 * @parts: OIO_TELEMETRY_PARTS_* bits
 * @max_age_ms: the oldest cached block the caller takes; 0 for a new one
 * @portid: the requester's port, 0 for /dev/oioN
 * @seq: the request's sequence number
 *
 * The one builder of the reply, for netlink and for /dev/oioN alike.
 *
 * Context: process; waits as oio_telemetry_lock() does.
 * Return: 0, or its errors and -EMSGSIZE.
 */
int oio_telem_msg(struct sk_buff *msg, struct oio_dev *od, u32 parts,
		  unsigned int max_age_ms, u32 portid, u32 seq)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(msg, portid, seq, oio_nl_fam(), 0,
			  OIO_CMD_TELEMETRY_GET);
	if (!hdr)
		return -EMSGSIZE;
	err = oio_telemetry_lock(od, max_age_ms);
	if (err) {
		genlmsg_cancel(msg, hdr);
		return err;
	}
	err = oio_put_telemetry(msg, od, parts);
	oio_telemetry_unlock(od);
	if (err) {
		genlmsg_cancel(msg, hdr);
		return err;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* Why a telemetry block could not be had, for the requester. */
static void oio_telem_extack(struct oio_dev *od, int err,
			     struct netlink_ext_ack *extack)
{
	if (err == -ETIMEDOUT)
		NL_SET_ERR_MSG(extack, "card did not answer (firmware hung?)");
	else if (err == -EIO && od->telem_broken)
		NL_SET_ERR_MSG(extack,
			       "the card's telemetry block size is wrong: telemetry off");
	else if (err == -EIO)
		NL_SET_ERR_MSG(extack,
			       "card not answering, or a bad telemetry block");
}

int oio_nl_telemetry_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 parts = OIO_TELEMETRY_PARTS_ALL;
	struct sk_buff *msg = NULL;
	unsigned int max_age;
	struct oio_dev *od;
	int err;

	if (info->attrs[OIO_A_TELEMETRY_PARTS])
		parts = nla_get_u32(info->attrs[OIO_A_TELEMETRY_PARTS]);
	od = oio_nl_card(info, OIO_A_TELEMETRY_CARD_ID);
	if (IS_ERR(od))
		return PTR_ERR(od);
	if (!oio_has(od, OIO_CAP_TELEMETRY)) {
		NL_SET_ERR_MSG(info->extack, "the card has no telemetry engine");
		err = -EOPNOTSUPP;
		goto out;
	}
	msg = genlmsg_new(oio_telem_msg_size(od, parts), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	/* Without the privilege to change the card, no DMA on demand either. */
	max_age = netlink_capable(skb, CAP_NET_ADMIN) ? 0 :
		  OIO_TELEM_USER_AGE_MS;
	err = oio_telem_msg(msg, od, parts, max_age, info->snd_portid,
			    info->snd_seq);
	if (err) {
		oio_telem_extack(od, err, info->extack);
		goto out;
	}
	err = genlmsg_reply(msg, info);
	msg = NULL;
out:
	nlmsg_free(msg);
	oio_card_put(od);
	return oio_nl_errno(info, err);
}

static int oio_sweep_params(struct genl_info *info, struct oio_dev *od,
			    struct oio_sweep_params *p)
{
	struct nlattr **tb = info->attrs;
	u32 r;

	if (GENL_REQ_ATTR_CHECK(info, OIO_A_SWEEP_FIRST_RING) ||
	    GENL_REQ_ATTR_CHECK(info, OIO_A_SWEEP_RING_COUNT) ||
	    GENL_REQ_ATTR_CHECK(info, OIO_A_SWEEP_START) ||
	    GENL_REQ_ATTR_CHECK(info, OIO_A_SWEEP_STOP) ||
	    GENL_REQ_ATTR_CHECK(info, OIO_A_SWEEP_STEP) ||
	    GENL_REQ_ATTR_CHECK(info, OIO_A_SWEEP_DWELL))
		return -EINVAL;
	p->first = nla_get_u32(tb[OIO_A_SWEEP_FIRST_RING]);
	p->count = nla_get_u32(tb[OIO_A_SWEEP_RING_COUNT]);
	p->start = nla_get_u32(tb[OIO_A_SWEEP_START]);
	p->stop = nla_get_u32(tb[OIO_A_SWEEP_STOP]);
	p->step = nla_get_u32(tb[OIO_A_SWEEP_STEP]);
	p->dwell_ns = nla_get_u32(tb[OIO_A_SWEEP_DWELL]);
	p->positions = GENMASK(od->wavelengths - 1, 0);
	if (tb[OIO_A_SWEEP_POSITIONS])
		p->positions = nla_get_u32(tb[OIO_A_SWEEP_POSITIONS]);
	if (p->first >= od->rings) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_SWEEP_FIRST_RING],
				    "first ring beyond the card's");
		return -ERANGE;
	}
	if (p->count > od->rings - p->first) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_SWEEP_RING_COUNT],
				    "rings beyond the card's");
		return -ERANGE;
	}
	if (p->positions & ~GENMASK(od->wavelengths - 1, 0)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_SWEEP_POSITIONS],
				    "bus position beyond the card's wavelengths");
		return -ERANGE;
	}
	p->swept = 0;
	for (r = p->first; r < p->first + p->count; r++)
		p->swept += !!(p->positions & BIT(r / 2 % od->wavelengths));
	if (!p->swept) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_SWEEP_POSITIONS],
				    "no ring of the run is at these positions");
		return -EINVAL;
	}
	if (p->start > p->stop) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_SWEEP_STOP],
				    "stop below start");
		return -EINVAL;
	}
	p->points = (p->stop - p->start) / p->step + 1;
	if (4ull * p->swept * p->points > OIO_TRACE_MAX_BYTES) {
		NL_SET_ERR_MSG(info->extack,
			       "trace above 60 KiB: sweep fewer rings or points");
		return -EMSGSIZE;
	}
	return 0;
}

/* The sweep's header, for its reply and its event. */
static int oio_put_sweep_hdr(struct sk_buff *msg, struct oio_dev *od,
			     const struct oio_sweep_params *p, s32 temp,
			     u32 seq)
{
	if (nla_put_u32(msg, OIO_A_SWEEP_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_SWEEP_FIRST_RING, p->first) ||
	    nla_put_u32(msg, OIO_A_SWEEP_RING_COUNT, p->swept) ||
	    nla_put_u32(msg, OIO_A_SWEEP_START, p->start) ||
	    nla_put_u32(msg, OIO_A_SWEEP_STEP, p->step) ||
	    nla_put_u32(msg, OIO_A_SWEEP_POINTS, p->points) ||
	    nla_put_u32(msg, OIO_A_SWEEP_POSITIONS, p->positions) ||
	    nla_put_s32(msg, OIO_A_SWEEP_TEMP, temp) ||
	    nla_put_u32(msg, OIO_A_SWEEP_SEQ, seq))
		return -EMSGSIZE;
	return 0;
}

/* The ring of each row of the trace, in trace order. */
static int oio_put_rings(struct sk_buff *msg, struct oio_dev *od,
			 const struct oio_sweep_params *p)
{
	struct nlattr *a;
	u32 i = 0, r, *v;

	a = nla_reserve(msg, OIO_A_SWEEP_RINGS, 4 * p->swept);
	if (!a)
		return -EMSGSIZE;
	v = nla_data(a);
	for (r = p->first; r < p->first + p->count; r++)
		if (p->positions & BIT(r / 2 % od->wavelengths))
			v[i++] = r;
	return 0;
}

/* Context: the caller owns the sweep engine (OIO_F_SWEEP_BUSY). */
static int oio_put_trace(struct sk_buff *msg, struct oio_dev *od,
			 const struct oio_sweep_params *p)
{
	const u8 *blk = od->sweep_buf.cpu;
	struct nlattr *a;
	u32 i, *v;

	if (oio_put_rings(msg, od, p))
		return -EMSGSIZE;
	a = nla_reserve(msg, OIO_A_SWEEP_TRACE, 4 * p->swept * p->points);
	if (!a)
		return -EMSGSIZE;
	v = nla_data(a);
	for (i = 0; i < p->swept * p->points; i++)
		v[i] = oio_le32(blk, OIO_SWEEP_HDR_SIZE + 4 * i);
	return 0;
}

/* Who swept what, without the trace: that went to the requester. */
static void oio_notify_sweep(struct oio_dev *od,
			     const struct oio_sweep_params *p, s32 temp,
			     u32 seq)
{
	struct sk_buff *msg;
	void *hdr;

	mutex_lock(&od->notify_lock);
	if (!od->announce || !oio_nl_listened())
		goto out;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, oio_nl_fam(), 0, OIO_CMD_SWEEP_DONE_NTF);
	if (!hdr || oio_put_sweep_hdr(msg, od, p, temp, seq) ||
	    oio_put_rings(msg, od, p)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	oio_nl_multicast(msg);
out:
	mutex_unlock(&od->notify_lock);
}

int oio_nl_sweep_run_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct oio_sweep_params p;
	struct sk_buff *msg = NULL;
	struct oio_dev *od;
	u32 seq = 0, st = OIO_ENG_IDLE;
	s32 temp = 0;
	void *hdr;
	int err;

	od = oio_nl_card(info, OIO_A_SWEEP_CARD_ID);
	if (IS_ERR(od))
		return PTR_ERR(od);
	if (!oio_has(od, OIO_CAP_SWEEP)) {
		NL_SET_ERR_MSG(info->extack, "the card has no sweep engine");
		err = -EOPNOTSUPP;
		goto out;
	}
	err = oio_sweep_params(info, od, &p);
	if (err)
		goto out;
	msg = genlmsg_new(1024 + 4 * p.swept * (p.points + 1), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, oio_nl_fam(), 0, OIO_CMD_SWEEP_RUN);
	err = hdr ? oio_sweep(od, &p, &st) : -EMSGSIZE;
	if (!err) {
		temp = (s32)oio_le32(od->sweep_buf.cpu, OIO_SWEEP_HDR_TEMP);
		seq = oio_le32(od->sweep_buf.cpu, OIO_SWEEP_HDR_SEQ);
		err = oio_put_sweep_hdr(msg, od, &p, temp, seq) ?:
		      oio_put_trace(msg, od, &p);
		oio_sweep_release(od);
	}
	if (err == -EALREADY) {
		NL_SET_ERR_MSG(info->extack, "a sweep is running on the card");
		err = -EBUSY;
	} else if (err == -EBUSY) {
		NL_SET_ERR_MSG(info->extack,
			       "a ring of the run has its lock loop on");
	} else if (err == -ETIMEDOUT) {
		NL_SET_ERR_MSG(info->extack,
			       "card did not finish the sweep (firmware hung?)");
	} else if (err == -EIO && st == OIO_ENG_ABORTED) {
		NL_SET_ERR_MSG(info->extack, "the sweep was aborted on the card");
	} else if (err == -EIO && st == OIO_ENG_ERR_DMA) {
		NL_SET_ERR_MSG(info->extack,
			       "the card could not write the trace (DMA error)");
	} else if (err == -EIO && st == OIO_ENG_DONE) {
		NL_SET_ERR_MSG(info->extack,
			       "the card's trace is not of the run asked for");
	}
	if (err)
		goto out;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	msg = NULL;
	oio_notify_sweep(od, &p, temp, seq);
out:
	nlmsg_free(msg);
	oio_card_put(od);
	return oio_nl_errno(info, err);
}
