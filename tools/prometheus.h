/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oioctl telemetry --prometheus: node_exporter's textfile-collector format.
 */
#ifndef OIOCTL_PROMETHEUS_H
#define OIOCTL_PROMETHEUS_H

#include <liboio.h>

/* Whether path names a file node_exporter's collector reads ("*.prom"). */
int prom_path_ok(const char *path);

/*
 * One telemetry snapshot of the cards of spec (NULL: every card) written
 * to path atomically: a temporary file in the same directory, renamed
 * over path once complete, so the collector never reads half a file. A
 * card whose snapshot fails is reported, and appears only as
 * oio_telemetry_success 0. Returns 0, or 1 (reported) if any card failed
 * or the file could not be written (then path is left as it was).
 */
int prom_snapshot(struct oio_ctx *ctx, const char *spec, const char *path);

#endif /* OIOCTL_PROMETHEUS_H */
