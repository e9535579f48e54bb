/*
 * otlp.h - request records as OpenTelemetry spans in the OTLP/JSON encoding
 * (the protobuf JSON mapping that OTLP/HTTP with Content-Type
 * application/json carries: ids as lower-case hex, 64-bit integers and
 * nanosecond times as decimal strings, enums as numbers, lowerCamelCase
 * field names).
 *
 * One request is one trace: a CLIENT span named after the method, with the
 * stable HTTP client semantic conventions as attributes, and one INTERNAL
 * child span per phase that happened (dns, connect, tls, send, wait,
 * receive), so that trace viewers draw the same waterfall as the text
 * format.  Each traced process is one resource (process.pid,
 * process.executable.name, host.name, service.name).
 *
 * Everything here is pure (no I/O) apart from otlp_random_ids(), which reads
 * getrandom(); the encoders take the ids as arguments so they can be tested.
 */
#ifndef HT_OTLP_H
#define HT_OTLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"
#include "report.h"
#include "wire.h"

/* Phases that become child spans, in waterfall order. */
enum otlp_phase {
	OTLP_PH_DNS,
	OTLP_PH_CONNECT,
	OTLP_PH_TLS,
	OTLP_PH_SEND,
	OTLP_PH_WAIT,
	OTLP_PH_RECEIVE,
	OTLP_PH__COUNT
};

/* The ids of one request's trace. */
typedef struct otlp_ids {
	uint8_t trace[16];
	uint8_t span[8];                   /* the request span */
	uint8_t phase[OTLP_PH__COUNT][8];  /* its children */
} otlp_ids;

/* otlp_random_ids() - fresh random ids (getrandom(); never all zero, which
 * OTLP forbids).  Returns 0, or -errno when no randomness was available. */
int otlp_random_ids(otlp_ids *ids);

/* What a traced process's resource says. */
typedef struct otlp_resource {
	uint32_t pid;
	const char *exe;       /* the executable's path; NULL or "" unknown */
	const char *service;   /* OTEL_SERVICE_NAME; NULL: from the executable */
	const char *host_name; /* NULL or "": left out */
} otlp_resource;

/*
 * otlp_resource_json() - append the Resource object of @res:
 * {"attributes":[...]} with process.pid (int), process.executable.name
 * (the basename of exe), process.executable.path, host.name and
 * service.name (@res->service, else the executable's basename, else
 * "unknown_service" as the resource semantic conventions say).
 */
void otlp_resource_json(outbuf *b, const otlp_resource *res);

/*
 * otlp_error_type() - the error.type of a request: a short fixed name of
 * the transport failure ("connection_reset", ...) when @r has an error,
 * else a gRPC call's status name ("UNAVAILABLE"; the code in decimal for
 * one gRPC does not define) when it is not OK, else the HTTP status code in
 * decimal when it is >= 400 (>= 500 for a server's request, HT_RF_SERVER:
 * a 4xx is its client's error) (into @buf, capacity >= 12), else NULL
 * (success).
 */
const char *otlp_error_type(const ht_rec_request *r, char *buf, size_t cap);

/*
 * otlp_spans_json() - append the spans of request @q (as report_record()
 * derives it) as comma-separated Span objects: the request span first, then
 * a child per phase that happened (for a request that did not complete,
 * the phase it was in ending at its end: report_timing_cut()).
 * @mono_to_unix turns the record's
 * monotonic times into Unix ns (report.mono_to_unix).  Returns the number
 * of spans written.  A server's request (HT_RF_SERVER) is a SERVER span,
 * a root of its own unless joined to its client's (join.h: then the
 * client span's child, in its trace), with url.path,
 * url.query and client.address/port in place of url.full, and phases
 * accept, tls, read, processing, write.
 */
size_t otlp_spans_json(outbuf *b, const report_req *q, int64_t mono_to_unix,
		       const otlp_ids *ids);

/*
 * otlp_fail_spans_json() - append the spans of a failed TCP connect or TLS
 * handshake @f (no request was made, so no method): a CLIENT span named
 * "connect" with server.address (the DNS name, else the peer IP),
 * server.port, network.peer.*, error.type (the errno's name, "ECONNREFUSED",
 * or "tls_handshake_failed") and status ERROR, and children for its dns,
 * connect and tls phases.  A name lookup its process's end cut short
 * (report_fail_lookup(): no connection was tried) is instead one CLIENT
 * span "dns" with dns.question.name, httptrace.lookup (its number),
 * error.type ("interrupted", "killed" ...) and status ERROR, its message
 * naming the signal.  Returns the number of spans written.
 */
size_t otlp_fail_spans_json(outbuf *b, const ht_rec_conn_fail *f,
			    int64_t mono_to_unix, const otlp_ids *ids);

/*
 * otlp_ws_spans_json() - append the span of WebSocket session @s: a CLIENT
 * span named "websocket" from the 101 to the session's end, with url.full,
 * server.address, server.port, network.peer.*, network.protocol.name
 * "websocket", and httptrace.websocket.* attributes (messages, text,
 * binary, bytes, pings and pongs each way, the close codes and reasons,
 * who closed, the ping round trip); status ERROR when the session was
 * not followed to its end, reset, or had protocol errors.  Returns 1.
 */
size_t otlp_ws_spans_json(outbuf *b, const report_ws *s,
			  int64_t mono_to_unix, const otlp_ids *ids);

/* One request's spans, ready to be put in an export request. */
typedef struct otlp_item {
	char *resource; /* otlp_resource_json() of its process */
	char *spans;    /* otlp_spans_json() */
	uint32_t n_spans;
} otlp_item;

/*
 * otlp_export_json() - append one ExportTraceServiceRequest holding the
 * spans of @items[0..@n): {"resourceSpans":[...]}, one ResourceSpans per
 * distinct resource (first-appearance order), each with one ScopeSpans
 * whose scope is httptrace and its version.  No newline.
 */
void otlp_export_json(outbuf *b, const otlp_item *items, size_t n);

/* otlp_item_free() - free @it's strings. */
void otlp_item_free(otlp_item *it);

/*
 * Each traced process's executable by pid, remembered from its HELLO, so
 * each span carries the resource of the process that made the request.  A
 * standing collector sees processes come and go for ever, so an entry is
 * small (the executables' names are kept once each, at most
 * OTLP_MAX_EXES of them; later ones are left out of the resource).
 */
#define OTLP_MAX_EXES 4096
typedef struct otlp_procs {
	struct otlp_proc {
		uint32_t pid;       /* 0: empty slot */
		uint32_t exe;       /* index + 1 into exes; 0: unknown */
	} *v;
	size_t cap, n;
	char **exes;            /* distinct executable paths */
	size_t n_exes, cap_exes;
	const char *service;    /* OTEL_SERVICE_NAME or NULL (not owned) */
	const char *host_name;  /* not owned */
} otlp_procs;

/* otlp_procs_hello() - remember @h's process (replacing an older one with
 * the same pid, as after exec). */
void otlp_procs_hello(otlp_procs *ps, const ht_rec_hello *h);

/* otlp_procs_resource() - the resource JSON of @pid (one without an
 * executable when no HELLO came), malloc'd for the caller; NULL when
 * memory ran out. */
char *otlp_procs_resource(const otlp_procs *ps, uint32_t pid);

void otlp_procs_free(otlp_procs *ps);

/*
 * otlp_make_item() - the item for request @q: its process's resource
 * (copied) and its spans with fresh random ids.  Returns 0, or -ENOMEM /
 * the -errno of otlp_random_ids().
 */
int otlp_make_item(otlp_procs *ps, const report_req *q, int64_t mono_to_unix,
		   otlp_item *out);

/* otlp_make_fail_item() - the item of failed connect @f, as above. */
int otlp_make_fail_item(otlp_procs *ps, const ht_rec_conn_fail *f,
			int64_t mono_to_unix, otlp_item *out);

/* otlp_make_ws_item() - the item of WebSocket session @s, as above. */
int otlp_make_ws_item(otlp_procs *ps, const report_ws *s, int64_t mono_to_unix,
		      otlp_item *out);

/*
 * otlp_req_fill() - derive @q from request @r as report_record() does,
 * with @scratch (url, host, peer buffers) holding the strings.
 */
typedef struct otlp_scratch {
	char url[HT_WIRE_MAX_RECORD + 512];
	char host[1024];
	char peer[64];
	char error[REPORT_ERROR_MAX];
} otlp_scratch;
void otlp_req_fill(report_req *q, const ht_rec_request *r, otlp_scratch *s);

#endif
