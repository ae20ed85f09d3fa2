// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make demo`: what the emulated cards look like from the guest, without
 * the driver yet: each card's identity, and ring 0's monitor current as
 * its heater sweeps, with the laser line under each resonance identified
 * by lighting one line at a time.
 *
 * Output lines start with "# " so the harness shows them as they are.
 */
#define _GNU_SOURCE
#include "oiotest.h"

#include <stdio.h>
#include <string.h>

#define COLS 64
#define ROWS 12

static void identity(const struct oio_card *c)
{
	uint32_t v = rd(c, OIO_REG_VERSION), fw = rd(c, OIO_REG_FW_VERSION);
	int temp = (int)rd(c, OIO_REG_CARD_TEMP);

	printf("# %s  serial %u  regmap %u.%u  firmware %u.%u.%u  board rev %u\n",
	       c->bdf, rd(c, OIO_REG_SERIAL), v >> 16, v & 0xffff, fw >> 16,
	       (fw >> 8) & 0xff, fw & 0xff, rd(c, OIO_REG_BOARD_REV));
	printf("#   %u ports x %u wavelengths = %u lanes at %u Mb/s, %u rings; "
	       "grid %u pm + n x %u pm; card %d.%03d C; interlock %s\n",
	       c->ports, c->wavelengths, c->lanes,
	       rd(c, OIO_REG_LINE_RATE_MBPS), c->rings,
	       rd(c, OIO_REG_GRID_FIRST_PM), rd(c, OIO_REG_GRID_SPACING_PM),
	       temp / 1000, temp % 1000,
	       rd(c, OIO_REG_INTERLOCK) & OIO_INTERLOCK_CLOSED ? "closed" : "OPEN");
}

static void plot(const struct oio_card *c, const struct dma_buf *b)
{
	double range = rd(c, OIO_REG_HEATER_RANGE_PM);
	char marks[COLS + 1];
	uint32_t bins[COLS] = { 0 }, top = 1;
	const uint32_t *tr;
	unsigned int n, i, l, row;

	memset(marks, ' ', COLS);
	marks[COLS] = 0;
	printf("#   ring 0 (TX, lane 0), laser lines found one at a time:\n");
	for (l = 0; l < c->wavelengths; l++) {
		struct peak pk[2];

		lasers_on(c, 1u << l);
		if (sweep_run(c, b, 0, 1, 0, 4095, 4, 2000, &tr, &n) !=
		    OIO_ENG_DONE)
			continue;
		if (find_peaks(tr, n, 0, 4, 0.5, 2000, pk, 2) < 1) {
			printf("#     line %u  out of heater range\n", l);
			continue;
		}
		printf("#     line %u  heater code %4.0f  shift %5.0f pm  peak %4u uA\n",
		       l, pk[0].code, code_to_pm(pk[0].code, range),
		       pk[0].height / 1000);
		marks[(unsigned int)pk[0].code * COLS / 4096] = '0' + l % 10;
	}

	lasers_on(c, (1u << c->wavelengths) - 1);
	if (sweep_run(c, b, 0, 1, 0, 4095, 1, 1000, &tr, &n) != OIO_ENG_DONE) {
		printf("#   sweep failed\n");
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned int col = i * COLS / 4096;

		if (tr[i] > bins[col])
			bins[col] = tr[i];
		if (tr[i] > top)
			top = tr[i];
	}
	printf("#   all lines lit, monitor photocurrent vs heater code "
	       "(peak %u uA):\n", top / 1000);
	for (row = ROWS; row > 0; row--) {
		char line[COLS + 1];

		for (i = 0; i < COLS; i++)
			line[i] = bins[i] * ROWS >= (uint64_t)top * row - top / 2 ?
				  '#' : ' ';
		line[COLS] = 0;
		printf("#   |%s\n", line);
	}
	printf("#   +%.*s\n", COLS, "----------------------------------------"
	       "------------------------");
	printf("#    %s  <- laser line\n", marks);
	printf("#    0%*s4095  heater code (shift grows as code squared, "
	       "%.1f nm full scale)\n", COLS - 5, "", range / 1000);
}

int main(void)
{
	struct oio_card cards[OIOT_MAX_CARDS];
	struct dma_buf dma;
	int n, i;

	n = oiot_cards(cards, OIOT_MAX_CARDS);
	tap_ok(n > 0, "%d emulated OIO card%s found", n, n == 1 ? "" : "s");
	if (n < 1 || dma_alloc(&dma, 1 << 20))
		return tap_done();
	for (i = 0; i < n; i++) {
		printf("#\n");
		pci_bus_master(&cards[i], true);
		card_reset(&cards[i]);
		identity(&cards[i]);
		plot(&cards[i], &dma);
		card_reset(&cards[i]);
	}
	printf("#\n");
	dma_free(&dma);
	return tap_done();
}
