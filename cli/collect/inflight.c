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
 * format's vocabulary), a client's and a server's (format_events.c: a
 * server's connect is its accept, one moment); NULL: not shown. */
static const char *const t_names[2][HT_T__COUNT] = {
	{
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
	},
	{
		[HT_T_CONNECT_DONE] = "accepted",
		[HT_T_TLS_START] = "tls_handshake_start",
		[HT_T_TLS_DONE] = "tls_handshake_done",
		[HT_T_GOT_CONN] = "request_begin",
		[HT_T_WROTE_HEADERS] = "read_request_headers",
		[HT_T_WROTE_REQUEST] = "read_request",
		[HT_T_GOT_1XX] = "wrote_1xx_response",
		[HT_T_FIRST_BYTE] = "wrote_first_response_byte",
	},
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

static void take_conn(void *ctx, const collector_inflight_conn *e)
{
	inflight_list *l = ctx;

	l->conn_total++;
	if (e->slot.kind == HT_LIVE_LOOKUP)
		l->lookup_total++;
	if (l->n_conns < l->cap_conns)
		l->conns[l->n_conns++] = *e;
}

static int conn_by_start(const void *a, const void *b)
{
	const collector_inflight_conn *x = a, *y = b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->slot.kind != y->slot.kind)
		return x->slot.kind < y->slot.kind ? -1 : 1;
	return x->slot.conn_id < y->slot.conn_id ? -1 :
	       x->slot.conn_id > y->slot.conn_id;
}

/* Make room for @want entries of @size in *@arr (capacity *@cap); out of
 * memory: as it was. */
static void room(void **arr, size_t *cap, size_t want, size_t size)
{
	if (want > INFLIGHT_MAX)
		want = INFLIGHT_MAX;
	if (want <= *cap)
		return;
	void *p = realloc(*arr, want * size);

	if (p != NULL) {
		*arr = p;
		*cap = want;
	}
}

size_t inflight_take(inflight_list *l, const collector *c, uint64_t now)
{
	room((void **)&l->reqs, &l->cap, collector_inflight(c, now, NULL, NULL),
	     sizeof(*l->reqs));
	room((void **)&l->conns, &l->cap_conns,
	     collector_inflight_conns(c, now, NULL, NULL), sizeof(*l->conns));
	l->n = l->total = 0;
	l->n_conns = l->conn_total = l->lookup_total = 0;
	l->now = now;
	collector_inflight(c, now, take_one, l);
	collector_inflight_conns(c, now, take_conn, l);
	l->unlisted = collector_unlisted(c);
	if (l->n > 1)
		qsort(l->reqs, l->n, sizeof(*l->reqs), by_start);
	if (l->n_conns > 1)
		qsort(l->conns, l->n_conns, sizeof(*l->conns), conn_by_start);
	return l->total + l->unlisted + l->conn_total;
}

void inflight_free(inflight_list *l)
{
	free(l->reqs);
	free(l->conns);
	memset(l, 0, sizeof(*l));
}

bool inflight_item_next(const inflight_list *l, size_t *i, size_t *j,
			inflight_item *out)
{
	out->req = NULL;
	out->conn = NULL;
	if (*i < l->n && (*j >= l->n_conns ||
			  l->reqs[*i].since <= l->conns[*j].since))
		out->req = &l->reqs[(*i)++];
	else if (*j < l->n_conns)
		out->conn = &l->conns[(*j)++];
	return out->req != NULL || out->conn != NULL;
}

/* What a request record made of @e's slot would hold (its strings are
 * the slot's), for the URL and host rules of records. */
static void slot_record(const collector_inflight_req *e, ht_rec_request *r)
{
	const ht_str none = { "", 0 };

	memset(r, 0, sizeof(*r));
	r->flags = e->slot.flags;
	if (e->slot.side == HT_LIVE_SERVER)
		r->flags |= HT_RF_SERVER; /* its peer the client */
	r->proto = e->slot.proto;
	r->peer = e->slot.peer;
	r->method = (ht_str){ e->slot.method, (uint16_t)strlen(e->slot.method) };
	r->target = (ht_str){ e->slot.target, (uint16_t)strlen(e->slot.target) };
	r->host = (ht_str){ e->slot.host, (uint16_t)strlen(e->slot.host) };
	r->dns_name = r->reason = r->content_type = none;
	r->tls_version = r->alpn = r->req_headers = none;
	r->resp_headers = r->peer_path = r->tunnel = none;
}

size_t inflight_url(char *buf, size_t cap, const collector_inflight_req *e)
{
	ht_rec_request r;

	slot_record(e, &r);
	return url_request(buf, cap, &r);
}

size_t inflight_host(char *buf, size_t cap, const collector_inflight_req *e)
{
	ht_rec_request r;

	slot_record(e, &r);
	return url_host(buf, cap, &r);
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
	const char *ph = ht_live_side_phase_text(e->phase,
						 e->slot.side == HT_LIVE_SERVER);
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

size_t inflight_conn_line(char *buf, size_t cap,
			  const collector_inflight_conn *e, size_t width)
{
	char peer[64], el[32];
	const char *ph = ht_live_phase_text(e->phase);
	const char *name = e->slot.name;
	size_t len = 0;

	buf[0] = '\0';
	fmt_elapsed(el, sizeof(el), e->elapsed);
	if (e->slot.kind == HT_LIVE_LOOKUP) {
		put_safe(buf, cap, &len, "dns ", width);
		put_safe(buf, cap, &len, name[0] ? name : "?", width);
	} else {
		url_peer(peer, sizeof(peer), &e->slot.peer);
		put_safe(buf, cap, &len, "connect ", width);
		if (name[0] != '\0') {
			put_safe(buf, cap, &len, name, width);
			put_safe(buf, cap, &len, " (", width);
			put_safe(buf, cap, &len, peer[0] ? peer : "?", width);
			put_safe(buf, cap, &len, ")", width);
		} else {
			put_safe(buf, cap, &len, peer[0] ? peer : "?", width);
		}
	}
	put_safe(buf, cap, &len, "  ", width);
	put_safe(buf, cap, &len, ph != NULL ? ph : "starting", width);
	put_safe(buf, cap, &len, "  ", width);
	put_safe(buf, cap, &len, el, width);
	return len;
}

size_t inflight_item_line(char *buf, size_t cap, const inflight_item *it,
			  size_t width)
{
	if (it->conn != NULL)
		return inflight_conn_line(buf, cap, it->conn, width);
	return inflight_line(buf, cap, it->req, width);
}

/* ", 2 name lookups" and the like, for a count @n not 0. */
static void count_more(outbuf *w, size_t n, const char *one, const char *many)
{
	char part[64];

	if (n == 0)
		return;
	snprintf(part, sizeof(part), ", %zu %s", n, n == 1 ? one : many);
	outbuf_puts(w, part);
}

void inflight_text(outbuf *w, const inflight_list *l)
{
	char line[HT_LIVE_HOST_MAX + HT_LIVE_TARGET_MAX + 256];
	char head[96];
	size_t listed = l->n + l->n_conns, i = 0, j = 0;
	size_t reqs = l->total + l->unlisted, all = reqs + l->conn_total;
	inflight_item it;

	snprintf(head, sizeof(head), "%zu request%s in flight", reqs,
		 reqs == 1 ? "" : "s");
	outbuf_puts(w, head);
	count_more(w, l->lookup_total, "name lookup", "name lookups");
	count_more(w, l->conn_total - l->lookup_total, "connection opening",
		   "connections opening");
	if (l->unlisted != 0) {
		/* some no slot shows: the page's limit, not ours */
		snprintf(head, sizeof(head),
			 " (%zu listed, %zu more in flight not listed)",
			 listed, all - listed);
		outbuf_puts(w, head);
	} else if (listed < all) {
		snprintf(head, sizeof(head), " (the oldest %zu listed)", listed);
		outbuf_puts(w, head);
	}
	outbuf_puts(w, "\n");
	while (inflight_item_next(l, &i, &j, &it)) {
		if (it.req != NULL)
			snprintf(head, sizeof(head), "  pid %u conn %u  ",
				 it.req->pid, it.req->conn_id);
		else if (it.conn->slot.kind == HT_LIVE_LOOKUP)
			snprintf(head, sizeof(head), "  pid %u lookup %u  ",
				 it.conn->pid, it.conn->slot.conn_id);
		else
			snprintf(head, sizeof(head), "  pid %u conn %u  ",
				 it.conn->pid, it.conn->conn_id);
		outbuf_puts(w, head);
		inflight_item_line(line, sizeof(line), &it, 0);
		outbuf_puts(w, line);
		outbuf_puts(w, "\n");
	}
}

/* One request as a JSON object. */
static void req_json(outbuf *w, const collector_inflight_req *e,
		     int64_t mono_to_unix)
{
	char url[HT_LIVE_HOST_MAX + HT_LIVE_TARGET_MAX + 96];
	char host[HT_LIVE_HOST_MAX + 64];
	size_t ulen = inflight_url(url, sizeof(url), e);
	size_t hlen = inflight_host(host, sizeof(host), e);
	const char *proto = report_proto_str(e->slot.proto);
	bool server = e->slot.side == HT_LIVE_SERVER;
	bool first = true;

	json_lit(w, "{\"pid\":");
	json_u64(w, e->pid);
	json_lit(w, ",\"conn\":");
	json_u64(w, e->conn_id);
	json_lit(w, ",\"req\":");
	json_u64(w, e->slot.req_seq);
	json_lit(w, ",\"side\":");
	json_lit(w, server ? "\"server\"" : "\"client\"");
	json_lit(w, ",\"method\":");
	json_strz(w, e->slot.method);
	json_lit(w, ",\"url\":");
	json_str(w, url, ulen);
	json_lit(w, ",\"host\":");
	json_str_or_null(w, host, hlen);
	json_lit(w, ",\"proto\":");
	json_strz(w, proto);
	if (e->slot.stream != 0) {
		json_lit(w, ",\"stream\":");
		json_u64(w, e->slot.stream);
	}
	json_lit(w, ",\"phase\":");
	json_strz(w, ht_live_side_phase_name(e->phase, server));
	json_lit(w, ",\"elapsed_ms\":");
	json_ns_ms(w, (int64_t)e->elapsed);
	json_lit(w, ",\"start\":");
	json_ns_secs(w, e->since ? (int64_t)(e->since + (uint64_t)mono_to_unix) :
				   JSON_NS_NULL);
	json_lit(w, ",\"events\":{");
	for (unsigned k = 0; k < HT_T__COUNT; k++) {
		if (t_names[server][k] == NULL || e->slot.t[k] == 0)
			continue;
		if (!first)
			json_lit(w, ",");
		first = false;
		json_lit(w, "\"");
		json_lit(w, t_names[server][k]);
		json_lit(w, "\":");
		json_ns_ms(w, e->slot.t[k] >= e->since ?
				      (int64_t)(e->slot.t[k] - e->since) : 0);
	}
	json_lit(w, "}}");
}

/* One lookup or connection as a JSON object. */
static void conn_json(outbuf *w, const collector_inflight_conn *e,
		      int64_t mono_to_unix)
{
	const struct {
		const char *name;
		uint64_t t;
	} ev[] = {
		{ "dns_start", e->slot.t_dns_start },
		{ "dns_done", e->slot.t_dns_done },
		{ "connect_start", e->slot.t_connect_start },
		{ "connect_done", e->slot.t_connect_done },
		{ "tls_handshake_start", e->slot.t_tls_start },
		{ "tls_handshake_done", e->slot.t_tls_done },
	};
	bool lookup = e->slot.kind == HT_LIVE_LOOKUP;
	bool first = true;

	json_lit(w, lookup ? "{\"kind\":\"dns\",\"pid\":" :
			     "{\"kind\":\"connection\",\"pid\":");
	json_u64(w, e->pid);
	if (lookup) {
		json_lit(w, ",\"lookup\":");
		json_u64(w, e->slot.conn_id);
	} else {
		char peer[64];
		size_t plen = url_peer(peer, sizeof(peer), &e->slot.peer);

		json_lit(w, ",\"conn\":");
		json_u64(w, e->conn_id);
		json_lit(w, ",\"peer\":");
		json_str_or_null(w, peer, plen);
		json_lit(w, ",\"tls\":");
		json_bool(w, e->slot.tls || e->slot.t_tls_start);
	}
	json_lit(w, ",\"host\":");
	json_str_or_null(w, e->slot.name, strlen(e->slot.name));
	json_lit(w, ",\"phase\":");
	json_strz(w, ht_live_phase_name(e->phase));
	json_lit(w, ",\"elapsed_ms\":");
	json_ns_ms(w, (int64_t)e->elapsed);
	json_lit(w, ",\"start\":");
	json_ns_secs(w, e->since ? (int64_t)(e->since + (uint64_t)mono_to_unix) :
				   JSON_NS_NULL);
	json_lit(w, ",\"events\":{");
	for (size_t k = 0; k < sizeof(ev) / sizeof(ev[0]); k++) {
		if (ev[k].t == 0)
			continue;
		if (!first)
			json_lit(w, ",");
		first = false;
		json_lit(w, "\"");
		json_lit(w, ev[k].name);
		json_lit(w, "\":");
		json_ns_ms(w, ev[k].t >= e->since ?
				      (int64_t)(ev[k].t - e->since) : 0);
	}
	json_lit(w, "}}");
}

void inflight_json(outbuf *w, const inflight_list *l, int64_t mono_to_unix)
{
	json_lit(w, "{\"in_flight\":");
	json_u64(w, l->total + l->unlisted);
	json_lit(w, ",\"listed\":");
	json_u64(w, l->n);
	json_lit(w, ",\"unlisted\":");
	json_u64(w, l->total + l->unlisted - l->n);
	json_lit(w, ",\"requests\":[");
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			json_lit(w, ",");
		req_json(w, &l->reqs[i], mono_to_unix);
	}
	json_lit(w, "],\"connecting\":");
	json_u64(w, l->conn_total);
	json_lit(w, ",\"connections_listed\":");
	json_u64(w, l->n_conns);
	json_lit(w, ",\"connections\":[");
	for (size_t i = 0; i < l->n_conns; i++) {
		if (i > 0)
			json_lit(w, ",");
		conn_json(w, &l->conns[i], mono_to_unix);
	}
	json_lit(w, "]}\n");
}
