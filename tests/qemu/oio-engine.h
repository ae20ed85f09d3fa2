/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU model of the OIO optical I/O engine card: internal state shared by
 * the files of the model (device and registers, optics, DMA engines).
 *
 * The register map lives in oio_regs.h, shared with the Linux driver.
 * Physics is evaluated lazily from QEMU_CLOCK_VIRTUAL whenever the guest
 * looks; one timer fires only for events that must happen on their own
 * (a lane transition completing, an engine finishing, a thermal transient).
 */
#ifndef HW_MISC_OIO_ENGINE_H
#define HW_MISC_OIO_ENGINE_H

#include "hw/pci/pci.h"
#include "qom/object.h"
#include "oio_regs.h"
#include "oio-physics.h"

#define TYPE_OIO_ENGINE "oio-engine"
OBJECT_DECLARE_SIMPLE_TYPE(OioEngineState, OIO_ENGINE)

/*
 * Knobs settable with -device or qom-set. Those marked "at reset" describe
 * the silicon and take effect at the next soft or PCI reset; the others
 * (environment and injected faults) act at once.
 */
typedef struct OioConfig {
    int64_t seed;                       /* at reset */
    int64_t grid_center_pm;             /* at reset */
    int64_t grid_spacing_ghz;           /* at reset */
    int64_t laser_offset_pm;            /* at reset: global offset, +- */
    int64_t laser_error_pm;             /* at reset: per-line error, +- */
    int64_t laser_drift_pm_per_ma;      /* line moves with its bias */
    int64_t ring_spread_pm;             /* at reset: fabrication, +- */
    int64_t ring_bias_pm;               /* at reset: design offset from line */
    int64_t fsr_permille;               /* at reset: FSR, of W spacings */
    int64_t fsr_spread_permille;        /* at reset */
    int64_t fsr_order_permille;         /* at reset: FSR change per order */
    int64_t heater_range_pm;            /* at reset */
    int64_t heater_spread_permille;     /* at reset */
    int64_t heater_law_permille;        /* at reset: off the square law, +- */
    int64_t ring_q;                     /* at reset */
    int64_t ring_q_spread_permille;     /* at reset */
    int64_t crosstalk_permille;         /* nearest neighbours */
    int64_t crosstalk_spread_permille;  /* at reset: per pair and side, +- */
    int64_t crosstalk_nn_permille;      /* next-nearest neighbours */
    int64_t drift_pm_per_k;
    int64_t heater_tau_ns;
    int64_t heater_tau_spread_permille; /* at reset */
    int64_t card_tau_ms;
    int64_t laser_ramp_us;
    int64_t ambient_mc;
    int64_t ambient_ramp_mc_per_s;
    int64_t laser_temp_mc;
    int64_t monitor_noise_na;
    int64_t monitor_gain_spread_permille; /* at reset */
    int64_t monitor_lsb_na;
    int64_t lock_capture_us;
    int64_t interlock;                  /* 1 = closed */
    int64_t laser_fail_mask;
    int64_t stuck_ring;                 /* -1 = none */
    int64_t fw_hang;
    int64_t dead;
    int64_t irq_storm;
    int64_t storm_period_us;
    int64_t cmd_latency_us;
} OioConfig;

typedef struct OioLaser {
    uint32_t ctrl;
    uint32_t bias_set_ua;
    /* bias ramps linearly from bias_from to bias_to starting at t_ramp */
    double bias_from_ua;
    double bias_to_ua;
    int64_t t_ramp;
    double slope_uw_per_ma;             /* per port, above threshold */
    double err_pm;                      /* grid error of this line */
    double temp_off_k;          /* TEC offset of this line */
    double drift_scale;         /* of laser-drift-pm-per-ma */
    uint32_t alarm;
    uint32_t alarm_mask;
} OioLaser;

/* Crosstalk onto a ring from its bus neighbours, by distance and side. */
enum { OIO_XT_L1, OIO_XT_R1, OIO_XT_L2, OIO_XT_R2, OIO_XT_N };

typedef struct OioRing {
    /* Silicon, drawn at reset. */
    double design_pm;           /* resonance at 25 C, no heat */
    double fsr_pm;              /* at the grid centre */
    double range_pm;            /* full-scale heater shift */
    double law;                 /* heater law, see oio_heater_shift() */
    double tau_scale;           /* of heater-tau-ns */
    double fwhm_pm;
    double gain;                /* monitor photodiode, of 0.8 A/W */
    double xt_scale[OIO_XT_N];  /* of crosstalk-permille / -nn-permille */

    uint32_t code;                      /* heater DAC register */
    uint32_t drive;                     /* code the heater really gets */
    /* own heater shift settles from shift_from to shift_to after t_set */
    double shift_from;
    double shift_to;
    int64_t t_set;
    bool lock_en;
    uint8_t lock_state;         /* OIO_LOCK_* */
    bool at_limit;
    int lock_line;                      /* line the loop follows, or -1 */
    int64_t t_capture;                  /* end of ACQUIRING */
    double residual_pm;                 /* where the loop sits off its line */
} OioRing;

typedef struct OioLane {
    uint8_t state;                      /* OIO_DP_* */
    uint8_t reason;                     /* OIO_REASON_* */
    int64_t t_due;                      /* end of a transient state */
    uint32_t prbs_ctrl;
    uint64_t bits;
    uint64_t errors;
    double bits_frac;
    uint32_t bits_hi_latch;
    uint32_t errors_hi_latch;
    uint32_t alarm;
    uint32_t alarm_mask;
} OioLane;

/*
 * oio_bus_place()'s oio_line_term()s of one bus, with what they were
 * computed from, compared bit for bit: the lines and the rings' FSRs hold
 * still for whole sweeps, and these log1p()s were a third of the model's
 * time.
 */
typedef struct OioBusTerms {
    bool valid;
    double slope;
    double centre;
    double line[OIO_MAX_WAVELENGTHS];
    double fsr[OIO_MAX_WAVELENGTHS];
    double term[OIO_MAX_WAVELENGTHS * OIO_MAX_WAVELENGTHS];
} OioBusTerms;

typedef struct OioEngine {
    uint32_t status;            /* OIO_ENG_* */
    uint32_t seq;
    int64_t t_done;
} OioEngine;

struct OioEngineState {
    PCIDevice parent_obj;
    MemoryRegion mmio;
    QEMUTimer *timer;

    /* Geometry, fixed at realize. */
    uint32_t ports;
    uint32_t wavelengths;
    uint32_t lanes;
    uint32_t rings;
    uint32_t serial;

    OioConfig cfg;

    /* Silicon drawn from the seed at reset. */
    double spacing_pm;
    double first_pm;
    double fwhm_pm;             /* nominal: grid centre / ring-q */
    double fsr_nom_pm;
    double fsr_slope;           /* see oio_detune() */
    double heater_range_nom_pm;
    double laser_offset_pm;

    /* Runtime state; everything below is reset by a soft reset. */
    int64_t t_last;
    struct oio_thermal thermal;
    struct oio_rng noise;
    struct oio_rng bit_errors;          /* the PRBS checkers' draws */
    int64_t settle_until;
    /*
     * The lock loops of a bus (index 2 * port + side) are solved again
     * unless the last solve came after the bus's light and heat stopped
     * moving (bus_dirty_until) and the card temperature is unchanged since:
     * a solve inside the window leaves the final state still to be found.
     */
    int64_t bus_dirty_until[2 * OIO_MAX_PORTS];
    /* INT64_MIN once something moved on the bus since its last solve */
    int64_t bus_solved_at[2 * OIO_MAX_PORTS];
    double bus_solved_temp[2 * OIO_MAX_PORTS];
    int64_t storm_next;

    uint32_t scratch;
    uint32_t int_status;
    bool armed;
    uint32_t interlock_opened;
    uint32_t laser_refused;
    uint32_t card_alarm;
    uint32_t card_alarm_mask;
    int32_t thr_temp[4];        /* high alarm, high warn, low warn, low alarm */
    uint32_t thr_bias[2];       /* high alarm, high warn */
    uint32_t thr_power[2];      /* low warn, low alarm */
    int32_t thr_ltemp[2];       /* high alarm, low alarm */
    uint32_t line_shift[OIO_MAX_PORTS];
    bool alarm_irq_pending;

    OioLaser laser[OIO_MAX_WAVELENGTHS];
    OioLane *lane;
    OioRing *ring;
    OioBusTerms *bus_terms;             /* [2 * ports]: 2 * port + side */

    uint32_t cmd_opcode;
    uint32_t cmd_arg[4];
    OioEngine cmd;

    uint64_t sweep_addr;
    uint32_t sweep_len;
    uint32_t sweep_first;
    uint32_t sweep_count;
    uint32_t sweep_start;
    uint32_t sweep_stop;
    uint32_t sweep_step;
    uint32_t sweep_dwell_ns;
    uint32_t sweep_pos_mask;
    int64_t sweep_t_start;
    uint32_t *sweep_saved;              /* heater codes before the sweep */
    OioEngine sweep;

    uint64_t telem_addr;
    uint32_t telem_len;
    uint32_t telem_ctrl;
    uint32_t telem_period_us;
    int64_t telem_next;         /* next periodic block */
    OioEngine telem;

    /* Access counters: survive soft reset, cleared on request. */
    uint64_t cnt_mmio_rd;
    uint64_t cnt_mmio_wr;
    uint64_t cnt_dma;
    uint32_t cnt_rd_hi_latch;
    uint32_t cnt_wr_hi_latch;
    uint32_t cnt_dma_hi_latch;
};

/* A knob of the card, settable with -device or qom-set. */
typedef struct OioPropDesc {
    const char *name;
    size_t offset;              /* in OioConfig */
    bool is_bool;
    bool at_reset;
    int64_t min;
    int64_t max;
    int64_t def;
    const char *help;
} OioPropDesc;

/* oio-engine-config.c */
extern const OioPropDesc oio_props[];
extern const size_t oio_nprops;
const OioPropDesc *oio_prop_find(const char *name);
int64_t *oio_cfg_field(OioEngineState *s, const OioPropDesc *d);
void oio_config_defaults(OioEngineState *s);
/* The value must be in range; realized says whether live knobs act now. */
void oio_config_set(OioEngineState *s, const OioPropDesc *d, int64_t val,
                    bool realized, int64_t t);
/* After ports, wavelengths and serial are set: allocate and power on. */
void oio_card_realize(OioEngineState *s, int64_t t);
void oio_card_unrealize(OioEngineState *s);

/* oio-engine-regs.c */
void oio_card_reset(OioEngineState *s, int64_t now);
uint64_t oio_bar_read(OioEngineState *s, uint64_t a, unsigned size,
                      int64_t t);
void oio_bar_write(OioEngineState *s, uint64_t a, uint64_t val, unsigned size,
                   int64_t t);

/*
 * One bus evaluated at one instant: each ring's resonance, FSR and FWHM,
 * each line's wavelength and power entering the bus, what each ring drops
 * and (in[w * W + l]) the power of line l reaching ring w.
 */
typedef struct BusView {
    unsigned int w;
    double res[OIO_MAX_WAVELENGTHS];
    double fsr[OIO_MAX_WAVELENGTHS];
    double fwhm[OIO_MAX_WAVELENGTHS];
    double line[OIO_MAX_WAVELENGTHS];
    double line_uw[OIO_MAX_WAVELENGTHS];
    double drop[OIO_MAX_WAVELENGTHS];
    double in[OIO_MAX_WAVELENGTHS * OIO_MAX_WAVELENGTHS];
    double terms[OIO_MAX_WAVELENGTHS * OIO_MAX_WAVELENGTHS];
    struct oio_bus bus;         /* the arrays above, for oio-physics.c */
} BusView;

static inline unsigned int oio_ring_lane(unsigned int r)
{
    return r / 2;
}

static inline unsigned int oio_ring_side(unsigned int r)
{
    return r % 2;
}

static inline unsigned int oio_bus_ring(OioEngineState *s, unsigned int port,
                                        unsigned int side, unsigned int w)
{
    return 2 * (port * s->wavelengths + w) + side;
}

static inline unsigned int oio_ring_bus(OioEngineState *s, unsigned int r)
{
    return 2 * (oio_ring_lane(r) / s->wavelengths) + oio_ring_side(r);
}

static inline unsigned int oio_lane_line(OioEngineState *s, unsigned int n)
{
    unsigned int port = n / s->wavelengths;

    return (n % s->wavelengths + s->line_shift[port]) % s->wavelengths;
}

/* oio-engine-optics.c */
void oio_silicon_init(OioEngineState *s);
/*
 * Evaluate a bus at time t with its rings' own heater shifts as they are,
 * or as given in own[] (pm per bus position) for a what-if.
 * oio_bus_place() stops short of the light: resonances and lines only
 * (drop[] and in[] are left unset), for the loops, which need nothing
 * more and solve a bus several times.
 */
void oio_bus_place(OioEngineState *s, unsigned int port, unsigned int side,
                   int64_t t, const double *own, BusView *b);
void oio_bus_view(OioEngineState *s, unsigned int port, unsigned int side,
                  int64_t t, const double *own, BusView *b);
double oio_line_pm(OioEngineState *s, unsigned int l, int64_t t);
double oio_heater_tau_ns(OioEngineState *s, unsigned int r);
void oio_state_reset(OioEngineState *s, int64_t now);
void oio_advance(OioEngineState *s, int64_t now);
void oio_schedule(OioEngineState *s, int64_t now);
double oio_card_temp(OioEngineState *s, int64_t t);
double oio_laser_bias_ua(OioEngineState *s, unsigned int l, int64_t t);
double oio_laser_power_uw(OioEngineState *s, unsigned int l, int64_t t);
double oio_laser_temp(OioEngineState *s, unsigned int l);
bool oio_laser_emitting(OioEngineState *s, unsigned int l, int64_t t);
uint32_t oio_laser_status(OioEngineState *s, unsigned int l, int64_t t);
double oio_ring_heater_shift(OioEngineState *s, unsigned int r, int64_t t);
uint32_t oio_ring_heater_uw(OioEngineState *s, unsigned int r);
uint32_t oio_ring_monitor_na(OioEngineState *s, unsigned int r, int64_t t,
                 bool noisy);
void oio_bus_monitors(OioEngineState *s, unsigned int port,
                      unsigned int side, int64_t t, uint32_t *na);
void oio_ring_drive(OioEngineState *s, unsigned int r, double shift,
                    bool settled, int64_t t);
void oio_ring_set_code(OioEngineState *s, unsigned int r, uint32_t code,
               int64_t t);
void oio_ring_lock_ctrl(OioEngineState *s, unsigned int r, uint32_t val,
            int64_t t);
uint32_t oio_ring_lock_status(OioEngineState *s, unsigned int r);
void oio_laser_write_ctrl(OioEngineState *s, unsigned int l, uint32_t val,
              int64_t t);
void oio_laser_write_bias(OioEngineState *s, unsigned int l, uint32_t val,
              int64_t t);
void oio_lasers_shutdown(OioEngineState *s, int64_t t);
void oio_interlock_changed(OioEngineState *s, int64_t t);
void oio_optics_dirty(OioEngineState *s, int bus, int64_t until);

/* oio-engine-lock.c */
void oio_locks_advance(OioEngineState *s, int64_t now);
void oio_track_bus(OioEngineState *s, unsigned int port, unsigned int side,
                   int64_t t);
int64_t oio_next_capture(OioEngineState *s);

/* oio-engine-lanes.c */
void oio_lane_ctrl(OioEngineState *s, unsigned int n, uint32_t req,
              int64_t t);
void oio_lane_prbs_ctrl(OioEngineState *s, unsigned int n, uint32_t val);
bool oio_port_busy(OioEngineState *s, unsigned int port);
bool oio_lane_transient(const OioLane *ln);
void oio_lanes_advance(OioEngineState *s, int64_t now);
void oio_prbs_advance(OioEngineState *s, int64_t now);
/* Bit error ratio of lane n from its port's two buses, one instant. */
double oio_lane_ber(OioEngineState *s, unsigned int n, const BusView *tx,
                    const BusView *rx);
void oio_alarms_eval(OioEngineState *s, int64_t now);
void oio_latch_card(OioEngineState *s, uint32_t bits);
void oio_latch_laser(OioEngineState *s, unsigned int l, uint32_t bits);
void oio_latch_lane(OioEngineState *s, unsigned int n, uint32_t bits);
uint32_t oio_alarm_summary(OioEngineState *s);
uint32_t oio_laser_pending(OioEngineState *s);
uint32_t oio_lane_pending(OioEngineState *s, unsigned int word);

/* oio-engine-dma.c */
void oio_cmd_start(OioEngineState *s, uint32_t opcode, int64_t t);
void oio_sweep_ctrl(OioEngineState *s, uint32_t val, int64_t t);
void oio_telem_ctrl(OioEngineState *s, uint32_t val, int64_t t);
uint32_t oio_telem_size(OioEngineState *s);
void oio_engines_advance(OioEngineState *s, int64_t now);
bool oio_ring_in_sweep(OioEngineState *s, unsigned int r);
void oio_engines_reset(OioEngineState *s);

/* oio-engine.c (QEMU), or the host tests' stand-in */
void oio_raise(OioEngineState *s, unsigned int vector);
bool oio_dma_write(OioEngineState *s, uint64_t addr, const void *buf,
           uint32_t len, const char *what);

/* Fixed parameters of the optics; see docs/hardware.md. */
#define OIO_RESPONSIVITY_NA_PER_UW      800.0   /* 0.8 A/W */
#define OIO_DARK_NA                     5.0
#define OIO_MONITOR_FULL_SCALE          65535   /* ADC codes */
#define OIO_RING_DROP                   0.9
#define OIO_LASER_DRIFT_PM_PER_K        90.0
#define OIO_LASER_REF_MA                80.0    /* line error is at this bias */
#define OIO_LASER_ITH_MA                20.0
#define OIO_LASER_SLOPE_UW_PER_MA       33.3    /* per port: 2 mW at 80 mA */
#define OIO_LINK_LOSS                   0.5     /* fibre loopback, 3 dB */
#define OIO_Q_NOMINAL                   14.0
#define OIO_P_NOMINAL_UW                (2000.0 * OIO_LINK_LOSS)
#define OIO_LINE_RATE_MBPS              32000
/*
 * The design's ring drift, as a real card's EEPROM holds it: the silicon's
 * own (drift-pm-per-k) may differ, and the host cannot read that.
 */
#define OIO_RING_DRIFT_NOM_PM_PER_K     60
/* lock capture needs this much of its line at the ring's input */
#define OIO_SIGNAL_MIN_UW               20.0
/* and a peak this many noise rms above the dark */
#define OIO_LOCK_SNR_MIN                10.0
#define OIO_HEATER_MAX_UW               3000.0
#define OIO_EMIT_MIN_UW                 10.0
#define OIO_T_INIT_NS                   100000
#define OIO_T_TXON_NS                   50000
#define OIO_T_TXOFF_NS                  20000
#define OIO_T_DEINIT_NS                 20000
#define OIO_T_TELEM_NS                  20000
#define OIO_FW_VERSION_VALUE            ((1 << 16) | (4 << 8) | 2)
#define OIO_FW_VERSION_STRING           "1.4.2-emu"
#define OIO_BOARD_REV_VALUE             2
#define OIO_BOARD_STRING                "OIO-EVB rev B"
#define OIO_TICK_NS                     1000000 /* thermal supervision */

#endif /* HW_MISC_OIO_ENGINE_H */
