// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: generic netlink handlers and notifications.
 *
 * Requests name a card by its id; the card registry below maps ids to
 * cards. Handlers hold oio_cards_sem for reading while they use a card, so
 * requests to different cards run in parallel and remove() - which takes
 * it for writing to unpublish a card - waits for those in flight. Within a
 * card, od->lock serialises register sequences as for sysfs.
 *
 * Every reply and notification of an object is built by the same filler,
 * so an event has the shape of a get reply.
 */
#include <linux/bitfield.h>
#include <linux/rwsem.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include "oio.h"
#include "oio_nl_gen.h"

static DEFINE_XARRAY(oio_cards);
/* Protects the lifetime of cards found in oio_cards, see above. */
static DECLARE_RWSEM(oio_cards_sem);

enum oio_obj { OIO_CARD, OIO_PORT, OIO_LASER, OIO_LANE, OIO_RING };

/* ---- fillers: one per object, shared by replies and events ---- */

static int oio_fill_card(struct sk_buff *msg, struct oio_dev *od)
{
	char fw[16];
	u32 temp, lock, arm, alarms, cal[5];
	unsigned int i;
	int err;

	err = oio_read(od, OIO_REG_CARD_TEMP, &temp) ?:
	      oio_read(od, OIO_REG_INTERLOCK, &lock) ?:
	      oio_read(od, OIO_REG_ARM, &arm) ?:
	      oio_read(od, OIO_REG_CARD_ALARM, &alarms);
	/* GRID_FIRST_PM ... RING_FWHM_PM, in the attributes' order */
	for (i = 0; i < ARRAY_SIZE(cal) && !err; i++)
		err = oio_read(od, OIO_REG_GRID_FIRST_PM + 4 * i, &cal[i]);
	if (err)
		return err;
	snprintf(fw, sizeof(fw), "%u.%u.%u", od->fw_version >> 16,
		 (od->fw_version >> 8) & 0xff, od->fw_version & 0xff);
	if (nla_put_u32(msg, OIO_A_CARD_ID, od->id) ||
	    nla_put_string(msg, OIO_A_CARD_PCI_ADDRESS, pci_name(od->pdev)) ||
	    nla_put_u32(msg, OIO_A_CARD_SERIAL, od->serial) ||
	    nla_put_string(msg, OIO_A_CARD_FW_VERSION, fw) ||
	    nla_put_u32(msg, OIO_A_CARD_BOARD_REV, od->board_rev) ||
	    nla_put_u32(msg, OIO_A_CARD_PORTS, od->ports) ||
	    nla_put_u32(msg, OIO_A_CARD_WAVELENGTHS, od->wavelengths) ||
	    nla_put_s32(msg, OIO_A_CARD_TEMP, (s32)temp) ||
	    nla_put_u8(msg, OIO_A_CARD_INTERLOCK_CLOSED,
		       !!(lock & OIO_INTERLOCK_CLOSED)) ||
	    nla_put_u8(msg, OIO_A_CARD_ARMED, !!(arm & OIO_ARM_ARMED)) ||
	    nla_put_u32(msg, OIO_A_CARD_ALARMS, alarms))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(cal); i++)
		if (nla_put_u32(msg, OIO_A_CARD_GRID_FIRST_PM + i, cal[i]))
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
	    nla_put_u32(msg, OIO_A_PORT_LINE_SHIFT, shift))
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
	    nla_put_u32(msg, OIO_A_LASER_STATUS, v[OIO_LASER_STATUS / 4]) ||
	    nla_put_u32(msg, OIO_A_LASER_ALARMS, v[OIO_LASER_ALARM / 4]))
		return -EMSGSIZE;
	return 0;
}

static int oio_fill_lane(struct sk_buff *msg, struct oio_dev *od,
			 unsigned int n)
{
	u32 st, prbs, alarms, lo[2], hi[2];
	int err;

	err = oio_read(od, OIO_LANE_REG(n, OIO_LANE_STATE), &st) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_CTRL), &prbs) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_ALARM), &alarms) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_LO), &lo[0]) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_BITS_HI), &hi[0]) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_LO), &lo[1]) ?:
	      oio_read(od, OIO_LANE_REG(n, OIO_LANE_PRBS_ERR_HI), &hi[1]);
	if (err)
		return err;
	if (nla_put_u32(msg, OIO_A_LANE_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_LANE_LANE, n) ||
	    nla_put_u32(msg, OIO_A_LANE_PORT, n / od->wavelengths) ||
	    nla_put_u32(msg, OIO_A_LANE_STATE, st & OIO_LANE_STATE_MASK) ||
	    nla_put_u32(msg, OIO_A_LANE_REASON,
			FIELD_GET(OIO_LANE_REASON_MASK, st)) ||
	    nla_put_u8(msg, OIO_A_LANE_PRBS_GENERATOR, !!(prbs & OIO_PRBS_GEN)) ||
	    nla_put_u8(msg, OIO_A_LANE_PRBS_CHECKER, !!(prbs & OIO_PRBS_CHECK)) ||
	    nla_put_u64_64bit(msg, OIO_A_LANE_PRBS_BITS,
			      (u64)hi[0] << 32 | lo[0], OIO_A_LANE_PAD) ||
	    nla_put_u64_64bit(msg, OIO_A_LANE_PRBS_ERRORS,
			      (u64)hi[1] << 32 | lo[1], OIO_A_LANE_PAD) ||
	    nla_put_u32(msg, OIO_A_LANE_ALARMS, alarms))
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
	    nla_put_u32(msg, OIO_A_RING_MONITOR, mon) ||
	    nla_put_u8(msg, OIO_A_RING_LOCK, !!(lock & OIO_LOCK_ENABLE)) ||
	    nla_put_u32(msg, OIO_A_RING_LOCK_STATE, st & OIO_LOCK_ST_MASK) ||
	    nla_put_u8(msg, OIO_A_RING_AT_LIMIT, !!(st & OIO_LOCK_AT_LIMIT)))
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

/* ---- lookup ---- */

/* Context: caller holds oio_cards_sem for reading. */
static struct oio_dev *oio_nl_card(struct genl_info *info, int attr)
{
	struct oio_dev *od;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return ERR_PTR(-EINVAL);
	od = xa_load(&oio_cards, nla_get_u32(info->attrs[attr]));
	if (!od) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "no such card");
		return ERR_PTR(-ENODEV);
	}
	if (oio_is_dead(od)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "card stopped answering");
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
 * The object a request names: its card and its index there.
 * Context: caller holds oio_cards_sem for reading.
 */
static int oio_nl_target(struct genl_info *info, enum oio_obj obj,
			 struct oio_dev **od, unsigned int *index)
{
	*od = oio_nl_card(info, oio_objs[obj].card_attr);
	*index = 0;
	if (IS_ERR(*od))
		return PTR_ERR(*od);
	if (obj == OIO_CARD)
		return 0;
	return oio_nl_index(info, oio_objs[obj].index_attr,
			    oio_count(*od, obj), index);
}

static int oio_nl_something(struct genl_info *info, bool any)
{
	if (any)
		return 0;
	NL_SET_ERR_MSG(info->extack, "nothing to set");
	return -EINVAL;
}

static int oio_get_doit(struct genl_info *info, enum oio_obj obj)
{
	struct sk_buff *msg;
	struct oio_dev *od;
	unsigned int i;
	int err;

	down_read(&oio_cards_sem);
	err = oio_nl_target(info, obj, &od, &i);
	if (err)
		goto out;
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
	up_read(&oio_cards_sem);
	return err;
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

	down_read(&oio_cards_sem);
	xa_for_each_start(&oio_cards, id, od, cb->args[0]) {
		unsigned int i;

		if (only && id != nla_get_u32(only))
			continue;
		for (i = cb->args[1]; i < oio_count(od, obj); i++) {
			err = oio_put_msg(skb, od, obj, i, oio_objs[obj].cmd,
					  NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (err == -ENODEV) {
				err = 0;	/* a dead card ends its part */
				break;
			}
			if (err) {
				cb->args[0] = id;
				cb->args[1] = i;
				goto out;
			}
		}
		cb->args[1] = 0;
	}
	cb->args[0] = ULONG_MAX;
out:
	up_read(&oio_cards_sem);
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

/* A reason for refusals the operations report by errno alone. */
static int oio_nl_errno(struct genl_info *info, int err)
{
	if (info->extack && info->extack->_msg)
		return err;	/* the handler already said why */
	switch (err) {
	case -ENODEV:
		NL_SET_ERR_MSG(info->extack, "card stopped answering");
		break;
	case -EPERM:
		NL_SET_ERR_MSG(info->extack, "card not armed");
		break;
	case -EBUSY:
		break;	/* the caller said why */
	case -EIO:
		NL_SET_ERR_MSG(info->extack, "laser line failed");
		break;
	}
	return err;
}

int oio_nl_card_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_dev *od;
	int err;

	down_read(&oio_cards_sem);
	od = oio_nl_card(info, OIO_A_CARD_ID);
	err = PTR_ERR_OR_ZERO(od) ?:
	      oio_nl_something(info, tb[OIO_A_CARD_ARMED] ||
			       tb[OIO_A_CARD_ALARMS]);
	if (!err && tb[OIO_A_CARD_ALARMS])
		err = oio_alarm_clear(od, OIO_REG_CARD_ALARM,
				      OIO_REG_CARD_ALARM_MASK,
				      nla_get_u32(tb[OIO_A_CARD_ALARMS]));
	if (!err && tb[OIO_A_CARD_ARMED]) {
		err = oio_set_armed(od, nla_get_u8(tb[OIO_A_CARD_ARMED]));
		if (err == -EBUSY)
			NL_SET_ERR_MSG(info->extack, "interlock open");
	}
	if (!err)
		oio_nl_notify(od, OIO_CMD_CARD_CHANGE_NTF, 0);
	up_read(&oio_cards_sem);
	return oio_nl_errno(info, err);
}

int oio_nl_port_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct oio_dev *od;
	unsigned int p;
	int err;

	down_read(&oio_cards_sem);
	err = oio_nl_target(info, OIO_PORT, &od, &p);
	if (!err && GENL_REQ_ATTR_CHECK(info, OIO_A_PORT_LINE_SHIFT))
		err = -EINVAL;
	if (!err) {
		u32 shift = nla_get_u32(info->attrs[OIO_A_PORT_LINE_SHIFT]);

		err = oio_set_line_shift(od, p, shift);
		if (err == -ERANGE)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[OIO_A_PORT_LINE_SHIFT],
					    "not below the card's wavelengths");
		else if (err == -EBUSY)
			NL_SET_ERR_MSG(info->extack,
				       "a lane of the port carries data");
	}
	up_read(&oio_cards_sem);
	return oio_nl_errno(info, err);
}

int oio_nl_laser_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_dev *od;
	unsigned int l;
	int err;

	down_read(&oio_cards_sem);
	err = oio_nl_target(info, OIO_LASER, &od, &l) ?:
	      oio_nl_something(info, tb[OIO_A_LASER_ENABLE] ||
			       tb[OIO_A_LASER_BIAS_SET] ||
			       tb[OIO_A_LASER_ALARMS]);
	if (err)
		goto out;
	if (tb[OIO_A_LASER_ALARMS])
		err = oio_alarm_clear(od, OIO_LASER_REG(l, OIO_LASER_ALARM),
				      OIO_LASER_REG(l, OIO_LASER_ALARM_MASK),
				      nla_get_u32(tb[OIO_A_LASER_ALARMS]));
	/* The set point first, so an enable ramps straight to it. */
	if (!err && tb[OIO_A_LASER_BIAS_SET])
		err = oio_set_laser_bias(od, l,
					 nla_get_u32(tb[OIO_A_LASER_BIAS_SET]));
	if (!err && tb[OIO_A_LASER_ENABLE]) {
		err = oio_set_laser_enable(od, l,
					   nla_get_u8(tb[OIO_A_LASER_ENABLE]));
		if (err == -EBUSY)
			NL_SET_ERR_MSG(info->extack, "interlock open");
	}
	if (!err)
		oio_nl_notify(od, OIO_CMD_LASER_CHANGE_NTF, l);
out:
	up_read(&oio_cards_sem);
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
	struct oio_dev *od;
	unsigned int n;
	int err;

	down_read(&oio_cards_sem);
	err = oio_nl_target(info, OIO_LANE, &od, &n) ?:
	      oio_nl_something(info, tb[OIO_A_LANE_REQUEST] ||
			       tb[OIO_A_LANE_PRBS_GENERATOR] ||
			       tb[OIO_A_LANE_PRBS_CHECKER] ||
			       tb[OIO_A_LANE_ALARMS]);
	if (err)
		goto out;
	if (tb[OIO_A_LANE_ALARMS])
		err = oio_alarm_clear(od, OIO_LANE_REG(n, OIO_LANE_ALARM),
				      OIO_LANE_REG(n, OIO_LANE_ALARM_MASK),
				      nla_get_u32(tb[OIO_A_LANE_ALARMS]));
	if (!err && (tb[OIO_A_LANE_PRBS_GENERATOR] ||
		     tb[OIO_A_LANE_PRBS_CHECKER])) {
		u32 set = 0, clear = 0;

		oio_nl_bit(tb[OIO_A_LANE_PRBS_GENERATOR], OIO_PRBS_GEN,
			   &set, &clear);
		oio_nl_bit(tb[OIO_A_LANE_PRBS_CHECKER], OIO_PRBS_CHECK,
			   &set, &clear);
		err = oio_set_prbs(od, n, set, clear);
	}
	if (!err && tb[OIO_A_LANE_REQUEST]) {
		err = oio_lane_request(od, n,
				       nla_get_u32(tb[OIO_A_LANE_REQUEST]));
		if (err == -EBUSY)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[OIO_A_LANE_REQUEST],
					    "not allowed in the lane's state");
	}
out:
	up_read(&oio_cards_sem);
	return oio_nl_errno(info, err);
}

int oio_nl_ring_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct oio_dev *od;
	unsigned int r;
	int err;

	down_read(&oio_cards_sem);
	err = oio_nl_target(info, OIO_RING, &od, &r) ?:
	      oio_nl_something(info, tb[OIO_A_RING_HEATER] ||
			       tb[OIO_A_RING_LOCK]);
	if (err)
		goto out;
	if (tb[OIO_A_RING_HEATER]) {
		err = oio_set_heater(od, r, nla_get_u32(tb[OIO_A_RING_HEATER]));
		if (err == -EBUSY)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[OIO_A_RING_HEATER],
					    "the lock loop owns the heater");
	}
	if (!err && tb[OIO_A_RING_LOCK])
		err = oio_set_lock(od, r, nla_get_u8(tb[OIO_A_RING_LOCK]));
out:
	up_read(&oio_cards_sem);
	return oio_nl_errno(info, err);
}

/* ---- notifications and the registry ---- */

/**
 * oio_nl_notify() - tell the monitor group an object changed
 * @od: the card
 * @cmd: an OIO_CMD_*_NTF
 * @index: the laser line, lane or ring; unused for card events
 *
 * Context: process; takes @od->lock, so must not be called with it held.
 */
void oio_nl_notify(struct oio_dev *od, u8 cmd, unsigned int index)
{
	enum oio_obj obj;
	struct sk_buff *msg;

	switch (cmd) {
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
	if (!genl_has_listeners(oio_nl_fam(), &init_net, OIO_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (oio_put_msg(msg, od, obj, index, cmd, 0, 0, 0)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(oio_nl_fam(), msg, 0, OIO_NLGRP_MONITOR, GFP_KERNEL);
}

/**
 * oio_nl_card_add() - publish a card to netlink and announce it
 * @od: the card, fully set up
 *
 * Context: probe.
 * Return: 0 or -ENOMEM / -EBUSY.
 */
int oio_nl_card_add(struct oio_dev *od)
{
	int err;

	down_write(&oio_cards_sem);
	err = xa_insert(&oio_cards, od->id, od, GFP_KERNEL);
	up_write(&oio_cards_sem);
	if (!err)
		oio_nl_notify(od, OIO_CMD_CARD_ADD_NTF, 0);
	return err;
}

/**
 * oio_nl_card_remove() - announce a card leaving, and unpublish it
 * @od: the card
 *
 * Context: remove; waits for requests using the card to finish.
 */
void oio_nl_card_remove(struct oio_dev *od)
{
	oio_nl_notify(od, OIO_CMD_CARD_DELETE_NTF, 0);
	down_write(&oio_cards_sem);
	xa_erase(&oio_cards, od->id);
	up_write(&oio_cards_sem);
}

/* ---- telemetry and sweeps ---- */

/* DMA blocks are little-endian; every field sits on a 4-byte boundary. */
static u32 blk32(const u8 *p, u32 off)
{
	return le32_to_cpup((const __le32 *)(p + off));
}

static int oio_put_telem_laser(struct sk_buff *msg, const u8 *p, u32 l)
{
	struct nlattr *nest = nla_nest_start(msg, OIO_A_TELEMETRY_LASER);

	if (!nest ||
	    nla_put_u32(msg, OIO_A_LASER_LINE, l) ||
	    nla_put_u8(msg, OIO_A_LASER_ENABLE,
		       !!(blk32(p, OIO_TELEM_LASER_CTRL) & OIO_LASER_ENABLE)) ||
	    nla_put_u32(msg, OIO_A_LASER_BIAS_SET,
			blk32(p, OIO_TELEM_LASER_BIAS_SET)) ||
	    nla_put_u32(msg, OIO_A_LASER_BIAS, blk32(p, OIO_TELEM_LASER_BIAS)) ||
	    nla_put_u32(msg, OIO_A_LASER_POWER, blk32(p, OIO_TELEM_LASER_POWER)) ||
	    nla_put_s32(msg, OIO_A_LASER_TEMP,
			(s32)blk32(p, OIO_TELEM_LASER_TEMP)) ||
	    nla_put_u32(msg, OIO_A_LASER_STATUS,
			blk32(p, OIO_TELEM_LASER_STATUS)) ||
	    nla_put_u32(msg, OIO_A_LASER_ALARMS, blk32(p, OIO_TELEM_LASER_ALARM)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int oio_put_telem_lane(struct sk_buff *msg, const u8 *p, u32 n,
			      u32 port)
{
	struct nlattr *nest = nla_nest_start(msg, OIO_A_TELEMETRY_LANE);
	u32 st = blk32(p, OIO_TELEM_LANE_STATE);
	u32 prbs = blk32(p, OIO_TELEM_LANE_PRBS_CTRL);
	u64 bits = (u64)blk32(p, OIO_TELEM_LANE_BITS_HI) << 32 |
		   blk32(p, OIO_TELEM_LANE_BITS_LO);
	u64 errs = (u64)blk32(p, OIO_TELEM_LANE_ERR_HI) << 32 |
		   blk32(p, OIO_TELEM_LANE_ERR_LO);

	if (!nest ||
	    nla_put_u32(msg, OIO_A_LANE_LANE, n) ||
	    nla_put_u32(msg, OIO_A_LANE_PORT, port) ||
	    nla_put_u32(msg, OIO_A_LANE_STATE, st & OIO_LANE_STATE_MASK) ||
	    nla_put_u32(msg, OIO_A_LANE_REASON,
			FIELD_GET(OIO_LANE_REASON_MASK, st)) ||
	    nla_put_u8(msg, OIO_A_LANE_PRBS_GENERATOR, !!(prbs & OIO_PRBS_GEN)) ||
	    nla_put_u8(msg, OIO_A_LANE_PRBS_CHECKER, !!(prbs & OIO_PRBS_CHECK)) ||
	    nla_put_u64_64bit(msg, OIO_A_LANE_PRBS_BITS, bits, OIO_A_LANE_PAD) ||
	    nla_put_u64_64bit(msg, OIO_A_LANE_PRBS_ERRORS, errs,
			      OIO_A_LANE_PAD) ||
	    nla_put_u32(msg, OIO_A_LANE_ALARMS, blk32(p, OIO_TELEM_LANE_ALARM)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int oio_put_telem_ring(struct sk_buff *msg, const u8 *p, u32 r)
{
	struct nlattr *nest = nla_nest_start(msg, OIO_A_TELEMETRY_RING);
	u32 lock = blk32(p, OIO_TELEM_RING_LOCK);

	if (!nest ||
	    nla_put_u32(msg, OIO_A_RING_RING, r) ||
	    nla_put_u32(msg, OIO_A_RING_HEATER, blk32(p, OIO_TELEM_RING_HEATER)) ||
	    nla_put_u32(msg, OIO_A_RING_HEATER_POWER,
			blk32(p, OIO_TELEM_RING_HEATER_UW)) ||
	    nla_put_u32(msg, OIO_A_RING_MONITOR,
			blk32(p, OIO_TELEM_RING_MONITOR)) ||
	    nla_put_u8(msg, OIO_A_RING_LOCK, !!(lock >> 16 & OIO_LOCK_ENABLE)) ||
	    nla_put_u32(msg, OIO_A_RING_LOCK_STATE, lock & OIO_LOCK_ST_MASK) ||
	    nla_put_u8(msg, OIO_A_RING_AT_LIMIT, !!(lock & OIO_LOCK_AT_LIMIT)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Turn the card's block into the reply; the block's layout stays inside. */
static int oio_put_telemetry(struct sk_buff *msg, struct oio_dev *od,
			     u32 parts)
{
	const u8 *p = od->telem_buf.cpu;
	u64 t = (u64)blk32(p, OIO_TELEM_HDR_TIME_NS_HI) << 32 |
		blk32(p, OIO_TELEM_HDR_TIME_NS_LO);
	unsigned int i;

	if (blk32(p, OIO_TELEM_HDR_MAGIC) != OIO_TELEM_MAGIC)
		return -EIO;
	if (nla_put_u32(msg, OIO_A_TELEMETRY_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_SEQ, blk32(p, OIO_TELEM_HDR_SEQ)) ||
	    nla_put_u64_64bit(msg, OIO_A_TELEMETRY_TIME, t,
			      OIO_A_TELEMETRY_PAD) ||
	    nla_put_s32(msg, OIO_A_TELEMETRY_TEMP,
			(s32)blk32(p, OIO_TELEM_HDR_CARD_TEMP)) ||
	    nla_put_u32(msg, OIO_A_TELEMETRY_ALARMS,
			blk32(p, OIO_TELEM_HDR_CARD_ALARM)))
		return -EMSGSIZE;
	p += OIO_TELEM_HDR_SIZE;
	for (i = 0; i < od->wavelengths; i++, p += OIO_TELEM_LASER_SIZE)
		if ((parts & OIO_TELEMETRY_PARTS_LASERS) &&
		    oio_put_telem_laser(msg, p, i))
			return -EMSGSIZE;
	for (i = 0; i < od->lanes; i++, p += OIO_TELEM_LANE_SIZE)
		if ((parts & OIO_TELEMETRY_PARTS_LANES) &&
		    oio_put_telem_lane(msg, p, i, i / od->wavelengths))
			return -EMSGSIZE;
	for (i = 0; i < od->rings; i++, p += OIO_TELEM_RING_SIZE)
		if ((parts & OIO_TELEMETRY_PARTS_RINGS) &&
		    oio_put_telem_ring(msg, p, i))
			return -EMSGSIZE;
	return 0;
}

/* Room for a whole card: about 100 bytes per laser, lane and ring nest. */
static size_t oio_telem_msg_size(struct oio_dev *od)
{
	return 1024 + 128 * (od->wavelengths + od->lanes + od->rings);
}

int oio_nl_telemetry_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 parts = OIO_TELEMETRY_PARTS_LASERS | OIO_TELEMETRY_PARTS_LANES |
		    OIO_TELEMETRY_PARTS_RINGS;
	struct sk_buff *msg = NULL;
	struct oio_dev *od;
	void *hdr;
	int err;

	if (info->attrs[OIO_A_TELEMETRY_PARTS])
		parts = nla_get_u32(info->attrs[OIO_A_TELEMETRY_PARTS]);
	down_read(&oio_cards_sem);
	od = oio_nl_card(info, OIO_A_TELEMETRY_CARD_ID);
	err = PTR_ERR_OR_ZERO(od);
	if (err)
		goto out;
	msg = genlmsg_new(oio_telem_msg_size(od), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, oio_nl_fam(), 0,
				OIO_CMD_TELEMETRY_GET);
	mutex_lock(&od->lock);
	err = hdr ? oio_telemetry_snapshot(od) : -EMSGSIZE;
	if (!err)
		err = oio_put_telemetry(msg, od, parts);
	mutex_unlock(&od->lock);
	if (err == -ETIMEDOUT)
		NL_SET_ERR_MSG(info->extack,
			       "card did not answer (firmware hung?)");
	if (err)
		goto out;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	msg = NULL;
out:
	up_read(&oio_cards_sem);
	nlmsg_free(msg);
	return oio_nl_errno(info, err);
}

/* A reply must fit a default socket buffer: callers split bigger sweeps. */
#define OIO_TRACE_MAX_BYTES	(60 * 1024)

static int oio_sweep_params(struct genl_info *info, struct oio_dev *od,
			    struct oio_sweep_params *p)
{
	struct nlattr **tb = info->attrs;
	u32 points, r;

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
	if (p->first >= od->rings || p->count > od->rings - p->first) {
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
	points = (p->stop - p->start) / p->step + 1;
	if (4ull * p->swept * points > OIO_TRACE_MAX_BYTES) {
		NL_SET_ERR_MSG(info->extack,
			       "trace above 60 KiB: sweep fewer rings or points");
		return -EMSGSIZE;
	}
	return 0;
}

/* The sweep's reply and its event: the run's parameters and the trace. */
static int oio_put_sweep(struct sk_buff *msg, struct oio_dev *od,
			 const struct oio_sweep_params *p, u32 points)
{
	const u8 *blk = od->sweep_buf.cpu;
	struct nlattr *a;
	u32 i, r, *v;

	if (nla_put_u32(msg, OIO_A_SWEEP_CARD_ID, od->id) ||
	    nla_put_u32(msg, OIO_A_SWEEP_FIRST_RING, p->first) ||
	    nla_put_u32(msg, OIO_A_SWEEP_RING_COUNT, p->swept) ||
	    nla_put_u32(msg, OIO_A_SWEEP_START, p->start) ||
	    nla_put_u32(msg, OIO_A_SWEEP_STEP, p->step) ||
	    nla_put_u32(msg, OIO_A_SWEEP_POINTS, points) ||
	    nla_put_u32(msg, OIO_A_SWEEP_POSITIONS, p->positions) ||
	    nla_put_s32(msg, OIO_A_SWEEP_TEMP,
			(s32)blk32(blk, OIO_SWEEP_HDR_TEMP)))
		return -EMSGSIZE;
	a = nla_reserve(msg, OIO_A_SWEEP_RINGS, 4 * p->swept);
	if (!a)
		return -EMSGSIZE;
	v = nla_data(a);
	for (r = p->first, i = 0; r < p->first + p->count; r++)
		if (p->positions & BIT(r / 2 % od->wavelengths))
			v[i++] = r;
	a = nla_reserve(msg, OIO_A_SWEEP_TRACE, 4 * p->swept * points);
	if (!a)
		return -EMSGSIZE;
	v = nla_data(a);
	for (i = 0; i < p->swept * points; i++)
		v[i] = blk32(blk, OIO_SWEEP_HDR_SIZE + 4 * i);
	return 0;
}

/* Context: caller holds @od->lock. */
static void oio_notify_sweep(struct oio_dev *od,
			     const struct oio_sweep_params *p, u32 points)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(oio_nl_fam(), &init_net, OIO_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(1024 + 4 * p->swept * (points + 1), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, oio_nl_fam(), 0, OIO_CMD_SWEEP_DONE_NTF);
	if (!hdr || oio_put_sweep(msg, od, p, points)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(oio_nl_fam(), msg, 0, OIO_NLGRP_MONITOR, GFP_KERNEL);
}

int oio_nl_sweep_run_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct oio_sweep_params p;
	struct sk_buff *msg = NULL;
	struct oio_dev *od;
	u32 points;
	void *hdr;
	int err;

	down_read(&oio_cards_sem);
	od = oio_nl_card(info, OIO_A_SWEEP_CARD_ID);
	err = PTR_ERR_OR_ZERO(od) ?: oio_sweep_params(info, od, &p);
	if (err)
		goto out;
	points = (p.stop - p.start) / p.step + 1;
	msg = genlmsg_new(1024 + 4 * p.swept * (points + 1), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, oio_nl_fam(), 0, OIO_CMD_SWEEP_RUN);
	mutex_lock(&od->lock);
	err = hdr ? oio_sweep(od, &p) : -EMSGSIZE;
	if (!err)
		err = oio_put_sweep(msg, od, &p, points);
	if (!err)
		oio_notify_sweep(od, &p, points);
	mutex_unlock(&od->lock);
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack,
			       "a ring of the run has its lock loop on");
	else if (err == -ETIMEDOUT)
		NL_SET_ERR_MSG(info->extack,
			       "card did not finish the sweep (firmware hung?)");
	if (err)
		goto out;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	msg = NULL;
out:
	up_read(&oio_cards_sem);
	nlmsg_free(msg);
	return oio_nl_errno(info, err);
}
