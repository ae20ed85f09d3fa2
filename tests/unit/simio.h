/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * liboio's card interface (lib/bringup.h) on the emulated card of the
 * host tests: what oio.ko does with the card, done through the same
 * registers and DMA engines - telemetry blocks, sweeps, refused writes -
 * so the library's bring-up runs on the host exactly as in the VM.
 */
#ifndef OIO_SIMIO_H
#define OIO_SIMIO_H

#include "bringup.h"
#include "simcard.h"

struct simio {
	struct simcard *c;
	struct oio_card_io io;
	struct {
		uint8_t kind;	/* heater, lock, lane */
		uint32_t idx;
		uint32_t a;
		int b, c;
	} q[1024];
	unsigned int nq;
	int err;		/* of a batch sent early, full */
	char errmsg[256];
	/* the journal of the lines' full bias, as liboio keeps it in a file */
	uint32_t kept;
	uint32_t kept_bias[OIO_MAX_WAVELENGTHS];
	/* link up's calibration, as liboio keeps it in a file; NULL none */
	char *cal;
	size_t cal_len;
	unsigned int cal_saves;
};

void simio_init(struct simio *s, struct simcard *c);
/* What oio_card_get() would say of the card. */
void simio_card_info(struct simio *s, struct oio_card_info *info);
/* What simio_init() took: the calibration kept. */
void simio_fini(struct simio *s);

#endif
