/*
 * format_otlp.c - "-f otlp": a file of OTLP/JSON, one
 * ExportTraceServiceRequest per line, one request (its span and its phases'
 * spans) in each, written as each request completes; a failed connect or
 * TLS handshake gets a "connect" span.  What an OpenTelemetry
 * Collector's otlpjsonfile receiver, or `curl --data @-` line by line to
 * /v1/traces, reads.  The spans are those --otlp sends (otlp.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "otlp.h"
#include "otlp_export.h"
#include "report.h"

static otlp_procs *state(report *rp)
{
	otlp_procs *ps = rp->fmt_state;

	if (ps == NULL) {
		ps = calloc(1, sizeof(*ps));
		if (ps == NULL)
			return NULL;
		otlp_procs_setup(ps);
		rp->fmt_state = ps;
	}
	return ps;
}

static void otlp_hello(report *rp, const ht_rec_hello *h)
{
	otlp_procs *ps = state(rp);

	if (ps != NULL)
		otlp_procs_hello(ps, h);
}

/* One line: the ExportTraceServiceRequest of the span in @it, which it
 * frees.  Through the report's outbuf, which keeps a line whole in the
 * file even when the disk fills up (outbuf.h). */
static void put_item(report *rp, otlp_item *it)
{
	outbuf b;

	outbuf_init_grow(&b);
	otlp_export_json(&b, it, 1);
	outbuf_put(&b, "\n", 1);
	if (outbuf_error(&b) == 0)
		outbuf_put(&rp->ob, outbuf_str(&b), outbuf_len(&b));
	else
		outbuf_fail(&rp->ob, ENOMEM); /* not a line left out silently */
	outbuf_free(&b);
	otlp_item_free(it);
}

static void otlp_request(report *rp, const report_req *q)
{
	otlp_procs *ps = state(rp);
	otlp_item it;

	if (ps != NULL && otlp_make_item(ps, q, rp->mono_to_unix, &it) == 0)
		put_item(rp, &it);
}

static void otlp_conn_fail(report *rp, const ht_rec_conn_fail *f)
{
	otlp_procs *ps = state(rp);
	otlp_item it;

	if (ps != NULL && otlp_make_fail_item(ps, f, rp->mono_to_unix, &it) == 0)
		put_item(rp, &it);
}

static void otlp_conn_close(report *rp, const ht_rec_conn_close *c)
{
}

static void otlp_websocket(report *rp, const report_ws *s)
{
	otlp_procs *ps = state(rp);
	otlp_item it;

	if (ps != NULL && otlp_make_ws_item(ps, s, rp->mono_to_unix, &it) == 0)
		put_item(rp, &it);
}

/* An OTLP file has no place for the run's summary, but records the
 * processes could not deliver must not go unsaid: one line on standard
 * error (as the --otlp exporter's own statistics). */
static void otlp_summary(report *rp)
{
	uint64_t dropped = report_dropped(rp);
	char what[96];

	if (dropped == 0 && rp->stats.malformed == 0 && rp->stats.refused == 0)
		return;
	report_dropped_text(rp, what, sizeof(what));
	fprintf(stderr, "httptrace: incomplete: %s dropped by the "
		"traced processes, %llu malformed, %llu process%s refused "
		"by the collector\n", what,
		(unsigned long long)rp->stats.malformed,
		(unsigned long long)rp->stats.refused,
		rp->stats.refused == 1 ? "" : "es");
}

static void otlp_free(report *rp)
{
	otlp_procs *ps = rp->fmt_state;

	if (ps != NULL) {
		otlp_procs_free(ps);
		free(ps);
	}
}

const report_format_ops report_otlp_ops = {
	.request = otlp_request,
	.conn_fail = otlp_conn_fail,
	.conn_close = otlp_conn_close,
	.summary = otlp_summary,
	.free = otlp_free,
	.hello = otlp_hello,
	.websocket = otlp_websocket,
};
