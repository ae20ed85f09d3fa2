// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: lasers, rings, lock loops, lanes and alarms.
 *
 * Nothing here runs on its own: oio_advance() brings the card from the
 * last time it was looked at to now, and oio_schedule() arms the one timer
 * for the next event that must happen without the guest looking.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "oio-engine.h"

#include <math.h>

#define T_REF_C 25.0
/* Written out so that no literal has an exponent: 1e-12 and 1e-5. */
#define METRES_PER_PM 0.000000000001
#define SOLVED_TEMP_EPS_C 0.00001

static inline unsigned int ring_lane(unsigned int r)
{
    return r / 2;
}

static inline unsigned int ring_side(unsigned int r)
{
    return r % 2;
}

static inline unsigned int bus_ring(OioEngineState *s, unsigned int port,
                                    unsigned int side, unsigned int w)
{
    return 2 * (port * s->wavelengths + w) + side;
}

static inline unsigned int ring_bus(OioEngineState *s, unsigned int r)
{
    return 2 * (ring_lane(r) / s->wavelengths) + ring_side(r);
}

/* bus < 0 marks every bus. */
void oio_optics_dirty(OioEngineState *s, int bus, int64_t until)
{
    unsigned int b;

    for (b = 0; b < 2 * OIO_MAX_PORTS; b++) {
        if (bus >= 0 && b != (unsigned int)bus) {
            continue;
        }
        s->bus_dirty_until[b] = MAX(s->bus_dirty_until[b], until);
    }
}

static inline unsigned int lane_line(OioEngineState *s, unsigned int n)
{
    unsigned int port = n / s->wavelengths;

    return (n % s->wavelengths + s->line_shift[port]) % s->wavelengths;
}

void oio_silicon_init(OioEngineState *s)
{
    const OioConfig *c = &s->cfg;
    struct oio_rng rng;
    double center = (double)c->grid_center_pm;
    double fsr_nom;
    unsigned int l, r;

    oio_rng_seed(&rng, (uint64_t)c->seed);
    /* Spacing of a frequency grid, converted at the grid centre. */
    s->spacing_pm = center * METRES_PER_PM * center * METRES_PER_PM *
                    (double)c->grid_spacing_ghz * 1e9 / 299792458.0 * 1e12;
    s->first_pm = center - (s->wavelengths - 1) / 2.0 * s->spacing_pm;
    s->fwhm_pm = center / (double)c->ring_q;
    fsr_nom = (c->fsr_lines ? c->fsr_lines : s->wavelengths) * s->spacing_pm;
    s->fsr_nom_pm = fsr_nom;
    s->heater_range_nom_pm = c->heater_range_pm;

    s->laser_offset_pm = oio_rng_uniform(&rng, -c->laser_offset_pm,
                                         c->laser_offset_pm);
    for (l = 0; l < s->wavelengths; l++) {
        OioLaser *lz = &s->laser[l];

        lz->err_pm = oio_rng_uniform(&rng, -c->laser_error_pm,
                                     c->laser_error_pm);
        lz->slope_uw_per_ma = OIO_LASER_SLOPE_UW_PER_MA *
                              oio_rng_uniform(&rng, 0.9, 1.1);
        lz->temp_off_k = oio_rng_uniform(&rng, -0.05, 0.05);
    }
    for (r = 0; r < s->rings; r++) {
        OioRing *g = &s->ring[r];
        unsigned int w = ring_lane(r) % s->wavelengths;
        double fsr_spread = c->fsr_spread_permille / 1000.0;
        double heat_spread = c->heater_spread_permille / 1000.0;

        g->design_pm = s->first_pm + w * s->spacing_pm + c->ring_bias_pm +
                       oio_rng_uniform(&rng, -c->ring_spread_pm,
                                       c->ring_spread_pm);
        g->fsr_pm = fsr_nom * (1.0 + oio_rng_uniform(&rng, -fsr_spread,
                                                     fsr_spread));
        g->range_pm = c->heater_range_pm *
                      (1.0 + oio_rng_uniform(&rng, -heat_spread, heat_spread));
    }
    /* Monitor noise gets its own stream so noise never moves the silicon. */
    oio_rng_seed(&s->noise, (uint64_t)c->seed ^ 0x6e6f697365ULL);
}

void oio_state_reset(OioEngineState *s, int64_t now)
{
    unsigned int i;

    s->t_last = now;
    s->settle_until = 0;
    oio_optics_dirty(s, -1, now);
    s->storm_next = now;
    s->scratch = 0;
    s->int_status = 0;
    s->armed = false;
    s->interlock_opened = 0;
    s->laser_refused = OIO_REFUSED_NONE;
    s->card_alarm = 0;
    s->card_alarm_mask = 0;
    s->thr_temp[0] = 85000;
    s->thr_temp[1] = 75000;
    s->thr_temp[2] = 5000;
    s->thr_temp[3] = 0;
    s->thr_bias[0] = 140000;
    s->thr_bias[1] = 130000;
    s->thr_power[0] = 1000;
    s->thr_power[1] = 500;
    s->thr_ltemp[0] = 35000;
    s->thr_ltemp[1] = 15000;
    s->alarm_irq_pending = false;
    memset(s->line_shift, 0, sizeof(s->line_shift));

    for (i = 0; i < s->wavelengths; i++) {
        OioLaser *lz = &s->laser[i];

        lz->ctrl = 0;
        lz->bias_set_ua = 80000;
        lz->bias_from_ua = 0;
        lz->bias_to_ua = 0;
        lz->t_ramp = now;
        lz->alarm = 0;
        lz->alarm_mask = 0;
    }
    for (i = 0; i < s->lanes; i++) {
        OioLane *ln = &s->lane[i];

        memset(ln, 0, sizeof(*ln));
        ln->state = OIO_DP_DEACTIVATED;
    }
    for (i = 0; i < s->rings; i++) {
        OioRing *g = &s->ring[i];

        g->code = 0;
        g->shift_from = 0;
        g->shift_to = 0;
        g->t_set = now;
        g->lock_en = false;
        g->lock_state = OIO_LOCK_OFF;
        g->at_limit = false;
        g->lock_line = -1;
    }
}

double oio_card_temp(OioEngineState *s, int64_t t)
{
    return oio_thermal_temp(&s->thermal, t);
}

double oio_laser_temp(OioEngineState *s, unsigned int l)
{
    return s->cfg.laser_temp_mc / 1000.0 + s->laser[l].temp_off_k;
}

static bool laser_failed(OioEngineState *s, unsigned int l)
{
    return (s->cfg.laser_fail_mask >> l) & 1;
}

static int64_t ramp_ns(OioEngineState *s)
{
    return s->cfg.laser_ramp_us * 1000;
}

double oio_laser_bias_ua(OioEngineState *s, unsigned int l, int64_t t)
{
    OioLaser *lz = &s->laser[l];
    double f;

    if (laser_failed(s, l)) {
        return 0.0;
    }
    if (t >= lz->t_ramp + ramp_ns(s) || ramp_ns(s) == 0) {
        return lz->bias_to_ua;
    }
    f = (double)(t - lz->t_ramp) / (double)ramp_ns(s);
    if (f < 0) {
        f = 0;
    }
    return lz->bias_from_ua + (lz->bias_to_ua - lz->bias_from_ua) * f;
}

double oio_laser_power_uw(OioEngineState *s, unsigned int l, int64_t t)
{
    double ma = oio_laser_bias_ua(s, l, t) / 1000.0;

    if (!s->cfg.interlock || ma <= OIO_LASER_ITH_MA) {
        return 0.0;
    }
    return s->laser[l].slope_uw_per_ma * (ma - OIO_LASER_ITH_MA);
}

bool oio_laser_emitting(OioEngineState *s, unsigned int l, int64_t t)
{
    return oio_laser_power_uw(s, l, t) >= OIO_EMIT_MIN_UW;
}

uint32_t oio_laser_status(OioEngineState *s, unsigned int l, int64_t t)
{
    OioLaser *lz = &s->laser[l];
    uint32_t st = 0;

    if (oio_laser_emitting(s, l, t)) {
        st |= OIO_LASER_ST_EMITTING;
    }
    if (t < lz->t_ramp + ramp_ns(s) && lz->bias_from_ua != lz->bias_to_ua &&
        !laser_failed(s, l)) {
        st |= OIO_LASER_ST_RAMPING;
    }
    if (laser_failed(s, l)) {
        st |= OIO_LASER_ST_FAILED;
    }
    return st;
}

static double line_pm(OioEngineState *s, unsigned int l)
{
    return s->first_pm + l * s->spacing_pm + s->laser_offset_pm +
           s->laser[l].err_pm +
           OIO_LASER_DRIFT_PM_PER_K * (oio_laser_temp(s, l) - T_REF_C);
}

double oio_ring_heater_shift(OioEngineState *s, unsigned int r, int64_t t)
{
    OioRing *g = &s->ring[r];

    return oio_settle(g->shift_from, g->shift_to, (double)(t - g->t_set),
                      (double)s->cfg.heater_tau_ns);
}

uint32_t oio_ring_heater_uw(OioEngineState *s, unsigned int r)
{
    OioRing *g = &s->ring[r];

    /*
     * Electrical power follows the drive at once (the ring lags it
     * thermally); a stuck heater keeps the drive it had.
     */
    return (uint32_t)lround(OIO_HEATER_MAX_UW * g->shift_to / g->range_pm);
}

/* Move the physical heater; a stuck heater ignores its DAC. */
void oio_ring_drive(OioEngineState *s, unsigned int r, double shift,
                    bool settled, int64_t t)
{
    OioRing *g = &s->ring[r];

    if ((int64_t)r == s->cfg.stuck_ring) {
        return;
    }
    g->shift_from = settled ? shift : oio_ring_heater_shift(s, r, t);
    g->shift_to = shift;
    g->t_set = t;
}

void oio_ring_set_code(OioEngineState *s, unsigned int r, uint32_t code,
                       int64_t t)
{
    OioRing *g = &s->ring[r];

    g->code = code;
    oio_ring_drive(s, r, oio_heater_shift(code, g->range_pm), false, t);
    s->settle_until = MAX(s->settle_until, t + 5 * s->cfg.heater_tau_ns);
    oio_optics_dirty(s, ring_bus(s, r), s->settle_until);
}

/*
 * Evaluate one bus at time t. res[] gets each ring's resonance, drop[] its
 * dropped power and in[] (W x W) the power of each line at its input.
 */
typedef struct BusView {
    unsigned int w;
    double res[OIO_MAX_WAVELENGTHS];
    double fsr[OIO_MAX_WAVELENGTHS];
    double line[OIO_MAX_WAVELENGTHS];
    double line_uw[OIO_MAX_WAVELENGTHS];
    double drop[OIO_MAX_WAVELENGTHS];
    double in[OIO_MAX_WAVELENGTHS * OIO_MAX_WAVELENGTHS];
} BusView;

static void bus_resonances(OioEngineState *s, unsigned int port,
                           unsigned int side, int64_t t, double temp,
                           BusView *b)
{
    double own[OIO_MAX_WAVELENGTHS];
    double xt = s->cfg.crosstalk_permille / 1000.0;
    double drift = s->cfg.drift_pm_per_k * (temp - T_REF_C);
    unsigned int w;

    for (w = 0; w < b->w; w++) {
        own[w] = oio_ring_heater_shift(s, bus_ring(s, port, side, w), t);
    }
    for (w = 0; w < b->w; w++) {
        OioRing *g = &s->ring[bus_ring(s, port, side, w)];
        double neigh = (w > 0 ? own[w - 1] : 0.0) +
                       (w + 1 < b->w ? own[w + 1] : 0.0);

        b->res[w] = g->design_pm + drift + own[w] + xt * neigh;
        b->fsr[w] = g->fsr_pm;
    }
}

static void bus_eval(OioEngineState *s, unsigned int port, unsigned int side,
                     int64_t t, BusView *b)
{
    struct oio_bus bus;
    unsigned int l;

    b->w = s->wavelengths;
    bus_resonances(s, port, side, t, oio_card_temp(s, t), b);
    for (l = 0; l < b->w; l++) {
        double p = oio_laser_power_uw(s, l, t);

        b->line[l] = line_pm(s, l);
        /* The far end of the fibre loopback transmits the same comb. */
        b->line_uw[l] = side == OIO_RING_RX ? p * OIO_LINK_LOSS : p;
    }
    bus.rings = b->w;
    bus.lines = b->w;
    bus.res_pm = b->res;
    bus.fsr_pm = b->fsr;
    bus.line_pm = b->line;
    bus.line_uw = b->line_uw;
    bus.fwhm_pm = s->fwhm_pm;
    bus.drop = OIO_RING_DROP;
    oio_bus_eval(&bus, b->drop, b->in);
}

static uint32_t monitor_na(OioEngineState *s, double drop_uw, bool noisy)
{
    double na = drop_uw * OIO_RESPONSIVITY_NA_PER_UW + OIO_DARK_NA;

    if (noisy && s->cfg.monitor_noise_na) {
        na += s->cfg.monitor_noise_na * oio_rng_gauss(&s->noise);
    }
    if (na < 0) {
        return 0;
    }
    if (na > UINT32_MAX) {
        return UINT32_MAX;
    }
    return (uint32_t)lround(na);
}

uint32_t oio_ring_monitor_na(OioEngineState *s, unsigned int r, int64_t t,
                             bool noisy)
{
    unsigned int lane = ring_lane(r);
    BusView b;

    bus_eval(s, lane / s->wavelengths, ring_side(r), t, &b);
    return monitor_na(s, b.drop[lane % s->wavelengths], noisy);
}

void oio_bus_monitors(OioEngineState *s, unsigned int port,
                      unsigned int side, int64_t t, uint32_t *na)
{
    unsigned int w;
    BusView b;

    bus_eval(s, port, side, t, &b);
    for (w = 0; w < s->wavelengths; w++) {
        na[w] = monitor_na(s, b.drop[w], true);
    }
}

uint32_t oio_ring_lock_status(OioEngineState *s, unsigned int r)
{
    OioRing *g = &s->ring[r];

    return g->lock_state | (g->at_limit ? OIO_LOCK_AT_LIMIT : 0);
}

/* Lock-loss and at-limit flags live in the lane the ring belongs to. */
static uint32_t ring_flag(unsigned int r, uint32_t tx, uint32_t rx)
{
    return ring_side(r) == OIO_RING_TX ? tx : rx;
}

/*
 * The hardware loop dithers its heater to sit on the line it captured.
 * Its bandwidth (kHz) dwarfs any thermal change, so it is modelled as
 * solving for the heater codes directly; neighbours heat each other, so a
 * few Gauss-Seidel passes settle the coupled rings of a bus.
 */
static void track_bus(OioEngineState *s, unsigned int port, unsigned int side,
                      int64_t t)
{
    unsigned int w, pass, W = s->wavelengths, id = 2 * port + side;
    bool limit[OIO_MAX_WAVELENGTHS] = { false };
    double temp = oio_card_temp(s, t);
    bool any = false;
    BusView b;

    /* Nothing moved since the last solve: the loops sit where they were. */
    if (s->bus_solved_at[id] > s->bus_dirty_until[id] &&
        fabs(temp - s->bus_solved_temp[id]) < SOLVED_TEMP_EPS_C) {
        return;
    }
    s->bus_solved_temp[id] = temp;
    s->bus_solved_at[id] = t;
    for (w = 0; w < W; w++) {
        OioRing *g = &s->ring[bus_ring(s, port, side, w)];

        any |= g->lock_en && g->lock_state == OIO_LOCK_LOCKED;
    }
    if (!any) {
        return;
    }

    b.w = W;
    for (pass = 0; pass < 4; pass++) {
        bus_eval(s, port, side, t, &b);
        for (w = 0; w < W; w++) {
            unsigned int r = bus_ring(s, port, side, w);
            OioRing *g = &s->ring[r];
            double h, d;

            if (!g->lock_en || g->lock_state != OIO_LOCK_LOCKED) {
                continue;
            }
            d = oio_wrap_detune(b.line[g->lock_line], b.res[w], b.fsr[w]);
            h = oio_ring_heater_shift(s, r, t) + d;
            limit[w] = false;
            if (h < 0) {
                h = 0;
                limit[w] = true;
            } else if (h > g->range_pm) {
                h = g->range_pm;
                limit[w] = true;
            }
            g->code = oio_heater_code(h, g->range_pm);
            oio_ring_drive(s, r, oio_heater_shift(g->code, g->range_pm),
                           true, t);
        }
    }

    bus_eval(s, port, side, t, &b);
    for (w = 0; w < W; w++) {
        unsigned int r = bus_ring(s, port, side, w);
        OioRing *g = &s->ring[r];
        double d, p;

        if (!g->lock_en || g->lock_state != OIO_LOCK_LOCKED) {
            continue;
        }
        d = oio_wrap_detune(b.line[g->lock_line], b.res[w], b.fsr[w]);
        p = b.in[w * W + g->lock_line];
        if (limit[w] && !g->at_limit) {
            oio_latch_lane(s, ring_lane(r),
                           ring_flag(r, OIO_LNALM_TX_AT_LIMIT,
                                     OIO_LNALM_RX_AT_LIMIT));
        }
        g->at_limit = limit[w];
        if (fabs(d) > s->fwhm_pm / 2 || p < OIO_SIGNAL_MIN_UW / 2) {
            g->lock_state = OIO_LOCK_LOST;
            oio_latch_lane(s, ring_lane(r),
                           ring_flag(r, OIO_LNALM_TX_LOCK_LOST,
                                     OIO_LNALM_RX_LOCK_LOST));
        }
    }
}

static void ring_acquire(OioEngineState *s, unsigned int r, int64_t t)
{
    unsigned int lane = ring_lane(r), W = s->wavelengths;
    unsigned int port = lane / W, w = lane % W, l;
    OioRing *g = &s->ring[r];
    double best = INFINITY;
    BusView b;

    bus_eval(s, port, ring_side(r), t, &b);
    g->lock_line = -1;
    for (l = 0; l < W; l++) {
        double d = oio_wrap_detune(b.line[l], b.res[w], b.fsr[w]);

        /* The dither loop needs a visible slope: within one linewidth. */
        if (b.in[w * W + l] >= OIO_SIGNAL_MIN_UW && fabs(d) < s->fwhm_pm &&
            fabs(d) < best) {
            best = fabs(d);
            g->lock_line = l;
        }
    }
    g->at_limit = false;
    g->lock_state = g->lock_line >= 0 ? OIO_LOCK_LOCKED : OIO_LOCK_NO_SIGNAL;
    if (g->lock_line >= 0) {
        track_bus(s, port, ring_side(r), t);
    }
}

void oio_ring_lock_ctrl(OioEngineState *s, unsigned int r, uint32_t val,
                        int64_t t)
{
    OioRing *g = &s->ring[r];

    oio_optics_dirty(s, ring_bus(s, r), t);
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
    if (g->lock_state != OIO_LOCK_LOCKED) {
        ring_acquire(s, r, t);
    }
}

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

static void laser_ramp_to(OioEngineState *s, unsigned int l, double target,
                          int64_t t)
{
    OioLaser *lz = &s->laser[l];

    lz->bias_from_ua = oio_laser_bias_ua(s, l, t);
    lz->bias_to_ua = target;
    lz->t_ramp = t;
    oio_optics_dirty(s, -1, t + ramp_ns(s));
}

void oio_laser_write_ctrl(OioEngineState *s, unsigned int l, uint32_t val,
                          int64_t t)
{
    OioLaser *lz = &s->laser[l];
    bool on = val & OIO_LASER_ENABLE;

    if (val & ~OIO_LASER_ENABLE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: laser %u CTRL reserved bits 0x%x ignored\n",
                      l, val & ~OIO_LASER_ENABLE);
    }
    if (on == !!(lz->ctrl & OIO_LASER_ENABLE)) {
        return;
    }
    if (on) {
        if (!s->cfg.interlock) {
            s->laser_refused = OIO_REFUSED_INTERLOCK;
            return;
        }
        if (!s->armed) {
            s->laser_refused = OIO_REFUSED_NOT_ARMED;
            return;
        }
        if (laser_failed(s, l)) {
            s->laser_refused = OIO_REFUSED_LINE_FAILED;
            return;
        }
    }
    s->laser_refused = OIO_REFUSED_NONE;
    lz->ctrl = on ? OIO_LASER_ENABLE : 0;
    laser_ramp_to(s, l, on ? lz->bias_set_ua : 0.0, t);
}

void oio_laser_write_bias(OioEngineState *s, unsigned int l, uint32_t val,
                          int64_t t)
{
    OioLaser *lz = &s->laser[l];

    if (val > OIO_LASER_BIAS_MAX_UA) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "oio: laser %u bias %u uA above %u uA refused\n",
                      l, val, OIO_LASER_BIAS_MAX_UA);
        s->laser_refused = OIO_REFUSED_RANGE;
        return;
    }
    s->laser_refused = OIO_REFUSED_NONE;
    lz->bias_set_ua = val;
    if (lz->ctrl & OIO_LASER_ENABLE) {
        laser_ramp_to(s, l, val, t);
    }
}

/* Safety shutdown: no ramp, the light goes at once. */
void oio_lasers_shutdown(OioEngineState *s, int64_t t)
{
    bool any = false;
    unsigned int l;

    for (l = 0; l < s->wavelengths; l++) {
        OioLaser *lz = &s->laser[l];

        any |= lz->ctrl & OIO_LASER_ENABLE;
        lz->ctrl = 0;
        lz->bias_from_ua = 0;
        lz->bias_to_ua = 0;
        lz->t_ramp = t;
    }
    oio_optics_dirty(s, -1, t);
    if (any) {
        oio_latch_card(s, OIO_CARD_LASER_SHUTDOWN);
    }
}

void oio_interlock_changed(OioEngineState *s, int64_t t)
{
    if (s->cfg.interlock) {
        return;
    }
    s->interlock_opened = OIO_INTERLOCK_OPENED;
    s->armed = false;
    oio_latch_card(s, OIO_CARD_INTERLOCK_OPENED);
    oio_lasers_shutdown(s, t);
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

/* What keeps this lane from carrying data on its line, if anything. */
static uint8_t lane_fault(OioEngineState *s, unsigned int n, int64_t t)
{
    unsigned int line = lane_line(s, n);
    OioRing *tx = &s->ring[2 * n + OIO_RING_TX];
    OioRing *rx = &s->ring[2 * n + OIO_RING_RX];

    if (!s->cfg.interlock) {
        return OIO_REASON_INTERLOCK;
    }
    if (!oio_laser_emitting(s, line, t)) {
        return OIO_REASON_LASER_DARK;
    }
    if (!tx->lock_en || tx->lock_state != OIO_LOCK_LOCKED) {
        return OIO_REASON_TX_UNLOCKED;
    }
    if (tx->lock_line != (int)line) {
        return OIO_REASON_TX_WRONG_LINE;
    }
    if (!rx->lock_en || rx->lock_state != OIO_LOCK_LOCKED) {
        return OIO_REASON_RX_UNLOCKED;
    }
    if (rx->lock_line != (int)line) {
        return OIO_REASON_RX_WRONG_LINE;
    }
    return OIO_REASON_NONE;
}

void oio_lane_request(OioEngineState *s, unsigned int n, uint32_t req,
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
        ln->errors_frac = 0;
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
              !oio_laser_emitting(s, lane_line(s, n), t) ?
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

static bool lane_transient(const OioLane *ln)
{
    return ln->state == OIO_DP_INIT || ln->state == OIO_DP_TXTURNON ||
           ln->state == OIO_DP_TXTURNOFF || ln->state == OIO_DP_DEINIT;
}

static void lanes_advance(OioEngineState *s, int64_t now)
{
    unsigned int n;

    for (n = 0; n < s->lanes; n++) {
        OioLane *ln = &s->lane[n];
        uint8_t why;

        while (lane_transient(ln) && ln->t_due <= now) {
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

/* Bit error ratio of a lane on its own line, from both rings' detuning. */
static double lane_ber(OioEngineState *s, unsigned int n, int64_t t,
                       BusView *tx, BusView *rx)
{
    unsigned int W = s->wavelengths, w = n % W, line = lane_line(s, n);
    double dtx, drx, tx_in, rx_path, q;

    dtx = oio_wrap_detune(tx->line[line], tx->res[w], tx->fsr[w]);
    drx = oio_wrap_detune(rx->line[line], rx->res[w], rx->fsr[w]);
    tx_in = tx->in[w * W + line];
    rx_path = rx->line_uw[line] > 0 ?
              rx->in[w * W + line] / rx->line_uw[line] : 0.0;
    q = oio_lane_q(tx_in * OIO_LINK_LOSS * rx_path,
                   oio_lorentzian(dtx, s->fwhm_pm),
                   oio_lorentzian(drx, s->fwhm_pm),
                   OIO_Q_NOMINAL, OIO_P_NOMINAL_UW);
    return oio_ber_from_q(q);
}

static void prbs_advance(OioEngineState *s, int64_t now)
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
        double bits, errs;

        if ((ln->prbs_ctrl & both) != both) {
            continue;
        }
        if (port != n / s->wavelengths) {
            port = n / s->wavelengths;
            bus_eval(s, port, OIO_RING_TX, now, &tx);
            bus_eval(s, port, OIO_RING_RX, now, &rx);
        }
        bits = ln->bits_frac + dt_s * OIO_LINE_RATE_MBPS * 1e6;
        ln->bits += (uint64_t)bits;
        ln->bits_frac = bits - floor(bits);
        errs = ln->errors_frac +
               (bits - ln->bits_frac) * lane_ber(s, n, now, &tx, &rx);
        ln->errors += (uint64_t)errs;
        ln->errors_frac = errs - floor(errs);
    }
}

static void alarms_eval(OioEngineState *s, int64_t now)
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

void oio_advance(OioEngineState *s, int64_t now)
{
    unsigned int p;

    if (now < s->t_last) {
        return;
    }
    prbs_advance(s, now);
    oio_engines_advance(s, now);
    for (p = 0; p < s->ports; p++) {
        track_bus(s, p, OIO_RING_TX, now);
        track_bus(s, p, OIO_RING_RX, now);
    }
    lanes_advance(s, now);
    alarms_eval(s, now);
    if (s->cfg.irq_storm && now >= s->storm_next) {
        s->alarm_irq_pending = true;
        s->storm_next = now + s->cfg.storm_period_us * 1000;
    }
    s->t_last = now;
    if (s->alarm_irq_pending) {
        s->alarm_irq_pending = false;
        oio_raise(s, OIO_VEC_ALARM);
    }
}

static void next_at(int64_t *deadline, int64_t t, int64_t now)
{
    if (t > now && t < *deadline) {
        *deadline = t;
    }
}

void oio_schedule(OioEngineState *s, int64_t now)
{
    int64_t deadline = INT64_MAX;
    bool locks = false;
    unsigned int i;

    for (i = 0; i < s->lanes; i++) {
        if (lane_transient(&s->lane[i])) {
            next_at(&deadline, MAX(s->lane[i].t_due, now + 1), now);
        }
    }
    for (i = 0; i < s->wavelengths; i++) {
        next_at(&deadline, s->laser[i].t_ramp + ramp_ns(s), now);
    }
    for (i = 0; i < s->rings && !locks; i++) {
        locks = s->ring[i].lock_en;
    }
    if (locks) {
        next_at(&deadline, s->settle_until, now);
    }
    if (!oio_thermal_settled(&s->thermal, now)) {
        next_at(&deadline, now + OIO_TICK_NS, now);
    }
    if (!s->cfg.fw_hang && !s->cfg.dead) {
        if (s->cmd.status == OIO_ENG_BUSY) {
            next_at(&deadline, MAX(s->cmd.t_done, now + 1), now);
        }
        if (s->sweep.status == OIO_ENG_BUSY) {
            next_at(&deadline, MAX(s->sweep.t_done, now + 1), now);
        }
        if (s->telem.status == OIO_ENG_BUSY) {
            next_at(&deadline, MAX(s->telem.t_done, now + 1), now);
        }
        if (s->telem_ctrl & OIO_TELEM_PERIODIC) {
            next_at(&deadline, MAX(s->telem_next, now + 1), now);
        }
    }
    if (s->cfg.irq_storm) {
        next_at(&deadline, MAX(s->storm_next, now + 1), now);
    }

    if (deadline == INT64_MAX) {
        timer_del(s->timer);
    } else {
        timer_mod(s->timer, deadline);
    }
}
