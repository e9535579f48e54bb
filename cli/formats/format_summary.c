/*
 * format_summary.c - the summary at the end of the run, for people: per-host
 * percentiles, redirect chains, what was not seen.  "-f text" ends with it,
 * "-f summary" is it alone.
 */
#include <stdlib.h>
#include <string.h>

#include "format_text.h"
#include "report.h"

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
		text_fmt_dur(buf, sizeof(buf), sum);
		fprintf(f, "  chain %u/%u/%u: %zu hops, %s in all\n", c->id.pid,
			c->id.conn, c->id.req, c->n_hops, buf);
		for (size_t k = 0; k < c->n_hops; k++) {
			const report_hop *h = &c->hops[k];

			fprintf(f, "    %zu  ", k + 1);
			text_put_safe(f, h->method, strlen(h->method));
			putc_unlocked(' ', f);
			text_put_safe(f, h->url, strlen(h->url));
			text_fmt_dur(buf, sizeof(buf), h->total);
			if (h->status)
				fprintf(f, " -> %u", h->status);
			else
				fputs_unlocked(" -> no response", f);
			fprintf(f, "  %s conn %u  %s\n",
				h->reused ? "reused" : "new", h->conn, buf);
		}
	}
}

void text_summary(report *rp)
{
	FILE *f = rp->out;
	const report_stats *st = &rp->stats;
	report_host_stat **hosts;
	size_t n;
	char p50[32], p95[32];

	text_color(rp, C_BOLD);
	fputs_unlocked("httptrace summary\n", f);
	text_color(rp, C_RESET);
	/* The processes that made requests; of the ones that did not, the
	 * library knows only those that connected to the collector (at
	 * their first tracked connection). */
	fprintf(f, "  processes: %llu with requests (%llu traced)   "
		"requests: %llu   connections: %llu",
		(unsigned long long)st->req_processes,
		(unsigned long long)st->processes,
		(unsigned long long)st->requests,
		(unsigned long long)report_connections(rp));
	/* only when some: the line stays as it was otherwise */
	if (st->conns_no_request > 0)
		fprintf(f, " (%llu closed with no request)",
			(unsigned long long)st->conns_no_request);
	if (st->conn_fails > 0)
		fprintf(f, " (+%llu failed)", (unsigned long long)st->conn_fails);
	fprintf(f, "   reused: %llu/%llu", (unsigned long long)st->reused,
		(unsigned long long)st->requests);
	if (st->requests > 0)
		fprintf(f, " (%.1f%%)", 100.0 * (double)st->reused /
						(double)st->requests);
	fprintf(f, "   errors: %llu", (unsigned long long)st->errors);
	/* only when some: the line stays as it was otherwise */
	if (st->not_followed > 0)
		fprintf(f, "   not followed: %llu",
			(unsigned long long)st->not_followed);
	if (st->lookups_cut > 0)
		fprintf(f, "   lookups cut short: %llu",
			(unsigned long long)st->lookups_cut);
	if (st->lookups_failed > 0)
		fprintf(f, "   lookups failed: %llu",
			(unsigned long long)st->lookups_failed);
	if (st->ws_sessions > 0)
		fprintf(f, "   websocket sessions: %llu",
			(unsigned long long)st->ws_sessions);
	putc_unlocked('\n', f);
	if (st->server_requests > 0) {
		fprintf(f, "  served by traced servers: %llu requests   "
			"errors: %llu",
			(unsigned long long)st->server_requests,
			(unsigned long long)st->server_errors);
		/* only when some: the line stays as it was otherwise */
		if (st->server_not_served > 0)
			fprintf(f, "   not served: %llu (sent after a request "
				"that asked to close)",
				(unsigned long long)st->server_not_served);
		putc_unlocked('\n', f);
	}
	if (st->tls_undecoded > 0) {
		char names[256];

		report_undecoded_names(rp, names, sizeof(names));
		text_color(rp, C_YELLOW);
		fprintf(f, "  %llu TLS connection%s not decoded (unknown TLS "
			"library; counted in connections, their requests not)",
			(unsigned long long)st->tls_undecoded,
			st->tls_undecoded == 1 ? "" : "s");
		if (names[0] != '\0') {
			fputs_unlocked(": ", f);
			text_put_safe(f, names, strlen(names));
		}
		fputc_unlocked('\n', f);
		text_color(rp, C_RESET);
	}
	char dropped[96];

	report_dropped_text(rp, dropped, sizeof(dropped));
	if (report_dropped(rp) > 0 || st->malformed > 0)
		text_color(rp, C_YELLOW);
	fprintf(f, "  dropped by the traced processes: %s; %llu malformed\n",
		dropped, (unsigned long long)st->malformed);
	text_color(rp, C_RESET);
	if (st->refused > 0) {
		/* the collector never saw them: the report is not whole */
		text_color(rp, C_YELLOW);
		fprintf(f, "  refused by the collector: %llu process%s "
			"(another user's, or no room): what %s sent was "
			"never seen\n", (unsigned long long)st->refused,
			st->refused == 1 ? "" : "es",
			st->refused == 1 ? "it" : "they");
		text_color(rp, C_RESET);
	}
	for (size_t i = 0; i < st->n_notes; i++) {
		text_color(rp, C_YELLOW);
		fputs_unlocked("  not traced: ", f);
		text_put_safe(f, st->notes[i], strlen(st->notes[i]));
		fprintf(f, " (%llu process%s)\n", (unsigned long long)st->note_procs[i],
			st->note_procs[i] == 1 ? "" : "es");
		text_color(rp, C_RESET);
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

			text_fmt_dur(p50, sizeof(p50),
				report_percentile(&h->totals, 50));
			text_fmt_dur(p95, sizeof(p95),
				report_percentile(&h->totals, 95));
			/* The hosts past REPORT_MAX_HOSTS: one row. */
			const char *name = i < n ? h->name : "(other hosts)";

			fputs_unlocked("  ", f);
			text_put_safe(f, name, strlen(name));
			fprintf(f, "%*s %9llu %7llu %11s %11s\n",
				(int)(w > strlen(name) ? w - strlen(name) : 0),
				"", (unsigned long long)h->requests,
				(unsigned long long)h->errors, p50, p95);
		}
	}
	free(hosts);
}

static void summary_conn_close(report *rp, const ht_rec_conn_close *c)
{
}

static void summary_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
}

const report_format_ops report_summary_ops = {
	/* "-f summary": the text summary alone, nothing per request */
	.request = NULL,
	.conn_fail = summary_conn_fail,
	.conn_close = summary_conn_close,
	.summary = text_summary,
};
