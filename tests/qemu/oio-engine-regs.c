// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: the register file (BAR 0) as the bus sees it, and the
 * card's power-on state. docs/hardware.md is the datasheet this implements.
 *
 * Every guest access is checked: only aligned 32-bit accesses are decoded;
 * anything else, and any access to an unassigned offset, is logged as a
 * guest error and has a defined result (reads all ones for bad sizes, 0 for
 * holes; writes ignored). Nothing here depends on QEMU's device layer, so
 * the host tests drive the same register file with a clock of their own.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "oio-engine.h"

#include <math.h>

void oio_card_reset(OioEngineState *s, int64_t now)
{
    oio_silicon_init(s);
    oio_state_reset(s, now);
    oio_engines_reset(s);
    oio_schedule(s, now);
}

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
        oio_lane_ctrl(s, n, v, t);
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
    case OIO_REG_RING_DRIFT_PM_PER_K:
        *v = OIO_RING_DRIFT_NOM_PM_PER_K;
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
    case OIO_REG_SWEEP_POS_MASK:
        *v = s->sweep_pos_mask;
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
            oio_card_reset(s, t);
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
    case OIO_REG_SWEEP_POS_MASK:
        if (!sweep_locked(s, a)) {
            s->sweep_pos_mask = v;
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

uint64_t oio_bar_read(OioEngineState *s, uint64_t a, unsigned size,
                      int64_t t)
{
    uint32_t v = 0;

    s->cnt_mmio_rd++;
    if (s->cfg.dead) {
        return MAKE_64BIT_MASK(0, size * 8);
    }
    if (size != 4 || (a & 3)) {
        bad_reg("read", a, "only aligned 32-bit accesses are decoded");
        return MAKE_64BIT_MASK(0, size * 8);
    }
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

void oio_bar_write(OioEngineState *s, uint64_t a, uint64_t val, unsigned size,
                   int64_t t)
{
    uint32_t v = (uint32_t)val;

    s->cnt_mmio_wr++;
    if (s->cfg.dead) {
        return;
    }
    if (size != 4 || (a & 3)) {
        bad_reg("write", a, "only aligned 32-bit accesses are decoded");
        return;
    }
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
