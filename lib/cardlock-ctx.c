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
 * The card's PCI address and serial number from its sysfs device: no
 * request, so no MMIO, for callers as cheap as a one-point sweep.
 */
static int sysfs_card(uint32_t card, char *pci, size_t len, uint32_t *serial)
{
	char path[64], target[256], *base;
	unsigned int sn;
	ssize_t n;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/oio/oio%u/device", card);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -ENOENT;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "/sys/class/oio/oio%u/serial", card);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	ok = fscanf(f, "%u", &sn) == 1;
	fclose(f);
	if (!ok)
		return -EINVAL;
	strcpy(pci, base);
	*serial = sn;
	return 0;
}

int ctx_card_lock(struct oio_ctx *ctx, uint32_t card,
		  const struct oio_card_info *known, struct cardlock *lk)
{
	struct oio_card_info info;
	char msg[sizeof(ctx->errmsg)], name[64];
	int err;

	lk->fd = -1;
	if (!known) {
		if (sysfs_card(card, info.pci_address,
			       sizeof(info.pci_address), &info.serial)) {
			err = oio_card_get_ex(ctx, card, &info,
					      sizeof(info));
			if (err)
				return err;
		}
		known = &info;
	}
	/*
	 * The slot and the serial number: a card put in another's slot
	 * must not take that one's journal of full bias for its own.
	 */
	snprintf(name, sizeof(name), "%s-%u", known->pci_address,
		 known->serial);
	err = cardlock_take(lk, name, msg, sizeof(msg));
	if (err)
		lio_ctx_set_err(ctx, "%s", msg);
	return err;
}
