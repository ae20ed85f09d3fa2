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

double oio_heater_shift(uint32_t code, double range_pm)
{
    double x = (double)code / 4095.0;

    return range_pm * x * x;
}

uint32_t oio_heater_code(double shift_pm, double range_pm)
{
    double code;

    if (shift_pm <= 0.0 || range_pm <= 0.0) {
        return 0;
    }
    code = 4095.0 * sqrt(shift_pm / range_pm);
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

        for (l = 0; l < bus->lines && l < 64; l++) {
            double d = oio_wrap_detune(bus->line_pm[l],
                           bus->res_pm[r],
                           bus->fsr_pm[r]);
            double dropped = power[l] * bus->drop *
                     oio_lorentzian(d, bus->fwhm_pm);

            if (in_uw) {
                in_uw[r * bus->lines + l] = power[l];
            }
            total += dropped;
            power[l] -= dropped;
        }
        drop_uw[r] = total;
    }
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
