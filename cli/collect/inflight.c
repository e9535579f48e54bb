/* inflight.c - the requests in flight, listed and formatted; see
 * inflight.h. */
#include "inflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "live.h"
#include "report.h"
#include "url.h"

/* The phase timestamps as Go's httptrace names the moments (the events
 * format's vocabulary); NULL: not shown. */
static const char *const t_names[HT_T__COUNT] = {
	[HT_T_DNS_START] = "dns_start",
	[HT_T_DNS_DONE] = "dns_done",
	[HT_T_CONNECT_START] = "connect_start",
	[HT_T_CONNECT_DONE] = "connect_done",
	[HT_T_TLS_START] = "tls_handshake_start",
	[HT_T_TLS_DONE] = "tls_handshake_done",
	[HT_T_GOT_CONN] = "got_conn",
	[HT_T_WROTE_HEADERS] = "wrote_headers",
	[HT_T_WROTE_REQUEST] = "wrote_request",
	[HT_T_GOT_1XX] = "got_1xx_response",
	[HT_T_FIRST_BYTE] = "got_first_response_byte",
};

static void take_one(void *ctx, const collector_inflight_req *e)
{
	inflight_list *l = ctx;

	l->total++;
	if (l->n < l->cap)
		l->reqs[l->n++] = *e;
}

static int by_start(const void *a, const void *b)
{
	const collector_inflight_req *x = a, *y = b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->conn_id != y->conn_id)
		return x->conn_id < y->conn_id ? -1 : 1;
	return x->slot.req_seq < y->slot.req_seq ? -1 :
	       x->slot.req_seq > y->slot.req_seq;
}

size_t inflight_take(inflight_list *l, const collector *c, uint64_t now)
{
	size_t want = collector_inflight(c, now, NULL, NULL);

	if (want > INFLIGHT_MAX)
		want = INFLIGHT_MAX;
	if (want > l->cap) {
		collector_inflight_req *p = realloc(l->reqs, want * sizeof(*p));

		if (p != NULL) {
			l->reqs = p;
			l->cap = want;
		}
	}
	l->n = l->total = 0;
	l->now = now;
	collector_inflight(c, now, take_one, l);
	if (l->n > 1)
		qsort(l->reqs, l->n, sizeof(*l->reqs), by_start);
	return l->total;
}

void inflight_free(inflight_list *l)
{
	free(l->reqs);
	memset(l, 0, sizeof(*l));
}

size_t inflight_url(char *buf, size_t cap, const collector_inflight_req *e)
{
	ht_rec_request r;
	const ht_str none = { "", 0 };

	memset(&r, 0, sizeof(r));
	r.flags = e->slot.flags;
	r.proto = e->slot.proto;
	r.peer = e->slot.peer;
	r.method = (ht_str){ e->slot.method, (uint16_t)strlen(e->slot.method) };
	r.target = (ht_str){ e->slot.target, (uint16_t)strlen(e->slot.target) };
	r.host = (ht_str){ e->slot.host, (uint16_t)strlen(e->slot.host) };
	r.dns_name = r.reason = r.content_type = none;
	r.tls_version = r.alpn = r.req_headers = none;
	r.resp_headers = r.peer_path = r.tunnel = none;
	return url_request(buf, cap, &r);
}

/* "2.51 s" or "120 ms", as the text report says a cut-short request's
 * time. */
static void fmt_elapsed(char *buf, size_t cap, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(buf, cap, "%.2f s", (double)ns / 1e9);
	else
		snprintf(buf, cap, "%.0f ms", (double)ns / 1e6);
}

/* Append @s to @buf at *@len (capacity @cap, room kept for the NUL),
 * bytes that are not printable ASCII as '?', at most up to column
 * @width (0: no limit). */
static void put_safe(char *buf, size_t cap, size_t *len, const char *s,
		     size_t width)
{
	for (; *s != '\0' && *len + 1 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (width != 0 && *len >= width)
			break;
		buf[(*len)++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[*len] = '\0';
}

size_t inflight_line(char *buf, size_t cap, const collector_inflight_req *e,
		     size_t width)
{
	char url[HT_LIVE_HOST_MAX + HT_LIVE_TARGET_MAX + 96];
	char el[32];
	const char *ph = ht_live_phase_text(e->phase);
	size_t len = 0;

	buf[0] = '\0';
	inflight_url(url, sizeof(url), e);
	fmt_elapsed(el, sizeof(el), e->elapsed);
	put_safe(buf, cap, &len, e->slot.method[0] ? e->slot.method : "?",
		 width);
	put_safe(buf, cap, &len, " ", width);
	put_safe(buf, cap, &len, url, width);
	put_safe(buf, cap, &len, "  ", width);
	put_safe(buf, cap, &len, ph != NULL ? ph : "starting", width);
	put_safe(buf, cap, &len, "  ", width);
	put_safe(buf, cap, &len, el, width);
	return len;
}

void inflight_text(outbuf *w, const inflight_list *l)
{
	char line[HT_LIVE_HOST_MAX + HT_LIVE_TARGET_MAX + 256];
	char head[96];

	snprintf(head, sizeof(head), "%zu request%s in flight", l->total,
		 l->total == 1 ? "" : "s");
	outbuf_puts(w, head);
	if (l->n < l->total) {
		snprintf(head, sizeof(head), " (the oldest %zu listed)", l->n);
		outbuf_puts(w, head);
	}
	outbuf_puts(w, "\n");
	for (size_t i = 0; i < l->n; i++) {
		const collector_inflight_req *e = &l->reqs[i];

		snprintf(head, sizeof(head), "  pid %u conn %u  ", e->pid,
			 e->conn_id);
		outbuf_puts(w, head);
		inflight_line(line, sizeof(line), e, 0);
		outbuf_puts(w, line);
		outbuf_puts(w, "\n");
	}
}

/* One request as a JSON object. */
static void req_json(outbuf *w, const collector_inflight_req *e,
		     int64_t mono_to_unix)
{
	char url[HT_LIVE_HOST_MAX + HT_LIVE_TARGET_MAX + 96];
	size_t ulen = inflight_url(url, sizeof(url), e);
	const char *proto = report_proto_str(e->slot.proto);
	bool first = true;

	json_lit(w, "{\"pid\":");
	json_u64(w, e->pid);
	json_lit(w, ",\"conn\":");
	json_u64(w, e->conn_id);
	json_lit(w, ",\"req\":");
	json_u64(w, e->slot.req_seq);
	json_lit(w, ",\"side\":");
	json_lit(w, e->slot.side == HT_LIVE_SERVER ? "\"server\"" : "\"client\"");
	json_lit(w, ",\"method\":");
	json_strz(w, e->slot.method);
	json_lit(w, ",\"url\":");
	json_str(w, url, ulen);
	json_lit(w, ",\"host\":");
	json_str_or_null(w, e->slot.host, strlen(e->slot.host));
	json_lit(w, ",\"proto\":");
	json_strz(w, proto);
	if (e->slot.stream != 0) {
		json_lit(w, ",\"stream\":");
		json_u64(w, e->slot.stream);
	}
	json_lit(w, ",\"phase\":");
	json_strz(w, ht_live_phase_name(e->phase));
	json_lit(w, ",\"elapsed_ms\":");
	json_ns_ms(w, (int64_t)e->elapsed);
	json_lit(w, ",\"start\":");
	json_ns_secs(w, e->since ? (int64_t)(e->since + (uint64_t)mono_to_unix) :
				   JSON_NS_NULL);
	json_lit(w, ",\"events\":{");
	for (unsigned k = 0; k < HT_T__COUNT; k++) {
		if (t_names[k] == NULL || e->slot.t[k] == 0)
			continue;
		if (!first)
			json_lit(w, ",");
		first = false;
		json_lit(w, "\"");
		json_lit(w, t_names[k]);
		json_lit(w, "\":");
		json_ns_ms(w, e->slot.t[k] >= e->since ?
				      (int64_t)(e->slot.t[k] - e->since) : 0);
	}
	json_lit(w, "}}");
}

void inflight_json(outbuf *w, const inflight_list *l, int64_t mono_to_unix)
{
	json_lit(w, "{\"in_flight\":");
	json_u64(w, l->total);
	json_lit(w, ",\"listed\":");
	json_u64(w, l->n);
	json_lit(w, ",\"requests\":[");
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			json_lit(w, ",");
		req_json(w, &l->reqs[i], mono_to_unix);
	}
	json_lit(w, "]}\n");
}
