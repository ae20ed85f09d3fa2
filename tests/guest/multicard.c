// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several cards in one host: each is found, has its own identity, state,
 * counters, faults and DMA, and the same seed makes the same silicon.
 *
 * Environment: OIO_CARDS (set by the harness) is the number to expect.
 */
#define _GNU_SOURCE
#include "oiotest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Heater codes of ring 0's resonances with every line lit. */
static int ring0_peaks(const struct oio_card *c, const struct dma_buf *b,
		       struct peak *pk, int max)
{
	const uint32_t *tr;
	unsigned int n;

	if (!lasers_on(c, (1u << c->wavelengths) - 1) ||
	    sweep_run(c, b, 0, 1, 0, 4095, 4, 2000, &tr, &n) != OIO_ENG_DONE)
		return -1;
	return find_peaks(tr, n, 0, 4, 0.3, 20000, pk, max);
}

int main(void)
{
	struct oio_card cards[OIOT_MAX_CARDS];
	struct dma_buf dma[OIOT_MAX_CARDS];
	int want = getenv("OIO_CARDS") ? atoi(getenv("OIO_CARDS")) : 1;
	int n, i, j, bad;

	n = oiot_cards(cards, OIOT_MAX_CARDS);
	tap_ok(n == want, "%d cards found, %d expected", n, want);
	if (n < 1)
		return tap_done();

	bad = 0;
	for (i = 0; i < n; i++) {
		bad += rd(&cards[i], OIO_REG_MAGIC) != OIO_MAGIC_VALUE;
		bad += !strcmp(cards[i].qom, "?");
		for (j = 0; j < i; j++) {
			bad += rd(&cards[i], OIO_REG_SERIAL) ==
			       rd(&cards[j], OIO_REG_SERIAL);
			bad += !strcmp(cards[i].qom, cards[j].qom);
		}
	}
	tap_ok(!bad, "every card answers, with its own serial and QOM path");

	for (i = 0; i < n; i++) {
		card_reset(&cards[i]);
		pci_bus_master(&cards[i], true);
		wr(&cards[i], OIO_REG_SCRATCH, 0xc0de0000 + i);
		if (dma_alloc(&dma[i], 1 << 20))
			tap_bail("no huge page for card %d", i);
	}
	card_reset(&cards[0]);
	bad = rd(&cards[0], OIO_REG_SCRATCH) != 0;
	for (i = 1; i < n; i++)
		bad += rd(&cards[i], OIO_REG_SCRATCH) != 0xc0de0000u + i;
	tap_ok(!bad, "registers are per card; resetting one leaves the others");

	if (n > 1) {
		qset(&cards[1], "dead", "true");
		tap_ok(rd(&cards[1], OIO_REG_MAGIC) == 0xffffffff &&
		       rd(&cards[0], OIO_REG_MAGIC) == OIO_MAGIC_VALUE,
		       "a fault injected on one card stays on that card");
		qset(&cards[1], "dead", "false");
	}

	bad = 0;
	for (i = 0; i < n; i++) {
		const struct oio_card *c = &cards[i];

		memset(dma[i].va, 0, 4096);
		wr(c, OIO_REG_TELEM_ADDR_LO, (uint32_t)dma[i].pa);
		wr(c, OIO_REG_TELEM_ADDR_HI, (uint32_t)(dma[i].pa >> 32));
		wr(c, OIO_REG_TELEM_LEN, (uint32_t)dma[i].len);
		wr(c, OIO_REG_SCRATCH, i);
		wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	}
	for (i = 0; i < n; i++) {
		const uint32_t *blk = dma[i].va;

		bad += wait_engine(&cards[i], OIO_REG_TELEM_STATUS, 2000) !=
		       OIO_ENG_DONE;
		bad += blk[0] != OIO_TELEM_MAGIC ||
		       blk[OIO_TELEM_HDR_GEOMETRY / 4] !=
		       rd(&cards[i], OIO_REG_GEOMETRY);
	}
	tap_ok(!bad, "telemetry DMA from every card lands in its own buffer");

	if (n > 1) {
		struct peak a[16], b[16], c0[16];
		int na, nb, nc;
		long long seed0 = qget_int(&cards[0], "seed");
		bool same = true;

		na = ring0_peaks(&cards[0], &dma[0], a, 16);
		nb = ring0_peaks(&cards[1], &dma[1], b, 16);
		tap_ok(na > 0 && nb > 0 &&
		       (na != nb || a[0].code != b[0].code),
		       "different seeds make different silicon");
		/*
		 * Silicon, not the monitors' noise (drawn per access since
		 * each card's reset): with the noise off the traces are the
		 * same to the nanoampere.
		 */
		qset_int(&cards[0], "monitor-noise-na", 0);
		qset_int(&cards[1], "monitor-noise-na", 0);
		qset_int(&cards[1], "seed", seed0);
		card_reset(&cards[1]);
		na = ring0_peaks(&cards[0], &dma[0], a, 16);
		nc = ring0_peaks(&cards[1], &dma[1], c0, 16);
		same = na > 0 && nc == na;
		for (j = 0; same && j < na; j++)
			same = c0[j].code == a[j].code && c0[j].height == a[j].height;
		tap_ok(same, "the same seed makes the same silicon (%d peaks)",
		       nc);
		qset_int(&cards[0], "monitor-noise-na", 2000);
		qset_int(&cards[1], "monitor-noise-na", 2000);
		qset_int(&cards[1], "seed", seed0 + 1);
		card_reset(&cards[1]);
	}

	bad = 0;
	for (i = 0; i < n; i++) {
		uint32_t a = rd(&cards[i], OIO_REG_CNT_MMIO_RD_LO);
		uint32_t b;

		for (j = 0; j <= i; j++)
			rd(&cards[i], OIO_REG_MAGIC);
		b = rd(&cards[i], OIO_REG_CNT_MMIO_RD_LO);
		bad += b - a != (uint32_t)i + 2;
	}
	tap_ok(!bad, "access counters count each card's own accesses");

	for (i = 0; i < n; i++) {
		card_reset(&cards[i]);
		dma_free(&dma[i]);
	}
	return tap_done();
}
