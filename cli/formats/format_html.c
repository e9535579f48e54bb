/*
 * format_html.c - the "html" format: one self-contained page with a
 * waterfall of every request, written at the end (like HAR).
 *
 * The page needs nothing from the network: CSS and JavaScript are inline,
 * fonts are the system's, and a Content-Security-Policy (default-src
 * 'none', scripts and styles only with this page's random nonce) forbids
 * any fetch and any script an injection might have slipped in.
 *
 * What is kept until the end: each request (and each failed connect) is
 * written as a compact JSON object into a memory stream as it arrives --
 * the record's strings are only valid during the call, and JSON is both
 * the copy and the final form.  At the end the page is written: a summary
 * in HTML (counts, p50/p95 per host), the controls and legend, the records
 * as <script type="application/json"> (see format_html.h for the escaping),
 * and the script that draws the bars from them when the page loads.
 *
 * A record's object:
 *   {"k":"req"|"fail", "pid", "conn", "req", "reused", "idle" (ms|null),
 *    "method", "url", "host", "peer", "proto", "tls", "tls_version",
 *    "alpn", "status" (|null), "status_text", "error" (|null),
 *    "req_bytes", "resp_bytes", "req_header_bytes", "resp_header_bytes",
 *    "content_type", "start" (Unix seconds|null), "total" (ms|null),
 *    "ph": [[phase, offset ms from start, duration ms], ...]}
 * where phase is dns, connect, tls, send, wait or receive, only those that
 * happened, each placed at its own time (end timestamp - duration), so the
 * bar shows gaps where the client did something else.  A gRPC call whose
 * status is not OK has "error": "grpc NAME: its grpc-message".  A traced
 * server's request (HT_RF_SERVER) has "side": "server" after "k" (a
 * client's has no "side") and its own phases (wire.h): accept (to the
 * client's first bytes), tls, read (the request), processing, write (the
 * response); its req_bytes were read, its resp_bytes written.
 *
 * WebSocket sessions are not bars: each is a row of a table under the
 * summary (url, process and connection, duration, messages and bytes
 * each way, compressed messages, pings, the close, how it ended), kept as
 * HTML in a second memory stream until the end.
 */
#include "format_html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "format_json.h"
#include "grpc.h"
#include "json.h"
#include "utf8.h"
#include "report.h"

/* Write ,"key": -- @key is a literal without quotes. */
#define KEY(f, key) json_lit((f), ",\"" key "\":")

typedef struct html_state {
	FILE *mem;       /* the records' JSON objects, comma-separated */
	outbuf ob;       /* over mem: what the JSON writers write to */
	char *buf;       /* open_memstream()'s buffer */
	size_t len;
	uint64_t n;      /* objects written */
	uint64_t lost;   /* records left out: no memory stream */
	FILE *ws_mem;    /* the WebSocket sessions' table rows, as HTML */
	char *ws_buf;
	size_t ws_len;
	uint64_t ws_n;   /* rows written */
} html_state;

/* ---- escaping ----------------------------------------------------------- */

void html_text(FILE *f, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;

		switch (c) {
		case '&': fputs_unlocked("&amp;", f); i++; continue;
		case '<': fputs_unlocked("&lt;", f); i++; continue;
		case '>': fputs_unlocked("&gt;", f); i++; continue;
		case '"': fputs_unlocked("&quot;", f); i++; continue;
		case '\'': fputs_unlocked("&#39;", f); i++; continue;
		default: break;
		}
		if (c >= 0x20 && c < 0x7F) {
			putc_unlocked(c, f);
			i++;
			continue;
		}
		len = c >= 0x80 ? utf8_len_no_c1(s + i, n - i) : 0;
		if (len > 0) {
			fwrite_unlocked(s + i, 1, len, f);
			i += len;
			continue;
		}
		{
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			fwrite_unlocked(e, 1, sizeof(e), f);
		}
		i++;
	}
}

void html_script_json(FILE *f, const char *s, size_t n)
{
	size_t run = 0; /* start of the bytes not yet written */

	for (size_t i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '<': esc = "\\u003c"; break;
		case '>': esc = "\\u003e"; break;
		case '&': esc = "\\u0026"; break;
		default: continue;
		}
		fwrite_unlocked(s + run, 1, i - run, f);
		fputs_unlocked(esc, f);
		run = i + 1;
	}
	fwrite_unlocked(s + run, 1, n - run, f);
}

/* ---- collecting records ------------------------------------------------- */

/* The format's state, created on first use; NULL when out of memory. */
static html_state *state(report *rp)
{
	html_state *st = rp->fmt_state;

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->mem = open_memstream(&st->buf, &st->len);
	if (st->mem != NULL)
		outbuf_init(&st->ob, st->mem);
	rp->fmt_state = st;
	return st;
}

/* The stream for the next record's object, after its separator; NULL when
 * there is none (the record is counted as lost). */
static outbuf *begin_record(report *rp)
{
	html_state *st = state(rp);

	if (st == NULL)
		return NULL;
	if (st->mem == NULL) {
		st->lost++;
		return NULL;
	}
	json_lit(&st->ob, st->n++ ? ",\n{" : "\n{");
	return &st->ob;
}

/* Open "ph":[ ... : each phase written by put_phase(). */
typedef struct phases {
	outbuf *f;
	uint64_t start; /* monotonic ns the bar starts at */
	bool any;
} phases;

/* One [name, offset ms, duration ms] for a phase of @dur ns that ended at
 * monotonic @end; nothing when it did not happen (or the clock is bogus). */
static void put_phase(phases *p, const char *name, uint64_t end, int64_t dur)
{
	int64_t off;

	if (dur == REPORT_NONE || dur < 0 || end == 0 || p->start == 0)
		return;
	off = (int64_t)(end - p->start) - dur;
	if (off < 0)
		off = 0;
	json_lit(p->f, p->any ? ",[\"" : "[\"");
	json_lit(p->f, name);
	json_lit(p->f, "\",");
	json_ns_ms(p->f, off);
	json_lit(p->f, ",");
	json_ns_ms(p->f, dur);
	json_lit(p->f, "]");
	p->any = true;
}

/* @v, or null when @unknown (a status no answer gave, a size the tracer
 * did not see). */
static void put_u64_or_null(outbuf *f, bool unknown, uint64_t v)
{
	if (unknown)
		json_lit(f, "null");
	else
		json_u64(f, v);
}

/* The earliest non-zero timestamp of @r, or 0. */
static uint64_t earliest_ts(const ht_rec_request *r)
{
	uint64_t min = 0;

	for (int i = 0; i < HT_T__COUNT; i++)
		min = report_earliest(min, r->t[i]);
	return min;
}

static void html_request(report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	const report_timing *t = &q->t;
	const uint64_t *ts = r->t;
	bool server = r->flags & HT_RF_SERVER;
	outbuf *f = begin_record(rp);
	uint64_t start = t->start != 0 ? t->start : earliest_ts(r);
	phases ph = { .start = start };

	if (f == NULL)
		return;
	/* "side" only on a server's, so a client's object is as it was */
	json_lit(f, server ? "\"k\":\"req\",\"side\":\"server\",\"pid\":" :
			     "\"k\":\"req\",\"pid\":");
	json_u64(f, r->pid);
	KEY(f, "conn");
	json_u64(f, r->conn_id);
	KEY(f, "req");
	json_u64(f, r->req_seq);
	KEY(f, "reused");
	json_bool(f, r->flags & HT_RF_REUSED);
	KEY(f, "idle");
	json_ns_ms(f, t->idle != REPORT_NONE && t->idle < 0 ? REPORT_NONE : t->idle);
	KEY(f, "method");
	put_ht_str_or_null(f, r->method);
	KEY(f, "url");
	json_str(f, q->url, q->url_len);
	KEY(f, "host");
	json_str(f, q->host, q->host_len);
	KEY(f, "peer");
	json_str(f, q->peer, q->peer_len);
	KEY(f, "proto");
	json_strz(f, q->proto);
	KEY(f, "tls");
	json_bool(f, r->flags & HT_RF_TLS);
	KEY(f, "tls_version");
	put_ht_str_or_null(f, r->tls_version);
	KEY(f, "alpn");
	put_ht_str_or_null(f, r->alpn);
	KEY(f, "status");
	put_u64_or_null(f, r->status == 0, r->status);
	KEY(f, "status_text");
	put_ht_str_or_null(f, r->reason);
	KEY(f, "error");
	if (r->error == HT_ERR_NONE && ht_grpc_failed(r) &&
	    r->grpc.message.len > 0) {
		/* what the server said of its status, as text shows it */
		char err[REPORT_ERROR_MAX + 2 + GRPC_MESSAGE_MAX];
		int n = snprintf(err, sizeof(err), "%s: %.*s", q->error,
				 (int)r->grpc.message.len, r->grpc.message.p);

		json_str(f, err, n < 0 ? 0 : (size_t)n < sizeof(err) ?
			 (size_t)n : sizeof(err) - 1);
	} else {
		json_strz(f, q->error);
	}
	KEY(f, "req_bytes");
	put_u64_or_null(f, r->flags & HT_RF_REQ_BODY_UNKNOWN,
			r->req_body_bytes);
	KEY(f, "resp_bytes");
	put_u64_or_null(f, r->flags & HT_RF_RESP_BODY_UNKNOWN,
			r->resp_body_bytes);
	KEY_U64(f, "req_header_bytes", r->req_header_bytes);
	KEY(f, "resp_header_bytes");
	put_u64_or_null(f, r->flags & HT_RF_RESP_HDR_UNKNOWN,
			r->resp_header_bytes);
	KEY(f, "content_type");
	put_ht_str_or_null(f, r->content_type);
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, start));
	KEY(f, "total");
	json_ns_ms(f, t->total != REPORT_NONE && t->total < 0 ? REPORT_NONE : t->total);
	json_lit(f, ",\"ph\":[");
	ph.f = f;
	/* send (a server's read) ends when the request was all written, or
	 * at the cut when it was cut while sending after a 1xx (its send
	 * set, report_timing_compute(), with no WROTE_REQUEST) */
	uint64_t send_end = ts[HT_T_WROTE_REQUEST] != 0 ?
			    ts[HT_T_WROTE_REQUEST] : ts[HT_T_RESPONSE_DONE];
	if (server) {
		/* its own phases (wire.h); the accept phase ends at the
		 * client's first bytes, as report_timing_compute() counts it */
		put_phase(&ph, "accept", ts[HT_T_CONNECT_DONE] == 0 ||
			  t->connect == REPORT_NONE ? 0 :
			  ts[HT_T_CONNECT_DONE] + (uint64_t)t->connect,
			  t->connect);
		put_phase(&ph, "tls", ts[HT_T_TLS_DONE], t->tls);
		put_phase(&ph, "read", send_end, t->send);
		put_phase(&ph, "processing", ts[HT_T_FIRST_BYTE], t->wait);
		put_phase(&ph, "write", ts[HT_T_RESPONSE_DONE], t->receive);
	} else {
		put_phase(&ph, "dns", ts[HT_T_DNS_DONE], t->dns);
		put_phase(&ph, "connect", ts[HT_T_CONNECT_DONE], t->connect);
		put_phase(&ph, "tls", ts[HT_T_TLS_DONE], t->tls);
		put_phase(&ph, "send", send_end, t->send);
		put_phase(&ph, "wait", ts[HT_T_FIRST_BYTE], t->wait);
		put_phase(&ph, "receive", ts[HT_T_RESPONSE_DONE], t->receive);
	}
	json_lit(f, "]}");
}

/* A name lookup that did not resolve: a row of its own, not a connection
 * ({"k":"dns", "pid", "lookup" (its number), "host" (the name), "error"
 * (what ended it: "interrupted (SIGINT)", or the resolver's words),
 * "start", "total", "ph": its dns phase}) from @t0 to @t1. */
static void html_lookup_row(report *rp, uint32_t pid, uint32_t lookup,
			    ht_str name, const char *error, const char *sig,
			    uint64_t t0, uint64_t t1)
{
	outbuf *f = begin_record(rp);
	phases ph = { .start = t0 };
	int64_t d = report_span(t0, t1);

	if (f == NULL)
		return;
	json_lit(f, "\"k\":\"dns\",\"pid\":");
	json_u64(f, pid);
	KEY(f, "lookup");
	json_u64(f, lookup);
	KEY(f, "host");
	json_str(f, name.p, name.len);
	KEY(f, "error");
	if (sig != NULL) {
		char e[96];

		snprintf(e, sizeof(e), "%s (%s)", error, sig);
		json_strz(f, e);
	} else {
		json_strz(f, error);
	}
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, t0));
	KEY(f, "total");
	json_ns_ms(f, d);
	json_lit(f, ",\"ph\":[");
	ph.f = f;
	put_phase(&ph, "dns", t1, d);
	json_lit(f, "]}");
}

/* A lookup that failed (HT_REC_DNS, err not 0): its row; a resolved
 * one's times are its connection's. */
static void html_dns(report *rp, const ht_rec_dns *d)
{
	char err[160];

	if (d->err != 0)
		html_lookup_row(rp, d->pid, d->lookup, d->name,
				report_dns_error(d, err, sizeof(err)), NULL,
				d->t_start, d->t_done);
}

static void html_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f;
	bool tls = c->flags & HT_FF_TLS;
	uint64_t start = report_earliest(
		report_earliest(c->t_dns_start, c->t_connect_start),
		report_earliest(c->t_tls_start, c->t_fail));
	uint64_t connect_end = tls ? c->t_connect_done : c->t_fail;
	phases ph = { .start = start };
	char peer[192], ip[64];

	if (report_fail_lookup(c)) {
		/* cut short by its process's end: no connection was tried */
		html_lookup_row(rp, c->pid, c->conn_id, c->dns_name,
				report_fail_error(rp, c),
				report_signal_name(rp, c->signal),
				c->t_dns_start, c->t_fail);
		return;
	}
	f = begin_record(rp);
	if (f == NULL)
		return;
	json_lit(f, "\"k\":\"fail\",\"pid\":");
	json_u64(f, c->pid);
	KEY(f, "conn");
	json_u64(f, c->conn_id);
	KEY(f, "host");
	if (c->dns_name.len > 0)
		json_str(f, c->dns_name.p, c->dns_name.len);
	else
		json_str(f, ip, url_ip(ip, sizeof(ip), &c->peer));
	KEY(f, "peer");
	json_str(f, peer, url_peer(peer, sizeof(peer), &c->peer));
	KEY(f, "tls");
	json_bool(f, tls);
	KEY(f, "error");
	json_strz(f, report_fail_error(rp, c));
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, start));
	KEY(f, "total");
	json_ns_ms(f, c->t_fail >= start ? report_span(start, c->t_fail) : REPORT_NONE);
	json_lit(f, ",\"ph\":[");
	ph.f = f;
	put_phase(&ph, "dns", c->t_dns_done, report_span(c->t_dns_start, c->t_dns_done));
	put_phase(&ph, "connect", connect_end,
		  report_span(c->t_connect_start, connect_end));
	if (tls)
		put_phase(&ph, "tls", c->t_fail,
			  report_span(report_earliest(c->t_connect_done, c->t_tls_start),
			       c->t_fail));
	json_lit(f, "]}");
}

static void html_conn_close(report *rp, const ht_rec_conn_close *c)
{
	/* Closes are not drawn: a connection's bars end with its last
	 * response. */
}

/* A count in decimal, to @f. */
static void put_u64(FILE *f, uint64_t v)
{
	char buf[JSON_U64_MAX_LEN];

	fwrite_unlocked(buf, 1, (size_t)(json_fmt_u64(buf, v) - buf), f);
}

/* A duration as "1.250 ms", or "-" when absent. */
static void put_ms(FILE *f, int64_t ns)
{
	char buf[JSON_NS_MAX_LEN];

	if (ns == REPORT_NONE || ns < 0) {
		fputs_unlocked("-", f);
		return;
	}
	fwrite_unlocked(buf, 1, (size_t)(json_fmt_ns_ms(buf, ns) - buf), f);
	fputs_unlocked(" ms", f);
}

/* One direction's cells: messages (text, binary) and payload bytes. */
static void put_ws_dir_cells(FILE *f, const ht_ws_dir *d)
{
	fputs_unlocked("<td>", f);
	put_u64(f, d->messages);
	fputs_unlocked(" (", f);
	put_u64(f, d->text);
	fputs_unlocked(" text, ", f);
	put_u64(f, d->binary);
	fputs_unlocked(" binary)</td><td>", f);
	put_u64(f, d->bytes);
	fputs_unlocked("</td>", f);
}

/* A WebSocket session: one row of the sessions' table (see the top). */
static void html_websocket(report *rp, const report_ws *s)
{
	html_state *st = state(rp);
	const ht_rec_ws *w = s->w;
	const ht_ws_rtt *rtt = &w->rtt[0];
	FILE *f;

	if (st == NULL)
		return;
	if (st->ws_mem == NULL)
		st->ws_mem = open_memstream(&st->ws_buf, &st->ws_len);
	if (st->ws_mem == NULL) {
		st->lost++;
		return;
	}
	f = st->ws_mem;
	st->ws_n++;
	fputs_unlocked("<tr><td>", f);
	html_text(f, s->url, s->url_len);
	fputs_unlocked("</td><td>", f);
	put_u64(f, w->pid);
	fputs_unlocked(" / ", f);
	put_u64(f, w->conn_id);
	fputs_unlocked("</td><td>", f);
	put_ms(f, s->duration);
	fputs_unlocked("</td>", f);
	put_ws_dir_cells(f, &w->dir[0]);
	put_ws_dir_cells(f, &w->dir[1]);
	fputs_unlocked("<td>", f);
	put_u64(f, w->dir[0].compressed);
	fputs_unlocked(" / ", f);
	put_u64(f, w->dir[1].compressed);
	fputs_unlocked("</td><td>", f);
	put_u64(f, w->dir[0].pings);
	fputs_unlocked(" / ", f);
	put_u64(f, w->dir[1].pings);
	fputs_unlocked("</td><td>", f);
	put_ms(f, rtt->n > 0 ? (int64_t)(rtt->sum / rtt->n) : REPORT_NONE);
	fputs_unlocked("</td><td>", f);
	if (s->closed_by != NULL) {
		/* the close frame of the side that closed first */
		const ht_ws_dir *d = &w->dir[(w->flags & HT_WF_CLOSED_SENT) ? 0 : 1];

		fputs_unlocked("by ", f);
		fputs_unlocked(s->closed_by, f);
		if (d->close_code != 0) {
			fputs_unlocked(" ", f);
			put_u64(f, d->close_code);
		}
		if (d->close_reason.len > 0) {
			fputs_unlocked(" ", f);
			html_text(f, d->close_reason.p, d->close_reason.len);
		}
	} else {
		fputs_unlocked("-", f);
	}
	fputs_unlocked("</td><td>", f);
	fputs_unlocked(ws_end_word(w->flags), f);
	fputs_unlocked("</td></tr>\n", f);
}

/* ---- the page ----------------------------------------------------------- */

/*
 * The page's style and script, real files (cli/formats/html/waterfall.css
 * and waterfall.js) that html/assets.S embeds at build time, each
 * NUL-terminated.  The script reads the records, draws a row per request
 * grouped by connection on one time axis, and redraws on a sort button.
 * Every value from a record goes into the DOM through textContent or an
 * attribute value, never as markup.
 */
extern const char html_page_css[];
extern const char html_page_js[];

/* Legend entries: class suffix and label. */
static const char *const legend[][2] = {
	{ "dns", "DNS lookup" },   { "connect", "TCP connect" },
	{ "tls", "TLS handshake" }, { "send", "request sent" },
	{ "wait", "server processing" }, { "receive", "content transfer" },
	{ "idle", "idle on a reused connection" },
};

/* A fresh nonce for the page's Content-Security-Policy: 32 hex digits. */
static void make_nonce(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* No entropy yet (early boot): unguessable enough for a
		 * local file, and a nonce is defence in depth here. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^
		    (uint64_t)ts.tv_sec << 20 ^ (uint64_t)getpid();
		for (size_t i = 0; i < sizeof(r); i++) {
			x ^= x >> 29;
			x *= 0xBF58476D1CE4E5B9ULL;
			r[i] = (unsigned char)(x >> 56);
		}
	}
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[32] = '\0';
}

/* The summary in HTML: counts, then p50/p95 per host. */
static void put_summary(report *rp, const html_state *st)
{
	FILE *f = rp->out;
	const report_stats *s = &rp->stats;
	report_host_stat **hosts;
	size_t n;

	fputs_unlocked("<p class=\"meta\" id=\"summary\">", f);
	put_u64(f, s->requests);
	fputs_unlocked(" requests, ", f);
	put_u64(f, report_connections(rp));
	fputs_unlocked(" connections, ", f);
	put_u64(f, s->reused);
	fputs_unlocked(" on a reused connection, ", f);
	put_u64(f, s->errors);
	fputs_unlocked(" errors, ", f);
	put_u64(f, s->conn_fails);
	fputs_unlocked(" failed connects, ", f);
	put_u64(f, s->req_processes);
	fputs_unlocked(" processes with requests (", f);
	put_u64(f, s->processes);
	fputs_unlocked(" traced)", f);
	if (s->tls_undecoded > 0) {
		fputs_unlocked("; ", f);
		put_u64(f, s->tls_undecoded);
		fputs_unlocked(" TLS connections not decoded (unknown TLS "
			       "library, counted in connections)", f);
	}
	if (report_dropped(rp) > 0 || s->malformed > 0 || s->refused > 0 ||
	    (st != NULL && st->lost > 0)) {
		char dropped[96];

		report_dropped_text(rp, dropped, sizeof(dropped));
		fputs_unlocked("; incomplete: ", f);
		fputs_unlocked(dropped, f);
		fputs_unlocked(" dropped by the traced processes, ", f);
		put_u64(f, s->malformed);
		fputs_unlocked(" malformed, ", f);
		put_u64(f, st != NULL ? st->lost : 0);
		fputs_unlocked(" left out (out of memory), ", f);
		put_u64(f, s->refused);
		fputs_unlocked(s->refused == 1 ? " process" : " processes", f);
		fputs_unlocked(" refused by the collector (never seen)", f);
	}
	fputs_unlocked("</p>\n", f);

	hosts = report_hosts_sorted(rp, &n);
	if (n == 0) {
		free(hosts);
		return;
	}
	fputs_unlocked("<table class=\"hosts\"><thead><tr><th>host</th>"
		       "<th>requests</th><th>errors</th><th>p50</th><th>p95</th>"
		       "</tr></thead><tbody>\n", f);
	for (size_t i = 0; i <= n; i++) {
		const report_host_stat *h = i < n ? hosts[i] : &s->other_hosts;
		/* The hosts past REPORT_MAX_HOSTS: one row. */
		const char *name = i < n ? h->name : "(other hosts)";

		if (i == n && h->requests == 0)
			break;
		fputs_unlocked("<tr><td>", f);
		html_text(f, name, strlen(name));
		fputs_unlocked("</td><td>", f);
		put_u64(f, h->requests);
		fputs_unlocked("</td><td>", f);
		put_u64(f, h->errors);
		fputs_unlocked("</td><td>", f);
		put_ms(f, report_percentile(&h->totals, 50));
		fputs_unlocked("</td><td>", f);
		put_ms(f, report_percentile(&h->totals, 95));
		fputs_unlocked("</td></tr>\n", f);
	}
	fputs_unlocked("</tbody></table>\n", f);
	free(hosts);
}

/* The WebSocket sessions' table, when there was one. */
static void put_ws_table(report *rp, html_state *st)
{
	FILE *f = rp->out;

	if (st == NULL || st->ws_mem == NULL || st->ws_n == 0 ||
	    fflush(st->ws_mem) != 0 || ferror(st->ws_mem))
		return;
	fputs_unlocked("<table class=\"hosts\" id=\"websocket\"><caption>"
		       "WebSocket sessions</caption><thead><tr><th>session</th>"
		       "<th>pid / conn</th><th>duration</th>"
		       "<th>messages sent</th><th>bytes sent</th>"
		       "<th>messages received</th><th>bytes received</th>"
		       "<th>compressed sent / received</th>"
		       "<th>pings sent / received</th><th>ping rtt</th>"
		       "<th>closed</th><th>end</th></tr></thead><tbody>\n", f);
	fwrite_unlocked(st->ws_buf, 1, st->ws_len, f);
	fputs_unlocked("</tbody></table>\n", f);
}

static void html_summary(report *rp)
{
	FILE *f = rp->out;
	html_state *st = rp->fmt_state;
	char nonce[33];

	make_nonce(nonce);
	fputs_unlocked("<!DOCTYPE html>\n<html lang=\"en\"><head>"
		       "<meta charset=\"utf-8\">\n"
		       "<meta http-equiv=\"Content-Security-Policy\" "
		       "content=\"default-src 'none'; img-src data:; "
		       "style-src 'nonce-", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("'; script-src 'nonce-", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("'\">\n<meta name=\"viewport\" "
		       "content=\"width=device-width,initial-scale=1\">\n"
		       "<meta name=\"generator\" content=\"httptrace "
		       HTTPTRACE_VERSION "\">\n"
		       "<title>httptrace waterfall</title>\n<style nonce=\"", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("\">\n", f);
	fputs_unlocked(html_page_css, f);
	fputs_unlocked("</style>\n</head>\n<body>\n<header>\n"
		       "<h1>httptrace waterfall</h1>\n", f);
	put_summary(rp, st);
	put_ws_table(rp, st);
	fputs_unlocked("</header>\n<div id=\"controls\">sort by "
		       "<button type=\"button\" data-sort=\"start\" "
		       "aria-pressed=\"true\">start time</button>"
		       "<button type=\"button\" data-sort=\"duration\" "
		       "aria-pressed=\"false\">duration</button>"
		       "<button type=\"button\" data-sort=\"host\" "
		       "aria-pressed=\"false\">host</button>"
		       "<span class=\"legend\" id=\"legend\">", f);
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++) {
		fputs_unlocked("<span><span class=\"sw sw-", f);
		fputs_unlocked(legend[i][0], f);
		fputs_unlocked("\"></span>", f);
		fputs_unlocked(legend[i][1], f);
		fputs_unlocked("</span>", f);
	}
	fputs_unlocked("</span></div>\n"
		       "<div class=\"axisrow\"><div></div>"
		       "<div class=\"axis\" id=\"axis\"></div><div></div></div>\n"
		       "<div id=\"chart\"></div>\n"
		       "<p class=\"note\" id=\"origin\"></p>\n"
		       "<noscript><p>The waterfall is drawn by the page's script; "
		       "the records are in the script element "
		       "#ht-data as JSON.</p></noscript>\n"
		       "<script type=\"application/json\" id=\"ht-data\">"
		       "{\"version\":\"" HTTPTRACE_VERSION "\",\"records\":[", f);
	if (st != NULL && st->mem != NULL && outbuf_flush(&st->ob) == 0 &&
	    fflush(st->mem) == 0 &&
	    !ferror(st->mem))
		html_script_json(f, st->buf, st->len);
	fputs_unlocked("\n]}</script>\n<script nonce=\"", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("\">\n", f);
	fputs_unlocked(html_page_js, f);
	fputs_unlocked("</script>\n</body>\n</html>\n", f);
}

static void html_free(report *rp)
{
	html_state *st = rp->fmt_state;

	if (st == NULL)
		return;
	if (st->mem != NULL) {
		outbuf_free(&st->ob);
		fclose(st->mem);
	}
	if (st->ws_mem != NULL)
		fclose(st->ws_mem);
	free(st->ws_buf);
	free(st->buf);
	free(st);
	rp->fmt_state = NULL;
}

const report_format_ops report_html_ops = {
	.request = html_request,
	.conn_fail = html_conn_fail,
	.conn_close = html_conn_close,
	.summary = html_summary,
	.free = html_free,
	.websocket = html_websocket,
	.dns = html_dns,
};
