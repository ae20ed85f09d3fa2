// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: the silicon (drawn from the seed), lasers, heaters, the
 * bus waveguides and their monitor photodiodes, and the card's clock.
 *
 * Nothing here runs on its own: oio_advance() brings the card from the
 * last time it was looked at to now, and oio_schedule() arms the one timer
 * for the next event that must happen without the guest looking. Lock
 * loops are in oio-engine-lock.c, lanes and alarms in oio-engine-lanes.c.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "oio-engine.h"

#include <math.h>

#define T_REF_C 25.0
/* Written out so that no literal has an exponent: 1e-12. */
#define METRES_PER_PM 0.000000000001

/* bus < 0 marks every bus. */
void oio_optics_dirty(OioEngineState *s, int bus, int64_t until)
{
    unsigned int b;

    for (b = 0; b < 2 * OIO_MAX_PORTS; b++) {
        if (bus >= 0 && b != (unsigned int)bus) {
            continue;
        }
        s->bus_dirty_until[b] = MAX(s->bus_dirty_until[b], until);
        /*
         * Whatever was solved is stale, even a solve at a later time than
         * this change's (a capture comes due before the evaluation that
         * runs it, and the loops re-track at the evaluation's time first).
         */
        s->bus_solved_at[b] = INT64_MIN;
    }
}

static double spread(struct oio_rng *rng, int64_t permille)
{
    return 1.0 + oio_rng_uniform(rng, -1.0, 1.0) * permille / 1000.0;
}

void oio_silicon_init(OioEngineState *s)
{
    const OioConfig *c = &s->cfg;
    struct oio_rng rng;
    double center = (double)c->grid_center_pm;
    double fsr_nom;
    unsigned int l, r, i;

    oio_rng_seed(&rng, (uint64_t)c->seed);
    /* Spacing of a frequency grid, converted at the grid centre. */
    s->spacing_pm = center * METRES_PER_PM * center * METRES_PER_PM *
                    (double)c->grid_spacing_ghz * 1e9 / 299792458.0 * 1e12;
    s->first_pm = center - (s->wavelengths - 1) / 2.0 * s->spacing_pm;
    s->fwhm_pm = center / (double)c->ring_q;
    fsr_nom = c->fsr_permille / 1000.0 * s->wavelengths * s->spacing_pm;
    s->fsr_nom_pm = fsr_nom;
    s->fsr_slope = c->fsr_order_permille / 1000.0;
    s->heater_range_nom_pm = c->heater_range_pm;

    /*
     * The draws of the first model come first and in their old order, so
     * a seed keeps its lines, ring positions, FSRs and heater ranges; what
     * was added later is drawn after them.
     */
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
        unsigned int w = oio_ring_lane(r) % s->wavelengths;

        g->design_pm = s->first_pm + w * s->spacing_pm + c->ring_bias_pm +
                       oio_rng_uniform(&rng, -c->ring_spread_pm,
                                       c->ring_spread_pm);
        g->fsr_pm = fsr_nom * spread(&rng, c->fsr_spread_permille);
        g->range_pm = c->heater_range_pm *
                      spread(&rng, c->heater_spread_permille);
    }
    for (l = 0; l < s->wavelengths; l++) {
        s->laser[l].drift_scale = oio_rng_uniform(&rng, 0.8, 1.2);
    }
    for (r = 0; r < s->rings; r++) {
        OioRing *g = &s->ring[r];

        g->law = oio_rng_uniform(&rng, -1.0, 1.0) *
                 c->heater_law_permille / 1000.0;
        g->tau_scale = spread(&rng, c->heater_tau_spread_permille);
        g->fwhm_pm = s->fwhm_pm / spread(&rng, c->ring_q_spread_permille);
        g->gain = spread(&rng, c->monitor_gain_spread_permille);
        for (i = 0; i < OIO_XT_N; i++) {
            g->xt_scale[i] = spread(&rng, c->crosstalk_spread_permille);
        }
    }
    /*
     * Monitor noise and the PRBS checkers' errors get streams of their own,
     * so that neither moves the silicon nor the other.
     */
    oio_rng_seed(&s->noise, (uint64_t)c->seed ^ 0x6e6f697365ULL);
    oio_rng_seed(&s->bit_errors, (uint64_t)c->seed ^ 0x6572726f7273ULL);
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
        g->drive = 0;
        g->shift_from = 0;
        g->shift_to = 0;
        g->t_set = now;
        g->lock_en = false;
        g->lock_state = OIO_LOCK_OFF;
        g->at_limit = false;
        g->lock_line = -1;
        g->t_capture = 0;
        g->residual_pm = 0;
    }
}

double oio_card_temp(OioEngineState *s, int64_t t)
{
    return oio_thermal_temp(&s->thermal, t);
}

/* ---- Lasers ---- */

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

/*
 * A DFB line sits where its grid slot, the global offset, its own error
 * and its TEC put it at the reference bias, and moves red with more bias
 * current (the chip heats itself).
 */
double oio_line_pm(OioEngineState *s, unsigned int l, int64_t t)
{
    OioLaser *lz = &s->laser[l];
    double ma = oio_laser_bias_ua(s, l, t) / 1000.0;

    return s->first_pm + l * s->spacing_pm + s->laser_offset_pm + lz->err_pm +
           OIO_LASER_DRIFT_PM_PER_K * (oio_laser_temp(s, l) - T_REF_C) +
           s->cfg.laser_drift_pm_per_ma * lz->drift_scale *
           (ma - OIO_LASER_REF_MA);
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

/* ---- Heaters ---- */

double oio_heater_tau_ns(OioEngineState *s, unsigned int r)
{
    return (double)s->cfg.heater_tau_ns * s->ring[r].tau_scale;
}

double oio_ring_heater_shift(OioEngineState *s, unsigned int r, int64_t t)
{
    OioRing *g = &s->ring[r];

    return oio_settle(g->shift_from, g->shift_to, (double)(t - g->t_set),
                      oio_heater_tau_ns(s, r));
}

/*
 * The firmware's figure for the electrical power, from the drive code and
 * the nominal 3 mW full scale: it is not measured, so it does not follow a
 * heater's own law. A stuck heater reports the drive it kept.
 */
uint32_t oio_ring_heater_uw(OioEngineState *s, unsigned int r)
{
    double x = s->ring[r].drive / 4095.0;

    return (uint32_t)lround(OIO_HEATER_MAX_UW * x * x);
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
    int64_t settled = t + (int64_t)(5 * oio_heater_tau_ns(s, r));

    g->code = code;
    if ((int64_t)r != s->cfg.stuck_ring) {
        g->drive = code;
    }
    oio_ring_drive(s, r, oio_heater_shift(code, g->range_pm, g->law), false,
                   t);
    s->settle_until = MAX(s->settle_until, settled);
    oio_optics_dirty(s, oio_ring_bus(s, r), settled);
}

/* ---- Buses ---- */

/* What every ring of a bus heats onto ring w, its own heater included. */
static double bus_heat(OioEngineState *s, unsigned int port, unsigned int side,
                       const double *own, unsigned int w)
{
    const OioRing *g = &s->ring[oio_bus_ring(s, port, side, w)];
    double x1 = s->cfg.crosstalk_permille / 1000.0;
    double x2 = s->cfg.crosstalk_nn_permille / 1000.0;
    unsigned int W = s->wavelengths;
    double heat = own[w];

    if (w >= 1) {
        heat += x1 * g->xt_scale[OIO_XT_L1] * own[w - 1];
    }
    if (w + 1 < W) {
        heat += x1 * g->xt_scale[OIO_XT_R1] * own[w + 1];
    }
    if (w >= 2) {
        heat += x2 * g->xt_scale[OIO_XT_L2] * own[w - 2];
    }
    if (w + 2 < W) {
        heat += x2 * g->xt_scale[OIO_XT_R2] * own[w + 2];
    }
    return heat;
}

static bool same_bits(const double *a, const double *b, unsigned int n)
{
    return !memcmp(a, b, n * sizeof(*a));
}

/* b->terms for b's lines and FSRs, from the bus's kept ones where they hold. */
static void bus_terms(OioEngineState *s, unsigned int port, unsigned int side,
                      BusView *b)
{
    OioBusTerms *kept = &s->bus_terms[2 * port + side];
    double centre = s->cfg.grid_center_pm;
    bool fresh = !kept->valid ||
                 !same_bits(&kept->slope, &s->fsr_slope, 1) ||
                 !same_bits(&kept->centre, &centre, 1) ||
                 !same_bits(kept->line, b->line, b->w);
    unsigned int w, l;

    if (fresh) {
        kept->valid = true;
        kept->slope = s->fsr_slope;
        kept->centre = centre;
        memcpy(kept->line, b->line, b->w * sizeof(*b->line));
    }
    for (w = 0; w < b->w; w++) {
        if (!fresh && same_bits(&kept->fsr[w], &b->fsr[w], 1)) {
            continue;
        }
        kept->fsr[w] = b->fsr[w];
        for (l = 0; l < b->w; l++) {
            kept->term[w * b->w + l] =
                oio_line_term(b->line[l], b->fsr[w], s->fsr_slope, centre);
        }
    }
    memcpy(b->terms, kept->term, b->w * b->w * sizeof(*b->terms));
}

void oio_bus_place(OioEngineState *s, unsigned int port, unsigned int side,
                   int64_t t, const double *own, BusView *b)
{
    double drift = s->cfg.drift_pm_per_k * (oio_card_temp(s, t) - T_REF_C);
    double now[OIO_MAX_WAVELENGTHS];
    unsigned int w, l;

    b->w = s->wavelengths;
    if (!own) {
        for (w = 0; w < b->w; w++) {
            now[w] = oio_ring_heater_shift(s, oio_bus_ring(s, port, side, w),
                                           t);
        }
        own = now;
    }
    for (w = 0; w < b->w; w++) {
        const OioRing *g = &s->ring[oio_bus_ring(s, port, side, w)];

        b->res[w] = g->design_pm + drift + bus_heat(s, port, side, own, w);
        b->fsr[w] = g->fsr_pm;
        b->fwhm[w] = g->fwhm_pm;
    }
    for (l = 0; l < b->w; l++) {
        double p = oio_laser_power_uw(s, l, t);

        b->line[l] = oio_line_pm(s, l, t);
        /* The far end of the fibre loopback transmits the same comb. */
        b->line_uw[l] = side == OIO_RING_RX ? p * OIO_LINK_LOSS : p;
    }
    b->bus = (struct oio_bus) {
        .rings = b->w, .lines = b->w,
        .res_pm = b->res, .fsr_pm = b->fsr, .fwhm_pm = b->fwhm,
        .line_pm = b->line, .line_uw = b->line_uw,
        .fsr_slope = s->fsr_slope, .centre_pm = s->cfg.grid_center_pm,
        .drop = OIO_RING_DROP,
    };
    if (s->fsr_slope != 0.0) {
        bus_terms(s, port, side, b);
        b->bus.line_terms = b->terms;
    }
}

void oio_bus_view(OioEngineState *s, unsigned int port, unsigned int side,
                  int64_t t, const double *own, BusView *b)
{
    oio_bus_place(s, port, side, t, own, b);
    oio_bus_eval(&b->bus, b->drop, b->in);
}

/*
 * The monitor ADC: photocurrent through the ring's own photodiode, dark
 * current and noise, in whole LSBs, saturating at full scale.
 */
static uint32_t monitor_na(OioEngineState *s, unsigned int r, double drop_uw,
                           bool noisy)
{
    double lsb = (double)s->cfg.monitor_lsb_na;
    double na = drop_uw * OIO_RESPONSIVITY_NA_PER_UW * s->ring[r].gain +
                OIO_DARK_NA;
    double codes;

    if (noisy && s->cfg.monitor_noise_na) {
        na += s->cfg.monitor_noise_na * oio_rng_gauss(&s->noise);
    }
    codes = floor(na / lsb + 0.5);
    if (codes < 0) {
        codes = 0;
    } else if (codes > OIO_MONITOR_FULL_SCALE) {
        codes = OIO_MONITOR_FULL_SCALE;
    }
    return (uint32_t)(codes * lsb);
}

uint32_t oio_ring_monitor_na(OioEngineState *s, unsigned int r, int64_t t,
                             bool noisy)
{
    unsigned int lane = oio_ring_lane(r);
    BusView b;

    oio_bus_view(s, lane / s->wavelengths, oio_ring_side(r), t, NULL, &b);
    return monitor_na(s, r, b.drop[lane % s->wavelengths], noisy);
}

void oio_bus_monitors(OioEngineState *s, unsigned int port,
                      unsigned int side, int64_t t, uint32_t *na)
{
    unsigned int w;
    BusView b;

    oio_bus_view(s, port, side, t, NULL, &b);
    for (w = 0; w < s->wavelengths; w++) {
        na[w] = monitor_na(s, oio_bus_ring(s, port, side, w), b.drop[w],
                           true);
    }
}

/* ---- Time ---- */

static void track_all(OioEngineState *s, int64_t now)
{
    unsigned int p;

    for (p = 0; p < s->ports; p++) {
        oio_track_bus(s, p, OIO_RING_TX, now);
        oio_track_bus(s, p, OIO_RING_RX, now);
    }
}

void oio_advance(OioEngineState *s, int64_t now)
{
    if (now < s->t_last) {
        return;
    }
    /*
     * The loops follow what moved on its own since the last evaluation (a
     * ramping line, a settling heater) before the interval is charged: they
     * did so all along, and a lane must not err for how seldom the host
     * looked. What the events below move is theirs to follow afterwards.
     */
    track_all(s, now);
    oio_prbs_advance(s, now);
    oio_engines_advance(s, now);
    oio_locks_advance(s, now);
    track_all(s, now);
    oio_lanes_advance(s, now);
    oio_alarms_eval(s, now);
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
        if (oio_lane_transient(&s->lane[i])) {
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
        next_at(&deadline, MAX(oio_next_capture(s), now + 1), now);
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
