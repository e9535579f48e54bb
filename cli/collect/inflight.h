/*
 * inflight.h - what is in flight now, as the live view, `httptrace
 * status` and the /inflight endpoint show it: the requests (and WebSocket
 * sessions, collector_inflight()), and the name lookups and connections
 * still in their DNS, connect or TLS phase (collector_inflight_conns():
 * a program hung in getaddrinfo, connect or a handshake has no request
 * yet).  Two lists, each oldest first, shown merged by start in text, and
 * their text and JSON forms.
 *
 * The lists are taken by the thread that owns the collector (it reads the
 * peers' live pages); the formatters are pure (no I/O, no allocation).
 */
#ifndef HT_INFLIGHT_H
#define HT_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector.h"
#include "outbuf.h"

/* Requests, and connections, a list holds at most each (more are
 * counted in `total`, `conn_total`). */
#define INFLIGHT_MAX 4096

typedef struct inflight_list {
	collector_inflight_req *reqs; /* oldest first; malloc'd */
	size_t n, cap;
	size_t total;    /* requests in flight in slots, listed or not */
	size_t unlisted; /* requests in flight no slot shows (their page's
			    slots were all taken: collector_unlisted()) */
	/* lookups and connections in their DNS, connect or TLS phase */
	collector_inflight_conn *conns; /* oldest first; malloc'd */
	size_t n_conns, cap_conns;
	size_t conn_total;   /* in flight, listed or not (lookups too) */
	size_t lookup_total; /* of which name lookups */
	uint64_t now;    /* when taken (CLOCK_MONOTONIC ns) */
} inflight_list;

/*
 * inflight_take() - fill @l (zeroed, or from an earlier take: its arrays
 * are reused) with the requests, and the lookups and connections, in
 * flight in @c at @now, each list sorted by start, oldest first; at most
 * INFLIGHT_MAX of each are kept (out of memory: none, the totals still
 * counted), and the count of requests in flight no slot shows.  Returns
 * the number of requests (those too), lookups and connections.
 */
size_t inflight_take(inflight_list *l, const collector *c, uint64_t now);

/* inflight_free() - release @l's arrays. */
void inflight_free(inflight_list *l);

/* One entry of a list, requests and connections merged by start: one of
 * the two set, the other NULL. */
typedef struct inflight_item {
	const collector_inflight_req *req;
	const collector_inflight_conn *conn;
} inflight_item;

/*
 * inflight_item_next() - walk @l's entries oldest first: *@i and *@j (0, 0
 * at the start) index the next request and connection; the entry they
 * give is put in *@out and the index moved on.  Returns false when both
 * lists are walked.
 */
bool inflight_item_next(const inflight_list *l, size_t *i, size_t *j,
			inflight_item *out);

/*
 * inflight_url() - @e's URL ("http://127.0.0.1:8080/stuck"), as
 * url_request() writes a finished request's, into @buf (capacity @cap >
 * 0, NUL-terminated, cut to fit).  Returns the length.
 */
size_t inflight_url(char *buf, size_t cap, const collector_inflight_req *e);

/*
 * inflight_host() - @e's host as a finished request's record gives it
 * (url_host(): the Host header without its port, else the peer's
 * address; the page holds no DNS name), into @buf (capacity @cap > 0,
 * NUL-terminated, cut to fit).  Returns the length.
 */
size_t inflight_host(char *buf, size_t cap, const collector_inflight_req *e);

/*
 * inflight_line() - @e in one line for a terminal: "GET URL  phase in
 * words  elapsed" ("GET http://h/x  waiting for the first byte  2.51 s"),
 * a server's request's phase in its own words ("processing the request":
 * ht_live_side_phase_text()), bytes that are not printable ASCII shown as
 * '?' (a URL cannot drive the terminal), cut to @width columns (0: not cut) and to @cap - 1 bytes,
 * into @buf (NUL-terminated).  Returns the length.
 */
size_t inflight_line(char *buf, size_t cap, const collector_inflight_req *e,
		     size_t width);

/*
 * inflight_conn_line() - as inflight_line(), for a lookup ("dns NAME
 * resolving the name  2.30 s") or a connection ("connect NAME (PEER)
 * connecting  1.20 s", or PEER alone when no lookup named it).
 */
size_t inflight_conn_line(char *buf, size_t cap,
			  const collector_inflight_conn *e, size_t width);

/*
 * inflight_item_line() - inflight_line() or inflight_conn_line() of the
 * entry @it holds.
 */
size_t inflight_item_line(char *buf, size_t cap, const inflight_item *it,
			  size_t width);

/*
 * inflight_text() - the lists for `httptrace status`: a first line with
 * the count ("1 request in flight", then ", 1 name lookup" and ", 2
 * connections opening" when there are any; then, when some are not
 * listed, "(the oldest N listed)", or with requests no slot shows "(N
 * listed, M more in flight not listed)"), then one line per entry,
 * oldest first: its pid and connection ("pid P conn C") or lookup number
 * ("pid P lookup N"), then as inflight_item_line(), not cut.
 */
void inflight_text(outbuf *w, const inflight_list *l);

/*
 * inflight_json() - the lists as one JSON object and a newline:
 * {"in_flight":N (requests, those no slot shows included),"listed":M,
 * "unlisted":N - M,"requests":[{"pid","conn","req","side",
 * "method","url","host" (inflight_host()),"proto","stream","phase","elapsed_ms",
 * "start" (Unix seconds, from @mono_to_unix), and "events": the phase
 * timestamps reached so far, as ms since the start; a server's ("side":
 * "server") phase and events in its own terms, as its finished record
 * and the events format name them ("processing"; "accepted",
 * "read_request", ...)}],
 * "connecting":K,"connections_listed":L,"connections":[{"kind": "dns"
 * (a name lookup: "lookup" its number in its process) or "connection"
 * ("conn", "peer", "tls"), "pid","host" (the name looked up, or null),
 * "phase" ("dns", "connect", "tls"), "elapsed_ms", "start", "events"}]}.
 */
void inflight_json(outbuf *w, const inflight_list *l, int64_t mono_to_unix);

#endif
