/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio internals shared between its files; nothing here is exported.
 *
 * Names: oio_ is the public API's namespace (liboio.h, <linux/oio.h>);
 * what the library keeps to itself, in lib/ and its private headers, is
 * named lio_ ("liboio internal"), so that no private name can be taken
 * for, or collide with, a public one. scripts/rename-private.sh renames
 * any oio_ helper a change brings in, and check-lib-abi.sh fails on one.
 */
#ifndef OIO_PRIVATE_H
#define OIO_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "liboio.h"
#include "oio-api.h"
#include "oio-policy.h"

/* The driver's limit on the trace in one sweep reply. */
#define OIO_SWEEP_REPLY_MAX	(60 * 1024)

#define OIO_ERRMSG_SIZE	256

/* Cards whose /dev/oioN a handle keeps open: the first this many. */
#define LIO_DEV_FDS	64
/* devfd[]: not open; dev_after[] says when to try to open it again */
#define LIO_DEV_NONE	(-1)
/* a node that would not open (udev not done, card probing): retry after */
#define LIO_DEV_RETRY_MS	1000

struct oio_ctx {
	pthread_mutex_t lock;	/* serialises transactions on sk, errmsg */
	struct nl_sock *sk;
	int family;
	char errmsg[OIO_ERRMSG_SIZE];	/* the kernel's text for the last failure */
	void *rx;		/* receive buffer, grown to the largest reply */
	size_t rx_size;
	/* the driver it was opened on is gone: every call -EIDRM (lock) */
	bool gone;
	/* OIO_CTX_DEVNODE: /dev/oioN of card N, or LIO_DEV_NONE (lock) */
	bool use_dev;
	int devfd[LIO_DEV_FDS];
	uint64_t dev_after[LIO_DEV_FDS];	/* CLOCK_MONOTONIC ms */
	/*
	 * oio_ctx_cancel() calls so far: a run stops when the count moves
	 * from what it was when the run began. A count, not a flag, so that
	 * no run has to reset it under another's feet; lock-free, so that a
	 * signal handler may move it.
	 */
	atomic_uint cancels;
};

_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
	       "oio_ctx_cancel() must be async-signal-safe");

/*
 * Called for each reply message; tb is indexed by the set's attributes,
 * nlh is the message for repeated attributes.
 */
typedef int (*oio_reply_fn)(struct nlmsghdr *nlh, struct nlattr **tb,
			    void *arg);

struct nl_msg *lio_msg_new(struct oio_ctx *ctx, uint8_t cmd, bool dump);
/*
 * Send msg (always consumed), read every reply up to the ack or the end of
 * the dump, check each against set's policy and pass it to fn. Returns 0
 * or a negative errno; the kernel's extack message, or what was wrong with
 * its reply (-EPROTO), lands in ctx->errmsg.
 */
int lio_xfer(struct oio_ctx *ctx, struct nl_msg *msg,
	     const struct oio_attr_set *set, oio_reply_fn fn, void *arg);
int lio_nl_errno(int nlerr);
int lio_family_check(struct oio_ctx *ctx, int err);
/* Close the handle's /dev/oioN nodes; ctx->lock held (telemetry.c). */
void lio_dev_close_all(struct oio_ctx *ctx);
/*
 * A telemetry snapshot into this library's struct oio_telemetry: what
 * oio_telemetry_get_parts() and oio_snapshot_read() both are.
 */
int lio_telemetry_read(struct oio_ctx *ctx, uint32_t card,
		       unsigned int parts, struct oio_telemetry *out);
/*
 * One datagram into ctx->rx, grown to fit; caller holds ctx->lock. A
 * kernel silent for the socket's timeout is -ETIMEDOUT, said in errmsg.
 */
ssize_t lio_recv(struct oio_ctx *ctx);
/* The kernel's extack message of an NLMSG_ERROR into ctx->errmsg. */
void lio_extack(struct oio_ctx *ctx, const struct nlmsghdr *nlh);
/* The library's own explanation of a failure, for oio_ctx_errmsg(). */
void lio_ctx_set_err(struct oio_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Open a generic netlink socket with a receive buffer for big replies. */
int lio_sock_open(struct nl_sock **skp);
/* A receive timeout on sk: a handle's replies, not a monitor's events. */
int lio_sock_set_timeout(struct nl_sock *sk, unsigned int ms);

/* Attribute sets to the public structs (objects.c). */
void lio_parse_card(struct nlattr **tb, struct oio_card_info *c);
void lio_parse_port(struct nlattr **tb, struct oio_port_info *p);
void lio_parse_laser(struct nlattr **tb, struct oio_laser_info *l);
void lio_parse_lane(struct nlattr **tb, struct oio_lane_info *l);
void lio_parse_ring(struct nlattr **tb, struct oio_ring_info *r);

/* Set requests, built for lio_batch_add() or sent one by one. */
struct nl_msg *lio_msg_lane_set(struct oio_ctx *ctx, uint32_t card,
				uint32_t lane, enum oio_lane_request req,
				int generator, int checker);
struct nl_msg *lio_msg_ring_heater(struct oio_ctx *ctx, uint32_t card,
				   uint32_t ring, uint32_t code);
struct nl_msg *lio_msg_ring_lock(struct oio_ctx *ctx, uint32_t card,
				 uint32_t ring, bool lock);

/*
 * Many set requests in one datagram, acknowledged once: the kernel runs
 * them in order and answers only the last and any that fail. Requests
 * after one the kernel refused still run; lio_batch_run() returns the
 * first error. A request that could not be built (NULL to
 * lio_batch_add()) sends nothing more: the batch is incomplete.
 */
#define OIO_BATCH_MAX	256

struct oio_batch {
	struct oio_ctx *ctx;
	struct nl_msg *msg[OIO_BATCH_MAX];
	unsigned int n;
	int err;		/* first request that could not be built */
	int kerr;		/* first refusal of a datagram already sent */
};

void lio_batch_init(struct oio_batch *b, struct oio_ctx *ctx);
/* Takes msg (NULL counts as -ENOMEM); runs the batch first when full. */
void lio_batch_add(struct oio_batch *b, struct nl_msg *msg);
int lio_batch_run(struct oio_batch *b);
/* Requests queued and never run: freed, unsent. */
void lio_batch_discard(struct oio_batch *b);

/*
 * The writer lock of a card (cardlock.h) for a run on ctx, by the card's
 * PCI address and serial number from info, or with info NULL from its id
 * (its sysfs device, or the driver if sysfs does not have it). The reason
 * for a refusal goes to oio_ctx_errmsg(). Release with cardlock_drop().
 */
struct cardlock;
int ctx_card_lock(struct oio_ctx *ctx, uint32_t card,
		  const struct oio_card_info *info, struct cardlock *lk);

/* oio_sweep_run() for a run that holds the card's lock already. */
int sweep_run_held(struct oio_ctx *ctx, uint32_t card,
		   const struct oio_sweep_req *req, struct oio_sweep **out);

/* A growable array for dumps. */
struct oio_vec {
	void *items;
	size_t n, cap, size;
};

void *lio_vec_push(struct oio_vec *v);

#endif /* OIO_PRIVATE_H */
