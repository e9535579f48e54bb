/*
 * inflight.h - the requests in flight now (collector_inflight()), as the
 * live view, `httptrace status` and the /inflight endpoint show them: one
 * list, oldest first, and its text and JSON forms.
 *
 * The list is taken by the thread that owns the collector (it reads the
 * peers' live pages); the formatters are pure (no I/O, no allocation).
 */
#ifndef HT_INFLIGHT_H
#define HT_INFLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "collector.h"
#include "outbuf.h"

/* Requests a list holds at most (more are counted in `total`). */
#define INFLIGHT_MAX 4096

typedef struct inflight_list {
	collector_inflight_req *reqs; /* oldest first; malloc'd */
	size_t n, cap;
	size_t total;    /* requests in flight, listed or not */
	uint64_t now;    /* when taken (CLOCK_MONOTONIC ns) */
} inflight_list;

/*
 * inflight_take() - fill @l (zeroed, or from an earlier take: its array
 * is reused) with the requests in flight in @c at @now, sorted by start,
 * oldest first; at most INFLIGHT_MAX are kept (out of memory: none, the
 * total still counted).  Returns the total.
 */
size_t inflight_take(inflight_list *l, const collector *c, uint64_t now);

/* inflight_free() - release @l's array. */
void inflight_free(inflight_list *l);

/*
 * inflight_url() - @e's URL ("http://127.0.0.1:8080/stuck"), as
 * url_request() writes a finished request's, into @buf (capacity @cap >
 * 0, NUL-terminated, cut to fit).  Returns the length.
 */
size_t inflight_url(char *buf, size_t cap, const collector_inflight_req *e);

/*
 * inflight_line() - @e in one line for a terminal: "GET URL  phase in
 * words  elapsed" ("GET http://h/x  waiting for the first byte  2.51 s"),
 * bytes that are not printable ASCII shown as '?' (a URL cannot drive the
 * terminal), cut to @width columns (0: not cut) and to @cap - 1 bytes,
 * into @buf (NUL-terminated).  Returns the length.
 */
size_t inflight_line(char *buf, size_t cap, const collector_inflight_req *e,
		     size_t width);

/*
 * inflight_text() - the list for `httptrace status`: a first line with
 * the count, then one line per request (its pid and connection, then as
 * inflight_line(), not cut).
 */
void inflight_text(outbuf *w, const inflight_list *l);

/*
 * inflight_json() - the list as one JSON object and a newline:
 * {"in_flight":N,"listed":M,"requests":[{"pid","conn","req","side",
 * "method","url","host","proto","stream","phase","elapsed_ms",
 * "start" (Unix seconds, from @mono_to_unix), and "events": the phase
 * timestamps reached so far, as ms since the start}]}.
 */
void inflight_json(outbuf *w, const inflight_list *l, int64_t mono_to_unix);

#endif
