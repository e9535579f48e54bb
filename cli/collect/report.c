/* report.c - derived values, statistics and format dispatch; see report.h. */
#include "report.h"
#include "tlsrec.h"
#include "live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grpc.h"
#include "headers.h"
#include "report_parts.h"
#include "json.h"


const char *report_error_text(const ht_rec_request *r, char *buf, size_t cap)
{
	const char *name;

	if (r->error != HT_ERR_NONE)
		return ht_error_str(r->error);
	if (!ht_grpc_failed(r))
		return NULL;
	name = grpc_status_name(r->grpc.status);
	if (name != NULL)
		snprintf(buf, cap, "grpc %s", name);
	else
		snprintf(buf, cap, "grpc %u", (unsigned)r->grpc.status);
	return buf;
}

const char *report_signal_name(report *rp, unsigned sig)
{
	const char *abbr;

	if (sig == 0)
		return NULL;
	abbr = sigabbrev_np((int)sig);
	if (abbr != NULL)
		snprintf(rp->signal, sizeof(rp->signal), "SIG%s", abbr);
	else
		snprintf(rp->signal, sizeof(rp->signal), "signal %u", sig);
	return rp->signal;
}

const char *report_tls_fail_detail(const ht_rec_conn_fail *c, char *buf,
				   size_t cap)
{
	if (!(c->flags & HT_FF_TLS) || (c->flags & HT_FF_FROM_PAGE))
		return NULL;
	if (c->flags & HT_FF_TLS_CLOSED)
		return "connection closed during the TLS handshake";
	if (!(c->flags & (HT_FF_TLS_ALERT_CLIENT | HT_FF_TLS_ALERT_SERVER)))
		return NULL;
	const char *name = tlsrec_alert_name(c->tls_alert);
	snprintf(buf, cap, "%s (%u) sent by the %s",
		 name != NULL ? name : "alert", c->tls_alert,
		 c->flags & HT_FF_TLS_ALERT_CLIENT ? "client" : "server");
	return buf;
}

const char *report_fail_error(report *rp, const ht_rec_conn_fail *c)
{
	if (c->flags & HT_FF_FROM_PAGE)
		return ht_error_str(c->error);
	if (!(c->flags & HT_FF_TLS))
		return strerror(c->err);
	const char *d = report_tls_fail_detail(c, rp->fail_detail,
					       sizeof(rp->fail_detail));
	if (d == NULL)
		return "TLS handshake failed";
	snprintf(rp->fail_error, sizeof(rp->fail_error),
		 "TLS handshake failed: %s", d);
	return rp->fail_error;
}

const char *report_dns_error(const ht_rec_dns *d, char *buf, size_t cap)
{
	const char *t;

	if (d->err == 0)
		return NULL;
	if (d->flags & HT_DNF_HOSTENT) {
		if (d->err == NETDB_INTERNAL && d->sys_errno != 0)
			return strerror(d->sys_errno);
		return hstrerror(d->err);
	}
	t = gai_strerror(d->err);
	if (d->err == EAI_SYSTEM && d->sys_errno != 0) {
		snprintf(buf, cap, "%s: %s", t, strerror(d->sys_errno));
		return buf;
	}
	return t;
}

const char *report_dns_code(const ht_rec_dns *d)
{
#define DNS_CODE(c) { c, #c }
	static const struct {
		int code;
		const char *name;
	} eai[] = {
		DNS_CODE(EAI_BADFLAGS), DNS_CODE(EAI_NONAME),
		DNS_CODE(EAI_AGAIN),    DNS_CODE(EAI_FAIL),
		DNS_CODE(EAI_FAMILY),   DNS_CODE(EAI_SOCKTYPE),
		DNS_CODE(EAI_SERVICE),  DNS_CODE(EAI_MEMORY),
		DNS_CODE(EAI_SYSTEM),   DNS_CODE(EAI_OVERFLOW),
		DNS_CODE(EAI_NODATA),   DNS_CODE(EAI_ADDRFAMILY),
	}, herr[] = {
		DNS_CODE(HOST_NOT_FOUND), DNS_CODE(TRY_AGAIN),
		DNS_CODE(NO_RECOVERY),    DNS_CODE(NO_DATA),
		DNS_CODE(NETDB_INTERNAL),
	};
#undef DNS_CODE
	bool h = d->flags & HT_DNF_HOSTENT;
	size_t n = h ? sizeof(herr) / sizeof(herr[0])
		     : sizeof(eai) / sizeof(eai[0]);

	if (d->err == 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((h ? herr : eai)[i].code == d->err)
			return (h ? herr : eai)[i].name;
	return NULL;
}

bool report_fail_lookup(const ht_rec_conn_fail *c)
{
	return (c->flags & (HT_FF_FROM_PAGE | HT_FF_LOOKUP)) ==
	       (HT_FF_FROM_PAGE | HT_FF_LOOKUP);
}

/* What ended a request its process's end cut short (wire.h: signal,
 * phase), for the formats. */
static void report_end_of(report *rp, const ht_rec_request *r, report_req *q)
{
	q->signal = NULL;
	q->phase = NULL;
	q->phase_text = NULL;
	q->no_goodbye = false;
	q->tracing_ended = false;
	if ((r->error < HT_ERR_INTERRUPTED || r->error > HT_ERR_EXITED) &&
	    r->error != HT_ERR_ENDED)
		return;
	if (r->signal != 0) {
		q->signal = report_signal_name(rp, r->signal);
	} else if ((r->error == HT_ERR_INTERRUPTED ||
		    r->error == HT_ERR_ENDED) &&
		   (r->flags & HT_RF_FROM_PAGE)) {
		/* (the process's own record of a request a signal cut, the
		 * process going on after it, has neither) */
		q->tracing_ended = r->error == HT_ERR_INTERRUPTED &&
				   (r->flags & HT_RF_TRACING_ENDED) != 0;
		q->no_goodbye = !q->tracing_ended;
	}
	/* a server's phase in its own terms ("processing") */
	q->phase = ht_live_side_phase_name(r->phase, r->flags & HT_RF_SERVER);
	q->phase_text = ht_live_side_phase_text(r->phase,
						r->flags & HT_RF_SERVER);
}

/* ---- dispatch ----------------------------------------------------------- */

int report_format_parse(const char *name, enum report_format *out)
{
	if (strcmp(name, "text") == 0)
		*out = REPORT_TEXT;
	else if (strcmp(name, "json") == 0)
		*out = REPORT_JSON;
	else if (strcmp(name, "events") == 0)
		*out = REPORT_EVENTS;
	else if (strcmp(name, "har") == 0)
		*out = REPORT_HAR;
	else if (strcmp(name, "summary") == 0)
		*out = REPORT_SUMMARY;
	else if (strcmp(name, "html") == 0)
		*out = REPORT_HTML;
	else if (strcmp(name, "otlp") == 0)
		*out = REPORT_OTLP;
	else
		return -EINVAL;
	return 0;
}

static int64_t ts_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t report_clock_offset(void)
{
	/* One offset for the whole process, taken at its first use: every
	 * output of one collector (the report, the OTLP exporter, listen's
	 * status and capture) turns a monotonic time into the same Unix
	 * time.  Each output reading the two clocks itself, a preemption
	 * between the two reads shifted one against another (the json
	 * "start" 9 us off its OTLP span's, test_otlp_export under load).
	 * The realtime clock is read between two monotonic reads, the
	 * closest of a few tries, against the middle of them. */
	static int64_t offset; /* 0: not taken yet */
	int64_t o = __atomic_load_n(&offset, __ATOMIC_ACQUIRE);
	if (o != 0)
		return o;
	int64_t gap = INT64_MAX;
	for (int i = 0; i < 4; i++) {
		int64_t m0 = ts_ns(CLOCK_MONOTONIC), r = ts_ns(CLOCK_REALTIME);
		int64_t m1 = ts_ns(CLOCK_MONOTONIC);
		if (m1 - m0 < gap) {
			gap = m1 - m0;
			o = r - (m0 + gap / 2);
		}
	}
	int64_t none = 0;
	if (!__atomic_compare_exchange_n(&offset, &none, o, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return none; /* another thread's, taken first */
	return o;
}

void report_init(report *rp, FILE *out, enum report_format format, bool color)
{
	memset(&rp->stats, 0, sizeof(rp->stats));
	rp->out = out;
	outbuf_init(&rp->ob, out);
	rp->format = format;
	rp->color = color;
	rp->tty = out != NULL && fileno(out) >= 0 && isatty(fileno(out));
	switch (format) {
	case REPORT_JSON: rp->ops = &report_json_ops; break;
	case REPORT_EVENTS: rp->ops = &report_events_ops; break;
	case REPORT_HAR: rp->ops = &report_har_ops; break;
	case REPORT_SUMMARY: rp->ops = &report_summary_ops; break;
	case REPORT_HTML: rp->ops = &report_html_ops; break;
	case REPORT_OTLP: rp->ops = &report_otlp_ops; break;
	default: rp->ops = &report_text_ops; break;
	}
	rp->fmt_state = NULL;
	rp->out_err = 0;
	rp->redirects = NULL;
	rp->mono_to_unix = report_clock_offset();
	rp->url[0] = rp->host[0] = rp->peer[0] = '\0';
}

int64_t report_unix_ns(const report *rp, uint64_t mono)
{
	if (mono == 0)
		return REPORT_NONE;
	/* Unsigned: a corrupt timestamp wraps instead of overflowing. */
	return (int64_t)(mono + (uint64_t)rp->mono_to_unix);
}

/* Server request @r counted in @st (a server's answers are counted
 * apart from the requests its process made). */
static void report_count_served(report_stats *st, const ht_rec_request *r)
{
	st->server_requests++;
	if (ht_error_not_seen(r->error))
		st->not_followed++; /* not seen through: no error */
	else if (r->error == HT_ERR_AFTER_CLOSE)
		st->server_not_served++; /* likely never its to serve */
	else if (r->error != HT_ERR_NONE || ht_grpc_side_failed(r))
		st->server_errors++; /* and a gRPC status of the server's */
	/* a process that answered requests made requests too, in the
	 * summary's sense: it was not idle */
	report_stats_req_pid(st, r->pid);
}

void report_record(void *ctx, const ht_record *rec)
{
	report *rp = ctx;
	report_stats *st = &rp->stats;

	switch (rec->type) {
	case HT_REC_HELLO:
		/* A process that came back to this collector is not new; a
		 * new image of a pid (exec, or a pid reused) counts its
		 * requests afresh.  A vfork child's note-only connection is
		 * no traced process (its program is not traced). */
		if (!(rec->u.hello.flags &
		      (HT_HF_RECONNECT | HT_HF_NOTE_ONLY))) {
			st->processes++;
			u64map_del(&st->req_pids, rec->u.hello.pid);
			if (st->req_pid_last == (uint64_t)rec->u.hello.pid + 1)
				st->req_pid_last = 0;
		}
		report_stats_hello(st, &rec->u.hello);
		if (rp->ops->hello != NULL)
			rp->ops->hello(rp, &rec->u.hello);
		break;
	case HT_REC_REQUEST: {
		const ht_rec_request *r = &rec->u.req;
		report_req q;

		if ((r->flags & HT_RF_SERVER) && rp->ops->request == NULL) {
			/* counted below, nothing to describe (-f summary:
			 * a traced server's every record) */
			report_count_served(st, r);
			break;
		}

		/* Every field is set below: no zero-filling first (a
		 * "rep stos" that cost a third of this function). */
		q.r = r;
		report_timing_compute(r, &q.t);
		q.url = rp->url;
		q.url_len = url_request(rp->url, sizeof(rp->url), r);
		q.host = rp->host;
		q.host_len = url_host(rp->host, sizeof(rp->host), r);
		q.peer = rp->peer;
		q.peer_len = url_peer_of(rp->peer, sizeof(rp->peer),
					    &r->peer, r->peer_path);
		if (r->flags & HT_RF_TUNNEL) {
			/* the proxy is the address connected to */
			q.proxy = rp->peer;
			q.proxy_len = q.peer_len;
		} else {
			q.proxy = NULL;
			q.proxy_len = 0;
		}
		q.proto = report_proto_str(r->proto);
		q.resp_proto = r->resp_proto != 0 && r->resp_proto != r->proto ?
				       report_proto_str(r->resp_proto) : NULL;
		q.error = report_error_text(r, rp->error, sizeof(rp->error));
		report_end_of(rp, r, &q);
		if (r->flags & HT_RF_SERVER) {
			/* a server's answers: counted apart, in no chain */
			memset(&q.redirect, 0, sizeof(q.redirect));
			q.redirect.hop = 1;
			report_count_served(st, r);
		} else {
			report_chains_request(rp, &q);
			report_stats_request(st, &q);
		}
		if (rp->ops->request != NULL)
			rp->ops->request(rp, &q);
		break;
	}
	case HT_REC_CONN_FAIL:
		if (report_fail_lookup(&rec->u.fail))
			st->lookups_cut++;
		else
			st->conn_fails++;
		rp->ops->conn_fail(rp, &rec->u.fail);
		break;
	case HT_REC_CONN_CLOSE: {
		st->conn_closes++;
		/* Counted already; its requests are all in (they come
		 * before the close). */
		report_stats_close(st, &rec->u.close);
		rp->ops->conn_close(rp, &rec->u.close);
		break;
	}
	case HT_REC_WS: {
		ht_rec_ws own;
		const ht_rec_ws *w = ht_ws_own(&rec->u.ws, &own);
		report_ws s = {.w = w};

		st->ws_sessions++;
		s.url = rp->url;
		s.url_len = url_ws(rp->url, sizeof(rp->url), w);
		s.peer = rp->peer;
		s.peer_len = url_peer_of(rp->peer, sizeof(rp->peer),
					 &w->peer, w->peer_path);
		s.duration = w->t_start && w->t_end >= w->t_start ?
				     (int64_t)(w->t_end - w->t_start) :
				     REPORT_NONE;
		/* the program sent the first close frame, or its peer; a
		 * server's peer is the client */
		if (w->flags & (HT_WF_CLOSED_SENT | HT_WF_CLOSED_RECV))
			s.closed_by = !(w->flags & HT_WF_CLOSED_SENT) !=
					      !(w->flags & HT_WF_SERVER) ?
					      "client" : "server";
		if (rp->ops->websocket != NULL)
			rp->ops->websocket(rp, &s);
		break;
	}
	case HT_REC_DROPS:
		/* The collector hands on increments (account.h). */
		st->dropped += rec->u.drops.dropped;
		st->dropped_requests += rec->u.drops.req_dropped;
		break;
	case HT_REC_NOTE:
		report_stats_note(st, &rec->u.note);
		break;
	case HT_REC_DNS:
		if (rec->u.dns.err != 0)
			st->lookups_failed++;
		if (rp->ops->dns != NULL)
			rp->ops->dns(rp, &rec->u.dns);
		break;
	default:
		break;
	}
	/* A write of the FILE failed while formatting this record (its
	 * buffer filled up): the errno is the failed write's. */
	if (rp->out != NULL && rp->out_err == 0 && ferror_unlocked(rp->out))
		rp->out_err = errno ? errno : EIO;
	/* On a terminal the traced command writes too: a record's lines
	 * wait for no later record, so they never go out cut in two
	 * around the command's own output. */
	if (rp->tty)
		report_flush(rp);
}

bool report_wants_live(const report *rp)
{
	return rp->ops->live != NULL;
}

void report_live(report *rp, uint32_t pid, uint32_t conn_id,
		 const ht_live_req *s, const ht_live_tls *tls)
{
	static const ht_str none = { "", 0 };
	ht_rec_request r;
	report_req q;

	/* A WebSocket session's slot is not a request: its upgrade's record
	 * wrote its events, websocket_done comes at its end. */
	if (rp->ops->live == NULL || s->kind == HT_LIVE_WEBSOCKET)
		return;
	/* What the page has; the response and the strings only the record
	 * carries (DNS name, headers) are empty. */
	memset(&r, 0, sizeof(r));
	r.pid = pid;
	r.conn_id = conn_id;
	r.req_seq = s->req_seq;
	r.flags = s->flags;
	if (s->side == HT_LIVE_SERVER)
		r.flags |= HT_RF_SERVER; /* its events in a server's terms */
	r.proto = s->proto;
	r.peer = s->peer;
	r.req_header_bytes = s->header_bytes;
	memcpy(r.t, s->t, sizeof(r.t));
	r.method = (ht_str){ s->method, (uint16_t)strlen(s->method) };
	r.target = (ht_str){ s->target, (uint16_t)strlen(s->target) };
	r.host = (ht_str){ s->host, (uint16_t)strlen(s->host) };
	r.dns_name = r.reason = r.content_type = none;
	r.tls_version = r.alpn = r.req_headers = r.resp_headers = none;
	r.peer_path = r.tunnel = none;
	r.grpc.message = none;
	if (tls != NULL) {
		r.tls_version = (ht_str){ tls->version,
					  (uint16_t)strlen(tls->version) };
		r.alpn = (ht_str){ tls->alpn, (uint16_t)strlen(tls->alpn) };
	}

	q.r = &r;
	report_timing_compute(&r, &q.t);
	q.url = rp->url;
	q.url_len = url_request(rp->url, sizeof(rp->url), &r);
	q.host = rp->host;
	q.host_len = url_host(rp->host, sizeof(rp->host), &r);
	q.peer = rp->peer;
	q.peer_len = url_peer_of(rp->peer, sizeof(rp->peer), &r.peer,
				 r.peer_path);
	q.proxy = NULL;
	q.proxy_len = 0;
	if (r.flags & HT_RF_TUNNEL) {
		q.proxy = rp->peer;
		q.proxy_len = q.peer_len;
	}
	q.proto = report_proto_str(r.proto);
	q.resp_proto = NULL;
	q.error = NULL;
	q.signal = q.phase = q.phase_text = NULL;
	q.no_goodbye = q.tracing_ended = false;
	memset(&q.redirect, 0, sizeof(q.redirect));
	rp->ops->live(rp, &q);
}

void report_live_conn(report *rp, uint32_t pid, uint32_t conn_id,
		      const ht_live_conn *s, const ht_live_tls *tls)
{
	if (rp->ops->live_conn != NULL)
		rp->ops->live_conn(rp, pid, conn_id, s, tls);
}

void report_live_end(report *rp)
{
	if (rp->ops->live_end != NULL)
		rp->ops->live_end(rp);
	report_flush(rp);
}

/* Flush the FILE, keeping the errno of its first failure. */
static void flush_out(report *rp)
{
	if (rp->out == NULL)
		return;
	if (fflush(rp->out) != 0 && rp->out_err == 0)
		rp->out_err = errno ? errno : EIO;
	if (rp->out_err == 0 && ferror(rp->out))
		rp->out_err = EIO; /* failed earlier, errno unknown */
}

void report_flush(void *ctx)
{
	report *rp = ctx;

	outbuf_flush(&rp->ob);
	flush_out(rp);
}

void report_own_output(report *rp)
{
	outbuf_own_file(&rp->ob);
}

int report_error(const report *rp)
{
	return rp->ob.err ? rp->ob.err : rp->out_err;
}

uint64_t report_dropped(const report *rp)
{
	return rp->stats.dropped;
}

uint64_t report_dropped_requests(const report *rp)
{
	return rp->stats.dropped_requests;
}

size_t report_dropped_text(const report *rp, char *buf, size_t cap)
{
	uint64_t all = report_dropped(rp);
	uint64_t req = report_dropped_requests(rp);
	int n;

	if (req > all)
		req = all;
	n = snprintf(buf, cap, "%llu request%s and %llu other record%s",
		     (unsigned long long)req, req == 1 ? "" : "s",
		     (unsigned long long)(all - req), all - req == 1 ? "" : "s");
	if (n < 0 || cap == 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

uint64_t report_connections(const report *rp)
{
	return rp->stats.connections;
}

int report_finish(report *rp, uint64_t malformed, uint64_t refused)
{
	int err;

	rp->stats.malformed = malformed;
	rp->stats.refused = refused;
	if (rp->ops->summary != NULL)
		rp->ops->summary(rp);
	outbuf_flush(&rp->ob);
	flush_out(rp);
	err = report_error(rp);
	return err ? -err : 0;
}

void report_free(report *rp)
{
	report_stats *st = &rp->stats;

	if (rp->ops != NULL && rp->ops->free != NULL)
		rp->ops->free(rp);
	rp->fmt_state = NULL;
	outbuf_free(&rp->ob);
	report_chains_free(rp);
	report_stats_free(st);
}
