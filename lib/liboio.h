/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: OIO optical I/O engine cards from userspace.
 *
 * Every call goes through a handle (struct oio_ctx) that owns one generic
 * netlink socket to the oio driver. Each request on a handle is serialised
 * by the handle's own lock, so a handle may be shared between threads;
 * there is no state in the process outside the handles. The calls made of
 * many requests that change a card (oio_link_up(), oio_link_recover(),
 * oio_link_down(), oio_sweep_run()) hold the card's writer lock meanwhile,
 * a file under /run/oio (below, "writer lock"): a second such call on the
 * same card, from any process or thread, fails with -EBUSY instead of
 * interleaving. Single sets (oio_laser_set_bias(), ...) take no lock.
 * Every function that can fail returns 0 (or a count) on success and a
 * negative errno on failure; when the kernel explained a refusal (netlink
 * extended ack), oio_ctx_errmsg() has the message.
 *
 * Objects are plain structs filled by the library. Lists are arrays the
 * caller frees with free().
 *
 * Structs that grow. liboio.so.0 keeps every program built against an
 * earlier liboio.so.0 working; members are only ever appended, and how a
 * struct may gain them depends on who allocates it:
 * - handles (struct oio_ctx, oio_monitor, oio_snapshot) are opaque:
 *   anything goes;
 * - what the library allocates and hands over (struct oio_sweep from
 *   oio_sweep_run(), struct oio_event to oio_event_cb, a snapshot's head
 *   and objects from oio_snapshot_head(), oio_snapshot_lane(), ...) may
 *   gain members at the end: read them through the pointer, never
 *   allocate, copy or take sizeof of them;
 * - sized structs (the *_info structs, oio_pci_dev, oio_sweep_req,
 *   oio_headroom, oio_trace_peak, oio_link_params, oio_link_report) may
 *   gain members at the end: each call that takes them has an _ex form
 *   with the caller's sizeof of each (of an element, for arrays: a list
 *   comes back that many bytes apart), and the library reads and writes
 *   only that much. A size short of 0.1.0's is -EINVAL. Members a caller
 *   built against an older liboio.h does not have take their defaults,
 *   or are not reported; a newer caller's members this library does not
 *   know must be zero going in (-E2BIG otherwise) and come back zeroed.
 *   The forms without _ex are 0.1.0's, at 0.1.0's sizes (lists at
 *   0.1.0's stride), so a release that appends to a struct versions every
 *   plain call that takes or returns it, as oio_link_up@LIBOIO_1 is, for
 *   the programs built against the header then. New members start at the
 *   last release's sizeof, which the size then tells apart;
 * - every other struct keeps 0.1.0's layout for as long as the SONAME is
 *   liboio.so.0: struct oio_telemetry, which embeds arrays of laser, lane
 *   and ring info (so a release that appends to one of those versions
 *   oio_telemetry_get() and oio_telemetry_get_parts(), the LIBOIO_1 ones
 *   filling 0.1.0's layout; snapshots are the telemetry that grows), and
 *   struct oio_link_lane and oio_link_card, which oio_link_report embeds.
 * New symbols go in the version node of the release that adds them
 * (liboio.map); make check's lib-abidiff suite compares the library with
 * the released ABI (lib/abi/).
 */
#ifndef LIBOIO_H
#define LIBOIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/oio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OIO_MAX_PORTS		16
#define OIO_MAX_WAVELENGTHS	16
#define OIO_MAX_LANES		(OIO_MAX_PORTS * OIO_MAX_WAVELENGTHS)
#define OIO_MAX_RINGS		(2 * OIO_MAX_LANES)
#define OIO_HEATER_MAX		4095

/*
 * The enumerations (enum oio_lane_state, oio_lane_reason, oio_lane_request,
 * oio_lock_state, oio_card_health), the flags (enum oio_card_alarm,
 * oio_laser_alarm, oio_lane_alarm, oio_laser_status) and attribute numbers
 * are the kernel's own, from the driver's UAPI header, installed with
 * liboio as <linux/oio.h>.
 */
/* Names as the CLI and the JSON output spell them; NULL if out of range. */
const char *oio_lane_state_name(enum oio_lane_state s);
const char *oio_lane_reason_name(enum oio_lane_reason r);
const char *oio_lock_state_name(enum oio_lock_state s);
const char *oio_card_health_name(enum oio_card_health h);

/* ---- handles ---- */

struct oio_ctx;

/* Load oio.ko through libkmod if the netlink family is missing. */
#define OIO_CTX_LOAD_MODULE	0x1
/*
 * Read telemetry snapshots from /dev/oioN where the handle may open it
 * (root, or group oio under the project's udev rules): the same results
 * at about half the cost of netlink, for exporters that poll often. The
 * handle keeps each card's node open until oio_ctx_free(), and an open
 * node keeps oio.ko loaded: rmmod fails while such a handle lives. Cards
 * numbered 64 and above, and every card whose node cannot be opened, are
 * read through netlink. Since 0.2.0; older versions refuse the flag with
 * -EINVAL.
 */
#define OIO_CTX_DEVNODE		0x2

/*
 * Open a handle. -ENOENT: the oio family could not be resolved (driver not
 * loaded, usually); with OIO_CTX_LOAD_MODULE the module is loaded first.
 * A call on the handle whose reply does not come within 10 s (far above
 * the driver's own longest wait) is -ETIMEDOUT; a reply that breaks the
 * netlink spec is -EPROTO. oio_ctx_errmsg() says which.
 * A handle serves the driver it was opened on: once that is unloaded,
 * every call fails with -EIDRM, even after it is loaded again.
 */
int oio_ctx_new(struct oio_ctx **ctxp, unsigned int flags);
void oio_ctx_free(struct oio_ctx *ctx);

/*
 * Copy the explanation of the handle's last failed call into buf: the
 * kernel's extended-ack message, or the library's own for the failures it
 * finds itself (bring-up). "" when there is none. Each request clears it,
 * so read it right after the call that failed; with several threads on
 * one handle the message may be another thread's.
 */
void oio_ctx_errmsg(struct oio_ctx *ctx, char *buf, size_t len);

/*
 * Stop the runs in progress on the handle (oio_link_up(),
 * oio_link_recover(), oio_link_down()): each stops at its next access to
 * the card and returns -ECANCELED. Bring-up and recovery still clean up
 * as after any error - lines back at full power, lanes they started
 * deactivated - and that clean-up is not cancelled. A run that begins
 * after the call is not affected. Async-signal-safe: call it from a
 * SIGINT or SIGTERM handler, from another thread, or from the run's own
 * progress callback.
 */
void oio_ctx_cancel(struct oio_ctx *ctx);

/* Load oio.ko (and what it depends on) with libkmod; 0 if already loaded. */
int oio_module_load(void);

/* ---- discovery over PCI, driver bound or not ---- */

#define OIO_PCI_VENDOR	0x1234
#define OIO_PCI_DEVICE	0x0410

struct oio_pci_dev {
	char address[16];	/* 0000:01:00.0 */
	uint16_t vendor;
	uint16_t device;
	uint8_t revision;
	char driver[32];	/* bound driver, "" if none */
	int card_id;		/* N of /sys/class/oio/oioN, -1 if none */
};

int oio_pci_scan(struct oio_pci_dev **devs, size_t *n);
/* Elements size bytes apart: oio_pci_scan_ex(&devs, &n, sizeof(*devs)) */
int oio_pci_scan_ex(struct oio_pci_dev **devs, size_t *n, size_t size);

/*
 * ---- objects ----
 *
 * Each get and list has an _ex form taking the caller's sizeof of the
 * struct ("Structs that grow", above): oio_lane_get_ex(ctx, card, i, &l,
 * sizeof(l)); oio_lane_list_ex(ctx, card, &lanes, &n, sizeof(*lanes)),
 * whose elements are size bytes apart. -EINVAL if size is short of
 * 0.1.0's.
 */

struct oio_card_info {
	uint32_t id;
	char pci_address[32];
	uint32_t serial;
	char fw_version[32];
	uint32_t board_rev;
	uint32_t ports;
	uint32_t wavelengths;
	int32_t temp_mc;
	bool interlock_closed;
	bool armed;
	uint32_t alarms;	/* enum oio_card_alarm flags */
	/* nominal optics; the silicon differs and bring-up measures it */
	uint32_t grid_first_pm;
	uint32_t grid_spacing_pm;
	uint32_t fsr_pm;
	uint32_t heater_range_pm;
	uint32_t fwhm_pm;
	/* the interlock opened since it was last acknowledged: arming fails */
	bool interlock_opened;
	/*
	 * OIO_CARD_HEALTH_OK, or the card does not answer: then only the
	 * identity above (id to wavelengths) is filled
	 */
	enum oio_card_health health;
	/* nominal ring drift with temperature, pm/K; 0 from an older oio.ko */
	uint32_t drift_pm_per_k;
};

int oio_card_get(struct oio_ctx *ctx, uint32_t id, struct oio_card_info *out);
int oio_card_get_ex(struct oio_ctx *ctx, uint32_t id,
		    struct oio_card_info *out, size_t size);
int oio_card_list(struct oio_ctx *ctx, struct oio_card_info **cards,
		  size_t *n);
int oio_card_list_ex(struct oio_ctx *ctx, struct oio_card_info **cards,
		     size_t *n, size_t size);
/*
 * Arming needs the interlock closed and its last opening acknowledged
 * (-EBUSY otherwise); disarming turns every line off.
 */
int oio_card_set_armed(struct oio_ctx *ctx, uint32_t id, bool armed);
/* Acknowledge the interlock's last opening (interlock_opened). */
int oio_card_ack_interlock(struct oio_ctx *ctx, uint32_t id);
/*
 * Clear latched alarm flags (and unmask them on the card again: the driver
 * holds a level flag masked from when it latches until it is cleared).
 * A condition that persists latches again at once.
 */
int oio_card_clear_alarms(struct oio_ctx *ctx, uint32_t id, uint32_t flags);

struct oio_port_info {
	uint32_t card_id;
	uint32_t port;
	uint32_t line_shift;
};

int oio_port_list(struct oio_ctx *ctx, uint32_t card,
		  struct oio_port_info **ports, size_t *n);
int oio_port_list_ex(struct oio_ctx *ctx, uint32_t card,
		     struct oio_port_info **ports, size_t *n, size_t size);
int oio_port_set_line_shift(struct oio_ctx *ctx, uint32_t card,
			    uint32_t port, uint32_t shift);

/* Short names of enum oio_laser_status flags, for oio_laser_info.status */
#define OIO_LASER_EMITTING	OIO_LASER_STATUS_EMITTING
#define OIO_LASER_RAMPING	OIO_LASER_STATUS_RAMPING
#define OIO_LASER_FAILED	OIO_LASER_STATUS_FAILED

struct oio_laser_info {
	uint32_t card_id;
	uint32_t line;
	bool enable;
	uint32_t bias_set_ua;
	uint32_t bias_ua;
	uint32_t power_uw;
	int32_t temp_mc;
	uint32_t status;	/* enum oio_laser_status flags */
	uint32_t alarms;	/* enum oio_laser_alarm flags */
};

int oio_laser_get(struct oio_ctx *ctx, uint32_t card, uint32_t line,
		  struct oio_laser_info *out);
int oio_laser_get_ex(struct oio_ctx *ctx, uint32_t card, uint32_t line,
		     struct oio_laser_info *out, size_t size);
int oio_laser_list(struct oio_ctx *ctx, uint32_t card,
		   struct oio_laser_info **lasers, size_t *n);
int oio_laser_list_ex(struct oio_ctx *ctx, uint32_t card,
		      struct oio_laser_info **lasers, size_t *n, size_t size);
int oio_laser_set_enable(struct oio_ctx *ctx, uint32_t card, uint32_t line,
			 bool enable);
int oio_laser_set_bias(struct oio_ctx *ctx, uint32_t card, uint32_t line,
		       uint32_t bias_ua);
int oio_laser_clear_alarms(struct oio_ctx *ctx, uint32_t card, uint32_t line,
			   uint32_t flags);

struct oio_lane_info {
	uint32_t card_id;
	uint32_t lane;
	uint32_t port;
	enum oio_lane_state state;
	enum oio_lane_reason reason;
	bool prbs_generator;
	bool prbs_checker;
	uint64_t prbs_bits;
	uint64_t prbs_errors;
	uint32_t alarms;	/* enum oio_lane_alarm flags */
};

int oio_lane_get(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
		 struct oio_lane_info *out);
int oio_lane_get_ex(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
		    struct oio_lane_info *out, size_t size);
int oio_lane_list(struct oio_ctx *ctx, uint32_t card,
		  struct oio_lane_info **lanes, size_t *n);
int oio_lane_list_ex(struct oio_ctx *ctx, uint32_t card,
		     struct oio_lane_info **lanes, size_t *n, size_t size);
int oio_lane_request(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
		     enum oio_lane_request req);
/* generator and checker: 0 off, 1 on, -1 leave as is */
int oio_lane_set_prbs(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
		      int generator, int checker);
int oio_lane_clear_alarms(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
			  uint32_t flags);
/* Both in one call: PRBS first, then the request (0 for none). */
int oio_lane_set(struct oio_ctx *ctx, uint32_t card, uint32_t lane,
		 enum oio_lane_request req, int generator, int checker);

struct oio_ring_info {
	uint32_t card_id;
	uint32_t ring;		/* 2 * lane + (0 TX, 1 RX) */
	uint32_t heater;
	uint32_t heater_uw;
	uint32_t monitor_na;
	bool lock;
	enum oio_lock_state lock_state;
	bool at_limit;
};

int oio_ring_get(struct oio_ctx *ctx, uint32_t card, uint32_t ring,
		 struct oio_ring_info *out);
int oio_ring_get_ex(struct oio_ctx *ctx, uint32_t card, uint32_t ring,
		    struct oio_ring_info *out, size_t size);
int oio_ring_list(struct oio_ctx *ctx, uint32_t card,
		  struct oio_ring_info **rings, size_t *n);
int oio_ring_list_ex(struct oio_ctx *ctx, uint32_t card,
		     struct oio_ring_info **rings, size_t *n, size_t size);
int oio_ring_set_heater(struct oio_ctx *ctx, uint32_t card, uint32_t ring,
			uint32_t code);
int oio_ring_set_lock(struct oio_ctx *ctx, uint32_t card, uint32_t ring,
		      bool lock);

/*
 * ---- telemetry: one DMA block of the card ----
 *
 * With CAP_NET_ADMIN the card writes a block for each call; without, the
 * driver answers with its latest block if it is at most 100 ms old, so
 * unprivileged callers cannot make the card work at will.
 *
 * A handle opened with OIO_CTX_DEVNODE reads it from /dev/oioN (see there).
 *
 * Two ways to have it. struct oio_telemetry and oio_telemetry_get*()
 * keep their layout for the SONAME's life: the struct embeds arrays of
 * the *_info structs, so it cannot grow with them (a release that appends
 * to laser, lane or ring info versions these two calls, as
 * oio_link_up@LIBOIO_1 is, their LIBOIO_1 versions filling 0.1.0's
 * layout). A snapshot (struct oio_snapshot, below) is the way that grows:
 * an opaque object whose head and objects are read through pointers.
 */

struct oio_telemetry {
	uint32_t card_id;
	uint32_t seq;
	uint64_t time_ns;	/* the card's clock */
	int32_t temp_mc;
	uint32_t alarms;	/* enum oio_card_alarm flags */
	size_t n_lasers, n_lanes, n_rings;
	struct oio_laser_info laser[OIO_MAX_WAVELENGTHS];
	struct oio_lane_info lane[OIO_MAX_LANES];
	struct oio_ring_info ring[OIO_MAX_RINGS];
};

int oio_telemetry_get(struct oio_ctx *ctx, uint32_t card,
		      struct oio_telemetry *out);
/*
 * Only some kinds of object (OIO_TELEMETRY_PARTS_* of <linux/oio.h>, 0 for
 * all): the same one DMA block on the card, a smaller reply to build and
 * read. The others are left empty (n_* = 0).
 */
int oio_telemetry_get_parts(struct oio_ctx *ctx, uint32_t card,
			    unsigned int parts, struct oio_telemetry *out);

/*
 * A snapshot, reusable: oio_snapshot_new() allocates it, each
 * oio_snapshot_read() refills it at the cost of oio_telemetry_get_parts()
 * (the same call underneath, parts and errors alike) and allocates
 * nothing; oio_snapshot_free() frees it. After a failed read it is empty.
 * A snapshot has no lock of its own: one thread at a time reads into it,
 * and a read ends the pointers the getters gave before.
 */
struct oio_snapshot;

struct oio_snapshot_head {
	uint32_t card_id;
	uint32_t seq;
	uint64_t time_ns;	/* the card's clock */
	int32_t temp_mc;
	uint32_t alarms;	/* enum oio_card_alarm flags */
	size_t n_lasers, n_lanes, n_rings;	/* 0: the part was not read */
};

int oio_snapshot_new(struct oio_snapshot **snap);
void oio_snapshot_free(struct oio_snapshot *snap);
int oio_snapshot_read(struct oio_ctx *ctx, uint32_t card, unsigned int parts,
		      struct oio_snapshot *snap);
/*
 * The library's own, valid until the next read or the free: read through
 * the pointer, never copy ("Structs that grow", above). The objects are
 * NULL for an index out of the head's n_*.
 */
const struct oio_snapshot_head *oio_snapshot_head(
	const struct oio_snapshot *snap);
const struct oio_laser_info *oio_snapshot_laser(const struct oio_snapshot *snap,
						size_t i);
const struct oio_lane_info *oio_snapshot_lane(const struct oio_snapshot *snap,
					      size_t i);
const struct oio_ring_info *oio_snapshot_ring(const struct oio_snapshot *snap,
					      size_t i);

/* ---- thermal headroom ---- */

struct oio_headroom {
	bool known;	/* false: no lane of the port is up, no figure */
	double warm_k;	/* kelvin the card may warm, NAN if !known */
	double cool_k;	/* kelvin it may cool, NAN if !known */
};

/*
 * How many kelvin the card may warm and cool before a ring (TX or RX) of
 * a lane of port that is up (activated) reaches an end of its heater
 * range: the least over those rings. A warmer card red-shifts every ring
 * by drift_pm_per_k per kelvin and its lock loop lowers the heater, so
 * warm_k = shift(code) / drift; cooling needs more heat, so cool_k =
 * (heater_range_pm - shift(code)) / drift. shift(code) is the card's
 * nominal law, heater_range_pm * (code / OIO_HEATER_MAX)^2, not the ring's
 * measured one (bring-up measures that, but keeps it only in its own
 * process), so the figure is an estimate within the silicon's spread of
 * that law. Thermal crosstalk makes the real margin somewhat larger.
 *
 * lanes and rings: the card's, from oio_lane_list() and oio_ring_list()
 * or one oio_telemetry (the same snapshot gives consistent figures).
 * Reads nothing from the card. Returns 0; -EINVAL if port is not one of
 * the card's; -EOPNOTSUPP if the card has no nominal heater range or drift
 * (a driver older than the drift register); -ENOENT if a ring of a lane
 * that is up is missing from rings.
 */
int oio_port_headroom(const struct oio_card_info *card,
		      const struct oio_lane_info *lanes, size_t n_lanes,
		      const struct oio_ring_info *rings, size_t n_rings,
		      uint32_t port, struct oio_headroom *out);
/*
 * The same with the caller's sizeof of card, of the elements of lanes and
 * rings (as lists returned them: oio_lane_list_ex() with the same size)
 * and of out.
 */
int oio_port_headroom_ex(const struct oio_card_info *card, size_t card_size,
			 const struct oio_lane_info *lanes, size_t n_lanes,
			 size_t lane_size, const struct oio_ring_info *rings,
			 size_t n_rings, size_t ring_size, uint32_t port,
			 struct oio_headroom *out, size_t out_size);

/* ---- heater sweeps ---- */

struct oio_sweep_req {
	uint32_t first_ring;
	uint32_t ring_count;
	uint32_t start;		/* heater codes, inclusive */
	uint32_t stop;
	uint32_t step;
	uint32_t dwell_ns;
	uint32_t positions;	/* bus positions swept, a bit each (bit w:
				 * rings 2 (p W + w) + side); 0 for all */
};

struct oio_sweep {
	uint32_t card_id;
	uint32_t first_ring;
	uint32_t ring_count;	/* rings swept: rows of the trace */
	uint32_t start;
	uint32_t step;
	uint32_t points;
	int32_t temp_mc;	/* card temperature at the start */
	uint32_t *ring;		/* the ring of each row */
	uint32_t *trace;	/* monitor nA, ring_count x points */
};

/*
 * Sweep a run of rings together, or those of its rings at the bus
 * positions asked for. A trace too big for one netlink reply is taken in
 * several runs, one after another. Holds the card's writer lock
 * meanwhile (see oio_link_up()): -EBUSY while a bring-up runs on the card.
 */
int oio_sweep_run(struct oio_ctx *ctx, uint32_t card,
		  const struct oio_sweep_req *req, struct oio_sweep **out);
/* req of the caller's size: oio_sweep_run_ex(ctx, card, &r, sizeof(r), &s) */
int oio_sweep_run_ex(struct oio_ctx *ctx, uint32_t card,
		     const struct oio_sweep_req *req, size_t req_size,
		     struct oio_sweep **out);
void oio_sweep_free(struct oio_sweep *s);

/*
 * A resonance in one ring's trace (points samples, one per heater step):
 * where a ring meets a laser line its monitor peaks as a Lorentzian of the
 * detuning. The centre and width come from a fit, between samples.
 */
struct oio_trace_peak {
	double index;		/* centre, samples from the first */
	double height_na;	/* fitted, above floor_na */
	double width;		/* full width at half maximum, samples; 0 if
				 * the peak could not be fitted */
	double floor_na;	/* the valleys beside it */
	uint32_t sample;	/* the highest sample */
	uint32_t value_na;	/* and its reading */
	bool edge;		/* that sample is the first or the last: half a
				 * peak, its centre may lie outside the trace */
};

/*
 * The trace's noise, nA rms: from the fourth differences of its lowest
 * samples, where only the noise is left; 0 for a trace under 8 points.
 */
double oio_trace_noise(const uint32_t *trace, unsigned int points);
/*
 * The peaks of one ring's trace that stand out of its noise and of the
 * tails around them, in trace order: up to max of them into out. Returns
 * how many.
 */
unsigned int oio_trace_peaks(const uint32_t *trace, unsigned int points,
			     struct oio_trace_peak *out, unsigned int max);
/*
 * The same into elements size bytes apart (sizeof(*out)): how many, or
 * -EINVAL if size is short of 0.1.0's, -ENOMEM.
 */
int oio_trace_peaks_ex(const uint32_t *trace, unsigned int points,
		       struct oio_trace_peak *out, unsigned int max,
		       size_t size);

/* ---- events from the driver's monitor group ---- */

enum oio_event_type {
	OIO_EVENT_CARD_ADD,
	OIO_EVENT_CARD_DELETE,
	OIO_EVENT_CARD_CHANGE,
	OIO_EVENT_LASER_CHANGE,
	OIO_EVENT_LANE_CHANGE,
	OIO_EVENT_RING_CHANGE,
	OIO_EVENT_SWEEP_DONE,
	OIO_EVENT_PORT_CHANGE,
	/* the oio family went away (rmmod), or came back: no card_id */
	OIO_EVENT_DRIVER_GONE,
	OIO_EVENT_DRIVER_BACK,
};

const char *oio_event_type_name(enum oio_event_type t);

/*
 * Every change raises its event, whoever made it (netlink, sysfs, the card).
 * CARD_DELETE carries the card's identity only; so does CARD_CHANGE when
 * the card stops answering (card.health says so). The library allocates
 * events, so the info structs of the union may grow: read them through
 * the pointer the callback gets, never copy the event.
 */
struct oio_event {
	enum oio_event_type type;
	uint32_t card_id;
	union {
		struct oio_card_info card;	/* CARD_* */
		struct oio_port_info port;
		struct oio_laser_info laser;
		struct oio_lane_info lane;
		struct oio_ring_info ring;
		struct {
			uint32_t first_ring;
			uint32_t ring_count;
			uint32_t points;
		} sweep;
	};
};

struct oio_monitor;

/* Return non-zero from the callback to stop oio_monitor_dispatch(). */
typedef int (*oio_event_cb)(const struct oio_event *ev, void *arg);

/*
 * The receive buffer oio_monitor_open() asks for, past net.core.rmem_max
 * when the caller has CAP_NET_ADMIN. SO_RCVBUF on oio_monitor_fd() tells
 * what was granted (twice the usable size, as Linux reports it).
 */
#define OIO_MONITOR_RCVBUF	(8 << 20)

/*
 * A monitor follows the driver across a reload: it reports DRIVER_GONE
 * and DRIVER_BACK and joins the new family's monitor group itself. The
 * cards the reloaded driver announced before the monitor rejoined are not
 * reported: on DRIVER_BACK, list them (oio_card_list()), as oioctl monitor
 * does, and skip a CARD_ADD of a card so listed. A callback should
 * skip event types it does not know; newer libraries may add some.
 * Programs built against 0.1.0 get no DRIVER_* event.
 */
int oio_monitor_open(struct oio_monitor **monp);
void oio_monitor_close(struct oio_monitor *mon);
/* Readable when events wait; poll() it, then call oio_monitor_dispatch(). */
int oio_monitor_fd(const struct oio_monitor *mon);
/*
 * Hand every waiting event to cb without blocking. Returns the number of
 * events, or -ENOBUFS once if the socket overflowed and events were lost;
 * a DRIVER_GONE or DRIVER_BACK lost with them is handed to cb before.
 */
int oio_monitor_dispatch(struct oio_monitor *mon, oio_event_cb cb, void *arg);

/* ---- link bring-up ---- */

struct oio_link_params {
	uint32_t sweep_step;	/* heater codes between samples (28) */
	uint32_t sweep_dwell_ns; /* time at each step of the first sweep
				  * (2000); the second, with coded lines
				  * dimmed, takes twice as long, which is
				  * how the heaters' time constant shows */
	uint32_t prbs_dwell_us;	/* PRBS verification time (1000); the
				 * margin check dwells three times it */
	double ber_target;	/* highest BER a lane may show (1e-12) */
	double dim_bias;	/* bias of the coded lines in the second
				 * sweep, share of their full bias (0.75) */
	uint32_t timeout_ms;	/* for lasers, locks and lanes (2000) */
};

/* The defaults, in parentheses above; 0.1.0's members only. */
void oio_link_params_init(struct oio_link_params *p);
/* The same for a struct of size bytes: oio_link_params_init_ex(&p, sizeof(p)) */
void oio_link_params_init_ex(struct oio_link_params *p, size_t size);

/* Why a lane is not up after oio_link_up() or oio_link_recover(). */
enum oio_link_fail {
	OIO_LINK_OK,
	OIO_LINK_LINE_DARK,	/* its laser line does not emit */
	OIO_LINK_NO_RESONANCE,	/* a ring showed no usable resonance */
	OIO_LINK_OUT_OF_RANGE,	/* no line shift puts every ring in range */
	OIO_LINK_UNLOCKED,	/* a ring's lock loop did not hold the line */
	OIO_LINK_BER_HIGH,	/* PRBS showed more errors than the target */
	OIO_LINK_NOT_ACTIVATED,	/* the lane's state machine refused */
	OIO_LINK_HEATER_STUCK,	/* a ring's sweep showed no resonance at all:
				 * its heater (or monitor) does not respond */
	OIO_LINK_ABORTED,	/* an error stopped the run before this lane
				 * was done (the call's return says which) */
};

const char *oio_link_fail_name(enum oio_link_fail f);

struct oio_link_lane {
	enum oio_link_fail fail;
	/*
	 * The card's reason when its state machine refused the lane, else
	 * NONE: with NOT_ACTIVATED; with UNLOCKED, or NO_RESONANCE at an end
	 * of a ring's reach, for TX_UNLOCKED and RX_UNLOCKED.
	 */
	enum oio_lane_reason reason;
	uint32_t line;			/* laser line the lane carries */
	uint32_t tx_code, rx_code;	/* heater codes when locked */
	/*
	 * PRBS count of the dwell that judged the lane: its verification,
	 * at full power, or the margin check's dwell that failed it, the
	 * lines dimmed
	 */
	uint64_t prbs_bits;
	uint64_t prbs_errors;
};

/* What bring-up measured of the card: NAN where it could not. */
struct oio_link_card {
	uint32_t rings_named;	/* rings whose peaks it could name */
	double fsr_pm;		/* FSR at the grid centre */
	double heater_tau_ns;	/* heater time constant, rings' median */
	double crosstalk;	/* share of an adjacent ring's heat */
	double crosstalk_nn;	/* of a ring two places away */
	double noise_na;	/* monitor noise, rings' median */
	double fwhm_pm;		/* linewidth, rings' median */
	double line_pm[OIO_MAX_WAVELENGTHS];	/* where each line is */
	/* its move when dimmed: recovery only (link up darkens instead) */
	double dim_shift_pm[OIO_MAX_WAVELENGTHS];
};

struct oio_link_report {
	uint32_t card_id;
	uint32_t lanes;
	uint32_t lanes_up;
	uint32_t ports;
	uint32_t line_shift[OIO_MAX_PORTS];
	/* card clock, ns: lasers settled, every ring locked, done */
	uint64_t t_start, t_lasers, t_locked, t_done;
	uint32_t sweeps;	/* sweep runs taken */
	struct oio_link_card measured;
	struct oio_link_lane lane[OIO_MAX_LANES];
};

/* stage is a short name ("lasers", "sweep", "tune", "verify", ...). */
typedef void (*oio_progress_cb)(const char *stage, unsigned int done,
				unsigned int total, void *arg);

/*
 * Writer lock: oio_link_up(), oio_link_recover(), oio_link_down() and
 * oio_sweep_run() hold flock(LOCK_EX) on
 * RUN_DIR/card-<PCI address>-<serial>.lock for the card (the slot and the
 * serial number, as the card's id changes across module reloads, and a
 * card put in another's slot is not that one). RUN_DIR is $OIO_RUN_DIR if
 * set (ignored in set-id and file-capability programs), else /run/oio,
 * created 0755 if missing; the file is its owner's alone (0600), and one
 * that is not a regular file of the caller's is refused (-EPERM). The
 * lock is released when the call returns, or when the process dies.
 * Errors of their own:
 *   -EBUSY   another call holds the card's lock, in this process or
 *            another; oio_ctx_errmsg() names it: "card
 *            0000:01:00.0-10000001 is in use: pid 1234 (oioctl) holds
 *            /run/oio/card-....lock"
 *   other    the run directory or the lock file cannot be had (-EACCES
 *            without the rights to /run/oio, -EROFS, ...); nothing was
 *            changed, oio_ctx_errmsg() says which file and why.
 * The file also holds, while a run has lines dimmed or dark, each line's
 * full bias ("bias LINE UA"): a run killed midway (SIGKILL, the OOM
 * killer) leaves it there, and the next oio_link_up() or
 * oio_link_recover() puts those lines back to that bias instead of taking
 * a dimmed set point for full. It is removed once the lines are back at
 * full power.
 */

/*
 * Bring every lane of a card from whatever state up to activated: arm,
 * light, sweep, assign, tune, lock, verify with PRBS, activate. Returns 0
 * when the run went to its end, however many lanes came up: rep says how
 * many (lanes_up) and why each other one did not (lane[].fail), a result,
 * not an error. A negative errno means the card could not be worked on
 * or a request failed on the way (-EIO the kernel's I/O failure, like any
 * other; oio_ctx_errmsg() has its reason): -ECANCELED after
 * oio_ctx_cancel() (the lines are back at full power), -EBUSY or another
 * errno of the writer lock (above). After an error rep->lanes is 0 if
 * the run failed before it learned the card's lanes (a report too small
 * for oio_link_up_ex(), or no memory, leaves it alone); else rep counts
 * up no lane that its last look at them did not see activated (none,
 * without a look), and each lane not counted says why: aborted, if
 * nothing before. A lane down for errors after it verified (its margin
 * check failed) keeps its rings locked on its line while their loops
 * hold it, not activated: the lanes downstream passed their checks with
 * those rings taking that line off the bus. params and progress may be
 * NULL. (Programs built against liboio 0.1.0 call its version,
 * oio_link_up@LIBOIO_1, which keeps 0.1.0's contract: -EIO when a lane
 * stays down; the same goes for oio_link_recover().) The analysis of the
 * sweeps runs on the calling thread and up to 7 threads of the run's own,
 * as many more as the calling thread's CPU affinity allows (taskset -c 0:
 * none); the first two sweeps' peaks are found while the card makes the
 * third, on as many threads as the affinity allows CPUs (at least one, at
 * most 8). Every signal is blocked in them, all are joined before the
 * call returns, and the calling thread is not cancelled (pthread_cancel())
 * while any runs - the progress call at the end of the third sweep
 * included; oio_ctx_cancel() is unaffected. The outcome is the same on
 * any number of CPUs.
 */
int oio_link_up(struct oio_ctx *ctx, uint32_t card,
		const struct oio_link_params *params,
		struct oio_link_report *rep, oio_progress_cb progress,
		void *arg);
/*
 * The same with params and rep of the caller's sizes (params_size is
 * ignored when params is NULL): -EINVAL if either is shorter than 0.1.0's,
 * -E2BIG as oio_link_params_init_ex() says ("Structs that grow", above).
 */
int oio_link_up_ex(struct oio_ctx *ctx, uint32_t card,
		   const struct oio_link_params *params, size_t params_size,
		   struct oio_link_report *rep, size_t rep_size,
		   oio_progress_cb progress, void *arg);

/*
 * Deactivate every lane, release the rings and darken the lasers. Takes
 * the writer lock (-EBUSY) as oio_link_up().
 */
int oio_link_down(struct oio_ctx *ctx, uint32_t card);

/*
 * Re-assign every port where something broke since link up: a lane it brought
 * up is down, or a ring of a lane not left down by link up is at its heater
 * limit or lost (with no calibration kept, every port with a lane down).
 * Healthy ports keep their rings, loops and lanes, which stay activated
 * throughout; lasers stay lit at full bias. The ports redone are placed by what
 * oio_link_up() measured of the card, kept in RUN_DIR/card-<PCI
 * address>-<serial>.cal, moved by the drift that the rings still locked show
 * since. The rings of lanes that are down go back where link up left them,
 * moved by that drift, in the healthy ports and in those redone at link up's
 * line shift (parked anew, clear of the lines, where their heaters cannot
 * bring them back or their rings were never named), but for those link up
 * left locked on their line (see oio_link_up()): in a healthy port they stay
 * while their loops hold it, and one whose loop lost it has its loops turned
 * off, or is parked if another port is redone; in a port redone they are
 * locked on their line again, the lane down, too weak as link up found it
 * (and if they do not lock there, parked, the port's lanes up checked for
 * margin).
 * With no calibration to trust (none kept, damaged, another card's, fewer
 * than 4 rings locked to measure the drift by, or rings that disagree on it),
 * and for a port left with a lane whose rings could not be put on its line,
 * those ports are swept as link up sweeps them: naming the lines, which every
 * port shares, dims coded lines to params->dim_bias of full, and healthy lanes
 * carry that much less light meanwhile. So does the margin check of a lane
 * that comes up on a line where link up's did not pass it, for three PRBS
 * dwells. rep->sweeps counts the sweeps taken: 0 when none was. Returns as
 * oio_link_up(): 0 when the run went to its end, lanes still down or not (rep
 * says which), a negative errno when it could not.
 */
int oio_link_recover(struct oio_ctx *ctx, uint32_t card,
		     const struct oio_link_params *params,
		     struct oio_link_report *rep, oio_progress_cb progress,
		     void *arg);
/* With the caller's sizes, as oio_link_up_ex(). */
int oio_link_recover_ex(struct oio_ctx *ctx, uint32_t card,
			const struct oio_link_params *params,
			size_t params_size, struct oio_link_report *rep,
			size_t rep_size, oio_progress_cb progress, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LIBOIO_H */
