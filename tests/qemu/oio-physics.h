/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Optical and thermal physics of the OIO engine model.
 *
 * Pure functions with no QEMU dependency, so that the same code runs inside
 * the device model and in the host unit tests (tests/unit/). Wavelengths are
 * in picometres, optical powers in microwatts, times in nanoseconds and
 * temperatures in degrees Celsius, all as doubles.
 */
#ifndef OIO_PHYSICS_H
#define OIO_PHYSICS_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds in a nanosecond: 1e-9, written out without an exponent. */
#define OIO_S_PER_NS 0.000000001

/* Deterministic generator: same seed, same card, on every host. */
struct oio_rng {
    uint64_t state;
};

void oio_rng_seed(struct oio_rng *rng, uint64_t seed);
uint64_t oio_rng_next(struct oio_rng *rng);
/* Uniform in [lo, hi). */
double oio_rng_uniform(struct oio_rng *rng, double lo, double hi);
/* Standard normal deviate. */
double oio_rng_gauss(struct oio_rng *rng);

/* Fraction of peak response at a detuning, for a resonance of this FWHM. */
double oio_lorentzian(double detune_pm, double fwhm_pm);

/*
 * Detuning of a laser line from the nearest resonance order of a ring whose
 * resonances repeat every fsr_pm: result in [-fsr/2, fsr/2), positive when
 * the line is red of the resonance (the heater must add that much shift).
 */
double oio_wrap_detune(double line_pm, double res_pm, double fsr_pm);

/* Heater shift grows with the square of the 12-bit drive code. */
double oio_heater_shift(uint32_t code, double range_pm);
/* Code giving the closest shift to shift_pm, clamped to the DAC range. */
uint32_t oio_heater_code(double shift_pm, double range_pm);

/*
 * First-order thermal lag of the card towards an ambient temperature that
 * may ramp linearly: the state is anchored at t0 and evaluated lazily.
 */
struct oio_thermal {
    int64_t t0_ns;
    double temp0;               /* card temperature at t0 */
    double amb0;                /* ambient at t0 */
    double ramp_per_s;  /* ambient slope, K/s */
    double tau_ns;              /* card thermal time constant */
};

double oio_thermal_ambient(const struct oio_thermal *th, int64_t t_ns);
double oio_thermal_temp(const struct oio_thermal *th, int64_t t_ns);
/* Re-anchor at t_ns with a new ambient and slope, keeping continuity. */
void oio_thermal_set(struct oio_thermal *th, int64_t t_ns, double amb,
             double ramp_per_s);
bool oio_thermal_settled(const struct oio_thermal *th, int64_t t_ns);

/* First-order settling of a heater shift towards its new target. */
double oio_settle(double from, double to, double dt_ns, double tau_ns);

/*
 * One bus waveguide: lines enter at ring 0 and pass every ring in order.
 * A ring on resonance drops `drop` of the power it sees at that line, so
 * rings further down no longer see it.
 */
struct oio_bus {
    unsigned int rings;
    unsigned int lines;
    const double *res_pm;       /* [rings] resonance (any order) */
    const double *fsr_pm;       /* [rings] */
    const double *line_pm;      /* [lines] */
    const double *line_uw;      /* [lines] power entering the bus */
    double fwhm_pm;
    double drop;                /* fraction dropped on resonance, 0..1 */
};

/*
 * Evaluate a bus. drop_uw[rings] receives each ring's total dropped power
 * (what its monitor photodiode sees); in_uw[rings * lines], if not NULL,
 * the power of each line at each ring's input.
 */
void oio_bus_eval(const struct oio_bus *bus, double *drop_uw, double *in_uw);

/* Bit error ratio of a binary link with Q factor q: 0.5 * erfc(q / sqrt 2). */
double oio_ber_from_q(double q);

/*
 * Q factor of a lane: proportional to the signal reaching the receiver,
 * i.e. the line power times the TX ring's modulation response and the RX
 * ring's drop response; q_nominal at p_nominal_uw with both rings centred.
 */
double oio_lane_q(double line_uw, double tx_resp, double rx_resp,
          double q_nominal, double p_nominal_uw);

#endif /* OIO_PHYSICS_H */
