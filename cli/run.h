/*
 * run.h - "httptrace COMMAND": run a command under the preload library and
 * collect its records until it and every process it started have exited.
 */
#ifndef HT_RUN_H
#define HT_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "capture_io.h"
#include "collector.h"
#include "join.h"
#include "report.h"

/* Exit status for httptrace's own failures (as env(1) and timeout(1)). */
#define RUN_EXIT_FAILURE 125
/* Exit status when the command cannot be executed (as a shell). */
#define RUN_EXIT_NOEXEC 127

typedef struct run_opts {
	enum report_format format;
	const char *output; /* report file; NULL for standard error */
	const char *capture; /* -w: capture file; NULL for none */
	bool no_report;     /* -w without -f or -o: only the capture */
	char **argv;        /* the command, NULL-terminated, argv[0] != NULL */
	const char *redact; /* more header names to redact, comma-separated */
	const char *redact_query; /* more query parameter names to redact in
	                             URLs, comma-separated */
	bool no_redact;     /* redact nothing */
	const char *otlp;   /* --otlp URL, or NULL */
} run_opts;

/*
 * run_find_library() - the absolute path of libhttptrace.so into @buf
 * (capacity @cap): $HTTPTRACE_LIB when set, else next to this executable,
 * else in ../lib/httptrace/ relative to it.  Returns 0; -ENOENT when none
 * exists; -EINVAL when the path cannot go in LD_PRELOAD (it holds a space
 * or a colon); -ENAMETOOLONG.  On failure @buf holds the path tried last
 * (for the error message).
 */
int run_find_library(char *buf, size_t cap);

/*
 * run_ignore_sigxfsz() - ignore SIGXFSZ (a report or capture that reaches
 * the file size limit fails with EFBIG and is told, instead of killing
 * the collector); the old action into @old when not NULL.
 */
void run_ignore_sigxfsz(struct sigaction *old);

/*
 * run_open_output() - open the report stream: @path truncated/created, or a
 * duplicate of @std_fd (standard error for run and listen, standard output
 * for read) when @path is NULL, close-on-exec and fully buffered.  Returns
 * the FILE, or NULL with errno set.
 */
FILE *run_open_output(const char *path, int std_fd);

/*
 * Where the collector's output goes: the report (@rp, NULL when only
 * capturing), the capture (@cw, NULL when none), and the OTLP exporter and
 * Prometheus metrics when asked for.  run_out_record() is
 * the collector's sink and run_out_idle() its idle hook, with a run_out as
 * their context.
 */
typedef struct run_out {
	report *rp;
	cap_writer *cw;
	const char *capture; /* the capture's path, for messages */
	const char *output;  /* the report's path; NULL: standard error */
	struct otlp_exporter *otlp; /* --otlp: spans go there too; or NULL */
	struct metrics *metrics;    /* --metrics: counted there too; or NULL */
	struct liveview *live;      /* the requests in flight under the text
	                               report on a terminal; or NULL */
	/* PRIVATE: the failure of each output was told on standard error. */
	bool report_told, capture_told;
	/* PRIVATE: a client's record and its server's joined before they
	 * go out (join.h), from run_out_attach() to run_out_finish(). */
	joiner join;
	bool join_on;
	/* set before run_out_attach() by a capture's replay: its records go
	 * through the joiner as the live run's did, whatever the format */
	bool replay;
	const collector *col;
} run_out;

void run_out_record(void *ctx, const ht_record *rec);
void run_out_idle(void *ctx);

/*
 * run_out_attach() - make @c deliver to @o (sink, idle hook and, when
 * there is a capture, the tap; a tick every RUN_LIVE_TICK_MS that, when
 * the report's format streams requests in flight (report_wants_live()),
 * hands it the live pages, and lets out the server records held for
 * their clients' (join.h: at most RUN_JOIN_WINDOW_MS; a format that
 * streams holds none)).  @spans: spans are exported (--otlp): joined
 * records then carry trace and span ids, as they do for -f otlp (no
 * other output shows them: none are drawn).  No joiner at all when no
 * output shows a join nor keeps its order (-f summary or -f events with
 * no --otlp and no -w, metrics or not: see run_out_needs_join()).  Call
 * after collector_init(), with rp, cw and replay set.
 */
#define RUN_LIVE_TICK_MS 50
#define RUN_JOIN_WINDOW_MS 250
void run_out_attach(run_out *o, collector *c, bool spans);

/*
 * run_out_finish() - after collector_drain(): end the capture (with a
 * one-line note on standard error when it is the only output) and write
 * the report's summary.  A write that failed, now or during the run, gets
 * one message naming the file and the reason ("httptrace: writing the
 * report to FILE failed: No space left on device"; run_out_idle() tells it
 * as soon as it is seen).  Returns 0, or -1 when the report or the capture
 * could not be written whole.
 */
int run_out_finish(run_out *o, const collector *c);

/*
 * run_out_replay() - a capture's COLLECTOR_EV_TICK (@buf: its u64 time,
 * CAP_CLOCK_LEN bytes) or COLLECTOR_EV_FLUSH (no payload): the held records
 * (join.h) that the live run let out at that point go out now, as they
 * did.  Returns 0, or -EINVAL for another event or a wrong size.
 */
int run_out_replay(run_out *o, unsigned ev, const uint8_t *buf, size_t len);

/* run_out_discard() - release what run_out_attach() took when the run
 * never reached run_out_finish() (its setup failed); a no-op after it. */
void run_out_discard(run_out *o);

/*
 * run_command() - run @o->argv traced, write the report, and return the
 * exit status httptrace should exit with: the command's status, 128+N if a
 * signal N killed it, RUN_EXIT_NOEXEC if it could not be executed, or
 * RUN_EXIT_FAILURE if tracing could not be set up, or if the command
 * succeeded (0) but the report or the capture could not be written (after
 * a message on standard error).
 */
int run_command(const run_opts *o);

/*
 * run_main() - httptrace [OPTION]... [--] COMMAND [ARG...]: read the
 * options (options.h), then run_command().  Returns the exit status:
 * run_command()'s, EXIT_SUCCESS after --help or --version, or
 * RUN_EXIT_FAILURE (after a message) for bad usage.
 */
int run_main(int argc, char **argv);

#endif
