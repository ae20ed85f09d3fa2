// SPDX-License-Identifier: GPL-2.0-only
/*
 * OIO engine model: its knobs (the QOM properties: silicon variation,
 * environment and injected faults), what changing one does, and the
 * card's realize-time state. Free of QEMU's device layer, so the host
 * tests configure and build the very same card.
 */
#include "qemu/osdep.h"
#include "oio-engine.h"

#include <math.h>

#define CFG(f) offsetof(OioConfig, f)

const OioPropDesc oio_props[] = {
    /* The silicon: drawn from the seed at the next reset. */
    { "seed", CFG(seed), false, true, 0, INT64_MAX, 1,
      "seed of the fabrication variation (at reset)" },
    { "grid-center-pm", CFG(grid_center_pm), false, true,
      1260000, 1360000, 1310000, "laser grid centre, pm (at reset)" },
    { "grid-spacing-ghz", CFG(grid_spacing_ghz), false, true, 50, 800, 200,
      "laser grid spacing, GHz (at reset)" },
    { "laser-offset-pm", CFG(laser_offset_pm), false, true, 0, 10000, 1000,
      "max global laser grid offset, +-pm (at reset)" },
    { "laser-error-pm", CFG(laser_error_pm), false, true, 0, 1000, 57,
      "max per-line laser error, +-pm (at reset)" },
    { "ring-spread-pm", CFG(ring_spread_pm), false, true, 0, 10000, 2000,
      "max ring fabrication offset, +-pm (at reset)" },
    { "ring-bias-pm", CFG(ring_bias_pm), false, true, -10000, 10000, 0,
      "design offset of rings from their line, pm (at reset)" },
    { "fsr-permille", CFG(fsr_permille), false, true, 500, 2000, 1000,
      "ring FSR, permille of wavelengths x spacing (at reset)" },
    { "fsr-spread-permille", CFG(fsr_spread_permille), false, true, 0, 200,
      10, "max FSR variation per ring, +-permille (at reset)" },
    { "fsr-order-permille", CFG(fsr_order_permille), false, true, 0, 50, 10,
      "FSR change from one resonance order to the next, permille "
      "(at reset)" },
    { "heater-range-pm", CFG(heater_range_pm), false, true, 100, 30000, 6700,
      "nominal full-scale heater shift, pm (at reset)" },
    { "heater-spread-permille", CFG(heater_spread_permille), false, true,
      0, 500, 100, "max heater range variation, +-permille (at reset)" },
    { "heater-law-permille", CFG(heater_law_permille), false, true, 0, 500,
      50, "max departure of a heater from the square law, +-permille "
      "(at reset)" },
    { "heater-tau-spread-permille", CFG(heater_tau_spread_permille), false,
      true, 0, 500, 100, "max heater time constant variation, +-permille "
      "(at reset)" },
    { "ring-q", CFG(ring_q), false, true, 500, 100000, 5000,
      "loaded Q of the rings, nominal (at reset)" },
    { "ring-q-spread-permille", CFG(ring_q_spread_permille), false, true,
      0, 500, 100, "max loaded Q variation per ring, +-permille (at reset)" },
    { "crosstalk-spread-permille", CFG(crosstalk_spread_permille), false,
      true, 0, 1000, 150, "max crosstalk variation per ring and side, "
      "+-permille (at reset)" },
    { "monitor-gain-spread-permille", CFG(monitor_gain_spread_permille),
      false, true, 0, 500, 50, "max monitor photodiode gain variation, "
      "+-permille (at reset)" },
    /* Physics that acts at once. */
    { "laser-drift-pm-per-ma", CFG(laser_drift_pm_per_ma), false, false,
      0, 100, 10, "laser line shift per mA of bias current, pm" },
    { "crosstalk-permille", CFG(crosstalk_permille), false, false, 0, 500,
      80, "share of a heater's shift seen by each adjacent ring" },
    { "crosstalk-nn-permille", CFG(crosstalk_nn_permille), false, false,
      0, 200, 10, "share of a heater's shift seen by each ring two away" },
    { "drift-pm-per-k", CFG(drift_pm_per_k), false, false, 0, 500, 60,
      "ring resonance drift with card temperature" },
    { "heater-tau-ns", CFG(heater_tau_ns), false, false, 1, 1000000, 4000,
      "heater thermal time constant, nominal" },
    { "card-tau-ms", CFG(card_tau_ms), false, false, 1, 600000, 2000,
      "card temperature lag behind ambient" },
    { "laser-ramp-us", CFG(laser_ramp_us), false, false, 0, 100000, 1000,
      "laser bias ramp time" },
    { "monitor-noise-na", CFG(monitor_noise_na), false, false, 0, 10000000,
      2000, "monitor photocurrent noise, nA rms" },
    { "monitor-lsb-na", CFG(monitor_lsb_na), false, false, 1, 100000, 50,
      "monitor ADC step, nA" },
    { "lock-capture-us", CFG(lock_capture_us), false, false, 1, 10000000, 40,
      "time a lock loop takes to acquire" },
    /* Environment and injected faults, at once. */
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

const size_t oio_nprops = ARRAY_SIZE(oio_props);

int64_t *oio_cfg_field(OioEngineState *s, const OioPropDesc *d)
{
    return (int64_t *)((char *)&s->cfg + d->offset);
}

const OioPropDesc *oio_prop_find(const char *name)
{
    size_t i;

    for (i = 0; i < oio_nprops; i++) {
        if (!strcmp(oio_props[i].name, name)) {
            return &oio_props[i];
        }
    }
    return NULL;
}

void oio_config_defaults(OioEngineState *s)
{
    size_t i;

    for (i = 0; i < oio_nprops; i++) {
        *oio_cfg_field(s, &oio_props[i]) = oio_props[i].def;
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

void oio_config_set(OioEngineState *s, const OioPropDesc *d, int64_t val,
                    bool realized, int64_t t)
{
    int64_t old;

    if (!realized || d->at_reset) {
        *oio_cfg_field(s, d) = val;
        return;
    }
    /* Bring the card to now under the old value, then change it. */
    oio_advance(s, t);
    old = *oio_cfg_field(s, d);
    *oio_cfg_field(s, d) = val;
    oio_apply(s, d, old, t);
    /*
     * Any live knob may move light or heat: let every loop look again,
     * for as long as a ramp or a heater may still be moving.
     */
    oio_optics_dirty(s, -1, t + MAX(s->cfg.laser_ramp_us * 1000,
                                    10 * s->cfg.heater_tau_ns));
    oio_advance(s, t);
    oio_schedule(s, t);
}

/*
 * Default serial numbers count the cards made, so they say nothing about
 * the silicon: the seed cannot be read back from them.
 */
static uint32_t oio_cards_made;

void oio_card_realize(OioEngineState *s, int64_t t)
{
    s->lanes = s->ports * s->wavelengths;
    s->rings = 2 * s->lanes;
    if (!s->serial) {
        s->serial = 10000000 + ++oio_cards_made % 90000000;
    }
    s->lane = g_new0(OioLane, s->lanes);
    s->ring = g_new0(OioRing, s->rings);
    s->sweep_saved = g_new0(uint32_t, s->rings);
    s->bus_terms = g_new0(OioBusTerms, 2 * s->ports);

    s->thermal.t0_ns = t;
    s->thermal.amb0 = s->cfg.ambient_mc / 1000.0;
    s->thermal.temp0 = s->thermal.amb0;
    s->thermal.ramp_per_s = s->cfg.ambient_ramp_mc_per_s / 1000.0;
    s->thermal.tau_ns = s->cfg.card_tau_ms * 1e6;
    oio_card_reset(s, t);
}

void oio_card_unrealize(OioEngineState *s)
{
    g_free(s->lane);
    g_free(s->ring);
    g_free(s->sweep_saved);
    g_free(s->bus_terms);
    s->lane = NULL;
    s->ring = NULL;
    s->sweep_saved = NULL;
    s->bus_terms = NULL;
}
