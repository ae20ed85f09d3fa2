// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: the rings' hardware lock loops.
 *
 * A loop dithers its heater and climbs the ring's own monitor signal. When
 * enabled it spends lock-capture-us ACQUIRING, then has either climbed to a
 * peak - the line it will follow - or seen no slope it could tell from the
 * monitor noise, or run into a heater end (NO_SIGNAL). It cannot know which
 * laser line it found: the nearest peak uphill is the one it takes. Once
 * LOCKED it follows that line, a small residual error off its centre.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "oio-engine.h"

#include <math.h>

#define SOLVED_TEMP_EPS_C 0.00001
/*
 * The loop's residual error, in linewidths per unit of noise-to-signal
 * ratio of its monitor at the peak.
 */
#define RESIDUAL_PER_NSR 1.0

uint32_t oio_ring_lock_status(OioEngineState *s, unsigned int r)
{
    OioRing *g = &s->ring[r];

    return g->lock_state | (g->at_limit ? OIO_LOCK_AT_LIMIT : 0);
}

/* Lock-loss and at-limit flags live in the lane the ring belongs to. */
static uint32_t ring_flag(unsigned int r, uint32_t tx, uint32_t rx)
{
    return oio_ring_side(r) == OIO_RING_TX ? tx : rx;
}

/*
 * The loop's bandwidth (kHz) dwarfs any thermal change, so tracking is
 * modelled as solving for the heater codes directly; neighbours heat each
 * other, so a few Gauss-Seidel passes settle the coupled rings of a bus.
 */
void oio_track_bus(OioEngineState *s, unsigned int port, unsigned int side,
                   int64_t t)
{
    unsigned int w, pass, W = s->wavelengths, id = 2 * port + side;
    bool limit[OIO_MAX_WAVELENGTHS] = { false };
    double temp = oio_card_temp(s, t);
    bool any = false;
    BusView b;

    /*
     * Nothing moved since the last solve, or it was at this very instant
     * and nothing was touched since: the loops sit where they were.
     */
    if ((s->bus_solved_at[id] > s->bus_dirty_until[id] ||
         s->bus_solved_at[id] == t) &&
        fabs(temp - s->bus_solved_temp[id]) < SOLVED_TEMP_EPS_C) {
        return;
    }
    s->bus_solved_temp[id] = temp;
    s->bus_solved_at[id] = t;
    for (w = 0; w < W; w++) {
        OioRing *g = &s->ring[oio_bus_ring(s, port, side, w)];

        any |= g->lock_en && g->lock_state == OIO_LOCK_LOCKED;
    }
    if (!any) {
        return;
    }

    for (pass = 0; pass < 4; pass++) {
        oio_bus_place(s, port, side, t, NULL, &b);
        for (w = 0; w < W; w++) {
            unsigned int r = oio_bus_ring(s, port, side, w);
            OioRing *g = &s->ring[r];
            double h, d;

            if (!g->lock_en || g->lock_state != OIO_LOCK_LOCKED) {
                continue;
            }
            d = oio_bus_detune(&b.bus, w, g->lock_line);
            h = oio_ring_heater_shift(s, r, t) + d - g->residual_pm;
            limit[w] = false;
            if (h < 0) {
                h = 0;
                limit[w] = true;
            } else if (h > g->range_pm) {
                h = g->range_pm;
                limit[w] = true;
            }
            g->code = oio_heater_code(h, g->range_pm, g->law);
            if ((int64_t)r != s->cfg.stuck_ring) {
                g->drive = g->code;
            }
            oio_ring_drive(s, r, oio_heater_shift(g->code, g->range_pm,
                                                  g->law), true, t);
        }
    }

    oio_bus_view(s, port, side, t, NULL, &b);
    for (w = 0; w < W; w++) {
        unsigned int r = oio_bus_ring(s, port, side, w);
        OioRing *g = &s->ring[r];
        double d, p;

        if (!g->lock_en || g->lock_state != OIO_LOCK_LOCKED) {
            continue;
        }
        d = oio_bus_detune(&b.bus, w, g->lock_line) - g->residual_pm;
        p = b.in[w * W + g->lock_line];
        if (limit[w] && !g->at_limit) {
            oio_latch_lane(s, oio_ring_lane(r),
                           ring_flag(r, OIO_LNALM_TX_AT_LIMIT,
                                     OIO_LNALM_RX_AT_LIMIT));
        }
        g->at_limit = limit[w];
        if (fabs(d) > g->fwhm_pm / 2 || p < OIO_SIGNAL_MIN_UW / 2) {
            g->lock_state = OIO_LOCK_LOST;
            oio_latch_lane(s, oio_ring_lane(r),
                           ring_flag(r, OIO_LNALM_TX_LOCK_LOST,
                                     OIO_LNALM_RX_LOCK_LOST));
        }
    }
}

/* The end of ACQUIRING: climb from where the ring sits at time t. */
static void ring_capture(OioEngineState *s, unsigned int r, int64_t t)
{
    unsigned int lane = oio_ring_lane(r), W = s->wavelengths;
    unsigned int port = lane / W, w = lane % W, side = oio_ring_side(r);
    OioRing *g = &s->ring[r];
    double own = oio_ring_heater_shift(s, r, t);
    double noise_uw = s->cfg.monitor_noise_na /
                      (OIO_RESPONSIVITY_NA_PER_UW * g->gain);
    double lo = -own, hi = g->range_pm - own, delta, peak_na;
    bool at_limit;
    int line;
    BusView b;

    /* A stuck heater does not answer the dither: the loop cannot move. */
    if ((int64_t)r == s->cfg.stuck_ring) {
        lo = hi = 0;
    }
    oio_bus_view(s, port, side, t, NULL, &b);
    g->lock_line = -1;
    g->at_limit = false;
    g->lock_state = OIO_LOCK_NO_SIGNAL;
    if (!oio_capture_climb(&b.bus, b.in, w, lo, hi, noise_uw, &delta, &line,
                           &at_limit)) {
        g->at_limit = at_limit;
        return;
    }
    peak_na = oio_bus_drop_at(&b.bus, b.in, w, delta) *
              OIO_RESPONSIVITY_NA_PER_UW * g->gain;
    /* A contested or weak line: too little light to hold on to. */
    if (b.in[w * W + line] < OIO_SIGNAL_MIN_UW ||
        peak_na < OIO_LOCK_SNR_MIN * s->cfg.monitor_noise_na) {
        return;
    }
    g->lock_line = line;
    g->lock_state = OIO_LOCK_LOCKED;
    g->residual_pm = 0;
    if (s->cfg.monitor_noise_na) {
        g->residual_pm = RESIDUAL_PER_NSR * g->fwhm_pm *
                         s->cfg.monitor_noise_na / peak_na *
                         oio_rng_gauss(&s->noise);
    }
    oio_optics_dirty(s, oio_ring_bus(s, r), t);
    oio_track_bus(s, port, side, t);
}

int64_t oio_next_capture(OioEngineState *s)
{
    int64_t next = INT64_MAX;
    unsigned int r;

    for (r = 0; r < s->rings; r++) {
        if (s->ring[r].lock_state == OIO_LOCK_ACQUIRING) {
            next = MIN(next, s->ring[r].t_capture);
        }
    }
    return next;
}

/* Captures that came due, in the order they did (ring order on a tie). */
void oio_locks_advance(OioEngineState *s, int64_t now)
{
    for (;;) {
        int64_t t = oio_next_capture(s);
        unsigned int r;

        if (t > now) {
            return;
        }
        for (r = 0; r < s->rings; r++) {
            if (s->ring[r].lock_state == OIO_LOCK_ACQUIRING &&
                s->ring[r].t_capture == t) {
                ring_capture(s, r, t);
                break;
            }
        }
    }
}

void oio_ring_lock_ctrl(OioEngineState *s, unsigned int r, uint32_t val,
                        int64_t t)
{
    OioRing *g = &s->ring[r];

    oio_optics_dirty(s, oio_ring_bus(s, r), t);
    if (val & ~OIO_LOCK_ENABLE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: ring %u LOCK_CTRL reserved bits 0x%x ignored\n",
                      r, val & ~OIO_LOCK_ENABLE);
    }
    if (!(val & OIO_LOCK_ENABLE)) {
        g->lock_en = false;
        g->lock_state = OIO_LOCK_OFF;
        g->lock_line = -1;
        g->at_limit = false;
        return;
    }
    if (oio_ring_in_sweep(s, r)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: ring %u cannot lock while it is swept\n", r);
        return;
    }
    g->lock_en = true;
    /* Writing enable again re-acquires a loop that lost its line. */
    if (g->lock_state != OIO_LOCK_LOCKED &&
        g->lock_state != OIO_LOCK_ACQUIRING) {
        g->lock_state = OIO_LOCK_ACQUIRING;
        g->lock_line = -1;
        g->at_limit = false;
        g->t_capture = t + s->cfg.lock_capture_us * 1000;
    }
}
