/*
 * collector_internal.h - what collector.c (the socket, its peers, the wait
 * loop, a capture's replay), collector_feed.c (decoding a peer's messages)
 * and collector_live.c (a peer's live page, its end) share.  Not for the
 * collector's users: they include collector.h.
 */
#ifndef HT_COLLECTOR_INTERNAL_H
#define HT_COLLECTOR_INTERNAL_H

#include "collector.h"

/* Their names as within collector.c; the symbols carry the collector_
 * prefix. */
#define feed collector_peer_feed
#define peer_read collector_peer_read
#define peer_last_word collector_peer_last_word
#define peer_inflight collector_peer_inflight

/* feed() - decode the records of one message from peer @fd (-1: not a
 * peer), hand them to the sink, and tap the message (see collector_tap
 * for the split at a HELLO).  Returns the records delivered
 * (collector_feed.c). */
size_t feed(collector *c, int fd, const uint8_t *buf, size_t len);

/* peer_read() - read up to @max messages from peer @fd (0: until it has
 * none) into @buf (COLLECTOR_BATCH * COLLECTOR_MSG bytes), a batch per
 * recvmmsg() call, and feed them; closes the peer at its EOF or reset
 * (collector.c). */
void peer_read(collector *c, int fd, unsigned max, uint8_t *buf);

/* peer_last_word() - peer @fd is gone: its counter page's totals of what
 * it produced and dropped, fed as a final DROPS record of its own
 * (collector_live.c). */
void peer_last_word(collector *c, int fd);

/* peer_inflight() - peer @fd is gone: every request its live page still
 * shows in flight is fed as a request record of its own, with how the
 * process ended (waited for a little) and the phase it was in, and every
 * connection slot still in its DNS, connect or TLS phase as a failed
 * connection; nothing when the process runs on (collector_live.c). */
void peer_inflight(collector *c, int fd);

#endif
