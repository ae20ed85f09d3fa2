// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: the firmware-run engines that write to host memory:
 * the heater sweep engine, the telemetry engine and the command mailbox.
 *
 * Each engine validates its parameters when started and refuses bad ones
 * with an error status and a guest-error log line; nothing is written to
 * the host unless the whole block fits the buffer the host described.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "oio-engine.h"

#include <math.h>

static void engine_finish(OioEngineState *s, OioEngine *e, uint32_t status,
                          unsigned int vector)
{
    e->status = status;
    if (status == OIO_ENG_DONE) {
        e->seq++;
    }
    oio_raise(s, vector);
}

static void engine_refuse(OioEngineState *s, OioEngine *e, uint32_t status,
                          unsigned int vector, const char *what,
                          const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR, "oio: %s refused: %s\n", what, why);
    engine_finish(s, e, status, vector);
}

/* ---- Sweep engine ---- */

static uint32_t sweep_points(OioEngineState *s)
{
    return (s->sweep_stop - s->sweep_start) / s->sweep_step + 1;
}

/* A ring of the run at a position of the mask. */
static bool sweep_has(OioEngineState *s, unsigned int r)
{
    return r >= s->sweep_first && r - s->sweep_first < s->sweep_count &&
           (s->sweep_pos_mask >> (oio_ring_lane(r) % s->wavelengths) & 1);
}

static uint32_t sweep_rings(OioEngineState *s)
{
    uint32_t n = 0, r;

    for (r = s->sweep_first; r < s->sweep_first + s->sweep_count &&
         r < s->rings; r++) {
        n += sweep_has(s, r);
    }
    return n;
}

static uint64_t sweep_bytes(OioEngineState *s)
{
    return OIO_SWEEP_HDR_SIZE + 4ull * sweep_rings(s) * sweep_points(s);
}

bool oio_ring_in_sweep(OioEngineState *s, unsigned int r)
{
    return s->sweep.status == OIO_ENG_BUSY && sweep_has(s, r);
}

static const char *sweep_check(OioEngineState *s, uint32_t *status)
{
    unsigned int r;

    *status = OIO_ENG_ERR_INVAL;
    if (s->sweep_count == 0 || s->sweep_first >= s->rings ||
        s->sweep_count > s->rings - s->sweep_first) {
        return "ring range outside the card";
    }
    if (!sweep_rings(s)) {
        return "no ring of the run is at a position of the mask";
    }
    if (s->sweep_stop > OIO_HEATER_MAX || s->sweep_start > s->sweep_stop) {
        return "start/stop codes out of order or above 4095";
    }
    if (s->sweep_step == 0) {
        return "step is zero";
    }
    if (s->sweep_dwell_ns < OIO_SWEEP_MIN_DWELL_NS ||
        s->sweep_dwell_ns > OIO_SWEEP_MAX_DWELL_NS) {
        return "dwell outside 100 ns .. 1 ms";
    }
    if (s->sweep_addr & 7) {
        return "buffer address not 8-byte aligned";
    }
    for (r = s->sweep_first; r < s->sweep_first + s->sweep_count; r++) {
        if (sweep_has(s, r) && s->ring[r].lock_en) {
            return "a ring of the set has its lock loop enabled";
        }
    }
    if (s->sweep_addr + sweep_bytes(s) < s->sweep_addr) {
        return "buffer wraps the address space";
    }
    if (sweep_bytes(s) > s->sweep_len) {
        *status = OIO_ENG_ERR_NOSPC;
        return "buffer shorter than the trace";
    }
    return NULL;
}

static void sweep_restore(OioEngineState *s, int64_t t)
{
    unsigned int i;

    for (i = 0; i < s->sweep_count; i++) {
        if (sweep_has(s, s->sweep_first + i)) {
            oio_ring_set_code(s, s->sweep_first + i, s->sweep_saved[i], t);
        }
    }
}

void oio_sweep_ctrl(OioEngineState *s, uint32_t val, int64_t t)
{
    const char *why;
    uint32_t status;
    unsigned int i;

    if (val & ~(OIO_SWEEP_GO | OIO_SWEEP_ABORT)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: SWEEP_CTRL reserved bits 0x%x ignored\n",
                      val & ~(OIO_SWEEP_GO | OIO_SWEEP_ABORT));
    }
    if (val & OIO_SWEEP_ABORT) {
        if (s->sweep.status == OIO_ENG_BUSY) {
            sweep_restore(s, t);
            engine_finish(s, &s->sweep, OIO_ENG_ABORTED, OIO_VEC_SWEEP);
        }
        return;
    }
    if (!(val & OIO_SWEEP_GO)) {
        return;
    }
    if (s->sweep.status == OIO_ENG_BUSY) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: sweep started while one is running: ignored\n");
        return;
    }
    why = sweep_check(s, &status);
    if (why) {
        engine_refuse(s, &s->sweep, status, OIO_VEC_SWEEP, "sweep", why);
        return;
    }
    for (i = 0; i < s->sweep_count; i++) {
        s->sweep_saved[i] = s->ring[s->sweep_first + i].code;
    }
    s->sweep_t_start = t;
    s->sweep.t_done = t + (int64_t)sweep_points(s) * s->sweep_dwell_ns;
    s->sweep.status = OIO_ENG_BUSY;
}

/*
 * Replay the sweep point by point at the virtual times it ran: every ring
 * of the set steps to the next code, settles for one dwell, and its monitor
 * is sampled with its whole bus (neighbours, stealing) as it was then.
 */
static void sweep_complete(OioEngineState *s)
{
    uint32_t points = sweep_points(s), bytes = sweep_bytes(s);
    uint32_t first = s->sweep_first, last = first + s->sweep_count;
    uint32_t na[OIO_MAX_WAVELENGTHS];
    uint32_t *trace = g_malloc0(bytes);
    uint32_t *data = trace + OIO_SWEEP_HDR_SIZE / 4;
    uint32_t row[OIO_MAX_RINGS];
    unsigned int i, r, n = 0, W = s->wavelengths;
    int64_t dwell = s->sweep_dwell_ns;

    for (r = first; r < last; r++) {
        row[r] = n;
        n += sweep_has(s, r);
    }
    trace[OIO_SWEEP_HDR_MAGIC / 4] = cpu_to_le32(OIO_SWEEP_MAGIC);
    trace[OIO_SWEEP_HDR_SEQ / 4] = cpu_to_le32(s->sweep.seq + 1);
    trace[OIO_SWEEP_HDR_FIRST_RING / 4] = cpu_to_le32(first);
    trace[OIO_SWEEP_HDR_RING_COUNT / 4] = cpu_to_le32(n);
    trace[OIO_SWEEP_HDR_START / 4] = cpu_to_le32(s->sweep_start);
    trace[OIO_SWEEP_HDR_STEP / 4] = cpu_to_le32(s->sweep_step);
    trace[OIO_SWEEP_HDR_POINTS / 4] = cpu_to_le32(points);
    trace[OIO_SWEEP_HDR_TEMP / 4] =
        cpu_to_le32((int32_t)lround(oio_card_temp(s, s->sweep_t_start) *
                                    1000.0));

    for (i = 0; i < points; i++) {
        uint32_t code = s->sweep_start + i * s->sweep_step;
        int64_t t0 = s->sweep_t_start + (int64_t)i * dwell;
        bool seen[2 * OIO_MAX_PORTS] = { false };

        for (r = first; r < last; r++) {
            OioRing *g = &s->ring[r];

            if (!sweep_has(s, r)) {
                continue;
            }
            g->code = code;
            if ((int64_t)r != s->cfg.stuck_ring) {
                g->drive = code;
            }
            oio_ring_drive(s, r, oio_heater_shift(code, g->range_pm, g->law),
                           false, t0);
        }
        /* Sample each bus the set touches once, at the end of the dwell. */
        for (r = first; r < last; r++) {
            unsigned int port = r / 2 / W, side = r % 2, w;

            if (!sweep_has(s, r) || seen[2 * port + side]) {
                continue;
            }
            seen[2 * port + side] = true;
            oio_bus_monitors(s, port, side, t0 + dwell, na);
            for (w = 0; w < W; w++) {
                unsigned int rr = 2 * (port * W + w) + side;

                if (rr >= first && rr < last && sweep_has(s, rr)) {
                    data[row[rr] * points + i] = cpu_to_le32(na[w]);
                }
            }
        }
    }
    sweep_restore(s, s->sweep.t_done);

    if (oio_dma_write(s, s->sweep_addr, trace, bytes, "sweep")) {
        engine_finish(s, &s->sweep, OIO_ENG_DONE, OIO_VEC_SWEEP);
    } else {
        engine_finish(s, &s->sweep, OIO_ENG_ERR_DMA, OIO_VEC_SWEEP);
    }
    g_free(trace);
}

/* ---- Telemetry engine ---- */

uint32_t oio_telem_size(OioEngineState *s)
{
    return OIO_TELEM_HDR_SIZE + s->wavelengths * OIO_TELEM_LASER_SIZE +
           s->lanes * OIO_TELEM_LANE_SIZE + s->rings * OIO_TELEM_RING_SIZE;
}

static void put32(uint8_t *p, uint32_t off, uint32_t v)
{
    stl_le_p(p + off, v);
}

static void telem_fill(OioEngineState *s, uint8_t *blk, int64_t t)
{
    uint32_t na[OIO_MAX_WAVELENGTHS];
    unsigned int i, W = s->wavelengths;
    uint8_t *p;

    put32(blk, OIO_TELEM_HDR_MAGIC, OIO_TELEM_MAGIC);
    put32(blk, OIO_TELEM_HDR_SEQ, s->telem.seq + 1);
    put32(blk, OIO_TELEM_HDR_TIME_NS_LO, (uint32_t)t);
    put32(blk, OIO_TELEM_HDR_TIME_NS_HI, (uint32_t)((uint64_t)t >> 32));
    put32(blk, OIO_TELEM_HDR_SIZE_BYTES, oio_telem_size(s));
    put32(blk, OIO_TELEM_HDR_GEOMETRY,
          s->ports | W << OIO_GEOM_WAVELENGTHS_SHIFT |
          s->rings << OIO_GEOM_RINGS_SHIFT);
    put32(blk, OIO_TELEM_HDR_CARD_TEMP,
          (int32_t)lround(oio_card_temp(s, t) * 1000.0));
    put32(blk, OIO_TELEM_HDR_CARD_ALARM, s->card_alarm);
    put32(blk, OIO_TELEM_HDR_INTERLOCK,
          (s->cfg.interlock ? OIO_INTERLOCK_CLOSED : 0) | s->interlock_opened);
    put32(blk, OIO_TELEM_HDR_ARM, s->armed ? OIO_ARM_ARMED : 0);

    p = blk + OIO_TELEM_HDR_SIZE;
    for (i = 0; i < W; i++, p += OIO_TELEM_LASER_SIZE) {
        put32(p, OIO_TELEM_LASER_CTRL, s->laser[i].ctrl);
        put32(p, OIO_TELEM_LASER_BIAS_SET, s->laser[i].bias_set_ua);
        put32(p, OIO_TELEM_LASER_BIAS,
              (uint32_t)lround(oio_laser_bias_ua(s, i, t)));
        put32(p, OIO_TELEM_LASER_POWER,
              (uint32_t)lround(oio_laser_power_uw(s, i, t)));
        put32(p, OIO_TELEM_LASER_TEMP,
              (int32_t)lround(oio_laser_temp(s, i) * 1000.0));
        put32(p, OIO_TELEM_LASER_STATUS, oio_laser_status(s, i, t));
        put32(p, OIO_TELEM_LASER_ALARM, s->laser[i].alarm);
    }
    for (i = 0; i < s->lanes; i++, p += OIO_TELEM_LANE_SIZE) {
        OioLane *ln = &s->lane[i];

        put32(p, OIO_TELEM_LANE_STATE,
              ln->state | ln->reason << OIO_LANE_REASON_SHIFT);
        put32(p, OIO_TELEM_LANE_PRBS_CTRL, ln->prbs_ctrl);
        put32(p, OIO_TELEM_LANE_BITS_LO, (uint32_t)ln->bits);
        put32(p, OIO_TELEM_LANE_BITS_HI, (uint32_t)(ln->bits >> 32));
        put32(p, OIO_TELEM_LANE_ERR_LO, (uint32_t)ln->errors);
        put32(p, OIO_TELEM_LANE_ERR_HI, (uint32_t)(ln->errors >> 32));
        put32(p, OIO_TELEM_LANE_ALARM, ln->alarm);
        put32(p, OIO_TELEM_LANE_SHIFT, s->line_shift[i / W]);
    }
    for (i = 0; i < s->rings; i++) {
        uint8_t *rp = p + i * OIO_TELEM_RING_SIZE;
        unsigned int lane = i / 2;

        /* Monitors are sampled a bus at a time, at the first ring of it. */
        if (lane % W == 0 && i % 2 == 0) {
            unsigned int side, w;

            for (side = 0; side < 2; side++) {
                oio_bus_monitors(s, lane / W, side, t, na);
                for (w = 0; w < W; w++) {
                    put32(p + (2 * (lane + w) + side) * OIO_TELEM_RING_SIZE,
                          OIO_TELEM_RING_MONITOR, na[w]);
                }
            }
        }
        put32(rp, OIO_TELEM_RING_HEATER, s->ring[i].code);
        put32(rp, OIO_TELEM_RING_LOCK,
              (s->ring[i].lock_en ? OIO_LOCK_ENABLE : 0) << 16 |
              oio_ring_lock_status(s, i));
        put32(rp, OIO_TELEM_RING_HEATER_UW, oio_ring_heater_uw(s, i));
    }
}

static const char *telem_check(OioEngineState *s, uint32_t *status)
{
    *status = OIO_ENG_ERR_INVAL;
    if (s->telem_addr & 7) {
        return "buffer address not 8-byte aligned";
    }
    if (s->telem_addr + oio_telem_size(s) < s->telem_addr) {
        return "buffer wraps the address space";
    }
    if (s->telem_len < oio_telem_size(s)) {
        *status = OIO_ENG_ERR_NOSPC;
        return "buffer shorter than one block";
    }
    return NULL;
}

static void telem_write(OioEngineState *s, int64_t t)
{
    uint32_t size = oio_telem_size(s), status;
    const char *why = telem_check(s, &status);
    uint8_t *blk;

    if (why) {
        s->telem_ctrl &= ~OIO_TELEM_PERIODIC;
        engine_refuse(s, &s->telem, status, OIO_VEC_TELEM, "telemetry", why);
        return;
    }
    blk = g_malloc0(size);
    telem_fill(s, blk, t);
    if (oio_dma_write(s, s->telem_addr, blk, size, "telemetry")) {
        engine_finish(s, &s->telem, OIO_ENG_DONE, OIO_VEC_TELEM);
    } else {
        s->telem_ctrl &= ~OIO_TELEM_PERIODIC;
        engine_finish(s, &s->telem, OIO_ENG_ERR_DMA, OIO_VEC_TELEM);
    }
    g_free(blk);
}

void oio_telem_ctrl(OioEngineState *s, uint32_t val, int64_t t)
{
    const uint32_t valid = OIO_TELEM_SNAPSHOT | OIO_TELEM_PERIODIC;
    const char *why;
    uint32_t status;

    if (val & ~valid) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: TELEM_CTRL reserved bits 0x%x ignored\n",
                      val & ~valid);
    }
    if ((val & OIO_TELEM_PERIODIC) && !(s->telem_ctrl & OIO_TELEM_PERIODIC)) {
        why = telem_check(s, &status);
        if (why) {
            engine_refuse(s, &s->telem, status, OIO_VEC_TELEM,
                          "periodic telemetry", why);
            return;
        }
        s->telem_next = t + (int64_t)s->telem_period_us * 1000;
    }
    s->telem_ctrl = val & OIO_TELEM_PERIODIC;
    if (!(val & OIO_TELEM_SNAPSHOT)) {
        return;
    }
    if (s->telem.status == OIO_ENG_BUSY) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: telemetry snapshot while one is pending: "
                      "ignored\n");
        return;
    }
    why = telem_check(s, &status);
    if (why) {
        engine_refuse(s, &s->telem, status, OIO_VEC_TELEM, "telemetry", why);
        return;
    }
    s->telem.status = OIO_ENG_BUSY;
    s->telem.t_done = t + OIO_T_TELEM_NS;
}

/* ---- Command mailbox ---- */

void oio_cmd_start(OioEngineState *s, uint32_t opcode, int64_t t)
{
    if (s->cmd.status == OIO_ENG_BUSY) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: command 0x%x while 0x%x is running: ignored\n",
                      opcode, s->cmd_opcode);
        return;
    }
    s->cmd_opcode = opcode;
    s->cmd.status = OIO_ENG_BUSY;
    s->cmd.t_done = t + s->cfg.cmd_latency_us * 1000;
}

static void ident_field(uint8_t *blk, uint32_t off, const char *text)
{
    pstrcpy((char *)blk + off, OIO_IDENT_FIELD_LEN, text);
}

static void cmd_complete(OioEngineState *s)
{
    uint64_t addr = s->cmd_arg[0] | (uint64_t)s->cmd_arg[1] << 32;
    uint8_t blk[OIO_IDENT_SIZE] = { 0 };
    char text[OIO_IDENT_FIELD_LEN];

    switch (s->cmd_opcode) {
    case OIO_CMD_NOP:
        engine_finish(s, &s->cmd, OIO_ENG_DONE, OIO_VEC_CMD);
        return;
    case OIO_CMD_IDENTIFY:
        if (s->cmd_arg[2] < OIO_IDENT_SIZE) {
            engine_refuse(s, &s->cmd, OIO_ENG_ERR_NOSPC, OIO_VEC_CMD,
                          "IDENTIFY", "buffer shorter than 128 bytes");
            return;
        }
        snprintf(text, sizeof(text), "OIO-E%ux%u-EMU", s->ports,
                 s->wavelengths);
        ident_field(blk, OIO_IDENT_PART, text);
        snprintf(text, sizeof(text), "OIO%08u", s->serial);
        ident_field(blk, OIO_IDENT_SERIAL, text);
        ident_field(blk, OIO_IDENT_FW, OIO_FW_VERSION_STRING);
        ident_field(blk, OIO_IDENT_BOARD, OIO_BOARD_STRING);
        engine_finish(s, &s->cmd,
                      oio_dma_write(s, addr, blk, sizeof(blk), "IDENTIFY") ?
                      OIO_ENG_DONE : OIO_ENG_ERR_DMA, OIO_VEC_CMD);
        return;
    default:
        engine_refuse(s, &s->cmd, OIO_ENG_ERR_INVAL, OIO_VEC_CMD, "command",
                      "unknown opcode");
    }
}

void oio_engines_advance(OioEngineState *s, int64_t now)
{
    /* Hung firmware, or a card gone: nothing completes until it is back. */
    if (s->cfg.fw_hang || s->cfg.dead) {
        return;
    }
    if (s->cmd.status == OIO_ENG_BUSY && s->cmd.t_done <= now) {
        cmd_complete(s);
    }
    if (s->sweep.status == OIO_ENG_BUSY && s->sweep.t_done <= now) {
        sweep_complete(s);
    }
    if (s->telem.status == OIO_ENG_BUSY && s->telem.t_done <= now) {
        telem_write(s, now);
    }
    if ((s->telem_ctrl & OIO_TELEM_PERIODIC) && s->telem_next <= now) {
        s->telem_next = now + (int64_t)s->telem_period_us * 1000;
        telem_write(s, now);
    }
}

void oio_engines_reset(OioEngineState *s)
{
    memset(&s->cmd, 0, sizeof(s->cmd));
    memset(&s->sweep, 0, sizeof(s->sweep));
    memset(&s->telem, 0, sizeof(s->telem));
    memset(s->cmd_arg, 0, sizeof(s->cmd_arg));
    s->cmd_opcode = 0;
    s->sweep_addr = 0;
    s->sweep_len = 0;
    s->sweep_first = 0;
    s->sweep_count = 0;
    s->sweep_start = 0;
    s->sweep_stop = 0;
    s->sweep_step = 1;
    s->sweep_dwell_ns = 10000;
    s->sweep_pos_mask = OIO_SWEEP_ALL_POSITIONS;
    s->telem_addr = 0;
    s->telem_len = 0;
    s->telem_ctrl = 0;
    s->telem_period_us = 100000;
    s->telem_next = 0;
}
