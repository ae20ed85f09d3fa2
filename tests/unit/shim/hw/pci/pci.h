/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for QEMU's PCI types: the model's state embeds them, and
 * only the QEMU-side file (not built on the host) looks inside.
 */
#ifndef OIO_SHIM_PCI_H
#define OIO_SHIM_PCI_H

#include "qemu/osdep.h"
#include "qemu/timer.h"

typedef struct PCIDevice {
	int unused;
} PCIDevice;

typedef struct MemoryRegion {
	int unused;
} MemoryRegion;

#endif
