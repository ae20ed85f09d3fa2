// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU model of the OIO optical I/O engine card: the PCI device, its
 * register file, QOM properties (configuration and fault injection) and
 * interrupts. docs/hardware.md is the datasheet this file implements.
 *
 * Every guest access is checked: only aligned 32-bit accesses are decoded;
 * anything else, and any access to an unassigned offset, is logged as a
 * guest error and has a defined result (reads all ones for bad sizes, 0 for
 * holes; writes ignored).
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

typedef struct OioPropDesc {
    const char *name;
    size_t offset;
    bool is_bool;
    bool at_reset;
    int64_t min;
    int64_t max;
    int64_t def;
    const char *help;
} OioPropDesc;

#define CFG(f) offsetof(OioConfig, f)

static const OioPropDesc oio_props[] = {
    { "seed", CFG(seed), false, true, 0, INT64_MAX, 1,
      "seed of the fabrication variation (at reset)" },
    { "grid-center-pm", CFG(grid_center_pm), false, true,
      1260000, 1360000, 1310000, "laser grid centre, pm (at reset)" },
    { "grid-spacing-ghz", CFG(grid_spacing_ghz), false, true, 50, 800, 200,
      "laser grid spacing, GHz (at reset)" },
    { "laser-offset-pm", CFG(laser_offset_pm), false, true, 0, 5000, 1000,
      "max global laser grid offset, +-pm (at reset)" },
    { "laser-error-pm", CFG(laser_error_pm), false, true, 0, 1000, 57,
      "max per-line laser error, +-pm (at reset)" },
    { "ring-spread-pm", CFG(ring_spread_pm), false, true, 0, 10000, 2000,
      "max ring fabrication offset, +-pm (at reset)" },
    { "ring-bias-pm", CFG(ring_bias_pm), false, true, -10000, 10000, 0,
      "design offset of rings from their line, pm (at reset)" },
    { "fsr-lines", CFG(fsr_lines), false, true, 0, 32, 0,
      "ring FSR in grid spacings, 0 = wavelengths (at reset)" },
    { "fsr-spread-permille", CFG(fsr_spread_permille), false, true, 0, 200,
      10, "max FSR variation, +-permille (at reset)" },
    { "heater-range-pm", CFG(heater_range_pm), false, true, 100, 30000, 6700,
      "nominal full-scale heater shift, pm (at reset)" },
    { "heater-spread-permille", CFG(heater_spread_permille), false, true,
      0, 500, 100, "max heater range variation, +-permille (at reset)" },
    { "ring-q", CFG(ring_q), false, true, 500, 100000, 5000,
      "loaded Q of the rings (at reset)" },
    { "crosstalk-permille", CFG(crosstalk_permille), false, false, 0, 500,
      80, "share of a heater's shift seen by each neighbour" },
    { "drift-pm-per-k", CFG(drift_pm_per_k), false, false, 0, 500, 60,
      "ring resonance drift with card temperature" },
    { "heater-tau-ns", CFG(heater_tau_ns), false, false, 1, 1000000, 4000,
      "heater thermal time constant" },
    { "card-tau-ms", CFG(card_tau_ms), false, false, 1, 600000, 2000,
      "card temperature lag behind ambient" },
    { "laser-ramp-us", CFG(laser_ramp_us), false, false, 0, 100000, 1000,
      "laser bias ramp time" },
    { "ambient-mc", CFG(ambient_mc), false, false, -40000, 125000, 25000,
      "ambient temperature, milli-degC" },
    { "ambient-ramp-mc-per-s", CFG(ambient_ramp_mc_per_s), false, false,
      -100000, 100000, 0, "ambient temperature slope" },
    { "laser-temp-mc", CFG(laser_temp_mc), false, false, -40000, 125000,
      25000, "laser source TEC temperature, milli-degC" },
    { "interlock", CFG(interlock), true, false, 0, 1, 1,
      "laser safety interlock closed" },
    { "laser-fail-mask", CFG(laser_fail_mask), false, false, 0, 0xffff, 0,
      "fault: failed laser lines, bit per line" },
    { "stuck-ring", CFG(stuck_ring), false, false, -1, OIO_MAX_RINGS - 1, -1,
      "fault: ring whose heater ignores its DAC, -1 = none" },
    { "monitor-noise-na", CFG(monitor_noise_na), false, false, 0, 10000000,
      0, "fault: monitor photocurrent noise, nA rms" },
    { "fw-hang", CFG(fw_hang), true, false, 0, 1, 0,
      "fault: firmware engines never complete" },
    { "dead", CFG(dead), true, false, 0, 1, 0,
      "fault: device gone, reads return all ones" },
    { "irq-storm", CFG(irq_storm), true, false, 0, 1, 0,
      "fault: alarm vector fires continuously" },
    { "storm-period-us", CFG(storm_period_us), false, false, 1, 1000000, 50,
      "interrupt storm period" },
    { "cmd-latency-us", CFG(cmd_latency_us), false, false, 1, 1000000, 10,
      "firmware command latency" },
};

static int64_t *cfg_field(OioEngineState *s, const OioPropDesc *d)
{
    return (int64_t *)((char *)&s->cfg + d->offset);
}

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

static void oio_full_reset(OioEngineState *s, int64_t now)
{
    oio_silicon_init(s);
    oio_state_reset(s, now);
    oio_engines_reset(s);
    oio_schedule(s, now);
}

/* ---- Registers ---- */

static void bad_reg(const char *op, hwaddr addr, const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR, "oio: %s at 0x%04" HWADDR_PRIx ": %s\n",
                  op, addr, why);
}

static uint32_t lo_latch(uint64_t v, uint32_t *hi)
{
    *hi = (uint32_t)(v >> 32);
    return (uint32_t)v;
}

static uint32_t laser_read(OioEngineState *s, unsigned int l, hwaddr r,
                           int64_t t)
{
    OioLaser *lz = &s->laser[l];

    switch (r) {
    case OIO_LASER_CTRL:
        return lz->ctrl;
    case OIO_LASER_BIAS_SET:
        return lz->bias_set_ua;
    case OIO_LASER_BIAS:
        return (uint32_t)lround(oio_laser_bias_ua(s, l, t));
    case OIO_LASER_POWER:
        return (uint32_t)lround(oio_laser_power_uw(s, l, t));
    case OIO_LASER_TEMP:
        return (uint32_t)(int32_t)lround(oio_laser_temp(s, l) * 1000.0);
    case OIO_LASER_STATUS:
        return oio_laser_status(s, l, t);
    case OIO_LASER_ALARM:
        return lz->alarm;
    case OIO_LASER_ALARM_MASK:
        return lz->alarm_mask;
    }
    bad_reg("read", OIO_LASER_REG(l, r), "unassigned laser register");
    return 0;
}

static void laser_write(OioEngineState *s, unsigned int l, hwaddr r,
                        uint32_t v, int64_t t)
{
    OioLaser *lz = &s->laser[l];

    switch (r) {
    case OIO_LASER_CTRL:
        oio_laser_write_ctrl(s, l, v, t);
        return;
    case OIO_LASER_BIAS_SET:
        oio_laser_write_bias(s, l, v, t);
        return;
    case OIO_LASER_ALARM:
        lz->alarm &= ~v;
        return;
    case OIO_LASER_ALARM_MASK:
        lz->alarm_mask = v & 0x7f;
        return;
    }
    bad_reg("write", OIO_LASER_REG(l, r), "read-only or unassigned");
}

static uint32_t lane_read(OioEngineState *s, unsigned int n, hwaddr r)
{
    OioLane *ln = &s->lane[n];

    switch (r) {
    case OIO_LANE_STATE:
        return ln->state | (uint32_t)ln->reason << OIO_LANE_REASON_SHIFT;
    case OIO_LANE_PRBS_CTRL:
        return ln->prbs_ctrl;
    case OIO_LANE_PRBS_BITS_LO:
        return lo_latch(ln->bits, &ln->bits_hi_latch);
    case OIO_LANE_PRBS_BITS_HI:
        return ln->bits_hi_latch;
    case OIO_LANE_PRBS_ERR_LO:
        return lo_latch(ln->errors, &ln->errors_hi_latch);
    case OIO_LANE_PRBS_ERR_HI:
        return ln->errors_hi_latch;
    case OIO_LANE_ALARM:
        return ln->alarm;
    case OIO_LANE_ALARM_MASK:
        return ln->alarm_mask;
    }
    bad_reg("read", OIO_LANE_REG(n, r), "write-only or unassigned");
    return 0;
}

static void lane_write(OioEngineState *s, unsigned int n, hwaddr r,
                       uint32_t v, int64_t t)
{
    OioLane *ln = &s->lane[n];

    switch (r) {
    case OIO_LANE_CTRL:
        oio_lane_request(s, n, v, t);
        return;
    case OIO_LANE_PRBS_CTRL:
        oio_lane_prbs_ctrl(s, n, v);
        return;
    case OIO_LANE_ALARM:
        ln->alarm &= ~v;
        return;
    case OIO_LANE_ALARM_MASK:
        ln->alarm_mask = v & 0x3f;
        return;
    }
    bad_reg("write", OIO_LANE_REG(n, r), "read-only or unassigned");
}

static uint32_t ring_read(OioEngineState *s, unsigned int g, hwaddr r,
                          int64_t t)
{
    switch (r) {
    case OIO_RING_HEATER:
        return s->ring[g].code;
    case OIO_RING_MONITOR:
        return oio_ring_monitor_na(s, g, t, true);
    case OIO_RING_LOCK_CTRL:
        return s->ring[g].lock_en ? OIO_LOCK_ENABLE : 0;
    case OIO_RING_LOCK_STATUS:
        return oio_ring_lock_status(s, g);
    case OIO_RING_HEATER_UW:
        return oio_ring_heater_uw(s, g);
    }
    bad_reg("read", OIO_RING_REG(g, r), "unassigned ring register");
    return 0;
}

static void ring_write(OioEngineState *s, unsigned int g, hwaddr r,
                       uint32_t v, int64_t t)
{
    switch (r) {
    case OIO_RING_HEATER:
        if (v > OIO_HEATER_MAX) {
            bad_reg("write", OIO_RING_REG(g, r), "heater code above 4095");
        } else if (s->ring[g].lock_en) {
            bad_reg("write", OIO_RING_REG(g, r),
                    "heater owned by the lock loop");
        } else if (oio_ring_in_sweep(s, g)) {
            bad_reg("write", OIO_RING_REG(g, r), "ring is being swept");
        } else {
            oio_ring_set_code(s, g, v, t);
        }
        return;
    case OIO_RING_LOCK_CTRL:
        oio_ring_lock_ctrl(s, g, v, t);
        return;
    }
    bad_reg("write", OIO_RING_REG(g, r), "read-only or unassigned");
}

static bool global_read(OioEngineState *s, hwaddr a, int64_t t, uint32_t *v)
{
    if (a >= OIO_REG_LANE_ALARM_PENDING(0) &&
        a < OIO_REG_LANE_ALARM_PENDING(OIO_LANE_PENDING_WORDS)) {
        *v = oio_lane_pending(s, (a - OIO_REG_LANE_ALARM_PENDING(0)) / 4);
        return true;
    }
    if (a >= OIO_REG_PORT_LINE_SHIFT(0) &&
        a < OIO_REG_PORT_LINE_SHIFT(s->ports)) {
        *v = s->line_shift[(a - OIO_REG_PORT_LINE_SHIFT(0)) / 4];
        return true;
    }
    switch (a) {
    case OIO_REG_MAGIC:
        *v = OIO_MAGIC_VALUE;
        break;
    case OIO_REG_VERSION:
        *v = OIO_VERSION_VALUE;
        break;
    case OIO_REG_CAPS:
        *v = OIO_CAP_SWEEP | OIO_CAP_TELEMETRY | OIO_CAP_LOCK_LOOP |
             OIO_CAP_PRBS | OIO_CAP_CMD | OIO_CAP_LINE_SHIFT |
             OIO_CAP_INTERLOCK;
        break;
    case OIO_REG_GEOMETRY:
        *v = s->ports | s->wavelengths << OIO_GEOM_WAVELENGTHS_SHIFT |
             s->rings << OIO_GEOM_RINGS_SHIFT;
        break;
    case OIO_REG_SERIAL:
        *v = s->serial;
        break;
    case OIO_REG_FW_VERSION:
        *v = OIO_FW_VERSION_VALUE;
        break;
    case OIO_REG_BOARD_REV:
        *v = OIO_BOARD_REV_VALUE;
        break;
    case OIO_REG_SCRATCH:
        *v = s->scratch;
        break;
    case OIO_REG_STATUS:
        *v = OIO_STATUS_READY | (oio_thermal_settled(&s->thermal, t) ?
                                 OIO_STATUS_THERMAL_SETTLED : 0);
        break;
    case OIO_REG_GRID_FIRST_PM:
        *v = (uint32_t)lround(s->first_pm);
        break;
    case OIO_REG_GRID_SPACING_PM:
        *v = (uint32_t)lround(s->spacing_pm);
        break;
    case OIO_REG_RING_FSR_PM:
        *v = (uint32_t)lround(s->fsr_nom_pm);
        break;
    case OIO_REG_HEATER_RANGE_PM:
        *v = (uint32_t)lround(s->heater_range_nom_pm);
        break;
    case OIO_REG_RING_FWHM_PM:
        *v = (uint32_t)lround(s->fwhm_pm);
        break;
    case OIO_REG_LINE_RATE_MBPS:
        *v = OIO_LINE_RATE_MBPS;
        break;
    case OIO_REG_INT_STATUS:
        *v = s->int_status;
        break;
    case OIO_REG_CARD_TEMP:
        *v = (uint32_t)(int32_t)lround(oio_card_temp(s, t) * 1000.0);
        break;
    case OIO_REG_INTERLOCK:
        *v = (s->cfg.interlock ? OIO_INTERLOCK_CLOSED : 0) |
             s->interlock_opened;
        break;
    case OIO_REG_ARM:
        *v = s->armed ? OIO_ARM_ARMED : 0;
        break;
    case OIO_REG_LASER_REFUSED:
        *v = s->laser_refused;
        break;
    case OIO_REG_ALARM_SUMMARY:
        *v = oio_alarm_summary(s);
        break;
    case OIO_REG_CARD_ALARM:
        *v = s->card_alarm;
        break;
    case OIO_REG_CARD_ALARM_MASK:
        *v = s->card_alarm_mask;
        break;
    case OIO_REG_LASER_ALARM_PENDING:
        *v = oio_laser_pending(s);
        break;
    case OIO_REG_TEMP_HIGH_ALARM:
    case OIO_REG_TEMP_HIGH_WARN:
    case OIO_REG_TEMP_LOW_WARN:
    case OIO_REG_TEMP_LOW_ALARM:
        *v = (uint32_t)s->thr_temp[(a - OIO_REG_TEMP_HIGH_ALARM) / 4];
        break;
    case OIO_REG_BIAS_HIGH_ALARM:
    case OIO_REG_BIAS_HIGH_WARN:
        *v = s->thr_bias[(a - OIO_REG_BIAS_HIGH_ALARM) / 4];
        break;
    case OIO_REG_POWER_LOW_WARN:
    case OIO_REG_POWER_LOW_ALARM:
        *v = s->thr_power[(a - OIO_REG_POWER_LOW_WARN) / 4];
        break;
    case OIO_REG_LTEMP_HIGH_ALARM:
    case OIO_REG_LTEMP_LOW_ALARM:
        *v = (uint32_t)s->thr_ltemp[(a - OIO_REG_LTEMP_HIGH_ALARM) / 4];
        break;
    case OIO_REG_CMD_OPCODE:
        *v = s->cmd_opcode;
        break;
    case OIO_REG_CMD_ARG0:
    case OIO_REG_CMD_ARG1:
    case OIO_REG_CMD_ARG2:
    case OIO_REG_CMD_ARG3:
        *v = s->cmd_arg[(a - OIO_REG_CMD_ARG0) / 4];
        break;
    case OIO_REG_CMD_STATUS:
        *v = s->cmd.status;
        break;
    case OIO_REG_CMD_SEQ:
        *v = s->cmd.seq;
        break;
    case OIO_REG_SWEEP_ADDR_LO:
        *v = (uint32_t)s->sweep_addr;
        break;
    case OIO_REG_SWEEP_ADDR_HI:
        *v = (uint32_t)(s->sweep_addr >> 32);
        break;
    case OIO_REG_SWEEP_LEN:
        *v = s->sweep_len;
        break;
    case OIO_REG_SWEEP_FIRST_RING:
        *v = s->sweep_first;
        break;
    case OIO_REG_SWEEP_RING_COUNT:
        *v = s->sweep_count;
        break;
    case OIO_REG_SWEEP_START:
        *v = s->sweep_start;
        break;
    case OIO_REG_SWEEP_STOP:
        *v = s->sweep_stop;
        break;
    case OIO_REG_SWEEP_STEP:
        *v = s->sweep_step;
        break;
    case OIO_REG_SWEEP_DWELL_NS:
        *v = s->sweep_dwell_ns;
        break;
    case OIO_REG_SWEEP_STATUS:
        *v = s->sweep.status;
        break;
    case OIO_REG_SWEEP_SEQ:
        *v = s->sweep.seq;
        break;
    case OIO_REG_TELEM_ADDR_LO:
        *v = (uint32_t)s->telem_addr;
        break;
    case OIO_REG_TELEM_ADDR_HI:
        *v = (uint32_t)(s->telem_addr >> 32);
        break;
    case OIO_REG_TELEM_LEN:
        *v = s->telem_len;
        break;
    case OIO_REG_TELEM_CTRL:
        *v = s->telem_ctrl;
        break;
    case OIO_REG_TELEM_PERIOD_US:
        *v = s->telem_period_us;
        break;
    case OIO_REG_TELEM_STATUS:
        *v = s->telem.status;
        break;
    case OIO_REG_TELEM_SEQ:
        *v = s->telem.seq;
        break;
    case OIO_REG_TELEM_SIZE:
        *v = oio_telem_size(s);
        break;
    case OIO_REG_CNT_MMIO_RD_LO:
        *v = lo_latch(s->cnt_mmio_rd, &s->cnt_rd_hi_latch);
        break;
    case OIO_REG_CNT_MMIO_RD_HI:
        *v = s->cnt_rd_hi_latch;
        break;
    case OIO_REG_CNT_MMIO_WR_LO:
        *v = lo_latch(s->cnt_mmio_wr, &s->cnt_wr_hi_latch);
        break;
    case OIO_REG_CNT_MMIO_WR_HI:
        *v = s->cnt_wr_hi_latch;
        break;
    case OIO_REG_CNT_DMA_LO:
        *v = lo_latch(s->cnt_dma, &s->cnt_dma_hi_latch);
        break;
    case OIO_REG_CNT_DMA_HI:
        *v = s->cnt_dma_hi_latch;
        break;
    default:
        return false;
    }
    return true;
}

static void set64(uint64_t *reg, bool hi, uint32_t v)
{
    if (hi) {
        *reg = (*reg & 0xffffffffull) | (uint64_t)v << 32;
    } else {
        *reg = (*reg & ~0xffffffffull) | v;
    }
}

static bool sweep_locked(OioEngineState *s, hwaddr a)
{
    if (s->sweep.status != OIO_ENG_BUSY) {
        return false;
    }
    bad_reg("write", a, "sweep parameters are fixed while it runs");
    return true;
}

static void arm_write(OioEngineState *s, uint32_t v, int64_t t)
{
    unsigned int l;

    if (v == OIO_ARM_KEY) {
        if (!s->cfg.interlock) {
            s->laser_refused = OIO_REFUSED_INTERLOCK;
            return;
        }
        s->armed = true;
        return;
    }
    if (v != 0) {
        bad_reg("write", OIO_REG_ARM, "neither the arm key nor 0");
        return;
    }
    /* Disarming turns every line off the normal way, with a ramp. */
    s->armed = false;
    for (l = 0; l < s->wavelengths; l++) {
        oio_laser_write_ctrl(s, l, 0, t);
    }
}

static void soft_reset(OioEngineState *s, int64_t t)
{
    oio_full_reset(s, t);
}

static bool global_write(OioEngineState *s, hwaddr a, uint32_t v, int64_t t)
{
    if (a >= OIO_REG_PORT_LINE_SHIFT(0) &&
        a < OIO_REG_PORT_LINE_SHIFT(s->ports)) {
        unsigned int p = (a - OIO_REG_PORT_LINE_SHIFT(0)) / 4;

        if (v >= s->wavelengths) {
            bad_reg("write", a, "line shift not below wavelengths");
        } else if (oio_port_busy(s, p)) {
            bad_reg("write", a, "port has active lanes");
        } else {
            s->line_shift[p] = v;
        }
        return true;
    }
    switch (a) {
    case OIO_REG_SCRATCH:
        s->scratch = v;
        break;
    case OIO_REG_RESET:
        if (v == OIO_RESET_KEY) {
            soft_reset(s, t);
        } else {
            bad_reg("write", a, "wrong reset key");
        }
        break;
    case OIO_REG_INT_STATUS:
        s->int_status &= ~v;
        break;
    case OIO_REG_INTERLOCK:
        s->interlock_opened &= ~(v & OIO_INTERLOCK_OPENED);
        break;
    case OIO_REG_ARM:
        arm_write(s, v, t);
        break;
    case OIO_REG_CARD_ALARM:
        s->card_alarm &= ~v;
        break;
    case OIO_REG_CARD_ALARM_MASK:
        s->card_alarm_mask = v & 0x3f;
        break;
    case OIO_REG_TEMP_HIGH_ALARM:
    case OIO_REG_TEMP_HIGH_WARN:
    case OIO_REG_TEMP_LOW_WARN:
    case OIO_REG_TEMP_LOW_ALARM:
        s->thr_temp[(a - OIO_REG_TEMP_HIGH_ALARM) / 4] = (int32_t)v;
        break;
    case OIO_REG_BIAS_HIGH_ALARM:
    case OIO_REG_BIAS_HIGH_WARN:
        s->thr_bias[(a - OIO_REG_BIAS_HIGH_ALARM) / 4] = v;
        break;
    case OIO_REG_POWER_LOW_WARN:
    case OIO_REG_POWER_LOW_ALARM:
        s->thr_power[(a - OIO_REG_POWER_LOW_WARN) / 4] = v;
        break;
    case OIO_REG_LTEMP_HIGH_ALARM:
    case OIO_REG_LTEMP_LOW_ALARM:
        s->thr_ltemp[(a - OIO_REG_LTEMP_HIGH_ALARM) / 4] = (int32_t)v;
        break;
    case OIO_REG_CMD_OPCODE:
        oio_cmd_start(s, v, t);
        break;
    case OIO_REG_CMD_ARG0:
    case OIO_REG_CMD_ARG1:
    case OIO_REG_CMD_ARG2:
    case OIO_REG_CMD_ARG3:
        if (s->cmd.status == OIO_ENG_BUSY) {
            bad_reg("write", a, "command arguments fixed while it runs");
        } else {
            s->cmd_arg[(a - OIO_REG_CMD_ARG0) / 4] = v;
        }
        break;
    case OIO_REG_SWEEP_ADDR_LO:
    case OIO_REG_SWEEP_ADDR_HI:
        if (!sweep_locked(s, a)) {
            set64(&s->sweep_addr, a == OIO_REG_SWEEP_ADDR_HI, v);
        }
        break;
    case OIO_REG_SWEEP_LEN:
        if (!sweep_locked(s, a)) {
            s->sweep_len = v;
        }
        break;
    case OIO_REG_SWEEP_FIRST_RING:
        if (!sweep_locked(s, a)) {
            s->sweep_first = v;
        }
        break;
    case OIO_REG_SWEEP_RING_COUNT:
        if (!sweep_locked(s, a)) {
            s->sweep_count = v;
        }
        break;
    case OIO_REG_SWEEP_START:
        if (!sweep_locked(s, a)) {
            s->sweep_start = v;
        }
        break;
    case OIO_REG_SWEEP_STOP:
        if (!sweep_locked(s, a)) {
            s->sweep_stop = v;
        }
        break;
    case OIO_REG_SWEEP_STEP:
        if (!sweep_locked(s, a)) {
            s->sweep_step = v;
        }
        break;
    case OIO_REG_SWEEP_DWELL_NS:
        if (!sweep_locked(s, a)) {
            s->sweep_dwell_ns = v;
        }
        break;
    case OIO_REG_SWEEP_CTRL:
        oio_sweep_ctrl(s, v, t);
        break;
    case OIO_REG_TELEM_ADDR_LO:
    case OIO_REG_TELEM_ADDR_HI:
        set64(&s->telem_addr, a == OIO_REG_TELEM_ADDR_HI, v);
        break;
    case OIO_REG_TELEM_LEN:
        s->telem_len = v;
        break;
    case OIO_REG_TELEM_CTRL:
        oio_telem_ctrl(s, v, t);
        break;
    case OIO_REG_TELEM_PERIOD_US:
        if (v < OIO_TELEM_MIN_PERIOD_US || v > OIO_TELEM_MAX_PERIOD_US) {
            bad_reg("write", a, "period outside 1 ms .. 10 s");
        } else {
            s->telem_period_us = v;
        }
        break;
    case OIO_REG_CNT_CTRL:
        if (v & OIO_CNT_CLEAR) {
            s->cnt_mmio_rd = 0;
            s->cnt_mmio_wr = 0;
            s->cnt_dma = 0;
        }
        break;
    default:
        return false;
    }
    return true;
}

static uint64_t oio_mmio_read(void *opaque, hwaddr a, unsigned size)
{
    OioEngineState *s = opaque;
    int64_t t;
    uint32_t v = 0;

    s->cnt_mmio_rd++;
    if (s->cfg.dead) {
        return MAKE_64BIT_MASK(0, size * 8);
    }
    if (size != 4 || (a & 3)) {
        bad_reg("read", a, "only aligned 32-bit accesses are decoded");
        return MAKE_64BIT_MASK(0, size * 8);
    }
    t = oio_now();
    oio_advance(s, t);
    if (a >= OIO_RING_BASE && a < OIO_RING_REG(s->rings, 0)) {
        v = ring_read(s, (a - OIO_RING_BASE) / OIO_RING_STRIDE,
                      (a - OIO_RING_BASE) % OIO_RING_STRIDE, t);
    } else if (a >= OIO_LANE_BASE && a < OIO_LANE_REG(s->lanes, 0)) {
        v = lane_read(s, (a - OIO_LANE_BASE) / OIO_LANE_STRIDE,
                      (a - OIO_LANE_BASE) % OIO_LANE_STRIDE);
    } else if (a >= OIO_LASER_BASE && a < OIO_LASER_REG(s->wavelengths, 0)) {
        v = laser_read(s, (a - OIO_LASER_BASE) / OIO_LASER_STRIDE,
                       (a - OIO_LASER_BASE) % OIO_LASER_STRIDE, t);
    } else if (!global_read(s, a, t, &v)) {
        bad_reg("read", a, "write-only or unassigned");
    }
    oio_schedule(s, t);
    return v;
}

static void oio_mmio_write(void *opaque, hwaddr a, uint64_t val,
                           unsigned size)
{
    OioEngineState *s = opaque;
    uint32_t v = (uint32_t)val;
    int64_t t;

    s->cnt_mmio_wr++;
    if (s->cfg.dead) {
        return;
    }
    if (size != 4 || (a & 3)) {
        bad_reg("write", a, "only aligned 32-bit accesses are decoded");
        return;
    }
    t = oio_now();
    oio_advance(s, t);
    if (a >= OIO_RING_BASE && a < OIO_RING_REG(s->rings, 0)) {
        ring_write(s, (a - OIO_RING_BASE) / OIO_RING_STRIDE,
                   (a - OIO_RING_BASE) % OIO_RING_STRIDE, v, t);
    } else if (a >= OIO_LANE_BASE && a < OIO_LANE_REG(s->lanes, 0)) {
        lane_write(s, (a - OIO_LANE_BASE) / OIO_LANE_STRIDE,
                   (a - OIO_LANE_BASE) % OIO_LANE_STRIDE, v, t);
    } else if (a >= OIO_LASER_BASE && a < OIO_LASER_REG(s->wavelengths, 0)) {
        laser_write(s, (a - OIO_LASER_BASE) / OIO_LASER_STRIDE,
                    (a - OIO_LASER_BASE) % OIO_LASER_STRIDE, v, t);
    } else if (!global_write(s, a, v, t)) {
        bad_reg("write", a, "read-only or unassigned");
    }
    /* Raise what the write latched now, not at the next access. */
    oio_advance(s, t);
    oio_schedule(s, t);
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
    int64_t val = *cfg_field(OIO_ENGINE(obj), d);
    bool b = val;

    if (d->is_bool) {
        visit_type_bool(v, name, &b, errp);
    } else {
        visit_type_int64(v, name, &val, errp);
    }
}

static void oio_apply(OioEngineState *s, const OioPropDesc *d, int64_t old,
                      int64_t t)
{
    const OioConfig *c = &s->cfg;

    if (d->offset == CFG(ambient_mc)) {
        oio_thermal_set(&s->thermal, t, c->ambient_mc / 1000.0,
                        c->ambient_ramp_mc_per_s / 1000.0);
    } else if (d->offset == CFG(ambient_ramp_mc_per_s)) {
        /* A new slope starts from wherever the old one got to. */
        double amb = oio_thermal_ambient(&s->thermal, t);

        s->cfg.ambient_mc = llround(amb * 1000.0);
        oio_thermal_set(&s->thermal, t, amb,
                        c->ambient_ramp_mc_per_s / 1000.0);
    } else if (d->offset == CFG(card_tau_ms)) {
        oio_thermal_set(&s->thermal, t,
                        oio_thermal_ambient(&s->thermal, t),
                        s->thermal.ramp_per_s);
        s->thermal.tau_ns = c->card_tau_ms * 1e6;
    } else if (d->offset == CFG(interlock) && old && !c->interlock) {
        oio_interlock_changed(s, t);
    } else if (d->offset == CFG(stuck_ring) && old >= 0 &&
               old < (int64_t)s->rings) {
        /* A freed heater jumps to whatever its DAC now asks for. */
        oio_ring_set_code(s, (unsigned int)old, s->ring[old].code, t);
    } else if (d->offset == CFG(irq_storm)) {
        s->storm_next = t;
    }
}

static void oio_prop_set(Object *obj, Visitor *v, const char *name,
                         void *opaque, Error **errp)
{
    OioEngineState *s = OIO_ENGINE(obj);
    const OioPropDesc *d = opaque;
    int64_t val, old, t;
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
    if (!DEVICE(obj)->realized || d->at_reset) {
        *cfg_field(s, d) = val;
        return;
    }
    /* Bring the card to now under the old value, then change it. */
    t = oio_now();
    oio_advance(s, t);
    old = *cfg_field(s, d);
    *cfg_field(s, d) = val;
    oio_apply(s, d, old, t);
    /*
     * Any live knob may move light or heat: let every loop look again,
     * for as long as a ramp or a heater may still be moving.
     */
    oio_optics_dirty(s, -1, t + MAX(s->cfg.laser_ramp_us * 1000,
                                    5 * s->cfg.heater_tau_ns));
    oio_advance(s, t);
    oio_schedule(s, t);
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
    s->lanes = s->ports * s->wavelengths;
    s->rings = 2 * s->lanes;
    if (!s->serial) {
        s->serial = 10000000 + (uint32_t)(s->cfg.seed % 90000000);
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

    s->lane = g_new0(OioLane, s->lanes);
    s->ring = g_new0(OioRing, s->rings);
    s->sweep_saved = g_new0(uint32_t, s->rings);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, oio_timer_cb, s);

    s->thermal.t0_ns = t;
    s->thermal.amb0 = s->cfg.ambient_mc / 1000.0;
    s->thermal.temp0 = s->thermal.amb0;
    s->thermal.ramp_per_s = s->cfg.ambient_ramp_mc_per_s / 1000.0;
    s->thermal.tau_ns = s->cfg.card_tau_ms * 1e6;
    oio_full_reset(s, t);
}

static void oio_exit(PCIDevice *pdev)
{
    OioEngineState *s = OIO_ENGINE(pdev);

    timer_free(s->timer);
    s->timer = NULL;
    msix_unuse_all_vectors(pdev);
    msix_uninit_exclusive_bar(pdev);
    g_free(s->lane);
    g_free(s->ring);
    g_free(s->sweep_saved);
    s->lane = NULL;
    s->ring = NULL;
    s->sweep_saved = NULL;
}

static void oio_qdev_reset(DeviceState *dev)
{
    OioEngineState *s = OIO_ENGINE(dev);

    if (s->timer) {
        oio_full_reset(s, oio_now());
    }
}

static void oio_instance_init(Object *obj)
{
    OioEngineState *s = OIO_ENGINE(obj);
    size_t i;

    for (i = 0; i < ARRAY_SIZE(oio_props); i++) {
        *cfg_field(s, &oio_props[i]) = oio_props[i].def;
    }
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

    for (i = 0; i < ARRAY_SIZE(oio_props); i++) {
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
