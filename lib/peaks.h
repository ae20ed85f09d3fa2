/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: the peak finder's entry for bring-up, which measures a trace's
 * noise for itself first (peaks.c).
 */
#ifndef OIO_PEAKS_H
#define OIO_PEAKS_H

#include <stdint.h>

#include "liboio.h"

/* oio_trace_peaks_ex() at this library's size, the noise sigma known. */
unsigned int lio_trace_peaks_noise(const uint32_t *trace, unsigned int points,
				   double sigma, struct oio_trace_peak *out,
				   unsigned int max);

#endif /* OIO_PEAKS_H */
