/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * OIO optical I/O engine: register map of BAR0, DMA block layouts and
 * MSI-X vectors.
 *
 * This header is the single source of truth shared by the QEMU device model
 * (tests/qemu/) and the Linux driver (driver/). docs/hardware.md is its
 * datasheet: every value here is described there. It holds only integer
 * constants so that both code bases can include it unchanged.
 *
 * All registers are 32 bits wide, little-endian, and must be accessed with
 * naturally aligned 32-bit loads and stores. 64-bit counters are split into
 * _LO/_HI halves; reading _LO latches _HI so that a LO-then-HI read pair is
 * consistent.
 */
#ifndef OIO_REGS_H
#define OIO_REGS_H

/* PCI identity: QEMU's experimental vendor range, as used by hw/misc/edu. */
#define OIO_PCI_VENDOR_ID		0x1234
#define OIO_PCI_DEVICE_ID		0x0410
#define OIO_PCI_CLASS			0x0280	/* network controller, other */

#define OIO_BAR_REGS			0
#define OIO_BAR_MSIX			2
#define OIO_BAR0_SIZE			0x10000

/* MSI-X vectors: one per event source. */
#define OIO_VEC_CMD			0
#define OIO_VEC_ALARM			1
#define OIO_VEC_SWEEP			2
#define OIO_VEC_TELEM			3
#define OIO_NUM_VECTORS			4

/* Limits of the geometry properties. */
#define OIO_MAX_PORTS			16
#define OIO_MAX_WAVELENGTHS		16
#define OIO_MAX_LANES			(OIO_MAX_PORTS * OIO_MAX_WAVELENGTHS)
#define OIO_MAX_RINGS			(2 * OIO_MAX_LANES)
#define OIO_HEATER_MAX			4095	/* 12-bit heater DAC */

/* ---- Global block ------------------------------------------------------ */
#define OIO_REG_MAGIC			0x0000	/* RO */
#define  OIO_MAGIC_VALUE		0x4f494f45	/* "OIOE" */
#define OIO_REG_VERSION			0x0004	/* RO: major << 16 | minor */
#define  OIO_VERSION_MAJOR		2
#define  OIO_VERSION_MINOR		0
#define  OIO_VERSION_VALUE		((OIO_VERSION_MAJOR << 16) | OIO_VERSION_MINOR)
#define OIO_REG_CAPS			0x0008	/* RO: feature bits */
#define  OIO_CAP_SWEEP			0x00000001
#define  OIO_CAP_TELEMETRY		0x00000002
#define  OIO_CAP_LOCK_LOOP		0x00000004
#define  OIO_CAP_PRBS			0x00000008
#define  OIO_CAP_CMD			0x00000010
#define  OIO_CAP_LINE_SHIFT		0x00000020
#define  OIO_CAP_INTERLOCK		0x00000040
#define OIO_REG_GEOMETRY		0x000c	/* RO */
#define  OIO_GEOM_PORTS_MASK		0x000000ff
#define  OIO_GEOM_PORTS_SHIFT		0
#define  OIO_GEOM_WAVELENGTHS_MASK	0x0000ff00
#define  OIO_GEOM_WAVELENGTHS_SHIFT	8
#define  OIO_GEOM_RINGS_MASK		0xffff0000
#define  OIO_GEOM_RINGS_SHIFT		16
#define OIO_REG_SERIAL			0x0010	/* RO */
#define OIO_REG_FW_VERSION		0x0014	/* RO: major << 16 | minor << 8 | patch */
#define OIO_REG_BOARD_REV		0x0018	/* RO */
#define OIO_REG_SCRATCH			0x001c	/* RW, no effect */
#define OIO_REG_RESET			0x0020	/* WO: write OIO_RESET_KEY */
#define  OIO_RESET_KEY			0x52534554	/* "RSET" */
#define OIO_REG_STATUS			0x0024	/* RO */
#define  OIO_STATUS_READY		0x00000001
#define  OIO_STATUS_THERMAL_SETTLED	0x00000002

/* Calibration: nominal optical design values (read-only). */
#define OIO_REG_GRID_FIRST_PM		0x0030	/* line 0 wavelength, pm */
#define OIO_REG_GRID_SPACING_PM		0x0034	/* line spacing, pm */
#define OIO_REG_RING_FSR_PM		0x0038	/* nominal free spectral range, pm */
#define OIO_REG_HEATER_RANGE_PM		0x003c	/* nominal full-scale heater shift, pm */
#define OIO_REG_RING_FWHM_PM		0x0040	/* nominal resonance linewidth, pm */
#define OIO_REG_LINE_RATE_MBPS		0x0044	/* lane rate, Mb/s */
#define OIO_REG_RING_DRIFT_PM_PER_K	0x004c	/* nominal thermal drift, pm/K */

/* Interrupt causes: latched whatever the MSI-X state, write 1 to clear. */
#define OIO_REG_INT_STATUS		0x0048
#define  OIO_INT_CMD			0x00000001	/* bit OIO_VEC_CMD */
#define  OIO_INT_ALARM			0x00000002	/* bit OIO_VEC_ALARM */
#define  OIO_INT_SWEEP			0x00000004	/* bit OIO_VEC_SWEEP */
#define  OIO_INT_TELEM			0x00000008	/* bit OIO_VEC_TELEM */

#define OIO_REG_CARD_TEMP		0x0050	/* RO: signed, milli-degC */
#define OIO_REG_INTERLOCK		0x0054
#define  OIO_INTERLOCK_CLOSED		0x00000001	/* RO: input state now */
#define  OIO_INTERLOCK_OPENED		0x00000002	/* W1C: latched opening */
#define OIO_REG_ARM			0x0058	/* write OIO_ARM_KEY to arm, 0 to disarm */
#define  OIO_ARM_KEY			0x41524d21	/* "ARM!" */
#define  OIO_ARM_ARMED			0x00000001	/* read value */
#define OIO_REG_LASER_REFUSED		0x005c	/* RO: why the last laser write was refused */
#define  OIO_REFUSED_NONE		0
#define  OIO_REFUSED_NOT_ARMED		1
#define  OIO_REFUSED_INTERLOCK		2
#define  OIO_REFUSED_RANGE		3
#define  OIO_REFUSED_LINE_FAILED	4

/* Alarms: which blocks hold an unmasked latched flag. */
#define OIO_REG_ALARM_SUMMARY		0x0060	/* RO */
#define  OIO_SUMMARY_CARD		0x00000001
#define  OIO_SUMMARY_LASER		0x00000002
#define  OIO_SUMMARY_LANE		0x00000004
#define OIO_REG_CARD_ALARM		0x0064	/* W1C latched flags */
#define OIO_REG_CARD_ALARM_MASK		0x0068	/* RW: 1 = masked */
#define  OIO_CARD_TEMP_HIGH_ALARM	0x00000001
#define  OIO_CARD_TEMP_LOW_ALARM	0x00000002
#define  OIO_CARD_TEMP_HIGH_WARN	0x00000004
#define  OIO_CARD_TEMP_LOW_WARN		0x00000008
#define  OIO_CARD_INTERLOCK_OPENED	0x00000010
#define  OIO_CARD_LASER_SHUTDOWN	0x00000020
#define OIO_REG_LASER_ALARM_PENDING	0x006c	/* RO: bit per line with unmasked flags */

/* Thresholds, signed milli-degC / unsigned uA / unsigned uW. */
#define OIO_REG_TEMP_HIGH_ALARM		0x0070
#define OIO_REG_TEMP_HIGH_WARN		0x0074
#define OIO_REG_TEMP_LOW_WARN		0x0078
#define OIO_REG_TEMP_LOW_ALARM		0x007c
#define OIO_REG_BIAS_HIGH_ALARM		0x0080
#define OIO_REG_BIAS_HIGH_WARN		0x0084
#define OIO_REG_POWER_LOW_WARN		0x0088
#define OIO_REG_POWER_LOW_ALARM		0x008c
#define OIO_REG_LTEMP_HIGH_ALARM	0x0090
#define OIO_REG_LTEMP_LOW_ALARM		0x0094

/* Bit per lane with unmasked latched flags; lanes 32*i .. 32*i+31. */
#define OIO_REG_LANE_ALARM_PENDING(i)	(0x00a0 + 4 * (i))
#define OIO_LANE_PENDING_WORDS		(OIO_MAX_LANES / 32)

/* ---- Command mailbox --------------------------------------------------- */
#define OIO_REG_CMD_OPCODE		0x0100	/* write starts the command */
#define  OIO_CMD_NOP			0x00
#define  OIO_CMD_IDENTIFY		0x01	/* ARG0/1: DMA address, ARG2: length */
#define OIO_REG_CMD_ARG0		0x0104
#define OIO_REG_CMD_ARG1		0x0108
#define OIO_REG_CMD_ARG2		0x010c
#define OIO_REG_CMD_ARG3		0x0110
#define OIO_REG_CMD_STATUS		0x0114	/* RO */
#define OIO_REG_CMD_SEQ			0x0118	/* RO: completed commands */

/* Engine status values shared by the mailbox, sweep and telemetry. */
#define OIO_ENG_IDLE			0
#define OIO_ENG_BUSY			1
#define OIO_ENG_DONE			2
#define OIO_ENG_ERR_INVAL		3	/* bad parameters */
#define OIO_ENG_ERR_DMA			4	/* DMA target rejected */
/* 5 is reserved: a start while busy is ignored and logged. */
#define OIO_ENG_ERR_NOSPC		6	/* buffer too short */
#define OIO_ENG_ABORTED			7	/* stopped by an abort */

/* ---- Sweep engine ------------------------------------------------------ */
#define OIO_REG_SWEEP_ADDR_LO		0x0140
#define OIO_REG_SWEEP_ADDR_HI		0x0144
#define OIO_REG_SWEEP_LEN		0x0148	/* buffer bytes */
#define OIO_REG_SWEEP_FIRST_RING	0x014c
#define OIO_REG_SWEEP_RING_COUNT	0x0150
#define OIO_REG_SWEEP_START		0x0154	/* heater code */
#define OIO_REG_SWEEP_STOP		0x0158	/* heater code, inclusive */
#define OIO_REG_SWEEP_STEP		0x015c	/* heater code increment */
#define OIO_REG_SWEEP_DWELL_NS		0x0160	/* time at each step */
#define OIO_REG_SWEEP_CTRL		0x0164	/* WO */
#define  OIO_SWEEP_GO			0x00000001
#define  OIO_SWEEP_ABORT		0x00000002
#define OIO_REG_SWEEP_STATUS		0x0168	/* RO: OIO_ENG_* */
#define OIO_REG_SWEEP_SEQ		0x016c	/* RO: completed sweeps */
/* RW: a bit per bus position w; rings elsewhere are not swept */
#define OIO_REG_SWEEP_POS_MASK		0x0170
#define  OIO_SWEEP_ALL_POSITIONS	0xffffffff
#define OIO_SWEEP_MAX_POINTS		4096
#define OIO_SWEEP_MIN_DWELL_NS		100
#define OIO_SWEEP_MAX_DWELL_NS		1000000

/* ---- Telemetry engine -------------------------------------------------- */
#define OIO_REG_TELEM_ADDR_LO		0x0180
#define OIO_REG_TELEM_ADDR_HI		0x0184
#define OIO_REG_TELEM_LEN		0x0188
#define OIO_REG_TELEM_CTRL		0x018c
#define  OIO_TELEM_SNAPSHOT		0x00000001	/* WO, self-clearing */
#define  OIO_TELEM_PERIODIC		0x00000002	/* RW */
#define OIO_REG_TELEM_PERIOD_US		0x0190	/* RW, 1000 .. 10000000 */
#define OIO_REG_TELEM_STATUS		0x0194	/* RO: OIO_ENG_* */
#define OIO_REG_TELEM_SEQ		0x0198	/* RO: sequence of last block */
#define OIO_REG_TELEM_SIZE		0x019c	/* RO: bytes one block needs */
#define OIO_TELEM_MIN_PERIOD_US		1000
#define OIO_TELEM_MAX_PERIOD_US		10000000

/* ---- Access counters (not cleared by soft reset) ------------------------ */
#define OIO_REG_CNT_MMIO_RD_LO		0x01c0
#define OIO_REG_CNT_MMIO_RD_HI		0x01c4
#define OIO_REG_CNT_MMIO_WR_LO		0x01c8
#define OIO_REG_CNT_MMIO_WR_HI		0x01cc
#define OIO_REG_CNT_DMA_LO		0x01d0
#define OIO_REG_CNT_DMA_HI		0x01d4
#define OIO_REG_CNT_CTRL		0x01d8	/* WO */
#define  OIO_CNT_CLEAR			0x00000001

/* ---- Ports: data-path barrel shifter ----------------------------------- */
/* Lane w of port p carries laser line (w + shift) mod wavelengths. */
#define OIO_REG_PORT_LINE_SHIFT(p)	(0x0200 + 4 * (p))

/* ---- Laser source: one block per line ---------------------------------- */
#define OIO_LASER_BASE			0x1000
#define OIO_LASER_STRIDE		0x20
#define OIO_LASER_REG(l, r)		(OIO_LASER_BASE + (l) * OIO_LASER_STRIDE + (r))
#define OIO_LASER_CTRL			0x00	/* RW */
#define  OIO_LASER_ENABLE		0x00000001
#define OIO_LASER_BIAS_SET		0x04	/* RW: uA */
#define OIO_LASER_BIAS			0x08	/* RO: measured uA */
#define OIO_LASER_POWER			0x0c	/* RO: uW per port */
#define OIO_LASER_TEMP			0x10	/* RO: signed milli-degC */
#define OIO_LASER_STATUS		0x14	/* RO */
#define  OIO_LASER_ST_EMITTING		0x00000001
#define  OIO_LASER_ST_RAMPING		0x00000002
#define  OIO_LASER_ST_FAILED		0x00000004
#define OIO_LASER_ALARM			0x18	/* W1C latched */
#define OIO_LASER_ALARM_MASK		0x1c	/* RW: 1 = masked */
#define  OIO_LALM_BIAS_HIGH		0x00000001
#define  OIO_LALM_BIAS_HIGH_WARN	0x00000002
#define  OIO_LALM_POWER_LOW		0x00000004
#define  OIO_LALM_POWER_LOW_WARN	0x00000008
#define  OIO_LALM_TEMP_HIGH		0x00000010
#define  OIO_LALM_TEMP_LOW		0x00000020
#define  OIO_LALM_FAILURE		0x00000040
#define OIO_LASER_BIAS_MAX_UA		150000

/* ---- Lanes: one block per lane, lane = port * wavelengths + w ----------- */
#define OIO_LANE_BASE			0x2000
#define OIO_LANE_STRIDE			0x40
#define OIO_LANE_REG(n, r)		(OIO_LANE_BASE + (n) * OIO_LANE_STRIDE + (r))
#define OIO_LANE_CTRL			0x00	/* WO: OIO_LANE_REQ_* */
#define  OIO_LANE_REQ_DEACTIVATE	1
#define  OIO_LANE_REQ_INIT		2
#define  OIO_LANE_REQ_ACTIVATE		3
#define OIO_LANE_STATE			0x04	/* RO */
#define  OIO_LANE_STATE_MASK		0x0000000f
#define  OIO_LANE_REASON_MASK		0x0000ff00
#define  OIO_LANE_REASON_SHIFT		8
#define OIO_LANE_PRBS_CTRL		0x08	/* RW */
#define  OIO_PRBS_GEN			0x00000001
#define  OIO_PRBS_CHECK			0x00000002
#define  OIO_PRBS_CLEAR			0x00000004	/* WO, self-clearing */
#define OIO_LANE_PRBS_BITS_LO		0x0c
#define OIO_LANE_PRBS_BITS_HI		0x10
#define OIO_LANE_PRBS_ERR_LO		0x14
#define OIO_LANE_PRBS_ERR_HI		0x18
#define OIO_LANE_ALARM			0x1c	/* W1C latched */
#define OIO_LANE_ALARM_MASK		0x20	/* RW: 1 = masked */
#define  OIO_LNALM_STATE_CHANGED	0x00000001
#define  OIO_LNALM_FAILED		0x00000002
#define  OIO_LNALM_TX_LOCK_LOST		0x00000004
#define  OIO_LNALM_RX_LOCK_LOST		0x00000008
#define  OIO_LNALM_TX_AT_LIMIT		0x00000010
#define  OIO_LNALM_RX_AT_LIMIT		0x00000020

/* CMIS data-path state codes. */
#define OIO_DP_DEACTIVATED		1
#define OIO_DP_INIT			2
#define OIO_DP_DEINIT			3
#define OIO_DP_ACTIVATED		4
#define OIO_DP_TXTURNON			5
#define OIO_DP_TXTURNOFF		6
#define OIO_DP_INITIALIZED		7

/*
 * Why the last transition failed or the lane dropped. The card cannot
 * tell which line a ring sits on: a ring on another lane's line shows up
 * only as PRBS errors.
 */
#define OIO_REASON_NONE			0
#define OIO_REASON_LASER_DARK		1
#define OIO_REASON_TX_UNLOCKED		2
#define OIO_REASON_RX_UNLOCKED		3
#define OIO_REASON_BAD_REQUEST		4
#define OIO_REASON_INTERLOCK		5

/* ---- Rings: ring = 2 * lane + side -------------------------------------- */
#define OIO_RING_TX			0
#define OIO_RING_RX			1
#define OIO_RING_BASE			0x8000
#define OIO_RING_STRIDE			0x20
#define OIO_RING_REG(r, o)		(OIO_RING_BASE + (r) * OIO_RING_STRIDE + (o))
#define OIO_RING_HEATER			0x00	/* RW: DAC code 0..4095 */
#define OIO_RING_MONITOR		0x04	/* RO: photocurrent, nA */
#define OIO_RING_LOCK_CTRL		0x08	/* RW */
#define  OIO_LOCK_ENABLE		0x00000001
#define OIO_RING_LOCK_STATUS		0x0c	/* RO */
#define  OIO_LOCK_ST_MASK		0x00000007
#define  OIO_LOCK_OFF			0
#define  OIO_LOCK_LOCKED		1
#define  OIO_LOCK_LOST			2
#define  OIO_LOCK_NO_SIGNAL		3
#define  OIO_LOCK_ACQUIRING		4
#define  OIO_LOCK_AT_LIMIT		0x00000008
#define OIO_RING_HEATER_UW		0x10	/* RO: heater power, uW */

/* ---- DMA block layouts (little-endian) --------------------------------- */
#define OIO_SWEEP_MAGIC			0x50455753	/* "SWEP" */
/*
 * Sweep trace: a 32-byte header, then for each ring swept (in the run and
 * at a position of the mask), in ring order, one u32 monitor reading (nA)
 * per heater step. RING_COUNT holds how many rings were swept.
 */
#define OIO_SWEEP_HDR_MAGIC		0x00
#define OIO_SWEEP_HDR_SEQ		0x04
#define OIO_SWEEP_HDR_FIRST_RING	0x08
#define OIO_SWEEP_HDR_RING_COUNT	0x0c
#define OIO_SWEEP_HDR_START		0x10
#define OIO_SWEEP_HDR_STEP		0x14
#define OIO_SWEEP_HDR_POINTS		0x18
#define OIO_SWEEP_HDR_TEMP		0x1c	/* card temp at start, milli-degC */
#define OIO_SWEEP_HDR_SIZE		0x20

#define OIO_TELEM_MAGIC			0x4d4c4554	/* "TELM" */
/*
 * Telemetry block: header, then one record per laser line, per lane and
 * per ring, in that order.
 */
#define OIO_TELEM_HDR_MAGIC		0x00
#define OIO_TELEM_HDR_SEQ		0x04
#define OIO_TELEM_HDR_TIME_NS_LO	0x08	/* card virtual time */
#define OIO_TELEM_HDR_TIME_NS_HI	0x0c
#define OIO_TELEM_HDR_SIZE_BYTES	0x10
#define OIO_TELEM_HDR_GEOMETRY		0x14	/* as OIO_REG_GEOMETRY */
#define OIO_TELEM_HDR_CARD_TEMP		0x18
#define OIO_TELEM_HDR_CARD_ALARM	0x1c
#define OIO_TELEM_HDR_INTERLOCK		0x20
#define OIO_TELEM_HDR_ARM		0x24
#define OIO_TELEM_HDR_SIZE		0x40

#define OIO_TELEM_LASER_CTRL		0x00
#define OIO_TELEM_LASER_BIAS_SET	0x04
#define OIO_TELEM_LASER_BIAS		0x08
#define OIO_TELEM_LASER_POWER		0x0c
#define OIO_TELEM_LASER_TEMP		0x10
#define OIO_TELEM_LASER_STATUS		0x14
#define OIO_TELEM_LASER_ALARM		0x18
#define OIO_TELEM_LASER_SIZE		0x20

#define OIO_TELEM_LANE_STATE		0x00
#define OIO_TELEM_LANE_PRBS_CTRL	0x04
#define OIO_TELEM_LANE_BITS_LO		0x08
#define OIO_TELEM_LANE_BITS_HI		0x0c
#define OIO_TELEM_LANE_ERR_LO		0x10
#define OIO_TELEM_LANE_ERR_HI		0x14
#define OIO_TELEM_LANE_ALARM		0x18
#define OIO_TELEM_LANE_SHIFT		0x1c	/* line shift of its port */
#define OIO_TELEM_LANE_SIZE		0x20

#define OIO_TELEM_RING_HEATER		0x00
#define OIO_TELEM_RING_MONITOR		0x04
#define OIO_TELEM_RING_LOCK		0x08	/* LOCK_CTRL << 16 | LOCK_STATUS */
#define OIO_TELEM_RING_HEATER_UW	0x0c
#define OIO_TELEM_RING_SIZE		0x10

/* Identify block written by OIO_CMD_IDENTIFY: NUL-padded ASCII fields. */
#define OIO_IDENT_PART			0x00	/* 32 bytes */
#define OIO_IDENT_SERIAL		0x20	/* 32 bytes */
#define OIO_IDENT_FW			0x40	/* 32 bytes */
#define OIO_IDENT_BOARD			0x60	/* 32 bytes */
#define OIO_IDENT_FIELD_LEN		32
#define OIO_IDENT_SIZE			0x80

#endif /* OIO_REGS_H */
