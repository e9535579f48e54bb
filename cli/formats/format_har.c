/*
 * format_har.c - the "har" format: one HAR 1.2 document (HTTP Archive, as
 * browser developer tools export it) written at the end.
 *
 * A HAR file is a single JSON object whose entries are sorted by start
 * time, so nothing can be written before the last record: every request
 * record is copied into an entry kept in memory (the record's strings are
 * only valid during the call) and the document is written by the summary
 * op, from report_finish().  Memory grows with the number of requests.
 *
 * Mapping (see README.md and httptrace(1)):
 *   startedDateTime   the request's start (report_timing.start), ISO 8601
 *                     UTC with milliseconds
 *   timings           report_timing_har(): blocked the time before the
 *                     request's first byte that is not dns, connect or
 *                     ssl (the client's own work between them, as a
 *                     browser's "stalled"), -1 on a reused connection;
 *                     dns, connect, ssl -1 on a reused connection;
 *                     connect includes ssl, as HAR 1.2 says; send, wait,
 *                     receive never -1: laid end to end, a phase whose
 *                     end was not seen (a request cut short) runs to the
 *                     next end seen, the ones it swallowed 0
 *   time              the request's duration as every other format gives
 *                     it (json's total_ms), and the sum of the timings
 *                     that are not -1 (ssl is inside connect), as HAR 1.2
 *                     says: each is a difference of moments rounded to
 *                     the microsecond, so the numbers written add up
 *   connection        "PID:CONN", one per connection, so reuse is visible
 *   queryString       the URL's query split at '&' and the first '=', not
 *                     percent-decoded (exactly as in the URL)
 *   _error            the reason, for a request that did not complete
 * Failed connects have no request, so they are not entries: they are
 * listed in the custom log member "_connectErrors".
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "headers.h"
#include "json.h"
#include "report.h"

/* Write ,"key": -- @key is a literal without quotes. */
#define KEY(f, key) json_lit((f), ",\"" key "\":")

/* One request, copied out of its record. */
typedef struct har_entry {
	uint64_t seq;      /* arrival order: ties in start time keep it */
	int64_t start_ns;  /* Unix ns */
	report_har_timing t;
	uint32_t pid, conn_id, flags;
	uint16_t status;
	uint8_t proto, resp_proto, error;
	char grpc_error[REPORT_ERROR_MAX]; /* a gRPC status not OK, else "" */
	uint64_t req_body_bytes, resp_body_bytes;
	uint32_t req_header_bytes, resp_header_bytes;
	char ip[INET6_ADDRSTRLEN]; /* "" when unknown */
	/* Into blob, which the entry owns. */
	ht_str method, reason, content_type, req_headers, resp_headers;
	const char *url;
	size_t url_len;
	char *blob;
} har_entry;

/* One failed connect, copied out of its record. */
typedef struct har_fail {
	uint64_t seq;
	int64_t start_ns;
	ht_rec_conn_fail f; /* dns_name points into blob */
	char *blob;
} har_fail;

typedef struct har_state {
	har_entry *entries;
	size_t n, cap;
	har_fail *fails;
	size_t n_fails, cap_fails;
	uint64_t seq;
	uint64_t lost; /* records left out: out of memory */
} har_state;

/* The format's state, created on first use; NULL when out of memory. */
static har_state *state(report *rp)
{
	if (rp->fmt_state == NULL)
		rp->fmt_state = calloc(1, sizeof(har_state));
	return rp->fmt_state;
}

/* Make room for one more element of @size in *@v (capacity *@cap). */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	p = realloc(*v, ncap * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

/* Copy @s to *@at and point @s at the copy; advance *@at. */
static void copy_str(ht_str *s, char **at)
{
	if (s->len > 0)
		memcpy(*at, s->p, s->len);
	s->p = *at;
	*at += s->len;
}

/* The earliest non-zero timestamp of @r, or 0. */
static uint64_t earliest_ts(const ht_rec_request *r)
{
	uint64_t min = 0;

	for (int i = 0; i < HT_T__COUNT; i++)
		if (r->t[i] != 0 && (min == 0 || r->t[i] < min))
			min = r->t[i];
	return min;
}

static void har_request(report *rp, const report_req *q)
{
	har_state *st = state(rp);
	const ht_rec_request *r = q->r;
	har_entry *e;
	size_t size;
	char *at;
	uint64_t start;

	/* HAR is a client's log: a server's answers are left out (the
	 * log's comment counts them) */
	if (st == NULL || (r->flags & HT_RF_SERVER))
		return;
	if (grow((void **)&st->entries, st->n, &st->cap, sizeof(*e)) < 0) {
		st->lost++;
		return;
	}
	e = &st->entries[st->n];
	memset(e, 0, sizeof(*e));
	e->method = r->method;
	e->reason = r->reason;
	e->content_type = r->content_type;
	e->req_headers = r->req_headers;
	e->resp_headers = r->resp_headers;
	size = (size_t)e->method.len + e->reason.len + e->content_type.len +
	       e->req_headers.len + e->resp_headers.len + q->url_len + 1;
	e->blob = malloc(size);
	if (e->blob == NULL) {
		st->lost++;
		return;
	}
	at = e->blob;
	copy_str(&e->method, &at);
	copy_str(&e->reason, &at);
	copy_str(&e->content_type, &at);
	copy_str(&e->req_headers, &at);
	copy_str(&e->resp_headers, &at);
	memcpy(at, q->url, q->url_len);
	at[q->url_len] = '\0';
	e->url = at;
	e->url_len = q->url_len;

	e->seq = st->seq++;
	report_timing_har(r, &e->t);
	start = q->t.start != 0 ? q->t.start : earliest_ts(r);
	e->start_ns = start != 0 ? report_unix_ns(rp, start) : 0;
	e->pid = r->pid;
	e->conn_id = r->conn_id;
	e->flags = r->flags;
	e->status = r->status;
	e->proto = r->proto;
	e->resp_proto = r->resp_proto != 0 ? r->resp_proto : r->proto;
	e->error = r->error;
	e->grpc_error[0] = '\0';
	if (r->error == HT_ERR_NONE && q->error != NULL)
		snprintf(e->grpc_error, sizeof(e->grpc_error), "%s", q->error);
	e->req_body_bytes = r->req_body_bytes;
	e->resp_body_bytes = r->resp_body_bytes;
	e->req_header_bytes = r->req_header_bytes;
	e->resp_header_bytes = r->resp_header_bytes;
	url_ip(e->ip, sizeof(e->ip), &r->peer);
	st->n++;
}

static void har_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	har_state *st = state(rp);
	har_fail *h;
	uint64_t start;
	char *at;

	/* a lookup cut short tried no connection: HAR has no entry for a
	 * lookup alone (docs/usage.md says what HAR leaves out) */
	if (report_fail_lookup(c))
		return;
	if (st == NULL)
		return;
	if (grow((void **)&st->fails, st->n_fails, &st->cap_fails,
		 sizeof(*h)) < 0) {
		st->lost++;
		return;
	}
	h = &st->fails[st->n_fails];
	h->f = *c;
	h->blob = malloc((size_t)c->dns_name.len + 1);
	if (h->blob == NULL) {
		st->lost++;
		return;
	}
	at = h->blob;
	copy_str(&h->f.dns_name, &at);
	h->seq = st->seq++;
	start = c->t_dns_start ? c->t_dns_start :
		c->t_connect_start ? c->t_connect_start : c->t_fail;
	h->start_ns = start != 0 ? report_unix_ns(rp, start) : 0;
	st->n_fails++;
}

static void har_conn_close(report *rp, const ht_rec_conn_close *c)
{
	/* HAR has no place for connection closes. */
}

/* ---- writing ------------------------------------------------------------ */

/* "2026-11-26T09:05:47.123Z" for the Unix time @ns (UTC, milliseconds). */
static void put_date(outbuf *f, int64_t ns)
{
	int64_t ms = ns / 1000000;
	char buf[64];
	struct tm tm;
	time_t secs;
	size_t n;
	int frac;

	if (ns % 1000000 < 0)
		ms--; /* floor, for a (bogus) time before 1970 */
	secs = (time_t)(ms / 1000);
	frac = (int)(ms % 1000);
	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	if (gmtime_r(&secs, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = strftime(buf, sizeof(buf) - 6, "%Y-%m-%dT%H:%M:%S", &tm);
	buf[n++] = '.';
	buf[n++] = (char)('0' + frac / 100);
	buf[n++] = (char)('0' + frac / 10 % 10);
	buf[n++] = (char)('0' + frac % 10);
	buf[n++] = 'Z';
	json_str(f, buf, n);
}

/* Milliseconds with three decimals from @us, or -1.  Written digit by
 * digit: us * 1000 (for json_ns_ms()) overflows for a bogus timestamp. */
static void put_ms(outbuf *f, int64_t us)
{
	char frac[4];

	if (us < 0) {
		json_lit(f, "-1");
		return;
	}
	json_u64(f, (uint64_t)us / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + us / 100 % 10);
	frac[2] = (char)('0' + us / 10 % 10);
	frac[3] = (char)('0' + us % 10);
	json_raw(f, frac, sizeof(frac));
}

/* HAR's httpVersion, as Chrome writes it; "" when unknown. */
static const char *http_version(unsigned proto)
{
	switch (proto) {
	case HT_PROTO_HTTP10: return "HTTP/1.0";
	case HT_PROTO_HTTP11: return "HTTP/1.1";
	case HT_PROTO_HTTP2: return "http/2.0";
	default: return "";
	}
}

/* The query of @url (after '?', before '#') as [{"name","value"}...]. */
static void put_query(outbuf *f, const char *url, size_t len)
{
	const char *q = memchr(url, '?', len);
	const char *end = url + len;
	bool first = true;

	json_lit(f, "[");
	if (q != NULL) {
		const char *hash = memchr(q, '#', (size_t)(end - q));

		if (hash != NULL)
			end = hash;
		q++;
	}
	while (q != NULL && q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp != NULL ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));

		if (stop > q) {
			const char *name_end = eq != NULL ? eq : stop;

			json_lit(f, first ? "{\"name\":" : ",{\"name\":");
			json_str(f, q, (size_t)(name_end - q));
			json_lit(f, ",\"value\":");
			if (eq != NULL)
				json_str(f, eq + 1, (size_t)(stop - eq - 1));
			else
				json_lit(f, "\"\"");
			json_lit(f, "}");
			first = false;
		}
		q = amp != NULL ? amp + 1 : NULL;
	}
	json_lit(f, "]");
}

/* A header byte count, or -1 when unknown (0). */
static void put_size(outbuf *f, uint64_t n)
{
	if (n == 0)
		json_lit(f, "-1");
	else
		json_u64(f, n);
}

/* "PID:CONN". */
static void put_connection(outbuf *f, uint32_t pid, uint32_t conn)
{
	json_lit(f, "\"");
	json_u64(f, pid);
	json_lit(f, ":");
	json_u64(f, conn);
	json_lit(f, "\"");
}

static void put_entry(outbuf *f, const har_entry *e)
{
	const report_har_timing *t = &e->t;
	bool answered = e->status != 0;
	ht_str location;

	json_lit(f, "{\"startedDateTime\":");
	put_date(f, e->start_ns);
	KEY(f, "time");
	put_ms(f, t->time);

	json_lit(f, ",\"request\":{\"method\":");
	json_str(f, e->method.p, e->method.len);
	KEY(f, "url");
	json_str(f, e->url, e->url_len);
	KEY(f, "httpVersion");
	json_strz(f, http_version(e->proto));
	json_lit(f, ",\"cookies\":[]");
	KEY(f, "headers");
	headers_json(f, e->req_headers);
	KEY(f, "queryString");
	put_query(f, e->url, e->url_len);
	KEY(f, "headersSize");
	put_size(f, e->req_header_bytes);
	KEY(f, "bodySize");
	if (e->flags & HT_RF_REQ_BODY_UNKNOWN)
		json_lit(f, "-1"); /* not known (HAR's -1) */
	else
		json_u64(f, e->req_body_bytes);

	json_lit(f, "},\"response\":{\"status\":");
	json_u64(f, e->status);
	KEY(f, "statusText");
	if (answered)
		json_str(f, e->reason.p, e->reason.len);
	else
		json_lit(f, "\"\"");
	KEY(f, "httpVersion");
	json_strz(f, answered ? http_version(e->resp_proto) : "");
	json_lit(f, ",\"cookies\":[]");
	KEY(f, "headers");
	headers_json(f, e->resp_headers);
	json_lit(f, ",\"content\":{\"size\":");
	json_u64(f, e->resp_body_bytes);
	KEY(f, "mimeType");
	if (e->content_type.len > 0)
		json_str(f, e->content_type.p, e->content_type.len);
	else
		json_lit(f, "\"x-unknown\"");
	json_lit(f, "}");
	KEY(f, "redirectURL");
	if (headers_find(e->resp_headers, "location", &location))
		json_str(f, location.p, location.len);
	else
		json_lit(f, "\"\"");
	KEY(f, "headersSize");
	if (answered)
		put_size(f, e->resp_header_bytes);
	else
		json_lit(f, "-1");
	KEY(f, "bodySize");
	if (answered)
		json_u64(f, e->resp_body_bytes);
	else
		json_lit(f, "-1");

	json_lit(f, "},\"cache\":{},\"timings\":{\"blocked\":");
	put_ms(f, t->blocked);
	KEY(f, "dns");
	put_ms(f, t->dns);
	KEY(f, "connect");
	put_ms(f, t->connect);
	KEY(f, "ssl");
	put_ms(f, t->ssl);
	KEY(f, "send");
	put_ms(f, t->send);
	KEY(f, "wait");
	put_ms(f, t->wait);
	KEY(f, "receive");
	put_ms(f, t->receive);
	json_lit(f, "}");
	if (e->ip[0] != '\0') {
		KEY(f, "serverIPAddress");
		json_strz(f, e->ip);
	}
	KEY(f, "connection");
	put_connection(f, e->pid, e->conn_id);
	if (e->flags & (HT_RF_HDR_TRUNC | HT_RF_TARGET_TRUNC)) {
		KEY(f, "comment");
		json_strz(f, (e->flags & HT_RF_HDR_TRUNC) ?
			  ((e->flags & HT_RF_TARGET_TRUNC) ?
			   "headers and URL truncated" : "headers truncated") :
			  "URL truncated");
	}
	if (e->error != HT_ERR_NONE) {
		KEY(f, "_error");
		json_strz(f, ht_error_str(e->error));
	} else if (e->grpc_error[0] != '\0') {
		KEY(f, "_error");
		json_strz(f, e->grpc_error);
	}
	json_lit(f, "}");
}

/* end - start in microseconds when both happened, else -1. */
static int64_t span_us(uint64_t start, uint64_t end)
{
	if (start == 0 || end == 0 || end < start)
		return -1;
	return (int64_t)((end - start + 500) / 1000);
}

static void put_fail(report *rp, outbuf *f, const har_fail *h)
{
	const ht_rec_conn_fail *c = &h->f;
	bool tls = c->flags & HT_FF_TLS;
	char ip[INET6_ADDRSTRLEN];
	int64_t connect, ssl = -1;

	json_lit(f, "{\"startedDateTime\":");
	put_date(f, h->start_ns);
	KEY(f, "host");
	if (c->dns_name.len > 0)
		json_str(f, c->dns_name.p, c->dns_name.len);
	else
		json_lit(f, "null");
	KEY(f, "serverIPAddress");
	json_str_or_null(f, ip, url_ip(ip, sizeof(ip), &c->peer));
	KEY(f, "port");
	if (c->peer.family != 0)
		json_u64(f, c->peer.port);
	else
		json_lit(f, "null");
	KEY(f, "connection");
	put_connection(f, c->pid, c->conn_id);
	KEY(f, "error");
	json_strz(f, report_fail_error(rp, c));
	connect = span_us(c->t_connect_start, tls ? c->t_connect_done : c->t_fail);
	if (tls) {
		uint64_t from = c->t_connect_done ? c->t_connect_done : c->t_tls_start;

		ssl = span_us(from, c->t_fail);
		if (ssl >= 0)
			connect = connect >= 0 ? connect + ssl : ssl;
	}
	json_lit(f, ",\"timings\":{\"dns\":");
	put_ms(f, span_us(c->t_dns_start, c->t_dns_done));
	KEY(f, "connect");
	put_ms(f, connect);
	KEY(f, "ssl");
	put_ms(f, ssl);
	json_lit(f, "}}");
}

static int cmp_entry(const void *a, const void *b)
{
	const har_entry *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_fail(const void *a, const void *b)
{
	const har_fail *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The log's comment: what is missing from it, if anything: records lost,
 * TLS connections no hook decoded, WebSocket sessions (not entries: HAR
 * is requests; a session's upgrade request, answered 101, is one), and
 * the requests traced servers answered (HAR has no server side). */
static void put_log_comment(report *rp, const har_state *st)
{
	outbuf *f = &rp->ob;
	uint64_t dropped = report_dropped(rp);
	uint64_t lost = st != NULL ? st->lost : 0;
	uint64_t undecoded = rp->stats.tls_undecoded;
	uint64_t ws = rp->stats.ws_sessions;
	uint64_t served = rp->stats.server_requests;
	char text[1024], names[256];
	size_t o = 0;
	bool any = false;

	uint64_t refused = rp->stats.refused;

	if (dropped == 0 && rp->stats.malformed == 0 && lost == 0 &&
	    refused == 0 && undecoded == 0 && ws == 0 && served == 0)
		return;
	text[0] = '\0';
	if (dropped > 0 || rp->stats.malformed > 0 || lost > 0 || refused > 0)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "incomplete:");
	if (dropped > 0) {
		char what[96];

		report_dropped_text(rp, what, sizeof(what));
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      " %s dropped by traced processes", what);
		any = true;
	}
	if (rp->stats.malformed > 0) {
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s%llu malformed records", any ? "; " : " ",
				      (unsigned long long)rp->stats.malformed);
		any = true;
	}
	if (lost > 0) {
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s%llu records left out (out of memory)",
				      any ? "; " : " ", (unsigned long long)lost);
		any = true;
	}
	if (refused > 0) {
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s%llu process%s refused by the collector (never seen)",
				      any ? "; " : " ", (unsigned long long)refused,
				      refused == 1 ? "" : "es");
		any = true;
	}
	if (undecoded > 0) {
		report_undecoded_names(rp, names, sizeof(names));
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s%llu TLS connection%s not decoded (unknown TLS library)%s%s",
				      any ? "; " : "", (unsigned long long)undecoded,
				      undecoded == 1 ? "" : "s", names[0] ? ": " : "", names);
		any = true;
	}
	if (ws > 0 && o < sizeof(text)) {
		int k = snprintf(text + o, sizeof(text) - o,
			 "%s%llu WebSocket session%s not in HAR, which has no "
			 "place for them (-f json shows them)",
			 any ? "; " : "", (unsigned long long)ws,
			 ws == 1 ? "" : "s");
		if (k > 0)
			o += (size_t)k;
		any = true;
	}
	if (served > 0 && o < sizeof(text))
		snprintf(text + o, sizeof(text) - o,
			 "%s%llu request%s answered by traced servers left out "
			 "(HAR has no server side: see -f json)",
			 any ? "; " : "", (unsigned long long)served,
			 served == 1 ? "" : "s");
	json_lit(f, ",\"comment\":");
	json_strz(f, text);
}

static void har_summary(report *rp)
{
	outbuf *f = &rp->ob;
	har_state *st = rp->fmt_state;

	json_lit(f, "{\"log\":{\"version\":\"1.2\","
		    "\"creator\":{\"name\":\"httptrace\",\"version\":");
	json_strz(f, HTTPTRACE_VERSION);
	json_lit(f, "}");
	put_log_comment(rp, st);
	json_lit(f, ",\"entries\":[");
	if (st != NULL && st->n > 0) {
		qsort(st->entries, st->n, sizeof(*st->entries), cmp_entry);
		for (size_t i = 0; i < st->n; i++) {
			json_lit(f, i ? ",\n" : "\n");
			put_entry(f, &st->entries[i]);
		}
		json_lit(f, "\n");
	}
	json_lit(f, "]");
	if (st != NULL && st->n_fails > 0) {
		qsort(st->fails, st->n_fails, sizeof(*st->fails), cmp_fail);
		json_lit(f, ",\"_connectErrors\":[");
		for (size_t i = 0; i < st->n_fails; i++) {
			json_lit(f, i ? ",\n" : "\n");
			put_fail(rp, f, &st->fails[i]);
		}
		json_lit(f, "\n]");
	}
	json_lit(f, "}}\n");
}

static void har_free(report *rp)
{
	har_state *st = rp->fmt_state;

	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->entries[i].blob);
	for (size_t i = 0; i < st->n_fails; i++)
		free(st->fails[i].blob);
	free(st->entries);
	free(st->fails);
	free(st);
	rp->fmt_state = NULL;
}

const report_format_ops report_har_ops = {
	.request = har_request,
	.conn_fail = har_conn_fail,
	.conn_close = har_conn_close,
	.summary = har_summary,
	.free = har_free,
};
