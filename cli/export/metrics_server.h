/*
 * metrics_server.h - serve GET /metrics (metrics.h) over HTTP/1.0 on a TCP
 * address, from a thread of its own so a slow scraper never holds up the
 * collector.  One connection at a time, each closed after its answer: what
 * Prometheus needs, and nothing more.
 */
#ifndef HT_METRICS_SERVER_H
#define HT_METRICS_SERVER_H

#include <stdio.h>

#include "metrics.h"

typedef struct metrics_server metrics_server;

/*
 * metrics_server_start() - listen on @addr ("HOST:PORT", "[V6]:PORT") and
 * serve @m until metrics_server_stop().  Returns NULL after a message on
 * @err when the address is bad or cannot be bound.
 */
metrics_server *metrics_server_start(metrics *m, const char *addr, FILE *err);

/* metrics_server_stop() - stop the thread, close the socket, free. */
void metrics_server_stop(metrics_server *s);

#endif
