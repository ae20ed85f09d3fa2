// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model conformance: checks the emulated OIO card against docs/hardware.md
 * by driving its registers directly from the guest, without the driver.
 * Each check starts from a soft reset and puts back any QOM knob it turned.
 *
 * Environment: OIO_ONLY=name,name runs a subset of the checks.
 */
#define _GNU_SOURCE
#include "oiotest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUEST_ERR_SIZE "only aligned 32-bit accesses"

struct ctx {
	struct oio_card *c;
	struct dma_buf dma;
	double range_pm;	/* nominal heater range */
	double fwhm_pm;
	double fsr_pm;
};

/* ---- small helpers ---- */

static bool logged(long before, const char *text)
{
	return log_count(text) > before;
}

static double lane_ber(const struct oio_card *c, unsigned int lane,
		       unsigned int dwell_ms, uint64_t *bits_out,
		       uint64_t *errs_out)
{
	uint64_t bits, errs;

	wr(c, lane_reg(lane, OIO_LANE_PRBS_CTRL),
	   OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR);
	sleep_us(dwell_ms * 1000);
	bits = rd(c, lane_reg(lane, OIO_LANE_PRBS_BITS_LO));
	bits |= (uint64_t)rd(c, lane_reg(lane, OIO_LANE_PRBS_BITS_HI)) << 32;
	errs = rd(c, lane_reg(lane, OIO_LANE_PRBS_ERR_LO));
	errs |= (uint64_t)rd(c, lane_reg(lane, OIO_LANE_PRBS_ERR_HI)) << 32;
	if (bits_out)
		*bits_out = bits;
	if (errs_out)
		*errs_out = errs;
	return bits ? (double)errs / (double)bits : 1.0;
}

/*
 * Heater code at which ring r sits on line l: light only that line and
 * sweep every other code, 10 us a step (2.5 heater time constants, so the
 * trace lags by under a code). Returns -1 if the line is out of the ring's
 * reach.
 */
static double line_code(struct ctx *x, unsigned int r, unsigned int line)
{
	const struct oio_card *c = x->c;
	const uint32_t *tr;
	struct peak pk[8];
	unsigned int n;

	if (!lasers_on(c, 1u << line))
		return -1;
	if (sweep_run(c, &x->dma, r, 1, 0, 4094, 2, 10000, &tr, &n) !=
	    OIO_ENG_DONE)
		return -1;
	return find_peaks(tr, n, 0, 2, 0.5, 20000, pk, 8) >= 1 ? pk[0].code :
								  -1;
}

/*
 * A loop that is enabled spends lock-capture-us ACQUIRING (datasheet
 * 6.13); wait for the end of the capture and return the lock status.
 */
static uint32_t lock_wait(const struct oio_card *c, unsigned int r)
{
	uint32_t st;
	int i;

	for (i = 0; i < 1000; i++) {
		st = rd(c, ring_reg(r, OIO_RING_LOCK_STATUS));
		if ((st & OIO_LOCK_ST_MASK) != OIO_LOCK_ACQUIRING)
			break;
		sleep_us(20);
	}
	return st;
}

/*
 * Lock ring 0 alone (rx == NULL) or both rings of lane 0 onto a line they
 * reach with a heater shift inside [lo_pm, hi_pm]; returns the line. The
 * loops are enabled, still capturing: lock_wait() them.
 */
static int lock_lane0(struct ctx *x, double *tx_code, double *rx_code,
		      double lo_pm, double hi_pm)
{
	const struct oio_card *c = x->c;
	unsigned int l;

	for (l = 0; l < c->wavelengths; l++) {
		double t = line_code(x, 0, l), r = rx_code ? line_code(x, 1, l) : 0;
		double tp = code_to_pm(t, x->range_pm);
		double rp = code_to_pm(r, x->range_pm);

		if (t < 0 || r < 0 || tp < lo_pm || tp > hi_pm ||
		    (rx_code && (rp < lo_pm || rp > hi_pm)))
			continue;
		lasers_on(c, (1u << c->wavelengths) - 1);
		wr(c, ring_reg(0, OIO_RING_HEATER), (uint32_t)lround(t));
		if (rx_code)
			wr(c, ring_reg(1, OIO_RING_HEATER), (uint32_t)lround(r));
		sleep_us(100);
		wr(c, ring_reg(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
		if (rx_code)
			wr(c, ring_reg(1, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
		*tx_code = t;
		if (rx_code)
			*rx_code = r;
		return (int)l;
	}
	return -1;
}

/* ---- checks ---- */

static void t_identity(struct ctx *x)
{
	const struct oio_card *c = x->c;
	uint32_t v;

	tap_ok(rd(c, OIO_REG_MAGIC) == OIO_MAGIC_VALUE, "identity: magic");
	tap_ok(rd(c, OIO_REG_VERSION) == OIO_VERSION_VALUE,
	       "identity: register map version %u.%u", OIO_VERSION_MAJOR,
	       OIO_VERSION_MINOR);
	v = rd(c, OIO_REG_CAPS);
	tap_ok((v & 0x7f) == 0x7f, "identity: capabilities 0x%x", v);
	tap_ok(c->ports == (unsigned int)qget_int(c, "ports") &&
	       c->wavelengths == (unsigned int)qget_int(c, "wavelengths") &&
	       c->rings == 2 * c->lanes,
	       "identity: geometry %ux%u, %u rings matches the properties",
	       c->ports, c->wavelengths, c->rings);
	/*
	 * The harness makes its cards oio0, oio1, ... in that order with no
	 * serial property, so each gets 10000000 + the cards made so far.
	 */
	v = rd(c, OIO_REG_SERIAL);
	tap_ok(v == (uint32_t)qget_int(c, "serial") &&
	       v == 10000001u + (uint32_t)strtoul(strrchr(c->qom, 'o') + 1,
							 NULL, 10),
	       "identity: serial %u counts the cards made (%s)", v, c->qom);
	{
		long long seed = qget_int(c, "seed");

		qset_int(c, "seed", seed + 100);
		card_reset(c);
		tap_ok(rd(c, OIO_REG_SERIAL) == v,
		       "identity: the serial says nothing of the seed: a new "
		       "seed keeps it");
		qset_int(c, "seed", seed);
		card_reset(c);
	}
	tap_ok(rd(c, OIO_REG_FW_VERSION) == ((1 << 16) | (4 << 8) | 2) &&
	       rd(c, OIO_REG_BOARD_REV) == 2, "identity: firmware and board");
	/* 200 GHz at 1310 nm: d(lambda) = lambda^2 df / c = 1144.87 pm. */
	tap_ok(rd(c, OIO_REG_GRID_SPACING_PM) == 1145,
	       "calibration: 200 GHz grid spacing is 1145 pm at 1310 nm");
	tap_ok(rd(c, OIO_REG_RING_FSR_PM) ==
	       (uint32_t)lround(c->wavelengths * 1144.87) &&
	       rd(c, OIO_REG_RING_FWHM_PM) == 262 &&
	       rd(c, OIO_REG_HEATER_RANGE_PM) == 6700 &&
	       rd(c, OIO_REG_LINE_RATE_MBPS) == 32000,
	       "calibration: FSR fills the grid, FWHM, heater range, line rate");
	/* the design value, whatever this card's drift-pm-per-k */
	tap_ok(rd(c, OIO_REG_RING_DRIFT_PM_PER_K) == 60,
	       "calibration: nominal ring drift is 60 pm/K");
	tap_ok(rd(c, OIO_REG_GRID_FIRST_PM) ==
	       (uint32_t)lround(1310000 - (c->wavelengths - 1) / 2.0 * 1144.87),
	       "calibration: first line %u pm", rd(c, OIO_REG_GRID_FIRST_PM));
}

static void t_reset_values(struct ctx *x)
{
	const struct oio_card *c = x->c;
	static const struct { uint32_t off, val; const char *name; } regs[] = {
		{ OIO_REG_SCRATCH, 0, "SCRATCH" },
		{ OIO_REG_ARM, 0, "ARM" },
		{ OIO_REG_LASER_REFUSED, 0, "LASER_REFUSED" },
		{ OIO_REG_CARD_ALARM, 0, "CARD_ALARM" },
		{ OIO_REG_CARD_ALARM_MASK, 0, "CARD_ALARM_MASK" },
		{ OIO_REG_ALARM_SUMMARY, 0, "ALARM_SUMMARY" },
		{ OIO_REG_INTERLOCK, OIO_INTERLOCK_CLOSED, "INTERLOCK" },
		{ OIO_REG_TEMP_HIGH_ALARM, 85000, "TEMP_HIGH_ALARM" },
		{ OIO_REG_TEMP_HIGH_WARN, 75000, "TEMP_HIGH_WARN" },
		{ OIO_REG_TEMP_LOW_WARN, 5000, "TEMP_LOW_WARN" },
		{ OIO_REG_TEMP_LOW_ALARM, 0, "TEMP_LOW_ALARM" },
		{ OIO_REG_BIAS_HIGH_ALARM, 140000, "BIAS_HIGH_ALARM" },
		{ OIO_REG_BIAS_HIGH_WARN, 130000, "BIAS_HIGH_WARN" },
		{ OIO_REG_POWER_LOW_WARN, 1000, "POWER_LOW_WARN" },
		{ OIO_REG_POWER_LOW_ALARM, 500, "POWER_LOW_ALARM" },
		{ OIO_REG_LTEMP_HIGH_ALARM, 35000, "LTEMP_HIGH_ALARM" },
		{ OIO_REG_LTEMP_LOW_ALARM, 15000, "LTEMP_LOW_ALARM" },
		{ OIO_REG_CMD_STATUS, OIO_ENG_IDLE, "CMD_STATUS" },
		{ OIO_REG_CMD_SEQ, 0, "CMD_SEQ" },
		{ OIO_REG_SWEEP_STATUS, OIO_ENG_IDLE, "SWEEP_STATUS" },
		{ OIO_REG_SWEEP_STEP, 1, "SWEEP_STEP" },
		{ OIO_REG_SWEEP_DWELL_NS, 10000, "SWEEP_DWELL_NS" },
		{ OIO_REG_SWEEP_POS_MASK, OIO_SWEEP_ALL_POSITIONS,
		  "SWEEP_POS_MASK" },
		{ OIO_REG_TELEM_STATUS, OIO_ENG_IDLE, "TELEM_STATUS" },
		{ OIO_REG_TELEM_CTRL, 0, "TELEM_CTRL" },
		{ OIO_REG_TELEM_PERIOD_US, 100000, "TELEM_PERIOD_US" },
		{ OIO_REG_PORT_LINE_SHIFT(0), 0, "PORT_LINE_SHIFT(0)" },
		{ OIO_REG_LANE_ALARM_PENDING(0), 0, "LANE_ALARM_PENDING(0)" },
		{ OIO_REG_LASER_ALARM_PENDING, 0, "LASER_ALARM_PENDING" },
	};
	unsigned int i, bad = 0;

	wr(c, OIO_REG_SCRATCH, 0x5a5a1234);
	wr(c, OIO_REG_ARM, OIO_ARM_KEY);
	wr(c, ring_reg(3, OIO_RING_HEATER), 999);
	card_reset(c);
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint32_t v = rd(c, regs[i].off);

		if (v != regs[i].val) {
			tap_diag("%s = 0x%x, want 0x%x", regs[i].name, v,
				 regs[i].val);
			bad++;
		}
	}
	tap_ok(!bad, "reset: %zu global registers hold their reset values",
	       sizeof(regs) / sizeof(regs[0]));
	tap_ok((rd(c, OIO_REG_STATUS) & OIO_STATUS_READY) &&
	       rd(c, OIO_REG_INT_STATUS) == 0, "reset: ready, no interrupt");
	bad = 0;
	for (i = 0; i < c->wavelengths; i++)
		bad += rd(c, laser_reg(i, OIO_LASER_CTRL)) != 0 ||
		       rd(c, laser_reg(i, OIO_LASER_BIAS_SET)) != 80000 ||
		       rd(c, laser_reg(i, OIO_LASER_BIAS)) != 0 ||
		       rd(c, laser_reg(i, OIO_LASER_POWER)) != 0 ||
		       rd(c, laser_reg(i, OIO_LASER_STATUS)) != 0 ||
		       rd(c, laser_reg(i, OIO_LASER_ALARM)) != 0;
	tap_ok(!bad, "reset: every laser off, 80 mA set point, no alarm");
	bad = 0;
	for (i = 0; i < c->lanes; i++)
		bad += rd(c, lane_reg(i, OIO_LANE_STATE)) != OIO_DP_DEACTIVATED ||
		       rd(c, lane_reg(i, OIO_LANE_PRBS_CTRL)) != 0 ||
		       rd(c, lane_reg(i, OIO_LANE_PRBS_BITS_LO)) != 0 ||
		       rd(c, lane_reg(i, OIO_LANE_ALARM)) != 0;
	tap_ok(!bad, "reset: every lane DataPathDeactivated, PRBS off");
	bad = 0;
	for (i = 0; i < c->rings; i++)
		bad += rd(c, ring_reg(i, OIO_RING_HEATER)) != 0 ||
		       rd(c, ring_reg(i, OIO_RING_LOCK_CTRL)) != 0 ||
		       rd(c, ring_reg(i, OIO_RING_LOCK_STATUS)) != OIO_LOCK_OFF;
	tap_ok(!bad, "reset: every ring unheated, unlocked");
	/*
	 * Dark monitors read 5 nA of dark current plus the default noise
	 * (2 uA rms), in 50 nA ADC steps, clamped at 0: about half the reads
	 * are 0, the rest a few uA, and they vary from read to read.
	 */
	{
		unsigned int zero = 0, steps = 0, high = 0, n = 0;
		uint32_t first = rd(c, ring_reg(0, OIO_RING_MONITOR));
		bool varies = false;

		for (i = 0; i < c->rings; i++) {
			unsigned int k;

			for (k = 0; k < 4; k++, n++) {
				uint32_t m = rd(c, ring_reg(i, OIO_RING_MONITOR));

				zero += m == 0;
				steps += m % 50 == 0;
				high += m > 5 * 2000;
				varies |= m != first;
			}
		}
		tap_ok(qget_int(c, "monitor-noise-na") == 2000 &&
		       qget_int(c, "monitor-lsb-na") == 50 && steps == n &&
		       !high && varies && zero > n / 3 && zero < 2 * n / 3,
		       "reset: dark monitors read noise in 50 nA steps: %u of "
		       "%u reads 0, none above 5 sigma (10 uA)", zero, n);
	}

	wr(c, OIO_REG_SCRATCH, 0xdeadbeef);
	tap_ok(rd(c, OIO_REG_SCRATCH) == 0xdeadbeef, "scratch reads back");
	{
		long before = log_count("wrong reset key");

		wr(c, OIO_REG_RESET, 0x1234);
		tap_ok(rd(c, OIO_REG_SCRATCH) == 0xdeadbeef &&
		       logged(before, "wrong reset key"),
		       "reset: a wrong key is logged and resets nothing");
	}
}

static void t_access_rules(struct ctx *x)
{
	const struct oio_card *c = x->c;
	long before = log_count(GUEST_ERR_SIZE);
	long holes = log_count("unassigned");
	long ro = log_count("read-only or unassigned");

	wr(c, OIO_REG_SCRATCH, 0x11223344);
	tap_ok(rd8(c, OIO_REG_MAGIC) == 0xff && rd16(c, OIO_REG_MAGIC) == 0xffff,
	       "access: 8- and 16-bit reads return all ones");
	wr8(c, OIO_REG_SCRATCH, 0x99);
	tap_ok(rd(c, OIO_REG_SCRATCH) == 0x11223344,
	       "access: an 8-bit write changes nothing");
	/* (A 32-bit access across two registers is split by the CPU into
	 * two aligned ones before it reaches the card, as on PCIe.) */
	tap_ok(rd16(c, OIO_REG_SCRATCH + 2) == 0xffff,
	       "access: a 16-bit read inside a register returns all ones");
	tap_ok(log_count(GUEST_ERR_SIZE) >= before + 4,
	       "access: each bad access logs a guest error");
	tap_ok(rd(c, 0x0f00) == 0 && rd(c, ring_reg(c->rings, 0)) == 0 &&
	       rd(c, lane_reg(c->lanes, 0)) == 0 &&
	       log_count("unassigned") >= holes + 3,
	       "access: holes and objects beyond the geometry read 0, logged");
	wr(c, OIO_REG_MAGIC, 0);
	wr(c, laser_reg(0, OIO_LASER_POWER), 5);
	tap_ok(rd(c, OIO_REG_MAGIC) == OIO_MAGIC_VALUE &&
	       rd(c, laser_reg(0, OIO_LASER_POWER)) == 0 &&
	       log_count("read-only or unassigned") >= ro + 2,
	       "access: writes to read-only registers are logged and ignored");
}

static void t_interlock(struct ctx *x)
{
	const struct oio_card *c = x->c;
	uint32_t ctl;

	card_reset(c);
	wr(c, laser_reg(0, OIO_LASER_CTRL), OIO_LASER_ENABLE);
	tap_ok(rd(c, laser_reg(0, OIO_LASER_CTRL)) == 0 &&
	       rd(c, OIO_REG_LASER_REFUSED) == OIO_REFUSED_NOT_ARMED,
	       "safety: enabling a laser without arming is refused");

	qset(c, "interlock", "false");
	tap_ok(rd(c, OIO_REG_INTERLOCK) == OIO_INTERLOCK_OPENED,
	       "safety: interlock reads open and the opening is latched");
	wr(c, OIO_REG_ARM, OIO_ARM_KEY);
	tap_ok(rd(c, OIO_REG_ARM) == 0 &&
	       rd(c, OIO_REG_LASER_REFUSED) == OIO_REFUSED_INTERLOCK,
	       "safety: arming with the interlock open is refused");
	wr(c, laser_reg(0, OIO_LASER_CTRL), OIO_LASER_ENABLE);
	tap_ok(rd(c, laser_reg(0, OIO_LASER_CTRL)) == 0 &&
	       rd(c, laser_reg(0, OIO_LASER_POWER)) == 0,
	       "safety: no laser emits with the interlock open");

	qset(c, "interlock", "true");
	wr(c, OIO_REG_INTERLOCK, OIO_INTERLOCK_OPENED);
	tap_ok(rd(c, OIO_REG_INTERLOCK) == OIO_INTERLOCK_CLOSED,
	       "safety: latch clears with write-1 once closed");
	tap_ok(lasers_on(c, 0x3) &&
	       rd(c, laser_reg(0, OIO_LASER_POWER)) > 1000,
	       "safety: armed with interlock closed, lasers emit");
	wr(c, OIO_REG_CARD_ALARM, 0xffffffff);
	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	qset(c, "interlock", "false");
	ctl = rd(c, laser_reg(0, OIO_LASER_CTRL));
	tap_ok(ctl == 0 && rd(c, laser_reg(0, OIO_LASER_POWER)) == 0 &&
	       rd(c, laser_reg(1, OIO_LASER_BIAS)) == 0 &&
	       rd(c, OIO_REG_ARM) == 0,
	       "safety: opening with lasers on shuts them at once and disarms");
	tap_ok((rd(c, OIO_REG_CARD_ALARM) &
		(OIO_CARD_INTERLOCK_OPENED | OIO_CARD_LASER_SHUTDOWN)) ==
	       (OIO_CARD_INTERLOCK_OPENED | OIO_CARD_LASER_SHUTDOWN) &&
	       (rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "safety: interlock and shutdown alarms latch and interrupt");
	qset(c, "interlock", "true");
	tap_ok(rd(c, laser_reg(0, OIO_LASER_POWER)) == 0 &&
	       rd(c, OIO_REG_ARM) == 0,
	       "safety: closing again does not relight anything");
}

static void t_laser_ramp(struct ctx *x)
{
	const struct oio_card *c = x->c;
	uint32_t set = 100000, prev = 0, v, st, p;
	bool mono = true, mid = false;
	int i;

	card_reset(c);
	qset_int(c, "laser-ramp-us", 100000);
	wr(c, OIO_REG_ARM, OIO_ARM_KEY);
	wr(c, laser_reg(2, OIO_LASER_BIAS_SET), set);
	wr(c, laser_reg(2, OIO_LASER_CTRL), OIO_LASER_ENABLE);
	for (i = 0; i < 400; i++) {
		v = rd(c, laser_reg(2, OIO_LASER_BIAS));
		st = rd(c, laser_reg(2, OIO_LASER_STATUS));
		if (v < prev)
			mono = false;
		if (v > 0 && v < set && (st & OIO_LASER_ST_RAMPING))
			mid = true;
		prev = v;
		if (v == set)
			break;
		sleep_us(1000);
	}
	tap_ok(mid && mono, "laser: bias ramps monotonically, flagged RAMPING");
	st = rd(c, laser_reg(2, OIO_LASER_STATUS));
	p = rd(c, laser_reg(2, OIO_LASER_POWER));
	tap_ok(prev == set && st == OIO_LASER_ST_EMITTING,
	       "laser: reaches its set point and emits");
	tap_ok(p > 1900 && p < 3300,
	       "laser: %u uW per port at 100 mA (slope 33 uW/mA +-10%%)", p);
	tap_ok(rd(c, laser_reg(2, OIO_LASER_TEMP)) > 24900 &&
	       rd(c, laser_reg(2, OIO_LASER_TEMP)) < 25100,
	       "laser: TEC temperature near 25 C");
	wr(c, laser_reg(2, OIO_LASER_BIAS_SET), OIO_LASER_BIAS_MAX_UA + 1);
	tap_ok(rd(c, laser_reg(2, OIO_LASER_BIAS_SET)) == set &&
	       rd(c, OIO_REG_LASER_REFUSED) == OIO_REFUSED_RANGE,
	       "laser: a bias above 150 mA is refused, set point unchanged");
	qset_int(c, "laser-ramp-us", 1000);
}

static void t_sweep_physics(struct ctx *x)
{
	const struct oio_card *c = x->c;
	struct peak a[16], b[16];
	const uint32_t *tr;
	unsigned int n, i, j, matched = 0, bad = 0, fsr_bad = 0, pairs = 0;
	int na, nb;
	double fwhm_meas = 0;

	/*
	 * Exact heater range and square law, and one FSR at every order, so
	 * codes convert to pm exactly.
	 */
	qset_int(c, "heater-spread-permille", 0);
	qset_int(c, "heater-law-permille", 0);
	qset_int(c, "fsr-spread-permille", 0);
	qset_int(c, "fsr-order-permille", 0);
	qset_int(c, "card-tau-ms", 5);
	card_reset(c);
	lasers_on(c, (1u << c->wavelengths) - 1);
	tap_ok(sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n) ==
	       OIO_ENG_DONE, "sweep: full-range sweep of ring 0 completes");
	na = find_peaks(tr, n, 0, 1, 0.3, 20000, a, 16);
	tap_ok(na >= 4 && na <= 8,
	       "sweep: %d resonances within the 6.7 nm heater range", na);
	tap_ok(((const uint32_t *)x->dma.va)[0] == OIO_SWEEP_MAGIC &&
	       ((const uint32_t *)x->dma.va)[6] == 4096,
	       "sweep: trace header (magic, points)");
	/* Peak width in pm, from the samples around the first peak. */
	if (na > 0) {
		unsigned int p = (unsigned int)lround(a[na - 1].code), l = p, r = p;
		uint32_t half = tr[p] / 2;

		while (l > 0 && tr[l] > half)
			l--;
		while (r < 4095 && tr[r] > half)
			r++;
		if (r == 4095 && na > 1) {
			p = (unsigned int)lround(a[na - 2].code);
			half = tr[p] / 2;
			for (l = p; l > 0 && tr[l] > half; l--)
				;
			for (r = p; r < 4095 && tr[r] > half; r++)
				;
		}
		fwhm_meas = code_to_pm(r, x->range_pm) -
			    code_to_pm(l, x->range_pm);
	}
	tap_ok(fwhm_meas > 0.8 * x->fwhm_pm && fwhm_meas < 1.25 * x->fwhm_pm,
	       "sweep: Lorentzian linewidth %.0f pm (FWHM %0.f pm)", fwhm_meas,
	       x->fwhm_pm);

	/* +10 K: every resonance moves red by 600 pm, so 600 pm less heat. */
	qset_int(c, "ambient-mc", 35000);
	tap_ok(wait_reg(c, OIO_REG_STATUS, OIO_STATUS_THERMAL_SETTLED,
			OIO_STATUS_THERMAL_SETTLED, 3000),
	       "thermal: card settles at the new ambient");
	tap_ok(abs((int)rd(c, OIO_REG_CARD_TEMP) - 35000) < 20,
	       "thermal: card temperature %d mC", (int)rd(c, OIO_REG_CARD_TEMP));
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	nb = find_peaks(tr, n, 0, 1, 0.3, 20000, b, 16);
	for (i = 0; i < (unsigned int)nb; i++) {
		double pb = code_to_pm(b[i].code, x->range_pm);

		for (j = 0; j < (unsigned int)na; j++) {
			double d = pb - code_to_pm(a[j].code, x->range_pm);

			if (fabs(d + 600) < 200) {
				matched++;
				if (fabs(d + 600) > 25) {
					tap_diag("peak moved %.1f pm", d);
					bad++;
				}
			}
		}
	}
	tap_ok(matched >= 3 && !bad,
	       "thermal: %u resonances moved -600 pm +-25 for +10 K", matched);
	qset_int(c, "ambient-mc", 25000);

	/*
	 * A heater wider than the FSR shows each line again one order later:
	 * one FSR, when the FSR is the same at every order.
	 */
	qset_int(c, "heater-range-pm", 14000);
	card_reset(c);
	wait_reg(c, OIO_REG_STATUS, OIO_STATUS_THERMAL_SETTLED,
		 OIO_STATUS_THERMAL_SETTLED, 3000);
	lasers_on(c, (1u << c->wavelengths) - 1);
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	na = find_peaks(tr, n, 0, 1, 0.3, 20000, a, 16);
	for (i = 0; i + c->wavelengths < (unsigned int)na; i++) {
		double d = code_to_pm(a[i + c->wavelengths].code, 14000) -
			   code_to_pm(a[i].code, 14000);

		pairs++;
		if (fabs(d - x->fsr_pm) > 30) {
			tap_diag("order spacing %.1f pm", d);
			fsr_bad++;
		}
	}
	tap_ok(pairs >= 2 && !fsr_bad,
	       "FSR: %u resonances repeat one FSR (%.0f pm) later", pairs,
	       x->fsr_pm);

	/*
	 * F(lambda) = F_c (1 + k (lambda - centre) / F_nom) (datasheet 7.3):
	 * the heater moves the ring's comb red, so the repeat of a line
	 * grows with the heat that brought it, by k per pm of shift.
	 */
	qset_int(c, "fsr-order-permille", 20);
	card_reset(c);
	lasers_on(c, (1u << c->wavelengths) - 1);
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	na = find_peaks(tr, n, 0, 1, 0.3, 20000, a, 16);
	{
		double sx = 0, sy = 0, sxx = 0, sxy = 0, slope = 0;
		unsigned int m = 0;

		for (i = 0; i + c->wavelengths < (unsigned int)na; i++) {
			double h0 = code_to_pm(a[i].code, 14000);
			double h1 = code_to_pm(a[i + c->wavelengths].code,
					       14000);
			double mid = (h0 + h1) / 2, d = h1 - h0;

			sx += mid;
			sy += d;
			sxx += mid * mid;
			sxy += mid * d;
			m++;
		}
		if (m >= 2 && m * sxx - sx * sx > 0)
			slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
		tap_ok(m >= 2 && fabs(slope - 0.020) < 0.005,
		       "FSR: with fsr-order-permille 20 the repeat grows "
		       "%.4f pm per pm of heat (%u pairs, want 0.020)", slope,
		       m);
	}

	qset_int(c, "heater-range-pm", 6700);
	qset_int(c, "heater-spread-permille", 100);
	qset_int(c, "heater-law-permille", 50);
	qset_int(c, "fsr-spread-permille", 10);
	qset_int(c, "fsr-order-permille", 10);
	qset_int(c, "card-tau-ms", 2000);
	card_reset(c);
}

static void t_lock_loop(struct ctx *x)
{
	const struct oio_card *c = x->c;
	double tx, shift0, shift1;
	uint32_t code0, code1, mon0, mon1, st;
	long before;
	int line;

	/* the square law exactly: heat converts to pm */
	qset_int(c, "heater-spread-permille", 0);
	qset_int(c, "heater-law-permille", 0);
	qset_int(c, "card-tau-ms", 5);
	card_reset(c);
	before = log_count("owned by the lock loop");
	line = lock_lane0(x, &tx, NULL, 800, 2500);
	/*
	 * Under -icount these accesses come a few ns after the enable; no
	 * output or harness call until they are done (the guest would idle
	 * meanwhile, and the card's clock run ahead).
	 */
	st = rd(c, ring_reg(0, OIO_RING_LOCK_STATUS));
	wr(c, ring_reg(0, OIO_RING_HEATER), 100);
	code0 = rd(c, ring_reg(0, OIO_RING_HEATER));
	tap_ok(line >= 0, "lock: ring 0 found line %d by sweeping", line);
	if (line < 0)
		goto out;
	tap_ok(st == OIO_LOCK_ACQUIRING,
	       "lock: enabling the loop starts a capture, ACQUIRING (0x%x)", st);
	tap_ok(code0 == (uint32_t)lround(tx) &&
	       logged(before, "owned by the lock loop"),
	       "lock: the heater is the loop's while it acquires");
	st = lock_wait(c, 0);
	tap_ok(st == OIO_LOCK_LOCKED,
	       "lock: the capture ends LOCKED on the line the ring sits on");
	code0 = rd(c, ring_reg(0, OIO_RING_HEATER));
	mon0 = rd(c, ring_reg(0, OIO_RING_MONITOR));
	before = log_count("owned by the lock loop");
	wr(c, ring_reg(0, OIO_RING_HEATER), 100);
	tap_ok(rd(c, ring_reg(0, OIO_RING_HEATER)) == code0 &&
	       logged(before, "owned by the lock loop"),
	       "lock: host heater writes are refused while locked");

	qset_int(c, "ambient-mc", 30000);
	wait_reg(c, OIO_REG_STATUS, OIO_STATUS_THERMAL_SETTLED,
		 OIO_STATUS_THERMAL_SETTLED, 3000);
	code1 = rd(c, ring_reg(0, OIO_RING_HEATER));
	mon1 = rd(c, ring_reg(0, OIO_RING_MONITOR));
	shift0 = code_to_pm(code0, x->range_pm);
	shift1 = code_to_pm(code1, x->range_pm);
	tap_ok(rd(c, ring_reg(0, OIO_RING_LOCK_STATUS)) == OIO_LOCK_LOCKED,
	       "lock: still locked after a +5 K step");
	tap_ok(fabs(shift1 - shift0 + 300) < 30,
	       "lock: loop took %.0f pm of heat away for +5 K (want -300)",
	       shift1 - shift0);
	tap_ok(mon1 > mon0 * 0.95,
	       "lock: monitor stays on the peak (%u -> %u nA)", mon0, mon1);

	wr(c, lane_reg(0, OIO_LANE_ALARM), 0xffffffff);
	qset_int(c, "ambient-mc", 75000);
	wait_reg(c, OIO_REG_STATUS, OIO_STATUS_THERMAL_SETTLED,
		 OIO_STATUS_THERMAL_SETTLED, 3000);
	st = rd(c, ring_reg(0, OIO_RING_LOCK_STATUS));
	tap_ok((st & OIO_LOCK_ST_MASK) == OIO_LOCK_LOST &&
	       (st & OIO_LOCK_AT_LIMIT) &&
	       rd(c, ring_reg(0, OIO_RING_HEATER)) == 0,
	       "lock: +50 K runs the heater to zero, at-limit, lock lost");
	tap_ok((rd(c, lane_reg(0, OIO_LANE_ALARM)) &
		(OIO_LNALM_TX_LOCK_LOST | OIO_LNALM_TX_AT_LIMIT)) ==
	       (OIO_LNALM_TX_LOCK_LOST | OIO_LNALM_TX_AT_LIMIT) &&
	       (rd(c, OIO_REG_LANE_ALARM_PENDING(0)) & 1),
	       "lock: lane 0 latches lock-lost and at-limit, pending bit set");
out:
	/* Cool down fast before the card gets its slow time constant back. */
	qset_int(c, "ambient-mc", 25000);
	wait_reg(c, OIO_REG_STATUS, OIO_STATUS_THERMAL_SETTLED,
		 OIO_STATUS_THERMAL_SETTLED, 3000);
	qset_int(c, "heater-spread-permille", 100);
	qset_int(c, "heater-law-permille", 50);
	qset_int(c, "card-tau-ms", 2000);
	card_reset(c);
}

/*
 * A capture takes lock-capture-us whatever happens meanwhile: enabling an
 * acquiring loop again does not restart it. In the dark it ends NO_SIGNAL
 * and waits, enabled, for the host to enable it again.
 */
static void t_lock_capture(struct ctx *x)
{
	const struct oio_card *c = x->c;
	uint32_t st, st1, again_us;
	uint64_t t0;
	double tx;
	long before;
	int line;

	card_reset(c);
	qset_int(c, "lock-capture-us", 2000);
	line = lock_lane0(x, &tx, NULL, 300, 6000);
	t0 = now_us();
	if (line < 0) {
		tap_ok(false, "capture: ring 0 reaches no line");
		goto out;
	}
	sleep_us(1000);
	st = rd(c, ring_reg(0, OIO_RING_LOCK_STATUS));
	wr(c, ring_reg(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	again_us = (uint32_t)(now_us() - t0);
	while (now_us() - t0 < 2500)
		sleep_us(100);
	tap_ok(st == OIO_LOCK_ACQUIRING && again_us < 2000 &&
	       rd(c, ring_reg(0, OIO_RING_LOCK_STATUS)) == OIO_LOCK_LOCKED,
	       "capture: lock-capture-us 2000: still ACQUIRING after 1 ms, "
	       "enabled again at %u us, LOCKED at 2.5 ms", again_us);
	qset_int(c, "lock-capture-us", 40);

	card_reset(c);
	wr(c, ring_reg(2, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	st = rd(c, ring_reg(2, OIO_RING_LOCK_STATUS));
	st1 = lock_wait(c, 2);
	tap_ok(st == OIO_LOCK_ACQUIRING && st1 == OIO_LOCK_NO_SIGNAL &&
	       rd(c, ring_reg(2, OIO_RING_LOCK_CTRL)) == OIO_LOCK_ENABLE,
	       "capture: a loop enabled in the dark acquires, then reports "
	       "NO_SIGNAL and stays enabled");
	before = log_count("owned by the lock loop");
	wr(c, ring_reg(2, OIO_RING_HEATER), 100);
	tap_ok(rd(c, ring_reg(2, OIO_RING_HEATER)) == 0 &&
	       logged(before, "owned by the lock loop"),
	       "capture: a NO_SIGNAL loop still owns the heater");
	sleep_us(1000);
	st = rd(c, ring_reg(2, OIO_RING_LOCK_STATUS));
	wr(c, ring_reg(2, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	tap_ok(st == OIO_LOCK_NO_SIGNAL &&
	       rd(c, ring_reg(2, OIO_RING_LOCK_STATUS)) == OIO_LOCK_ACQUIRING,
	       "capture: it does not retry by itself; enabling it again "
	       "acquires again");
	wr(c, ring_reg(2, OIO_RING_LOCK_CTRL), 0);
	tap_ok(rd(c, ring_reg(2, OIO_RING_LOCK_STATUS)) == OIO_LOCK_OFF,
	       "capture: disabling an acquiring loop turns it OFF");
out:
	qset_int(c, "lock-capture-us", 40);
	card_reset(c);
}

static uint32_t lane_settle(const struct oio_card *c, unsigned int lane)
{
	uint32_t st;
	int i;

	for (i = 0; i < 100; i++) {
		st = rd(c, lane_reg(lane, OIO_LANE_STATE));
		switch (st & OIO_LANE_STATE_MASK) {
		case OIO_DP_INIT:
		case OIO_DP_TXTURNON:
		case OIO_DP_TXTURNOFF:
		case OIO_DP_DEINIT:
			sleep_us(100);
			continue;
		}
		break;
	}
	return st;
}

/*
 * A line that both rings of lane a and both of lane a + 1 reach with a
 * heater shift inside [lo_pm, hi_pm], each ring swept with only that line
 * lit; code[] gets their codes in ring order. -1 if there is none.
 */
static int shared_line(struct ctx *x, unsigned int a, double *code,
		       double lo_pm, double hi_pm)
{
	unsigned int l, i;

	for (l = 0; l < x->c->wavelengths; l++) {
		for (i = 0; i < 4; i++) {
			double pm;

			code[i] = line_code(x, 2 * a + i, l);
			pm = code_to_pm(code[i], x->range_pm);
			if (code[i] < 0 || pm < lo_pm || pm > hi_pm)
				break;
		}
		if (i == 4)
			return (int)l;
	}
	return -1;
}

/* Set a lane's two rings to their codes, let them settle, lock them. */
static bool lock_pair(const struct oio_card *c, unsigned int lane,
		      const double *code)
{
	unsigned int side;
	bool ok = true;

	for (side = 0; side < 2; side++)
		wr(c, ring_reg(2 * lane + side, OIO_RING_HEATER),
		   (uint32_t)lround(code[side]));
	sleep_us(100);
	for (side = 0; side < 2; side++)
		wr(c, ring_reg(2 * lane + side, OIO_RING_LOCK_CTRL),
		   OIO_LOCK_ENABLE);
	for (side = 0; side < 2; side++)
		ok &= lock_wait(c, 2 * lane + side) == OIO_LOCK_LOCKED;
	return ok;
}

static uint32_t lane_up(const struct oio_card *c, unsigned int lane)
{
	wr(c, lane_reg(lane, OIO_LANE_CTRL), OIO_LANE_REQ_INIT);
	lane_settle(c, lane);
	wr(c, lane_reg(lane, OIO_LANE_CTRL), OIO_LANE_REQ_ACTIVATE);
	return lane_settle(c, lane);
}

/*
 * Lanes a and b = a + 1, the first two of a port: no ring upstream of them
 * on their buses could sit near their line. Rings of lane a locked on the
 * line of lane b: the card activates lane a all the same, and only PRBS
 * shows the mistake, on both lanes (datasheet 6.12, 7.8).
 */
static void t_lanes(struct ctx *x)
{
	const struct oio_card *c = x->c;
	unsigned int W = c->wavelengths, port, a = 0, b, shift, i;
	double code[4], park[2], ber_a, ber_b;
	uint64_t bits, errs;
	uint32_t st;
	int line = -1;
	long before;

	qset_int(c, "card-tau-ms", 5);
	card_reset(c);
	wr(c, lane_reg(0, OIO_LANE_CTRL), OIO_LANE_REQ_INIT);
	st = lane_settle(c, 0);
	tap_ok(st == (OIO_DP_DEACTIVATED |
		      OIO_REASON_LASER_DARK << OIO_LANE_REASON_SHIFT),
	       "lane: init with its laser dark fails back to deactivated");

	/* heat to spare for the crosstalk between the two lanes */
	for (port = 0; port < c->ports && line < 0; port++) {
		a = port * W;
		line = shared_line(x, a, code, 800, 6000);
	}
	b = a + 1;
	port = a / W;
	tap_ok(line >= 0, "lane: rings of lanes %u and %u all reach line %d",
	       a, b, line);
	if (line < 0)
		goto out;
	lasers_on(c, (1u << W) - 1);
	shift = ((unsigned int)line + W - 1) % W;
	wr(c, OIO_REG_PORT_LINE_SHIFT(port), shift);
	/*
	 * A cold ring upstream near the line would take some of it and
	 * imprint its own lane's data (datasheet 7.8): park lane a's rings
	 * half a spacing off the line, between two lines, blue of it if they
	 * can, counting the 8 % of lane b's heat they will get. Lane b's
	 * rings get 8 % of theirs.
	 */
	for (i = 0; i < 2; i++) {
		double half = rd(c, OIO_REG_GRID_SPACING_PM) / 2.0;
		double own = code_to_pm(code[i], x->range_pm);
		double next = 0.08 * code_to_pm(code[2 + i], x->range_pm);

		park[i] = own - half - next;
		if (park[i] < 100)
			park[i] = own + half - next;
		wr(c, ring_reg(2 * a + i, OIO_RING_HEATER),
		   (uint32_t)lround(pm_to_code(park[i], x->range_pm)));
		code[2 + i] = pm_to_code(code_to_pm(code[2 + i], x->range_pm) -
					 0.08 * park[i], x->range_pm);
	}
	st = lock_pair(c, b, code + 2) ? lane_up(c, b) : 0;
	lane_ber(c, b, 5, &bits, &errs);
	tap_ok(st == OIO_DP_ACTIVATED && bits > 0 && !errs,
	       "lane: lane %u on its line %d activates and runs clean "
	       "(%llu bits, %llu errors)", b, line, (unsigned long long)bits,
	       (unsigned long long)errs);

	/*
	 * Lane a carries line (line - 1) mod W; put its rings on line too,
	 * less the 8 % of lane b's heat they get from their neighbours.
	 */
	for (i = 0; i < 2; i++)
		code[i] = pm_to_code(code_to_pm(code[i], x->range_pm) - 0.08 *
				     code_to_pm(rd(c, ring_reg(2 * b + i,
							OIO_RING_HEATER)),
						x->range_pm), x->range_pm);
	tap_ok(lock_pair(c, a, code),
	       "lane: lane %u's rings lock on line %d too, lane %u's line", a,
	       line, b);
	wr(c, lane_reg(a, OIO_LANE_ALARM), 0xffffffff);
	wr(c, lane_reg(a, OIO_LANE_CTRL), OIO_LANE_REQ_INIT);
	/* (under -icount the next read comes a few ns after the request) */
	tap_ok((rd(c, lane_reg(a, OIO_LANE_STATE)) & OIO_LANE_STATE_MASK) ==
	       OIO_DP_INIT, "lane: init goes through DataPathInit");
	st = lane_settle(c, a);
	tap_ok(st == OIO_DP_INITIALIZED, "lane: initialized with its line lit");
	wr(c, lane_reg(a, OIO_LANE_CTRL), OIO_LANE_REQ_ACTIVATE);
	st = lane_settle(c, a);
	tap_ok(st == OIO_DP_ACTIVATED &&
	       (rd(c, lane_reg(a, OIO_LANE_ALARM)) &
		(OIO_LNALM_FAILED | OIO_LNALM_STATE_CHANGED)) ==
	       OIO_LNALM_STATE_CHANGED,
	       "lane: it activates with its rings on another lane's line, "
	       "no reason, no failure: the card cannot tell (0x%x)", st);
	ber_a = lane_ber(c, a, 5, NULL, NULL);
	ber_b = lane_ber(c, b, 5, NULL, NULL);
	tap_ok(ber_a > 0.4,
	       "lane: its PRBS shows it: BER %.2f (about 0.5)", ber_a);
	tap_ok(ber_b > 0.4 &&
	       rd(c, lane_reg(b, OIO_LANE_STATE)) == OIO_DP_ACTIVATED,
	       "lane: lane %u, whose line it took, stays activated and errs "
	       "too: BER %.2f", b, ber_b);

	/* Lane b gone and the shift giving lane a its rings' line: clean. */
	wr(c, lane_reg(a, OIO_LANE_CTRL), OIO_LANE_REQ_DEACTIVATE);
	wr(c, lane_reg(b, OIO_LANE_CTRL), OIO_LANE_REQ_DEACTIVATE);
	lane_settle(c, a);
	lane_settle(c, b);
	for (i = 0; i < 2; i++) {
		wr(c, ring_reg(2 * b + i, OIO_RING_LOCK_CTRL), 0);
		wr(c, ring_reg(2 * b + i, OIO_RING_HEATER), 0);
	}
	wr(c, OIO_REG_PORT_LINE_SHIFT(port), line);
	st = lane_up(c, a);
	lane_ber(c, a, 5, &bits, &errs);
	tap_ok(st == OIO_DP_ACTIVATED && bits > 0 && !errs,
	       "lane: with the line shift giving it its rings' line it "
	       "activates and runs clean (%llu errors)",
	       (unsigned long long)errs);
	before = log_count("port has active lanes");
	wr(c, OIO_REG_PORT_LINE_SHIFT(port), (line + 1) % W);
	tap_ok(rd(c, OIO_REG_PORT_LINE_SHIFT(port)) == (uint32_t)line &&
	       logged(before, "port has active lanes"),
	       "lane: line shift is refused while the port carries data");

	wr(c, lane_reg(a, OIO_LANE_ALARM), 0xffffffff);
	wr(c, laser_reg(line, OIO_LASER_CTRL), 0);
	sleep_us(3000);
	st = rd(c, lane_reg(a, OIO_LANE_STATE));
	tap_ok(st == (OIO_DP_INITIALIZED |
		      OIO_REASON_LASER_DARK << OIO_LANE_REASON_SHIFT),
	       "lane: drops to initialized when its laser goes dark (0x%x)",
	       st);
	/* Nobody looked during the ramp-down: the loss is still found. */
	tap_ok((rd(c, ring_reg(2 * a, OIO_RING_LOCK_STATUS)) &
		OIO_LOCK_ST_MASK) == OIO_LOCK_LOST &&
	       (rd(c, lane_reg(a, OIO_LANE_ALARM)) &
		(OIO_LNALM_TX_LOCK_LOST | OIO_LNALM_FAILED)) ==
	       (OIO_LNALM_TX_LOCK_LOST | OIO_LNALM_FAILED),
	       "lane: its rings' loops lost the dark line and say so");
	wr(c, lane_reg(a, OIO_LANE_CTRL), OIO_LANE_REQ_DEACTIVATE);
	st = lane_settle(c, a);
	tap_ok(st == OIO_DP_DEACTIVATED, "lane: deactivates through DataPathDeinit");

	before = log_count("invalid in state");
	wr(c, lane_reg(a, OIO_LANE_CTRL), OIO_LANE_REQ_ACTIVATE);
	st = rd(c, lane_reg(a, OIO_LANE_STATE));
	tap_ok(st == (OIO_DP_DEACTIVATED |
		      OIO_REASON_BAD_REQUEST << OIO_LANE_REASON_SHIFT) &&
	       logged(before, "invalid in state"),
	       "lane: activate from deactivated is a bad request");
	before = log_count("unknown request");
	wr(c, lane_reg(a, OIO_LANE_CTRL), 9);
	tap_ok((rd(c, lane_reg(a, OIO_LANE_STATE)) & OIO_LANE_STATE_MASK) ==
	       OIO_DP_DEACTIVATED && logged(before, "unknown request"),
	       "lane: an unknown request is logged, state unchanged");
	before = log_count("line shift not below");
	wr(c, OIO_REG_PORT_LINE_SHIFT(port), W);
	tap_ok(rd(c, OIO_REG_PORT_LINE_SHIFT(port)) == (uint32_t)line &&
	       logged(before, "line shift not below"),
	       "lane: a line shift >= wavelengths is refused");
out:
	qset_int(c, "card-tau-ms", 2000);
	card_reset(c);
}

static void t_ber(struct ctx *x)
{
	const struct oio_card *c = x->c;
	static const double detune[] = { 0.75, 0.9, 1.1 };
	double tx, rx, ber[3];
	uint64_t bits, errs;
	bool rising = true;
	unsigned int i;
	int line;

	/* the square law exactly: detuning in pm converts to codes */
	qset_int(c, "heater-spread-permille", 0);
	qset_int(c, "heater-law-permille", 0);
	card_reset(c);
	line = lock_lane0(x, &tx, &rx, 300, 6000);
	if (line < 0 || lock_wait(c, 0) != OIO_LOCK_LOCKED ||
	    lock_wait(c, 1) != OIO_LOCK_LOCKED) {
		tap_ok(false, "ber: could not lock lane 0 (line %d)", line);
		goto out;
	}
	wr(c, OIO_REG_PORT_LINE_SHIFT(0), line);
	lane_ber(c, 0, 10, &bits, &errs);
	tap_ok(bits > 250000000ull && errs == 0,
	       "ber: locked lane, %llu PRBS bits in 10 ms, %llu errors",
	       (unsigned long long)bits, (unsigned long long)errs);

	/* Take the RX ring off its loop and detune it step by step. */
	rx = rd(c, ring_reg(1, OIO_RING_HEATER));
	wr(c, ring_reg(1, OIO_RING_LOCK_CTRL), 0);
	for (i = 0; i < 3; i++) {
		double pm = code_to_pm(rx, x->range_pm) + detune[i] * x->fwhm_pm;

		wr(c, ring_reg(1, OIO_RING_HEATER),
		   (uint32_t)lround(pm_to_code(pm, x->range_pm)));
		sleep_us(100);
		ber[i] = lane_ber(c, 0, 10, NULL, NULL);
		tap_diag("RX detuned %.2f FWHM: BER %.3g", detune[i], ber[i]);
		if (i && ber[i] <= ber[i - 1])
			rising = false;
	}
	tap_ok(rising && ber[0] > 1e-8 && ber[2] < 0.5,
	       "ber: BER rises with detuning (%.2g, %.2g, %.2g)", ber[0],
	       ber[1], ber[2]);
out:
	qset_int(c, "heater-spread-permille", 100);
	qset_int(c, "heater-law-permille", 50);
	card_reset(c);
}

static void t_alarms(struct ctx *x)
{
	const struct oio_card *c = x->c;
	unsigned int cap = pci_find_cap(c, 0x11);
	uint16_t ctl;
	uint32_t pba_off = 0;

	card_reset(c);
	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	wr(c, OIO_REG_TEMP_HIGH_WARN, 20000);
	tap_ok((rd(c, OIO_REG_CARD_ALARM) & OIO_CARD_TEMP_HIGH_WARN) &&
	       (rd(c, OIO_REG_ALARM_SUMMARY) & OIO_SUMMARY_CARD) &&
	       (rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "alarm: temperature warning latches, summary and interrupt");
	wr(c, OIO_REG_CARD_ALARM, OIO_CARD_TEMP_HIGH_WARN);
	tap_ok(rd(c, OIO_REG_CARD_ALARM) & OIO_CARD_TEMP_HIGH_WARN,
	       "alarm: re-latches at once while the condition persists");
	wr(c, OIO_REG_TEMP_HIGH_WARN, 75000);
	wr(c, OIO_REG_CARD_ALARM, OIO_CARD_TEMP_HIGH_WARN);
	tap_ok(rd(c, OIO_REG_CARD_ALARM) == 0 &&
	       rd(c, OIO_REG_ALARM_SUMMARY) == 0,
	       "alarm: write-1-to-clear once the condition is gone");
	wr(c, OIO_REG_INT_STATUS, OIO_INT_ALARM);
	tap_ok(!(rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "alarm: interrupt cause clears with write-1");

	wr(c, OIO_REG_CARD_ALARM_MASK, OIO_CARD_TEMP_LOW_WARN);
	wr(c, OIO_REG_TEMP_LOW_WARN, 30000);
	tap_ok((rd(c, OIO_REG_CARD_ALARM) & OIO_CARD_TEMP_LOW_WARN) &&
	       rd(c, OIO_REG_ALARM_SUMMARY) == 0 &&
	       !(rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "alarm: a masked flag latches without summary or interrupt");
	wr(c, OIO_REG_TEMP_LOW_WARN, 5000);

	wr(c, OIO_REG_POWER_LOW_WARN, 5000);
	lasers_on(c, 1u << 3);
	tap_ok((rd(c, laser_reg(3, OIO_LASER_ALARM)) & OIO_LALM_POWER_LOW_WARN) &&
	       rd(c, OIO_REG_LASER_ALARM_PENDING) == (1u << 3) &&
	       (rd(c, OIO_REG_ALARM_SUMMARY) & OIO_SUMMARY_LASER),
	       "alarm: laser power-low warning after the ramp, line 3 pending");
	wr(c, laser_reg(3, OIO_LASER_ALARM_MASK), OIO_LALM_POWER_LOW_WARN);
	tap_ok(rd(c, OIO_REG_LASER_ALARM_PENDING) == 0,
	       "alarm: masking the flag clears the pending bit");

	/* MSI-X enabled but function-masked: the vector shows in the PBA. */
	tap_ok(cap != 0 && c->msix, "msix: capability and BAR2 present");
	if (!cap || !c->msix)
		goto out;
	pci_cfg_read(c, cap + 8, &pba_off, 4);
	ctl = 0;
	pci_cfg_read(c, cap + 2, &ctl, 2);
	tap_ok((ctl & 0x7ff) + 1 == OIO_NUM_VECTORS && (pba_off & 7) == 2,
	       "msix: %d vectors, PBA in BAR2", (ctl & 0x7ff) + 1);
	ctl |= 0xc000;	/* enable + function mask */
	pci_cfg_write(c, cap + 2, &ctl, 2);
	wr(c, OIO_REG_TEMP_HIGH_WARN, 20000);
	tap_ok(c->msix[(pba_off & ~7u) / 4] & (1u << OIO_VEC_ALARM),
	       "msix: alarm vector pending in the PBA");
	ctl &= ~0xc000;
	pci_cfg_write(c, cap + 2, &ctl, 2);
out:
	card_reset(c);
}

static void t_counters(struct ctx *x)
{
	const struct oio_card *c = x->c;
	uint32_t a, b, w0, w1, d0, d1;
	int i;

	a = rd(c, OIO_REG_CNT_MMIO_RD_LO);
	rd(c, OIO_REG_CNT_MMIO_RD_HI);
	for (i = 0; i < 100; i++)
		rd(c, OIO_REG_SCRATCH);
	b = rd(c, OIO_REG_CNT_MMIO_RD_LO);
	tap_ok(b - a == 102, "counters: 100 reads counted exactly (%u)", b - a);
	w0 = rd(c, OIO_REG_CNT_MMIO_WR_LO);
	for (i = 0; i < 50; i++)
		wr(c, OIO_REG_SCRATCH, i);
	w1 = rd(c, OIO_REG_CNT_MMIO_WR_LO);
	tap_ok(w1 - w0 == 50, "counters: 50 writes counted exactly");
	b = rd(c, OIO_REG_CNT_MMIO_RD_LO);
	tap_ok((long long)b == qget_int(c, "mmio-reads"),
	       "counters: QOM mmio-reads agrees with the register");

	d0 = rd(c, OIO_REG_CNT_DMA_LO);
	wr(c, OIO_REG_TELEM_ADDR_LO, (uint32_t)x->dma.pa);
	wr(c, OIO_REG_TELEM_ADDR_HI, (uint32_t)(x->dma.pa >> 32));
	wr(c, OIO_REG_TELEM_LEN, (uint32_t)x->dma.len);
	wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	wait_engine(c, OIO_REG_TELEM_STATUS, 1000);
	d1 = rd(c, OIO_REG_CNT_DMA_LO);
	tap_ok(d1 - d0 == rd(c, OIO_REG_TELEM_SIZE),
	       "counters: DMA bytes count one telemetry block (%u)", d1 - d0);

	card_reset(c);
	tap_ok(rd(c, OIO_REG_CNT_MMIO_RD_LO) > b,
	       "counters: survive a soft reset");
	wr(c, OIO_REG_CNT_CTRL, OIO_CNT_CLEAR);
	tap_ok(rd(c, OIO_REG_CNT_MMIO_RD_LO) == 1 &&
	       rd(c, OIO_REG_CNT_MMIO_WR_LO) == 0 &&
	       rd(c, OIO_REG_CNT_DMA_LO) == 0,
	       "counters: clear zeroes all three");
}

static void t_telemetry(struct ctx *x)
{
	const struct oio_card *c = x->c;
	const uint8_t *blk = x->dma.va;
	const uint8_t *lz, *ln, *rg;
	uint32_t seq, v, size;
	long before;

#define U32(p, off) (*(const uint32_t *)((p) + (off)))
	card_reset(c);
	/* without noise a record's monitor can be held to the register's */
	qset_int(c, "monitor-noise-na", 0);
	lasers_on(c, 0x1);
	wr(c, ring_reg(5, OIO_RING_HEATER), 1234);
	wr(c, OIO_REG_TELEM_ADDR_LO, (uint32_t)x->dma.pa);
	wr(c, OIO_REG_TELEM_ADDR_HI, (uint32_t)(x->dma.pa >> 32));
	wr(c, OIO_REG_TELEM_LEN, (uint32_t)x->dma.len);
	memset(x->dma.va, 0, 65536);
	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	tap_ok(wait_engine(c, OIO_REG_TELEM_STATUS, 1000) == OIO_ENG_DONE &&
	       (rd(c, OIO_REG_INT_STATUS) & OIO_INT_TELEM),
	       "telemetry: snapshot completes and interrupts");
	size = rd(c, OIO_REG_TELEM_SIZE);
	tap_ok(size == OIO_TELEM_HDR_SIZE + c->wavelengths * 0x20 +
		       c->lanes * 0x20 + c->rings * 0x10,
	       "telemetry: block size %u", size);
	seq = rd(c, OIO_REG_TELEM_SEQ);
	tap_ok(U32(blk, OIO_TELEM_HDR_MAGIC) == OIO_TELEM_MAGIC &&
	       U32(blk, OIO_TELEM_HDR_SEQ) == seq && seq == 1 &&
	       U32(blk, OIO_TELEM_HDR_SIZE_BYTES) == size &&
	       U32(blk, OIO_TELEM_HDR_GEOMETRY) == rd(c, OIO_REG_GEOMETRY),
	       "telemetry: header magic, sequence, size, geometry");
	v = U32(blk, OIO_TELEM_HDR_CARD_TEMP);
	tap_ok(abs((int)v - (int)rd(c, OIO_REG_CARD_TEMP)) < 50 &&
	       U32(blk, OIO_TELEM_HDR_INTERLOCK) == OIO_INTERLOCK_CLOSED &&
	       U32(blk, OIO_TELEM_HDR_ARM) == OIO_ARM_ARMED,
	       "telemetry: card temperature, interlock, arm");
	lz = blk + OIO_TELEM_HDR_SIZE;
	tap_ok(U32(lz, OIO_TELEM_LASER_CTRL) == OIO_LASER_ENABLE &&
	       U32(lz, OIO_TELEM_LASER_BIAS) == rd(c, laser_reg(0, OIO_LASER_BIAS)) &&
	       U32(lz, OIO_TELEM_LASER_POWER) ==
	       rd(c, laser_reg(0, OIO_LASER_POWER)) &&
	       U32(lz + OIO_TELEM_LASER_SIZE, OIO_TELEM_LASER_CTRL) == 0,
	       "telemetry: laser records match the registers");
	ln = lz + c->wavelengths * OIO_TELEM_LASER_SIZE;
	tap_ok(U32(ln, OIO_TELEM_LANE_STATE) == OIO_DP_DEACTIVATED,
	       "telemetry: lane records");
	rg = ln + c->lanes * OIO_TELEM_LANE_SIZE;
	{
		unsigned int g, off = 0;

		for (g = 0; g < c->rings; g++) {
			int m = (int)U32(rg + g * OIO_TELEM_RING_SIZE,
					 OIO_TELEM_RING_MONITOR);

			off += abs(m - (int)rd(c, ring_reg(g,
						OIO_RING_MONITOR))) >
			       m / 100 + 50;
		}
		tap_ok(U32(rg + 5 * OIO_TELEM_RING_SIZE,
			   OIO_TELEM_RING_HEATER) == 1234 &&
		       U32(rg + 5 * OIO_TELEM_RING_SIZE,
			   OIO_TELEM_RING_HEATER_UW) ==
		       rd(c, ring_reg(5, OIO_RING_HEATER_UW)) && !off,
		       "telemetry: ring records (heater, power, and every "
		       "monitor within 1 %% and an ADC step)");
	}
	qset_int(c, "monitor-noise-na", 2000);

	wr(c, OIO_REG_TELEM_PERIOD_US, 1000);
	wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_PERIODIC);
	sleep_us(30000);
	v = rd(c, OIO_REG_TELEM_SEQ);
	tap_ok(v >= seq + 5, "telemetry: periodic blocks (%u in 30 ms)",
	       v - seq);
	wr(c, OIO_REG_TELEM_CTRL, 0);
	v = rd(c, OIO_REG_TELEM_SEQ);
	sleep_us(5000);
	tap_ok(rd(c, OIO_REG_TELEM_SEQ) == v, "telemetry: periodic stops");

	before = log_count("period outside");
	wr(c, OIO_REG_TELEM_PERIOD_US, 10);
	tap_ok(rd(c, OIO_REG_TELEM_PERIOD_US) == 1000 &&
	       logged(before, "period outside"),
	       "telemetry: a period below 1 ms is refused");
	wr(c, OIO_REG_TELEM_LEN, size - 1);
	wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	tap_ok(rd(c, OIO_REG_TELEM_STATUS) == OIO_ENG_ERR_NOSPC,
	       "telemetry: a short buffer is refused (NOSPC)");
	wr(c, OIO_REG_TELEM_LEN, (uint32_t)x->dma.len);
	wr(c, OIO_REG_TELEM_ADDR_LO, (uint32_t)x->dma.pa + 4);
	wr(c, OIO_REG_TELEM_CTRL, OIO_TELEM_SNAPSHOT);
	tap_ok(rd(c, OIO_REG_TELEM_STATUS) == OIO_ENG_ERR_INVAL,
	       "telemetry: an unaligned buffer is refused (INVAL)");
	card_reset(c);
#undef U32
}

static void t_commands(struct ctx *x)
{
	const struct oio_card *c = x->c;
	char want[32];
	const char *id = x->dma.va;

	card_reset(c);
	wr(c, OIO_REG_CMD_OPCODE, OIO_CMD_NOP);
	tap_ok(wait_engine(c, OIO_REG_CMD_STATUS, 1000) == OIO_ENG_DONE &&
	       rd(c, OIO_REG_CMD_SEQ) == 1 &&
	       (rd(c, OIO_REG_INT_STATUS) & OIO_INT_CMD),
	       "command: NOP completes, counts and interrupts");
	memset(x->dma.va, 0, 256);
	wr(c, OIO_REG_CMD_ARG0, (uint32_t)x->dma.pa);
	wr(c, OIO_REG_CMD_ARG1, (uint32_t)(x->dma.pa >> 32));
	wr(c, OIO_REG_CMD_ARG2, OIO_IDENT_SIZE);
	wr(c, OIO_REG_CMD_OPCODE, OIO_CMD_IDENTIFY);
	snprintf(want, sizeof(want), "OIO%08u", rd(c, OIO_REG_SERIAL));
	tap_ok(wait_engine(c, OIO_REG_CMD_STATUS, 1000) == OIO_ENG_DONE &&
	       !strcmp(id + OIO_IDENT_SERIAL, want) &&
	       !strcmp(id + OIO_IDENT_FW, "1.4.2-emu") &&
	       !strncmp(id + OIO_IDENT_PART, "OIO-", 4),
	       "command: IDENTIFY writes part, serial %s, firmware", want);
	wr(c, OIO_REG_CMD_ARG2, 64);
	wr(c, OIO_REG_CMD_OPCODE, OIO_CMD_IDENTIFY);
	tap_ok(wait_engine(c, OIO_REG_CMD_STATUS, 1000) == OIO_ENG_ERR_NOSPC,
	       "command: IDENTIFY into 64 bytes is refused");
	wr(c, OIO_REG_CMD_OPCODE, 0x77);
	tap_ok(wait_engine(c, OIO_REG_CMD_STATUS, 1000) == OIO_ENG_ERR_INVAL,
	       "command: unknown opcode is refused");

	qset(c, "fw-hang", "true");
	wr(c, OIO_REG_CMD_OPCODE, OIO_CMD_NOP);
	sleep_us(20000);
	tap_ok(rd(c, OIO_REG_CMD_STATUS) == OIO_ENG_BUSY,
	       "fault: hung firmware never completes a command");
	qset(c, "fw-hang", "false");
	tap_ok(wait_engine(c, OIO_REG_CMD_STATUS, 1000) == OIO_ENG_DONE,
	       "fault: the command completes once firmware recovers");
	card_reset(c);
}

static void t_sweep_bad(struct ctx *x)
{
	const struct oio_card *c = x->c;
	static const struct {
		unsigned int first, count, start, stop, step, dwell;
		uint32_t want;
		const char *what;
	} cases[] = {
		{ 0, 0, 0, 100, 1, 1000, OIO_ENG_ERR_INVAL, "no rings" },
		{ 0, 100000, 0, 100, 1, 1000, OIO_ENG_ERR_INVAL, "too many rings" },
		{ 4000, 1, 0, 100, 1, 1000, OIO_ENG_ERR_INVAL, "ring beyond card" },
		{ 0, 1, 200, 100, 1, 1000, OIO_ENG_ERR_INVAL, "start > stop" },
		{ 0, 1, 0, 5000, 1, 1000, OIO_ENG_ERR_INVAL, "stop > 4095" },
		{ 0, 1, 0, 100, 0, 1000, OIO_ENG_ERR_INVAL, "step 0" },
		{ 0, 1, 0, 100, 1, 0, OIO_ENG_ERR_INVAL, "dwell 0" },
		{ 0, 1, 0, 100, 1, 5000000, OIO_ENG_ERR_INVAL, "dwell 5 ms" },
	};
	unsigned int i, bad = 0;
	long before = log_count("sweep refused");
	long dma, swept, fixed;
	uint32_t lock, step, code;
	bool busy, aborted;

	card_reset(c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t st = sweep_run(c, &x->dma, cases[i].first,
					cases[i].count, cases[i].start,
					cases[i].stop, cases[i].step,
					cases[i].dwell, NULL, NULL);

		if (st != cases[i].want) {
			tap_diag("%s: status %u, want %u", cases[i].what, st,
				 cases[i].want);
			bad++;
		}
	}
	tap_ok(!bad && log_count("sweep refused") >= before + 8,
	       "sweep: absurd parameters are refused with a status and a log");
	{
		/* 2 rings x 101 points need 32 + 808 bytes. */
		struct dma_buf small = x->dma;

		small.len = 839;
		tap_ok(sweep_run(c, &small, 0, 2, 0, 100, 1, 1000, NULL,
				 NULL) == OIO_ENG_ERR_NOSPC,
		       "sweep: a trace one byte larger than the buffer is "
		       "refused (NOSPC)");
		small.len = 840;
		tap_ok(sweep_run(c, &small, 0, 2, 0, 100, 1, 1000, NULL,
				 NULL) == OIO_ENG_DONE,
		       "sweep: a buffer of exactly the trace size is enough");
	}

	wr(c, OIO_REG_SWEEP_ADDR_LO, (uint32_t)x->dma.pa + 4);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	tap_ok(wait_engine(c, OIO_REG_SWEEP_STATUS, 100) == OIO_ENG_ERR_INVAL,
	       "sweep: an unaligned buffer is refused");

	/* Outside guest RAM: refused whole, nothing written. */
	dma = log_count("outside guest memory");
	sweep_setup(c, 0xfffffff000ull, 65536, 0, 1, 0, 100, 1, 1000);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	tap_ok(wait_engine(c, OIO_REG_SWEEP_STATUS, 1000) == OIO_ENG_ERR_DMA &&
	       logged(dma, "outside guest memory"),
	       "sweep: DMA outside guest memory fails cleanly");

	pci_bus_master(c, false);
	dma = log_count("bus mastering disabled");
	sweep_run(c, &x->dma, 0, 1, 0, 100, 1, 1000, NULL, NULL);
	tap_ok(rd(c, OIO_REG_SWEEP_STATUS) == OIO_ENG_ERR_DMA &&
	       logged(dma, "bus mastering disabled"),
	       "sweep: no DMA with bus mastering off");
	pci_bus_master(c, true);

	/*
	 * A long sweep: its rings are the engine's until it ends or aborts.
	 * No harness call while it runs: under -icount the guest idles while
	 * the harness answers, and the card's clock races ahead meanwhile.
	 */
	swept = log_count("ring is being swept");
	fixed = log_count("parameters are fixed");
	wr(c, ring_reg(0, OIO_RING_HEATER), 77);
	wr(c, OIO_REG_SWEEP_ADDR_LO, (uint32_t)x->dma.pa);
	wr(c, OIO_REG_SWEEP_ADDR_HI, (uint32_t)(x->dma.pa >> 32));
	wr(c, OIO_REG_SWEEP_LEN, (uint32_t)x->dma.len);
	wr(c, OIO_REG_SWEEP_STOP, 999);
	wr(c, OIO_REG_SWEEP_DWELL_NS, 1000000);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	wr(c, ring_reg(0, OIO_RING_HEATER), 500);
	wr(c, ring_reg(0, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	busy = rd(c, OIO_REG_SWEEP_STATUS) == OIO_ENG_BUSY;
	lock = rd(c, ring_reg(0, OIO_RING_LOCK_CTRL));
	wr(c, OIO_REG_SWEEP_STEP, 5);
	step = rd(c, OIO_REG_SWEEP_STEP);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_ABORT);
	aborted = rd(c, OIO_REG_SWEEP_STATUS) == OIO_ENG_ABORTED;
	code = rd(c, ring_reg(0, OIO_RING_HEATER));
	tap_ok(busy && logged(swept, "ring is being swept") && !lock,
	       "sweep: swept rings refuse heater and lock writes");
	tap_ok(step == 1 && logged(fixed, "parameters are fixed"),
	       "sweep: parameters are fixed while it runs");
	tap_ok(aborted && code == 77,
	       "sweep: abort stops it and restores the heater code");
	card_reset(c);
}

/*
 * SWEEP_POS_MASK: of the run, only the rings at a position of the mask
 * are swept and recorded, in ring order, one row each; the others keep
 * their heater and stay the host's (datasheet 6.7).
 */
static void t_sweep_mask(struct ctx *x)
{
	const struct oio_card *c = x->c;
	const uint32_t *hdr = x->dma.va, *tr;
	unsigned int W = c->wavelengths, run = 2 * W, far = W > 3 ? 3 : W - 1;
	uint32_t mask = 1u | 1u << far, size, st;
	const unsigned int ring[4] = {
		2 * far, 2 * far + 1, 2 * (W + far), 2 * (W + far) + 1,
	};
	unsigned int n, k, i, rows_ok = 0;
	struct dma_buf small = x->dma;
	uint32_t code;
	long before, fixed;
	bool busy;

	card_reset(c);
	tap_ok(rd(c, OIO_REG_SWEEP_POS_MASK) == OIO_SWEEP_ALL_POSITIONS,
	       "sweep mask: every position after reset");
	lasers_on(c, (1u << W) - 1);
	/* a ring of the run at another position, heated by the host */
	wr(c, ring_reg(2, OIO_RING_HEATER), 1500);
	wr(c, OIO_REG_SWEEP_POS_MASK, mask);
	tap_ok(rd(c, OIO_REG_SWEEP_POS_MASK) == mask,
	       "sweep mask: 0x%x reads back", mask);

	/* 4 of the run's 2W rings swept: 32 + 4 x 4 x 1024 bytes of trace */
	size = OIO_SWEEP_HDR_SIZE + 4 * 4 * 1024;
	small.len = size - 1;
	st = sweep_run(c, &small, 0, run, 0, 4095, 4, 20000, NULL, NULL);
	tap_ok(st == OIO_ENG_ERR_NOSPC,
	       "sweep mask: a buffer one byte short of 4 rings' rows is "
	       "refused (NOSPC)");
	small.len = size;
	st = sweep_run(c, &small, 0, run, 0, 4095, 4, 20000, &tr, &n);
	tap_ok(st == OIO_ENG_DONE && hdr[OIO_SWEEP_HDR_RING_COUNT / 4] == 4 &&
	       hdr[OIO_SWEEP_HDR_FIRST_RING / 4] == 0 &&
	       hdr[OIO_SWEEP_HDR_POINTS / 4] == 1024,
	       "sweep mask: %u rings of a run of %u swept; the header counts "
	       "%u, the buffer of exactly their rows is enough", 4, run,
	       hdr[OIO_SWEEP_HDR_RING_COUNT / 4]);
	tap_ok(rd(c, ring_reg(2, OIO_RING_HEATER)) == 1500 &&
	       rd(c, ring_reg(0, OIO_RING_HEATER)) == 0,
	       "sweep mask: the ring outside the mask kept its code, the swept "
	       "ones got theirs back");

	/*
	 * Row k is ring[k]'s trace: its peaks where a sweep of it alone has
	 * them. One position of two ports' runs, so that each swept ring is
	 * alone on its bus: none takes light from another swept one.
	 */
	{
		static uint32_t rows[4][1024];
		struct peak pk[16], one[16];
		bool got;

		wr(c, OIO_REG_SWEEP_POS_MASK, 1u << far);
		st = sweep_run(c, &x->dma, 0, 2 * run, 0, 4095, 4, 20000, &tr,
			       &n);
		got = st == OIO_ENG_DONE &&
		      hdr[OIO_SWEEP_HDR_RING_COUNT / 4] == 4;
		memcpy(rows, tr, sizeof(rows));
		wr(c, OIO_REG_SWEEP_POS_MASK, OIO_SWEEP_ALL_POSITIONS);
		for (k = 0; got && k < 4; k++) {
			int np = find_peaks(rows[k], 1024, 0, 4, 0.3, 20000, pk,
					    16);
			int no;
			bool same;

			sweep_run(c, &x->dma, ring[k], 1, 0, 4095, 4, 20000, &tr,
				  &n);
			no = find_peaks(tr, n, 0, 4, 0.3, 20000, one, 16);
			same = np >= 1 && np == no;
			for (i = 0; same && i < (unsigned int)np; i++)
				same = fabs(pk[i].code - one[i].code) < 3;
			if (!same)
				tap_diag("row %u: %d peaks, ring %u alone %d", k,
					 np, ring[k], no);
			rows_ok += same;
		}
		tap_ok(rows_ok == 4,
		       "sweep mask: the rows are rings %u, %u, %u, %u in order: "
		       "each row's peaks are that ring's alone", ring[0],
		       ring[1], ring[2], ring[3]);
	}

	/*
	 * While it runs, only the swept rings are the engine's. (No harness
	 * call meanwhile: the card's clock would race ahead, see sweep-bad.)
	 */
	before = log_count("ring is being swept");
	fixed = log_count("parameters are fixed");
	wr(c, OIO_REG_SWEEP_POS_MASK, mask);
	wr(c, ring_reg(4, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	sweep_setup(c, x->dma.pa, (uint32_t)x->dma.len, 0, run, 0, 999, 1,
		    1000000);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	wr(c, ring_reg(2, OIO_RING_HEATER), 1600);
	wr(c, ring_reg(0, OIO_RING_HEATER), 500);
	busy = rd(c, OIO_REG_SWEEP_STATUS) == OIO_ENG_BUSY;
	code = rd(c, ring_reg(2, OIO_RING_HEATER));
	wr(c, OIO_REG_SWEEP_POS_MASK, 1);
	st = rd(c, OIO_REG_SWEEP_POS_MASK);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_ABORT);
	wait_engine(c, OIO_REG_SWEEP_STATUS, 100);
	tap_ok(busy && code == 1600 &&
	       log_count("ring is being swept") == before + 1,
	       "sweep mask: during the sweep a ring outside the mask takes "
	       "heater writes, a swept one refuses them; a loop outside the "
	       "mask does not stop the sweep");
	tap_ok(st == mask && logged(fixed, "parameters are fixed"),
	       "sweep mask: fixed while the sweep runs");

	wr(c, ring_reg(2 * far, OIO_RING_LOCK_CTRL), OIO_LOCK_ENABLE);
	st = sweep_run(c, &x->dma, 0, run, 0, 100, 1, 1000, NULL, NULL);
	tap_ok(st == OIO_ENG_ERR_INVAL,
	       "sweep mask: a swept ring with its loop enabled is refused");
	wr(c, ring_reg(2 * far, OIO_RING_LOCK_CTRL), 0);
	wr(c, ring_reg(4, OIO_RING_LOCK_CTRL), 0);

	before = log_count("no ring of the run is at a position");
	wr(c, OIO_REG_SWEEP_POS_MASK, 1u << 1);
	st = sweep_run(c, &x->dma, 0, 2, 0, 100, 1, 1000, NULL, NULL);
	tap_ok(st == OIO_ENG_ERR_INVAL &&
	       logged(before, "no ring of the run is at a position"),
	       "sweep mask: a run with no ring at a masked position is refused");
	wr(c, OIO_REG_SWEEP_POS_MASK, 1u << W);
	st = sweep_run(c, &x->dma, 0, c->rings, 0, 100, 1, 1000, NULL, NULL);
	tap_ok(st == OIO_ENG_ERR_INVAL,
	       "sweep mask: bits past the wavelengths select nothing");
	card_reset(c);
	tap_ok(rd(c, OIO_REG_SWEEP_POS_MASK) == OIO_SWEEP_ALL_POSITIONS,
	       "sweep mask: a soft reset selects every position again");
}

static void t_faults(struct ctx *x)
{
	const struct oio_card *c = x->c;
	unsigned int g, k;
	uint32_t uw0, v;
	int i;

	card_reset(c);
	lasers_on(c, 0xf);
	qset_int(c, "laser-fail-mask", 1 << 2);
	tap_ok(rd(c, laser_reg(2, OIO_LASER_POWER)) == 0 &&
	       (rd(c, laser_reg(2, OIO_LASER_STATUS)) & OIO_LASER_ST_FAILED) &&
	       (rd(c, laser_reg(2, OIO_LASER_ALARM)) & OIO_LALM_FAILURE) &&
	       rd(c, laser_reg(1, OIO_LASER_POWER)) > 1000,
	       "fault: a failed line goes dark and latches FAILURE, others stay");
	wr(c, laser_reg(2, OIO_LASER_CTRL), 0);
	wr(c, laser_reg(2, OIO_LASER_CTRL), OIO_LASER_ENABLE);
	tap_ok(rd(c, OIO_REG_LASER_REFUSED) == OIO_REFUSED_LINE_FAILED,
	       "fault: enabling a failed line is refused");
	qset_int(c, "laser-fail-mask", 0);

	wr(c, OIO_REG_SCRATCH, 42);
	qset(c, "dead", "true");
	v = rd(c, OIO_REG_MAGIC);
	wr(c, OIO_REG_SCRATCH, 7);
	tap_ok(v == 0xffffffff && rd(c, OIO_REG_SCRATCH) == 0xffffffff,
	       "fault: a gone device reads all ones");
	qset(c, "dead", "false");
	tap_ok(rd(c, OIO_REG_MAGIC) == OIO_MAGIC_VALUE &&
	       rd(c, OIO_REG_SCRATCH) == 42,
	       "fault: writes while gone were dropped");

	uw0 = rd(c, ring_reg(4, OIO_RING_HEATER_UW));
	qset_int(c, "stuck-ring", 4);
	wr(c, ring_reg(4, OIO_RING_HEATER), 3000);
	sleep_us(100);
	tap_ok(rd(c, ring_reg(4, OIO_RING_HEATER)) == 3000 &&
	       rd(c, ring_reg(4, OIO_RING_HEATER_UW)) == uw0,
	       "fault: a stuck heater reads back its code but draws no power");
	qset_int(c, "stuck-ring", -1);
	sleep_us(100);
	tap_ok(rd(c, ring_reg(4, OIO_RING_HEATER_UW)) > 1000,
	       "fault: unstuck, it follows its DAC (%u uW)",
	       rd(c, ring_reg(4, OIO_RING_HEATER_UW)));

	/*
	 * Noise on a lit ring (clamping at 0 would shrink it on a dark one):
	 * the ring that sees most light with lines 0-3 lit.
	 */
	for (i = 0, g = 0, v = 0; i < (int)c->rings; i++) {
		uint32_t m = rd(c, ring_reg(i, OIO_RING_MONITOR));

		if (m > v) {
			v = m;
			g = (unsigned int)i;
		}
	}
	for (k = 0; k < 3; k++) {
		static const int rms[] = { 2000, 5000, 0 };
		double sum = 0, sum2 = 0, sd;
		bool steps = true;

		if (k)
			qset_int(c, "monitor-noise-na", rms[k]);
		for (i = 0; i < 200; i++) {
			uint32_t m = rd(c, ring_reg(g, OIO_RING_MONITOR));

			steps &= m % 50 == 0;
			sum += m;
			sum2 += (double)m * m;
		}
		sd = sqrt(fmax(sum2 / 200 - (sum / 200) * (sum / 200), 0));
		tap_ok(steps && fabs(sd - rms[k]) <= 0.25 * rms[k] + 30,
		       "fault: monitor noise %d nA rms reads %.0f nA rms on "
		       "ring %u (%.0f nA), in 50 nA steps", rms[k], sd, g,
		       sum / 200);
	}
	qset_int(c, "monitor-lsb-na", 1000);
	v = rd(c, ring_reg(g, OIO_RING_MONITOR));
	tap_ok(v % 1000 == 0 && rd(c, ring_reg(g, OIO_RING_MONITOR)) == v,
	       "fault: without noise the monitor is repeatable, in steps of "
	       "monitor-lsb-na (%u nA)", v);
	qset_int(c, "monitor-lsb-na", 50);
	qset_int(c, "monitor-noise-na", 2000);

	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	qset(c, "irq-storm", "true");
	sleep_us(2000);
	v = rd(c, OIO_REG_INT_STATUS);
	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	sleep_us(2000);
	tap_ok((v & OIO_INT_ALARM) && (rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "fault: an interrupt storm keeps raising the alarm vector");
	qset(c, "irq-storm", "false");
	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	sleep_us(2000);
	tap_ok(!(rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "fault: the storm stops");

	qset_int(c, "card-tau-ms", 10);
	qset_int(c, "ambient-ramp-mc-per-s", 10000);
	sleep_us(200000);
	v = rd(c, OIO_REG_CARD_TEMP);
	tap_ok((int)v > 26500 &&
	       !(rd(c, OIO_REG_STATUS) & OIO_STATUS_THERMAL_SETTLED),
	       "fault: an ambient ramp heats the card (%d mC)", (int)v);
	qset_int(c, "ambient-ramp-mc-per-s", 0);
	qset_int(c, "ambient-mc", 25000);
	tap_ok(wait_reg(c, OIO_REG_STATUS, OIO_STATUS_THERMAL_SETTLED,
			OIO_STATUS_THERMAL_SETTLED, 3000),
	       "fault: back at 25 C the card settles");
	qset_int(c, "card-tau-ms", 2000);
	card_reset(c);
}

/* Thresholds, masks and registers the other checks leave untouched. */
static void t_registers(struct ctx *x)
{
	const struct oio_card *c = x->c;
	const uint32_t *hdr = x->dma.va;
	struct peak a[16], b[16];
	const uint32_t *tr;
	unsigned int n, i, j, matched = 0, bad = 0;
	uint64_t t0, bits;
	uint32_t lo, hi, seq;
	int na, nb;

	card_reset(c);
	wr(c, OIO_REG_TEMP_HIGH_ALARM, 20000);
	wr(c, OIO_REG_TEMP_LOW_ALARM, 30000);
	tap_ok((rd(c, OIO_REG_CARD_ALARM) &
		(OIO_CARD_TEMP_HIGH_ALARM | OIO_CARD_TEMP_LOW_ALARM)) ==
	       (OIO_CARD_TEMP_HIGH_ALARM | OIO_CARD_TEMP_LOW_ALARM),
	       "registers: card temperature high and low alarm thresholds");
	card_reset(c);

	wr(c, OIO_REG_BIAS_HIGH_WARN, 50000);
	wr(c, OIO_REG_BIAS_HIGH_ALARM, 60000);
	wr(c, OIO_REG_POWER_LOW_ALARM, 5000);
	lasers_on(c, 1u << 1);
	tap_ok((rd(c, laser_reg(1, OIO_LASER_ALARM)) &
		(OIO_LALM_BIAS_HIGH | OIO_LALM_BIAS_HIGH_WARN |
		 OIO_LALM_POWER_LOW)) ==
	       (OIO_LALM_BIAS_HIGH | OIO_LALM_BIAS_HIGH_WARN | OIO_LALM_POWER_LOW) &&
	       !(rd(c, laser_reg(0, OIO_LASER_ALARM)) & OIO_LALM_BIAS_HIGH),
	       "registers: bias high alarm and warning, power low alarm");
	card_reset(c);

	qset_int(c, "laser-temp-mc", 40000);
	tap_ok(abs((int)rd(c, laser_reg(0, OIO_LASER_TEMP)) - 40000) < 100 &&
	       (rd(c, laser_reg(0, OIO_LASER_ALARM)) & OIO_LALM_TEMP_HIGH) &&
	       (rd(c, laser_reg(c->wavelengths - 1, OIO_LASER_ALARM)) &
		OIO_LALM_TEMP_HIGH),
	       "registers: laser TEC above 35 C latches TEMP_HIGH on every line");
	qset_int(c, "laser-temp-mc", 10000);
	tap_ok(rd(c, laser_reg(0, OIO_LASER_ALARM)) & OIO_LALM_TEMP_LOW,
	       "registers: laser TEC below 15 C latches TEMP_LOW");
	qset_int(c, "laser-temp-mc", 25000);

	/*
	 * The lines drift 90 pm/K with the TEC: rings need that much more.
	 * (Exact heater range and square law, so codes convert to pm.)
	 */
	qset_int(c, "heater-spread-permille", 0);
	qset_int(c, "heater-law-permille", 0);
	card_reset(c);
	lasers_on(c, (1u << c->wavelengths) - 1);
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	na = find_peaks(tr, n, 0, 1, 0.3, 20000, a, 16);
	qset_int(c, "laser-temp-mc", 26000);
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	nb = find_peaks(tr, n, 0, 1, 0.3, 20000, b, 16);
	for (i = 0; i < (unsigned int)nb; i++)
		for (j = 0; j < (unsigned int)na; j++) {
			double d = code_to_pm(b[i].code, x->range_pm) -
				   code_to_pm(a[j].code, x->range_pm);

			if (fabs(d - 90) < 200) {
				matched++;
				bad += fabs(d - 90) > 20;
			}
		}
	tap_ok(matched >= 3 && !bad,
	       "registers: +1 K on the laser TEC moves %u resonances +90 pm",
	       matched);
	qset_int(c, "laser-temp-mc", 25000);

	/*
	 * And 10 pm/mA (x U(0.8, 1.2) per line) with their bias (datasheet
	 * 7.1): from 80 to 60 mA, each line 160 to 240 pm blue.
	 */
	card_reset(c);
	lasers_on(c, (1u << c->wavelengths) - 1);
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	na = find_peaks(tr, n, 0, 1, 0.3, 20000, a, 16);
	for (i = 0; i < c->wavelengths; i++)
		wr(c, laser_reg(i, OIO_LASER_BIAS_SET), 60000);
	lasers_on(c, (1u << c->wavelengths) - 1);
	sweep_run(c, &x->dma, 0, 1, 0, 4095, 1, 1000, &tr, &n);
	nb = find_peaks(tr, n, 0, 1, 0.3, 20000, b, 16);
	matched = 0;
	bad = 0;
	for (i = 0; i < (unsigned int)nb; i++)
		for (j = 0; j < (unsigned int)na; j++) {
			double d = code_to_pm(b[i].code, x->range_pm) -
				   code_to_pm(a[j].code, x->range_pm);

			if (fabs(d + 200) < 400) {
				matched++;
				bad += d < -250 || d > -150;
				if (d < -250 || d > -150)
					tap_diag("line moved %.1f pm", d);
			}
		}
	tap_ok(matched >= 3 && !bad,
	       "registers: 80 -> 60 mA of bias moves %u resonances 160 to "
	       "240 pm blue", matched);
	qset_int(c, "heater-spread-permille", 100);
	qset_int(c, "heater-law-permille", 50);
	card_reset(c);

	wr(c, OIO_REG_INT_STATUS, 0xffffffff);
	wr(c, lane_reg(0, OIO_LANE_ALARM_MASK), 0x3f);
	wr(c, lane_reg(0, OIO_LANE_CTRL), 7);
	tap_ok(rd(c, lane_reg(0, OIO_LANE_ALARM_MASK)) == 0x3f &&
	       (rd(c, lane_reg(0, OIO_LANE_ALARM)) & OIO_LNALM_FAILED) &&
	       rd(c, OIO_REG_LANE_ALARM_PENDING(0)) == 0 &&
	       !(rd(c, OIO_REG_INT_STATUS) & OIO_INT_ALARM),
	       "registers: a masked lane flag latches without pending or interrupt");


	seq = rd(c, OIO_REG_SWEEP_SEQ);
	sweep_run(c, &x->dma, 6, 3, 100, 400, 3, 500, NULL, NULL);
	tap_ok(rd(c, OIO_REG_SWEEP_SEQ) == seq + 1 &&
	       hdr[OIO_SWEEP_HDR_SEQ / 4] == seq + 1 &&
	       hdr[OIO_SWEEP_HDR_FIRST_RING / 4] == 6 &&
	       hdr[OIO_SWEEP_HDR_RING_COUNT / 4] == 3 &&
	       hdr[OIO_SWEEP_HDR_START / 4] == 100 &&
	       hdr[OIO_SWEEP_HDR_STEP / 4] == 3 &&
	       hdr[OIO_SWEEP_HDR_POINTS / 4] == 101 &&
	       abs((int)hdr[OIO_SWEEP_HDR_TEMP / 4] -
		   (int)rd(c, OIO_REG_CARD_TEMP)) < 50,
	       "registers: sweep sequence and every trace header field");
	tap_ok(rd(c, OIO_REG_SWEEP_ADDR_LO) == (uint32_t)x->dma.pa &&
	       rd(c, OIO_REG_SWEEP_ADDR_HI) == (uint32_t)(x->dma.pa >> 32) &&
	       rd(c, OIO_REG_SWEEP_LEN) == x->dma.len &&
	       rd(c, OIO_REG_SWEEP_FIRST_RING) == 6 &&
	       rd(c, OIO_REG_SWEEP_RING_COUNT) == 3 &&
	       rd(c, OIO_REG_SWEEP_START) == 100 &&
	       rd(c, OIO_REG_SWEEP_STOP) == 400 &&
	       rd(c, OIO_REG_SWEEP_DWELL_NS) == 500,
	       "registers: sweep parameters read back");
	for (i = 0; i < 4; i++)
		wr(c, OIO_REG_CMD_ARG0 + 4 * i, 0x1000 + i);
	wr(c, OIO_REG_TELEM_ADDR_HI, 0x12);
	wr(c, OIO_REG_TELEM_LEN, 4096);
	tap_ok(rd(c, OIO_REG_CMD_ARG3) == 0x1003 &&
	       rd(c, OIO_REG_CMD_ARG0) == 0x1000 &&
	       rd(c, OIO_REG_TELEM_ADDR_HI) == 0x12 &&
	       rd(c, OIO_REG_TELEM_LEN) == 4096,
	       "registers: command arguments and telemetry buffer read back");

	/* 32 Gb/s passes 2^32 bits in 134 ms: the high half must carry. */
	t0 = now_us();
	wr(c, lane_reg(3, OIO_LANE_PRBS_CTRL),
	   OIO_PRBS_GEN | OIO_PRBS_CHECK | OIO_PRBS_CLEAR);
	sleep_us(300000);
	lo = rd(c, lane_reg(3, OIO_LANE_PRBS_BITS_LO));
	hi = rd(c, lane_reg(3, OIO_LANE_PRBS_BITS_HI));
	bits = (uint64_t)hi << 32 | lo;
	t0 = now_us() - t0;
	tap_ok(hi >= 1 && bits > 0.8 * 32e3 * t0 && bits < 1.2 * 32e3 * t0,
	       "registers: PRBS bit counter crosses 2^32 (%llu bits in %llu us)",
	       (unsigned long long)bits, (unsigned long long)t0);
	lo = rd(c, lane_reg(3, OIO_LANE_PRBS_ERR_LO));
	hi = rd(c, lane_reg(3, OIO_LANE_PRBS_ERR_HI));
	tap_ok(lo > 0 && (double)((uint64_t)hi << 32 | lo) / bits > 0.4,
	       "registers: an unlocked lane counts errors at a BER near 0.5");
	lo = rd(c, OIO_REG_CNT_MMIO_RD_LO);
	hi = rd(c, OIO_REG_CNT_MMIO_RD_HI);
	tap_ok(hi == 0 && rd(c, OIO_REG_CNT_MMIO_WR_HI) == 0 &&
	       rd(c, OIO_REG_CNT_DMA_HI) == 0 && lo > 0,
	       "registers: access counter high halves");
	card_reset(c);
}

static const struct {
	const char *name;
	void (*fn)(struct ctx *x);
} checks[] = {
	{ "identity", t_identity },
	{ "reset", t_reset_values },
	{ "access", t_access_rules },
	{ "interlock", t_interlock },
	{ "laser", t_laser_ramp },
	{ "sweep", t_sweep_physics },
	{ "lock", t_lock_loop },
	{ "capture", t_lock_capture },
	{ "lanes", t_lanes },
	{ "ber", t_ber },
	{ "alarms", t_alarms },
	{ "counters", t_counters },
	{ "telemetry", t_telemetry },
	{ "commands", t_commands },
	{ "sweep-bad", t_sweep_bad },
	{ "sweep-mask", t_sweep_mask },
	{ "faults", t_faults },
	{ "registers", t_registers },
};

static bool selected(const char *name)
{
	const char *only = getenv("OIO_ONLY");
	size_t n = strlen(name);
	const char *p;

	if (!only || !*only)
		return true;
	for (p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

int main(void)
{
	struct oio_card cards[OIOT_MAX_CARDS];
	struct ctx x;
	unsigned int i;
	int n;

	n = oiot_cards(cards, OIOT_MAX_CARDS);
	if (n < 1)
		tap_bail("no OIO card found");
	x.c = &cards[0];
	if (!strcmp(x.c->qom, "?"))
		tap_bail("card %s has no QOM path", x.c->bdf);
	if (dma_alloc(&x.dma, 2 << 20))
		tap_bail("no huge page for DMA");
	pci_bus_master(x.c, true);
	card_reset(x.c);
	x.range_pm = rd(x.c, OIO_REG_HEATER_RANGE_PM);
	x.fwhm_pm = rd(x.c, OIO_REG_RING_FWHM_PM);
	x.fsr_pm = rd(x.c, OIO_REG_RING_FSR_PM);
	tap_diag("card %s (%s), %u lanes", x.c->bdf, x.c->qom, x.c->lanes);

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (!selected(checks[i].name))
			continue;
		tap_diag("check: %s", checks[i].name);
		checks[i].fn(&x);
	}
	dma_free(&x.dma);
	return tap_done();
}
