// SPDX-License-Identifier: GPL-2.0-only
/*
 * A raw generic netlink client for the guest tests; see nlraw.h.
 */
#include "nlraw.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../include/uapi/linux/oio.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nlattr *nla_next_ptr(struct nlattr *a)
{
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

void nlraw_parse(struct nlattr **tb, void *data, int len)
{
	struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * NLRAW_MAXATTR);
	while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) < NLRAW_MAXATTR)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = nla_next_ptr(a);
	}
}

void nlraw_parse_msg(struct nlattr **tb, struct nlmsghdr *h)
{
	nlraw_parse(tb, (char *)h + NLMSG_HDRLEN + GENL_HDRLEN,
		    (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v = 0xdeadbeef;

	if (a && nla_plen(a) >= 4)
		memcpy(&v, nla_payload(a), 4);
	return v;
}

uint64_t nla_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && nla_plen(a) >= 8)
		memcpy(&v, nla_payload(a), 8);
	return v;
}

uint8_t nla_u8(const struct nlattr *a)
{
	return a && nla_plen(a) >= 1 ? *(uint8_t *)nla_payload(a) : 0xee;
}

const char *nla_str(const struct nlattr *a)
{
	return a ? (const char *)nla_payload(a) : "";
}

void nlraw_req(struct nlraw *nl, struct nlreq *r, int cmd, int flags)
{
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = nl->family;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->nlh.nlmsg_seq = ++nl->seq;
	g = NLMSG_DATA(&r->nlh);
	g->cmd = cmd;
	g->version = 1;
}

void nlraw_put(struct nlreq *r, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)(r->buf +
					     NLMSG_ALIGN(r->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

void nlraw_put_u32(struct nlreq *r, int type, uint32_t v)
{
	nlraw_put(r, type, &v, 4);
}

void nlraw_put_u8(struct nlreq *r, int type, uint8_t v)
{
	nlraw_put(r, type, &v, 1);
}

void nlreply_init(struct nlreply *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->first = malloc(NLRAW_MSG_MAX);
}

void nlreply_free(struct nlreply *rep)
{
	free(rep->first);
	rep->first = NULL;
}

void nlraw_xfer(struct nlraw *nl, struct nlreq *r, struct nlreply *rep)
{
	static char buf[NLRAW_MSG_MAX];
	char *first = rep->first;
	int done = 0;

	memset(rep, 0, sizeof(*rep));
	rep->first = first;
	if (send(nl->fd, r->buf, r->nlh.nlmsg_len, 0) < 0) {
		rep->err = -errno;
		return;
	}
	while (!done) {
		int len = recv(nl->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0) {
			rep->err = -errno;
			return;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				if (h->nlmsg_len >= NLMSG_LENGTH(4) &&
				    *(int *)NLMSG_DATA(h) < 0)
					rep->err = *(int *)NLMSG_DATA(h);
				done = 1;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				struct nlattr *tb[NLRAW_MAXATTR];
				int off = NLMSG_HDRLEN + sizeof(*e);

				rep->err = e->error;
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len -
						       NLMSG_HDRLEN;
					nlraw_parse(tb, (char *)h + off,
						    (int)h->nlmsg_len - off);
					snprintf(rep->msg, sizeof(rep->msg), "%s",
						 nla_str(tb[NLMSGERR_ATTR_MSG]));
					if (tb[NLMSGERR_ATTR_MISS_TYPE])
						rep->miss_type =
						  nla_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
				}
				done = 1;
			} else if (!rep->count++ && rep->first) {
				memcpy(rep->first, h, h->nlmsg_len);
				nlraw_parse_msg(rep->tb,
						(struct nlmsghdr *)rep->first);
			}
		}
	}
}

static int ctrl_resolve(struct nlraw *nl)
{
	struct nlattr *g, *grp[NLRAW_MAXATTR];
	struct nlreply rep;
	struct nlreq r;
	int left;

	nlreply_init(&rep);
	memset(&r, 0, sizeof(r));
	r.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.nlh.nlmsg_type = GENL_ID_CTRL;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.nlh.nlmsg_seq = ++nl->seq;
	((struct genlmsghdr *)NLMSG_DATA(&r.nlh))->cmd = CTRL_CMD_GETFAMILY;
	((struct genlmsghdr *)NLMSG_DATA(&r.nlh))->version = 1;
	nlraw_put(&r, CTRL_ATTR_FAMILY_NAME, OIO_FAMILY_NAME,
		  strlen(OIO_FAMILY_NAME) + 1);
	nlraw_xfer(nl, &r, &rep);
	if (rep.err || !rep.tb[CTRL_ATTR_FAMILY_ID]) {
		left = rep.err ? rep.err : -ENOENT;
		nlreply_free(&rep);
		return left;
	}
	nl->family = *(uint16_t *)nla_payload(rep.tb[CTRL_ATTR_FAMILY_ID]);
	g = rep.tb[CTRL_ATTR_MCAST_GROUPS];
	left = g ? nla_plen(g) : 0;
	for (g = g ? (struct nlattr *)nla_payload(g) : NULL; g && left > 0;
	     left -= NLA_ALIGN(g->nla_len), g = nla_next_ptr(g)) {
		nlraw_parse(grp, nla_payload(g), nla_plen(g));
		if (!strcmp(nla_str(grp[CTRL_ATTR_MCAST_GRP_NAME]),
			    OIO_MCGRP_MONITOR))
			nl->monitor = nla_u32(grp[CTRL_ATTR_MCAST_GRP_ID]);
	}
	nlreply_free(&rep);
	return nl->monitor ? 0 : -ENOENT;
}

int nlraw_open(struct nlraw *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, size = 16 << 20;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	/* An unbound socket gets no multicast: bind to a kernel-chosen id. */
	if (nl->fd < 0 || bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (nl->fd >= 0)
			close(nl->fd);
		nl->fd = -1;
		return -errno;
	}
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* root may pass rmem_max: event floods of the stress tests fit */
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return ctrl_resolve(nl);
}

void nlraw_close(struct nlraw *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int nlraw_subscribe(struct nlraw *nl)
{
	int grp = nl->monitor;

	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			  sizeof(grp)) ? -errno : 0;
}

int nlraw_event(struct nlraw *nl, char *buf, int ms)
{
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };

	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		int len, r = poll(&p, 1, ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		len = recv(nl->fd, buf, NLRAW_MSG_MAX, MSG_DONTWAIT);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0)
			return -errno;
		if (len >= (int)NLMSG_HDRLEN && h->nlmsg_type == nl->family)
			return ((struct genlmsghdr *)NLMSG_DATA(h))->cmd;
	}
}
