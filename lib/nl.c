// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the handle and its netlink transactions over libnl-3 genl.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "oio-private.h"

/* A sweep reply carries up to 60 KiB of trace; events can queue behind. */
#define OIO_RCVBUF	(4 << 20)
#define OIO_REQ_SIZE	256
#define OIO_RX_SIZE	8192
/*
 * How long a handle waits for the kernel's next message, in ms. The
 * driver's longest wait is a sweep of 4096 points of 1 ms plus its 1 s
 * command timeout: only a kernel that stopped answering comes to this.
 */
#define OIO_REPLY_TIMEOUT_MS	10000

int lio_nl_errno(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOADDR:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
	case NLE_MSG_TOOSHORT:
		return -EINVAL;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_DUMP_INTR:
		return -EINTR;
	default:
		return -EIO;
	}
}

int lio_sock_open(struct nl_sock **skp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, err;

	if (!sk)
		return -ENOMEM;
	err = genl_connect(sk);
	if (err) {
		nl_socket_free(sk);
		return lio_nl_errno(err);
	}
	nl_socket_set_buffer_size(sk, OIO_RCVBUF, 0);

	/* Without extended acks the kernel's reasons never reach the user. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	*skp = sk;
	return 0;
}

int lio_sock_set_timeout(struct nl_sock *sk, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)))
		return -errno;
	return 0;
}

OIO_API int oio_ctx_new(struct oio_ctx **ctxp, unsigned int flags)
{
	struct oio_ctx *ctx;
	int err;

	if (!ctxp || (flags & ~(OIO_CTX_LOAD_MODULE | OIO_CTX_DEVNODE)))
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	err = lio_sock_open(&ctx->sk);
	if (!err) {
		err = lio_sock_set_timeout(ctx->sk, OIO_REPLY_TIMEOUT_MS);
		if (err)
			nl_socket_free(ctx->sk);
	}
	if (err) {
		free(ctx);
		return err;
	}
	ctx->family = genl_ctrl_resolve(ctx->sk, OIO_FAMILY_NAME);
	if (ctx->family < 0 && (flags & OIO_CTX_LOAD_MODULE)) {
		err = oio_module_load();
		if (!err)
			ctx->family = genl_ctrl_resolve(ctx->sk,
							OIO_FAMILY_NAME);
	}
	if (ctx->family < 0) {
		nl_socket_free(ctx->sk);
		free(ctx);
		return err ? err : -ENOENT;
	}
	ctx->rx_size = OIO_RX_SIZE;
	ctx->rx = malloc(ctx->rx_size);
	if (!ctx->rx) {
		nl_socket_free(ctx->sk);
		free(ctx);
		return -ENOMEM;
	}
	ctx->use_dev = flags & OIO_CTX_DEVNODE;
	for (size_t i = 0; i < LIO_DEV_FDS; i++)
		ctx->devfd[i] = LIO_DEV_NONE;
	pthread_mutex_init(&ctx->lock, NULL);
	atomic_init(&ctx->cancels, 0);
	*ctxp = ctx;
	return 0;
}

OIO_API void oio_ctx_free(struct oio_ctx *ctx)
{
	if (!ctx)
		return;
	nl_socket_free(ctx->sk);
	lio_dev_close_all(ctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->rx);
	free(ctx);
}

OIO_API void oio_ctx_cancel(struct oio_ctx *ctx)
{
	if (ctx)
		atomic_fetch_add(&ctx->cancels, 1);
}

OIO_API void oio_ctx_errmsg(struct oio_ctx *ctx, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	pthread_mutex_lock(&ctx->lock);
	snprintf(buf, len, "%s", ctx->errmsg);
	pthread_mutex_unlock(&ctx->lock);
}

void lio_ctx_set_err(struct oio_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&ctx->lock);
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&ctx->lock);
}

struct nl_msg *lio_msg_new(struct oio_ctx *ctx, uint8_t cmd, bool dump)
{
	/* every request is a few attributes: spare the default page */
	struct nl_msg *msg = nlmsg_alloc_size(OIO_REQ_SIZE);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family,
				0, dump ? NLM_F_DUMP : 0, cmd,
				OIO_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* The extack TLVs follow the error and, unless capped, the request. */
void lio_extack(struct oio_ctx *ctx, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	const struct nlattr *a;
	size_t off = sizeof(*e);
	int rem;

	ctx->errmsg[0] = '\0';
	if (nlmsg_datalen(nlh) < (int)sizeof(*e) ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	rem = (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off);
	a = (const struct nlattr *)((const char *)e + off);
	for (; nla_ok(a, rem); a = nla_next(a, &rem))
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0)
			snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%.*s",
				 nla_len(a), (const char *)nla_data(a));
}

/* A failed recv(): the socket's timeout passing is said in errmsg. */
static ssize_t lio_recv_err(struct oio_ctx *ctx)
{
	struct timeval tv;
	socklen_t sz = sizeof(tv);

	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return -errno;
	if (getsockopt(nl_socket_get_fd(ctx->sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       &sz))
		tv.tv_sec = tv.tv_usec = 0;
	snprintf(ctx->errmsg, sizeof(ctx->errmsg),
		 "no answer from the kernel in %ld ms",
		 (long)tv.tv_sec * 1000 + (long)tv.tv_usec / 1000);
	return -ETIMEDOUT;
}

/*
 * Receive one datagram into the handle's buffer, grown to fit: a sweep
 * reply is tens of KiB, most replies are a few hundred bytes.
 */
ssize_t lio_recv(struct oio_ctx *ctx)
{
	int fd = nl_socket_get_fd(ctx->sk);
	ssize_t len;

	/* The datagram's length, copying none of it. */
	for (;;) {
		len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return lio_recv_err(ctx);
		if ((size_t)len <= ctx->rx_size)
			break;
		{
			void *p = realloc(ctx->rx, len);

			if (!p)
				return -ENOMEM;
			ctx->rx = p;
			ctx->rx_size = len;
		}
	}
	do {
		len = recv(fd, ctx->rx, ctx->rx_size, 0);
	} while (len < 0 && errno == EINTR);
	return len < 0 ? lio_recv_err(ctx) : len;
}

/*
 * A request to a family that was unregistered gets ENOENT from the genl
 * core (EOPNOTSUPP if its id was reused), with no extack: whether the
 * driver went away shows only by resolving the family again. Its id is
 * new if it came back, and this handle's requests then miss it too.
 * Called with ctx->lock held.
 */
int lio_family_check(struct oio_ctx *ctx, int err)
{
	struct nl_sock *sk;
	int family;

	if (ctx->gone) {
		snprintf(ctx->errmsg, sizeof(ctx->errmsg),
			 "the oio driver was unloaded");
		return -EIDRM;
	}
	if (err != -ENOENT && err != -EOPNOTSUPP && err != -EPROTONOSUPPORT)
		return err;
	/* the driver's own refusals say why; the genl core's say nothing */
	if (ctx->errmsg[0])
		return err;
	/*
	 * A socket of its own: libnl's sequence checks know nothing of ours.
	 * It waits no longer than a reply would.
	 */
	if (lio_sock_open(&sk))
		return err;
	if (lio_sock_set_timeout(sk, OIO_REPLY_TIMEOUT_MS)) {
		nl_socket_free(sk);
		return err;
	}
	family = genl_ctrl_resolve(sk, OIO_FAMILY_NAME);
	nl_socket_free(sk);
	if (family == ctx->family ||
	    (family < 0 && family != -NLE_OBJ_NOTFOUND))
		return err;
	/* its family id may go to another family: never send to it again */
	ctx->gone = true;
	lio_dev_close_all(ctx);
	snprintf(ctx->errmsg, sizeof(ctx->errmsg),
		 "the oio driver was unloaded");
	return -EIDRM;
}

/*
 * libnl builds the request and parses the replies; the loop between is
 * ours, with one buffer per handle, because libnl's own allocates and
 * clears several buffers for every message and that dominated the cost
 * of a call.
 */
int lio_xfer(struct oio_ctx *ctx, struct nl_msg *msg,
	     const struct oio_attr_set *set, oio_reply_fn fn, void *arg)
{
	struct nlattr *tb[64];
	bool done = false, one;
	uint32_t seq;
	int err = 0;

	if (!msg)
		return -ENOMEM;
	if (set->maxattr >= 64) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	/*
	 * A request answered by one message ends with it: no ack is asked
	 * for, which saves the kernel building one and us receiving it. A
	 * failure is answered by an error message either way.
	 */
	one = fn && !(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP);
	pthread_mutex_lock(&ctx->lock);
	ctx->errmsg[0] = '\0';
	if (ctx->gone) {
		err = lio_family_check(ctx, 0);
		pthread_mutex_unlock(&ctx->lock);
		nlmsg_free(msg);
		return err;
	}
	/* libnl asks for an ack whenever it completes a message: after it */
	nl_complete_msg(ctx->sk, msg);
	if (one)
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK;
	else
		nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	err = nl_send(ctx->sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	err = err < 0 ? lio_nl_errno(err) : 0;
	/*
	 * A dump whose reply failed its checks is read to its end all the
	 * same: left running, it would refuse the handle's next one (EBUSY).
	 */
	done = err != 0;
	while (!done) {
		ssize_t len = lio_recv(ctx);
		struct nlmsghdr *nlh = ctx->rx;
		int rem;

		if (len < 0) {
			err = err ?: (int)len;
			break;
		}
		for (rem = (int)len; nlmsg_ok(nlh, rem) && !done;
		     nlh = nlmsg_next(nlh, &rem)) {
			/* a late answer to an earlier, interrupted call */
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = nlmsg_data(nlh);

				if (nlmsg_datalen(nlh) < (int)sizeof(*e)) {
					err = err ?: lio_reply_bad(ctx, "the kernel's error message is %d bytes, too short",
								   nlmsg_datalen(nlh));
					done = true;
					continue;
				}
				if (e->error)
					lio_extack(ctx, nlh);
				if (!err)
					err = e->error;
				done = true;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				/* a dump that failed part-way says so here */
				if (nlmsg_datalen(nlh) >= 4 &&
				    *(int *)nlmsg_data(nlh) < 0 && !err)
					err = *(int *)nlmsg_data(nlh);
				done = true;
			} else if (nlh->nlmsg_type == ctx->family && !err) {
				err = lio_reply_parse(ctx, nlh, set, tb);
				if (!err && fn)
					err = fn(nlh, tb, arg);
				if (one && !(nlh->nlmsg_flags & NLM_F_MULTI))
					done = true;
			}
		}
	}
	err = lio_family_check(ctx, err);
	pthread_mutex_unlock(&ctx->lock);
	nlmsg_free(msg);
	return err;
}

void *lio_vec_push(struct oio_vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		void *p = realloc(v->items, cap * v->size);

		if (!p)
			return NULL;
		v->items = p;
		v->cap = cap;
	}
	return memset((char *)v->items + v->n++ * v->size, 0, v->size);
}
