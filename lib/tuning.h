/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the pure half of bring-up - from sweep traces to heater codes -
 * with no I/O, so unit tests can feed it synthetic and adversarial cards.
 *
 * Two sweeps of every ring are taken with the same codes: one with every
 * laser line at full power, one with a coded subset of lines dimmed. The
 * first places each ring's resonances; the ratio of the two at each peak
 * says which lines are coded; a cyclic code whose every window of k lines
 * is unique then names every line from any k consecutive peaks.
 */
#ifndef OIO_TUNING_H
#define OIO_TUNING_H

#include <stdbool.h>
#include <stdint.h>

#include "liboio.h"

#define OIO_TUNE_MAX_PEAKS	24

struct oio_tune_geom {
	unsigned int ports;
	unsigned int wavelengths;
	double spacing_pm;	/* nominal line spacing */
	double fsr_pm;		/* nominal ring FSR */
	double range_pm;	/* nominal heater full scale */
	double fwhm_pm;
	double xtalk;		/* share of a bus neighbour's heater shift */
};

struct oio_tune_peak {
	double u;		/* normalised heater drive (code/4095)^2 */
	double height;		/* nA, full-power sweep */
	double ratio;		/* coded sweep / full sweep at the peak */
	int line;		/* laser line, -1 until identified */
	int wrap;		/* FSR orders above the first line seen */
};

struct oio_tune_ring {
	unsigned int n_peaks;
	struct oio_tune_peak peak[OIO_TUNE_MAX_PEAKS];
	bool identified;
	double q_pm;		/* apparent full scale while swept with its
				 * bus neighbours */
	double offset_pm;	/* fitted position of line 0 at u = 0 */
	double r_pm;		/* own full scale */
};

/*
 * The dimmed lines: a cyclic pattern of W bits whose windows of *k
 * consecutive bits are all different, k as small as possible.
 */
uint32_t oio_tune_code(unsigned int wavelengths, unsigned int *k);

/*
 * Heater drive each sample of a sweep really had: the heater settles with
 * time constant tau, so at the end of each dwell it lags the code.
 * u0 is the drive before the sweep.
 */
void oio_tune_drive(double *u, unsigned int points, unsigned int start,
		    unsigned int step, double dwell_ns, double tau_ns,
		    double u0);

/* Find a ring's resonances in its full-power trace; coded may be NULL. */
void oio_tune_peaks(struct oio_tune_ring *r, const uint32_t *full,
		    const uint32_t *coded, const double *u,
		    unsigned int points, const struct oio_tune_geom *g);

/* Half the drive between the closest two lines a ring can show. */
double oio_tune_min_du(const struct oio_tune_geom *g);

/*
 * Name each peak's line from the coded ratios and the emitting lines, then
 * fit the ring's apparent full scale. False if the ring cannot be read.
 */
bool oio_tune_identify(struct oio_tune_ring *r,
		       const struct oio_tune_geom *g, uint32_t code,
		       uint32_t emitting, double threshold);

/* Own heater ranges from the apparent ones, one bus at a time. */
void oio_tune_ranges(struct oio_tune_ring *rings,
		     const struct oio_tune_geom *g);

/* Ring g of the card for bus position w of port p, side 0 (TX) or 1 (RX). */
static inline unsigned int oio_tune_ring_of(const struct oio_tune_geom *g,
					    unsigned int p, unsigned int side,
					    unsigned int w)
{
	return 2 * (p * g->wavelengths + w) + side;
}

struct oio_tune_port {
	int shift;		/* -1: no shift fits every emitting lane */
	double margin_pm;	/* closest any ring comes to a heater end */
	uint32_t code[2][OIO_MAX_WAVELENGTHS];	/* [side][w] */
	bool usable[OIO_MAX_WAVELENGTHS];	/* lane can come up */
};

/*
 * Choose a port's line shift and every ring's heater code, crosstalk of
 * the bus neighbours included, keeping the rings furthest from their
 * heater ends.
 */
void oio_tune_port(const struct oio_tune_ring *rings,
		   const struct oio_tune_geom *g, unsigned int port,
		   uint32_t emitting, struct oio_tune_port *out);

#endif /* OIO_TUNING_H */
