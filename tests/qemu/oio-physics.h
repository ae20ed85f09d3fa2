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
/*
 * A Poisson deviate of mean lambda: 0 for lambda <= 0 or NaN, and
 * OIO_POISSON_MAX for a mean that large or larger (infinite too).
 */
uint64_t oio_rng_poisson(struct oio_rng *rng, double lambda);
#define OIO_POISSON_MAX 1e18
/*
 * The errors a bit error checker counts in bits bits, each in error with
 * probability ber: a binomial deviate, drawn as a Poisson one where ber is
 * below OIO_BINOMIAL_POISSON_BER (the variance then off by a fraction
 * ber), and with the normal approximation where its variance is
 * OIO_BINOMIAL_NORMAL_VAR or more.
 */
uint64_t oio_rng_bit_errors(struct oio_rng *rng, uint64_t bits, double ber);
#define OIO_BINOMIAL_POISSON_BER 0.001
#define OIO_BINOMIAL_NORMAL_VAR 100.0

/* Fraction of peak response at a detuning, for a resonance of this FWHM. */
double oio_lorentzian(double detune_pm, double fwhm_pm);

/*
 * Detuning of a laser line from the nearest resonance order of a ring whose
 * resonances repeat every fsr_pm: result in [-fsr/2, fsr/2), positive when
 * the line is red of the resonance (the heater must add that much shift).
 */
double oio_wrap_detune(double line_pm, double res_pm, double fsr_pm);

/*
 * The same when the FSR changes with wavelength, as it does on silicon
 * (FSR = lambda^2 / (n_g L), n_g dispersive): fsr_pm is the FSR at
 * centre_pm and grows by fsr_slope pm per pm of wavelength, so neighbouring
 * orders are not evenly spaced. The line is counted in orders from the
 * resonance and the fraction of an order left is scaled by the FSR there.
 */
double oio_detune(double line_pm, double res_pm, double fsr_pm,
                  double fsr_slope, double centre_pm);

/*
 * The part of oio_detune() that depends on the line and the ring's FSR
 * only, not on where the resonance sits; bit for bit what oio_detune()
 * computes for it.
 */
double oio_line_term(double line_pm, double fsr_pm, double fsr_slope,
                     double centre_pm);

/*
 * Heater shift for a 12-bit drive code x = code/4095: a square law bent by
 * law, range * x^2 (1 + law) / (1 + law x^2). Resistive self-heating bends
 * real heaters this way; |law| is how far the shift strays from the square
 * law at small drive, and every law reaches range at full scale.
 */
double oio_heater_shift(uint32_t code, double range_pm, double law);
/* Code giving the closest shift to shift_pm, clamped to the DAC range. */
uint32_t oio_heater_code(double shift_pm, double range_pm, double law);

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
    const double *fsr_pm;       /* [rings] at centre_pm */
    const double *fwhm_pm;      /* [rings] */
    const double *line_pm;      /* [lines] */
    const double *line_uw;      /* [lines] power entering the bus */
    double fsr_slope;           /* see oio_detune() */
    double centre_pm;
    double drop;                /* fraction dropped on resonance, 0..1 */
    /*
     * NULL, or [r * lines + l] = oio_line_term(line_pm[l], fsr_pm[r],
     * fsr_slope, centre_pm) for every ring r and line l: a bus evaluated
     * again and again over the same lines can keep them. Anything else
     * there gives other optics, silently. Unused when fsr_slope is 0.
     */
    const double *line_terms;
};

/*
 * Evaluate a bus. drop_uw[rings] receives each ring's total dropped power
 * (what its monitor photodiode sees); in_uw[rings * lines], if not NULL,
 * the power of each line at each ring's input.
 */
void oio_bus_eval(const struct oio_bus *bus, double *drop_uw, double *in_uw);

/* oio_detune() of line l against ring r of the bus, as it sits. */
double oio_bus_detune(const struct oio_bus *bus, unsigned int r,
                      unsigned int l);

/* Power ring r of the bus would drop with its resonance moved by delta_pm. */
double oio_bus_drop_at(const struct oio_bus *bus, const double *in_uw,
                       unsigned int r, double delta_pm);

/*
 * A dither lock loop acquiring: it climbs the ring's own monitor signal
 * (what ring r drops, the rest of the bus held still) from where the ring
 * sits, moving its resonance by delta within [lo_pm, hi_pm] (the heater's
 * ends). It can only climb a slope it can tell from the noise: dither of
 * FWHM/10, averaged over 64 samples, against noise_uw rms (the monitor's
 * noise in dropped microwatts). True if it climbed to a peak; *delta_pm is
 * where, *line the line that peak belongs to. False with *at_limit set if
 * the climb ran into a heater end, false and not at limit if it saw no
 * slope.
 */
bool oio_capture_climb(const struct oio_bus *bus, const double *in_uw,
                       unsigned int r, double lo_pm, double hi_pm,
                       double noise_uw, double *delta_pm, int *line,
                       bool *at_limit);

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
