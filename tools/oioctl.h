/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oioctl: declarations shared by the command files.
 *
 * Every command is int cmd_X(const struct oioctl *o, int argc, char **argv)
 * with argv[0] the command's own name, and returns the process's exit
 * status (enum oioctl_exit), after printing one "oioctl: ..." line on
 * stderr for anything but success.
 */
#ifndef OIOCTL_H
#define OIOCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "liboio.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef OIOCTL_VERSION
#define OIOCTL_VERSION "0.1"
#endif

/*
 * The exit statuses, the same for every command (docs/man/oioctl.8, EXIT
 * STATUS). Only link up and link recover use LANES_DOWN.
 */
enum oioctl_exit {
	OIOCTL_EXIT_OK = 0,
	OIOCTL_EXIT_ERROR = 1,	/* the driver or library refused or failed,
				 * no such card, I/O */
	OIOCTL_EXIT_USAGE = 2,	/* the command line: nothing was tried */
	OIOCTL_EXIT_LANES_DOWN = 3,	/* bring-up ran, some lanes are down */
	/* + the signal: link up or recover stopped by SIGINT, SIGTERM or SIGHUP */
	OIOCTL_EXIT_SIGNAL = 128,
};

/* The global options, parsed once in main() and passed down. */
/* what a request that found no oio family, or lost it, tells the user */
#define DRIVER_GONE "the oio driver is not loaded (or was unloaded)"

struct oioctl {
	bool json;
	bool pretty;
	bool utf8;	/* the locale's codeset: °C, µA and plot blocks */
	bool tty;	/* stderr is a terminal: show progress */
};

int cmd_list(const struct oioctl *o, int argc, char **argv);
int cmd_show(const struct oioctl *o, int argc, char **argv);
int cmd_arm(const struct oioctl *o, int argc, char **argv);
int cmd_clear_alarms(const struct oioctl *o, int argc, char **argv);
int cmd_laser(const struct oioctl *o, int argc, char **argv);
int cmd_lane(const struct oioctl *o, int argc, char **argv);
int cmd_prbs(const struct oioctl *o, int argc, char **argv);
int cmd_ring(const struct oioctl *o, int argc, char **argv);
int cmd_port(const struct oioctl *o, int argc, char **argv);
int cmd_link(const struct oioctl *o, int argc, char **argv);
int cmd_sweep(const struct oioctl *o, int argc, char **argv);
int cmd_telemetry(const struct oioctl *o, int argc, char **argv);
int cmd_monitor(const struct oioctl *o, int argc, char **argv);

/* ---- errors (oioctl.c) ---- */

/*
 * "oioctl: <reason>" on stderr for bad usage: an unknown command, option
 * or value, arguments missing or too many, a value that does not parse or
 * is out of its range (the card's geometry included). Returns
 * OIOCTL_EXIT_USAGE.
 */
int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
struct duration_opt;
/* usage_error() for a value parse_duration_opt() refused. */
int duration_error(const struct duration_opt *o, const char *arg);
/*
 * "oioctl: <reason>" on stderr for a failure that is not the command
 * line's (no such card, no driver). Returns OIOCTL_EXIT_ERROR.
 */
int cli_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/*
 * "oioctl: <what>: <strerror(-err)>[: <kernel message>]" on stderr;
 * ctx may be NULL. Returns OIOCTL_EXIT_ERROR.
 */
int lib_error(struct oio_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with a kernel message already copied out of its handle. */
int lib_error_msg(int err, const char *kmsg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Width of the terminal on fd: $COLUMNS, else TIOCGWINSZ, else 80. */
unsigned int term_columns(int fd);

/*
 * Block SIGINT, SIGTERM and SIGHUP and return a signalfd that becomes
 * readable when one arrives, for loops that end cleanly on them; -1
 * (reported).
 */
int stop_signal_fd(void);

/* Open a handle, reporting failure. Returns 0 or OIOCTL_EXIT_ERROR. */
int ctx_open(struct oio_ctx **ctxp);

/* ---- argument handling (oioctl.c) ---- */

/* What cmd_getopt() returns besides an option's val. */
#define OPT_DONE	0
#define OPT_HELP	-1	/* help was printed: exit 0 */
#define OPT_ERROR	-2	/* reported: a usage error */
/* The exit status for a cmd_getopt() result that ends the command. */
#define OPT_EXIT(c)	((c) == OPT_HELP ? OIOCTL_EXIT_OK : OIOCTL_EXIT_USAGE)

struct cmd_args {
	const char *name;	/* "laser set", for messages */
	const char *usage;	/* printed by --help */
	const char *shortopts;	/* the command's own; may be NULL */
	const struct option *longopts;	/* the command's own, or NULL */
	int argc;
	char **argv;
	int pos;		/* next argument for cmd_getopt() */
	const char *optarg;	/* the value of the last option */
};

void cmd_args_init(struct cmd_args *a, const char *name, const char *usage,
		   int argc, char **argv);
/*
 * The next option of the command (GNU order: options may follow the
 * positional arguments), with -h/--help and -j/--json, -p/--pretty
 * accepted everywhere. Returns OPT_DONE when the options are over; then
 * the positional arguments are a->argv[a->pos .. a->argc-1].
 */
int cmd_getopt(struct cmd_args *a, struct oioctl *o);
/* Parse a command that takes no options; same returns. */
int cmd_no_options(struct cmd_args *a, struct oioctl *o);
/* How many positional arguments are left, and the i-th of them. */
int cmd_npos(const struct cmd_args *a);
const char *cmd_arg(const struct cmd_args *a, int i);

/*
 * Which of subs argv[1] names: its index, with *skip = 1; or 0 (the
 * default, "show") with *skip = 0 when argv[1] is missing or an option.
 * OPT_HELP after printing usage for help, OPT_ERROR for an unknown one.
 */
int subcommand(int argc, char **argv, const char *usage,
	       const char *const *subs, size_t nsubs, int *skip);

/*
 * A u32 argument called what, within [min, max]. These return 0, or
 * OIOCTL_EXIT_USAGE after reporting.
 */
int arg_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	    uint32_t *out);
int arg_bool(const char *what, const char *s, bool *out);
/* "N", "N-M" or "all" over 0..max. */
int arg_range(const char *what, const char *s, uint32_t max, uint32_t *first,
	      uint32_t *last);

/* ---- cards (oioctl.c) ---- */

/*
 * The card named by spec (N, oioN, PCI address), or every card when spec
 * is NULL. *cards is freed by the caller. Returns 0, or the exit status
 * after reporting: OIOCTL_EXIT_USAGE for a spec that does not parse,
 * OIOCTL_EXIT_ERROR for no such card or a failure.
 */
int cards_select(struct oio_ctx *ctx, const char *spec,
		 struct oio_card_info **cards, size_t *n);
/* Exactly one card; returns as cards_select(). */
int card_select(struct oio_ctx *ctx, const char *spec,
		struct oio_card_info *card);

static inline uint32_t card_lanes(const struct oio_card_info *c)
{
	return c->ports * c->wavelengths;
}

#endif /* OIOCTL_H */
