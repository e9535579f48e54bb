/*
 * metrics_server.h - serve GET /metrics (metrics.h) over HTTP/1.0 on a TCP
 * address, from a thread of its own so a slow scraper never holds up the
 * collector.  One connection at a time, each closed after its answer: what
 * Prometheus needs, and nothing more.
 *
 * GET /inflight answers the requests in flight now (inflight.h's JSON).
 * Only the collector's thread may read its peers' pages, so the server's
 * thread asks it: it makes metrics_server_inflight_fd() readable and
 * waits (at most 2 s, then 503) until the collector's loop, woken by that
 * fd, calls metrics_server_inflight().
 */
#ifndef HT_METRICS_SERVER_H
#define HT_METRICS_SERVER_H

#include <stdint.h>
#include <stdio.h>

#include "collector.h"
#include "metrics.h"

typedef struct metrics_server metrics_server;

/*
 * metrics_server_start() - listen on @addr ("HOST:PORT", "[V6]:PORT") and
 * serve @m until metrics_server_stop().  Returns NULL after a message on
 * @err when the address is bad or cannot be bound.
 */
metrics_server *metrics_server_start(metrics *m, const char *addr, FILE *err);

/* metrics_server_inflight_fd() - readable while a client of @s waits for
 * the requests in flight (for the collector to watch). */
int metrics_server_inflight_fd(metrics_server *s);

/*
 * metrics_server_inflight() - when a client of @s waits, hand it @c's
 * requests in flight now (Unix times from @mono_to_unix); otherwise do
 * nothing.  From the collector's thread only.
 */
void metrics_server_inflight(metrics_server *s, const collector *c,
			     int64_t mono_to_unix);

/* metrics_server_stop() - stop the thread, close the socket, free. */
void metrics_server_stop(metrics_server *s);

#endif
