// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's calls at the caller's struct size (issue 10, "Library ABI that
 * can grow") through the real oio.ko: every _ex get and list, at the
 * library's sizeof, at a newer caller's (bigger: its members come back
 * zero, a list's elements that far apart) and at a size short of 0.1.0's
 * (EINVAL, nothing written), against the plain calls; oio_sweep_run_ex()
 * with a newer caller's request; and the telemetry snapshot against
 * oio_telemetry_get(), over netlink and /dev/oioN. Values that move
 * between two reads (temperatures, monitor currents, counters) are not
 * compared.
 */
#define _GNU_SOURCE
#include "oiotest.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liboio.h"

#define MARK	0xa5
#define MORE	24	/* a newer caller's members */
#define ROOM	256	/* more than any struct here */

static bool zero(const void *p, size_t from, size_t to)
{
	const unsigned char *b = p;

	for (size_t i = from; i < to; i++)
		if (b[i])
			return false;
	return true;
}

static bool marked(const void *p, size_t from, size_t to)
{
	const unsigned char *b = p;

	for (size_t i = from; i < to; i++)
		if (b[i] != MARK)
			return false;
	return true;
}

/* One kind of object: its calls, plain and _ex, behind one signature. */
struct kind {
	const char *name;
	size_t size;		/* this liboio.h's */
	size_t short_size;	/* short of 0.1.0's, whatever is appended */
	int (*list)(struct oio_ctx *ctx, uint32_t card, void **items,
		    size_t *n);
	int (*list_ex)(struct oio_ctx *ctx, uint32_t card, void **items,
		       size_t *n, size_t size);
	/* NULL for kinds without one; cards get the card, not i */
	int (*get)(struct oio_ctx *ctx, uint32_t card, uint32_t i, void *out);
	int (*get_ex)(struct oio_ctx *ctx, uint32_t card, uint32_t i,
		      void *out, size_t size);
	bool (*same)(const void *a, const void *b);
};

#define LIST(fn, type, ...)						\
static int fn##_w(struct oio_ctx *ctx, uint32_t card, void **items,	\
		  size_t *n)						\
{									\
	type *p = NULL;							\
	int err = fn(__VA_ARGS__, &p, n);				\
	*items = p;							\
	return err;							\
}									\
static int fn##_ex_w(struct oio_ctx *ctx, uint32_t card, void **items,	\
		     size_t *n, size_t size)				\
{									\
	type *p = *items;						\
	int err = fn##_ex(__VA_ARGS__, &p, n, size);			\
	*items = p;							\
	return err;							\
}

#define GET(fn, type, ...)						\
static int fn##_w(struct oio_ctx *ctx, uint32_t card, uint32_t i,	\
		  void *out)						\
{									\
	(void)i;							\
	return fn(__VA_ARGS__, out);					\
}									\
static int fn##_ex_w(struct oio_ctx *ctx, uint32_t card, uint32_t i,	\
		     void *out, size_t size)				\
{									\
	(void)i;							\
	return fn##_ex(__VA_ARGS__, out, size);				\
}

/* oio_pci_scan() on the handle's terms, which it does not need */
static int pci_scan(struct oio_ctx *ctx, uint32_t card,
		    struct oio_pci_dev **devs, size_t *n)
{
	(void)ctx;
	(void)card;
	return oio_pci_scan(devs, n);
}

static int pci_scan_ex(struct oio_ctx *ctx, uint32_t card,
		       struct oio_pci_dev **devs, size_t *n, size_t size)
{
	(void)ctx;
	(void)card;
	return oio_pci_scan_ex(devs, n, size);
}

static int card_list(struct oio_ctx *ctx, uint32_t card,
		     struct oio_card_info **cards, size_t *n)
{
	(void)card;
	return oio_card_list(ctx, cards, n);
}

static int card_list_ex(struct oio_ctx *ctx, uint32_t card,
			struct oio_card_info **cards, size_t *n, size_t size)
{
	(void)card;
	return oio_card_list_ex(ctx, cards, n, size);
}

LIST(pci_scan, struct oio_pci_dev, ctx, card)
LIST(card_list, struct oio_card_info, ctx, card)
LIST(oio_port_list, struct oio_port_info, ctx, card)
LIST(oio_laser_list, struct oio_laser_info, ctx, card)
LIST(oio_lane_list, struct oio_lane_info, ctx, card)
LIST(oio_ring_list, struct oio_ring_info, ctx, card)
GET(oio_card_get, struct oio_card_info, ctx, card)
GET(oio_laser_get, struct oio_laser_info, ctx, card, i)
GET(oio_lane_get, struct oio_lane_info, ctx, card, i)
GET(oio_ring_get, struct oio_ring_info, ctx, card, i)

static bool same_pci(const void *x, const void *y)
{
	const struct oio_pci_dev *a = x, *b = y;

	return !strcmp(a->address, b->address) && a->vendor == b->vendor &&
	       a->device == b->device && a->revision == b->revision &&
	       !strcmp(a->driver, b->driver) && a->card_id == b->card_id;
}

static bool same_card(const void *x, const void *y)
{
	const struct oio_card_info *a = x, *b = y;

	return a->id == b->id && !strcmp(a->pci_address, b->pci_address) &&
	       a->serial == b->serial &&
	       !strcmp(a->fw_version, b->fw_version) &&
	       a->ports == b->ports && a->wavelengths == b->wavelengths &&
	       a->armed == b->armed && a->fsr_pm == b->fsr_pm &&
	       a->health == b->health &&
	       a->drift_pm_per_k == b->drift_pm_per_k;
}

static bool same_port(const void *x, const void *y)
{
	const struct oio_port_info *a = x, *b = y;

	return a->card_id == b->card_id && a->port == b->port &&
	       a->line_shift == b->line_shift;
}

static bool same_laser(const void *x, const void *y)
{
	const struct oio_laser_info *a = x, *b = y;

	return a->card_id == b->card_id && a->line == b->line &&
	       a->enable == b->enable && a->bias_set_ua == b->bias_set_ua;
}

static bool same_lane(const void *x, const void *y)
{
	const struct oio_lane_info *a = x, *b = y;

	return a->card_id == b->card_id && a->lane == b->lane &&
	       a->port == b->port && a->state == b->state &&
	       a->prbs_generator == b->prbs_generator &&
	       a->prbs_checker == b->prbs_checker;
}

static bool same_ring(const void *x, const void *y)
{
	const struct oio_ring_info *a = x, *b = y;

	return a->card_id == b->card_id && a->ring == b->ring &&
	       a->heater == b->heater && a->lock == b->lock;
}

/* last: 0.1.0's last member, the offset of which is short of its size */
#define KIND(n, t, last, l, g, gx, s) {					\
	.name = n, .size = sizeof(t), .short_size = offsetof(t, last),	\
	.list = l##_w, .list_ex = l##_ex_w, .get = g, .get_ex = gx,	\
	.same = s }

static const struct kind kinds[] = {
	KIND("pci devices", struct oio_pci_dev, card_id, pci_scan, NULL,
	     NULL, same_pci),
	KIND("cards", struct oio_card_info, drift_pm_per_k, card_list,
	     oio_card_get_w, oio_card_get_ex_w, same_card),
	KIND("ports", struct oio_port_info, line_shift, oio_port_list, NULL,
	     NULL, same_port),
	KIND("lasers", struct oio_laser_info, alarms, oio_laser_list,
	     oio_laser_get_w, oio_laser_get_ex_w, same_laser),
	KIND("lanes", struct oio_lane_info, alarms, oio_lane_list,
	     oio_lane_get_w, oio_lane_get_ex_w, same_lane),
	KIND("rings", struct oio_ring_info, at_limit, oio_ring_list,
	     oio_ring_get_w, oio_ring_get_ex_w, same_ring),
};

static void check_list(struct oio_ctx *ctx, uint32_t card,
		       const struct kind *k, const char *plain, size_t n)
{
	const size_t sizes[] = { k->size, k->size + MORE };
	void *ex;
	size_t m;
	int err;

	for (size_t s = 0; s < 2; s++) {
		size_t size = sizes[s], i;
		bool ok;

		ex = NULL;
		err = k->list_ex(ctx, card, &ex, &m, size);
		ok = !err && m == n;
		for (i = 0; ok && i < n; i++) {
			const char *e = (const char *)ex + i * size;

			ok = k->same(plain + i * k->size, e) &&
			     zero(e, k->size, size);
		}
		tap_ok(ok, "%s: list of %zu-byte elements (the library's "
		       "%zu): %d, %zu as the plain list's, members past the "
		       "library's zero", k->name, size, k->size, err, m);
		free(ex);
	}
	ex = &m;
	m = 12345;
	err = k->list_ex(ctx, card, &ex, &m, k->short_size);
	tap_ok(err == -EINVAL && ex == &m && m == 12345,
	       "%s: list of %zu-byte elements, short of 0.1.0's: %d, "
	       "nothing written", k->name, k->short_size, err);
}

static void check_get(struct oio_ctx *ctx, uint32_t card,
		      const struct kind *k, uint32_t i)
{
	const size_t sizes[] = { k->size, k->size + MORE };
	unsigned char plain[ROOM], buf[ROOM + MORE + 16];
	int err;

	err = k->get(ctx, card, i, plain);
	tap_ok(!err, "%s: plain get of %u: %d", k->name, i, err);
	for (size_t s = 0; s < 2; s++) {
		memset(buf, MARK, sizeof(buf));
		err = k->get_ex(ctx, card, i, buf, sizes[s]);
		tap_ok(!err && k->same(plain, buf) &&
		       zero(buf, k->size, sizes[s]) &&
		       marked(buf, sizes[s], sizeof(buf)),
		       "%s: get of %u into %zu bytes: %d, as the plain get's, "
		       "members past the library's zero, nothing further",
		       k->name, i, sizes[s], err);
	}
	memset(buf, MARK, sizeof(buf));
	err = k->get_ex(ctx, card, i, buf, k->short_size);
	tap_ok(err == -EINVAL && marked(buf, 0, sizeof(buf)),
	       "%s: get into %zu bytes, short of 0.1.0's: %d, nothing written",
	       k->name, k->short_size, err);
}

static void objects_phase(struct oio_ctx *ctx, uint32_t card)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		void *plain = NULL;
		size_t n = 0;
		int err = kinds[k].list(ctx, card, &plain, &n);

		if (err || !n) {
			tap_ok(false, "%s: plain list: %d, %zu", kinds[k].name,
			       err, n);
			continue;
		}
		check_list(ctx, card, &kinds[k], plain, n);
		if (kinds[k].get)
			check_get(ctx, card, &kinds[k], n - 1);
		free(plain);
	}
}

/* A newer caller's request: its members zero, or one of them set. */
static void sweep_phase(struct oio_ctx *ctx, uint32_t card)
{
	static unsigned char buf[sizeof(struct oio_sweep_req) + MORE];
	struct oio_sweep_req *req = (struct oio_sweep_req *)buf;
	struct oio_sweep *s = NULL, *p = NULL;
	char why[256];
	int err, perr;

	memset(buf, 0, sizeof(buf));
	*req = (struct oio_sweep_req){ .first_ring = 0, .ring_count = 2,
		.start = 0, .stop = 4095, .step = 256, .dwell_ns = 200 };
	perr = oio_sweep_run(ctx, card, req, &p);
	err = oio_sweep_run_ex(ctx, card, req, sizeof(buf), &s);
	tap_ok(!err && !perr && s->points == p->points &&
	       s->ring_count == p->ring_count && s->points == 16 &&
	       s->ring_count == 2,
	       "sweep of a %zu-byte request: %d, %u x %u points as the plain "
	       "call's (%d)", sizeof(buf), err, err ? 0 : s->ring_count,
	       err ? 0 : s->points, perr);
	if (!err)
		oio_sweep_free(s);
	if (!perr)
		oio_sweep_free(p);
	buf[sizeof(buf) - 1] = 1;
	s = NULL;
	err = oio_sweep_run_ex(ctx, card, req, sizeof(buf), &s);
	oio_ctx_errmsg(ctx, why, sizeof(why));
	tap_ok(err == -E2BIG && !s, "a request with a member this liboio "
	       "does not know set: %d (%s)", err, why);
	err = oio_sweep_run_ex(ctx, card, req,
			       offsetof(struct oio_sweep_req, positions), &s);
	tap_ok(err == -EINVAL && !s, "a request short of 0.1.0's: %d", err);
}

/* The snapshot's objects against struct oio_telemetry's, one by one. */
static void snapshot_phase(struct oio_ctx *ctx, uint32_t card,
			   const char *how)
{
	static struct oio_telemetry t;
	const struct oio_snapshot_head *h;
	struct oio_snapshot *snap;
	bool ok = true;
	int err;
	size_t i;

	if (oio_snapshot_new(&snap))
		tap_bail("oio_snapshot_new failed");
	h = oio_snapshot_head(snap);
	err = oio_telemetry_get(ctx, card, &t) ?:
	      oio_snapshot_read(ctx, card, 0, snap);
	tap_ok(!err && h == oio_snapshot_head(snap) && h->card_id == t.card_id &&
	       h->n_lasers == t.n_lasers && h->n_lanes == t.n_lanes &&
	       h->n_rings == t.n_rings && h->n_lanes > 0,
	       "%s: snapshot head as oio_telemetry_get()'s: %d, card %u, "
	       "%zu lasers, %zu lanes, %zu rings", how, err, h->card_id,
	       h->n_lasers, h->n_lanes, h->n_rings);
	for (i = 0; ok && i < t.n_lasers; i++)
		ok = same_laser(&t.laser[i], oio_snapshot_laser(snap, i));
	for (i = 0; ok && i < t.n_lanes; i++)
		ok = same_lane(&t.lane[i], oio_snapshot_lane(snap, i));
	for (i = 0; ok && i < t.n_rings; i++)
		ok = same_ring(&t.ring[i], oio_snapshot_ring(snap, i));
	tap_ok(ok && !oio_snapshot_laser(snap, t.n_lasers) &&
	       !oio_snapshot_lane(snap, t.n_lanes) &&
	       !oio_snapshot_ring(snap, t.n_rings),
	       "%s: every laser, lane and ring of the snapshot as "
	       "oio_telemetry_get()'s, NULL past them", how);
	/* the same snapshot again, for one part */
	err = oio_snapshot_read(ctx, card, OIO_TELEMETRY_PARTS_RINGS, snap);
	tap_ok(!err && h == oio_snapshot_head(snap) && h->n_rings == t.n_rings &&
	       !h->n_lanes && !h->n_lasers && !oio_snapshot_lane(snap, 0) &&
	       same_ring(&t.ring[0], oio_snapshot_ring(snap, 0)),
	       "%s: the snapshot read again for its rings only: %d, %zu "
	       "rings, no lane", how, err, h->n_rings);
	err = oio_snapshot_read(ctx, 1000000, 0, snap);
	tap_ok(err == -ENODEV && !h->n_rings && !oio_snapshot_ring(snap, 0),
	       "%s: a read of no card: %d, the snapshot empty", how, err);
	oio_snapshot_free(snap);
}

int main(void)
{
	struct oio_card_info *cards;
	struct oio_ctx *ctx, *dev;
	size_t n;

	if (oio_ctx_new(&ctx, OIO_CTX_LOAD_MODULE) ||
	    oio_ctx_new(&dev, OIO_CTX_DEVNODE))
		tap_bail("no oio family");
	if (oio_card_list(ctx, &cards, &n) || !n)
		tap_bail("no card");
	objects_phase(ctx, cards[0].id);
	sweep_phase(ctx, cards[0].id);
	snapshot_phase(ctx, cards[0].id, "netlink");
	snapshot_phase(dev, cards[0].id, "/dev/oioN");
	free(cards);
	oio_ctx_free(dev);
	oio_ctx_free(ctx);
	return tap_done();
}
