// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: batches of set requests. Bring-up programs a few hundred
 * heaters, locks and lanes; sent one by one, each pays a round trip and an
 * acknowledgement of its own, which on the emulated card's one CPU is most
 * of the bring-up's time. In one datagram without per-request acks, the
 * kernel runs them back to back and answers only failures and the last.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/genl.h>

#include "oio-private.h"

void lio_batch_init(struct oio_batch *b, struct oio_ctx *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
}

static void lio_batch_free(struct oio_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		nlmsg_free(b->msg[i]);
	b->n = 0;
}

void lio_batch_discard(struct oio_batch *b)
{
	lio_batch_free(b);
	b->err = b->kerr = 0;
}

static int lio_batch_send(struct oio_batch *b);

void lio_batch_add(struct oio_batch *b, struct nl_msg *msg)
{
	if (!msg) {
		/* what is queued goes nowhere: a batch is all or the error */
		if (!b->err)
			b->err = -ENOMEM;
		lio_batch_free(b);
		return;
	}
	if (b->err) {
		nlmsg_free(msg);
		return;
	}
	if (b->n == OIO_BATCH_MAX) {
		int err = lio_batch_send(b);

		if (err && !b->kerr)
			b->kerr = err;
	}
	b->msg[b->n++] = msg;
}

/* Wait for the last request's ack; note the first failure on the way. */
static int lio_batch_wait(struct oio_ctx *ctx, uint32_t first, uint32_t last)
{
	int err = 0;

	for (;;) {
		ssize_t len = lio_recv(ctx);
		struct nlmsghdr *nlh = ctx->rx;
		int rem;

		if (len < 0)
			return err ? err : (int)len;
		for (rem = (int)len; nlmsg_ok(nlh, rem);
		     nlh = nlmsg_next(nlh, &rem)) {
			const struct nlmsgerr *e = nlmsg_data(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_seq - first > last - first)
				continue;
			if (nlmsg_datalen(nlh) < (int)sizeof(*e))
				return err ? err :
				       lio_reply_bad(ctx, "the kernel's error message is %d bytes, too short",
						     nlmsg_datalen(nlh));
			if (e->error && !err) {
				lio_extack(ctx, nlh);
				err = e->error;
			}
			if (nlh->nlmsg_seq == last)
				return err;
		}
	}
}

/* One datagram of everything queued; the queue is empty afterwards. */
static int lio_batch_send(struct oio_batch *b)
{
	struct oio_ctx *ctx = b->ctx;
	size_t len = 0, off = 0;
	uint32_t first = 0, last = 0;
	unsigned int i;
	char *buf;
	int err;

	if (!b->n)
		return 0;
	for (i = 0; i < b->n; i++)
		len += NLMSG_ALIGN(nlmsg_hdr(b->msg[i])->nlmsg_len);
	buf = malloc(len);
	if (!buf) {
		lio_batch_free(b);
		return -ENOMEM;
	}
	pthread_mutex_lock(&ctx->lock);
	ctx->errmsg[0] = '\0';
	if (ctx->gone) {
		err = lio_family_check(ctx, 0);
		pthread_mutex_unlock(&ctx->lock);
		free(buf);
		lio_batch_free(b);
		return err;
	}
	for (i = 0; i < b->n; i++) {
		struct nlmsghdr *nlh = nlmsg_hdr(b->msg[i]);

		nl_complete_msg(ctx->sk, b->msg[i]);
		nlh->nlmsg_flags &= ~NLM_F_ACK;
		if (i + 1 == b->n)
			nlh->nlmsg_flags |= NLM_F_ACK;
		if (!i)
			first = nlh->nlmsg_seq;
		last = nlh->nlmsg_seq;
		memcpy(buf + off, nlh, nlh->nlmsg_len);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	err = send(nl_socket_get_fd(ctx->sk), buf, len, 0) < 0 ? -errno : 0;
	if (!err)
		err = lio_batch_wait(ctx, first, last);
	err = lio_family_check(ctx, err);
	pthread_mutex_unlock(&ctx->lock);
	free(buf);
	lio_batch_free(b);
	return err;
}

int lio_batch_run(struct oio_batch *b)
{
	int err = b->err, kerr;

	if (err)
		lio_batch_free(b);
	kerr = lio_batch_send(b);
	err = err ?: b->kerr ?: kerr;
	b->err = 0;
	b->kerr = 0;
	return err;
}
