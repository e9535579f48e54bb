/*
 * emit_internal.h - what the emitter's two halves share: emit.c (the
 * records, their batches and sends, the counts) and emit_connect.c (the
 * connection to the collector).  Not for the hooks, which use ht.h.  All
 * hidden, as everything of the library but the interposed functions.
 */
#ifndef HT_EMIT_INTERNAL_H
#define HT_EMIT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ht.h"
#include "live.h"

/* ---- emit_connect.c: the connection ------------------------------------ */

/* The collector socket, or -1 (none now); read without a lock, replaced
 * by compare-and-swap when a send finds the collector gone. */
HT_HIDDEN extern volatile int sock_fd;
/* When the last connect attempt failed (0: none since the last success):
 * the next one waits a second after it. */
HT_HIDDEN extern uint64_t last_retry_ns;
/* The first attempt of a process never connected (0: none yet). */
HT_HIDDEN extern uint64_t first_try_ns;
/* When this image first said HELLO (0: not yet). */
HT_HIDDEN extern uint64_t image_t0;
/* This image had a collector. */
HT_HIDDEN extern bool connected_once;
/* A tracked connection exists: connect (records made before wait). */
HT_HIDDEN extern bool wanted;
/* One thread connects at a time. */
HT_HIDDEN extern ht_lock connect_lock;

/* fd_is_ours() - whether @fd is still the socket the library connected
 * (the device and inode remembered at connect; one fstat). */
HT_HIDDEN bool fd_is_ours(int fd);

/* current_fd() - a socket that is the library's own, or -1: after the
 * program closed ours (seen or not), connect again; after a failed
 * attempt, try again at most once a second.  Never a program's fd: the
 * identity is checked here, before every send. */
HT_HIDDEN int current_fd(void);

/* between_connections() - the connection is over: records made from now
 * on count between connections, not on its page (which the collector may
 * read any time). */
HT_HIDDEN void between_connections(void);

/* drop_socket() - forget the socket, closing it when @close_it and the fd
 * is still ours. */
HT_HIDDEN void drop_socket(bool close_it);

/* ---- emit.c: the counts -------------------------------------------------- */

/* The counters records count on (emit.c tells which is which): those of
 * the current connection (its live page's, else private_counters), or
 * away_counters between connections; each with its request counts. */
HT_HIDDEN extern ht_counters *volatile counters;
HT_HIDDEN extern ht_counters private_counters;
HT_HIDDEN extern ht_counters away_counters;
HT_HIDDEN extern ht_live_req_counts private_reqs;
/* Records (and requests among them) dropped between connections, told in
 * the next HELLO; atomic. */
HT_HIDDEN extern uint64_t dropped_away;
HT_HIDDEN extern uint64_t dropped_away_reqs;
/* The drop count the collector was last told. */
HT_HIDDEN extern uint64_t dropped_sent;

#endif
