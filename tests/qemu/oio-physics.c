// SPDX-License-Identifier: GPL-2.0-only
/*
 * Optical and thermal physics of the OIO engine model; see oio-physics.h.
 */
#include "oio-physics.h"

#include <math.h>

/* 0x1.0p-53 exactly: scales the top 53 bits of a draw into [0, 1). */
#define TWO_POW_MINUS_53 (1.0 / 9007199254740992.0)

void oio_rng_seed(struct oio_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

/* splitmix64: tiny, well mixed, and identical on every platform. */
uint64_t oio_rng_next(struct oio_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double oio_rng_uniform(struct oio_rng *rng, double lo, double hi)
{
    double u = (double)(oio_rng_next(rng) >> 11) * TWO_POW_MINUS_53;

    return lo + (hi - lo) * u;
}

double oio_rng_gauss(struct oio_rng *rng)
{
    /* Box-Muller; the 1 - u keeps log() away from zero. */
    double u1 = 1.0 - oio_rng_uniform(rng, 0.0, 1.0);
    double u2 = oio_rng_uniform(rng, 0.0, 1.0);

    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Below this mean, inversion; from it, PTRS, whose bounds need it. */
#define POISSON_PTRS_MIN 10.0

/*
 * log k!: a table, then Stirling's series (its next term under 1e-10 at
 * k = 10); libm's lgamma() sets a global, and cards run on threads.
 */
static double log_factorial(double k)
{
    static const double small[10] = {
        0, 0, 0.69314718055994495, 1.7917594692280554,
        3.1780538303479449, 4.7874917427820467, 6.5792512120101021,
        8.5251613610654147, 10.604602902745249, 12.801827480081467,
    };

    if (k < 10) {
        return small[(int)k];
    }
    return (k + 0.5) * log(k) - k + 0.91893853320467274 + 1 / (12 * k) -
           1 / (360 * k * k * k) + 1 / (1260 * k * k * k * k * k);
}

/*
 * Hormann's transformed rejection with squeeze (PTRS, "The transformed
 * rejection method for generating Poisson random variables", 1993):
 * exact in law, and a few draws whatever the mean, as a lane well short
 * of its target errs thousands of times a millisecond.
 */
static uint64_t poisson_ptrs(struct oio_rng *rng, double lambda)
{
    double slam = sqrt(lambda), loglam = log(lambda);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);

    for (;;) {
        double u = oio_rng_uniform(rng, -0.5, 0.5);
        double v = oio_rng_uniform(rng, 0.0, 1.0);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lambda + 0.43);

        if (us >= 0.07 && v <= vr) {
            return (uint64_t)k;
        }
        if (k < 0 || (us < 0.013 && v > us)) {
            continue;
        }
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
            -lambda + k * loglam - log_factorial(k)) {
            return (uint64_t)k;
        }
    }
}

uint64_t oio_rng_poisson(struct oio_rng *rng, double lambda)
{
    double u, p, f;
    uint64_t k = 0;

    if (!(lambda > 0)) {
        return 0;
    }
    if (lambda >= OIO_POISSON_MAX) {
        return (uint64_t)OIO_POISSON_MAX;
    }
    if (lambda >= POISSON_PTRS_MIN) {
        return poisson_ptrs(rng, lambda);
    }
    /* inversion: the least k whose cumulative probability passes u */
    u = oio_rng_uniform(rng, 0.0, 1.0);
    p = exp(-lambda);
    f = p;
    while (u >= f && p > 0) {
        k++;
        p *= lambda / (double)k;
        f += p;
    }
    return k;
}

uint64_t oio_rng_bit_errors(struct oio_rng *rng, uint64_t bits, double ber)
{
    double mean, var, u, f, q;
    uint64_t k = 0;

    if (!bits || !(ber > 0)) {
        return 0;
    }
    if (ber >= 1) {
        return bits;
    }
    if (ber > 0.5) {
        return bits - oio_rng_bit_errors(rng, bits, 1 - ber);
    }
    mean = (double)bits * ber;
    if (ber < OIO_BINOMIAL_POISSON_BER) {
        k = oio_rng_poisson(rng, mean);
        return k < bits ? k : bits;
    }
    var = mean * (1 - ber);
    if (var >= OIO_BINOMIAL_NORMAL_VAR) {
        double x = floor(mean + sqrt(var) * oio_rng_gauss(rng) + 0.5);

        if (x <= 0) {
            return 0;
        }
        return x < (double)bits ? (uint64_t)x : bits;
    }
    /*
     * Inversion; mean < 2 * OIO_BINOMIAL_NORMAL_VAR here, so the loop is
     * short and (1 - ber)^bits, at least e^-400, does not underflow.
     */
    u = oio_rng_uniform(rng, 0.0, 1.0);
    q = ber / (1 - ber);
    f = exp((double)bits * log1p(-ber));
    while (u >= f && k < bits) {
        u -= f;
        f *= (double)(bits - k) / (double)(k + 1) * q;
        k++;
        if (!(f > 0)) {
            break;      /* u past the mass rounding left: the tail's end */
        }
    }
    return k;
}

double oio_lorentzian(double detune_pm, double fwhm_pm)
{
    double x = 2.0 * detune_pm / fwhm_pm;

    return 1.0 / (1.0 + x * x);
}

double oio_wrap_detune(double line_pm, double res_pm, double fsr_pm)
{
    double d = fmod(line_pm - res_pm, fsr_pm);

    if (d < -fsr_pm / 2) {
        d += fsr_pm;
    } else if (d >= fsr_pm / 2) {
        d -= fsr_pm;
    }
    return d;
}

/*
 * The terms of oio_detune() that depend on the ring alone: a bus evaluates
 * every line against each ring, and log1p() is most of the model's time.
 */
struct ring_orders {
    double res_pm, fsr_pm, slope, centre_pm;
    double a, res_term, scale;
};

/*
 * Orders from centre_pm to wl_pm, times scale below: one expression for
 * the resonance's term and the lines' kept ones, so that a bus evaluated
 * from kept terms is bit for bit the one evaluated afresh.
 */
static inline double order_log(double fsr_slope, double fsr_pm, double wl_pm,
                               double centre_pm)
{
    return log1p(fsr_slope / fsr_pm * (wl_pm - centre_pm));
}

static inline void ring_orders_init(struct ring_orders *o, double res_pm,
                                    double fsr_pm, double fsr_slope,
                                    double centre_pm)
{
    o->res_pm = res_pm;
    o->fsr_pm = fsr_pm;
    o->slope = fsr_slope;
    o->centre_pm = centre_pm;
    if (fsr_slope == 0.0) {
        return;
    }
    /*
     * With F(l) = F0 (1 + a (l - c)), the orders between two wavelengths
     * are the integral of dl / F(l).
     */
    o->a = fsr_slope / fsr_pm;
    o->res_term = order_log(fsr_slope, fsr_pm, res_pm, centre_pm);
    o->scale = o->a * fsr_pm;
}

double oio_line_term(double line_pm, double fsr_pm, double fsr_slope,
                     double centre_pm)
{
    return order_log(fsr_slope, fsr_pm, line_pm, centre_pm);
}

/* term: oio_line_term() of this line and ring; o->slope must not be 0. */
static inline double ring_detune_term(const struct ring_orders *o,
                                      double line_pm, double term)
{
    double orders = (term - o->res_term) / o->scale;
    double k = floor(orders + 0.5);
    double fsr_here = o->fsr_pm + o->slope * (line_pm - o->centre_pm);

    return (orders - k) * fsr_here;
}

static inline double ring_detune(const struct ring_orders *o, double line_pm)
{
    if (o->slope == 0.0) {
        return oio_wrap_detune(line_pm, o->res_pm, o->fsr_pm);
    }
    return ring_detune_term(o, line_pm,
                            order_log(o->slope, o->fsr_pm, line_pm,
                                      o->centre_pm));
}

/* Line l against ring r of a bus, from its kept terms if it has them. */
static inline double bus_detune(const struct oio_bus *bus,
                                const struct ring_orders *o, unsigned int r,
                                unsigned int l)
{
    if (o->slope == 0.0 || !bus->line_terms) {
        return ring_detune(o, bus->line_pm[l]);
    }
    return ring_detune_term(o, bus->line_pm[l],
                            bus->line_terms[r * bus->lines + l]);
}

double oio_detune(double line_pm, double res_pm, double fsr_pm,
                  double fsr_slope, double centre_pm)
{
    struct ring_orders o;

    ring_orders_init(&o, res_pm, fsr_pm, fsr_slope, centre_pm);
    return ring_detune(&o, line_pm);
}

double oio_bus_detune(const struct oio_bus *bus, unsigned int r,
                      unsigned int l)
{
    struct ring_orders o;

    ring_orders_init(&o, bus->res_pm[r], bus->fsr_pm[r], bus->fsr_slope,
                     bus->centre_pm);
    return bus_detune(bus, &o, r, l);
}

double oio_heater_shift(uint32_t code, double range_pm, double law)
{
    double x = (double)code / 4095.0;

    return range_pm * x * x * (1.0 + law) / (1.0 + law * x * x);
}

uint32_t oio_heater_code(double shift_pm, double range_pm, double law)
{
    double code, g;

    if (shift_pm <= 0.0 || range_pm <= 0.0) {
        return 0;
    }
    /* x^2 (1 + law) / (1 + law x^2) = g, solved for x^2 */
    g = shift_pm / range_pm;
    if (g >= 1.0) {
        return 4095;
    }
    code = 4095.0 * sqrt(g / (1.0 + law * (1.0 - g)));
    if (code >= 4095.0) {
        return 4095;
    }
    return (uint32_t)lround(code);
}

double oio_thermal_ambient(const struct oio_thermal *th, int64_t t_ns)
{
    return th->amb0 + th->ramp_per_s * (double)(t_ns - th->t0_ns) *
           OIO_S_PER_NS;
}

/*
 * Closed form of dT/dt = (A(t) - T) / tau with A(t) = A0 + r t:
 * T(t) = A(t) - r tau + (T0 - A0 + r tau) exp(-t / tau).
 */
double oio_thermal_temp(const struct oio_thermal *th, int64_t t_ns)
{
    double dt = (double)(t_ns - th->t0_ns);
    double rtau = th->ramp_per_s * th->tau_ns * OIO_S_PER_NS;

    if (dt <= 0.0) {
        return th->temp0;
    }
    return oio_thermal_ambient(th, t_ns) - rtau +
           (th->temp0 - th->amb0 + rtau) * exp(-dt / th->tau_ns);
}

void oio_thermal_set(struct oio_thermal *th, int64_t t_ns, double amb,
             double ramp_per_s)
{
    th->temp0 = oio_thermal_temp(th, t_ns);
    th->t0_ns = t_ns;
    th->amb0 = amb;
    th->ramp_per_s = ramp_per_s;
}

bool oio_thermal_settled(const struct oio_thermal *th, int64_t t_ns)
{
    return th->ramp_per_s == 0.0 &&
           fabs(oio_thermal_temp(th, t_ns) - th->amb0) < 0.01;
}

double oio_settle(double from, double to, double dt_ns, double tau_ns)
{
    if (dt_ns <= 0.0) {
        return from;
    }
    return to + (from - to) * exp(-dt_ns / tau_ns);
}

void oio_bus_eval(const struct oio_bus *bus, double *drop_uw, double *in_uw)
{
    double power[64];
    unsigned int r, l;

    for (l = 0; l < bus->lines && l < 64; l++) {
        power[l] = bus->line_uw[l];
    }

    for (r = 0; r < bus->rings; r++) {
        double total = 0.0;
        struct ring_orders o;

        ring_orders_init(&o, bus->res_pm[r], bus->fsr_pm[r], bus->fsr_slope,
                         bus->centre_pm);
        for (l = 0; l < bus->lines && l < 64; l++) {
            double d = bus_detune(bus, &o, r, l);
            double dropped = power[l] * bus->drop *
                             oio_lorentzian(d, bus->fwhm_pm[r]);

            if (in_uw) {
                in_uw[r * bus->lines + l] = power[l];
            }
            total += dropped;
            power[l] -= dropped;
        }
        drop_uw[r] = total;
    }
}

double oio_bus_drop_at(const struct oio_bus *bus, const double *in_uw,
                       unsigned int r, double delta_pm)
{
    double total = 0.0;
    struct ring_orders o;
    unsigned int l;

    ring_orders_init(&o, bus->res_pm[r] + delta_pm, bus->fsr_pm[r],
                     bus->fsr_slope, bus->centre_pm);
    for (l = 0; l < bus->lines; l++) {
        double d = bus_detune(bus, &o, r, l);

        total += in_uw[r * bus->lines + l] * bus->drop *
                 oio_lorentzian(d, bus->fwhm_pm[r]);
    }
    return total;
}

/* Lock-in averaging of the dither: 64 samples, and a 3-sigma decision. */
#define CAPTURE_SQRT_SAMPLES    8.0
#define CAPTURE_SIGMAS          3.0

bool oio_capture_climb(const struct oio_bus *bus, const double *in_uw,
                       unsigned int r, double lo_pm, double hi_pm,
                       double noise_uw, double *delta_pm, int *line,
                       bool *at_limit)
{
    double fwhm = bus->fwhm_pm[r], dither = fwhm / 10, step = fwhm / 20;
    double here = 0.0, y, lo, hi, err, best = 0.0;
    struct ring_orders o;
    unsigned int l, n;
    int dir;

    *at_limit = false;
    *line = -1;
    *delta_pm = 0.0;
    lo = oio_bus_drop_at(bus, in_uw, r, -dither);
    hi = oio_bus_drop_at(bus, in_uw, r, dither);
    err = fabs(hi - lo);
    y = oio_bus_drop_at(bus, in_uw, r, 0.0);
    /* The lock-in error signal must stand out of the averaged noise. */
    if (err * CAPTURE_SQRT_SAMPLES < CAPTURE_SIGMAS * noise_uw * M_SQRT2 &&
        !(y > lo && y >= hi && y > CAPTURE_SIGMAS * noise_uw)) {
        return false;
    }
    dir = hi > lo ? 1 : -1;
    for (n = 0; n < 100000; n++) {
        double next = here + dir * step;
        double yn = oio_bus_drop_at(bus, in_uw, r, next);

        if (yn <= y) {
            break;
        }
        /* Still climbing, but the heater cannot follow. */
        if (next < lo_pm || next > hi_pm) {
            *at_limit = true;
            *delta_pm = dir > 0 ? hi_pm : lo_pm;
            return false;
        }
        here = next;
        y = yn;
    }
    /* The dither centres the loop on the top: a parabola through three. */
    lo = oio_bus_drop_at(bus, in_uw, r, here - step);
    hi = oio_bus_drop_at(bus, in_uw, r, here + step);
    if (lo + hi - 2 * y < 0) {
        here += 0.5 * step * (lo - hi) / (lo + hi - 2 * y);
    }
    *delta_pm = here;
    ring_orders_init(&o, bus->res_pm[r] + here, bus->fsr_pm[r],
                     bus->fsr_slope, bus->centre_pm);
    for (l = 0; l < bus->lines; l++) {
        double d = bus_detune(bus, &o, r, l);
        double p = in_uw[r * bus->lines + l] * oio_lorentzian(d, fwhm);

        if (p > best) {
            best = p;
            *line = (int)l;
        }
    }
    return *line >= 0;
}

double oio_ber_from_q(double q)
{
    if (q <= 0.0) {
        return 0.5;
    }
    return 0.5 * erfc(q / M_SQRT2);
}

double oio_lane_q(double line_uw, double tx_resp, double rx_resp,
          double q_nominal, double p_nominal_uw)
{
    if (line_uw <= 0.0 || p_nominal_uw <= 0.0) {
        return 0.0;
    }
    return q_nominal * (line_uw / p_nominal_uw) * tx_resp * rx_resp;
}
