// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: events of the driver's "monitor" multicast group, on a socket of
 * their own so they never mix with a handle's replies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "oio-private.h"

struct oio_monitor {
	struct nl_sock *sk;
	struct nl_cb *cb;
	oio_event_cb user_cb;
	void *user_arg;
	int count;
	int err;
	bool stop;
};

static int oio_on_event(struct nl_msg *msg, void *arg)
{
	struct oio_monitor *mon = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[64] = { NULL };
	struct oio_event ev;
	int maxattr;

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
			  oio_set_of_cmd(gh->cmd)->policy))
		return NL_OK;
	switch (ev.type) {
	case OIO_EVENT_CARD_ADD:
	case OIO_EVENT_CARD_DELETE:
	case OIO_EVENT_CARD_CHANGE:
		oio_parse_card(tb, &ev.card);
		ev.card_id = ev.card.id;
		break;
	case OIO_EVENT_LASER_CHANGE:
		oio_parse_laser(tb, &ev.laser);
		ev.card_id = ev.laser.card_id;
		break;
	case OIO_EVENT_LANE_CHANGE:
		oio_parse_lane(tb, &ev.lane);
		ev.card_id = ev.lane.card_id;
		break;
	case OIO_EVENT_RING_CHANGE:
		oio_parse_ring(tb, &ev.ring);
		ev.card_id = ev.ring.card_id;
		break;
	case OIO_EVENT_PORT_CHANGE:
		oio_parse_port(tb, &ev.port);
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
	}
	mon->count++;
	if (mon->user_cb(&ev, mon->user_arg)) {
		mon->stop = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int oio_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

OIO_API int oio_monitor_open(struct oio_monitor **monp)
{
	struct oio_monitor *mon;
	int grp, err;

	if (!monp)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	err = oio_sock_open(&mon->sk);
	if (err)
		goto fail;
	grp = genl_ctrl_resolve_grp(mon->sk, OIO_FAMILY_NAME,
				    OIO_MCGRP_MONITOR);
	if (grp < 0) {
		err = grp == -NLE_OBJ_NOTFOUND ? -ENOENT : oio_nl_errno(grp);
		goto fail;
	}
	nl_socket_disable_seq_check(mon->sk);
	err = nl_socket_add_membership(mon->sk, grp);
	if (!err)
		err = nl_socket_set_nonblocking(mon->sk);
	if (err) {
		err = oio_nl_errno(err);
		goto fail;
	}
	mon->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!mon->cb) {
		err = -ENOMEM;
		goto fail;
	}
	nl_cb_set(mon->cb, NL_CB_VALID, NL_CB_CUSTOM, oio_on_event, mon);
	/* Events carry no sequence numbers of ours. */
	nl_cb_set(mon->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, oio_no_seq_check, NULL);
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

OIO_API int oio_monitor_dispatch(struct oio_monitor *mon, oio_event_cb cb,
				 void *arg)
{
	int err;

	if (!mon || !cb)
		return -EINVAL;
	mon->user_cb = cb;
	mon->user_arg = arg;
	mon->count = 0;
	mon->stop = false;
	do {
		err = nl_recvmsgs(mon->sk, mon->cb);
	} while (err >= 0 && !mon->stop);
	if (err == -NLE_AGAIN || mon->stop)
		return mon->count;
	if (err == -NLE_NOMEM && errno == ENOBUFS)
		return -ENOBUFS;
	return oio_nl_errno(err);
}
