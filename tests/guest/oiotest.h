/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-side helpers for tests that drive the emulated OIO card directly,
 * without the driver: BAR mapping through sysfs, PCI config access, DMA
 * buffers with known bus addresses, TAP output, and fault injection on the
 * host through the harness (vmctl).
 */
#ifndef OIOTEST_H
#define OIOTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oio_regs.h"

#define OIOT_MAX_CARDS 8

struct oio_card {
	char bdf[32];			/* 0000:01:00.0 */
	char qom[64];			/* /machine/peripheral/oioN */
	volatile uint32_t *regs;	/* BAR0 */
	volatile uint32_t *msix;	/* BAR2 */
	unsigned int ports;
	unsigned int wavelengths;
	unsigned int lanes;
	unsigned int rings;
};

struct dma_buf {
	void *va;
	uint64_t pa;
	size_t len;
};

/* TAP: results are numbered as they come; the plan is printed at the end. */
void tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A check known not to hold yet (why, in `todo`): printed with a TAP TODO
 * directive, so it shows in every run without failing the suite.
 */
void tap_todo(bool cond, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						  noreturn));
int tap_done(void);

/* Find the cards (sorted by PCI address), map their BARs, match QOM ids. */
int oiot_cards(struct oio_card *cards, int max);

static inline uint32_t rd(const struct oio_card *c, uint32_t off)
{
	return c->regs[off / 4];
}

static inline void wr(const struct oio_card *c, uint32_t off, uint32_t v)
{
	c->regs[off / 4] = v;
}

uint8_t rd8(const struct oio_card *c, uint32_t off);
uint16_t rd16(const struct oio_card *c, uint32_t off);
void wr8(const struct oio_card *c, uint32_t off, uint8_t v);

int pci_cfg_read(const struct oio_card *c, unsigned int off, void *buf,
		 size_t len);
int pci_cfg_write(const struct oio_card *c, unsigned int off,
		  const void *buf, size_t len);
void pci_bus_master(const struct oio_card *c, bool on);
void pci_mem_enable(const struct oio_card *c);
/* Offset of a PCI capability in config space, 0 if absent. */
unsigned int pci_find_cap(const struct oio_card *c, uint8_t id);

/* Physically contiguous (one huge page) buffer for the card's DMA. */
int dma_alloc(struct dma_buf *b, size_t len);
void dma_free(struct dma_buf *b);

/* Host-side knobs of a card over QMP; values are JSON text. */
int qset(const struct oio_card *c, const char *prop, const char *json);
int qset_int(const struct oio_card *c, const char *prop, long long v);
/* A property's integer value; -1, said in a TAP comment, if unread. */
long long qget_int(const struct oio_card *c, const char *prop);
/*
 * The card's MMIO accesses so far, -1 if a counter could not be read:
 * summed as they were, one made a seed's count -54,166 and the mean 874.
 */
long long qget_mmio(const struct oio_card *c);
/* The MMIO between two such counts, -1 if either was not read. */
long long mmio_spent(long long m0, long long m1);
/* Lines in QEMU's guest-error log containing text. */
long log_count(const char *text);

/* A file's first line without its newline, or write val to it: 0 or -errno. */
int sys_read(const char *path, char *buf, size_t len);
int sys_write(const char *path, const char *val);
/* Drop one capability (CAP_*) from this process's effective set. */
void oiot_drop_cap(int cap);

void sleep_us(unsigned long us);
uint64_t now_us(void);

/* Soft reset; the card is then in its power-on state. */
void card_reset(const struct oio_card *c);
/* Wait until (reg & mask) == val; false on timeout. */
bool wait_reg(const struct oio_card *c, uint32_t off, uint32_t mask,
	      uint32_t val, unsigned int timeout_ms);
/* Wait until an engine status register leaves BUSY; returns the status. */
uint32_t wait_engine(const struct oio_card *c, uint32_t status_reg,
		     unsigned int timeout_ms);
/* Arm and enable the lines in mask, wait until they stop ramping. */
bool lasers_on(const struct oio_card *c, uint32_t mask);

static inline uint32_t ring_reg(unsigned int ring, uint32_t off)
{
	return OIO_RING_REG(ring, off);
}

static inline uint32_t lane_reg(unsigned int lane, uint32_t off)
{
	return OIO_LANE_REG(lane, off);
}

static inline uint32_t laser_reg(unsigned int line, uint32_t off)
{
	return OIO_LASER_REG(line, off);
}

/* Program the sweep engine's parameters, without starting it. */
void sweep_setup(const struct oio_card *c, uint64_t addr, uint32_t len,
		 unsigned int first, unsigned int count, unsigned int start,
		 unsigned int stop, unsigned int step, unsigned int dwell_ns);

/*
 * Run a sweep of rings [first, first + count) and wait for it; returns the
 * engine status and points *trace at the first ring's samples.
 */
uint32_t sweep_run(const struct oio_card *c, const struct dma_buf *b,
		   unsigned int first, unsigned int count, unsigned int start,
		   unsigned int stop, unsigned int step, unsigned int dwell_ns,
		   const uint32_t **trace, unsigned int *points);

struct peak {
	double code;	/* interpolated heater code */
	uint32_t height;	/* nA */
};

/*
 * Resonances above frac of the trace's maximum, at least min_nA high, whose
 * half maximum lies inside the trace on both sides; each centre is the
 * code midway (in heater shift, square law) between the half-maximum
 * crossings, which monitor noise moves least.
 */
int find_peaks(const uint32_t *trace, unsigned int points, unsigned int start,
	       unsigned int step, double frac, uint32_t min_na,
	       struct peak *out, int max);

/* Heater shift in pm of a (fractional) code for a full-scale range. */
double code_to_pm(double code, double range_pm);
double pm_to_code(double pm, double range_pm);

#endif /* OIOTEST_H */
