/* report.c - derived values, statistics and format dispatch; see report.h. */
#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "headers.h"

/* ---- derived timings ---------------------------------------------------- */

/* end - start when both happened, else REPORT_NONE. */
static int64_t span(uint64_t start, uint64_t end)
{
	if (start == 0 || end == 0)
		return REPORT_NONE;
	return (int64_t)(end - start);
}

void report_timing_compute(const ht_rec_request *r, report_timing *t)
{
	const uint64_t *ts = r->t;
	static const enum ht_ts starts[] = {
		HT_T_DNS_START, HT_T_CONNECT_START, HT_T_TLS_START, HT_T_GOT_CONN,
	};

	t->dns = span(ts[HT_T_DNS_START], ts[HT_T_DNS_DONE]);
	t->connect = span(ts[HT_T_CONNECT_START], ts[HT_T_CONNECT_DONE]);
	/* The TLS phase runs from the TCP connection being up to the
	 * handshake's end, as curl's time_appconnect and httpstat count it:
	 * the client's TLS set-up before its first handshake call is part
	 * of it, and the waterfall has no gap. */
	uint64_t tls_from = ts[HT_T_TLS_START];
	if (ts[HT_T_CONNECT_DONE] && tls_from && ts[HT_T_CONNECT_DONE] < tls_from)
		tls_from = ts[HT_T_CONNECT_DONE];
	if (r->side == HT_SIDE_SERVER) {
		/* accepted at once: the phase is the wait for the client's
		 * first bytes (its handshake's, or its request's) */
		t->connect = span(ts[HT_T_CONNECT_DONE],
				  tls_from ? tls_from : ts[HT_T_GOT_CONN]);
		tls_from = ts[HT_T_TLS_START];
	}
	t->tls = span(tls_from, ts[HT_T_TLS_DONE]);
	t->send = span(ts[HT_T_GOT_CONN], ts[HT_T_WROTE_REQUEST]);

	t->wait = span(ts[HT_T_WROTE_REQUEST], ts[HT_T_FIRST_BYTE]);
	if (t->wait != REPORT_NONE && t->wait < 0) {
		/* The response began before the body was sent (100 Continue, or
		 * an early error): server time is counted from the headers. */
		t->wait = span(ts[HT_T_WROTE_HEADERS], ts[HT_T_FIRST_BYTE]);
		if (t->wait == REPORT_NONE || t->wait < 0)
			t->wait = 0;
	}
	t->receive = span(ts[HT_T_FIRST_BYTE], ts[HT_T_RESPONSE_DONE]);

	t->start = 0;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		uint64_t v = ts[starts[i]];

		if (v != 0 && (t->start == 0 || v < t->start))
			t->start = v;
	}
	t->total = span(t->start, ts[HT_T_RESPONSE_DONE]);

	t->idle = REPORT_NONE;
	if (r->flags & HT_RF_WAS_IDLE)
		t->idle = span(ts[HT_T_IDLE_SINCE], ts[HT_T_GOT_CONN]);
}

/* ---- URL, host, peer ---------------------------------------------------- */

/* An appending writer into a fixed buffer that truncates silently. */
typedef struct sbuf {
	char *p;
	size_t cap, len; /* len < cap always: room for the NUL */
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	size_t room = b->cap - 1 - b->len;

	if (n > room)
		n = room;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Append @v in decimal (a hot path: no printf). */
static void sb_uint(sbuf *b, unsigned v)
{
	char tmp[12];
	char *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	sb_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void sb_port(sbuf *b, unsigned port)
{
	sb_add(b, ":", 1);
	sb_uint(b, port);
}

size_t report_ip(char *buf, size_t cap, const ht_addr *a)
{
	int af = a->family == AF_INET6 ? AF_INET6 : AF_INET;

	buf[0] = '\0';
	if (a->family == AF_INET && cap >= INET_ADDRSTRLEN) {
		/* inet_ntop() goes through sprintf: too slow per record. */
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			unsigned v = a->addr[i];

			if (v >= 100) {
				*p++ = (char)('0' + v / 100);
				v %= 100;
				*p++ = (char)('0' + v / 10);
			} else if (v >= 10) {
				*p++ = (char)('0' + v / 10);
			}
			*p++ = (char)('0' + v % 10);
			*p++ = '.';
		}
		p[-1] = '\0';
		return (size_t)(p - 1 - buf);
	}
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(af, a->addr, buf, (socklen_t)cap) == NULL) {
		buf[0] = '\0';
		return 0;
	}
	return strlen(buf);
}

/* Append the peer IP, [bracketed] when IPv6. */
static void sb_ip(sbuf *b, const ht_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n = report_ip(ip, sizeof(ip), a);

	if (n == 0)
		return;
	if (a->family == AF_INET6)
		sb_add(b, "[", 1);
	sb_add(b, ip, n);
	if (a->family == AF_INET6)
		sb_add(b, "]", 1);
}

size_t report_peer(char *buf, size_t cap, const ht_addr *a)
{
	sbuf b = { buf, cap, 0 };

	buf[0] = '\0';
	sb_ip(&b, a);
	if (b.len > 0)
		sb_port(&b, a->port);
	return b.len;
}

size_t report_peer_of(char *buf, size_t cap, const ht_addr *a, ht_str path)
{
	sbuf b = { buf, cap, 0 };

	if (a->family != HT_AF_UNIX)
		return report_peer(buf, cap, a);
	buf[0] = '\0';
	sb_adds(&b, "unix:");
	sb_add(&b, path.p, path.len);
	return b.len;
}

/* Append the host of the authority @h (@n bytes): without ":port", and
 * without the brackets of an IPv6 literal. */
static void sb_authority_host(sbuf *b, const char *h, size_t n)
{
	if (n > 0 && h[0] == '[') {
		/* "[v6]" or "[v6]:port": the address inside the brackets. */
		const char *close = memchr(h, ']', n);

		if (close != NULL) {
			n = (size_t)(close - h) - 1;
			h++;
		}
	} else {
		const char *colon = memchr(h, ':', n);

		/* Strip ":port" only when there is exactly one colon. */
		if (colon != NULL &&
		    memchr(colon + 1, ':', n - (size_t)(colon - h) - 1) == NULL)
			n = (size_t)(colon - h);
	}
	sb_add(b, h, n);
}

/* Append the authority @h (@n bytes), without ":@def_port". */
static void sb_authority(sbuf *b, const char *h, size_t n, unsigned def_port)
{
	const char *colon = NULL;

	for (size_t i = n; i > 0; i--) {
		if (h[i - 1] == ':') {
			colon = h + i - 1;
			break;
		}
		if (h[i - 1] < '0' || h[i - 1] > '9')
			break;
	}
	if (colon != NULL && (colon == h || colon[-1] == ']' ||
			      memchr(h, ':', (size_t)(colon - h)) == NULL)) {
		unsigned port = 0;

		for (const char *d = colon + 1; d < h + n && port < 100000; d++)
			port = port * 10 + (unsigned)(*d - '0');
		if (port == def_port)
			n = (size_t)(colon - h);
	}
	sb_add(b, h, n);
}

static bool has_prefix_ci(ht_str s, const char *prefix)
{
	size_t n = strlen(prefix);

	/* The first letter first: most targets are "/...". */
	return s.len >= n && (s.p[0] | 0x20) == (prefix[0] | 0x20) &&
	       strncasecmp(s.p, prefix, n) == 0;
}

size_t report_url(char *buf, size_t cap, const ht_rec_request *r)
{
	sbuf b = { buf, cap, 0 };
	bool tls = (r->flags & HT_RF_TLS) != 0;
	unsigned def_port = tls ? 443 : 80;

	buf[0] = '\0';
	if (has_prefix_ci(r->target, "http://") ||
	    has_prefix_ci(r->target, "https://") ||
	    (r->method.len == 7 && memcmp(r->method.p, "CONNECT", 7) == 0 &&
	     r->target.len > 0)) {
		sb_add(&b, r->target.p, r->target.len);
		return b.len;
	}

	sb_adds(&b, tls ? "https://" : "http://");
	if (r->host.len > 0) {
		sb_add(&b, r->host.p, r->host.len); /* as sent, port included */
	} else if ((r->flags & HT_RF_TUNNEL) && r->tunnel.len > 0) {
		/* inside a tunnel: the target the proxy was asked for, not
		 * the proxy's name and port */
		sb_authority(&b, r->tunnel.p, r->tunnel.len, def_port);
	} else if (r->dns_name.len > 0) {
		bool v6 = memchr(r->dns_name.p, ':', r->dns_name.len) != NULL;

		if (v6)
			sb_add(&b, "[", 1);
		sb_add(&b, r->dns_name.p, r->dns_name.len);
		if (v6)
			sb_add(&b, "]", 1);
		if (r->peer.family != 0 && r->peer.port != def_port)
			sb_port(&b, r->peer.port);
	} else if (r->peer.family == HT_AF_UNIX) {
		sb_adds(&b, "localhost"); /* as curl names a Unix socket's host */
	} else if (r->peer.family != 0) {
		sb_ip(&b, &r->peer);
		if (r->peer.port != def_port)
			sb_port(&b, r->peer.port);
	}
	/* Asterisk-form ("OPTIONS *") has no path to append. */
	if (!(r->target.len == 1 && r->target.p[0] == '*'))
		sb_add(&b, r->target.p, r->target.len);
	return b.len;
}

size_t report_host(char *buf, size_t cap, const ht_rec_request *r)
{
	sbuf b = { buf, cap, 0 };

	buf[0] = '\0';
	if ((r->flags & HT_RF_TUNNEL) && r->tunnel.len > 0) {
		/* the target the proxy connected to, not the proxy's name */
		sb_authority_host(&b, r->tunnel.p, r->tunnel.len);
	} else if (r->dns_name.len > 0) {
		sb_add(&b, r->dns_name.p, r->dns_name.len);
	} else if (r->host.len > 0) {
		sb_authority_host(&b, r->host.p, r->host.len);
	} else if (r->peer.family == HT_AF_UNIX) {
		sb_adds(&b, "localhost");
	} else {
		char ip[INET6_ADDRSTRLEN];

		sb_add(&b, ip, report_ip(ip, sizeof(ip), &r->peer));
	}
	return b.len;
}

const char *report_proto_str(unsigned proto)
{
	switch (proto) {
	case HT_PROTO_HTTP10: return "HTTP/1.0";
	case HT_PROTO_HTTP11: return "HTTP/1.1";
	case HT_PROTO_HTTP2: return "HTTP/2";
	default: return NULL;
	}
}

int64_t report_percentile(const sketch *s, unsigned pct)
{
	int64_t v;

	return sketch_percentile(s, pct, &v) ? v : REPORT_NONE;
}

/* ---- statistics --------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The slot of @key in @m (empty or holding it); m->cap > m->n. */
static size_t u64map_slot(const report_u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)mix64(key) & mask;

	while (m->keys[i] != 0 && m->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static int u64map_grow(report_u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	report_u64map n = { .cap = cap };

	n.keys = calloc(cap, sizeof(*n.keys));
	n.vals = calloc(cap, sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] != 0) {
			size_t j = u64map_slot(&n, m->keys[i]);

			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
		}
	}
	free(m->keys);
	free(m->vals);
	m->keys = n.keys;
	m->vals = n.vals;
	m->cap = cap;
	return 0;
}

/* Set @key to @val; returns true when the key is new.  Out of memory, the
 * key is not stored (statistics degrade, the collector keeps running). */
static bool u64map_put(report_u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (key == 0) {
		bool fresh = !m->has_zero;

		m->has_zero = true;
		m->zero_val = val;
		return fresh;
	}
	if ((m->n + 1) * 4 > m->cap * 3 && u64map_grow(m) < 0)
		return false;
	i = u64map_slot(m, key);
	m->vals[i] = val;
	if (m->keys[i] == key)
		return false;
	m->keys[i] = key;
	m->n++;
	return true;
}

/* Remove @key (backward-shift deletion: the keys after it in its probe
 * run move up, so lookups never meet a hole).  Returns true when it was
 * there. */
static bool u64map_del(report_u64map *m, uint64_t key)
{
	size_t mask, i, j;

	if (key == 0) {
		bool had = m->has_zero;

		m->has_zero = false;
		return had;
	}
	if (m->cap == 0)
		return false;
	mask = m->cap - 1;
	i = u64map_slot(m, key);
	if (m->keys[i] != key)
		return false;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (m->keys[j] == 0)
			break;
		home = (size_t)mix64(m->keys[j]) & mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		i = j;
	}
	m->keys[i] = 0;
	m->n--;
	return true;
}

/* Whether @key is in @m. */
static bool u64map_has(const report_u64map *m, uint64_t key)
{
	if (key == 0)
		return m->has_zero;
	return m->cap > 0 && m->keys[u64map_slot(m, key)] == key;
}

static void u64map_free(report_u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t host_slot(const report_stats *st, const char *name, size_t n)
{
	size_t mask = st->hosts_cap - 1;
	size_t i = (size_t)hash_str(name, n) & mask;

	while (st->hosts[i].name != NULL &&
	       !(strlen(st->hosts[i].name) == n &&
		 memcmp(st->hosts[i].name, name, n) == 0))
		i = (i + 1) & mask;
	return i;
}

static int hosts_grow(report_stats *st)
{
	size_t cap = st->hosts_cap ? st->hosts_cap * 2 : 16;
	report_host_stat *old = st->hosts;
	size_t old_cap = st->hosts_cap;
	report_host_stat *hosts = calloc(cap, sizeof(*hosts));

	if (hosts == NULL)
		return -ENOMEM;
	st->hosts = hosts;
	st->hosts_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].name != NULL)
			hosts[host_slot(st, old[i].name, strlen(old[i].name))] = old[i];
	}
	free(old);
	return 0;
}

/* The stats of host @name, created when new; the shared row of the other
 * hosts when REPORT_MAX_HOSTS are kept already; NULL when out of memory. */
static report_host_stat *host_get(report_stats *st, const char *name, size_t n)
{
	size_t i;

	/* Names are kept as C strings: a hostile name with a NUL is keyed
	 * by what comes before it, or each record would add an entry. */
	n = strnlen(name, n);
	if (st->hosts_cap > 0) {
		i = host_slot(st, name, n);
		if (st->hosts[i].name != NULL)
			return &st->hosts[i];
	}
	if (st->hosts_n >= REPORT_MAX_HOSTS)
		return &st->other_hosts;
	if ((st->hosts_n + 1) * 2 > st->hosts_cap && hosts_grow(st) < 0)
		return NULL;
	i = host_slot(st, name, n);
	st->hosts[i].name = strndup(name, n);
	if (st->hosts[i].name == NULL)
		return NULL;
	sketch_init(&st->hosts[i].totals);
	st->hosts_n++;
	return &st->hosts[i];
}

/* Count the connection of @r once: remembered while it is open (up to
 * REPORT_MAX_OPEN_CONNS), else counted by its first request. */
static void conn_request(report_stats *st, const ht_rec_request *r)
{
	uint64_t key = (uint64_t)r->pid << 32 | r->conn_id;

	if (u64map_has(&st->conns, key))
		return;
	if (st->conns.n < REPORT_MAX_OPEN_CONNS &&
	    u64map_put(&st->conns, key, 1)) {
		st->connections++;
		return;
	}
	/* Not remembered (the table is full, or memory ran out). */
	if (r->req_seq <= 1) {
		st->connections++;
		st->conns_untracked++;
	}
}

static void stats_request(report_stats *st, const report_req *q)
{
	const ht_rec_request *r = q->r;
	report_host_stat *h;

	st->requests++;
	if (r->flags & HT_RF_REUSED)
		st->reused++;
	if (r->error != HT_ERR_NONE)
		st->errors++;
	conn_request(st, r);

	h = host_get(st, q->host, q->host_len);
	if (h == NULL)
		return;
	h->requests++;
	if (r->error != HT_ERR_NONE)
		h->errors++;
	if (q->t.total != REPORT_NONE)
		sketch_add(&h->totals, q->t.total);
}

/* ---- redirect chains ----------------------------------------------------- */

/* Link @q to the hop it follows, if any, and keep the chain's hops for the
 * summary. */
static void redirect_request(report *rp, report_req *q)
{
	const ht_rec_request *r = q->r;
	report_stats *st = &rp->stats;
	redirect_id id = { r->pid, r->conn_id, r->req_seq };
	ht_str loc = { NULL, 0 };

	memset(&q->redirect, 0, sizeof(q->redirect));
	q->redirect.hop = 1;
	q->redirect.chain = id;
	/* Most requests neither redirect nor follow a redirect of their
	 * process: their link is the default above, without normalizing
	 * their URL or looking for a Location header. */
	bool redirects = redirect_is_status(r->status);
	if (!redirects && !redirect_may_follow(rp->redirects, r->pid))
		return;
	if (rp->redirects == NULL) {
		rp->redirects = malloc(sizeof(*rp->redirects));
		if (rp->redirects == NULL)
			return;
		redirect_init(rp->redirects);
	}
	bool has_loc = redirects &&
		       headers_find(r->resp_headers, "location", &loc);
	redirect_observe(rp->redirects, id, q->url, r->status,
			 has_loc ? loc.p : NULL, loc.len, &q->redirect);
	if (!q->redirect.in_chain)
		return;
	if (q->redirect.followed)
		st->redirects_followed++;

	/* The chain this hop belongs to: the latest ones are searched first. */
	report_chain *c = NULL;
	for (size_t i = st->n_chains; i-- > 0;) {
		redirect_id k = st->chains[i].id;
		if (k.pid == q->redirect.chain.pid &&
		    k.conn == q->redirect.chain.conn &&
		    k.req == q->redirect.chain.req) {
			c = &st->chains[i];
			break;
		}
	}
	if (c == NULL) {
		if (q->redirect.followed || st->n_chains >= REPORT_MAX_CHAINS)
			return; /* its start was not kept */
		if (st->n_chains == st->cap_chains) {
			size_t cap = st->cap_chains ? st->cap_chains * 2 : 16;
			report_chain *v = realloc(st->chains, cap * sizeof(*v));
			if (v == NULL)
				return;
			st->chains = v;
			st->cap_chains = cap;
		}
		c = &st->chains[st->n_chains++];
		memset(c, 0, sizeof(*c));
		c->id = q->redirect.chain;
	}
	if (c->n_hops >= REPORT_MAX_HOPS)
		return;
	if (c->n_hops == c->cap_hops) {
		size_t cap = c->cap_hops ? c->cap_hops * 2 : 4;
		report_hop *v = realloc(c->hops, cap * sizeof(*v));
		if (v == NULL)
			return;
		c->hops = v;
		c->cap_hops = cap;
	}
	report_hop *h = &c->hops[c->n_hops];
	h->method = strndup(r->method.p ? r->method.p : "", r->method.len);
	h->url = strndup(q->url, q->url_len);
	if (h->method == NULL || h->url == NULL) {
		free(h->method);
		free(h->url);
		return;
	}
	h->status = r->status;
	h->conn = r->conn_id;
	h->req = r->req_seq;
	h->reused = (r->flags & HT_RF_REUSED) != 0;
	h->total = q->t.total;
	c->n_hops++;
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
	return ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_MONOTONIC);
}

void report_init(report *rp, FILE *out, enum report_format format, bool color)
{
	memset(&rp->stats, 0, sizeof(rp->stats));
	rp->out = out;
	outbuf_init(&rp->ob, out);
	rp->format = format;
	rp->color = color;
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

/* Remember the program @h runs (its base name), for naming the ones
 * that made TLS connections not decoded. */
static void stats_hello(report_stats *st, const ht_rec_hello *h)
{
	const char *name = h->exe.p;
	size_t n = h->exe.len;
	const char *slash = n ? memrchr(name, '/', n) : NULL;
	size_t i;

	if (slash != NULL) {
		n -= (size_t)(slash + 1 - name);
		name = slash + 1;
	}
	if (n == 0 || memchr(name, '\0', n) != NULL)
		return;
	for (i = 0; i < st->n_exes; i++)
		if (strlen(st->exes[i]) == n && memcmp(st->exes[i], name, n) == 0)
			break;
	if (i == st->n_exes) {
		if (i == REPORT_MAX_EXES || (st->exes[i] = strndup(name, n)) == NULL)
			return;
		st->n_exes++;
	}
	u64map_put(&st->pid_exe, h->pid, i + 1);
}

/* A TLS connection no hook decoded closed: it counts as a connection
 * (unless a request it carried, a CONNECT, counted it already). */
static void stats_undecoded(report_stats *st, const ht_rec_conn_close *c,
			    bool counted)
{
	size_t i;

	st->tls_undecoded++;
	if (!counted)
		st->connections++;
	if (c->pid == 0 || st->pid_exe.cap == 0)
		return;
	i = u64map_slot(&st->pid_exe, c->pid);
	if (st->pid_exe.keys[i] == c->pid && st->pid_exe.vals[i] > 0)
		st->undecoded_exes |= 1u << (st->pid_exe.vals[i] - 1);
}

size_t report_undecoded_names(const report *rp, char *buf, size_t cap)
{
	const report_stats *st = &rp->stats;
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->n_exes; i++) {
		if (!(st->undecoded_exes & (1u << i)))
			continue;
		int k = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "",
				 st->exes[i]);
		if (k < 0 || (size_t)k >= cap - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)k;
	}
	return o;
}

/* Count @n's text once per process that sent it; the text is kept as is
 * (formats escape it). */
static void stats_note(report_stats *st, const ht_rec_note *n)
{
	char *t;

	for (size_t i = 0; i < st->n_notes; i++)
		if (strlen(st->notes[i]) == n->text.len &&
		    memcmp(st->notes[i], n->text.p, n->text.len) == 0 &&
		    memchr(n->text.p, '\0', n->text.len) == NULL) {
			st->note_procs[i]++;
			return;
		}
	if (st->n_notes >= REPORT_MAX_NOTES || n->text.len == 0 ||
	    (t = malloc((size_t)n->text.len + 1)) == NULL)
		return;
	memcpy(t, n->text.p, n->text.len);
	t[n->text.len] = '\0';
	st->notes[st->n_notes] = t;
	st->note_procs[st->n_notes++] = 1;
}

void report_record(void *ctx, const ht_record *rec)
{
	report *rp = ctx;
	report_stats *st = &rp->stats;

	switch (rec->type) {
	case HT_REC_HELLO:
		/* A process that came back to this collector is not new. */
		if (!(rec->u.hello.flags & HT_HF_RECONNECT))
			st->processes++;
		stats_hello(st, &rec->u.hello);
		if (rp->ops->hello != NULL)
			rp->ops->hello(rp, &rec->u.hello);
		break;
	case HT_REC_REQUEST: {
		const ht_rec_request *r = &rec->u.req;
		report_req q;

		/* Every field is set below: no zero-filling first (a
		 * "rep stos" that cost a third of this function). */
		q.r = r;
		report_timing_compute(r, &q.t);
		q.url = rp->url;
		q.url_len = report_url(rp->url, sizeof(rp->url), r);
		q.host = rp->host;
		q.host_len = report_host(rp->host, sizeof(rp->host), r);
		q.peer = rp->peer;
		q.peer_len = report_peer_of(rp->peer, sizeof(rp->peer),
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
		q.error = r->error != HT_ERR_NONE ? ht_error_str(r->error) : NULL;
		if (r->side == HT_SIDE_SERVER) {
			/* a server's answers: counted apart, in no chain */
			memset(&q.redirect, 0, sizeof(q.redirect));
			q.redirect.hop = 1;
			st->server_requests++;
			if (r->error != HT_ERR_NONE)
				st->server_errors++;
		} else {
			redirect_request(rp, &q);
			stats_request(st, &q);
		}
		rp->ops->request(rp, &q);
		break;
	}
	case HT_REC_CONN_FAIL:
		st->conn_fails++;
		rp->ops->conn_fail(rp, &rec->u.fail);
		break;
	case HT_REC_CONN_CLOSE: {
		st->conn_closes++;
		/* Counted already; its requests are all in (they come
		 * before the close). */
		bool counted = u64map_del(&st->conns,
					  (uint64_t)rec->u.close.pid << 32 |
						  rec->u.close.conn_id);
		if (rec->u.close.flags & HT_CF_TLS_UNDECODED)
			stats_undecoded(st, &rec->u.close, counted);
		rp->ops->conn_close(rp, &rec->u.close);
		break;
	}
	case HT_REC_DROPS:
		/* The collector hands on increments (account.h). */
		st->dropped += rec->u.drops.dropped;
		break;
	case HT_REC_NOTE:
		stats_note(st, &rec->u.note);
		break;
	default:
		break;
	}
	/* A write of the FILE failed while formatting this record (its
	 * buffer filled up): the errno is the failed write's. */
	if (rp->out != NULL && rp->out_err == 0 && ferror_unlocked(rp->out))
		rp->out_err = errno ? errno : EIO;
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

uint64_t report_connections(const report *rp)
{
	return rp->stats.connections;
}

static int cmp_host(const void *a, const void *b)
{
	const report_host_stat *x = *(report_host_stat *const *)a;
	const report_host_stat *y = *(report_host_stat *const *)b;

	return strcmp(x->name, y->name);
}

report_host_stat **report_hosts_sorted(report *rp, size_t *n)
{
	report_stats *st = &rp->stats;
	report_host_stat **v;
	size_t k = 0;

	*n = 0;
	if (st->hosts_n == 0)
		return NULL;
	v = malloc(st->hosts_n * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < st->hosts_cap; i++) {
		report_host_stat *h = &st->hosts[i];

		if (h->name != NULL)
			v[k++] = h;
	}
	qsort(v, k, sizeof(*v), cmp_host);
	*n = k;
	return v;
}

int report_finish(report *rp, uint64_t malformed)
{
	int err;

	rp->stats.malformed = malformed;
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
	for (size_t i = 0; i < st->hosts_cap; i++) {
		free(st->hosts[i].name);
		sketch_free(&st->hosts[i].totals);
	}
	sketch_free(&st->other_hosts.totals);
	free(st->hosts);
	for (size_t i = 0; i < st->n_chains; i++) {
		for (size_t k = 0; k < st->chains[i].n_hops; k++) {
			free(st->chains[i].hops[k].method);
			free(st->chains[i].hops[k].url);
		}
		free(st->chains[i].hops);
	}
	free(st->chains);
	if (rp->redirects != NULL)
		redirect_free(rp->redirects);
	free(rp->redirects);
	rp->redirects = NULL;
	u64map_free(&st->conns);
	u64map_free(&st->pid_exe);
	for (size_t i = 0; i < st->n_exes; i++)
		free(st->exes[i]);
	for (size_t i = 0; i < st->n_notes; i++)
		free(st->notes[i]);
	memset(st, 0, sizeof(*st));
}
