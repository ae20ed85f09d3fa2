// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: lanes (a CMIS-like data-path state machine), their PRBS
 * counters and bit error ratio, and the latched alarms of card, lasers and
 * lanes.
 *
 * The card knows whether a lane's rings are locked, not on which line: a
 * ring on the wrong line is visible only in the bit error ratio, because
 * the far end (a partner on the fibre loopback that follows the same line
 * shift) receives another lane's data, or none.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "oio-engine.h"

#include <math.h>

/* A flag that newly latches and is not masked raises the alarm vector. */
static void latch(OioEngineState *s, uint32_t *flags, uint32_t mask,
                  uint32_t bits)
{
    uint32_t fresh = bits & ~*flags;

    *flags |= bits;
    if (fresh & ~mask) {
        s->alarm_irq_pending = true;
    }
}

void oio_latch_card(OioEngineState *s, uint32_t bits)
{
    latch(s, &s->card_alarm, s->card_alarm_mask, bits);
}

void oio_latch_laser(OioEngineState *s, unsigned int l, uint32_t bits)
{
    latch(s, &s->laser[l].alarm, s->laser[l].alarm_mask, bits);
}

void oio_latch_lane(OioEngineState *s, unsigned int n, uint32_t bits)
{
    latch(s, &s->lane[n].alarm, s->lane[n].alarm_mask, bits);
}

uint32_t oio_laser_pending(OioEngineState *s)
{
    uint32_t v = 0;
    unsigned int l;

    for (l = 0; l < s->wavelengths; l++) {
        if (s->laser[l].alarm & ~s->laser[l].alarm_mask) {
            v |= 1u << l;
        }
    }
    return v;
}

uint32_t oio_lane_pending(OioEngineState *s, unsigned int word)
{
    uint32_t v = 0;
    unsigned int i;

    for (i = 0; i < 32 && word * 32 + i < s->lanes; i++) {
        OioLane *ln = &s->lane[word * 32 + i];

        if (ln->alarm & ~ln->alarm_mask) {
            v |= 1u << i;
        }
    }
    return v;
}

uint32_t oio_alarm_summary(OioEngineState *s)
{
    uint32_t v = 0;
    unsigned int i;

    if (s->card_alarm & ~s->card_alarm_mask) {
        v |= OIO_SUMMARY_CARD;
    }
    if (oio_laser_pending(s)) {
        v |= OIO_SUMMARY_LASER;
    }
    for (i = 0; i * 32 < s->lanes; i++) {
        if (oio_lane_pending(s, i)) {
            v |= OIO_SUMMARY_LANE;
        }
    }
    return v;
}

static void lane_set(OioEngineState *s, unsigned int n, uint8_t state,
                     uint8_t reason, int64_t t_due)
{
    OioLane *ln = &s->lane[n];
    uint32_t flags = 0;

    if (ln->state != state) {
        flags |= OIO_LNALM_STATE_CHANGED;
    }
    if (reason != OIO_REASON_NONE) {
        flags |= OIO_LNALM_FAILED;
    }
    ln->state = state;
    ln->reason = reason;
    ln->t_due = t_due;
    if (flags) {
        oio_latch_lane(s, n, flags);
    }
}

/* What keeps this lane from running, as far as the card can tell. */
static uint8_t lane_fault(OioEngineState *s, unsigned int n, int64_t t)
{
    OioRing *tx = &s->ring[2 * n + OIO_RING_TX];
    OioRing *rx = &s->ring[2 * n + OIO_RING_RX];

    if (!s->cfg.interlock) {
        return OIO_REASON_INTERLOCK;
    }
    if (!oio_laser_emitting(s, oio_lane_line(s, n), t)) {
        return OIO_REASON_LASER_DARK;
    }
    if (!tx->lock_en || tx->lock_state != OIO_LOCK_LOCKED) {
        return OIO_REASON_TX_UNLOCKED;
    }
    if (!rx->lock_en || rx->lock_state != OIO_LOCK_LOCKED) {
        return OIO_REASON_RX_UNLOCKED;
    }
    return OIO_REASON_NONE;
}

void oio_lane_ctrl(OioEngineState *s, unsigned int n, uint32_t req,
                      int64_t t)
{
    OioLane *ln = &s->lane[n];

    switch (req) {
    case OIO_LANE_REQ_INIT:
        if (ln->state == OIO_DP_DEACTIVATED) {
            lane_set(s, n, OIO_DP_INIT, OIO_REASON_NONE, t + OIO_T_INIT_NS);
            return;
        }
        break;
    case OIO_LANE_REQ_ACTIVATE:
        if (ln->state == OIO_DP_INITIALIZED) {
            lane_set(s, n, OIO_DP_TXTURNON, OIO_REASON_NONE,
                     t + OIO_T_TXON_NS);
            return;
        }
        break;
    case OIO_LANE_REQ_DEACTIVATE:
        switch (ln->state) {
        case OIO_DP_DEACTIVATED:
        case OIO_DP_DEINIT:
            return;
        case OIO_DP_ACTIVATED:
            lane_set(s, n, OIO_DP_TXTURNOFF, OIO_REASON_NONE,
                     t + OIO_T_TXOFF_NS);
            return;
        case OIO_DP_TXTURNOFF:
            return;
        default:
            lane_set(s, n, OIO_DP_DEINIT, OIO_REASON_NONE,
                     t + OIO_T_DEINIT_NS);
            return;
        }
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "oio: lane %u unknown request %u\n",
                      n, req);
        ln->reason = OIO_REASON_BAD_REQUEST;
        oio_latch_lane(s, n, OIO_LNALM_FAILED);
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "oio: lane %u request %u invalid in state %u\n",
                  n, req, ln->state);
    ln->reason = OIO_REASON_BAD_REQUEST;
    oio_latch_lane(s, n, OIO_LNALM_FAILED);
}

void oio_lane_prbs_ctrl(OioEngineState *s, unsigned int n, uint32_t val)
{
    OioLane *ln = &s->lane[n];
    uint32_t valid = OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR;

    if (val & ~valid) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: lane %u PRBS_CTRL reserved bits 0x%x ignored\n",
                      n, val & ~valid);
    }
    if (val & OIO_PRBS_CLEAR) {
        ln->bits = 0;
        ln->errors = 0;
        ln->bits_frac = 0;
    }
    ln->prbs_ctrl = val & (OIO_PRBS_GEN | OIO_PRBS_CHECK);
}

bool oio_port_busy(OioEngineState *s, unsigned int port)
{
    unsigned int w;

    for (w = 0; w < s->wavelengths; w++) {
        uint8_t st = s->lane[port * s->wavelengths + w].state;

        if (st == OIO_DP_ACTIVATED || st == OIO_DP_TXTURNON) {
            return true;
        }
    }
    return false;
}

static void lane_complete(OioEngineState *s, unsigned int n, int64_t t)
{
    OioLane *ln = &s->lane[n];
    uint8_t why;

    switch (ln->state) {
    case OIO_DP_INIT:
        why = !s->cfg.interlock ? OIO_REASON_INTERLOCK :
              !oio_laser_emitting(s, oio_lane_line(s, n), t) ?
              OIO_REASON_LASER_DARK : OIO_REASON_NONE;
        lane_set(s, n, why ? OIO_DP_DEACTIVATED : OIO_DP_INITIALIZED, why, 0);
        break;
    case OIO_DP_TXTURNON:
        why = lane_fault(s, n, t);
        lane_set(s, n, why ? OIO_DP_INITIALIZED : OIO_DP_ACTIVATED, why, 0);
        break;
    case OIO_DP_TXTURNOFF:
        lane_set(s, n, OIO_DP_DEINIT, OIO_REASON_NONE,
                 ln->t_due + OIO_T_DEINIT_NS);
        break;
    case OIO_DP_DEINIT:
        lane_set(s, n, OIO_DP_DEACTIVATED, OIO_REASON_NONE, 0);
        break;
    }
}

bool oio_lane_transient(const OioLane *ln)
{
    return ln->state == OIO_DP_INIT || ln->state == OIO_DP_TXTURNON ||
           ln->state == OIO_DP_TXTURNOFF || ln->state == OIO_DP_DEINIT;
}

void oio_lanes_advance(OioEngineState *s, int64_t now)
{
    unsigned int n;

    for (n = 0; n < s->lanes; n++) {
        OioLane *ln = &s->lane[n];
        uint8_t why;

        while (oio_lane_transient(ln) && ln->t_due <= now) {
            lane_complete(s, n, now);
        }
        if (ln->state == OIO_DP_ACTIVATED) {
            why = lane_fault(s, n, now);
            if (why) {
                lane_set(s, n, OIO_DP_INITIALIZED, why, 0);
            }
        }
    }
}

static double response(const BusView *b, unsigned int w, unsigned int l)
{
    return oio_lorentzian(oio_bus_detune(&b->bus, w, l), b->fwhm[w]);
}

/*
 * The eye of lane n: its own TX ring's modulation of its line, less what
 * other TX rings imprint on that line, times its RX ring's pick-up of the
 * line, less what it picks up of the other lines (other lanes' data).
 */
double oio_lane_ber(OioEngineState *s, unsigned int n, const BusView *tx,
                    const BusView *rx)
{
    unsigned int W = s->wavelengths, w = n % W, line = oio_lane_line(s, n);
    double tx_in = tx->in[w * W + line], rx_in = rx->in[w * W + line];
    double eye_tx, eye_rx, rx_path, q;
    unsigned int k;

    if (tx_in <= 0 || rx_in <= 0 || rx->line_uw[line] <= 0) {
        return 0.5;
    }
    eye_tx = response(tx, w, line);
    eye_rx = response(rx, w, line);
    for (k = 0; k < W; k++) {
        /* k a ring of the TX bus, then k a line */
        if (k != w) {
            eye_tx -= tx->in[k * W + line] / tx_in * response(tx, k, line);
        }
        if (k != line) {
            eye_rx -= rx->in[w * W + k] / rx_in * response(rx, w, k);
        }
    }
    rx_path = rx_in / rx->line_uw[line];
    q = oio_lane_q(tx_in * OIO_LINK_LOSS * rx_path, MAX(eye_tx, 0.0),
                   MAX(eye_rx, 0.0), OIO_Q_NOMINAL, OIO_P_NOMINAL_UW);
    return oio_ber_from_q(q);
}

void oio_prbs_advance(OioEngineState *s, int64_t now)
{
    double dt_s = (double)(now - s->t_last) * OIO_S_PER_NS;
    const uint32_t both = OIO_PRBS_GEN | OIO_PRBS_CHECK;
    unsigned int n, port = UINT_MAX;
    BusView tx, rx;

    if (dt_s <= 0) {
        return;
    }
    for (n = 0; n < s->lanes; n++) {
        OioLane *ln = &s->lane[n];
        double bits;

        if ((ln->prbs_ctrl & both) != both) {
            continue;
        }
        if (port != n / s->wavelengths) {
            port = n / s->wavelengths;
            oio_bus_view(s, port, OIO_RING_TX, now, NULL, &tx);
            oio_bus_view(s, port, OIO_RING_RX, now, NULL, &rx);
        }
        bits = ln->bits_frac + dt_s * OIO_LINE_RATE_MBPS * 1e6;
        ln->bits += (uint64_t)bits;
        ln->bits_frac = bits - floor(bits);
        ln->errors += oio_rng_bit_errors(&s->bit_errors, (uint64_t)bits,
                                         oio_lane_ber(s, n, &tx, &rx));
    }
}

void oio_alarms_eval(OioEngineState *s, int64_t now)
{
    double mc = oio_card_temp(s, now) * 1000.0;
    uint32_t bits = 0;
    unsigned int l;

    if (mc > s->thr_temp[0]) {
        bits |= OIO_CARD_TEMP_HIGH_ALARM;
    }
    if (mc > s->thr_temp[1]) {
        bits |= OIO_CARD_TEMP_HIGH_WARN;
    }
    if (mc < s->thr_temp[2]) {
        bits |= OIO_CARD_TEMP_LOW_WARN;
    }
    if (mc < s->thr_temp[3]) {
        bits |= OIO_CARD_TEMP_LOW_ALARM;
    }
    if (bits) {
        oio_latch_card(s, bits);
    }

    for (l = 0; l < s->wavelengths; l++) {
        OioLaser *lz = &s->laser[l];
        uint32_t st = oio_laser_status(s, l, now);
        double ltemp = oio_laser_temp(s, l) * 1000.0;

        bits = 0;
        if (st & OIO_LASER_ST_FAILED) {
            bits |= OIO_LALM_FAILURE;
        }
        if (ltemp > s->thr_ltemp[0]) {
            bits |= OIO_LALM_TEMP_HIGH;
        }
        if (ltemp < s->thr_ltemp[1]) {
            bits |= OIO_LALM_TEMP_LOW;
        }
        /* Bias and power are judged once a ramp has finished. */
        if ((lz->ctrl & OIO_LASER_ENABLE) && !(st & OIO_LASER_ST_RAMPING)) {
            double ua = oio_laser_bias_ua(s, l, now);
            double uw = oio_laser_power_uw(s, l, now);

            if (ua > s->thr_bias[0]) {
                bits |= OIO_LALM_BIAS_HIGH;
            }
            if (ua > s->thr_bias[1]) {
                bits |= OIO_LALM_BIAS_HIGH_WARN;
            }
            if (uw < s->thr_power[0]) {
                bits |= OIO_LALM_POWER_LOW_WARN;
            }
            if (uw < s->thr_power[1]) {
                bits |= OIO_LALM_POWER_LOW;
            }
        }
        if (bits) {
            oio_latch_laser(s, l, bits);
        }
    }
}
