/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated card on the host: the QEMU model's own files
 * (tests/qemu/oio-engine-*.c, oio-physics.c) compiled against a few
 * stand-in headers (shim/), with a clock, a DMA window and register access
 * of the test's own. Host tests drive it as the VM's guest drives the card
 * under QEMU, register by register, so a seed here is the seed of a VM test.
 */
#ifndef OIO_SIMCARD_H
#define OIO_SIMCARD_H

#include "qemu/osdep.h"
#include "oio-engine.h"

struct simcard {
	OioEngineState s;	/* first: the model's callbacks find us by it */
	QEMUTimer timer;
	int64_t now;		/* virtual time, ns */
	/*
	 * A card in real time, as a real one is: the host's time between
	 * two calls of the test's into the card (the library's computing)
	 * passes on the card too; the model's own does not. Off: the card
	 * is frozen between calls, and the figures are reproducible.
	 */
	bool realtime;
	int64_t host_mark;	/* the host's clock when the last call left */
	uint64_t dma_base;	/* the one window the card may write to */
	uint8_t *dma;
	size_t dma_size;
};

/*
 * A card with the model's default knobs; simcard_set() changes them as
 * qom-set does before realize; simcard_realize() powers it on.
 */
void simcard_init(struct simcard *c, unsigned int ports,
		  unsigned int wavelengths);
/* -ENOENT for an unknown knob, -ERANGE out of its range. */
int simcard_set(struct simcard *c, const char *name, int64_t val);
int64_t simcard_get(struct simcard *c, const char *name);
void simcard_realize(struct simcard *c);
void simcard_free(struct simcard *c);

uint32_t simcard_rd(struct simcard *c, uint32_t addr);
void simcard_wr(struct simcard *c, uint32_t addr, uint32_t val);
/* Let ns of virtual time pass, firing the model's timer on the way. */
void simcard_wait(struct simcard *c, int64_t ns);
/* From now on the card runs in real time (above) or not. */
void simcard_realtime(struct simcard *c, bool on);
/* The host's clock that a card in real time follows (monotonic), ns. */
int64_t simcard_host_ns(void);

/* Guest errors the model logged since the process started. */
unsigned long simcard_guest_errors(void);
const char *simcard_last_guest_error(void);

#endif
