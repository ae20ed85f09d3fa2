// SPDX-License-Identifier: GPL-2.0-only
/*
 * oioctl link up|down|recover|status: bring every lane of a card up with
 * liboio's bring-up, take it down, repair it, or show where it stands.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "oioctl.h"
#include "output.h"
#include "parse.h"

static const char link_usage[] =
"Usage: oioctl link up CARD|all [--prbs-dwell TIME] [--ber-target BER]\n"
"       oioctl link recover CARD|all [--prbs-dwell TIME] [--ber-target BER]\n"
"       oioctl link down CARD|all\n"
"       oioctl link status [CARD]\n"
"\n"
"up, recover and down change a card's state: they need a card, or all\n"
"for every card, as devlink and ethtool need a device.\n"
"up: arm, light every line, sweep the rings, choose line shifts, tune and\n"
"lock every ring, verify each lane with PRBS and activate it. Several\n"
"cards are brought up at once. Exits 3 if it ran on every card but a lane\n"
"stayed down, 1 if a card failed (its error printed, no report). SIGINT,\n"
"SIGTERM or SIGHUP stops it cleanly: lines back at their bias, lanes down;\n"
"the exit status is then 128 + the signal.\n"
"recover: redo the ports that have a lane down or a ring lost or at its\n"
"heater limit; lasers stay lit.\n"
"down: deactivate every lane, release the rings, darken the lasers.\n"
"status: line shift and thermal headroom of every port (kelvin the card\n"
"may warm or cool before a heater of a lane up reaches an end of its range,\n"
"from the nominal heater law), state and reason of every lane.\n"
"\n"
"Options of up and recover:\n"
"  --prbs-dwell TIME   PRBS verification time per lane, 1us to 10s (1000us),\n"
"                      the margin check's three times it; a unit ns, us,\n"
"                      ms, s or min, or a bare number in us\n"
"  --ber-target BER    highest bit error ratio a lane may show, above 0,\n"
"                      at most 0.5 (1e-12)\n";

/* The one status line all bring-up threads redraw together. */
struct progress {
	pthread_mutex_t lock;
	unsigned int columns;
	size_t n;
	struct progress_slot {
		uint32_t card;
		char stage[16];
		unsigned int done, total;
	} *slot;
};

struct link_job {
	uint32_t card;
	bool recover;
	const struct oio_link_params *params;
	struct progress *progress;	/* NULL: not on a terminal */
	size_t slot;
	int done_fd;			/* written to when the job ends */
	pthread_mutex_t lock;		/* protects ctx and stop */
	struct oio_ctx *ctx;		/* the job's handle while it runs */
	bool stop;			/* a stop signal came, or a thread failed */
	int err;
	char errmsg[256];
	const char *what;		/* the step that failed */
	struct oio_link_report rep;
};

static void progress_draw(struct progress *p)
{
	char line[512];
	size_t used = 0, i;

	for (i = 0; i < p->n && used < sizeof(line); i++) {
		const struct progress_slot *s = &p->slot[i];

		if (!s->stage[0])
			continue;
		/* one card needs no name; several are told apart by it */
		if (p->n == 1)
			used += (size_t)snprintf(line + used,
						 sizeof(line) - used,
						 "[%s] %u/%u", s->stage,
						 s->done, s->total);
		else
			used += (size_t)snprintf(line + used,
						 sizeof(line) - used,
						 "%soio%" PRIu32 " [%s] %u/%u",
						 used ? "  " : "", s->card,
						 s->stage, s->done, s->total);
	}
	/* a wrapped line cannot be redrawn with \r */
	if (used >= p->columns)
		used = p->columns - 1;
	if (used >= sizeof(line))
		used = sizeof(line) - 1;
	line[used] = '\0';
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

static void progress_cb(const char *stage, unsigned int done,
			unsigned int total, void *arg)
{
	struct link_job *j = arg;
	struct progress *p = j->progress;
	struct progress_slot *s;

	/*
	 * A run counts only the cancels made after it began: one that came
	 * between the job's handle and the run's start is made again here.
	 */
	pthread_mutex_lock(&j->lock);
	if (j->stop && j->ctx)
		oio_ctx_cancel(j->ctx);
	pthread_mutex_unlock(&j->lock);
	if (!p)
		return;
	s = &p->slot[j->slot];
	pthread_mutex_lock(&p->lock);
	snprintf(s->stage, sizeof(s->stage), "%s", stage);
	s->done = done;
	s->total = total;
	progress_draw(p);
	pthread_mutex_unlock(&p->lock);
}

static void link_job_run(struct link_job *j)
{
	struct oio_ctx *ctx;
	bool stop;

	/* a handle per thread: each needs its own kernel messages */
	j->err = oio_ctx_new(&ctx, 0);
	if (j->err) {
		j->what = "open the oio netlink family";
		return;
	}
	pthread_mutex_lock(&j->lock);
	j->ctx = ctx;
	stop = j->stop;
	pthread_mutex_unlock(&j->lock);
	if (stop)
		j->err = -ECANCELED;
	else if (j->recover)
		j->err = oio_link_recover_ex(ctx, j->card, j->params,
					     sizeof(*j->params), &j->rep,
					     sizeof(j->rep), progress_cb, j);
	else
		j->err = oio_link_up_ex(ctx, j->card, j->params,
					sizeof(*j->params), &j->rep,
					sizeof(j->rep), progress_cb, j);
	/* lanes left down are in the report; an errno is a failure */
	if (j->err) {
		j->what = j->recover ? "recover the link of" :
				       "bring up the link of";
		oio_ctx_errmsg(ctx, j->errmsg, sizeof(j->errmsg));
	}
	pthread_mutex_lock(&j->lock);
	j->ctx = NULL;
	pthread_mutex_unlock(&j->lock);
	oio_ctx_free(ctx);
}

static void *link_thread(void *arg)
{
	struct link_job *j = arg;
	char one = 1;

	link_job_run(j);
	/* the main thread counts these; a full pipe cannot happen (PIPE_BUF) */
	if (write(j->done_fd, &one, 1) != 1)
		j->err = j->err ?: -errno;
	return NULL;
}

/* Stop every job: each run ends at its next card access, cleaned up. */
static void cancel_jobs(struct link_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&jobs[i].lock);
		jobs[i].stop = true;
		if (jobs[i].ctx)
			oio_ctx_cancel(jobs[i].ctx);
		pthread_mutex_unlock(&jobs[i].lock);
	}
}

/*
 * Wait for the started jobs to end. SIGINT, SIGTERM or SIGHUP (blocked,
 * read from sfd) cancels every job's run: each stops at its next card
 * access, puts the lines back at full power and the lanes it started
 * down, and ends.
 * Return: the signal, 0 if none came.
 */
static int link_wait(struct link_job *jobs, size_t started, int sfd,
		     int done_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = done_fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	size_t ended = 0;
	int sig = 0;

	while (ended < started) {
		struct signalfd_siginfo si;
		char buf[64];
		ssize_t k;

		if (poll(pfd, sfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents) {
			k = read(done_fd, buf, sizeof(buf));
			if (k > 0)
				ended += (size_t)k;
		}
		if (sfd >= 0 && (pfd[1].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			sig = sig ?: (int)si.ssi_signo;
			cancel_jobs(jobs, started);
		}
	}
	return sig;
}

static void report_text(const struct oio_link_report *r)
{
	uint32_t wl = r->ports ? r->lanes / r->ports : 1, i;
	bool header = false;

	printf("oio%" PRIu32 ": %" PRIu32 "/%" PRIu32 " lanes up; ",
	       r->card_id, r->lanes_up, r->lanes);
	if (r->t_locked >= r->t_lasers && r->t_locked)
		printf("lasers->locked %.1f ms card time; ",
		       (double)(r->t_locked - r->t_lasers) / 1e6);
	else
		printf("lasers->locked - (not locked); ");
	printf("%" PRIu32 " sweep%s\n", r->sweeps, r->sweeps == 1 ? "" : "s");
	/* what bring-up found the card to be: a real one differs */
	if (r->measured.rings_named)
		printf("  measured: %" PRIu32 " rings named; FSR %.0f pm; heater tau %.1f us; crosstalk %.1f %% (next ring %.1f %%); monitor noise %.1f uA; linewidth %.0f pm\n",
		       r->measured.rings_named, r->measured.fsr_pm,
		       r->measured.heater_tau_ns / 1000,
		       100 * r->measured.crosstalk,
		       100 * r->measured.crosstalk_nn,
		       r->measured.noise_na / 1000, r->measured.fwhm_pm);

	for (i = 0; i < r->lanes && i < OIO_MAX_LANES; i++) {
		const struct oio_link_lane *l = &r->lane[i];
		char b[32];

		if (l->fail == OIO_LINK_OK)
			continue;
		if (!header) {
			printf("  LANE  PORT  LINE  FAIL            REASON"
			       "          TX    RX    BER\n");
			header = true;
		}
		printf("  ");
		snprintf(b, sizeof(b), "%" PRIu32, i);
		put_cell(stdout, b, 6);
		snprintf(b, sizeof(b), "%" PRIu32, i / wl);
		put_cell(stdout, b, 6);
		snprintf(b, sizeof(b), "%" PRIu32, l->line);
		put_cell(stdout, b, 6);
		put_cell(stdout, name_or_unknown(oio_link_fail_name(l->fail)),
			 16);
		put_cell(stdout, lane_reason_str(l->reason),
			 16);
		snprintf(b, sizeof(b), "%" PRIu32, l->tx_code);
		put_cell(stdout, b, 6);
		snprintf(b, sizeof(b), "%" PRIu32, l->rx_code);
		put_cell(stdout, b, 6);
		printf("%s\n", fmt_ber(b, sizeof(b), l->prbs_bits,
				       l->prbs_errors));
	}
}

/*
 * The JSON entry of one card: result, error and report. The result is
 * "error" for an errno (and then no report), else "lanes-failed" if the
 * report has a lane down, else "ok".
 */
static struct json_object *result_json(uint32_t card, int err,
				       const char *kmsg,
				       const struct oio_link_report *rep)
{
	struct json_object *e = json_object_new_object();

	jadd_u64(e, "card_id", card);
	jadd_str(e, "result", err ? "error" :
		 rep && rep->lanes_up < rep->lanes ? "lanes-failed" : "ok");
	if (err) {
		struct json_object *je = json_object_new_object();

		jadd_i64(je, "errno", -err);
		jadd_str(je, "strerror", strerror(-err));
		jadd_str(je, "message", kmsg ? kmsg : "");
		json_object_object_add(e, "error", je);
	} else {
		json_object_object_add(e, "error", NULL);
	}
	json_object_object_add(e, "report",
			       rep && !err ? json_link_report(rep) : NULL);
	return e;
}

/*
 * The card a command that changes state acts on: one it was given, or
 * every card for "all" (*spec NULL), never every card by default.
 */
static int writer_cards(const struct cmd_args *a, const char **spec)
{
	if (cmd_npos(a) > 1)
		return usage_error("too many arguments for '%s'", a->name);
	*spec = cmd_arg(a, 0);
	if (!*spec)
		return usage_error("'%s' needs a card, or 'all' for every card",
				   a->name);
	if (!strcmp(*spec, "all"))
		*spec = NULL;
	return 0;
}

static int link_run(const struct oioctl *o, int argc, char **argv,
		    bool recover)
{
	static const struct option longopts[] = {
		{ "prbs-dwell", required_argument, NULL, 'D' },
		{ "ber-target", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct oioctl opts = *o;
	struct oio_link_params params;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	struct link_job *jobs = NULL;
	pthread_t *threads = NULL;
	struct progress progress = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct json_object *arr = NULL, *top;
	struct cmd_args a;
	size_t n = 0, started = 0, failed = 0, down = 0, i;
	int c, err, ret, sfd = -1, done[2] = { -1, -1 }, sig = 0;
	const char *spec;
	uint64_t ns;

	oio_link_params_init_ex(&params, sizeof(params));
	cmd_args_init(&a, recover ? "link recover" : "link up", link_usage,
		      argc, argv);
	a.longopts = longopts;
	while ((c = cmd_getopt(&a, &opts)) > 0) {
		switch (c) {
		case 'D':
			if (parse_duration_opt(a.optarg, &opt_prbs_dwell, &ns))
				return duration_error(&opt_prbs_dwell,
						      a.optarg);
			/* the library takes microseconds: never round */
			if (ns % 1000)
				return usage_error("invalid --prbs-dwell '%s' (whole microseconds)",
						   a.optarg);
			params.prbs_dwell_us = (uint32_t)(ns / 1000);
			break;
		case 'B':
			if (parse_double(a.optarg, 1e-300, 0.5,
					 &params.ber_target) ||
			    params.ber_target <= 0)
				return usage_error("invalid --ber-target '%s' (want a ratio above 0, at most 0.5)",
						   a.optarg);
			break;
		}
	}
	if (c < 0)
		return OPT_EXIT(c);
	ret = writer_cards(&a, &spec);
	if (ret)
		return ret;

	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, spec, &cards, &n);
	if (ret)
		goto out;
	if (!n) {
		ret = cli_error("no oio cards");
		goto out;
	}
	jobs = calloc(n, sizeof(*jobs));
	threads = calloc(n, sizeof(*threads));
	progress.slot = calloc(n, sizeof(*progress.slot));
	if (!jobs || !threads || !progress.slot) {
		ret = lib_error(NULL, -ENOMEM, "%s", a.name);
		goto out;
	}
	/* blocked before the threads start, which inherit the mask */
	sfd = stop_signal_fd();
	if (sfd < 0 || pipe2(done, O_CLOEXEC)) {
		ret = sfd < 0 ? OIOCTL_EXIT_ERROR :
		      lib_error(NULL, -errno, "%s: open a pipe", a.name);
		goto out;
	}
	progress.n = n;
	progress.columns = term_columns(STDERR_FILENO);
	for (i = 0; i < n; i++) {
		jobs[i].card = cards[i].id;
		jobs[i].recover = recover;
		jobs[i].params = &params;
		jobs[i].progress = o->tty ? &progress : NULL;
		jobs[i].slot = i;
		jobs[i].done_fd = done[1];
		pthread_mutex_init(&jobs[i].lock, NULL);
		progress.slot[i].card = cards[i].id;
	}
	for (i = 0; i < n; i++) {
		err = pthread_create(&threads[i], NULL, link_thread, &jobs[i]);
		if (err) {
			ret = lib_error(NULL, -err, "start a thread for oio%"
					PRIu32, cards[i].id);
			/* the others stop too, and are waited for */
			cancel_jobs(jobs, started);
			break;
		}
		started++;
	}
	sig = link_wait(jobs, started, sfd, done[0]);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (o->tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (started < n)
		goto out;

	if (opts.json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct link_job *j = &jobs[i];

		/* a failed card: its error and the kernel's reason, no report */
		if (j->err) {
			lib_error_msg(j->err, j->errmsg, "%s oio%" PRIu32,
				      j->what, j->card);
			failed++;
		} else if (j->rep.lanes_up < j->rep.lanes) {
			down++;
		}
		if (opts.json)
			json_object_array_add(arr, result_json(j->card, j->err,
							       j->errmsg,
							       &j->rep));
		else if (!j->err)
			report_text(&j->rep);
	}
	ret = failed ? OIOCTL_EXIT_ERROR : down ? OIOCTL_EXIT_LANES_DOWN :
	      OIOCTL_EXIT_OK;
	/* the shell's status of a command a signal stopped */
	if (sig)
		ret = OIOCTL_EXIT_SIGNAL + sig;
	if (opts.json) {
		top = json_object_new_object();
		json_object_object_add(top, "links", arr);
		json_print(stdout, top, opts.pretty);
	}
out:
	/* the jobs were set up once the pipe was open */
	for (i = 0; done[1] >= 0 && i < n; i++)
		pthread_mutex_destroy(&jobs[i].lock);
	if (sfd >= 0)
		close(sfd);
	if (done[0] >= 0) {
		close(done[0]);
		close(done[1]);
	}
	free(progress.slot);
	free(threads);
	free(jobs);
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

static int link_down(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	struct json_object *arr = NULL, *top;
	struct cmd_args a;
	const char *spec;
	char msg[256];
	size_t n, i;
	int c, err, ret;

	cmd_args_init(&a, "link down", link_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	ret = writer_cards(&a, &spec);
	if (ret)
		return ret;
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, spec, &cards, &n);
	if (ret)
		goto out;
	if (opts.json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		msg[0] = '\0';
		err = oio_link_down(ctx, cards[i].id);
		if (err) {
			oio_ctx_errmsg(ctx, msg, sizeof(msg));
			ret = lib_error_msg(err, msg, "take down the link of oio%"
					    PRIu32, cards[i].id);
		}
		if (opts.json)
			json_object_array_add(arr, result_json(cards[i].id,
							       err, msg,
							       NULL));
		else if (!err)
			printf("oio%" PRIu32 ": link down\n", cards[i].id);
	}
	if (opts.json) {
		top = json_object_new_object();
		json_object_object_add(top, "links", arr);
		json_print(stdout, top, opts.pretty);
	}
out:
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

/* A port's headroom in text: "-" when it has no lane up. */
static const char *fmt_kelvin(char *b, size_t len, const struct oio_headroom *h,
			      bool cool)
{
	if (!h->known)
		return "-";
	snprintf(b, len, "%.1f", cool ? h->cool_k : h->warm_k);
	return b;
}

/*
 * Port, lane line, state and reason of every lane of one card, and each
 * port's thermal headroom.
 */
static int status_card(const struct oioctl *o, struct oio_ctx *ctx,
		       const struct oio_card_info *card,
		       struct json_object *arr)
{
	struct oio_port_info *ports = NULL;
	struct oio_lane_info *lanes = NULL;
	struct oio_ring_info *rings = NULL;
	struct oio_headroom room[OIO_MAX_PORTS];
	size_t np, nl, nr, i;
	uint32_t up = 0, wl = card->wavelengths ? card->wavelengths : 1;
	uint32_t shift[OIO_MAX_PORTS] = { 0 };
	struct json_object *e, *jp, *jl;
	int err;

	err = oio_port_list(ctx, card->id, &ports, &np);
	if (err)
		return lib_error(ctx, err, "list ports of oio%" PRIu32,
				 card->id);
	err = oio_lane_list(ctx, card->id, &lanes, &nl);
	if (err) {
		free(ports);
		return lib_error(ctx, err, "list lanes of oio%" PRIu32,
				 card->id);
	}
	err = oio_ring_list(ctx, card->id, &rings, &nr);
	if (err) {
		free(lanes);
		free(ports);
		return lib_error(ctx, err, "list rings of oio%" PRIu32,
				 card->id);
	}
	for (i = 0; i < np; i++)
		if (ports[i].port < OIO_MAX_PORTS)
			shift[ports[i].port] = ports[i].line_shift;
	for (i = 0; i < nl; i++)
		up += lanes[i].state == OIO_LANE_STATE_ACTIVATED;
	/* the kernel's geometry stops at OIO_MAX_PORTS */
	np = np < OIO_MAX_PORTS ? np : OIO_MAX_PORTS;
	for (i = 0; i < np && !err; i++) {
		room[i] = (struct oio_headroom){ false, NAN, NAN };
		/* a driver without the drift register: no figure */
		if (card->drift_pm_per_k && card->heater_range_pm)
			err = oio_port_headroom(card, lanes, nl, rings, nr,
						ports[i].port, &room[i]);
	}
	free(rings);
	if (err) {
		free(lanes);
		free(ports);
		return lib_error(ctx, err, "thermal headroom of oio%" PRIu32,
				 card->id);
	}

	if (o->json) {
		e = json_object_new_object();
		jp = json_object_new_array();
		jl = json_object_new_array();
		jadd_u64(e, "card_id", card->id);
		jadd_u64(e, "lanes_total", nl);
		jadd_u64(e, "lanes_up", up);
		for (i = 0; i < np; i++) {
			struct json_object *x = json_port(&ports[i]);

			jadd_num(x, "headroom_warm_k", room[i].warm_k);
			jadd_num(x, "headroom_cool_k", room[i].cool_k);
			json_object_array_add(jp, x);
		}
		json_object_object_add(e, "ports", jp);
		for (i = 0; i < nl; i++) {
			const struct oio_lane_info *l = &lanes[i];
			struct json_object *x = json_lane(l);
			uint32_t p = l->port < OIO_MAX_PORTS ? l->port : 0;

			jadd_u64(x, "line", (l->lane % wl + shift[p]) % wl);
			json_object_array_add(jl, x);
		}
		json_object_object_add(e, "lanes", jl);
		json_object_array_add(arr, e);
	} else {
		printf("oio%" PRIu32 ": %" PRIu32 "/%zu lanes up\n", card->id,
		       up, nl);
		printf("  line shifts:");
		for (i = 0; i < np; i++)
			printf(" port%" PRIu32 "=%" PRIu32, ports[i].port,
			       ports[i].line_shift);
		printf("\n  thermal headroom, K the card may warm or cool "
		       "(ports with a lane up):\n  PORT  WARM    COOL\n");
		for (i = 0; i < np; i++) {
			char b[16];

			printf("  ");
			snprintf(b, sizeof(b), "%" PRIu32, ports[i].port);
			put_cell(stdout, b, 6);
			put_cell(stdout, fmt_kelvin(b, sizeof(b), &room[i],
						    false), 8);
			printf("%s\n", fmt_kelvin(b, sizeof(b), &room[i],
						  true));
		}
		printf("  LANE  PORT  LINE  STATE         REASON\n");
		for (i = 0; i < nl; i++) {
			const struct oio_lane_info *l = &lanes[i];
			uint32_t p = l->port < OIO_MAX_PORTS ? l->port : 0;
			char b[16];

			printf("  ");
			snprintf(b, sizeof(b), "%" PRIu32, l->lane);
			put_cell(stdout, b, 6);
			snprintf(b, sizeof(b), "%" PRIu32, l->port);
			put_cell(stdout, b, 6);
			snprintf(b, sizeof(b), "%" PRIu32,
				 (l->lane % wl + shift[p]) % wl);
			put_cell(stdout, b, 6);
			put_cell(stdout,
				 lane_state_str(l->state),
				 14);
			printf("%s\n",
			       lane_reason_str(l->reason));
		}
	}
	free(lanes);
	free(ports);
	return 0;
}

static int link_status(const struct oioctl *o, int argc, char **argv)
{
	struct oioctl opts = *o;
	struct oio_card_info *cards = NULL;
	struct oio_ctx *ctx = NULL;
	struct json_object *arr = NULL, *top;
	struct cmd_args a;
	size_t n, i;
	int c, ret;

	cmd_args_init(&a, "link status", link_usage, argc, argv);
	c = cmd_no_options(&a, &opts);
	if (c)
		return OPT_EXIT(c);
	if (cmd_npos(&a) > 1)
		return usage_error("too many arguments for 'link status'");
	ret = ctx_open(&ctx);
	if (ret)
		return ret;
	ret = cards_select(ctx, cmd_arg(&a, 0), &cards, &n);
	if (ret)
		goto out;
	if (opts.json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++)
		if (status_card(&opts, ctx, &cards[i], arr))
			ret = OIOCTL_EXIT_ERROR;
	if (opts.json) {
		top = json_object_new_object();
		json_object_object_add(top, "links", arr);
		json_print(stdout, top, opts.pretty);
	}
out:
	free(cards);
	oio_ctx_free(ctx);
	return ret;
}

int cmd_link(const struct oioctl *o, int argc, char **argv)
{
	static const char *const subs[] = { "status", "up", "down", "recover" };
	int skip, s = subcommand(argc, argv, link_usage, subs, 4, &skip);

	if (s < 0)
		return OPT_EXIT(s);
	switch (s) {
	case 1:
		return link_run(o, argc - skip, argv + skip, false);
	case 2:
		return link_down(o, argc - skip, argv + skip);
	case 3:
		return link_run(o, argc - skip, argv + skip, true);
	default:
		return link_status(o, argc - skip, argv + skip);
	}
}
