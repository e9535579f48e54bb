/* report.c - derived values, statistics and format dispatch; see report.h. */
#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

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
		sbuf b = { buf, cap, 0 };

		for (int i = 0; i < 4; i++) {
			if (i > 0)
				sb_add(&b, ".", 1);
			sb_uint(&b, a->addr[i]);
		}
		return b.len;
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

static bool has_prefix_ci(ht_str s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && strncasecmp(s.p, prefix, n) == 0;
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
	} else if (r->dns_name.len > 0) {
		bool v6 = memchr(r->dns_name.p, ':', r->dns_name.len) != NULL;

		if (v6)
			sb_add(&b, "[", 1);
		sb_add(&b, r->dns_name.p, r->dns_name.len);
		if (v6)
			sb_add(&b, "]", 1);
		if (r->peer.family != 0 && r->peer.port != def_port)
			sb_port(&b, r->peer.port);
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
	if (r->dns_name.len > 0) {
		sb_add(&b, r->dns_name.p, r->dns_name.len);
	} else if (r->host.len > 0) {
		const char *h = r->host.p;
		size_t n = r->host.len;

		if (h[0] == '[') {
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
		sb_add(&b, h, n);
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

int64_t report_percentile(const int64_t *sorted, size_t n, unsigned pct)
{
	size_t rank;

	if (n == 0)
		return REPORT_NONE;
	if (pct > 100)
		pct = 100;
	/* ceil(pct * n / 100), at least 1 */
	rank = ((size_t)pct * n + 99) / 100;
	if (rank == 0)
		rank = 1;
	return sorted[rank - 1];
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

/* The stats of host @name, created when new; NULL when out of memory. */
static report_host_stat *host_get(report_stats *st, const char *name, size_t n)
{
	size_t i;

	/* Names are kept as C strings: a hostile name with a NUL is keyed
	 * by what comes before it, or each record would add an entry. */
	n = strnlen(name, n);
	if ((st->hosts_n + 1) * 2 > st->hosts_cap && hosts_grow(st) < 0)
		return NULL;
	i = host_slot(st, name, n);
	if (st->hosts[i].name == NULL) {
		st->hosts[i].name = strndup(name, n);
		if (st->hosts[i].name == NULL)
			return NULL;
		st->hosts_n++;
	}
	return &st->hosts[i];
}

static void host_add_total(report_host_stat *h, int64_t total)
{
	if (h->n_totals == h->cap_totals) {
		size_t cap = h->cap_totals ? h->cap_totals * 2 : 16;
		int64_t *t = realloc(h->totals, cap * sizeof(*t));

		if (t == NULL)
			return;
		h->totals = t;
		h->cap_totals = cap;
	}
	h->totals[h->n_totals++] = total;
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
	u64map_put(&st->conns, (uint64_t)r->pid << 32 | r->conn_id, 1);

	h = host_get(st, q->host, q->host_len);
	if (h == NULL)
		return;
	h->requests++;
	if (r->error != HT_ERR_NONE)
		h->errors++;
	if (q->t.total != REPORT_NONE)
		host_add_total(h, q->t.total);
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

void report_init(report *rp, FILE *out, enum report_format format, bool color)
{
	memset(&rp->stats, 0, sizeof(rp->stats));
	rp->out = out;
	rp->format = format;
	rp->color = color;
	switch (format) {
	case REPORT_JSON: rp->ops = &report_json_ops; break;
	case REPORT_EVENTS: rp->ops = &report_events_ops; break;
	case REPORT_HAR: rp->ops = &report_har_ops; break;
	case REPORT_SUMMARY: rp->ops = &report_summary_ops; break;
	case REPORT_OTLP: rp->ops = &report_otlp_ops; break;
	default: rp->ops = &report_text_ops; break;
	}
	rp->fmt_state = NULL;
	rp->mono_to_unix = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_MONOTONIC);
	rp->url[0] = rp->host[0] = rp->peer[0] = '\0';
}

int64_t report_unix_ns(const report *rp, uint64_t mono)
{
	if (mono == 0)
		return REPORT_NONE;
	/* Unsigned: a corrupt timestamp wraps instead of overflowing. */
	return (int64_t)(mono + (uint64_t)rp->mono_to_unix);
}

void report_record(void *ctx, const ht_record *rec)
{
	report *rp = ctx;
	report_stats *st = &rp->stats;

	switch (rec->type) {
	case HT_REC_HELLO:
		st->processes++;
		if (rp->ops->hello != NULL)
			rp->ops->hello(rp, &rec->u.hello);
		break;
	case HT_REC_REQUEST: {
		const ht_rec_request *r = &rec->u.req;
		report_req q = { .r = r };

		report_timing_compute(r, &q.t);
		q.url = rp->url;
		q.url_len = report_url(rp->url, sizeof(rp->url), r);
		q.host = rp->host;
		q.host_len = report_host(rp->host, sizeof(rp->host), r);
		q.peer = rp->peer;
		q.peer_len = report_peer(rp->peer, sizeof(rp->peer), &r->peer);
		q.proto = report_proto_str(r->proto);
		q.error = r->error != HT_ERR_NONE ? ht_error_str(r->error) : NULL;
		stats_request(st, &q);
		rp->ops->request(rp, &q);
		break;
	}
	case HT_REC_CONN_FAIL:
		st->conn_fails++;
		rp->ops->conn_fail(rp, &rec->u.fail);
		break;
	case HT_REC_CONN_CLOSE:
		st->conn_closes++;
		rp->ops->conn_close(rp, &rec->u.close);
		break;
	case HT_REC_DROPS:
		u64map_put(&st->drops, rec->u.drops.pid, rec->u.drops.dropped);
		break;
	default:
		break;
	}
}

void report_flush(void *ctx)
{
	report *rp = ctx;

	fflush(rp->out);
}

uint64_t report_dropped(const report *rp)
{
	const report_u64map *m = &rp->stats.drops;
	uint64_t sum = m->has_zero ? m->zero_val : 0;

	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != 0)
			sum += m->vals[i];
	return sum;
}

uint64_t report_connections(const report *rp)
{
	return rp->stats.conns.n + (rp->stats.conns.has_zero ? 1 : 0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
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

		if (h->name == NULL)
			continue;
		/* qsort() must not get NULL, even for 0 elements (a host
		 * whose requests all lacked a total has no array). */
		if (h->n_totals > 1)
			qsort(h->totals, h->n_totals, sizeof(*h->totals),
			      cmp_i64);
		v[k++] = h;
	}
	qsort(v, k, sizeof(*v), cmp_host);
	*n = k;
	return v;
}

int report_finish(report *rp, uint64_t malformed)
{
	rp->stats.malformed = malformed;
	if (rp->ops->summary != NULL)
		rp->ops->summary(rp);
	if (fflush(rp->out) != 0 || ferror(rp->out))
		return -EIO;
	return 0;
}

void report_free(report *rp)
{
	report_stats *st = &rp->stats;

	if (rp->ops != NULL && rp->ops->free != NULL)
		rp->ops->free(rp);
	rp->fmt_state = NULL;
	for (size_t i = 0; i < st->hosts_cap; i++) {
		free(st->hosts[i].name);
		free(st->hosts[i].totals);
	}
	free(st->hosts);
	u64map_free(&st->conns);
	u64map_free(&st->drops);
	memset(st, 0, sizeof(*st));
}
