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
#define peer_hold collector_peer_hold
#define peer_release collector_peer_release
#define peer_conns_note collector_peer_conns_note
#define peer_conns_end collector_peer_conns_end
#define peer_conns_forget collector_peer_conns_forget

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
 * it produced and dropped, fed as a final DROPS record of its own, with
 * @unsent more of each (requests its process ended in doubt about, from
 * peer_inflight()) (collector_live.c). */
void peer_last_word(collector *c, int fd, unsigned unsent);

/* peer_inflight() - peer @fd is gone: every request its live page still
 * shows in flight is fed as a request record of its own, with how the
 * process ended (waited for a little) and the phase it was in, and every
 * connection slot still in its DNS, connect or TLS phase as a failed
 * connection; nothing when the process runs on.  A server's request whose
 * connection's write mark shows a write in flight (live.h: its whole
 * response may have gone out) is not reported cut: it is counted, returned, for
 * peer_last_word() to count as not seen, as are the requests in flight no
 * slot showed (the page's `unlisted`) (collector_live.c). */
unsigned peer_inflight(collector *c, int fd);

/*
 * peer_hold() - record @rec, decoded from the @len bytes at @raw that peer
 * @fd sent, is a request its process's own close cut after a signal
 * interrupted the wait (error HT_ERR_INTERRUPTED, no signal, not made from
 * a page): which signal only the process's end can say.  Such a record is
 * kept (a copy of @raw) until then: peer_inflight() feeds it with the
 * signal that ended the process, if one did; when the process went on
 * after the signal (a later request record from the same peer, its own
 * exit, or it runs on), the signal was one it handled and the close its
 * own decision (its own timeout: an alarm() whose handler raises, a read
 * that returned EINTR and the program closing): fed with the error that
 * close gives without a signal (PEER_WENT_ON).  Returns
 * whether @rec is held (not while releasing, in a replay, or with
 * COLLECTOR_HELD_MAX held already: then the caller delivers it now).
 * (collector_live.c)
 */
#define COLLECTOR_HELD_MAX 64
bool peer_hold(collector *c, int fd, const ht_record *rec, const uint8_t *raw,
	       size_t len);

/* peer_conns_note() - record @rec came from peer @fd (its own conn ids,
 * before renumbering): a request opens its connection (remembered: its
 * peer, how many requests, client or server, TLS), a close or a failure
 * ends it.  (collector_live.c) */
void peer_conns_note(collector *c, int fd, const ht_record *rec);

/* peer_conns_end() - peer @fd is gone (after peer_inflight()): when its
 * process ended without a goodbye (a kill, a crash, _exit: its page not
 * marked by exit() or exec, which close them in the library) and every
 * record its page counted arrived (no close lost on the way), each
 * connection it opened and never closed is fed as a close of its own
 * (HT_REC_CONN_CLOSE, HT_CF_PROCESS_END): its end was the process's.
 * Nothing otherwise (it runs on, the collector stops); they are forgotten
 * in peer_forget() either way.  (collector_live.c) */
void peer_conns_end(collector *c, int fd);

/* peer_conns_forget() - forget every connection remembered for peer @fd
 * (-1: all of them).  (collector_live.c) */
void peer_conns_forget(collector *c, int fd);

/* peer_release() - feed the records peer @fd has held, oldest first, each
 * with signal @sig (0: as they came; PEER_WENT_ON: the process went on,
 * peer_hold()); and, @fd -1, forget every record held (the collector is
 * closed).  (collector_live.c) */
#define PEER_WENT_ON 0x100u
void peer_release(collector *c, int fd, unsigned sig);

/* How the process @pid (@l its live page, or NULL) ended: the error for its
 * requests in flight and *@sig (0: none or not known); 0 while it runs.
 * @wait: whether to wait a little (its socket closes a moment before it
 * can be waited for).  process_runs(): whether it still runs (/proc).
 * exit_status(): the status it exited with by itself, -1 if not known.
 * exit_says_signal(): the signal a 128+N exit status says ended it, or 0.
 * (collector_end.c) */
unsigned process_end(const collector *c, const ht_live *l, uint32_t pid,
		     bool wait, uint8_t *sig);
bool process_runs(uint32_t pid);
int exit_status(const collector *c, uint32_t pid, bool wait);
unsigned exit_says_signal(int code);

#endif
