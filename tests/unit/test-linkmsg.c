// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's link runs (lib/link.c) on the emulated card, with the handle's
 * requests stood in for as lio_xfer() makes them: each clears the
 * handle's message and a refusal leaves the kernel's reason in it. A run
 * that fails must still say the kernel's reason after its clean-up's
 * requests, not an empty message or a later one.
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardlock.h"
#include "oio-private.h"
#include "simio.h"

static struct simcard card;
static struct simio sio;
static struct oio_ctx ctx;
static struct oio_link_report rep;
/* requests the "kernel" refuses, and how many requests were sent */
static bool refuse_laser, refuse_sweep, refuse_batch;
static int refuse_line;		/* one line that will not light, or -1 */
static unsigned int requests;
static char token;

static int reply(struct oio_ctx *c, int err, const char *extack)
{
	requests++;
	c->errmsg[0] = '\0';
	if (err && extack)
		snprintf(c->errmsg, sizeof(c->errmsg), "%s", extack);
	return err;
}

void lio_ctx_set_err(struct oio_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
}

void oio_ctx_errmsg(struct oio_ctx *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", c->errmsg);
}

int oio_card_get_ex(struct oio_ctx *c, uint32_t id,
		    struct oio_card_info *out, size_t size)
{
	ck_assert_uint_eq(size, sizeof(*out));
	simio_card_info(&sio, out);
	out->id = id;
	return reply(c, 0, NULL);
}

int ctx_card_lock(struct oio_ctx *c, uint32_t id,
		  const struct oio_card_info *info, struct cardlock *lk)
{
	/* held, with no journal of an interrupted run */
	memset(lk, 0, sizeof(*lk));
	lk->fd = -1;
	return 0;
}

void cardlock_drop(struct cardlock *lk)
{
}

int cardlock_keep(struct cardlock *lk, const uint32_t *bias, uint32_t lines,
		  char *msg, size_t len)
{
	return 0;
}

/* no calibration kept: the runs here never get that far */
int cardlock_save_cal(const struct cardlock *lk, const char *text,
		      size_t len, char *msg, size_t mlen)
{
	return 0;
}

int cardlock_load_cal(const struct cardlock *lk, char **text, char *msg,
		      size_t mlen)
{
	return -ENOENT;
}

int oio_telemetry_get_parts(struct oio_ctx *c, uint32_t id,
			    unsigned int parts, struct oio_telemetry *t)
{
	return reply(c, sio.io.snapshot(sio.io.h, parts, t), "snapshot");
}

/* The runs here end at their first sweep, which the "kernel" refuses. */
int sweep_run_held(struct oio_ctx *c, uint32_t id,
		   const struct oio_sweep_req *req, struct oio_sweep **out)
{
	ck_assert(refuse_sweep);
	return reply(c, -ETIMEDOUT,
		     "card did not answer in time (firmware hung?)");
}

void oio_sweep_free(struct oio_sweep *s)
{
	ck_abort_msg("no sweep is ever returned");
}

int oio_laser_set_enable(struct oio_ctx *c, uint32_t id, uint32_t line,
			 bool on)
{
	if (refuse_laser && on)
		return reply(c, -EIO, "laser line failed");
	if ((int)line == refuse_line && on)
		return reply(c, -ETIMEDOUT, "line 1 did not answer");
	return reply(c, sio.io.laser_enable(sio.io.h, line, on), "laser");
}

int oio_laser_set_bias(struct oio_ctx *c, uint32_t id, uint32_t line,
		       uint32_t ua)
{
	return reply(c, sio.io.laser_bias(sio.io.h, line, ua), "bias");
}

int oio_card_set_armed(struct oio_ctx *c, uint32_t id, bool armed)
{
	return reply(c, sio.io.arm(sio.io.h), "arm");
}

int oio_port_set_line_shift(struct oio_ctx *c, uint32_t id, uint32_t port,
			    uint32_t shift)
{
	return reply(c, sio.io.line_shift(sio.io.h, port, shift), "shift");
}

int oio_port_list_ex(struct oio_ctx *c, uint32_t id,
		     struct oio_port_info **ports, size_t *n, size_t size)
{
	uint32_t shift[OIO_MAX_PORTS];
	struct oio_port_info *p = calloc(OIO_MAX_PORTS, sizeof(*p));
	int err = sio.io.line_shifts(sio.io.h, shift);
	unsigned int i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < OIO_MAX_PORTS; i++)
		p[i] = (struct oio_port_info){ .port = i,
					       .line_shift = shift[i] };
	*ports = p;
	*n = OIO_MAX_PORTS;
	return reply(c, err, "ports");
}

/* Batched requests go to the emulated card's own queue, run at once. */
struct nl_msg *lio_msg_ring_heater(struct oio_ctx *c, uint32_t id,
				   uint32_t ring, uint32_t code)
{
	sio.io.heater(sio.io.h, ring, code);
	return (struct nl_msg *)&token;
}

struct nl_msg *lio_msg_ring_lock(struct oio_ctx *c, uint32_t id,
				 uint32_t ring, bool lock)
{
	sio.io.lock(sio.io.h, ring, lock);
	return (struct nl_msg *)&token;
}

struct nl_msg *lio_msg_lane_set(struct oio_ctx *c, uint32_t id,
				uint32_t lane, enum oio_lane_request req,
				int generator, int checker)
{
	sio.io.lane(sio.io.h, lane, req, generator, checker);
	return (struct nl_msg *)&token;
}

void lio_batch_init(struct oio_batch *b, struct oio_ctx *c)
{
	memset(b, 0, sizeof(*b));
	b->ctx = c;
}

void lio_batch_add(struct oio_batch *b, struct nl_msg *msg)
{
	ck_assert_ptr_eq(msg, &token);
}

void lio_batch_discard(struct oio_batch *b)
{
	sio.nq = 0;
}

int lio_batch_run(struct oio_batch *b)
{
	if (refuse_batch && sio.nq) {
		sio.nq = 0;
		return reply(b->ctx, -EBUSY, "a lane of the port carries data");
	}
	return reply(b->ctx, sio.io.run(sio.io.h), "batch");
}

static void setup(void)
{
	simcard_init(&card, 2, 4);
	ck_assert_int_eq(simcard_set(&card, "seed", 5), 0);
	simcard_realize(&card);
	simio_init(&sio, &card);
	memset(&ctx, 0, sizeof(ctx));
	memset(&rep, 0, sizeof(rep));
	refuse_laser = refuse_sweep = refuse_batch = false;
	refuse_line = -1;
	requests = 0;
}

static void teardown(void)
{
	simcard_free(&card);
	simio_fini(&sio);
}

/* No line lights: the kernel's reason, not the clean-up's silence. */
START_TEST(test_laser_refused)
{
	refuse_laser = true;
	ck_assert_int_eq(oio_link_up(&ctx, 0, NULL, &rep, NULL, NULL), -EIO);
	ck_assert_str_eq(ctx.errmsg, "laser line failed");
}
END_TEST

/* A sweep refused midway: clean-up sends requests, the reason stays. */
START_TEST(test_sweep_refused)
{
	unsigned int before;

	refuse_sweep = true;
	ck_assert_int_eq(oio_link_up(&ctx, 0, NULL, &rep, NULL, NULL),
			 -ETIMEDOUT);
	ck_assert_str_eq(ctx.errmsg,
			 "card did not answer in time (firmware hung?)");
	/* the message is of the run, not of a later call */
	before = requests;
	ck_assert_int_eq(oio_card_get_ex(&ctx, 0, &(struct oio_card_info){ 0 },
					 sizeof(struct oio_card_info)), 0);
	ck_assert_uint_gt(requests, before);
	ck_assert_str_eq(ctx.errmsg, "");
}
END_TEST

/*
 * A line that will not light fails only its lanes and the run goes on;
 * the sweep's refusal that ends it, with the same errno, is what it says.
 */
START_TEST(test_last_refusal)
{
	refuse_line = 1;
	refuse_sweep = true;
	ck_assert_int_eq(oio_link_up(&ctx, 0, NULL, &rep, NULL, NULL),
			 -ETIMEDOUT);
	ck_assert_str_eq(ctx.errmsg,
			 "card did not answer in time (firmware hung?)");
}
END_TEST

/* Link down goes on past a refusal; the refusal is what it says. */
START_TEST(test_down_refused)
{
	/* a ring heated, for link down to put back cold */
	sio.io.heater(sio.io.h, 0, 1000);
	ck_assert_int_eq(sio.io.run(sio.io.h), 0);
	refuse_batch = true;
	ck_assert_int_eq(oio_link_down(&ctx, 0), -EBUSY);
	ck_assert_str_eq(ctx.errmsg, "a lane of the port carries data");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("link-errmsg");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_laser_refused);
	tcase_add_test(tc, test_sweep_refused);
	tcase_add_test(tc, test_down_refused);
	tcase_add_test(tc, test_last_refusal);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
