// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl: command-line control of OIO optical I/O engine cards through
 * liboio. This file holds main(), the global options, the dispatch to the
 * command files (cmd-*.c) and the argument and card helpers they share.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "oioctl.h"
#include "parse.h"

static const char usage_text[] =
"Usage: oioctl [OPTIONS] COMMAND [ARGS]...\n"
"\n"
"Control OIO optical I/O engine cards.\n"
"\n"
"Options:\n"
"  -j, --json      JSON output: stable keys, one JSON Schema per command\n"
"                  (oioctl(8), JSON OUTPUT)\n"
"  -p, --pretty    indented JSON (implies --json)\n"
"  -h, --help      this help; 'oioctl COMMAND --help' for a command\n"
"  -V, --version   print the version\n"
"\n"
"Commands:\n"
"  list                          PCI devices and the oio cards on them\n"
"  show [CARD]                   card details\n"
"  arm CARD on|off|ack           arm, disarm, acknowledge the interlock\n"
"  clear-alarms CARD [...]       clear latched alarms of a card, line, lane\n"
"  laser show|set ...            laser lines\n"
"  lane show|set ...             lanes and their state machines\n"
"  prbs [show] ...               PRBS generators and checkers\n"
"  ring show|set ...             microrings: heaters and lock loops\n"
"  port show|set ...             ports' line shifts\n"
"  link up|down|recover|status   bring-up of every lane of a card\n"
"  sweep CARD RING [OPTIONS]     heater sweep of rings\n"
"  telemetry [CARD] [--watch S]  snapshot of a card's state\n"
"  monitor                       print the driver's events\n"
"\n"
"CARD is N, oioN or a PCI address (0000:01:00.0); where it is optional,\n"
"the command applies to every card.\n"
"\n"
"Exit status: 0 success, 1 error (a refusal or failure, no such card),\n"
"2 usage (bad command, option, argument or value), 3 link up or recover\n"
"ran but some lanes are down.\n";

static const struct command {
	const char *name;
	int (*fn)(const struct oioctl *o, int argc, char **argv);
} commands[] = {
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "arm", cmd_arm },
	{ "clear-alarms", cmd_clear_alarms },
	{ "laser", cmd_laser },
	{ "lane", cmd_lane },
	{ "prbs", cmd_prbs },
	{ "ring", cmd_ring },
	{ "port", cmd_port },
	{ "link", cmd_link },
	{ "sweep", cmd_sweep },
	{ "telemetry", cmd_telemetry },
	{ "monitor", cmd_monitor },
};

#define N_COMMANDS ARRAY_SIZE(commands)

/* ---- errors ---- */

static void vline(const char *fmt, va_list ap)
{
	fputs("oioctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	return OIOCTL_EXIT_USAGE;
}

int duration_error(const struct duration_opt *o, const char *arg)
{
	char want[96];

	duration_opt_want(o, want, sizeof(want));
	return usage_error("invalid %s '%s' (%s)", o->name, arg, want);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	return OIOCTL_EXIT_ERROR;
}

static void vreport(int err, const char *kmsg, const char *fmt, va_list ap)
{
	fputs("oioctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	/* liboio's word for a handle whose driver went away */
	if (err == -EIDRM) {
		fputs(": " DRIVER_GONE "\n", stderr);
		return;
	}
	fprintf(stderr, ": %s%s%s\n", strerror(err < 0 ? -err : err),
		kmsg && kmsg[0] ? ": " : "", kmsg ? kmsg : "");
}

int lib_error(struct oio_ctx *ctx, int err, const char *fmt, ...)
{
	char msg[256] = "";
	va_list ap;

	if (ctx)
		oio_ctx_errmsg(ctx, msg, sizeof(msg));
	va_start(ap, fmt);
	vreport(err, msg, fmt, ap);
	va_end(ap);
	return OIOCTL_EXIT_ERROR;
}

int lib_error_msg(int err, const char *kmsg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(err, kmsg, fmt, ap);
	va_end(ap);
	return OIOCTL_EXIT_ERROR;
}

unsigned int term_columns(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	uint32_t cols;

	/* $COLUMNS first: it is how a user or a script asks for a width */
	if (env && !parse_u32(env, 20, 10000, &cols))
		return cols;
	if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

int stop_signal_fd(void)
{
	sigset_t set;
	int fd;

	/*
	 * The signals are read from a descriptor the loop polls, so ending
	 * on SIGINT needs no handler and no global flag.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* a closed terminal or a dropped ssh session: the same */
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		lib_error(NULL, -errno, "block SIGINT, SIGTERM and SIGHUP");
		return -1;
	}
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		lib_error(NULL, -errno, "open a signalfd");
	return fd;
}

int ctx_open(struct oio_ctx **ctxp)
{
	int err = oio_ctx_new(ctxp, 0);

	if (err == -ENOENT)
		return cli_error("open the oio netlink family: " DRIVER_GONE);
	if (err)
		return lib_error(NULL, err, "open the oio netlink family");
	return 0;
}

/* ---- arguments ---- */

void cmd_args_init(struct cmd_args *a, const char *name, const char *usage,
		   int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->usage = usage;
	a->argc = argc;
	a->argv = argv;
	/* 0, not 1: GNU getopt then starts over, forgetting the last argv */
	optind = 0;
}

#define MAX_LONGOPTS 16

int cmd_getopt(struct cmd_args *a, struct oioctl *o)
{
	static const struct option common[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
	};
	struct option opts[MAX_LONGOPTS + 4];
	char shortopts[64];
	size_t n = 0, i;
	int c;

	for (i = 0; a->longopts && a->longopts[i].name; i++)
		if (n < MAX_LONGOPTS)
			opts[n++] = a->longopts[i];
	for (i = 0; i < ARRAY_SIZE(common); i++)
		opts[n++] = common[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	snprintf(shortopts, sizeof(shortopts), ":hjp%s",
		 a->shortopts ? a->shortopts : "");

	opterr = 0;
	for (;;) {
		c = getopt_long(a->argc, a->argv, shortopts, opts, NULL);
		switch (c) {
		case -1:
			a->pos = optind;
			return OPT_DONE;
		case 'h':
			fputs(a->usage, stdout);
			return OPT_HELP;
		case 'p':
			o->pretty = true;
			/* fall through */
		case 'j':
			o->json = true;
			continue;
		case ':':
			usage_error("option '%s' of '%s' needs a value",
				    a->argv[optind - 1], a->name);
			return OPT_ERROR;
		case '?':
			if (optopt)
				usage_error("unknown option '-%c' for '%s'",
					    optopt, a->name);
			else
				usage_error("unknown option '%s' for '%s'",
					    a->argv[optind - 1], a->name);
			return OPT_ERROR;
		default:
			a->optarg = optarg;
			return c;
		}
	}
}

int cmd_no_options(struct cmd_args *a, struct oioctl *o)
{
	int c = cmd_getopt(a, o);

	if (c > 0) {
		/* a command without options has none in its table */
		usage_error("unexpected option for '%s'", a->name);
		return OPT_ERROR;
	}
	return c;
}

int cmd_npos(const struct cmd_args *a)
{
	return a->argc - a->pos;
}

const char *cmd_arg(const struct cmd_args *a, int i)
{
	return i < cmd_npos(a) ? a->argv[a->pos + i] : NULL;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

int subcommand(int argc, char **argv, const char *usage,
	       const char *const *subs, size_t nsubs, int *skip)
{
	size_t i;

	*skip = 0;
	if (argc < 2 || (argv[1][0] == '-' && !is_help(argv[1])))
		return 0;
	if (is_help(argv[1])) {
		fputs(usage, stdout);
		return OPT_HELP;
	}
	for (i = 0; i < nsubs; i++)
		if (!strcmp(argv[1], subs[i])) {
			*skip = 1;
			return (int)i;
		}
	usage_error("unknown subcommand '%s %s' (try 'oioctl %s --help')",
		    argv[0], argv[1], argv[0]);
	return OPT_ERROR;
}

static int arg_report(const char *what, const char *s, int err,
		      uint64_t min, uint64_t max)
{
	if (err == -ERANGE)
		return usage_error("%s '%s' out of range (%llu-%llu)", what, s,
				   (unsigned long long)min,
				   (unsigned long long)max);
	return usage_error("invalid %s '%s'", what, s);
}

int arg_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	    uint32_t *out)
{
	int err = parse_u32(s, min, max, out);

	return err ? arg_report(what, s, err, min, max) : 0;
}

int arg_bool(const char *what, const char *s, bool *out)
{
	if (parse_bool(s, out))
		return usage_error("invalid %s '%s' (want on or off)", what, s);
	return 0;
}

int arg_range(const char *what, const char *s, uint32_t max, uint32_t *first,
	      uint32_t *last)
{
	int err = parse_range(s, max, first, last);

	return err ? arg_report(what, s, err, 0, max) : 0;
}

/* ---- cards ---- */

int cards_select(struct oio_ctx *ctx, const char *spec,
		 struct oio_card_info **cards, size_t *n)
{
	struct oio_card_info *all = NULL, *one;
	struct card_spec cs;
	size_t nall = 0, i;
	int err;

	*cards = NULL;
	*n = 0;
	if (!spec) {
		err = oio_card_list(ctx, cards, n);
		return err ? lib_error(ctx, err, "list cards") : 0;
	}
	if (parse_card_spec(spec, &cs))
		return usage_error("invalid card '%s' (want N, oioN or a PCI address)",
				   spec);
	one = malloc(sizeof(*one));
	if (!one)
		return lib_error(NULL, -ENOMEM, "card %s", spec);
	if (cs.kind == CARD_SPEC_ID) {
		err = oio_card_get(ctx, cs.id, one);
		if (err) {
			free(one);
			return lib_error(ctx, err, "get card oio%u", cs.id);
		}
	} else {
		err = oio_card_list(ctx, &all, &nall);
		if (err) {
			free(one);
			return lib_error(ctx, err, "list cards");
		}
		for (i = 0; i < nall; i++)
			if (!strcasecmp(all[i].pci_address, cs.pci))
				break;
		if (i == nall) {
			free(all);
			free(one);
			return cli_error("no oio card at %s", cs.pci);
		}
		*one = all[i];
		free(all);
	}
	*cards = one;
	*n = 1;
	return 0;
}

int card_select(struct oio_ctx *ctx, const char *spec,
		struct oio_card_info *card)
{
	struct oio_card_info *c;
	size_t n;
	int ret = cards_select(ctx, spec, &c, &n);

	if (ret)
		return ret;
	*card = c[0];
	free(c);
	return 0;
}

/* ---- main ---- */

static int help_command(const struct oioctl *o, int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			char help[] = "--help";
			char *args[] = { argv[1], help, NULL };

			return commands[i].fn(o, 2, args);
		}
	}
	return usage_error("unknown command '%s' (try 'oioctl --help')",
			   argv[1]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct oioctl o = { 0 };
	int c, ret = OIOCTL_EXIT_ERROR;
	size_t i;

	/* only the character set: numbers must keep their '.' for JSON */
	setlocale(LC_CTYPE, "");
	o.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	o.tty = isatty(STDERR_FILENO);

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.pretty = true;
			/* fall through */
		case 'j':
			o.json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("oioctl %s\n", OIOCTL_VERSION);
			return 0;
		default:
			if (optopt)
				return usage_error("unknown option '-%c' (try 'oioctl --help')",
						   optopt);
			return usage_error("unknown option '%s' (try 'oioctl --help')",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given (try 'oioctl --help')");

	if (!strcmp(argv[optind], "help")) {
		ret = help_command(&o, argc - optind, argv + optind);
	} else {
		for (i = 0; i < N_COMMANDS; i++)
			if (!strcmp(argv[optind], commands[i].name))
				break;
		if (i == N_COMMANDS)
			return usage_error("unknown command '%s' (try 'oioctl --help')",
					   argv[optind]);
		ret = commands[i].fn(&o, argc - optind, argv + optind);
	}
	/* a full disk or a closed pipe must not look like success */
	if (fflush(stdout) || ferror(stdout))
		ret = cli_error("write error on standard output: %s",
				strerror(errno));
	return ret;
}
