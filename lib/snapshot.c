// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: telemetry snapshots as an opaque object. struct oio_telemetry
 * embeds arrays of the *_info structs, so its layout cannot change while
 * programs built against it run: it would move every array after the
 * first. A snapshot keeps this library's own struct oio_telemetry, filled
 * by the same code (telemetry.c), and hands out pointers into it, which
 * callers read through: the structs may gain members at their end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oio-private.h"

struct oio_snapshot {
	struct oio_snapshot_head head;
	/* allocated once with the snapshot: a read allocates nothing */
	struct oio_telemetry t;
};

OIO_API int oio_snapshot_new(struct oio_snapshot **snap)
{
	if (!snap)
		return -EINVAL;
	*snap = calloc(1, sizeof(**snap));
	return *snap ? 0 : -ENOMEM;
}

OIO_API void oio_snapshot_free(struct oio_snapshot *snap)
{
	free(snap);
}

OIO_API int oio_snapshot_read(struct oio_ctx *ctx, uint32_t card,
			      unsigned int parts, struct oio_snapshot *snap)
{
	struct oio_snapshot_head *h;
	struct oio_telemetry *t;
	int err;

	if (!ctx || !snap)
		return -EINVAL;
	h = &snap->head;
	t = &snap->t;
	err = lio_telemetry_read(ctx, card, parts, t);
	if (err) {
		/* nothing half read is handed out */
		memset(h, 0, sizeof(*h));
		t->n_lasers = t->n_lanes = t->n_rings = 0;
		return err;
	}
	h->card_id = t->card_id;
	h->seq = t->seq;
	h->time_ns = t->time_ns;
	h->temp_mc = t->temp_mc;
	h->alarms = t->alarms;
	h->n_lasers = t->n_lasers;
	h->n_lanes = t->n_lanes;
	h->n_rings = t->n_rings;
	return 0;
}

OIO_API const struct oio_snapshot_head *
oio_snapshot_head(const struct oio_snapshot *snap)
{
	return snap ? &snap->head : NULL;
}

OIO_API const struct oio_laser_info *
oio_snapshot_laser(const struct oio_snapshot *snap, size_t i)
{
	return snap && i < snap->t.n_lasers ? &snap->t.laser[i] : NULL;
}

OIO_API const struct oio_lane_info *
oio_snapshot_lane(const struct oio_snapshot *snap, size_t i)
{
	return snap && i < snap->t.n_lanes ? &snap->t.lane[i] : NULL;
}

OIO_API const struct oio_ring_info *
oio_snapshot_ring(const struct oio_snapshot *snap, size_t i)
{
	return snap && i < snap->t.n_rings ? &snap->t.ring[i] : NULL;
}
