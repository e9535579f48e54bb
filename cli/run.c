/* run.c - run a command traced; see run.h. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio_ext.h>
#include <unistd.h>

#include "capture.h"
#include "check_elf.h"
#include "collector.h"
#include "liveview.h"
#include "metrics.h"
#include "options.h"
#include "otlp_export.h"

#define LIB_NAME "libhttptrace.so"
#define OUTPUT_BUFFER (1 << 20)

/* Copy @path into @buf if it names an existing file; resolves it to an
 * absolute path.  Returns 0 or -errno. */
static int try_library(char *buf, size_t cap, const char *path)
{
	char real[PATH_MAX];

	snprintf(buf, cap, "%s", path);
	if (realpath(path, real) == NULL)
		return -errno;
	if (access(real, R_OK) < 0)
		return -errno;
	if ((size_t)snprintf(buf, cap, "%s", real) >= cap)
		return -ENAMETOOLONG;
	/* ld.so splits LD_PRELOAD at spaces and colons. */
	if (strpbrk(buf, " :") != NULL)
		return -EINVAL;
	return 0;
}

int run_find_library(char *buf, size_t cap)
{
	const char *env = getenv("HTTPTRACE_LIB");
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n;
	char *slash;
	int err;

	if (env != NULL && env[0] != '\0')
		return try_library(buf, cap, env);

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		snprintf(buf, cap, "/proc/self/exe");
		return -errno;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash != NULL)
		*slash = '\0';

	/* The build tree: build/httptrace next to build/libhttptrace.so. */
	snprintf(path, sizeof(path), "%s/" LIB_NAME, exe);
	err = try_library(buf, cap, path);
	if (err != -ENOENT)
		return err;
	/* Installed: $(PREFIX)/bin/httptrace, $(PREFIX)/lib/httptrace/. */
	snprintf(path, sizeof(path), "%s/../lib/httptrace/" LIB_NAME, exe);
	err = try_library(buf, cap, path);
	if (err == -ENOENT)
		snprintf(buf, cap, "%s/" LIB_NAME " or %s/../lib/httptrace/"
			 LIB_NAME, exe, exe);
	return err;
}

FILE *run_open_output(const char *path, int std_fd)
{
	int fd;
	FILE *f;

	if (path != NULL)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	else
		fd = fcntl(std_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (f == NULL) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	/* A buffer, not just a size, which glibc ignores (st_blksize: 1 KiB on
	 * a terminal: lines cut, the command's output inside them).  One
	 * report stream per process. */
	static char buf[OUTPUT_BUFFER];
	static bool buf_used;

	setvbuf(f, buf_used ? NULL : buf, _IOFBF, OUTPUT_BUFFER);
	buf_used = true;
	return f;
}

/* Text is colored only for a terminal, and never when NO_COLOR is set. */
static bool want_color(FILE *out, enum report_format format)
{
	return format == REPORT_TEXT && getenv("NO_COLOR") == NULL &&
	       isatty(fileno(out));
}

/* Make the private directory and the socket path in it. */
static int make_socket_dir(char *dir, size_t dir_cap, char *sock,
			   size_t sock_cap)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, dir_cap, "%s/httptrace.XXXXXX", tmp) >=
	    dir_cap)
		return -ENAMETOOLONG;
	if (mkdtemp(dir) == NULL) /* mode 0700 */
		return -errno;
	if ((size_t)snprintf(sock, sock_cap, "%s/sock", dir) >= sock_cap) {
		rmdir(dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Many traced processes means many peer sockets: use every fd allowed.
 * *@old: the limit the user had, which the command gets back. */
static void raise_fd_limit(struct rlimit *old)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		old->rlim_cur = old->rlim_max = 0; /* nothing to give back */
		return;
	}
	*old = rl;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A "not traced" note @text for the command's process @pid, given to the
 * report as if the process had sent it (its library cannot). */
static void note_command(run_out *o, pid_t pid, const char *text)
{
	ht_record rec;
	size_t len = strlen(text);

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_NOTE;
	rec.u.note.pid = (uint32_t)pid;
	rec.u.note.text.p = text;
	rec.u.note.text.len = (uint16_t)(len < UINT16_MAX ? len : UINT16_MAX);
	run_out_record(o, &rec);
}

/* The command (@pid) starts with the soft fd limit @lim, below the
 * library's floor: its processes are not traced unless they raise it. */
static void note_fd_limit(run_out *o, pid_t pid, rlim_t lim)
{
	char text[160];

	snprintf(text, sizeof(text), "the soft fd limit (%llu) is below %d: "
		 "the library takes no fd there (processes that do not raise "
		 "it)", (unsigned long long)lim, HT_MIN_FD_LIMIT);
	note_command(o, pid, text);
}

/* The exit status a shell would report for wait status @st. */
static int exit_status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return RUN_EXIT_FAILURE;
}

/* In the child, between fork and exec: undo the collector's signal setup,
 * add the environment, exec.  Never returns. */
static void child_exec(const run_opts *o, const sigset_t *old_mask,
		       const struct sigaction *old_pipe,
		       const struct sigaction *old_xfsz,
		       const struct rlimit *old_nofile, const char *preload,
		       const char *sock)
{
	char **argv = o->argv;
	int bad = 0;

	sigaction(SIGPIPE, old_pipe, NULL);
	sigaction(SIGXFSZ, old_xfsz, NULL);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	/* The command runs with the fd limit the user gave it. */
	if (old_nofile->rlim_max != 0)
		setrlimit(RLIMIT_NOFILE, old_nofile);
	bad |= setenv("LD_PRELOAD", preload, 1);
	bad |= setenv("HTTPTRACE_SOCKET", sock, 1);
	if (o->no_redact)
		bad |= setenv("HTTPTRACE_NO_REDACT", "1", 1);
	if (o->redact != NULL && o->redact[0] != '\0')
		bad |= setenv("HTTPTRACE_REDACT", o->redact, 1);
	if (o->redact_query != NULL && o->redact_query[0] != '\0')
		bad |= setenv("HTTPTRACE_REDACT_QUERY", o->redact_query, 1);
	if (bad) {
		fprintf(stderr, "httptrace: setenv: %s\n", strerror(errno));
		_exit(RUN_EXIT_NOEXEC);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "httptrace: %s: %s\n", argv[0], strerror(errno));
	_exit(RUN_EXIT_NOEXEC);
}

/* State of the wait for the command and its descendants. */
typedef struct run_wait {
	collector *col;    /* told of every child reaped */
	pid_t child;
	int status;        /* the command's wait status, once it exited */
	bool child_exited;
	bool all_exited;   /* waitpid() says there are no children left */
	bool give_up;      /* stop waiting for orphans (signalled) */
} run_wait;

/* Reap every exited child; note the command's status and whether any
 * descendant is left. */
static void reap(run_wait *w)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			if (w->col != NULL)
				collector_reaped(w->col, pid, st);
			if (pid == w->child) {
				w->status = st;
				w->child_exited = true;
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD)
			w->all_exited = true;
		return;
	}
}

/* Handle the signals queued on @sfd. */
static void handle_signals(int sfd, run_wait *w)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		switch (sig) {
		case SIGCHLD:
			break; /* reaped below */
		case SIGTERM:
		case SIGHUP:
			if (!w->child_exited)
				kill(w->child, sig); /* let the command decide */
			else
				w->give_up = true;
			break;
		case SIGINT:
		case SIGQUIT:
			/* The terminal sent it to the command too; once the
			 * command is gone it means: stop waiting for orphans. */
			if (w->child_exited)
				w->give_up = true;
			break;
		default:
			break;
		}
	}
	reap(w);
}

/* Everything below main() that can fail before the command starts. */
typedef struct run_setup {
	char lib[PATH_MAX];
	char dir[PATH_MAX];
	char sock[PATH_MAX];
	char *preload;
	FILE *out;
	report rp;
	cap_writer cw;
	run_out ro;
	collector col;
	liveview lv;
	int sfd;
	otlp_config ocfg;
	struct rlimit nofile; /* the user's, for the command */
	char blocked[PATH_MAX + 160]; /* why the command is not traced, or "" */
} run_setup;

static char *build_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	size_t len = strlen(lib) + (old ? strlen(old) : 0) + 2;
	char *p = malloc(len);

	if (p == NULL)
		return NULL;
	if (old != NULL && old[0] != '\0')
		snprintf(p, len, "%s %s", lib, old);
	else
		snprintf(p, len, "%s", lib);
	return p;
}

/* A record, joined or not (join.h), to every output. */
static void run_out_dispatch(void *ctx, const ht_record *rec)
{
	run_out *o = ctx;

	/* On a terminal, the record's lines scroll above the live area
	 * (liveview.h): it need not be taken down first. */
	if (o->rp != NULL)
		report_record(o->rp, rec);
	if (o->otlp != NULL)
		otlp_exporter_record(o->otlp, rec);
	if (o->metrics != NULL)
		metrics_record(o->metrics, rec);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void run_out_record(void *ctx, const ht_record *rec)
{
	run_out *o = ctx;

	/* the time the collector's loop woke up to read it: the capture
	 * keeps that time (CAP_CLOCK), so a replay holds it the same */
	if (o->join_on)
		join_record(&o->join, rec,
			    o->col != NULL && o->col->now != 0 ? o->col->now
							       : mono_now());
	else
		run_out_dispatch(o, rec);
}

/* The OTLP ids of a pair (join.h): random, never all zero; drawn from a
 * pool refilled 4 KiB at a time (not a system call per record). */
static void run_join_rand(void *ctx, uint8_t *buf, size_t n)
{
	static uint8_t pool[4096];
	static size_t left;
	static uint64_t fallback;
	size_t i = 0;

	(void)ctx;
	while (i < n) {
		size_t take;

		if (left == 0) {
			ssize_t r = getrandom(pool, sizeof(pool), GRND_NONBLOCK);

			left = r > 0 ? (size_t)r : 0;
		}
		if (left == 0)
			break;
		/* a run of the pool at once, from its end down (a byte at a
		 * time cost a tenth of the json line) */
		take = n - i < left ? n - i : left;
		left -= take;
		memcpy(buf + i, pool + left, take);
		i += take;
	}
	for (; i < n; i++) {
		uint64_t v = mono_now() ^ ++fallback * 0x9e3779b97f4a7c15ull;

		buf[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
	buf[n - 1] |= 1;
}

void run_ignore_sigxfsz(struct sigaction *old)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigaction(SIGXFSZ, &ign, old);
}

/* Tell each output's first failure once, as soon as it is seen: a
 * collector that runs for months must not fail silently until its end. */
static void tell_failures(run_out *o)
{
	int err;

	if (o->rp != NULL && !o->report_told &&
	    (err = report_error(o->rp)) != 0) {
		fprintf(stderr, "httptrace: writing the report to %s failed: "
			"%s\n", o->output ? o->output : "standard error",
			strerror(err));
		o->report_told = true;
	}
	if (o->cw != NULL && !o->capture_told && o->cw->err != 0) {
		fprintf(stderr, "httptrace: writing the capture to %s failed: "
			"%s\n", o->capture, strerror(o->cw->err));
		o->capture_told = true;
	}
}

void run_out_idle(void *ctx)
{
	run_out *o = ctx;

	/* no process left to send a client's half: nothing waits for it
	 * (and the capture says so where it happened) */
	if (o->join_on && join_pending(&o->join) && o->col != NULL &&
	    o->col->n_peers == 0) {
		if (o->cw != NULL)
			cap_writer_tap(o->cw, COLLECTOR_EV_FLUSH, 0, NULL, 0);
		join_flush(&o->join);
	}

	if (o->rp != NULL)
		report_flush(o->rp);
	if (o->cw != NULL)
		cap_writer_flush(o->cw);
	tell_failures(o);
	if (o->live != NULL)
		liveview_tick(o->live);
}

/* A request in flight, as the live pages show it now: to the report. */
static void run_out_inflight(void *ctx, const collector_inflight_req *e)
{
	report_live(ctx, e->pid, e->conn_id, &e->slot, &e->tls);
}

/* A connection in its DNS, connect or TLS phase, or its handshake over
 * (collector_live_conns()): to the report.  A client's connect() in its
 * call has no peer yet (read after it): it waits 50 ms for one, then goes
 * without (a hang). */
static void run_out_inflight_conn(void *ctx, const collector_inflight_conn *e)
{
	if (e->phase == HT_PH_CONNECT && e->slot.kind == HT_LIVE_CONNECTION &&
	    e->slot.side == HT_LIVE_CLIENT && e->slot.peer.family == 0 &&
	    e->elapsed < HT_LIVE_PEER_WAIT_NS)
		return;
	report_live_conn(ctx, e->pid, e->conn_id, &e->slot, &e->tls);
}

/* The tick: a format that streams (events) sees every connection and
 * request in flight, and what it wrote goes out now. */
static void run_out_tick(void *ctx, const collector *c, uint64_t now)
{
	run_out *o = ctx;

	if (o->join_on && join_pending(&o->join)) {
		/* (with nothing held, expiring changes nothing: not kept) */
		if (o->cw != NULL) {
			uint8_t buf[CAP_CLOCK_LEN];

			cap_clock_encode(buf, now);
			cap_writer_tap(o->cw, COLLECTOR_EV_TICK, 0, buf,
				       sizeof(buf));
		}
		join_expire(&o->join, now);
	}
	if (o->rp == NULL || !report_wants_live(o->rp))
		return;
	collector_live_conns(c, now, run_out_inflight_conn, o->rp);
	collector_inflight(c, now, run_out_inflight, o->rp);
	report_live_end(o->rp);
	tell_failures(o);
}

/* join_clients_fn: the collector's pages say (collector.h). */
static bool run_loopback_clients(void *ctx)
{
	return collector_loopback_clients(ctx);
}

/* Whether @o needs the joiner (join.h): an output that shows a join (the
 * other end's record, the server's processing, a parent, trace ids: text,
 * json, otlp, spans), one whose records' order the hold decides (har,
 * html list them as they go out), a capture (its clock events are the
 * joiner's, replayed as they were) or a replay.  The summary counts
 * (metrics too) and the events stream (not held: in order as they come)
 * show nothing of it: their records go straight out, not described,
 * hashed and remembered for an end no output would show. */
static bool run_out_needs_join(const run_out *o, bool spans)
{
	if (spans || o->cw != NULL || o->replay)
		return true;
	return o->rp != NULL && o->rp->format != REPORT_SUMMARY &&
	       o->rp->format != REPORT_EVENTS;
}

void run_out_attach(run_out *o, collector *c, bool spans)
{
	c->sink = run_out_record;
	c->idle = run_out_idle;
	c->ctx = o;
	o->col = c;
	bool live = o->rp != NULL && report_wants_live(o->rp);
	/* ids only where a span shows them */
	bool ids = spans || (o->rp != NULL && o->rp->format == REPORT_OTLP);

	o->join_on = run_out_needs_join(o, spans) &&
		     join_init(&o->join, run_out_dispatch, o,
			       ids ? run_join_rand : NULL, NULL, !live,
			       RUN_JOIN_WINDOW_MS * 1000000ull) == 0;
	if (o->join_on)
		join_set_clients(&o->join, run_loopback_clients, c);
	if (live || o->join_on) {
		c->tick = run_out_tick;
		c->tick_ms = RUN_LIVE_TICK_MS;
	}
	if (o->cw != NULL) {
		c->tap = cap_writer_tap;
		c->tap_ctx = o->cw;
	}
}

int run_out_replay(run_out *o, unsigned ev, const uint8_t *buf, size_t len)
{
	if (ev == COLLECTOR_EV_TICK && len == CAP_CLOCK_LEN) {
		if (o->join_on)
			join_expire(&o->join, cap_clock_parse(buf));
		return 0;
	}
	if (ev == COLLECTOR_EV_FLUSH && len == 0) {
		if (o->join_on)
			join_flush(&o->join);
		return 0;
	}
	return -EINVAL;
}

void run_out_discard(run_out *o)
{
	if (o->join_on) {
		join_free(&o->join);
		o->join_on = false;
	}
}

int run_out_finish(run_out *o, const collector *c)
{
	int ret = 0;

	if (o->join_on) {
		join_flush(&o->join);
		join_free(&o->join);
		o->join_on = false;
	}

	if (o->live != NULL) {
		liveview_end(o->live);
		o->live = NULL;
	}
	if (o->cw != NULL) {
		int err = cap_writer_finish(o->cw, c->records, c->malformed,
					    c->refused + c->refused_no_room);

		if (err < 0) {
			if (!o->capture_told)
				fprintf(stderr, "httptrace: writing the capture "
					"to %s failed: %s\n", o->capture,
					strerror(-err));
			o->capture_told = true;
			ret = -1;
		} else if (o->rp == NULL) {
			/* The only output: say what it holds (as tcpdump
			 * says how many packets it captured). */
			fprintf(stderr, "httptrace: wrote %llu records "
				"(%llu bytes) to %s\n",
				(unsigned long long)c->records,
				(unsigned long long)o->cw->bytes, o->capture);
		}
		o->cw = NULL;
	}
	if (o->rp != NULL && report_finish(o->rp, c->malformed,
					     c->refused + c->refused_no_room) < 0) {
		tell_failures(o);
		ret = -1;
	}
	return ret;
}

/* Open the outputs @o asks for into @s: the report stream and the capture.
 * Returns 0, or -1 after a message. */
static int open_outputs(const run_opts *o, run_setup *s)
{
	int64_t offset;
	int err;

	s->ro = (run_out){ .capture = o->capture, .output = o->output };
	if (!o->no_report) {
		s->out = run_open_output(o->output, STDERR_FILENO);
		if (s->out == NULL) {
			fprintf(stderr, "httptrace: %s: %s\n",
				o->output ? o->output : "standard error",
				strerror(errno));
			return -1;
		}
		report_init(&s->rp, s->out, o->format,
			    want_color(s->out, o->format));
		if (o->output != NULL)
			report_own_output(&s->rp);
		s->ro.rp = &s->rp;
		if (liveview_wanted(s->out, o->format)) {
			liveview_init(&s->lv, fileno(s->out), &s->col,
				      s->rp.color);
			s->ro.live = &s->lv;
		}
	}
	if (o->capture != NULL) {
		/* The replay must convert times as this report does. */
		offset = s->ro.rp ? s->rp.mono_to_unix : report_clock_offset();
		err = cap_writer_open(&s->cw, o->capture, offset);
		if (err < 0) {
			fprintf(stderr, "httptrace: %s: %s\n", o->capture,
				strerror(-err));
			return -1;
		}
		s->ro.cw = &s->cw;
	}
	return 0;
}

/* Undo open_outputs() (after run_out_finish(), or on a failure). */
static void close_outputs(run_setup *s)
{
	run_out_discard(&s->ro);
	if (s->ro.live != NULL)
		liveview_end(s->ro.live);
	if (s->ro.cw != NULL)
		cap_writer_finish(s->ro.cw, 0, 0, 0);
	if (s->ro.rp != NULL)
		report_free(&s->rp);
	if (s->out != NULL)
		fclose(s->out);
	s->out = NULL;
	s->ro = (run_out){ 0 };
}

int run_command(const run_opts *o)
{
	static run_setup s; /* large (report buffers): not on the stack */
	sigset_t set, old_mask;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe, old_xfsz;
	run_wait w = { .col = &s.col };
	int err;
	int ret;

	/* Warn (without refusing) when LD_PRELOAD cannot reach the command;
	 * the report says so too. */
	bool blocked = check_warn_command(stderr, o->argv[0], s.blocked,
					  sizeof(s.blocked));
	err = run_find_library(s.lib, sizeof(s.lib));
	if (err < 0) {
		fprintf(stderr, "httptrace: cannot use the preload library "
			"%s: %s\n"
			"httptrace: set HTTPTRACE_LIB to the path of " LIB_NAME "\n",
			s.lib, err == -EINVAL ?
			"LD_PRELOAD cannot hold a path with a space or colon" :
			strerror(-err));
		return RUN_EXIT_FAILURE;
	}
	if (o->otlp != NULL && otlp_config_init(&s.ocfg, o->otlp, stderr) < 0)
		return RUN_EXIT_FAILURE;
	s.preload = build_preload(s.lib);
	if (s.preload == NULL) {
		fprintf(stderr, "httptrace: %s\n", strerror(errno));
		otlp_config_free(&s.ocfg);
		return RUN_EXIT_FAILURE;
	}
	if (open_outputs(o, &s) < 0) {
		ret = RUN_EXIT_FAILURE;
		goto out;
	}
	raise_fd_limit(&s.nofile);

	err = collector_init(&s.col, run_out_record, run_out_idle, &s.ro);
	run_out_attach(&s.ro, &s.col, o->otlp != NULL);
	if (err == 0)
		err = make_socket_dir(s.dir, sizeof(s.dir), s.sock, sizeof(s.sock));
	/* Started by root, the command may switch users (a server's
	 * workers): its tree may report whatever its user, so the directory
	 * lets every user reach the socket, whose accept checks the descent
	 * (collector.h: tree_users).  The library talks to a collector of
	 * its own user or root's. */
	if (err == 0 && geteuid() == 0) {
		s.col.tree_users = true;
		if (chmod(s.dir, 0711) < 0)
			err = -errno;
	}
	if (err == 0) {
		err = collector_listen(&s.col, s.sock);
		if (err < 0)
			rmdir(s.dir);
	}
	if (err < 0) {
		fprintf(stderr, "httptrace: cannot create the socket%s%s: %s\n",
			s.sock[0] ? " " : "", s.sock, strerror(-err));
		collector_close(&s.col);
		otlp_config_free(&s.ocfg);
		ret = RUN_EXIT_FAILURE;
		goto out;
	}

	/* Signals arrive on a signalfd; the command gets the old mask back. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old_mask);
	/* A closed report pipe must not kill us before the command ends. */
	sigaction(SIGPIPE, &ign, &old_pipe);
	run_ignore_sigxfsz(&old_xfsz);
	s.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sfd < 0 || collector_watch(&s.col, s.sfd) < 0) {
		fprintf(stderr, "httptrace: signalfd: %s\n", strerror(errno));
		ret = RUN_EXIT_FAILURE;
		goto restore;
	}
	/* The exporter's thread starts with the signals blocked. */
	if (o->otlp != NULL) {
		s.ro.otlp = otlp_exporter_start(&s.ocfg);
		if (s.ro.otlp == NULL) {
			ret = RUN_EXIT_FAILURE;
			goto restore;
		}
	}
	/* Orphaned descendants become our children, so we know when every
	 * process the command started is gone. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	fflush(NULL);
	w.child = fork();
	if (w.child < 0) {
		fprintf(stderr, "httptrace: fork: %s\n", strerror(errno));
		ret = RUN_EXIT_FAILURE;
		goto restore;
	}
	if (w.child == 0)
		child_exec(o, &old_mask, &old_pipe, &old_xfsz, &s.nofile,
			   s.preload,
			   s.sock);
	if (blocked)
		note_command(&s.ro, w.child, s.blocked);
	if (s.nofile.rlim_max != 0 && s.nofile.rlim_cur < HT_MIN_FD_LIMIT)
		note_fd_limit(&s.ro, w.child, s.nofile.rlim_cur);

	while (!(w.child_exited && (w.all_exited || w.give_up))) {
		if (collector_wait(&s.col, s.ro.live != NULL ?
					   LIVEVIEW_TICK_MS : -1) < 0) {
			fprintf(stderr, "httptrace: epoll: %s\n", strerror(errno));
			break;
		}
		handle_signals(s.sfd, &w);
	}
	/* Whatever the exited processes queued is still readable. */
	collector_drain(&s.col);
	/* Processes left running (given up on) are counted before the
	 * summary, as in listen. */
	collector_end_peers(&s.col);
	if (s.ro.otlp != NULL) {
		otlp_stats st;

		/* The span queue is sent within a bounded wait. */
		otlp_exporter_stop(s.ro.otlp, &st);
		s.ro.otlp = NULL;
		otlp_stats_print(stderr, &st);
	}
	err = run_out_finish(&s.ro, &s.col);
	ret = w.child_exited ? exit_status_of(w.status) : RUN_EXIT_FAILURE;
	/* The command's own status first; a success is not one when its
	 * report could not be written. */
	if (ret == 0 && err < 0)
		ret = RUN_EXIT_FAILURE;

restore:
	if (s.ro.otlp != NULL) {
		otlp_stats st;

		otlp_exporter_stop(s.ro.otlp, &st);
	}
	otlp_config_free(&s.ocfg); /* left when the exporter never started */
	if (s.sfd >= 0)
		close(s.sfd);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGXFSZ, &old_xfsz, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (s.col.refused > 0)
		fprintf(stderr, "httptrace: refused %llu process(es) of other "
			"users outside the command\n",
			(unsigned long long)s.col.refused);
	if (s.col.refused_no_room > 0)
		fprintf(stderr, "httptrace: refused %llu process(es) for want "
			"of room (memory, fds, or fs.epoll.max_user_watches): "
			"what they sent then is lost\n",
			(unsigned long long)s.col.refused_no_room);
	collector_close(&s.col);
	rmdir(s.dir);
out:
	close_outputs(&s);
	free(s.preload);
	return ret;
}

static const cli_command run_cmd = {
	.prog = "httptrace",
	.set = CLI_OPT_FORMAT | CLI_OPT_OUTPUT | CLI_OPT_WRITE |
	       CLI_OPT_REDACT | CLI_OPT_OTLP | CLI_OPT_VERSION,
	.in_order = true, /* the first operand starts the command */
	.synopsis =
	"usage: httptrace [-f text|json|events|har|summary|html|otlp]\n"
	"                 [-o FILE] [-w FILE] [--otlp URL]"
	" [--redact NAME]...\n"
	"                 [--redact-query NAME]... [--no-redact] [--] COMMAND [ARG...]\n"
	"       httptrace listen -s PATH [-f FORMAT] [-o FILE] [-w FILE] [--otlp URL]\n"
	"                 [--metrics HOST:PORT]\n"
	"       httptrace env -s PATH [--redact NAME]... [--redact-query NAME]...\n"
	"                 [--no-redact]\n"
	"       httptrace status -s PATH [-f text|json]\n"
	"       httptrace check FILE...\n"
	"       httptrace read [-f FORMAT] [-o FILE] [FILE|-]\n"
	"\n"
	"Run COMMAND and trace the HTTP requests of it and every process it\n"
	"starts: DNS, connect, TLS, send, wait, receive, connection reuse.\n",
	.trailer =
	"The exit status is COMMAND's (128+N if signal N killed it, 127 if it\n"
	"could not be run, 125 if tracing could not be set up, or if COMMAND\n"
	"exited 0 but the report or capture could not be written).  See\n"
	"httptrace(1).\n",
};

int run_main(int argc, char **argv)
{
	cli_opts co;
	run_opts o;
	int r = cli_parse(&run_cmd, argc, argv, &co);

	if (r != CLI_PARSE_GO_ON)
		return r == CLI_PARSE_DONE ? EXIT_SUCCESS : RUN_EXIT_FAILURE;
	if (optind >= argc) {
		fputs("httptrace: no command given\n", stderr);
		cli_usage(&run_cmd, stderr);
		return RUN_EXIT_FAILURE;
	}
	o = (run_opts){
		.format = co.format,
		.output = co.output,
		.capture = co.capture,
		/* -w alone captures without reporting, as tcpdump -w does. */
		.no_report = co.capture != NULL && !co.format_given &&
			     co.output == NULL,
		.argv = argv + optind,
		.redact = co.redact,
		.redact_query = co.redact_query,
		.no_redact = co.no_redact,
		.otlp = co.otlp,
	};
	return run_command(&o);
}
