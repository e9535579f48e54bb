/*
 * format_text.c - the human-readable format: an httpstat-like waterfall per
 * request as it completes, a line per failed connect, and a summary with
 * per-host percentiles at the end.  ANSI colors only when rp->color.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "utf8.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

/* The waterfall's phases, left to right. */
static const char *const phase_labels[] = {
	"DNS Lookup", "TCP Connection", "TLS Handshake", "Request Sent",
	"Server Processing", "Content Transfer",
};
#define N_PHASES (sizeof(phase_labels) / sizeof(phase_labels[0]))

/* A server's (wire.h, ht_side): from the accept to the request's first
 * byte, the handshake, the request read, the server's own processing, the
 * response written. */
static const char *const server_phase_labels[] = {
	"Accept to Request", "TLS Handshake", "Request Read",
	"Server Processing", "Response Write",
};
#define N_SERVER_PHASES \
	(sizeof(server_phase_labels) / sizeof(server_phase_labels[0]))

/* Start @color when colors are on. */
static void color(report *rp, const char *c)
{
	if (rp->color)
		fputs_unlocked(c, rp->out);
}

/* Write @n bytes of @s, with control bytes shown as \xHH so a hostile URL
 * cannot drive the terminal. */
static void put_safe(FILE *f, const char *s, size_t n)
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

/* A duration as "0.51ms", "12.3s", or "-" when absent, into @buf. */
static void fmt_dur(char *buf, size_t cap, int64_t ns)
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

	color(rp, C_CYAN);
	fprintf(f, "   redirect hop %u", l->hop);
	if (l->followed)
		fprintf(f, " from conn %u req %u", l->from.conn, l->from.req);
	if (l->target != NULL) {
		fputs_unlocked(" -> ", f);
		put_safe(f, l->target, strlen(l->target));
	}
	fprintf(f, "  chain %u/%u/%u\n", l->chain.pid, l->chain.conn,
		l->chain.req);
	color(rp, C_RESET);
}

/* The chains of two hops or more, each hop on a line. */
static void text_chains(report *rp)
{
	FILE *f = rp->out;
	const report_stats *st = &rp->stats;
	size_t shown = 0;
	char buf[32];

	for (size_t i = 0; i < st->n_chains; i++)
		if (st->chains[i].n_hops > 1)
			shown++;
	if (shown == 0)
		return;
	fprintf(f, "  redirect chains: %zu (%llu requests followed a redirect)\n",
		shown, (unsigned long long)st->redirects_followed);
	for (size_t i = 0; i < st->n_chains; i++) {
		const report_chain *c = &st->chains[i];
		int64_t sum = 0;

		if (c->n_hops < 2)
			continue;
		for (size_t k = 0; k < c->n_hops; k++)
			if (c->hops[k].total != REPORT_NONE)
				sum += c->hops[k].total;
		fmt_dur(buf, sizeof(buf), sum);
		fprintf(f, "  chain %u/%u/%u: %zu hops, %s in all\n", c->id.pid,
			c->id.conn, c->id.req, c->n_hops, buf);
		for (size_t k = 0; k < c->n_hops; k++) {
			const report_hop *h = &c->hops[k];

			fprintf(f, "    %zu  ", k + 1);
			put_safe(f, h->method, strlen(h->method));
			putc_unlocked(' ', f);
			put_safe(f, h->url, strlen(h->url));
			fmt_dur(buf, sizeof(buf), h->total);
			if (h->status)
				fprintf(f, " -> %u", h->status);
			else
				fputs_unlocked(" -> no response", f);
			fprintf(f, "  %s conn %u  %s\n",
				h->reused ? "reused" : "new", h->conn, buf);
		}
	}
}

static void text_request(report *rp, const report_req *q)
{
	FILE *f = rp->out;
	const ht_rec_request *r = q->r;
	const report_timing *t = &q->t;
	bool server = r->side == HT_SIDE_SERVER;
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
	color(rp, C_BOLD);
	if (r->method.len > 0)
		put_safe(f, r->method.p, r->method.len);
	else
		fputs_unlocked("?", f);
	color(rp, C_RESET);
	putc_unlocked(' ', f);
	put_safe(f, q->url, q->url_len);
	fputs_unlocked(" -> ", f);
	color(rp, C_BOLD);
	color(rp, status_color(r->status));
	if (r->status != 0) {
		fprintf(f, "%u", r->status);
		if (r->reason.len > 0) {
			putc_unlocked(' ', f);
			put_safe(f, r->reason.p, r->reason.len);
		}
	} else {
		fputs_unlocked("no response", f);
	}
	color(rp, C_RESET);
	if (q->proto != NULL)
		fprintf(f, "  %s", q->proto);
	if (q->resp_proto != NULL)
		fprintf(f, " (answered in %s)", q->resp_proto);
	color(rp, C_DIM);
	fprintf(f, "  pid %u  ", r->pid);
	color(rp, C_RESET);
	if (r->flags & HT_RF_REUSED) {
		fmt_dur(buf, sizeof(buf), t->idle);
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
			put_safe(f, r->tls_version.p, r->tls_version.len);
		}
		if (r->alpn.len > 0) {
			fputs_unlocked(" alpn ", f);
			put_safe(f, r->alpn.p, r->alpn.len);
		}
	}
	if (q->proxy != NULL) {
		fputs_unlocked("  via ", f);
		put_safe(f, q->proxy, q->proxy_len);
	}
	if (server && q->peer_len > 0) {
		fputs_unlocked("  from ", f);
		put_safe(f, q->peer, q->peer_len);
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
		fmt_dur(buf, sizeof(buf), phases[i]);
		if (phases[i] != REPORT_NONE)
			color(rp, C_CYAN);
		put_centered(f, buf, strlen(labels[i]) + 2);
		color(rp, C_RESET);
		putc_unlocked(i + 1 < n_phases ? '|' : ']', f);
	}
	fmt_dur(buf, sizeof(buf), t->total);
	color(rp, C_BOLD);
	fprintf(f, "  %s", buf);
	color(rp, C_RESET);
	putc_unlocked('\n', f);

	/* Line 4: sizes and content type; the error if any. */
	fmt_bytes(buf, sizeof(buf), r->req_body_bytes);
	fmt_bytes(buf2, sizeof(buf2), r->resp_body_bytes);
	color(rp, C_DIM);
	fprintf(f, server ? "   read %s (+%u header)  wrote %s (+%u header)" :
		"   sent %s (+%u header)  received %s (+%u header)", buf,
		r->req_header_bytes, buf2, r->resp_header_bytes);
	if (r->content_type.len > 0) {
		fputs_unlocked("  ", f);
		put_safe(f, r->content_type.p, r->content_type.len);
	}
	if (r->n_1xx > 0)
		fprintf(f, "  %u interim response%s", r->n_1xx,
			r->n_1xx == 1 ? "" : "s");
	if (r->flags & (HT_RF_HDR_TRUNC | HT_RF_TARGET_TRUNC))
		fputs_unlocked("  (truncated)", f);
	color(rp, C_RESET);
	putc_unlocked('\n', f);
	if (q->error != NULL) {
		color(rp, C_BOLD);
		color(rp, C_RED);
		fprintf(f, "   error: %s\n", q->error);
		color(rp, C_RESET);
	}
	putc_unlocked('\n', f);
}

static void text_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	FILE *f = rp->out;
	char peer[64], d1[32], d2[32];

	report_peer(peer, sizeof(peer), &c->peer);
	color(rp, C_BOLD);
	color(rp, C_RED);
	fputs_unlocked(c->flags & HT_FF_TLS ? "TLS handshake with " : "connect ", f);
	if (c->dns_name.len > 0) {
		put_safe(f, c->dns_name.p, c->dns_name.len);
		fprintf(f, " (%s)", peer[0] ? peer : "?");
	} else {
		fputs_unlocked(peer[0] ? peer : "?", f);
	}
	if (c->flags & HT_FF_TLS)
		fputs_unlocked(" failed", f);
	else
		fprintf(f, " failed: %s", strerror(c->err));
	color(rp, C_RESET);
	color(rp, C_DIM);
	fprintf(f, "  pid %u  conn %u", c->pid, c->conn_id);
	color(rp, C_RESET);
	putc_unlocked('\n', f);
	fmt_dur(d1, sizeof(d1), c->t_dns_start && c->t_dns_done ?
		(int64_t)(c->t_dns_done - c->t_dns_start) : REPORT_NONE);
	uint64_t tcp_end = c->flags & HT_FF_TLS ? c->t_connect_done : c->t_fail;
	fmt_dur(d2, sizeof(d2), c->t_connect_start && tcp_end ?
		(int64_t)(tcp_end - c->t_connect_start) : REPORT_NONE);
	fprintf(f, "   DNS Lookup %s  TCP Connection %s", d1, d2);
	if (c->flags & HT_FF_TLS) {
		char d3[32];
		uint64_t from = c->t_connect_done ? c->t_connect_done : c->t_tls_start;
		fmt_dur(d3, sizeof(d3), from && c->t_fail ?
			(int64_t)(c->t_fail - from) : REPORT_NONE);
		fprintf(f, "  TLS Handshake %s", d3);
	}
	fputs_unlocked("\n\n", f);
}

static int64_t span_ns(uint64_t start, uint64_t end)
{
	if (start == 0 || end == 0)
		return REPORT_NONE;
	return (int64_t)(end - start);
}

static void text_conn_close(report *rp, const ht_rec_conn_close *c)
{
	FILE *f = rp->out;
	char peer[192], hs[32], dur[32], out[32], in[32];

	/* Too noisy for the waterfall view; counted in the summary.  But a
	 * TLS connection no hook decoded is all there is to see of it. */
	if (!(c->flags & HT_CF_TLS_UNDECODED))
		return;
	report_peer_of(peer, sizeof(peer), &c->peer, c->peer_path);
	fmt_dur(hs, sizeof(hs), span_ns(c->t_tls_start, c->t_tls_done));
	fmt_dur(dur, sizeof(dur), span_ns(c->t_connect_start, c->t_close));
	fmt_bytes(out, sizeof(out), c->bytes_out);
	fmt_bytes(in, sizeof(in), c->bytes_in);
	color(rp, C_YELLOW);
	fputs_unlocked("TLS connection to ", f);
	if (c->sni.len > 0) {
		put_safe(f, c->sni.p, c->sni.len);
		fputs_unlocked(" (", f);
		put_safe(f, peer, strlen(peer));
		fputs_unlocked(")", f);
	} else {
		put_safe(f, peer, strlen(peer));
	}
	fputs_unlocked(" not decoded: unknown TLS library", f);
	color(rp, C_RESET);
	fputs_unlocked("\n  ", f);
	if (c->tls_version.len > 0) {
		put_safe(f, c->tls_version.p, c->tls_version.len);
		fputs_unlocked(", ", f);
	}
	fprintf(f, "handshake %s, %s out, %s in, %s\n\n", hs, out, in, dur);
}

static void text_summary(report *rp)
{
	FILE *f = rp->out;
	const report_stats *st = &rp->stats;
	report_host_stat **hosts;
	size_t n;
	char p50[32], p95[32];

	color(rp, C_BOLD);
	fputs_unlocked("httptrace summary\n", f);
	color(rp, C_RESET);
	fprintf(f, "  processes: %llu   requests: %llu   connections: %llu",
		(unsigned long long)st->processes,
		(unsigned long long)st->requests,
		(unsigned long long)report_connections(rp));
	if (st->conn_fails > 0)
		fprintf(f, " (+%llu failed)", (unsigned long long)st->conn_fails);
	fprintf(f, "   reused: %llu/%llu", (unsigned long long)st->reused,
		(unsigned long long)st->requests);
	if (st->requests > 0)
		fprintf(f, " (%.1f%%)", 100.0 * (double)st->reused /
						(double)st->requests);
	fprintf(f, "   errors: %llu\n", (unsigned long long)st->errors);
	if (st->server_requests > 0)
		fprintf(f, "  served by traced servers: %llu requests   "
			"errors: %llu\n",
			(unsigned long long)st->server_requests,
			(unsigned long long)st->server_errors);
	if (st->tls_undecoded > 0) {
		char names[256];

		report_undecoded_names(rp, names, sizeof(names));
		color(rp, C_YELLOW);
		fprintf(f, "  %llu TLS connection%s not decoded (unknown TLS "
			"library; counted in connections, their requests not)",
			(unsigned long long)st->tls_undecoded,
			st->tls_undecoded == 1 ? "" : "s");
		if (names[0] != '\0') {
			fputs_unlocked(": ", f);
			put_safe(f, names, strlen(names));
		}
		fputc_unlocked('\n', f);
		color(rp, C_RESET);
	}
	if (report_dropped(rp) > 0 || st->malformed > 0)
		color(rp, C_YELLOW);
	fprintf(f, "  dropped records: %llu by the traced processes, "
		"%llu malformed\n", (unsigned long long)report_dropped(rp),
		(unsigned long long)st->malformed);
	color(rp, C_RESET);
	for (size_t i = 0; i < st->n_notes; i++) {
		color(rp, C_YELLOW);
		fputs_unlocked("  not traced: ", f);
		put_safe(f, st->notes[i], strlen(st->notes[i]));
		fprintf(f, " (%llu process%s)\n", (unsigned long long)st->note_procs[i],
			st->note_procs[i] == 1 ? "" : "es");
		color(rp, C_RESET);
	}
	text_chains(rp);

	hosts = report_hosts_sorted(rp, &n);
	if (n > 0) {
		size_t w = 4;
		const report_host_stat *other = &st->other_hosts;

		for (size_t i = 0; i < n; i++)
			if (strlen(hosts[i]->name) > w)
				w = strlen(hosts[i]->name);
		if (w > 60)
			w = 60;
		fprintf(f, "  %-*s %9s %7s %11s %11s\n", (int)w, "host",
			"requests", "errors", "p50", "p95");
		for (size_t i = 0; i <= n; i++) {
			const report_host_stat *h = i < n ? hosts[i] : other;

			if (i == n && other->requests == 0)
				break;

			fmt_dur(p50, sizeof(p50),
				report_percentile(&h->totals, 50));
			fmt_dur(p95, sizeof(p95),
				report_percentile(&h->totals, 95));
			/* The hosts past REPORT_MAX_HOSTS: one row. */
			const char *name = i < n ? h->name : "(other hosts)";

			fputs_unlocked("  ", f);
			put_safe(f, name, strlen(name));
			fprintf(f, "%*s %9llu %7llu %11s %11s\n",
				(int)(w > strlen(name) ? w - strlen(name) : 0),
				"", (unsigned long long)h->requests,
				(unsigned long long)h->errors, p50, p95);
		}
	}
	free(hosts);
}

const report_format_ops report_text_ops = {
	.request = text_request,
	.conn_fail = text_conn_fail,
	.conn_close = text_conn_close,
	.summary = text_summary,
};

/* "-f summary": the text summary alone, nothing per request. */
static void summary_request(report *rp, const report_req *q)
{
}

static void summary_conn_close(report *rp, const ht_rec_conn_close *c)
{
}

static void summary_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
}

const report_format_ops report_summary_ops = {
	.request = summary_request,
	.conn_fail = summary_conn_fail,
	.conn_close = summary_conn_close,
	.summary = text_summary,
};
