// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: find OIO cards on the PCI bus with libpci, whether or not the
 * driver is bound, and match each to its /sys/class/oio/oioN.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "objects-sized.h"
#include "oio-private.h"

static void lio_pci_sysfs(struct oio_pci_dev *d)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	ssize_t len;
	DIR *dir;

	d->card_id = -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
		 d->address);
	len = readlink(path, link, sizeof(link) - 1);
	if (len > 0) {
		const char *name;

		link[len] = '\0';
		name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (strlen(name) < sizeof(d->driver))
			strcpy(d->driver, name);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/oio",
		 d->address);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "oio", 3) && de->d_name[3])
			d->card_id = atoi(de->d_name + 3);
	closedir(dir);
}

static int lio_pci_cmp(const void *a, const void *b)
{
	return strcmp(((const struct oio_pci_dev *)a)->address,
		      ((const struct oio_pci_dev *)b)->address);
}

OIO_API int oio_pci_scan_ex(struct oio_pci_dev **devs, size_t *n,
			    size_t size)
{
	struct oio_vec v = { .size = sizeof(struct oio_pci_dev) };
	struct pci_access *pacc;
	struct pci_dev *p;
	int err;

	if (!devs || !n || size < LIO_PCI_DEV_SIZE_1)
		return -EINVAL;
	/* libpci ends the process when no access method works: check first */
	if (access("/sys/bus/pci/devices", R_OK))
		return -errno;
	pacc = pci_alloc();
	if (!pacc)
		return -ENOMEM;
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (p = pacc->devices; p; p = p->next) {
		struct oio_pci_dev *d;

		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		if (p->vendor_id != OIO_PCI_VENDOR ||
		    p->device_id != OIO_PCI_DEVICE)
			continue;
		d = lio_vec_push(&v);
		if (!d) {
			free(v.items);
			pci_cleanup(pacc);
			return -ENOMEM;
		}
		snprintf(d->address, sizeof(d->address),
			 "%04x:%02x:%02x.%d", p->domain, p->bus, p->dev,
			 p->func);
		d->vendor = p->vendor_id;
		d->device = p->device_id;
		d->revision = pci_read_byte(p, PCI_REVISION_ID);
		lio_pci_sysfs(d);
	}
	pci_cleanup(pacc);
	if (v.n)
		qsort(v.items, v.n, v.size, lio_pci_cmp);
	/* the caller's stride */
	err = lio_sized_array(&v.items, v.n, v.size, size);
	if (err)
		return err;
	*devs = v.items;
	*n = v.n;
	return 0;
}

OIO_API int oio_pci_scan(struct oio_pci_dev **devs, size_t *n)
{
	return oio_pci_scan_ex(devs, n, LIO_PCI_DEV_SIZE_1);
}
