// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hot removal of a busy card and hot re-insertion through its root port:
 * the model tears down with a sweep and periodic telemetry in flight, the
 * other cards carry on, and a card plugged back in works.
 *
 * Run with the harness's --pciehp so the guest uses native PCIe hotplug.
 */
#define _GNU_SOURCE
#include "oiotest.h"
#include "vmctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool present(const char *bdf)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return stat(path, &st) == 0;
}

static bool wait_present(const char *bdf, bool want, unsigned int secs)
{
	unsigned int i;

	for (i = 0; i < secs * 10; i++) {
		if (present(bdf) == want)
			return true;
		sleep_us(100000);
	}
	return present(bdf) == want;
}

static bool qom_gone(const char *qom, unsigned int secs)
{
	char out[64];
	unsigned int i;

	for (i = 0; i < secs * 10; i++) {
		if (vm_qom_get(qom, "seed", out, sizeof(out)))
			return true;
		sleep_us(100000);
	}
	return false;
}

static int find(struct oio_card *cards, int n, const char *qom)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(cards[i].qom, qom))
			return i;
	return -1;
}

int main(void)
{
	struct oio_card cards[OIOT_MAX_CARDS];
	char bdf[32], reply[1024];
	struct dma_buf dma;
	int n, a, other, cycle;

	n = oiot_cards(cards, OIOT_MAX_CARDS);
	a = find(cards, n, "/machine/peripheral/oio0");
	if (a < 0)
		tap_bail("card oio0 not found");
	other = n > 1 ? (a == 0 ? 1 : 0) : -1;
	snprintf(bdf, sizeof(bdf), "%s", cards[a].bdf);
	if (dma_alloc(&dma, 1 << 20))
		tap_bail("no huge page for DMA");

	for (cycle = 0; cycle < 2; cycle++) {
		const struct oio_card *c = &cards[a];
		uint32_t st;

		/* Keep the card busy: a 1 s sweep and telemetry every 1 ms. */
		pci_bus_master(c, true);
		card_reset(c);
		lasers_on(c, 0xff);
		wr(c, OIO_REG_TELEM_ADDR_LO, (uint32_t)dma.pa + 65536);
		wr(c, OIO_REG_TELEM_ADDR_HI, (uint32_t)(dma.pa >> 32));
		wr(c, OIO_REG_TELEM_LEN, 65536);
		wr(c, OIO_REG_TELEM_PERIOD_US, 1000);
		wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_PERIODIC);
		sweep_setup(c, dma.pa, 65536, 0, 2, 0, 999, 1, 1000000);
		wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
		st = rd(c, OIO_REG_SWEEP_STATUS);
		tap_ok(st == OIO_ENG_BUSY,
		       "cycle %d: oio0 busy with a sweep and telemetry", cycle);

		vm_qmp("{\"execute\":\"device_del\",\"arguments\":"
		       "{\"id\":\"oio0\"}}", reply, sizeof(reply));
		tap_ok(wait_present(bdf, false, 30),
		       "cycle %d: the guest saw %s go", cycle, bdf);
		tap_ok(qom_gone("/machine/peripheral/oio0", 10),
		       "cycle %d: QEMU finished removing the device", cycle);
		if (other >= 0)
			tap_ok(rd(&cards[other], OIO_REG_MAGIC) ==
			       OIO_MAGIC_VALUE,
			       "cycle %d: the other card is unaffected", cycle);

		tap_ok(vm_qmp("{\"execute\":\"device_add\",\"arguments\":"
			      "{\"driver\":\"oio-engine\",\"id\":\"oio0\","
			      "\"bus\":\"rp0\",\"seed\":77}}", reply,
			      sizeof(reply)) == 0,
		       "cycle %d: device_add on the empty root port", cycle);
		tap_ok(wait_present(bdf, true, 30),
		       "cycle %d: the guest found the new card", cycle);
		/* The new card is a new device: map it afresh. */
		n = oiot_cards(cards, OIOT_MAX_CARDS);
		a = find(cards, n, "/machine/peripheral/oio0");
		tap_ok(a >= 0 && rd(&cards[a], OIO_REG_MAGIC) == OIO_MAGIC_VALUE &&
		       rd(&cards[a], OIO_REG_SWEEP_STATUS) == OIO_ENG_IDLE,
		       "cycle %d: it answers from power-on state", cycle);
		if (a < 0)
			break;
		other = n > 1 ? (a == 0 ? 1 : 0) : -1;
		pci_bus_master(&cards[a], true);
		tap_ok(sweep_run(&cards[a], &dma, 0, 2, 0, 4095, 16, 1000, NULL,
				 NULL) == OIO_ENG_DONE,
		       "cycle %d: and sweeps", cycle);
	}
	dma_free(&dma);
	return tap_done();
}
