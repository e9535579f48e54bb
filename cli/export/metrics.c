/* metrics.c - Prometheus metrics state and exposition text; see metrics.h. */
#include "metrics.h"
#include "json.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc.h"

/* OpenTelemetry's advice for http.client.request.duration (seconds). */
const double metrics_bounds[METRICS_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
};

size_t metrics_bucket(double secs)
{
	size_t i = 0;

	while (i < METRICS_BUCKETS && !(secs <= metrics_bounds[i]))
		i++;
	return i;
}

void metrics_observe(metrics_hist *h, double secs)
{
	h->bucket[metrics_bucket(secs)]++;
	h->count++;
	h->sum += secs;
}

void metrics_init(metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->mu, NULL);
}

void metrics_free(metrics *m)
{
	for (size_t i = 0; i < m->n_hosts; i++)
		free(m->hosts[i].name);
	free(m->hosts);
	free(m->series);
	free(m->host_idx);
	free(m->series_idx);
	pthread_mutex_destroy(&m->mu);
	memset(m, 0, sizeof(*m));
}

/* ---- lookups ------------------------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#define FNV0 14695981039346656037ULL

/* Double the index @idx (capacity *@cap) and re-insert every entry with
 * @hash_of(i). */
static int reindex(uint32_t **idx, size_t *cap, size_t n,
		   uint64_t (*hash_of)(const metrics *, size_t), const metrics *m)
{
	size_t c = *cap ? *cap * 2 : 64;
	uint32_t *v = calloc(c, sizeof(*v));

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = (size_t)hash_of(m, i) & (c - 1);

		while (v[j] != 0)
			j = (j + 1) & (c - 1);
		v[j] = (uint32_t)i + 1;
	}
	free(*idx);
	*idx = v;
	*cap = c;
	return 0;
}

static uint64_t host_hash(const metrics *m, size_t i)
{
	return fnv(FNV0, m->hosts[i].name, strlen(m->hosts[i].name));
}

static uint64_t series_hash_of(size_t host, const char *method, const char *cls)
{
	uint64_t h = fnv(FNV0, &host, sizeof(host));

	h = fnv(h, method, strlen(method) + 1);
	return fnv(h, cls, strlen(cls));
}

static uint64_t series_hash(const metrics *m, size_t i)
{
	const metrics_series *s = &m->series[i];

	return series_hash_of(s->host, s->method, s->status_class);
}

/* The index of host @name, added when new; the "_other" host past the cap;
 * (size_t)-1 when memory ran out. */
static size_t host_find(metrics *m, const char *name)
{
	size_t j;

	for (;;) {
		if (m->host_idx_cap == 0 ||
		    (m->n_hosts + 1) * 2 > m->host_idx_cap) {
			if (reindex(&m->host_idx, &m->host_idx_cap, m->n_hosts,
				    host_hash, m) < 0)
				return (size_t)-1;
		}
		j = (size_t)fnv(FNV0, name, strlen(name)) & (m->host_idx_cap - 1);
		while (m->host_idx[j] != 0) {
			size_t i = m->host_idx[j] - 1;

			if (strcmp(m->hosts[i].name, name) == 0)
				return i;
			j = (j + 1) & (m->host_idx_cap - 1);
		}
		if (m->n_hosts < METRICS_MAX_HOSTS || strcmp(name, "_other") == 0)
			break;
		name = "_other"; /* too many hosts: fold the rest together */
	}
	if (m->n_hosts == m->cap_hosts) {
		size_t c = m->cap_hosts ? m->cap_hosts * 2 : 16;
		metrics_host *v = realloc(m->hosts, c * sizeof(*v));

		if (v == NULL)
			return (size_t)-1;
		m->hosts = v;
		m->cap_hosts = c;
	}
	memset(&m->hosts[m->n_hosts], 0, sizeof(m->hosts[0]));
	m->hosts[m->n_hosts].name = strdup(name);
	if (m->hosts[m->n_hosts].name == NULL)
		return (size_t)-1;
	m->host_idx[j] = (uint32_t)m->n_hosts + 1;
	return m->n_hosts++;
}

static metrics_series *series_find(metrics *m, size_t host, const char *method,
				   const char *cls)
{
	size_t j;
	metrics_series *s;

	if (m->series_idx_cap == 0 || (m->n_series + 1) * 2 > m->series_idx_cap)
		if (reindex(&m->series_idx, &m->series_idx_cap, m->n_series,
			    series_hash, m) < 0)
			return NULL;
	j = (size_t)series_hash_of(host, method, cls) & (m->series_idx_cap - 1);
	while (m->series_idx[j] != 0) {
		s = &m->series[m->series_idx[j] - 1];
		if (s->host == host && strcmp(s->method, method) == 0 &&
		    strcmp(s->status_class, cls) == 0)
			return s;
		j = (j + 1) & (m->series_idx_cap - 1);
	}
	if (m->n_series == m->cap_series) {
		size_t c = m->cap_series ? m->cap_series * 2 : 16;
		metrics_series *v = realloc(m->series, c * sizeof(*v));

		if (v == NULL)
			return NULL;
		m->series = v;
		m->cap_series = c;
	}
	s = &m->series[m->n_series];
	memset(s, 0, sizeof(*s));
	s->host = host;
	snprintf(s->method, sizeof(s->method), "%s", method);
	snprintf(s->status_class, sizeof(s->status_class), "%s", cls);
	m->series_idx[j] = (uint32_t)m->n_series + 1;
	m->n_series++;
	return s;
}

/* ---- recording ---------------------------------------------------------- */

/* The method labels, "_OTHER" last; the status classes, "none" last. */
static const char *const method_labels[METRICS_SERVER_METHODS] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
	"TRACE", "PATCH", "_OTHER",
};
static const char *const class_labels[METRICS_SERVER_CLASSES] = {
	"1xx", "2xx", "3xx", "4xx", "5xx", "none",
};

/* The index of @m's label in method_labels. */
static size_t method_index(ht_str m)
{
	size_t i;

	for (i = 0; i + 1 < METRICS_SERVER_METHODS; i++)
		if (strlen(method_labels[i]) == m.len &&
		    memcmp(method_labels[i], m.p, m.len) == 0)
			break;
	return i; /* "_OTHER": bounded cardinality, as the conventions say */
}

static const char *method_label(ht_str m)
{
	return method_labels[method_index(m)];
}

static size_t class_index(unsigned status)
{
	return status >= 100 && status < 600 ? status / 100 - 1
					     : METRICS_SERVER_CLASSES - 1;
}

static const char *status_class(unsigned status)
{
	return class_labels[class_index(status)];
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* A traced server's request: its duration from the first request byte
 * read to the last response byte written. */
static void record_server(metrics *m, const ht_rec_request *r)
{
	const uint64_t *ts = r->t;
	double d = 0.0;

	if (ts[HT_T_GOT_CONN] && ts[HT_T_RESPONSE_DONE] > ts[HT_T_GOT_CONN])
		d = secs((int64_t)(ts[HT_T_RESPONSE_DONE] - ts[HT_T_GOT_CONN]));
	pthread_mutex_lock(&m->mu);
	metrics_observe(&m->server[method_index(r->method)][class_index(r->status)],
			d);
	m->server_requests++;
	pthread_mutex_unlock(&m->mu);
}

static void record_request(metrics *m, const ht_rec_request *r)
{
	char *name = m->scratch.host;
	report_timing t;
	metrics_host *h;
	metrics_series *s;
	size_t hi;

	if (r->flags & HT_RF_SERVER) {
		record_server(m, r);
		return;
	}
	report_timing_compute(r, &t);
	url_host(name, sizeof(m->scratch.host), r);
	name[strnlen(name, sizeof(m->scratch.host))] = '\0';
	pthread_mutex_lock(&m->mu);
	hi = host_find(m, name);
	if (hi == (size_t)-1)
		goto out;
	h = &m->hosts[hi];
	h->requests++;
	/* a gRPC call whose status is not OK failed too; a request not
	 * followed (ht_error_not_seen()) did not */
	if ((r->error != HT_ERR_NONE && !ht_error_not_seen(r->error)) ||
	    ht_grpc_failed(r))
		h->errors++;
	if (r->flags & HT_RF_REUSED)
		h->reused++;
	else
		h->opened++;
	if (t.dns != REPORT_NONE && t.dns >= 0)
		metrics_observe(&h->dns, secs(t.dns));
	if (t.connect != REPORT_NONE && t.connect >= 0)
		metrics_observe(&h->connect, secs(t.connect));
	if (t.tls != REPORT_NONE && t.tls >= 0)
		metrics_observe(&h->tls, secs(t.tls));
	s = series_find(m, hi, method_label(r->method), status_class(r->status));
	if (s != NULL)
		metrics_observe(&s->dur, t.total != REPORT_NONE && t.total > 0 ?
					       secs(t.total) : 0.0);
out:
	pthread_mutex_unlock(&m->mu);
}

static void record_fail(metrics *m, const ht_rec_conn_fail *f)
{
	char *name = m->scratch.host;
	size_t n, hi;

	/* a lookup cut short tried no connection: no connect error */
	if (f->flags & HT_FF_LOOKUP)
		return;
	if (f->dns_name.len > 0) {
		n = strnlen(f->dns_name.p, f->dns_name.len);
		if (n >= sizeof(m->scratch.host))
			n = sizeof(m->scratch.host) - 1;
		memcpy(name, f->dns_name.p, n);
		name[n] = '\0';
	} else {
		url_ip(name, sizeof(m->scratch.host), &f->peer);
	}
	pthread_mutex_lock(&m->mu);
	hi = host_find(m, name);
	if (hi != (size_t)-1)
		m->hosts[hi].connect_errors++;
	pthread_mutex_unlock(&m->mu);
}

void metrics_record(metrics *m, const ht_record *rec)
{
	switch (rec->type) {
	case HT_REC_HELLO:
		/* a process that came back is not new; a vfork child's
		 * note-only connection is no traced process */
		if (rec->u.hello.flags & (HT_HF_RECONNECT | HT_HF_NOTE_ONLY))
			break;
		pthread_mutex_lock(&m->mu);
		m->processes++;
		pthread_mutex_unlock(&m->mu);
		break;
	case HT_REC_REQUEST:
		record_request(m, &rec->u.req);
		break;
	case HT_REC_CONN_FAIL:
		record_fail(m, &rec->u.fail);
		break;
	case HT_REC_WS: {
		ht_rec_ws own; /* the program's own view (a server's swapped) */
		const ht_rec_ws *w = ht_ws_own(&rec->u.ws, &own);

		pthread_mutex_lock(&m->mu);
		m->ws_sessions++;
		m->ws_messages[0] += w->dir[0].messages;
		m->ws_messages[1] += w->dir[1].messages;
		pthread_mutex_unlock(&m->mu);
		break;
	}
	case HT_REC_DROPS:
		/* The collector hands on increments (account.h). */
		pthread_mutex_lock(&m->mu);
		m->dropped += rec->u.drops.dropped;
		m->dropped_requests += rec->u.drops.req_dropped;
		pthread_mutex_unlock(&m->mu);
		break;
	default:
		break;
	}
}

/* ---- exposition --------------------------------------------------------- */

static void put_fmt(outbuf *b, const char *fmt, double v)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), fmt, v);
	outbuf_puts(b, tmp);
}

/* A label value: backslash, double quote and newline escaped, as the
 * exposition format requires; other bytes as they are. */
static void put_label(outbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			outbuf_puts(b, "\\\\");
		else if (*s == '"')
			outbuf_puts(b, "\\\"");
		else if (*s == '\n')
			outbuf_puts(b, "\\n");
		else
			outbuf_put(b, s, 1);
	}
}

static void head(outbuf *b, const char *name, const char *type,
		 const char *help)
{
	outbuf_puts(b, "# HELP ");
	outbuf_puts(b, name);
	outbuf_puts(b, " ");
	outbuf_puts(b, help);
	outbuf_puts(b, "\n# TYPE ");
	outbuf_puts(b, name);
	outbuf_puts(b, " ");
	outbuf_puts(b, type);
	outbuf_puts(b, "\n");
}

/* The lines of histogram @h of @name with the labels @labels (already
 * formatted, without braces). */
static void put_hist(outbuf *b, const char *name, const char *labels,
		     const metrics_hist *h)
{
	uint64_t cum = 0;

	for (size_t i = 0; i <= METRICS_BUCKETS; i++) {
		cum += h->bucket[i];
		outbuf_puts(b, name);
		outbuf_puts(b, "_bucket{");
		outbuf_puts(b, labels);
		outbuf_puts(b, ",le=\"");
		if (i < METRICS_BUCKETS)
			put_fmt(b, "%g", metrics_bounds[i]);
		else
			outbuf_puts(b, "+Inf");
		outbuf_puts(b, "\"} ");
		json_u64(b, cum);
		outbuf_puts(b, "\n");
	}
	outbuf_puts(b, name);
	outbuf_puts(b, "_sum{");
	outbuf_puts(b, labels);
	outbuf_puts(b, "} ");
	put_fmt(b, "%.9g", h->sum);
	outbuf_puts(b, "\n");
	outbuf_puts(b, name);
	outbuf_puts(b, "_count{");
	outbuf_puts(b, labels);
	outbuf_puts(b, "} ");
	json_u64(b, h->count);
	outbuf_puts(b, "\n");
}

/* server_address="NAME" into @l (reset first). */
static void host_labels(outbuf *l, const char *name)
{
	outbuf_trim(l, 0);
	outbuf_puts(l, "server_address=\"");
	put_label(l, name);
	outbuf_puts(l, "\"");
}

enum host_field { HF_REQUESTS, HF_ERRORS, HF_OPENED, HF_REUSED, HF_CONNERR };

static uint64_t host_field(const metrics_host *h, enum host_field f)
{
	switch (f) {
	case HF_REQUESTS: return h->requests;
	case HF_ERRORS: return h->errors;
	case HF_OPENED: return h->opened;
	case HF_REUSED: return h->reused;
	default: return h->connect_errors;
	}
}

void metrics_render(metrics *m, outbuf *b)
{
	static const struct {
		const char *name, *help;
		enum host_field f;
	} counters[] = {
		{ "httptrace_requests_total", "Requests traced.", HF_REQUESTS },
		{ "httptrace_request_errors_total",
		  "Requests that failed without a complete response.", HF_ERRORS },
		{ "httptrace_connections_opened_total",
		  "Connections that carried a first request.", HF_OPENED },
		{ "httptrace_requests_reused_total",
		  "Requests on a reused connection.", HF_REUSED },
		{ "httptrace_connect_errors_total",
		  "Failed TCP connects and TLS handshakes.", HF_CONNERR },
	};
	static const struct {
		const char *name, *help;
		size_t off;
	} phases[] = {
		{ "httptrace_dns_lookup_duration_seconds",
		  "Name lookups of new connections.", offsetof(metrics_host, dns) },
		{ "httptrace_tcp_connect_duration_seconds",
		  "TCP handshakes of new connections.",
		  offsetof(metrics_host, connect) },
		{ "httptrace_tls_handshake_duration_seconds",
		  "TLS handshakes of new connections.", offsetof(metrics_host, tls) },
	};
	outbuf l;

	outbuf_init_grow(&l);
	pthread_mutex_lock(&m->mu);
	head(b, "http_client_request_duration_seconds", "histogram",
	     "Duration of HTTP client requests.");
	for (size_t i = 0; i < m->n_series; i++) {
		const metrics_series *s = &m->series[i];

		host_labels(&l, m->hosts[s->host].name);
		outbuf_puts(&l, ",http_request_method=\"");
		outbuf_puts(&l, s->method);
		outbuf_puts(&l, "\",status_class=\"");
		outbuf_puts(&l, s->status_class);
		outbuf_puts(&l, "\"");
		if (outbuf_error(&l) == 0)
			put_hist(b, "http_client_request_duration_seconds", outbuf_str(&l),
				 &s->dur);
	}
	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
		head(b, counters[c].name, "counter", counters[c].help);
		for (size_t i = 0; i < m->n_hosts; i++) {
			host_labels(&l, m->hosts[i].name);
			if (outbuf_error(&l) != 0)
				break;
			outbuf_puts(b, counters[c].name);
			outbuf_puts(b, "{");
			outbuf_puts(b, outbuf_str(&l));
			outbuf_puts(b, "} ");
			json_u64(b, host_field(&m->hosts[i], counters[c].f));
			outbuf_puts(b, "\n");
		}
	}
	for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); p++) {
		head(b, phases[p].name, "histogram", phases[p].help);
		for (size_t i = 0; i < m->n_hosts; i++) {
			const metrics_hist *h = (const metrics_hist *)
				((const char *)&m->hosts[i] + phases[p].off);

			if (h->count == 0)
				continue;
			host_labels(&l, m->hosts[i].name);
			if (outbuf_error(&l) == 0)
				put_hist(b, phases[p].name, outbuf_str(&l), h);
		}
	}
	/* a server's (only once there is one: a client's exposition is as
	 * it was) */
	if (m->server_requests > 0) {
		head(b, "http_server_request_duration_seconds", "histogram",
		     "Duration of HTTP server requests (traced servers).");
		for (size_t i = 0; i < METRICS_SERVER_METHODS; i++) {
			for (size_t j = 0; j < METRICS_SERVER_CLASSES; j++) {
				if (m->server[i][j].count == 0)
					continue;
				outbuf_trim(&l, 0);
				outbuf_puts(&l, "http_request_method=\"");
				outbuf_puts(&l, method_labels[i]);
				outbuf_puts(&l, "\",status_class=\"");
				outbuf_puts(&l, class_labels[j]);
				outbuf_puts(&l, "\"");
				if (outbuf_error(&l) == 0)
					put_hist(b, "http_server_request_duration_seconds",
						 outbuf_str(&l), &m->server[i][j]);
			}
		}
	}
	head(b, "httptrace_processes_total", "counter",
	     "Traced processes that connected to the collector.");
	outbuf_puts(b, "httptrace_processes_total ");
	json_u64(b, m->processes);
	outbuf_puts(b, "\n");
	head(b, "httptrace_requests_dropped_total", "counter",
	     "Requests the traced processes made whose records they could not send.");
	outbuf_puts(b, "httptrace_requests_dropped_total ");
	json_u64(b, m->dropped_requests);
	outbuf_puts(b, "\n");
	head(b, "httptrace_records_dropped_total", "counter",
	     "Records the traced processes could not send (requests, connections, DNS lookups).");
	outbuf_puts(b, "httptrace_records_dropped_total ");
	json_u64(b, m->dropped);
	outbuf_puts(b, "\n");
	head(b, "httptrace_websocket_sessions_total", "counter",
	     "WebSocket sessions ended.");
	outbuf_puts(b, "httptrace_websocket_sessions_total ");
	json_u64(b, m->ws_sessions);
	outbuf_puts(b, "\n");
	head(b, "httptrace_websocket_messages_total", "counter",
	     "Messages of the WebSocket sessions ended, by direction.");
	outbuf_puts(b, "httptrace_websocket_messages_total{direction=\"sent\"} ");
	json_u64(b, m->ws_messages[0]);
	outbuf_puts(b, "\nhttptrace_websocket_messages_total{direction=\"received\"} ");
	json_u64(b, m->ws_messages[1]);
	outbuf_puts(b, "\n");
	pthread_mutex_unlock(&m->mu);
	outbuf_free(&l);
}
