/*
 * format_text.c - the human-readable format: an httpstat-like waterfall per
 * request as it completes, a line per failed connect, and a summary with
 * per-host percentiles at the end.  ANSI colors only when rp->color.
 */
#include <stdlib.h>
#include <string.h>

#include "format_text.h"
#include "join.h"
#include "grpc.h"
#include "live.h"
#include "report.h"
#include "utf8.h"

/* The waterfall's phases, left to right. */
static const char *const phase_labels[] = {
	"DNS Lookup", "TCP Connection", "TLS Handshake", "Request Sent",
	"Server Processing", "Content Transfer",
};
#define N_PHASES (sizeof(phase_labels) / sizeof(phase_labels[0]))

/* A server's (wire.h, HT_RF_SERVER): from the accept to the request's
 * first byte, the handshake, the request read, the server's own
 * processing, the response written. */
static const char *const server_phase_labels[] = {
	"Accept to Request", "TLS Handshake", "Request Read",
	"Server Processing", "Response Write",
};
#define N_SERVER_PHASES \
	(sizeof(server_phase_labels) / sizeof(server_phase_labels[0]))

void text_color(report *rp, const char *c)
{
	if (rp->color)
		fputs_unlocked(c, rp->out);
}

void text_put_safe(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		size_t len;

		if (c >= 0x20 && c < 0x7f) {
			putc_unlocked(c, f);
			continue;
		}
		/* A well-formed UTF-8 sequence goes out as is, but for the C1
		 * controls (U+0080..U+009F: CSI and friends to a terminal). */
		len = c >= 0x80 ? utf8_len_no_c1(u + i, n - i) : 0;
		if (len > 0) {
			fwrite_unlocked(u + i, 1, len, f);
			i += len - 1;
			continue;
		}
		/* Controls, stray bytes and anything a terminal might act on. */
		fprintf(f, "\\x%02x", c);
	}
}

void text_fmt_dur(char *buf, size_t cap, int64_t ns)
{
	if (ns == REPORT_NONE)
		snprintf(buf, cap, "-");
	else if (ns < 10 * 1000000000LL && ns > -10 * 1000000000LL)
		snprintf(buf, cap, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, cap, "%.2fs", (double)ns / 1e9);
}

/* A byte count as "512 B", "1.2 kB", "3.4 MB". */
static void fmt_bytes(char *buf, size_t cap, uint64_t n)
{
	if (n < 1000)
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, cap, "%.1f kB", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, cap, "%.1f MB", (double)n / 1e6);
	else
		snprintf(buf, cap, "%.1f GB", (double)n / 1e9);
}

/* Write @s centered in @width columns. */
static void put_centered(FILE *f, const char *s, size_t width)
{
	size_t len = strlen(s);
	size_t left = len < width ? (width - len) / 2 : 0;
	size_t right = len < width ? width - len - left : 0;

	fprintf(f, "%*s%s%*s", (int)left, "", s, (int)right, "");
}

static const char *status_color(unsigned status)
{
	if (status >= 500 || status == 0)
		return C_RED;
	if (status >= 400)
		return C_YELLOW;
	if (status >= 300)
		return C_CYAN;
	return C_GREEN;
}

/* A hop of a redirect chain: its number, the hop it follows, where it
 * redirects to, and the chain (the first hop's pid/conn/req). */
static void text_redirect_line(report *rp, const report_req *q)
{
	FILE *f = rp->out;
	const redirect_link *l = &q->redirect;

	text_color(rp, C_CYAN);
	fprintf(f, "   redirect hop %u", l->hop);
	if (l->followed)
		fprintf(f, " from conn %u req %u", l->from.conn, l->from.req);
	if (l->target != NULL) {
		fputs_unlocked(" -> ", f);
		text_put_safe(f, l->target, strlen(l->target));
	}
	fprintf(f, "  chain %u/%u/%u\n", l->chain.pid, l->chain.conn,
		l->chain.req);
	text_color(rp, C_RESET);
}

/* " grpc UNAVAILABLE" after the HTTP status: a gRPC call's own, in red
 * unless OK ("grpc 42" for a code gRPC does not define). */
static void text_grpc_status(report *rp, const ht_rec_request *r)
{
	const char *name = grpc_status_name(r->grpc.status);

	text_color(rp, C_BOLD);
	if (r->grpc.status != 0)
		text_color(rp, C_RED);
	if (name != NULL)
		fprintf(rp->out, " grpc %s", name);
	else
		fprintf(rp->out, " grpc %u", (unsigned)r->grpc.status);
	text_color(rp, C_RESET);
}

static void text_request(report *rp, const report_req *q)
{
	FILE *f = rp->out;
	const ht_rec_request *r = q->r;
	bool server = r->flags & HT_RF_SERVER;
	/* cut short by its process's end: the phase it was in lasted to
	 * the end (as json's) */
	report_timing cut = q->t;
	const report_timing *t = &cut;

	if (q->phase != NULL)
		(void)report_timing_cut(r, &cut);
	int64_t phases[N_PHASES] = {
		t->dns, t->connect, t->tls, t->send, t->wait, t->receive,
	};
	const char *const *labels = phase_labels;
	size_t n_phases = N_PHASES;
	char buf[32], buf2[32];

	if (server) {
		/* no DNS: the phases from the accept on */
		memmove(phases, phases + 1, sizeof(phases[0]) * N_SERVER_PHASES);
		labels = server_phase_labels;
		n_phases = N_SERVER_PHASES;
	}

	/* Line 1: GET http://host/path -> 200 OK  HTTP/1.1  pid 1  conn 2
	 * (a server's: "served GET ...", and the client it answered) */
	if (server)
		fputs_unlocked("served ", f);
	text_color(rp, C_BOLD);
	if (r->method.len > 0)
		text_put_safe(f, r->method.p, r->method.len);
	else
		fputs_unlocked("?", f);
	text_color(rp, C_RESET);
	putc_unlocked(' ', f);
	text_put_safe(f, q->url, q->url_len);
	fputs_unlocked(" -> ", f);
	text_color(rp, C_BOLD);
	text_color(rp, status_color(r->status));
	if (r->status != 0) {
		fprintf(f, "%u", r->status);
		if (r->reason.len > 0) {
			putc_unlocked(' ', f);
			text_put_safe(f, r->reason.p, r->reason.len);
		}
	}
	if (q->phase_text != NULL) {
		/* cut short by its process's end (after its response's
		 * status, when its header section had come): how, in which
		 * phase, after how long */
		if (r->status != 0)
			fputs_unlocked(", ", f);
		text_color(rp, C_RED);
		fputs_unlocked(q->error, f);
		if (q->signal != NULL)
			fprintf(f, " (%s)", q->signal);
		else if (q->no_goodbye)
			fputs_unlocked(" (the process ended without a goodbye)", f);
		else if (q->tracing_ended)
			fputs_unlocked(" (tracing stopped while the process ran)", f);
		if (t->total == REPORT_NONE)
			fprintf(f, " %s", q->phase_text);
		else if (t->total >= 1000000000LL)
			fprintf(f, " %s %.2f s", q->phase_text,
				(double)t->total / 1e9);
		else
			fprintf(f, " %s %.0f ms", q->phase_text,
				(double)t->total / 1e6);
	} else if (r->status == 0) {
		fputs_unlocked("no response", f);
	}
	text_color(rp, C_RESET);
	if ((r->flags & HT_RF_GRPC) && (r->grpc.flags & HT_GF_STATUS))
		text_grpc_status(rp, r);
	if (q->proto != NULL)
		fprintf(f, "  %s", q->proto);
	if (q->resp_proto != NULL)
		fprintf(f, " (answered in %s)", q->resp_proto);
	text_color(rp, C_DIM);
	fprintf(f, "  pid %u  ", r->pid);
	text_color(rp, C_RESET);
	if (r->flags & HT_RF_REUSED) {
		text_fmt_dur(buf, sizeof(buf), t->idle);
		fprintf(f, "reused conn %u", r->conn_id);
		if (t->idle != REPORT_NONE)
			fprintf(f, ", idle %s", buf);
	} else {
		fprintf(f, "new conn %u", r->conn_id);
	}
	fprintf(f, "  req %u", r->req_seq);
	if (r->flags & HT_RF_TLS) {
		fputs_unlocked("  TLS", f);
		if (r->tls_version.len > 0) {
			putc_unlocked(' ', f);
			text_put_safe(f, r->tls_version.p, r->tls_version.len);
		}
		if (r->alpn.len > 0) {
			fputs_unlocked(" alpn ", f);
			text_put_safe(f, r->alpn.p, r->alpn.len);
		}
	}
	if (q->proxy != NULL) {
		fputs_unlocked("  via ", f);
		text_put_safe(f, q->proxy, q->proxy_len);
	}
	if (server && q->peer_len > 0) {
		fputs_unlocked("  from ", f);
		text_put_safe(f, q->peer, q->peer_len);
	}
	putc_unlocked('\n', f);
	if (q->redirect.in_chain)
		text_redirect_line(rp, q);

	/* Lines 2-3: the waterfall, labels centered over their values. */
	fputs_unlocked("   ", f);
	for (size_t i = 0; i < n_phases; i++) {
		put_centered(f, labels[i], strlen(labels[i]) + 2);
		putc_unlocked(' ', f);
	}
	fputs_unlocked("   Total\n  [", f);
	for (size_t i = 0; i < n_phases; i++) {
		text_fmt_dur(buf, sizeof(buf), phases[i]);
		if (phases[i] != REPORT_NONE)
			text_color(rp, C_CYAN);
		put_centered(f, buf, strlen(labels[i]) + 2);
		text_color(rp, C_RESET);
		putc_unlocked(i + 1 < n_phases ? '|' : ']', f);
	}
	text_fmt_dur(buf, sizeof(buf), t->total);
	text_color(rp, C_BOLD);
	fprintf(f, "  %s", buf);
	text_color(rp, C_RESET);
	if (r->join != NULL && r->join->pid != 0) {
		/* the other end's record (join.h): the server's own
		 * processing beside the client's wait */
		const ht_join *jn = r->join;

		text_color(rp, C_DIM);
		if (!server && jn->server_processing != JOIN_NONE) {
			text_fmt_dur(buf, sizeof(buf), jn->server_processing);
			fprintf(f, "  server processing %s", buf);
		}
		fprintf(f, "  %s pid %u conn %u req %u",
			server ? "client" : "server", jn->pid, jn->conn_id,
			jn->req_seq);
		text_color(rp, C_RESET);
	}
	putc_unlocked('\n', f);

	/* Line 4: sizes and content type; the error if any. */
	fmt_bytes(buf, sizeof(buf), r->req_body_bytes);
	fmt_bytes(buf2, sizeof(buf2), r->resp_body_bytes);
	text_color(rp, C_DIM);
	/* the same for a request's body (a page's record: none kept) */
	if (r->flags & HT_RF_REQ_BODY_UNKNOWN)
		fprintf(f, server ? "   read (+%u header)" :
			"   sent (+%u header)", r->req_header_bytes);
	else
		fprintf(f, server ? "   read %s (+%u header)" :
			"   sent %s (+%u header)", buf, r->req_header_bytes);
	/* a response's sizes not known (a request its process's end cut
	 * short, the page kept none) are left out, never shown as 0 */
	if (!(r->flags & HT_RF_RESP_BODY_UNKNOWN))
		fprintf(f, server ? "  wrote %s" : "  received %s", buf2);
	if (!(r->flags & (HT_RF_RESP_BODY_UNKNOWN | HT_RF_RESP_HDR_UNKNOWN)))
		fprintf(f, " (+%u header)", r->resp_header_bytes);
	if (r->content_type.len > 0) {
		fputs_unlocked("  ", f);
		text_put_safe(f, r->content_type.p, r->content_type.len);
	}
	if (r->n_1xx > 0)
		fprintf(f, "  %u interim response%s", r->n_1xx,
			r->n_1xx == 1 ? "" : "s");
	/* an early answer: the phases above may overlap (report.h) */
	if (r->flags & HT_RF_EARLY_ANSWER)
		fputs_unlocked(server ? "  answered before the body was read"
				      : "  answered before the body was sent", f);
	if (r->flags & (HT_RF_HDR_TRUNC | HT_RF_TARGET_TRUNC))
		fputs_unlocked("  (truncated)", f);
	if (r->flags & HT_RF_GRPC) {
		ht_grpc own;
		const ht_grpc *g = ht_grpc_own(r, &own); /* a server's own */
		fprintf(f, "  grpc messages %u sent, %u received",
			g->msgs_sent, g->msgs_recv);
	}
	text_color(rp, C_RESET);
	putc_unlocked('\n', f);
	if (q->error != NULL) {
		text_color(rp, C_BOLD);
		text_color(rp, C_RED);
		fprintf(f, "   error: %s", q->error);
		if (r->error == HT_ERR_NONE && r->grpc.message.len > 0) {
			/* a gRPC status: what the server said of it */
			fputs_unlocked(": ", f);
			text_put_safe(f, r->grpc.message.p, r->grpc.message.len);
		}
		putc_unlocked('\n', f);
		text_color(rp, C_RESET);
	}
	putc_unlocked('\n', f);
}

/* One lookup's line: "dns NAME -> WHAT (WHY) [PHASE] 12 ms  pid P  lookup
 * N" (@why, @phase NULL: left out; @t REPORT_NONE: no time). */
static void text_lookup_line(report *rp, const ht_str *name, const char *what,
			     const char *why, const char *phase, int64_t t,
			     uint32_t pid, uint32_t lookup)
{
	FILE *f = rp->out;

	text_color(rp, C_BOLD);
	text_color(rp, C_RED);
	fputs_unlocked("dns ", f);
	if (name->len > 0)
		text_put_safe(f, name->p, name->len);
	else
		putc_unlocked('?', f);
	fprintf(f, " -> %s", what);
	if (why != NULL)
		fprintf(f, " (%s)", why);
	if (phase != NULL)
		fprintf(f, " %s", phase);
	if (t != REPORT_NONE && t >= 1000000000LL)
		fprintf(f, " %.2f s", (double)t / 1e9);
	else if (t != REPORT_NONE)
		fprintf(f, " %.0f ms", (double)t / 1e6);
	text_color(rp, C_RESET);
	text_color(rp, C_DIM);
	fprintf(f, "  pid %u  lookup %u", pid, lookup);
	text_color(rp, C_RESET);
	fputs_unlocked("\n\n", f);
}

/* A name lookup its process's end cut short: "dns NAME -> interrupted
 * (SIGINT) resolving the name 2.51 s", as a request cut short reads. */
static void text_lookup_cut(report *rp, const ht_rec_conn_fail *c)
{
	text_lookup_line(rp, &c->dns_name, report_fail_error(rp, c),
			 report_signal_name(rp, c->signal),
			 ht_live_phase_text(c->phase),
			 report_span(c->t_dns_start, c->t_fail), c->pid,
			 c->conn_id);
}

/* A name lookup that failed (a resolved one's times are its
 * connection's): "dns NAME -> Name or service not known (EAI_NONAME)
 * 12 ms", as a lookup cut short reads. */
static void text_dns(report *rp, const ht_rec_dns *d)
{
	char err[160];

	if (d->err == 0)
		return;
	text_lookup_line(rp, &d->name, report_dns_error(d, err, sizeof(err)),
			 report_dns_code(d), NULL,
			 report_span(d->t_start, d->t_done), d->pid, d->lookup);
}

static void text_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	FILE *f = rp->out;
	char peer[64], d1[32], d2[32];

	if (report_fail_lookup(c)) {
		text_lookup_cut(rp, c);
		return;
	}
	url_peer(peer, sizeof(peer), &c->peer);
	text_color(rp, C_BOLD);
	text_color(rp, C_RED);
	bool cut = c->flags & HT_FF_FROM_PAGE;
	const char *sig = report_signal_name(rp, c->signal);
	const char *phase = ht_live_phase_text(c->phase);

	fputs_unlocked(c->flags & HT_FF_TLS && !cut ? "TLS handshake with "
						    : "connect ", f);
	if (c->dns_name.len > 0) {
		text_put_safe(f, c->dns_name.p, c->dns_name.len);
		fprintf(f, " (%s)", peer[0] ? peer : "?");
	} else {
		fputs_unlocked(peer[0] ? peer : "?", f);
	}
	if (cut) /* its process's end cut it short */
		fprintf(f, " -> %s%s%s%s %s", report_fail_error(rp, c),
			sig ? " (" : "", sig ? sig : "", sig ? ")" : "",
			phase ? phase : "");
	else if (c->flags & HT_FF_TLS) {
		const char *d = report_tls_fail_detail(c, rp->fail_detail,
						       sizeof(rp->fail_detail));
		fputs_unlocked(" failed", f);
		if (d != NULL)
			fprintf(f, ": %s", d);
	}
	else
		fprintf(f, " failed: %s", strerror(c->err));
	text_color(rp, C_RESET);
	text_color(rp, C_DIM);
	fprintf(f, "  pid %u  conn %u", c->pid, c->conn_id);
	text_color(rp, C_RESET);
	putc_unlocked('\n', f);
	text_fmt_dur(d1, sizeof(d1), c->t_dns_start && c->t_dns_done ?
		(int64_t)(c->t_dns_done - c->t_dns_start) : REPORT_NONE);
	uint64_t tcp_end = c->flags & HT_FF_TLS ? c->t_connect_done : c->t_fail;
	text_fmt_dur(d2, sizeof(d2), c->t_connect_start && tcp_end ?
		(int64_t)(tcp_end - c->t_connect_start) : REPORT_NONE);
	fprintf(f, "   DNS Lookup %s  TCP Connection %s", d1, d2);
	if (c->flags & HT_FF_TLS) {
		char d3[32];
		uint64_t from = c->t_connect_done ? c->t_connect_done : c->t_tls_start;
		text_fmt_dur(d3, sizeof(d3), from && c->t_fail ?
			(int64_t)(c->t_fail - from) : REPORT_NONE);
		fprintf(f, "  TLS Handshake %s", d3);
	}
	fputs_unlocked("\n\n", f);
}

/* A client connection closed with no request (report_close_no_request()),
 * as a failed connection reads but not as an error:
 * "connection to 127.0.0.1:443  TLS TLSv1.3 alpn h2: closed by the program
 * after the handshake, no request  pid 1  conn 2", then its times and
 * bytes. */
static void text_no_request(report *rp, const ht_rec_conn_close *c)
{
	FILE *f = rp->out;
	char peer[192], d1[32], d2[32], dur[32], out[32], in[32];
	bool tls = c->flags & HT_CF_TLS;

	url_peer_of(peer, sizeof(peer), &c->peer, c->peer_path);
	text_color(rp, C_YELLOW);
	fputs_unlocked("connection to ", f);
	text_put_safe(f, peer[0] ? peer : "?", peer[0] ? strlen(peer) : 1);
	if (tls) {
		fputs_unlocked("  TLS", f);
		if (c->tls_version.len > 0) {
			putc_unlocked(' ', f);
			text_put_safe(f, c->tls_version.p, c->tls_version.len);
		}
		if (c->alpn.len > 0) {
			fputs_unlocked(" alpn ", f);
			text_put_safe(f, c->alpn.p, c->alpn.len);
		}
	}
	fprintf(f, ": closed by the %s%s, no request",
		c->flags & HT_CF_PEER_EOF ? "peer" : "program",
		tls && c->t_tls_done ? " after the handshake" :
		c->bytes_out == 0 ? " with nothing sent" : "");
	text_color(rp, C_RESET);
	text_color(rp, C_DIM);
	fprintf(f, "  pid %u  conn %u", c->pid, c->conn_id);
	text_color(rp, C_RESET);
	text_fmt_dur(d1, sizeof(d1),
		     report_span(c->t_connect_start, c->t_connect_done));
	text_fmt_dur(d2, sizeof(d2), report_span(c->t_tls_start, c->t_tls_done));
	text_fmt_dur(dur, sizeof(dur), report_span(c->t_connect_start, c->t_close));
	fmt_bytes(out, sizeof(out), c->bytes_out);
	fmt_bytes(in, sizeof(in), c->bytes_in);
	fprintf(f, "\n   TCP Connection %s", d1);
	if (tls)
		fprintf(f, "  TLS Handshake %s", d2);
	fprintf(f, "  %s out, %s in, %s\n\n", out, in, dur);
}

static void text_conn_close(report *rp, const ht_rec_conn_close *c)
{
	FILE *f = rp->out;
	char peer[192], hs[32], dur[32], out[32], in[32];

	if (report_close_no_request(c)) {
		text_no_request(rp, c);
		return;
	}
	/* Too noisy for the waterfall view; counted in the summary.  But a
	 * TLS connection no hook decoded is all there is to see of it. */
	if (!(c->flags & HT_CF_TLS_UNDECODED))
		return;
	url_peer_of(peer, sizeof(peer), &c->peer, c->peer_path);
	text_fmt_dur(hs, sizeof(hs), report_span(c->t_tls_start, c->t_tls_done));
	text_fmt_dur(dur, sizeof(dur), report_span(c->t_connect_start, c->t_close));
	fmt_bytes(out, sizeof(out), c->bytes_out);
	fmt_bytes(in, sizeof(in), c->bytes_in);
	text_color(rp, C_YELLOW);
	fputs_unlocked("TLS connection to ", f);
	if (c->sni.len > 0) {
		text_put_safe(f, c->sni.p, c->sni.len);
		fputs_unlocked(" (", f);
		text_put_safe(f, peer, strlen(peer));
		fputs_unlocked(")", f);
	} else {
		text_put_safe(f, peer, strlen(peer));
	}
	fputs_unlocked(" not decoded: unknown TLS library", f);
	text_color(rp, C_RESET);
	fputs_unlocked("\n  ", f);
	if (c->tls_version.len > 0) {
		text_put_safe(f, c->tls_version.p, c->tls_version.len);
		fputs_unlocked(", ", f);
	}
	fprintf(f, "handshake %s, %s out, %s in, %s\n\n", hs, out, in, dur);
}

/* One direction of a WebSocket session: "5 msgs (3 text, 2 binary) 1.2 kB" */
static void put_ws_dir(FILE *f, const char *label, const ht_ws_dir *d)
{
	char b[32];

	fmt_bytes(b, sizeof(b), d->bytes);
	fprintf(f, "  %s %llu msg%s (%llu text, %llu binary) %s", label,
		(unsigned long long)d->messages, d->messages == 1 ? "" : "s",
		(unsigned long long)d->text, (unsigned long long)d->binary, b);
	if (d->compressed > 0)
		fprintf(f, " (%llu compressed)",
			(unsigned long long)d->compressed);
}

/* A WebSocket session, one line when it ended:
 * WS ws://host/path  pid 1  conn 2  req 1  12.30s  sent ...  received ...
 *   pings 2/0 rtt 0.31ms  closed by client 1000 "bye" */
static void text_websocket(report *rp, const report_ws *s)
{
	FILE *f = rp->out;
	const ht_rec_ws *w = s->w;
	char b[32], b2[32];

	text_color(rp, C_BOLD);
	fputs_unlocked("WS ", f);
	text_color(rp, C_RESET);
	text_put_safe(f, s->url, s->url_len);
	text_color(rp, C_DIM);
	fprintf(f, "  pid %u  conn %u  req %u", w->pid, w->conn_id, w->req_seq);
	text_color(rp, C_RESET);
	text_fmt_dur(b, sizeof(b), s->duration);
	fprintf(f, "  %s", b);
	put_ws_dir(f, "sent", &w->dir[0]);
	put_ws_dir(f, "received", &w->dir[1]);
	fprintf(f, "  pings %llu sent, %llu received",
		(unsigned long long)w->dir[0].pings,
		(unsigned long long)w->dir[1].pings);
	if (w->rtt[0].n > 0) {
		text_fmt_dur(b, sizeof(b), (int64_t)(w->rtt[0].sum / w->rtt[0].n));
		text_fmt_dur(b2, sizeof(b2), (int64_t)w->rtt[0].max);
		fprintf(f, " (rtt %s avg, %s max)", b, b2);
	}
	if (s->closed_by != NULL) {
		const ht_ws_dir *d = &w->dir[(w->flags & HT_WF_CLOSED_SENT) ? 0 : 1];

		fprintf(f, "  closed by %s", s->closed_by);
		if (d->close_code != 0)
			fprintf(f, " %u", d->close_code);
		if (d->close_reason.len > 0) {
			fputs_unlocked(" \"", f);
			text_put_safe(f, d->close_reason.p, d->close_reason.len);
			putc_unlocked('"', f);
		}
	}
	if (w->flags & (HT_WF_LOST | HT_WF_RESET | HT_WF_PEER_EOF) ||
	    s->closed_by == NULL) {
		text_color(rp, C_YELLOW);
		if (w->flags & HT_WF_LOST)
			fputs_unlocked("  not followed to its end", f);
		else if (w->flags & HT_WF_RESET)
			fputs_unlocked("  ended by a reset", f);
		else if (w->flags & HT_WF_PEER_EOF)
			fputs_unlocked("  ended by the server's EOF", f);
		else
			fputs_unlocked("  ended by the program's close", f);
		text_color(rp, C_RESET);
	}
	if (w->dir[0].errors + w->dir[1].errors > 0) {
		text_color(rp, C_RED);
		fprintf(f, "  %u protocol error%s",
			w->dir[0].errors + w->dir[1].errors,
			w->dir[0].errors + w->dir[1].errors == 1 ? "" : "s");
		text_color(rp, C_RESET);
	}
	fputs_unlocked("\n\n", f);
}

const report_format_ops report_text_ops = {
	.request = text_request,
	.conn_fail = text_conn_fail,
	.conn_close = text_conn_close,
	.summary = text_summary,
	.websocket = text_websocket,
	.dns = text_dns,
};
