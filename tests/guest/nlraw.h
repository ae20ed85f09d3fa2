/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A raw generic netlink client for the guest tests of the oio family: no
 * library between the test and the kernel, so a test sees exactly what
 * the kernel sends. One socket per struct nlraw; requests are built in a
 * struct nlreq, replies parsed into attribute tables indexed by type.
 */
#ifndef OIO_TESTS_GUEST_NLRAW_H
#define OIO_TESTS_GUEST_NLRAW_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#define NLRAW_MAXATTR	64
#define NLRAW_MSG_MAX	(256 * 1024)

struct nlraw {
	int fd;
	int family;		/* the oio family's id */
	int monitor;		/* its "monitor" group */
	unsigned int seq;
};

struct nlreq {
	union {
		struct nlmsghdr nlh;
		char buf[4096];
	};
};

struct nlreply {
	int err;			/* 0 or a negative errno */
	char msg[256];			/* extack message */
	int miss_type;			/* extack missing attribute, or 0 */
	int count;			/* messages received */
	struct nlattr *tb[NLRAW_MAXATTR];	/* of the first message */
	char *first;			/* the first message, NLRAW_MSG_MAX */
};

/* Open a socket bound to a kernel-chosen port, resolve family and group. */
int nlraw_open(struct nlraw *nl);
void nlraw_close(struct nlraw *nl);
/* Join the monitor group; events then arrive on nl->fd. */
int nlraw_subscribe(struct nlraw *nl);

void nlraw_req(struct nlraw *nl, struct nlreq *r, int cmd, int flags);
void nlraw_put(struct nlreq *r, int type, const void *data, int len);
void nlraw_put_u32(struct nlreq *r, int type, uint32_t v);
void nlraw_put_u8(struct nlreq *r, int type, uint8_t v);

/*
 * Send and collect until the ack or the end of a dump. rep->first must be
 * NULL or a buffer of NLRAW_MSG_MAX bytes (nlreply_init() gives one).
 */
void nlraw_xfer(struct nlraw *nl, struct nlreq *r, struct nlreply *rep);
void nlreply_init(struct nlreply *rep);
void nlreply_free(struct nlreply *rep);

/* Parse attributes into tb (indexed by type, NLRAW_MAXATTR entries). */
void nlraw_parse(struct nlattr **tb, void *data, int len);
/* The attributes of a generic netlink message. */
void nlraw_parse_msg(struct nlattr **tb, struct nlmsghdr *h);

uint32_t nla_u32(const struct nlattr *a);
uint64_t nla_u64(const struct nlattr *a);
uint8_t nla_u8(const struct nlattr *a);
const char *nla_str(const struct nlattr *a);
static inline void *nla_payload(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}
static inline int nla_plen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/*
 * Wait up to ms for the next message of the family on a subscribed socket;
 * buf holds NLRAW_MSG_MAX bytes. Returns its command, 0 on timeout, or a
 * negative errno (-ENOBUFS if events were lost).
 */
int nlraw_event(struct nlraw *nl, char *buf, int ms);

#endif /* OIO_TESTS_GUEST_NLRAW_H */
