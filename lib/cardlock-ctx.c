// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the writer lock of a card known by its id, for a run on a
 * handle (cardlock.h has the lock itself).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cardlock.h"
#include "oio-private.h"

/*
 * The PCI address from the card's sysfs device: no request, so no MMIO,
 * for callers as cheap as a one-point sweep.
 */
static int sysfs_pci(uint32_t card, char *pci, size_t len)
{
	char path[64], target[256], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/oio/oio%u/device", card);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -ENOENT;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(pci, base);
	return 0;
}

int ctx_card_lock(struct oio_ctx *ctx, uint32_t card, const char *pci,
		  struct cardlock *lk)
{
	struct oio_card_info info;
	char msg[sizeof(ctx->errmsg)];
	int err;

	lk->fd = -1;
	if (!pci) {
		if (sysfs_pci(card, info.pci_address,
			      sizeof(info.pci_address))) {
			err = oio_card_get(ctx, card, &info);
			if (err)
				return err;
		}
		pci = info.pci_address;
	}
	err = cardlock_take(lk, pci, msg, sizeof(msg));
	if (err)
		oio_ctx_set_err(ctx, "%s", msg);
	return err;
}
