/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: link bring-up as a sequence of card accesses - sweep, dim, sweep
 * again, analyse, place, lock, repair, verify, activate - written against
 * a small interface to the card, so the very same code runs on a card
 * through the driver (link.c, netlink) and, in the host tests, on the
 * emulated card directly.
 */
#ifndef OIO_BRINGUP_H
#define OIO_BRINGUP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "liboio.h"
#include "tuning.h"

/*
 * What bring-up needs of a card. Calls return 0 or a negative errno;
 * heater, lock and lane requests are queued and go to the card, in order,
 * at run().
 */
struct oio_card_io {
	void *h;
	int (*snapshot)(void *h, unsigned int parts, struct oio_telemetry *t);
	/*
	 * trace: a row of points readings for each ring of the run, in ring
	 * order; the rows of rings at positions not swept are left alone
	 */
	int (*sweep)(void *h, const struct oio_sweep_req *req, uint32_t *trace);
	int (*laser_enable)(void *h, uint32_t line, bool on);
	int (*laser_bias)(void *h, uint32_t line, uint32_t bias_ua);
	int (*arm)(void *h);
	int (*line_shift)(void *h, uint32_t port, uint32_t shift);
	int (*line_shifts)(void *h, uint32_t *shift);	/* every port's */
	void (*heater)(void *h, uint32_t ring, uint32_t code);
	void (*lock)(void *h, uint32_t ring, bool on);
	/* req 0 for none; generator/checker 0 off, 1 on, -1 as they are */
	void (*lane)(void *h, uint32_t lane, enum oio_lane_request req,
		     int generator, int checker);
	int (*run)(void *h);
	void (*sleep_us)(void *h, unsigned long us);
	/* the library's own explanation of a failure */
	void (*explain)(void *h, const char *fmt, va_list ap);
	/*
	 * Optional, NULL for none: the lines' full bias, kept outside the
	 * process while a run has lines dimmed, so that a run killed midway
	 * leaves it to the next instead of a dimmed set point. recall_full:
	 * *lines 0 if none is kept; keep_full with lines 0 forgets it.
	 */
	int (*recall_full)(void *h, uint32_t *bias, uint32_t *lines);
	int (*keep_full)(void *h, const uint32_t *bias, uint32_t lines);
	/*
	 * Optional: what link up measured of the card (calib.h), kept for
	 * recovery, as text; save_cal with text NULL forgets it. load_cal
	 * gives a malloc()ed copy, -ENOENT if none is kept.
	 */
	int (*save_cal)(void *h, const char *text, size_t len);
	int (*load_cal)(void *h, char **text);
	/*
	 * Optional: the run puts the card back after an error, a cancel
	 * included, between on and off; its requests must go through.
	 */
	void (*cleaning)(void *h, bool on);
};

/* Bring every lane of the card up from whatever state it is in. */
int lio_bringup_up(const struct oio_card_io *io,
		   const struct oio_card_info *info,
		   const struct oio_link_params *prm,
		   struct oio_link_report *rep, oio_progress_cb cb, void *arg);

/* Bring back the ports with a lane down or a ring lost or at its limit. */
int lio_bringup_recover(const struct oio_card_io *io,
			const struct oio_card_info *info,
			const struct oio_link_params *prm,
			struct oio_link_report *rep, oio_progress_cb cb,
			void *arg);

/* Lanes down, rings released, lasers off. */
int lio_bringup_down(const struct oio_card_io *io,
		     const struct oio_card_info *info);

/* A report of no lanes, nothing measured (NAN): a run's before it starts. */
void lio_bringup_blank(struct oio_link_report *rep);

/* The parameters' check, shared by the public entry points. */
int lio_bringup_check_params(const struct oio_link_params *prm);

#endif /* OIO_BRINGUP_H */
