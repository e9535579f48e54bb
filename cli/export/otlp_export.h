/*
 * otlp_export.h - sending spans to an OpenTelemetry collector over
 * OTLP/HTTP with the JSON encoding (POST .../v1/traces), from a thread of
 * its own.
 *
 * The collector's intake only turns a request record into an item (its
 * spans' JSON) and appends it to a bounded queue; when the queue is full the
 * item is dropped and counted, so a slow or dead receiver never slows the
 * intake.  The exporter thread takes batches of up to batch_max items, when
 * that many are queued or delay_ms after the last export, and POSTs each with
 * libcurl, retrying transport failures and HTTP 429/502/503/504 with
 * exponential backoff (Retry-After honoured).  At the end
 * otlp_exporter_stop() sends what is queued, waiting at most a bounded time.
 */
#ifndef HT_OTLP_EXPORT_H
#define HT_OTLP_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "otlp.h"
#include "wire.h"

typedef struct otlp_config {
	char *url;          /* where to POST: ".../v1/traces" */
	char **headers;     /* "Name: value" lines, from OTEL_EXPORTER_OTLP_HEADERS */
	size_t n_headers;
	size_t queue_max;   /* OTEL_BSP_MAX_QUEUE_SIZE, default 2048 requests */
	size_t batch_max;   /* OTEL_BSP_MAX_EXPORT_BATCH_SIZE, default 512 */
	long delay_ms;      /* OTEL_BSP_SCHEDULE_DELAY, default 5000 */
	long timeout_ms;    /* OTEL_EXPORTER_OTLP[_TRACES]_TIMEOUT, default 10000 */
	long exit_wait_ms;  /* at most this long to send the queue at the end:
			       the timeout, at most 5000 */
	int max_attempts;   /* POSTs of one batch, retries included: 5 */
	char *ca_file;      /* OTEL_EXPORTER_OTLP[_TRACES]_CERTIFICATE or NULL */
} otlp_config;

/*
 * otlp_traces_url() - the URL to POST traces to, malloc'd: @base with
 * "/v1/traces" appended (one slash between), unless @base already ends in
 * "/v1/traces".  NULL when memory ran out.  Pure.
 */
char *otlp_traces_url(const char *base);

/*
 * otlp_parse_headers() - parse @s, a list of "key=value" pairs separated by
 * commas in the format of OTEL_EXPORTER_OTLP_HEADERS (keys and values
 * percent-decoded, whitespace around them ignored), appending a
 * "key: value" line per pair to *@v / *@n (malloc'd; free with
 * otlp_config_free()).  A pair without '=', with an empty or invalid key
 * (not an HTTP token) or a value holding CR, LF or NUL is skipped and
 * counted.  Returns the number of pairs skipped, or -ENOMEM.  Pure.
 */
int otlp_parse_headers(const char *s, char ***v, size_t *n);

/*
 * otlp_config_init() - the configuration for endpoint @arg (--otlp URL; the
 * word "default" takes it from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as
 * is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, else
 * http://localhost:4318/v1/traces) and the OTEL_* variables above.  Writes a
 * message to @err and returns -EINVAL for a bad value, or -ENOMEM.
 */
int otlp_config_init(otlp_config *c, const char *arg, FILE *err);
void otlp_config_free(otlp_config *c);

/*
 * otlp_procs_setup() - set @ps's service name (OTEL_SERVICE_NAME, NULL when
 * unset: each process's executable) and host name (gethostname()).
 */
void otlp_procs_setup(otlp_procs *ps);

typedef struct otlp_exporter otlp_exporter;

/* What the exporter did, for the report at the end. */
typedef struct otlp_stats {
	uint64_t sent;          /* requests the receiver accepted */
	uint64_t spans_sent;    /* their spans (phases included) */
	uint64_t batches;       /* successful POSTs */
	uint64_t retries;       /* POSTs repeated after a retryable failure */
	uint64_t dropped_full;  /* requests dropped: queue full */
	uint64_t failed;        /* requests in batches that finally failed */
	uint64_t unsent;        /* requests still queued when time ran out */
} otlp_stats;

/*
 * otlp_exporter_start() - start the exporter thread for @cfg (the exporter
 * takes it over).  Initialises libcurl; call from the main thread before
 * other threads use it.  Returns NULL (after a message on stderr) on
 * failure; @cfg is freed either way.
 */
otlp_exporter *otlp_exporter_start(otlp_config *cfg);

/* otlp_exporter_record() - account for @rec: HELLO names a process, a
 * REQUEST is queued.  Never waits for the network. */
void otlp_exporter_record(otlp_exporter *ex, const ht_record *rec);

/*
 * otlp_exporter_stop() - send what is queued (waiting at most
 * cfg.exit_wait_ms; what is left is counted as unsent), stop the thread,
 * fill @st and free everything.
 */
void otlp_exporter_stop(otlp_exporter *ex, otlp_stats *st);

/* start_thread() - pthread_create() with every signal blocked in the new
 * thread.  Returns 0 or an error number. */
#include <pthread.h>
int start_thread(pthread_t *th, void *(*fn)(void *), void *arg);

/* otlp_stats_print() - one line "httptrace: otlp: ..." on @f. */
void otlp_stats_print(FILE *f, const otlp_stats *st);

#endif
