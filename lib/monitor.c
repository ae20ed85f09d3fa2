// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: events of the driver's "monitor" multicast group, on a socket of
 * their own so they never mix with a handle's replies. The socket also
 * hears the genl controller's "notify" group: a module reload unregisters
 * the family, which ends every membership of its groups, and registers it
 * again under ids that may differ, so the monitor joins it anew.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "oio-private.h"

struct oio_monitor {
	struct nl_sock *sk;
	struct nl_cb *cb;
	oio_event_cb user_cb;
	void *user_arg;
	int family;	/* -1 while the driver is gone */
	int grp;
	int count;
	int err;
	bool stop;
	/* a callback stopped at DRIVER_GONE of a reload seen whole */
	bool back_pending;
	/* 0.1.0's callers were never told of the driver's leaving */
	bool v1;
};

static int lio_deliver(struct oio_monitor *mon, const struct oio_event *ev)
{
	if (mon->v1 && (ev->type == OIO_EVENT_DRIVER_GONE ||
			ev->type == OIO_EVENT_DRIVER_BACK))
		return NL_OK;
	mon->count++;
	if (mon->user_cb(ev, mon->user_arg)) {
		mon->stop = true;
		return NL_STOP;
	}
	return NL_OK;
}

static const struct nla_policy lio_ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
	[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING, .maxlen = GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GROUPS] = { .type = NLA_NESTED },
};

static const struct nla_policy lio_grp_policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME] = { .type = NLA_STRING,
				       .maxlen = GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GRP_ID] = { .type = NLA_U32 },
};

/* The monitor group's id among a family's groups, or -ENOENT. */
static int lio_find_grp(struct nlattr *groups)
{
	struct nlattr *g, *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int rem;

	if (!groups)
		return -ENOENT;
	nla_for_each_nested(g, groups, rem) {
		if (nla_parse_nested(tb, CTRL_ATTR_MCAST_GRP_MAX, g,
				     lio_grp_policy))
			continue;
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !nla_strcmp(tb[CTRL_ATTR_MCAST_GRP_NAME], OIO_MCGRP_MONITOR))
			return (int)nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return -ENOENT;
}

/*
 * Move the monitor to the family's ids (family < 0: it is gone), and say
 * so. The membership changes first, so a callback that stops at
 * DRIVER_GONE does not leave the monitor deaf.
 */
static int lio_follow(struct oio_monitor *mon, int family, int grp)
{
	bool was = mon->grp >= 0;
	struct oio_event ev;
	int err;

	if (family == mon->family && grp == mon->grp)
		return NL_OK;
	/* the kernel has dropped it already, unless only events were lost */
	if (was)
		nl_socket_drop_membership(mon->sk, mon->grp);
	mon->grp = -1;
	mon->family = -1;
	if (family >= 0) {
		err = nl_socket_add_membership(mon->sk, grp);
		if (err) {
			mon->err = lio_nl_errno(err);
		} else {
			mon->grp = grp;
			mon->family = family;
		}
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = OIO_EVENT_DRIVER_GONE;
	if (was && lio_deliver(mon, &ev) == NL_STOP) {
		/* the next dispatch says it came back */
		mon->back_pending = family >= 0 && !mon->err;
		return NL_STOP;
	}
	if (mon->err)
		return NL_STOP;
	ev.type = OIO_EVENT_DRIVER_BACK;
	return family >= 0 ? lio_deliver(mon, &ev) : NL_OK;
}

static int lio_on_ctrl(struct oio_monitor *mon, struct nlmsghdr *nlh)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int family, grp;

	if (gh->cmd != CTRL_CMD_NEWFAMILY && gh->cmd != CTRL_CMD_DELFAMILY)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, lio_ctrl_policy) ||
	    !tb[CTRL_ATTR_FAMILY_NAME] || !tb[CTRL_ATTR_FAMILY_ID] ||
	    nla_strcmp(tb[CTRL_ATTR_FAMILY_NAME], OIO_FAMILY_NAME))
		return NL_OK;
	family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (gh->cmd == CTRL_CMD_DELFAMILY)
		/* one that an overflow made us follow already is stale */
		return family == mon->family ? lio_follow(mon, -1, -1) : NL_OK;
	grp = lio_find_grp(tb[CTRL_ATTR_MCAST_GROUPS]);
	if (grp < 0) {
		mon->err = grp;
		return NL_STOP;
	}
	return lio_follow(mon, family, grp);
}

/*
 * After an overflow the family's leaving or return may be among what was
 * lost: ask the controller where it is now, on a socket of its own.
 */
static void lio_resync(struct oio_monitor *mon)
{
	struct nl_sock *sk;
	int family, grp;

	if (lio_sock_open(&sk))
		return;
	family = genl_ctrl_resolve(sk, OIO_FAMILY_NAME);
	grp = genl_ctrl_resolve_grp(sk, OIO_FAMILY_NAME, OIO_MCGRP_MONITOR);
	nl_socket_free(sk);
	if (family == -NLE_OBJ_NOTFOUND || grp == -NLE_OBJ_NOTFOUND)
		lio_follow(mon, -1, -1);
	else if (family >= 0 && grp >= 0)
		lio_follow(mon, family, grp);
}

static int lio_on_event(struct nl_msg *msg, void *arg)
{
	struct oio_monitor *mon = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[64] = { NULL };
	struct oio_event ev;
	int maxattr;

	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_OK;
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return lio_on_ctrl(mon, nlh);
	if (mon->family < 0 || nlh->nlmsg_type != mon->family)
		return NL_OK;
	memset(&ev, 0, sizeof(ev));
	switch (gh->cmd) {
	case OIO_CMD_CARD_ADD_NTF:
	case OIO_CMD_CARD_DELETE_NTF:
	case OIO_CMD_CARD_CHANGE_NTF:
		ev.type = gh->cmd == OIO_CMD_CARD_ADD_NTF ?
			  OIO_EVENT_CARD_ADD :
			  gh->cmd == OIO_CMD_CARD_DELETE_NTF ?
			  OIO_EVENT_CARD_DELETE : OIO_EVENT_CARD_CHANGE;
		maxattr = OIO_A_CARD_MAX;
		break;
	case OIO_CMD_LASER_CHANGE_NTF:
		ev.type = OIO_EVENT_LASER_CHANGE;
		maxattr = OIO_A_LASER_MAX;
		break;
	case OIO_CMD_LANE_CHANGE_NTF:
		ev.type = OIO_EVENT_LANE_CHANGE;
		maxattr = OIO_A_LANE_MAX;
		break;
	case OIO_CMD_RING_CHANGE_NTF:
		ev.type = OIO_EVENT_RING_CHANGE;
		maxattr = OIO_A_RING_MAX;
		break;
	case OIO_CMD_PORT_CHANGE_NTF:
		ev.type = OIO_EVENT_PORT_CHANGE;
		maxattr = OIO_A_PORT_MAX;
		break;
	case OIO_CMD_SWEEP_DONE_NTF:
		ev.type = OIO_EVENT_SWEEP_DONE;
		maxattr = OIO_A_SWEEP_MAX;
		break;
	default:
		/* a newer driver's event: skip it */
		return NL_OK;
	}
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, maxattr,
			  lio_set_of_cmd(gh->cmd)->policy))
		return NL_OK;
	switch (ev.type) {
	case OIO_EVENT_CARD_ADD:
	case OIO_EVENT_CARD_DELETE:
	case OIO_EVENT_CARD_CHANGE:
		lio_parse_card(tb, &ev.card);
		ev.card_id = ev.card.id;
		break;
	case OIO_EVENT_LASER_CHANGE:
		lio_parse_laser(tb, &ev.laser);
		ev.card_id = ev.laser.card_id;
		break;
	case OIO_EVENT_LANE_CHANGE:
		lio_parse_lane(tb, &ev.lane);
		ev.card_id = ev.lane.card_id;
		break;
	case OIO_EVENT_RING_CHANGE:
		lio_parse_ring(tb, &ev.ring);
		ev.card_id = ev.ring.card_id;
		break;
	case OIO_EVENT_PORT_CHANGE:
		lio_parse_port(tb, &ev.port);
		ev.card_id = ev.port.card_id;
		break;
	case OIO_EVENT_SWEEP_DONE:
		if (tb[OIO_A_SWEEP_CARD_ID])
			ev.card_id = nla_get_u32(tb[OIO_A_SWEEP_CARD_ID]);
		if (tb[OIO_A_SWEEP_FIRST_RING])
			ev.sweep.first_ring =
				nla_get_u32(tb[OIO_A_SWEEP_FIRST_RING]);
		if (tb[OIO_A_SWEEP_RING_COUNT])
			ev.sweep.ring_count =
				nla_get_u32(tb[OIO_A_SWEEP_RING_COUNT]);
		if (tb[OIO_A_SWEEP_POINTS])
			ev.sweep.points = nla_get_u32(tb[OIO_A_SWEEP_POINTS]);
		break;
	case OIO_EVENT_DRIVER_GONE:
	case OIO_EVENT_DRIVER_BACK:
		break;
	}
	return lio_deliver(mon, &ev);
}

static int lio_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

OIO_API int oio_monitor_open(struct oio_monitor **monp)
{
	int size = OIO_MONITOR_RCVBUF;
	struct oio_monitor *mon;
	struct nl_sock *tmp;
	int grp, ctrl, fd, err;

	if (!monp)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	err = lio_sock_open(&mon->sk);
	if (err)
		goto fail;
	fd = nl_socket_get_fd(mon->sk);
	/* a burst (link up on eight cards) must not overflow it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* the controller's group first: a reload after it is seen */
	ctrl = genl_ctrl_resolve_grp(mon->sk, "nlctrl", "notify");
	if (ctrl >= 0)
		ctrl = nl_socket_add_membership(mon->sk, ctrl);
	if (ctrl < 0) {
		err = lio_nl_errno(ctrl);
		goto fail;
	}
	/*
	 * On a socket of its own: a notification of any family arriving
	 * meanwhile would break libnl's sequence check on this one.
	 */
	err = lio_sock_open(&tmp);
	if (err)
		goto fail;
	mon->family = genl_ctrl_resolve(tmp, OIO_FAMILY_NAME);
	grp = genl_ctrl_resolve_grp(tmp, OIO_FAMILY_NAME, OIO_MCGRP_MONITOR);
	nl_socket_free(tmp);
	if (mon->family < 0 || grp < 0) {
		err = mon->family < 0 ? mon->family : grp;
		err = err == -NLE_OBJ_NOTFOUND ? -ENOENT : lio_nl_errno(err);
		goto fail;
	}
	nl_socket_disable_seq_check(mon->sk);
	err = nl_socket_add_membership(mon->sk, grp);
	if (!err)
		err = nl_socket_set_nonblocking(mon->sk);
	if (err) {
		err = lio_nl_errno(err);
		goto fail;
	}
	mon->grp = grp;
	mon->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!mon->cb) {
		err = -ENOMEM;
		goto fail;
	}
	nl_cb_set(mon->cb, NL_CB_VALID, NL_CB_CUSTOM, lio_on_event, mon);
	/* Events carry no sequence numbers of ours. */
	nl_cb_set(mon->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, lio_no_seq_check, NULL);
	*monp = mon;
	return 0;
fail:
	nl_socket_free(mon->sk);
	free(mon);
	return err;
}

OIO_API void oio_monitor_close(struct oio_monitor *mon)
{
	if (!mon)
		return;
	nl_cb_put(mon->cb);
	nl_socket_free(mon->sk);
	free(mon);
}

OIO_API int oio_monitor_fd(const struct oio_monitor *mon)
{
	return mon ? nl_socket_get_fd(mon->sk) : -EINVAL;
}

static int lio_dispatch(struct oio_monitor *mon, oio_event_cb cb, void *arg)
{
	int err;

	if (!mon || !cb)
		return -EINVAL;
	mon->user_cb = cb;
	mon->user_arg = arg;
	mon->count = 0;
	mon->stop = false;
	mon->err = 0;
	if (mon->back_pending) {
		struct oio_event ev = { .type = OIO_EVENT_DRIVER_BACK };

		mon->back_pending = false;
		if (lio_deliver(mon, &ev) == NL_STOP)
			return mon->count;
	}
	do {
		err = nl_recvmsgs(mon->sk, mon->cb);
	} while (err >= 0 && !mon->stop && !mon->err);
	if (mon->err)
		return mon->err;
	if (err == -NLE_AGAIN || mon->stop)
		return mon->count;
	if (err == -NLE_NOMEM && errno == ENOBUFS) {
		lio_resync(mon);
		return mon->err ? mon->err : -ENOBUFS;
	}
	return lio_nl_errno(err);
}

OIO_API int oio_monitor_dispatch(struct oio_monitor *mon, oio_event_cb cb,
				 void *arg)
{
	if (mon)
		mon->v1 = false;
	return lio_dispatch(mon, cb, arg);
}

/*
 * 0.1.0's, for the programs built against it: its callers were not told
 * that event types could be added, so the driver's leaving and return,
 * which it follows all the same, are not handed to them.
 */
__asm__(".symver lio_monitor_dispatch_v1, oio_monitor_dispatch@LIBOIO_1");
OIO_API int lio_monitor_dispatch_v1(struct oio_monitor *mon, oio_event_cb cb,
				    void *arg);
OIO_API int lio_monitor_dispatch_v1(struct oio_monitor *mon, oio_event_cb cb,
				    void *arg)
{
	if (mon)
		mon->v1 = true;
	return lio_dispatch(mon, cb, arg);
}
