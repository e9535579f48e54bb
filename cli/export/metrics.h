/*
 * metrics.h - Prometheus metrics of the requests traced, in the text
 * exposition format (version 0.0.4), served on GET /metrics by
 * metrics_server.c.
 *
 *   http_client_request_duration_seconds{server_address,http_request_method,
 *       status_class}                      histogram (OpenTelemetry's
 *                                           http.client.request.duration)
 *   httptrace_requests_total{server_address}
 *   httptrace_request_errors_total{server_address}
 *   httptrace_connections_opened_total{server_address}
 *   httptrace_requests_reused_total{server_address}
 *   httptrace_connect_errors_total{server_address}
 *   httptrace_dns_lookup_duration_seconds{server_address}     histogram
 *   httptrace_tcp_connect_duration_seconds{server_address}    histogram
 *   httptrace_tls_handshake_duration_seconds{server_address}  histogram
 *   httptrace_processes_total
 *   httptrace_records_dropped_total
 *
 * Histograms use the bucket boundaries the OpenTelemetry HTTP semantic
 * conventions recommend for http.client.request.duration.  Label values come
 * from traced traffic, so the number of distinct hosts is capped
 * (METRICS_MAX_HOSTS); later hosts are counted under server_address="_other".
 *
 * The state is updated by the collector's thread and rendered by the server
 * thread under one mutex, held for a record's update or one rendering.
 * metrics_record() and metrics_render() do no I/O.
 */
#ifndef HT_METRICS_H
#define HT_METRICS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "otlp.h"
#include "wire.h"

#define METRICS_BUCKETS 14
#define METRICS_MAX_HOSTS 1000

/* The upper bounds (seconds) of the finite buckets, ascending. */
extern const double metrics_bounds[METRICS_BUCKETS];

typedef struct metrics_hist {
	uint64_t bucket[METRICS_BUCKETS + 1]; /* not cumulative; last: +Inf */
	uint64_t count;
	double sum;
} metrics_hist;

/* metrics_bucket() - the bucket of an observation of @secs: the first whose
 * bound is >= @secs (Prometheus's "le"), METRICS_BUCKETS past the last. */
size_t metrics_bucket(double secs);

/* metrics_observe() - add an observation of @secs to @h. */
void metrics_observe(metrics_hist *h, double secs);

/* Per-host counters and phase histograms. */
typedef struct metrics_host {
	char *name;
	uint64_t requests, errors, opened, reused, connect_errors;
	metrics_hist dns, connect, tls;
} metrics_host;

/* One request-duration series. */
typedef struct metrics_series {
	size_t host;          /* index into hosts */
	char method[8];       /* a known method, or "_OTHER" */
	char status_class[5]; /* "1xx".."5xx", "none" */
	metrics_hist dur;
} metrics_series;

/* The request-duration series of traced servers (HT_RF_SERVER): by
 * method (the known ones, then "_OTHER") and status class (1xx..5xx,
 * "none"), a fixed table. */
#define METRICS_SERVER_METHODS 10
#define METRICS_SERVER_CLASSES 6

typedef struct metrics {
	pthread_mutex_t mu;
	metrics_host *hosts;     /* in order of appearance */
	size_t n_hosts, cap_hosts;
	metrics_series *series;  /* in order of appearance */
	size_t n_series, cap_series;
	uint32_t *host_idx;      /* open addressing: index + 1, 0 = empty */
	size_t host_idx_cap;
	uint32_t *series_idx;
	size_t series_idx_cap;
	uint64_t processes;
	uint64_t dropped;        /* records the processes produced that never
	                            arrived (sum of the collector's increments) */
	uint64_t dropped_requests; /* of those, requests */
	uint64_t ws_sessions;    /* WebSocket sessions ended (HT_REC_WS) */
	uint64_t ws_messages[2]; /* their messages: [0] sent, [1] received */
	otlp_scratch scratch;    /* the collector thread's */
	metrics_hist server[METRICS_SERVER_METHODS][METRICS_SERVER_CLASSES];
	uint64_t server_requests; /* observations in server[][] */
} metrics;

/* metrics_init() / metrics_free() - an empty set; release it. */
void metrics_init(metrics *m);
void metrics_free(metrics *m);

/* metrics_record() - account for @rec (collector_sink style). */
void metrics_record(metrics *m, const ht_record *rec);

/* metrics_render() - append the exposition text of @m to @out. */
void metrics_render(metrics *m, outbuf *out);

#endif
