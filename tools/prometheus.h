/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oioctl telemetry --prometheus: node_exporter's textfile-collector format.
 */
#ifndef OIOCTL_PROMETHEUS_H
#define OIOCTL_PROMETHEUS_H

#include <stdio.h>

#include <liboio.h>

struct prom_card {
	const struct oio_card_info *info;
	const struct oio_telemetry *t;	/* NULL: the snapshot failed */
};

/* Whether path names a file node_exporter's collector reads ("*.prom"). */
int prom_path_ok(const char *path);

/*
 * The metrics of n cards in the text exposition format: every family's
 * HELP, TYPE and series together, cards in the order given.
 */
void prom_format(FILE *f, const struct prom_card *cards, size_t n);

/*
 * Replace path with text atomically: a temporary ".NAME.XXXXXX" in the
 * same directory, mode 0644, synced, then renamed over path, so a reader
 * sees the old file or the new one. 0 or a negative errno; on failure
 * path is left as it was and no temporary file remains.
 */
int prom_write_file(const char *path, const char *text, size_t len);

/*
 * One telemetry snapshot of the cards of spec (NULL: every card) written
 * to path. A card whose snapshot fails is reported, and appears only as
 * oio_telemetry_success 0. Returns 0, or the exit status after reporting:
 * 1 if any card failed or the file could not be written (then path is
 * left as it was), 2 if spec does not parse.
 */
int prom_snapshot(struct oio_ctx *ctx, const char *spec, const char *path);

#endif /* OIOCTL_PROMETHEUS_H */
