// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU model of the OIO optical I/O engine card: what ties the card to
 * QEMU - the PCI device, MSI-X, DMA into guest memory, the virtual clock
 * and its timer, and the card's knobs as QOM properties. The card itself
 * (registers, physics, engines) is in the other oio-engine-*.c files.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "sysemu/dma.h"
#include "oio-engine.h"

#include <math.h>

static int64_t oio_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

void oio_raise(OioEngineState *s, unsigned int vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    s->int_status |= 1u << vector;
    /* A card that is gone from the bus signals nothing. */
    if (!s->cfg.dead && msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

bool oio_dma_write(OioEngineState *s, uint64_t addr, const void *buf,
                   uint32_t len, const char *what)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    AddressSpace *as = pci_get_address_space(pdev);

    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: %s DMA with bus mastering disabled\n", what);
        return false;
    }
    /*
     * Check the whole range first so that a bad buffer is never half
     * written.
     */
    if (!dma_memory_valid(as, addr, len, DMA_DIRECTION_FROM_DEVICE,
                          MEMTXATTRS_UNSPECIFIED) ||
        pci_dma_write(pdev, addr, buf, len) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: %s DMA to 0x%" PRIx64 "+%u outside guest memory\n",
                      what, addr, len);
        return false;
    }
    s->cnt_dma += len;
    return true;
}

static uint64_t oio_mmio_read(void *opaque, hwaddr a, unsigned size)
{
    return oio_bar_read(opaque, a, size, oio_now());
}

static void oio_mmio_write(void *opaque, hwaddr a, uint64_t val,
                           unsigned size)
{
    oio_bar_write(opaque, a, val, size, oio_now());
}

static const MemoryRegionOps oio_mmio_ops = {
    .read = oio_mmio_read,
    .write = oio_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Accept every size so that bad ones reach us and get a defined result. */
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static void oio_timer_cb(void *opaque)
{
    OioEngineState *s = opaque;
    int64_t t = oio_now();

    oio_advance(s, t);
    oio_schedule(s, t);
}

/* ---- Properties ---- */

static void oio_prop_get(Object *obj, Visitor *v, const char *name,
                         void *opaque, Error **errp)
{
    const OioPropDesc *d = opaque;
    int64_t val = *oio_cfg_field(OIO_ENGINE(obj), d);
    bool b = val;

    if (d->is_bool) {
        visit_type_bool(v, name, &b, errp);
    } else {
        visit_type_int64(v, name, &val, errp);
    }
}

static void oio_prop_set(Object *obj, Visitor *v, const char *name,
                         void *opaque, Error **errp)
{
    OioEngineState *s = OIO_ENGINE(obj);
    const OioPropDesc *d = opaque;
    int64_t val;
    bool b;

    if (d->is_bool) {
        if (!visit_type_bool(v, name, &b, errp)) {
            return;
        }
        val = b;
    } else if (!visit_type_int64(v, name, &val, errp)) {
        return;
    }
    if (val < d->min || val > d->max) {
        error_setg(errp, "%s must be in %" PRId64 "..%" PRId64, name,
                   d->min, d->max);
        return;
    }
    oio_config_set(s, d, val, DEVICE(obj)->realized, oio_now());
}

static void oio_counter_get(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    OioEngineState *s = OIO_ENGINE(obj);
    uint64_t val;

    if (!strcmp(name, "mmio-reads")) {
        val = s->cnt_mmio_rd;
    } else if (!strcmp(name, "mmio-writes")) {
        val = s->cnt_mmio_wr;
    } else {
        val = s->cnt_dma;
    }
    visit_type_uint64(v, name, &val, errp);
}

/* Lazily evaluated physics and DMA engines in flight are not migrated. */
static const VMStateDescription vmstate_oio = {
    .name = TYPE_OIO_ENGINE,
    .unmigratable = 1,
};

static Property oio_static_props[] = {
    DEFINE_PROP_UINT32("ports", OioEngineState, ports, 8),
    DEFINE_PROP_UINT32("wavelengths", OioEngineState, wavelengths, 8),
    DEFINE_PROP_UINT32("serial", OioEngineState, serial, 0),
    DEFINE_PROP_END_OF_LIST(),
};

/* ---- Device lifecycle ---- */

static void oio_realize(PCIDevice *pdev, Error **errp)
{
    OioEngineState *s = OIO_ENGINE(pdev);
    int64_t t = oio_now();
    unsigned int i;

    if (s->ports < 1 || s->ports > OIO_MAX_PORTS ||
        s->wavelengths < 1 || s->wavelengths > OIO_MAX_WAVELENGTHS) {
        error_setg(errp, "oio-engine: ports and wavelengths must be 1..%u",
                   OIO_MAX_PORTS);
        return;
    }
    pci_config_set_interrupt_pin(pdev->config, 0);
    memory_region_init_io(&s->mmio, OBJECT(s), &oio_mmio_ops, s, "oio-regs",
                          OIO_BAR0_SIZE);
    pci_register_bar(pdev, OIO_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);
    /* A PCIe endpoint behind a root port, plain PCI elsewhere. */
    if (!pci_bus_is_express(pci_get_bus(pdev))) {
        pdev->cap_present &= ~QEMU_PCI_CAP_EXPRESS;
    } else if (pcie_endpoint_cap_init(pdev, 0x80) < 0) {
        error_setg(errp, "oio-engine: cannot add the PCIe capability");
        return;
    }
    if (msix_init_exclusive_bar(pdev, OIO_NUM_VECTORS, OIO_BAR_MSIX, errp)) {
        return;
    }
    for (i = 0; i < OIO_NUM_VECTORS; i++) {
        msix_vector_use(pdev, i);
    }

    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, oio_timer_cb, s);
    oio_card_realize(s, t);
}

static void oio_exit(PCIDevice *pdev)
{
    OioEngineState *s = OIO_ENGINE(pdev);

    timer_free(s->timer);
    s->timer = NULL;
    msix_unuse_all_vectors(pdev);
    msix_uninit_exclusive_bar(pdev);
    oio_card_unrealize(s);
}

static void oio_qdev_reset(DeviceState *dev)
{
    OioEngineState *s = OIO_ENGINE(dev);

    if (s->timer) {
        oio_card_reset(s, oio_now());
    }
}

static void oio_instance_init(Object *obj)
{
    oio_config_defaults(OIO_ENGINE(obj));
    /* Hybrid device: realize drops this on a conventional bus. */
    PCI_DEVICE(obj)->cap_present |= QEMU_PCI_CAP_EXPRESS;
}

static void oio_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    static const char *const counters[] = {
        "mmio-reads", "mmio-writes", "dma-bytes",
    };
    size_t i;

    k->realize = oio_realize;
    k->exit = oio_exit;
    k->vendor_id = OIO_PCI_VENDOR_ID;
    k->device_id = OIO_PCI_DEVICE_ID;
    k->revision = OIO_BOARD_REV_VALUE;
    k->class_id = OIO_PCI_CLASS;
    dc->desc = "OIO optical I/O engine (emulated)";
    dc->reset = oio_qdev_reset;
    dc->vmsd = &vmstate_oio;
    dc->hotpluggable = true;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
    device_class_set_props(dc, oio_static_props);

    for (i = 0; i < oio_nprops; i++) {
        const OioPropDesc *d = &oio_props[i];

        object_class_property_add(klass, d->name, d->is_bool ? "bool" : "int",
                                  oio_prop_get, oio_prop_set, NULL,
                                  (void *)d);
        object_class_property_set_description(klass, d->name, d->help);
    }
    for (i = 0; i < ARRAY_SIZE(counters); i++) {
        object_class_property_add(klass, counters[i], "uint64",
                                  oio_counter_get, NULL, NULL, NULL);
    }
}

static const TypeInfo oio_engine_info = {
    .name = TYPE_OIO_ENGINE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(OioEngineState),
    .instance_init = oio_instance_init,
    .class_init = oio_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void oio_register_types(void)
{
    type_register_static(&oio_engine_info);
}

type_init(oio_register_types)
