// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl telemetry --prometheus: take the snapshot of the selected cards
 * and hand it to the writer of prometheus.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "oioctl.h"
#include "prometheus.h"

int prom_snapshot(struct oio_ctx *ctx, const char *spec, const char *path)
{
	struct oio_card_info *infos = NULL;
	struct oio_telemetry *tele = NULL;
	struct prom_card *cards = NULL;
	char *text = NULL;
	size_t n, i, len = 0;
	int err, ret;
	FILE *f;

	ret = cards_select(ctx, spec, &infos, &n);
	if (ret)
		return ret;
	/* some 30 KiB a card: one allocation, not the stack */
	tele = calloc(n ? n : 1, sizeof(*tele));
	cards = calloc(n ? n : 1, sizeof(*cards));
	if (!tele || !cards) {
		ret = lib_error(NULL, -ENOMEM, "telemetry");
		goto out;
	}
	for (i = 0; i < n; i++) {
		cards[i].info = &infos[i];
		err = oio_telemetry_get(ctx, infos[i].id, &tele[i]);
		if (err) {
			ret = lib_error(ctx, err, "get telemetry of oio%" PRIu32,
					infos[i].id);
			continue;
		}
		cards[i].t = &tele[i];
	}
	f = open_memstream(&text, &len);
	if (!f) {
		ret = lib_error(NULL, -errno, "write %s", path);
		goto out;
	}
	prom_format(f, cards, n);
	if (fclose(f)) {
		ret = lib_error(NULL, -ENOMEM, "write %s", path);
		goto out;
	}
	err = prom_write_file(path, text, len);
	if (err)
		ret = lib_error(NULL, err, "write %s", path);
out:
	free(text);
	free(cards);
	free(tele);
	free(infos);
	return ret;
}
