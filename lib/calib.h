/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: what link up measured of a card, kept for recovery. Each ring's
 * response (where it sits cold, its heater's full scale and law, its share
 * of the crosstalk) is the silicon's, and moves only with the card's
 * temperature, all rings alike: recovery finds that move from the rings
 * still locked and places the others by the fits, with no line dimmed -
 * dimming would take light from the lanes that still work.
 *
 * Text, a line per item, so that it survives a library upgrade that
 * changes struct oio_tune and can be read on the bench. No I/O here.
 */
#ifndef OIO_CALIB_H
#define OIO_CALIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "liboio.h"
#include "tuning.h"

struct lio_cal_ring {
	bool named, stuck, guessed;
	double o, q, h, guess_o, xt_gain, tau_ns;
};

/* Where link up left a lane. */
struct lio_cal_lane {
	bool up;		/* activated, margin checked */
	/*
	 * down too weak (OIO_LINK_BER_HIGH), its rings locked on its line:
	 * the lanes beside it were checked with them there
	 */
	bool held;
	/* code known: if up, always; if down, unless an older library wrote it */
	bool coded;
	/* TX, RX heater codes: locked if up or held, else parked or cold */
	uint32_t code[2];
	/* why not, if not: OIO_LINK_BER_HIGH is a lane too weak there */
	enum oio_link_fail fail;
	enum oio_lane_reason reason;	/* the report's (struct oio_link_lane) */
};

struct lio_cal {
	/* the card it belongs to, and its nominal optics */
	uint32_t serial, ports, wavelengths;
	uint32_t grid_first_pm, grid_spacing_pm, fsr_nominal_pm;
	uint32_t heater_range_pm;
	int32_t temp_mc;	/* card temperature when measured */
	double fsr_pm, tau_ns, xt1, xt2;
	bool tau_measured;	/* tau_ns from the rings, not a guess */
	double line_pm[OIO_MAX_WAVELENGTHS];
	uint32_t line_shift[OIO_MAX_PORTS];
	uint32_t unreach[OIO_MAX_PORTS][OIO_MAX_WAVELENGTHS];
	struct lio_cal_ring ring[OIO_MAX_RINGS];
	struct lio_cal_lane lane[OIO_MAX_LANES];
};

/* What the analysis t of the card info measured; lanes and codes unset. */
void lio_cal_take(struct lio_cal *c, const struct oio_card_info *info,
		  const struct oio_tune *t);
/* Into t, set up by lio_tune_init() for the same card. */
void lio_cal_give(const struct lio_cal *c, struct oio_tune *t);
/* Whether it is the card info's, measured as this library measures. */
bool lio_cal_fits(const struct lio_cal *c, const struct oio_card_info *info);

/* As text, malloc()ed into *text: its length, or -ENOMEM. */
int lio_cal_format(const struct lio_cal *c, char **text);
/*
 * From text: 0, or -EINVAL if it is not one this library wrote, or holds
 * a value no analysis of a card within its nominal optics would give.
 */
int lio_cal_parse(struct lio_cal *c, const char *text);

#endif /* OIO_CALIB_H */
