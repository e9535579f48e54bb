/*
 * report.h - turns decoded records into a report: derived timings, URLs,
 * running statistics, and dispatch to one output format.
 *
 * The collector hands every record to report_record(); the report derives
 * what every format needs once (timings, URL, host, peer), updates the
 * summary statistics and calls the format's writer, which streams to the
 * output: the text formats through the output FILE, the JSON ones (json,
 * events, har) through rp->ob, a large block written to the FILE's
 * descriptor.  Formats live in format_*.c behind struct report_format_ops,
 * so a new one only adds a file and a table entry.  A format that writes
 * everything at the end (HAR) keeps its own state in rp->fmt_state.
 *
 * The pure helpers (report_timing_compute(), report_percentile(), and
 * url.h's URL, host and peer formatters) do no I/O and no allocation.
 *
 * Memory stays bounded however long the collector runs: per-host
 * durations are kept in a sketch (sketch.h), hosts past REPORT_MAX_HOSTS
 * share one row, open connections are forgotten at their close.
 */
#ifndef HT_REPORT_H
#define HT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "redirect.h"
#include "url.h"
#include "sketch.h"
#include "u64map.h"
#include "wire.h"

#ifndef HTTPTRACE_VERSION
#define HTTPTRACE_VERSION "0.1.0"
#endif

/* A duration or time that is absent (JSON null). */
#define REPORT_NONE JSON_NS_NULL

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_EVENTS,
	REPORT_HAR,
	REPORT_SUMMARY,
	REPORT_HTML,
	REPORT_OTLP,
};

/* Durations of one request, in nanoseconds, REPORT_NONE where absent. */
typedef struct report_timing {
	int64_t dns, connect, tls; /* only on a connection's first request */
	int64_t send;              /* GOT_CONN -> WROTE_REQUEST */
	int64_t wait;              /* WROTE_REQUEST -> FIRST_BYTE */
	int64_t receive;           /* FIRST_BYTE -> RESPONSE_DONE */
	int64_t total;             /* start -> report_request_end() */
	int64_t idle;              /* IDLE_SINCE -> GOT_CONN when WAS_IDLE */
	uint64_t start;            /* monotonic ns the request began; 0 unknown */
} report_timing;

/*
 * report_timing_compute() - derive @t from the timestamps of @r.
 * Each duration is end - start when both are non-zero, else REPORT_NONE.
 * wait is FIRST_BYTE - WROTE_REQUEST, except when the first response byte
 * came before the request was fully written (100 Continue, or an early
 * answer: a 413, a redirect, a server answering before it read the body):
 * then FIRST_BYTE - WROTE_HEADERS, clamped to >= 0 (0 without
 * WROTE_HEADERS): the server's time from the headers, never negative.
 * send still runs to WROTE_REQUEST, the body's last byte, and total to
 * the later of the two ends (report_request_end()), as curl's time_total:
 * after an early answer send and receive overlap.  Cut (an error) after
 * an interim response while the request was still being written, no
 * final response begun (status 0): send runs to the cut (RESPONSE_DONE)
 * and there is no receive, as its phase says (ht_live_phase(): "send").
 * start is the earliest non-zero of DNS_START, CONNECT_START, TLS_START and
 * GOT_CONN.  idle is set only when @r has HT_RF_WAS_IDLE.  A server's
 * record (HT_RF_SERVER): connect is the accept to the client's first
 * bytes (TLS_START, else GOT_CONN), tls TLS_START -> TLS_DONE; send is the
 * request read, wait the server's processing, receive the response
 * written (wire.h).
 */
void report_timing_compute(const ht_rec_request *r, report_timing *t);

/* report_request_end() - when @r was over: RESPONSE_DONE, or WROTE_REQUEST
 * when the response began and ended before it (an early answer: the
 * client wrote the rest of its body after the response; a server read it
 * after answering). */
uint64_t report_request_end(const ht_rec_request *r);

/* report_timing_wait() - @r's wait alone, as report_timing_compute()
 * derives it (for who needs nothing else of it). */
int64_t report_timing_wait(const ht_rec_request *r);

/*
 * report_timing_cut() - for a request @r that ended without its whole
 * response (an error, its process's end among them), its timings @t
 * (from report_timing_compute()) with the phase it was in running to its
 * end (RESPONSE_DONE, the cut): send from GOT_CONN when the request was
 * not all written and no response byte came, wait from WROTE_REQUEST when
 * no response byte came (a server's read and processing alike).  Returns
 * the timestamp slot that phase would have ended at (HT_T_WROTE_REQUEST,
 * HT_T_FIRST_BYTE), or HT_T__COUNT when none was extended (no error, no
 * end, or the phase not begun).  The phases never reached stay
 * REPORT_NONE.  Cut while sending after a 1xx: HT_T_WROTE_REQUEST (send
 * already run to the cut by report_timing_compute()).
 */
unsigned report_timing_cut(const ht_rec_request *r, report_timing *t);

/*
 * report_har_timing - a request's timings as HAR 1.2 has them, in whole
 * microseconds, -1 where HAR allows it for a phase that did not happen.
 * time is the request's duration (report_timing.total, rounded to the
 * microsecond, as every other format gives it) and the sum of the others
 * that are not -1, ssl left out since connect includes it.
 */
typedef struct report_har_timing {
	int64_t blocked; /* the time before the request's first byte that is
			  * not dns, connect or ssl (the client's own work
			  * between them); -1 on a reused connection */
	int64_t dns, connect, ssl; /* -1 when not seen; connect has ssl */
	int64_t send, wait, receive; /* never -1 */
	int64_t time;
} report_har_timing;

/*
 * report_timing_har() - the HAR timings @h of client request @r.  Every
 * moment is rounded to the microsecond from the request's start
 * (report_timing.start) and each phase is the difference of two of them,
 * so the parts add up to time exactly and each is within a microsecond of
 * report_timing_compute()'s.  Phases are laid end to end and never
 * negative: dns, connect and ssl are cut where an earlier one ended; send
 * runs from GOT_CONN to WROTE_REQUEST (to WROTE_HEADERS when the first
 * response byte came before the body was written), wait to FIRST_BYTE,
 * receive to RESPONSE_DONE; a phase whose end was not seen runs to the
 * next end that was (as report_timing_cut() runs the phase a request was
 * cut in to its end) and the ones it swallowed last 0.  With no
 * RESPONSE_DONE the end is the last moment seen.
 */
void report_timing_har(const ht_rec_request *r, report_har_timing *h);

/*
 * report_error_text() - why request @r failed, NULL when it did not: the
 * text of its error (ht_error_str()), else for a gRPC call whose status is
 * not OK "grpc NAME" ("grpc UNAVAILABLE"; "grpc 42" for a code gRPC does
 * not define), written into @buf (@cap >= REPORT_ERROR_MAX).
 */
#define REPORT_ERROR_MAX 24
const char *report_error_text(const ht_rec_request *r, char *buf, size_t cap);

/* report_proto_str() - "HTTP/1.0", "HTTP/1.1", "HTTP/2"; NULL if unknown. */
const char *report_proto_str(unsigned proto);

/*
 * report_percentile() - the nearest-rank percentile @pct (1..100) of the
 * durations in @s (the value at rank ceil(pct/100 * n)), within
 * SKETCH_REL_ERROR (0.79%) of it (sketch.h).  REPORT_NONE when @s is empty.
 */
int64_t report_percentile(const sketch *s, unsigned pct);

/* Hosts with a row of their own in the summary; the requests to hosts
 * beyond them are counted together, in report_stats.other_hosts. */
#define REPORT_MAX_HOSTS 1024

/* Requests to one host, for the per-host percentiles. */
typedef struct report_host_stat {
	char *name;
	uint64_t requests, errors;
	sketch totals; /* total durations (ns) of the requests that have one */
} report_host_stat;

/* One hop of a redirect chain, as the summary lists it. */
typedef struct report_hop {
	char *method, *url;     /* malloc'd, NUL-terminated */
	unsigned status;
	uint32_t conn, req;
	bool reused;
	int64_t total;          /* ns, or REPORT_NONE */
} report_hop;

/* A redirect chain: its first hop's id and its hops in order. */
typedef struct report_chain {
	redirect_id id;
	report_hop *hops;
	size_t n_hops, cap_hops;
} report_chain;

/* Open connections remembered for the distinct count. */
#define REPORT_MAX_OPEN_CONNS 65536

/* Chains and hops kept for the summary (more are linked, not listed). */
#define REPORT_MAX_CHAINS 1000
#define REPORT_MAX_HOPS 32

/* Running counts for the summary.  READ-ONLY for formats. */
#define REPORT_MAX_NOTES 8
/* Program names kept to say who made TLS connections not decoded. */
#define REPORT_MAX_EXES 16

typedef struct report_stats {
	uint64_t processes;    /* processes traced: HELLO records (a process
	                          announces itself at its first tracked
	                          connection, so one that never made one is
	                          not among them; a vfork child's note-only
	                          HELLO, HT_HF_NOTE_ONLY, is not one) */
	uint64_t req_processes; /* of those, the ones that made (or, a server,
	                           answered) requests (an
	                           image: an exec'd pid counts again) */
	uint64_t requests;     /* a client's (without HT_RF_SERVER) */
	uint64_t server_requests; /* requests a traced server answered
	                             (HT_RF_SERVER): in no other count */
	uint64_t server_errors;   /* of those, ended with an error */
	uint64_t server_not_served; /* of those, not answered, sent after a
	                             request that asked to close
	                             (HT_ERR_AFTER_CLOSE): not in
	                             server_errors */
	uint64_t reused;       /* requests on a reused connection */
	uint64_t errors;       /* requests that ended with an error (a gRPC
	                          status other than OK included; not the
	                          ones not followed) */
	uint64_t not_followed; /* requests (a client's or a server's) begun
	                          past the limit of requests in flight on
	                          their connection, in flight on one a fork
	                          shared, or HTTP/2 streams whose header
	                          block was too large to keep or came after
	                          one (ht_error_not_seen()): in requests or
	                          server_requests, not errors */
	uint64_t conn_fails;   /* connect() failures (the lookups cut short
	                          apart: no connection was tried) */
	uint64_t lookups_cut;  /* name lookups a process's end cut short
	                          (HT_FF_LOOKUP) */
	uint64_t lookups_failed; /* name lookups that ended in an error
	                          (HT_REC_DNS, err not 0) */
	uint64_t conn_closes;
	uint64_t ws_sessions;  /* WebSocket sessions ended (HT_REC_WS) */
	uint64_t malformed;    /* records the collector rejected */
	uint64_t refused;      /* processes the collector refused (another
	                          user's, or no room for one more): what
	                          they sent was never seen.  One count: the
	                          report says that it missed them; why is
	                          told on stderr, cause by cause */
	uint64_t connections;  /* distinct connections that carried requests,
	                          the TLS connections not decoded, and the
	                          client connections closed with no request */
	uint64_t conns_no_request; /* client connections followed to their
	                              close that carried no request (closes
	                              with HT_CF_NO_REQUEST): in connections,
	                              not errors */
	uint64_t tls_undecoded; /* TLS connections no hook decoded (closes
	                           with HT_CF_TLS_UNDECODED): in connections */
	/* The programs (HELLO exe base names, the first REPORT_MAX_EXES),
	 * the pids that ran them (pid -> index + 1), and which of them
	 * made TLS connections not decoded (bit i: exes[i]). */
	char *exes[REPORT_MAX_EXES];
	size_t n_exes;
	u64map pid_exe;
	uint32_t undecoded_exes;
	/* The connections open now (pid<<32|conn), forgotten at their close,
	 * at most REPORT_MAX_OPEN_CONNS; past that, a connection is counted
	 * by its first request (conns_untracked says how many were). */
	u64map conns;
	uint64_t conns_untracked;
	/* The pids whose current image made a request (req_processes), and
	 * 1 + the last one looked up there (0: none; forgotten with it): a
	 * process's records come in runs, each would look it up again. */
	u64map req_pids;
	uint64_t req_pid_last;
	uint64_t dropped;      /* records the processes produced that never
	                          arrived (sum of the collector's increments,
	                          account.h) */
	uint64_t dropped_requests; /* of those, requests (the rest are
	                              connection, DNS, WebSocket records) */
	/* Distinct NOTE texts (the first REPORT_MAX_NOTES), each with the
	 * number of processes (pids) that sent it, and the pids that did
	 * (note index << 32 | pid). */
	char *notes[REPORT_MAX_NOTES];
	uint64_t note_procs[REPORT_MAX_NOTES];
	size_t n_notes;
	u64map note_pids;
	report_host_stat *hosts; /* open-addressed by name; NULL name = empty */
	size_t hosts_cap, hosts_n; /* hosts_n <= REPORT_MAX_HOSTS */
	/* The requests to the hosts past REPORT_MAX_HOSTS (name NULL). */
	report_host_stat other_hosts;
	uint64_t redirects_followed; /* requests linked to an earlier hop */
	report_chain *chains;    /* in the order their first hop completed */
	size_t n_chains, cap_chains;
} report_stats;

/* Everything derived from one request record, handed to a format. */
typedef struct report_req {
	const ht_rec_request *r;
	report_timing t;
	const char *url;   /* NUL-terminated, in the report's buffers */
	size_t url_len;
	const char *host;
	size_t host_len;
	const char *peer;  /* "" when unknown; "unix:PATH" for a Unix socket */
	size_t peer_len;
	const char *proxy; /* inside a tunnel: the proxy (the peer); else NULL */
	size_t proxy_len;
	const char *proto; /* the request's version; NULL when unknown */
	const char *resp_proto; /* the response's, only when it differs */
	const char *error; /* NULL when none */
	/* A request its process's end cut short (error INTERRUPTED, KILLED,
	 * CRASHED, EXITED): the signal ("SIGINT"; NULL when none or not
	 * known), the phase it was in ("wait_first_byte", a
	 * server's in its own terms, "processing"; NULL otherwise),
	 * that phase in words ("waiting for the first byte"), and whether
	 * the process ended without a goodbye (its status not known). */
	const char *signal;
	const char *phase;
	const char *phase_text;
	bool no_goodbye;
	bool tracing_ended; /* the collector stopped while the process ran */
	redirect_link redirect; /* its place in a redirect chain, if any */
} report_req;

/* Everything derived from one WebSocket session record, handed to a
 * format. */
typedef struct report_ws {
	const ht_rec_ws *w;
	const char *url;   /* "ws://host/path" ("wss://" over TLS) */
	size_t url_len;
	const char *peer;  /* as in report_req */
	size_t peer_len;
	int64_t duration;  /* t_start -> t_end, ns (REPORT_NONE if unknown) */
	const char *closed_by; /* "client", "server" (who sent the first
	                          close frame, from the program's side: it is
	                          the client), or NULL: no closing handshake */
} report_ws;

struct report;

/* One output format.  Every writer streams to rp->out or rp->ob, never to
 * both. */
struct ht_live_conn;
struct ht_live_tls;

typedef struct report_format_ops {
	/* May be NULL: the format writes nothing of a request (a server's
	 * request is then only counted, not described). */
	void (*request)(struct report *rp, const report_req *q);
	void (*conn_fail)(struct report *rp, const ht_rec_conn_fail *f);
	void (*conn_close)(struct report *rp, const ht_rec_conn_close *c);
	void (*summary)(struct report *rp); /* at the end; may be NULL */
	void (*free)(struct report *rp);    /* release fmt_state; may be NULL */
	void (*hello)(struct report *rp, const ht_rec_hello *h); /* may be NULL */
	void (*websocket)(struct report *rp, const report_ws *s); /* may be NULL */
	/* A client request in flight as a live page shows it now
	 * (report_live()): q->r holds what the page has (timestamps,
	 * method, target, host, peer, flags, the TLS version and ALPN of
	 * the handshake it carries), nothing of the response, and no
	 * headers.
	 * May be NULL: the format does not stream.  live_end: a pass over
	 * the live pages ended (may be NULL). */
	void (*live)(struct report *rp, const report_req *q);
	void (*live_end)(struct report *rp);
	/* A connection in its DNS, connect or TLS phase, or its handshake
	 * over, with no request yet, as a live page shows it now
	 * (report_live_conn()), @tls its session; may be NULL. */
	void (*live_conn)(struct report *rp, uint32_t pid, uint32_t conn_id,
			  const struct ht_live_conn *s,
			  const struct ht_live_tls *tls);
	/* A name lookup ended, resolved or not (HT_REC_DNS); may be NULL:
	 * the format shows no lookup of its own (a resolved one's times are
	 * its connection's). */
	void (*dns)(struct report *rp, const ht_rec_dns *d);
} report_format_ops;

extern const report_format_ops report_text_ops;   /* format_text.c */
extern const report_format_ops report_json_ops;   /* format_json.c */
extern const report_format_ops report_events_ops; /* format_events.c */
extern const report_format_ops report_har_ops;    /* format_har.c */
extern const report_format_ops report_summary_ops; /* format_summary.c */
extern const report_format_ops report_html_ops;   /* format_html.c */
extern const report_format_ops report_otlp_ops;   /* format_otlp.c */

typedef struct report {
	/* PUBLIC: set by report_init(). */
	FILE *out;
	outbuf ob;               /* over out: what the JSON formats write to */
	enum report_format format;
	bool color;              /* text: ANSI colors */
	/* PRIVATE: out is a terminal, which other processes write to as
	 * well: each record's text goes out whole, in one write. */
	bool tty;
	/* READ-ONLY for formats. */
	const report_format_ops *ops;
	int64_t mono_to_unix;    /* add to a CLOCK_MONOTONIC ns for Unix ns */
	report_stats stats;
	/* PRIVATE to the format: what it keeps between records (NULL until
	 * it needs some), released by its free op from report_free(). */
	void *fmt_state;
	/* PRIVATE: errno of the first failed write to out (the FILE the
	 * text formats write to); 0 while none. */
	int out_err;
	/* PRIVATE: the redirects not followed yet (malloc'd at the first
	 * request; NULL when memory ran out: no links then). */
	redirect_tracker *redirects;
	/* PRIVATE: scratch space, reused for every record. */
	char url[HT_WIRE_MAX_RECORD + 512];
	char host[1024];
	char peer[192];
	char error[REPORT_ERROR_MAX];
	char signal[24];
	char fail_detail[80];
	char fail_error[112];
} report;

/*
 * report_format_parse() - the format named @name ("text", "json",
 * "events", "har", "summary", "html", "otlp") into @out.  Returns 0, or -EINVAL for an unknown name.
 */
int report_format_parse(const char *name, enum report_format *out);

/*
 * report_init() - set up @rp to write @format to @out (not owned; the
 * caller closes it), with ANSI colors in text when @color.  Computes the
 * monotonic-to-Unix offset once.  Cannot fail.
 */
void report_init(report *rp, FILE *out, enum report_format format, bool color);

/* report_clock_offset() - ns to add to a CLOCK_MONOTONIC time for the Unix
 * time: one value per process, taken at the first call, so that every
 * output agrees (report_init() stores it in rp->mono_to_unix; a replay
 * sets the live run's value there instead; the OTLP exporter uses it). */
int64_t report_clock_offset(void);

/*
 * report_record() - account for @rec and write what its format shows for
 * it.  Signature fits collector_sink (ctx is the report).
 */
void report_record(void *ctx, const ht_record *rec);

/* report_signal_name() - "SIGINT" for @sig (in @rp's buffer: valid until
 * the next call), "signal N" for one without a name; NULL for 0. */
const char *report_signal_name(report *rp, unsigned sig);

/* report_tls_fail_detail() - what the records of failed handshake @c
 * showed, when no hook decoded it: "certificate_unknown (46) sent by the
 * client" (written in @buf, @cap bytes), "connection closed during the TLS
 * handshake"; NULL when nothing more than the failure is known. */
const char *report_tls_fail_detail(const ht_rec_conn_fail *c, char *buf,
				   size_t cap);

/* report_fail_error() - the error of failed connection @c in words: its
 * errno's text, "TLS handshake failed" (": " and report_tls_fail_detail()
 * when known), or for one its process's end
 * cut short (HT_FF_FROM_PAGE) "interrupted", "killed", "crashed",
 * "exited".  The text may be in @rp's scratch space, valid until the next
 * call. */
const char *report_fail_error(report *rp, const ht_rec_conn_fail *c);

/* report_fail_lookup() - whether failed "connection" @c is a name lookup
 * its process's end cut short (HT_FF_LOOKUP): no connection was tried,
 * there is no peer, its conn_id is the lookup's number. */
bool report_fail_lookup(const ht_rec_conn_fail *c);

/* report_dns_error() - lookup @d's error in the resolver's words
 * (gai_strerror(), hstrerror(), with its errno for EAI_SYSTEM), in @buf
 * of @cap bytes; NULL when it resolved.
 * report_dns_code() - its symbolic name ("EAI_NONAME",
 * "HOST_NOT_FOUND"), NULL when it resolved or the code is not known. */
const char *report_dns_error(const ht_rec_dns *d, char *buf, size_t cap);
const char *report_dns_code(const ht_rec_dns *d);

/* report_wants_live() - whether the format streams the requests in
 * flight (report_live()): the caller then reads the live pages often. */
bool report_wants_live(const report *rp);

/*
 * report_live() - request slot @s of process @pid (connection @conn_id,
 * numbered as in its records) is in flight now, as its live page shows
 * it, @tls the session of the handshake it carries (NULL: none known):
 * the format writes what it has not written of it yet; a server's slot
 * as its record would be (HT_RF_SERVER: its events in a server's terms);
 * a WebSocket session's slot is no request: left out.  Nothing is
 * counted in the statistics: the
 * request's record does that when it comes.
 */
struct ht_live_req;
void report_live(report *rp, uint32_t pid, uint32_t conn_id,
		 const struct ht_live_req *s, const struct ht_live_tls *tls);

/*
 * report_live_conn() - connection slot @s of process @pid (connection
 * @conn_id, numbered as in its records) is in its DNS, connect or TLS
 * phase now, or its handshake is over (@tls its session), with no request
 * yet: the format writes what it has not written of it.  Nothing is
 * counted.
 */
void report_live_conn(report *rp, uint32_t pid, uint32_t conn_id,
		      const struct ht_live_conn *s,
		      const struct ht_live_tls *tls);

/* report_live_end() - one pass over every live page is over: the format
 * forgets what it no longer needs, and the output is flushed. */
void report_live_end(report *rp);

/* report_flush() - write out what is buffered (collector_idle). */
void report_flush(void *ctx);

/*
 * report_own_output() - the output is a file that only this report writes
 * (opened by path): when a write fails, the file is cut back to the end of
 * its last whole line, so JSON Lines output never ends in a half line
 * (outbuf_own_file()).
 */
void report_own_output(report *rp);

/*
 * report_error() - the errno of the first write to the output that failed
 * (or ENOMEM when output had to be discarded), 0 while none.  Output after
 * a failure is discarded.
 */
int report_error(const report *rp);

/*
 * report_finish() - record @malformed (records the collector rejected) and
 * @refused (processes it refused, their records never seen), write the
 * summary, flush.  Returns 0, or -errno of the first write to the
 * output that failed since report_init() (-ENOMEM when output had to be
 * discarded for want of memory).
 */
int report_finish(report *rp, uint64_t malformed, uint64_t refused);

/* report_free() - release the statistics', the format's and the output
 * buffer's memory (unflushed output is lost). */
void report_free(report *rp);

/*
 * report_unix_ns() - the Unix time in ns of the monotonic time @mono, or
 * REPORT_NONE when @mono is 0 (absent).
 */
int64_t report_unix_ns(const report *rp, uint64_t mono);

/* report_span() - end - start when both happened (non-zero), else
 * REPORT_NONE. */
int64_t report_span(uint64_t start, uint64_t end);

/* report_req_headers_kept() - whether request record @r carries its
 * request's header section (none: an empty one).  One made from a live
 * page (HT_RF_FROM_PAGE: its process's end cut it short) does not: the
 * page keeps no headers, so they are not known (null), not none. */
static inline bool report_req_headers_kept(const ht_rec_request *r)
{
	return !(r->flags & HT_RF_FROM_PAGE);
}

/* report_resp_headers_kept() - likewise for the response's: one made from
 * a live page once a response began has none kept (before its first
 * byte there was none: an empty section is right). */
static inline bool report_resp_headers_kept(const ht_rec_request *r)
{
	return !(r->flags & HT_RF_FROM_PAGE) || r->t[HT_T_FIRST_BYTE] == 0;
}

/* report_close_no_request() - whether closed connection @c is a client's
 * that carried no request (HT_CF_NO_REQUEST, wire.h): counted in
 * connections and stats.conns_no_request, described by the formats that
 * describe connections. */
static inline bool report_close_no_request(const ht_rec_conn_close *c)
{
	return (c->flags & HT_CF_NO_REQUEST) && c->requests == 0 &&
	       !(c->flags & (HT_CF_SERVER | HT_CF_TLS_UNDECODED));
}

/* report_earliest() - the earlier of two monotonic times, where 0 means
 * absent: the other one (0 when both are). */
static inline uint64_t report_earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* report_dropped() - records the traced processes produced that never
 * arrived, summed over every process image. */
uint64_t report_dropped(const report *rp);

/* report_dropped_requests() - of report_dropped(), the requests: the
 * requests the traced processes made whose records never arrived (0 from
 * a library too old to tell them apart). */
uint64_t report_dropped_requests(const report *rp);

/*
 * report_dropped_text() - what the traced processes dropped, in words, into
 * @buf (capacity @cap, NUL-terminated): "20 requests and 39 other records"
 * (the others: connection closes and failures, DNS lookups, WebSocket
 * sessions, notes).  Returns the length written.
 */
size_t report_dropped_text(const report *rp, char *buf, size_t cap);

/* report_connections() - distinct connections that carried requests, the
 * TLS connections not decoded (which carried some we could not see), and
 * the client connections closed with no request (stats.conns_no_request:
 * the program, or the peer, closed them before any; not errors). */
uint64_t report_connections(const report *rp);

/*
 * report_undecoded_names() - the programs that made TLS connections not
 * decoded, ", "-separated ("java, app"), into @buf (capacity @cap > 0,
 * NUL-terminated, cut to fit); "" when none is known.  Returns the length.
 */
size_t report_undecoded_names(const report *rp, char *buf, size_t cap);

/*
 * report_hosts_sorted() - pointers to the host stats (at most
 * REPORT_MAX_HOSTS; the rest are in rp->stats.other_hosts), sorted by
 * name.  Returns a malloc'd array of *@n entries that the caller frees
 * (not the entries), or NULL when there are none or memory ran out.
 */
report_host_stat **report_hosts_sorted(report *rp, size_t *n);

#endif
