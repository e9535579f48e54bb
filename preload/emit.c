/*
 * emit.c - hand records to the collector without ever blocking the program.
 *
 * One SOCK_SEQPACKET connection per process image: each record is one
 * message, so threads send concurrently without a lock and a record is
 * never split.  Sends use MSG_DONTWAIT | MSG_NOSIGNAL: when the collector is
 * slow the socket buffer fills and the record is dropped and counted.
 *
 * The connection to the collector (connecting, the HELLO, the retry
 * window, the checks that keep the socket the library's own) is
 * emit_connect.c's; this file holds the record path: the batches, the
 * pending message of an event loop, the sends, and the counts of what was
 * produced and dropped.  The two share what emit_internal.h declares.
 *
 * Every record is received or counted: the counters of each connection live
 * in a memfd page passed to the collector with the HELLO (ht_counters in
 * wire.h), which the collector reads after the process is gone, however it
 * ended.  Records dropped while no collector listens (none yet, or none
 * any more) are counted too, the requests among them apart, and told to
 * the next collector that comes at the path (the connect is retried at
 * most once a second; by a process that never had a collector, for
 * ABSENT_WAIT_NS after its first attempt only).  A collector that stops
 * while the process runs reports the requests its page shows in flight
 * and marks the page (read_at): core counts their own records there,
 * never sent (live.h ht_live_taken()).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "bufpool.h"
#include "emit_internal.h"
#include "ht.h"
#include "live.h"

/* This connection's counters: the shared page, or (no memfd) a private
 * one; between connections, away_counters.  A record counts as produced on
 * the page current when its batch began; if it is sent on another
 * connection, the count moves with it (move_produced()), so that each
 * page's produced is what its connection carried, dropped or lost.
 * Records dropped while there is no connection are counted in
 * dropped_away and told in the next HELLO. */
ht_counters private_counters;
HT_STARTUP_DATA ht_counters away_counters; /* read at exit */
/* The live page (live.h) of the current connection, whose header holds
 * its counters; NULL between connections or without a memfd. */
HT_STARTUP_DATA struct ht_live *volatile ht_live_page; /* stored at start */
ht_counters *volatile counters = &away_counters;
uint64_t dropped_away;   /* atomic */
uint64_t dropped_sent;   /* last count the collector was told */
/* Of each count, the request records (the requests made and lost): kept
 * beside the counters they belong to (req_counts_of()). */
ht_live_req_counts private_reqs;
HT_STARTUP_DATA static ht_live_req_counts away_reqs;
uint64_t dropped_away_reqs; /* atomic */

/* The records one hook call produces (a read can complete several
 * pipelined responses or HTTP/2 streams) are encoded back to back in
 * batch_buf and go out together when the call leaves the library
 * (ht_leave()).  The buffer is lent by the pool at the call's first record
 * and given back when the batch is flushed: only a pointer lives in TLS,
 * which every thread of the host carries in its stack (a 32 KiB __thread
 * array made small-stack threads fail to start).  Never used re-entrantly
 * (ht_busy). */
static HT_TLS uint8_t *batch_buf;
HT_TLS uint32_t ht_batch_len;
static HT_TLS uint32_t batch_count;
static HT_TLS uint32_t batch_reqs;  /* of batch_count, request records */
static HT_TLS ht_counters *batch_page; /* where the batch was counted */
static HT_TLS bool batch_urgent;  /* holds a connection's close or failure */

/* A thread that waits in epoll_wait/poll/select runs an event loop: it
 * comes back to wait as soon as the ready events are handled.  Its request
 * records wait in the process's pending message until then (or until
 * PEND_MAX_NS pass), so one send carries the records of a whole loop
 * iteration instead of one each; an epoll loop that finds events ready
 * keeps them waiting across its iterations, up to PEND_MAX_NS
 * (hook_poll.c, ht_emit_pending_left_ms()).  Threads that block in reads
 * send at the end of every hook call, so nothing is held back while they
 * wait.  Records made before the process wants a collector (notes from the
 * constructor) wait there too. */
HT_TLS bool ht_poller;
#define PEND_MAX_NS 5000000ull
/* The pending message: a buffer of the pool (HT_BUF_SIZE), the first
 * batch's own, kept while records wait and sent as it is (never copied
 * out); NULL while none wait. */
static uint8_t *pend_buf;
static uint32_t pend_len, pend_count, pend_reqs;
static ht_counters *pend_page;  /* where the pending records are counted */
static uint64_t pend_t0;
static ht_lock pend_lock;
HT_STARTUP_DATA volatile uint32_t ht_pending; /* pend_len, read without the lock (and at exit) */

/* The request counts that go with counters @c (a live page's own, or the
 * private or between-connections ones). */
static ht_live_req_counts *req_counts_of(ht_counters *c)
{
	if (c == &away_counters)
		return &away_reqs;
	if (c == &private_counters)
		return &private_reqs;
	return &((ht_live *)c)->req_counts;
}

/* Set once exec made its attempt: an exec that fails (execvp tries each
 * PATH entry in turn) is not followed by another attempt outside the
 * usual window, a connect per entry. */
static bool exec_tried;

void ht_emit_after_fork(void)
{
	/* Each store only if it changes something (HT_RESET: a store is a
	 * page fault in the child); a process that never connected has all
	 * of this at rest already. */
	HT_RESET(exec_tried, false); /* the child's own exec may try */
	/* The parent sent what was pending before forking (fork_prepare);
	 * whatever this copy holds is the parent's. */
	HT_RESET(pend_lock.v, 0);
	HT_RESET(connect_lock.v, 0);
	HT_RESET(pend_buf, NULL); /* (the pool is reset below) */
	HT_RESET(pend_len, 0);
	HT_RESET(pend_count, 0);
	HT_RESET(pend_reqs, 0);
	HT_RESET(pend_t0, 0);
	HT_RESET(ht_pending, 0);
	/* Only this thread is left, and it holds no batch between calls. */
	ht_buf_reset_after_fork();
	HT_RESET(batch_buf, NULL);
	HT_RESET(ht_batch_len, 0);
	HT_RESET(batch_count, 0);
	HT_RESET(batch_reqs, 0);
	HT_RESET(batch_urgent, false);
	/* The parent's live page is shared with the parent: in the child it
	 * becomes private memory at the same place, so that nothing the child
	 * does (a request of the parent's it forgot, say) reaches the
	 * parent's page. */
	ht_live *live = ht_live_page;
	if (live)
		mmap(live, HT_LIVE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	/* The parent's socket and counters are shared with the parent: the
	 * child is a process of its own, which connects when it has
	 * something to say.  (Nothing to drop: no socket, no page, the
	 * counters between connections already.) */
	if (sock_fd >= 0 || live || counters != &away_counters)
		drop_socket(true);
	HT_RESET(private_counters.produced, 0);
	HT_RESET(private_counters.dropped, 0);
	HT_RESET(away_counters.produced, 0);
	HT_RESET(away_counters.dropped, 0);
	HT_RESET(private_reqs.produced, 0);
	HT_RESET(private_reqs.dropped, 0);
	HT_RESET(away_reqs.produced, 0);
	HT_RESET(away_reqs.dropped, 0);
	HT_RESET(batch_page, NULL);
	HT_RESET(pend_page, NULL);
	HT_RESET(dropped_away, 0);
	HT_RESET(dropped_sent, 0);
	HT_RESET(dropped_away_reqs, 0);
	/* A child of a process that never connected tries within what is
	 * left of its parent's window (a forking server does not get a new
	 * one per child); a child of one that did, within its own. */
	if (connected_once)
		first_try_ns = 0;
	HT_RESET(connected_once, false);
	/* wanted stays as it was: the child inherits the parent's tracked
	 * connections, and connects at its first record on one of them, or
	 * at its own first tracked connection (ht_emit_want()). */
	HT_RESET(last_retry_ns, 0);
	HT_RESET(image_t0, 0); /* a new image: its own at its first HELLO */
}

/* A collector that went away within the last second (a listen restarted
 * at the same path) left the retry window closed: a process ending inside
 * it would tell its last records and its drop counts to nobody.  Whether
 * the image's end should try once more: no collector, the window closed,
 * and something to tell.  Loads only, no system call. */
static bool at_exit_due(void)
{
	if (sock_fd >= 0 || !wanted || !ht_enabled || !last_retry_ns)
		return false;
	return ht_batch_len || __atomic_load_n(&ht_pending, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&dropped_away, __ATOMIC_RELAXED);
}

void ht_emit_at_exit(void)
{
	/* one more attempt whatever the window says; with nothing to tell,
	 * no system call.  Not from a vfork child, which shares its
	 * parent's memory: it must not reopen the parent's window (nor
	 * connect, current_fd() would refuse it after the write). */
	if (!at_exit_due() || ht_foreign_process())
		return;
	last_retry_ns = 0;
	(void)current_fd();
}

void ht_emit_at_exec(void)
{
	if (exec_tried || !at_exit_due() || ht_foreign_process() ||
	    !ht_enter())
		return;
	int saved = errno;
	exec_tried = true;
	ht_emit_at_exit();
	errno = saved;
	ht_leave();
}

void ht_emit_goodbye(void)
{
	ht_live *live = ht_live_page;
	if (live)
		__atomic_store_n(&live->ended, HT_LIVE_EXITED, __ATOMIC_RELEASE);
}

/* Send one encoded message; returns 0, or the errno of the failure. */
static int send_msg(int fd, const uint8_t *buf, size_t len)
{
	ssize_t r = HT_REAL(send)(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r == (ssize_t)len)
		return 0;
	return r < 0 ? errno : EMSGSIZE;
}

/* The socket is unusable: EAGAIN and friends are "slow", the rest "gone". */
static bool collector_gone(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN ||
	       err == ECONNREFUSED || err == EBADF || err == ENOTSOCK;
}

/* Count @n records (@nreq of them requests) that did not reach a
 * collector: against this connection's counters, or, with no connection
 * (or one whose collector is gone: nobody reads its counters any more),
 * told to the next one. */
static void count_dropped(uint32_t n, uint32_t nreq, bool connected)
{
	/* The records first, then the requests: a reader that takes the
	 * requests first never sees more requests than records. */
	if (connected) {
		ht_counters *c = __atomic_load_n(&counters, __ATOMIC_ACQUIRE);
		__atomic_add_fetch(&c->dropped, n, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&req_counts_of(c)->dropped, nreq,
				   __ATOMIC_SEQ_CST);
	} else {
		__atomic_add_fetch(&dropped_away, n, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&dropped_away_reqs, nreq, __ATOMIC_SEQ_CST);
	}
}

void ht_emit_flush_drops(bool final)
{
	ht_counters *c = __atomic_load_n(&counters, __ATOMIC_ACQUIRE);
	uint64_t d = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED);
	if (!final && d == __atomic_load_n(&dropped_sent, __ATOMIC_RELAXED))
		return;
	int fd = sock_fd;
	if (fd < 0 || !fd_is_ours(fd))
		return;
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_DROPS;
	rec.u.drops.pid = ht_pid;
	rec.u.drops.dropped = d;
	rec.u.drops.produced = __atomic_load_n(&c->produced, __ATOMIC_RELAXED);
	rec.u.drops.flags = final ? HT_DF_FINAL : 0;
	ht_live_req_counts *r = req_counts_of(c);
	rec.u.drops.req_dropped = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
	rec.u.drops.req_produced = __atomic_load_n(&r->produced,
						   __ATOMIC_RELAXED);
	uint8_t buf[64];
	size_t len = ht_wire_encode(buf, sizeof buf, &rec);
	if (len && send_msg(fd, buf, len) == 0)
		__atomic_store_n(&dropped_sent, d, __ATOMIC_RELAXED);
}

/* An event loop's request record, the first of its call, encoded straight
 * into the pending message when there is one with room and not due: no
 * buffer lent for the call, and no copy of it into the message when the
 * call ends (flush_batch()); counted on the message's page, where the
 * flush would move it.  Returns false when it is not taken (the batch
 * takes it, as it takes every other record). */
static bool emit_pending(const ht_record *rec)
{
	if (!ht_poller || !wanted || batch_count || rec->type != HT_REC_REQUEST ||
	    !__atomic_load_n(&ht_pending, __ATOMIC_RELAXED))
		return false;
	uint64_t now = ht_call_ns ? ht_call_ns : ht_now();
	bool taken = false;
	ht_lock_acquire(&pend_lock);
	/* due: the batch path sends the message (flush_batch()) */
	uint8_t *buf = pend_buf;
	ht_counters *page = pend_page;
	if (buf && page && pend_t0 &&
	    !(now > pend_t0 && now - pend_t0 >= PEND_MAX_NS)) {
		size_t len = ht_wire_encode(buf + pend_len,
					    HT_BUF_SIZE - pend_len, rec);
		/* A signal handler that forked during the encode returns in
		 * the child with the message reset (ht_emit_after_fork()):
		 * the record is the parent's, which sends it. */
		if (pend_buf != buf) {
			ht_lock_release(&pend_lock);
			return true;
		}
		if (len) {
			pend_len += (uint32_t)len;
			pend_count++;
			pend_reqs++;
			__atomic_add_fetch(&page->produced, 1,
					   __ATOMIC_RELAXED);
			__atomic_add_fetch(&req_counts_of(page)->produced,
					   1, __ATOMIC_RELAXED);
			__atomic_store_n(&ht_pending, pend_len,
					 __ATOMIC_RELAXED);
			taken = true;
		}
	}
	ht_lock_release(&pend_lock);
	return taken;
}

/* Whether this process is a child forked since @gen (ht_fork_gen) was
 * read: by a signal handler that interrupted this thread's encoding or
 * sending of records made before the fork, the parent's, which it sends
 * and counts itself (ht_emit_after_fork() reset this thread's batch). */
static inline bool forked_since(unsigned gen)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return unlikely(gen != ht_fork_gen);
}

/* The process a record of a connection tells of (the connection's pid,
 * conn.h), 0 for a record of the library's own. */
static uint32_t record_pid(const ht_record *rec)
{
	switch (rec->type) {
	case HT_REC_REQUEST: return rec->u.req.pid;
	case HT_REC_CONN_FAIL: return rec->u.fail.pid;
	case HT_REC_CONN_CLOSE: return rec->u.close.pid;
	case HT_REC_NOTE: return rec->u.note.pid;
	case HT_REC_WS: return rec->u.ws.pid;
	default: return 0;
	}
}

void ht_emit(void *ctx, const ht_record *rec)
{
	/* A connection that tells of another process is a parent's, in a
	 * child that a signal handler forked while this thread's hook
	 * worked on it (its lock held, so not made the child's at a lock,
	 * ht_home_lock()): the parent sends the record, the child's copy of
	 * that work makes none. */
	unsigned gen = ht_fork_gen;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	/* only a connection's record (@ctx set, ht_conn_env): the library's
	 * own may tell of another process (posix_spawn's note, its child's) */
	uint32_t pid = ctx ? record_pid(rec) : 0;
	if (!ht_enabled || unlikely(pid != 0 && pid != ht_pid) ||
	    emit_pending(rec))
		return;
	size_t len = 0;
	if (!batch_buf)
		batch_buf = ht_buf_get();
	if (batch_buf) {
		len = ht_wire_encode(batch_buf + ht_batch_len,
				     HT_BUF_SIZE - ht_batch_len, rec);
		if (!len && ht_batch_len) {
			/* no room left in this call's message: send it
			 * first, in a buffer lent anew */
			ht_emit_flush();
			batch_buf = ht_buf_get();
			if (batch_buf)
				len = ht_wire_encode(batch_buf, HT_BUF_SIZE,
						     rec);
		}
	}
	if (forked_since(gen))
		return; /* encoded in a buffer of the parent's */
	bool is_req = rec->type == HT_REC_REQUEST;
	if (!batch_count)
		batch_page = __atomic_load_n(&counters, __ATOMIC_ACQUIRE);
	ht_counters *c = batch_page;
	if (len) {
		ht_batch_len += (uint32_t)len;
		batch_count++;
		batch_reqs += is_req;
		batch_urgent |= !is_req;
	} else if (!batch_count) {
		batch_page = NULL;
	}
	if (forked_since(gen)) {
		/* forked since the test above: the batch this child's reset
		 * left holds the parent's record only (the handler's own
		 * calls flushed theirs), and is not this child's to send */
		ht_batch_len = batch_count = batch_reqs = 0;
		batch_urgent = false;
		batch_page = NULL;
		return;
	}
	__atomic_add_fetch(&c->produced, 1, __ATOMIC_RELAXED);
	if (is_req)
		__atomic_add_fetch(&req_counts_of(c)->produced, 1,
				   __ATOMIC_RELAXED);
	if (!len) {
		__atomic_add_fetch(&c->dropped, 1, __ATOMIC_RELAXED);
		if (is_req)
			__atomic_add_fetch(&req_counts_of(c)->dropped, 1,
					   __ATOMIC_RELAXED);
	}
}

/* @n records (@nreq of them requests) counted as produced on @from are
 * carried by @to's connection (or by none): the count moves with them. */
static void move_produced(ht_counters *from, ht_counters *to, uint32_t n,
			  uint32_t nreq)
{
	if (!from || from == to)
		return;
	__atomic_sub_fetch(&req_counts_of(from)->produced, nreq,
			   __ATOMIC_RELAXED);
	__atomic_add_fetch(&req_counts_of(to)->produced, nreq,
			   __ATOMIC_RELAXED);
	__atomic_sub_fetch(&from->produced, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->produced, n, __ATOMIC_RELAXED);
}

/* Send @len bytes holding @n records (@nreq requests) counted on @page,
 * taken out at fork generation @gen; count them as dropped on failure. */
static void send_records(const uint8_t *buf, uint32_t len, uint32_t n,
			 uint32_t nreq, ht_counters *page, unsigned gen)
{
	if (!len || forked_since(gen))
		return;
	int fd = current_fd();
	if (forked_since(gen))
		return;
	move_produced(page, __atomic_load_n(&counters, __ATOMIC_ACQUIRE), n,
		      nreq);
	if (fd < 0) {
		count_dropped(n, nreq, false);
		return;
	}
	int err = send_msg(fd, buf, len);
	if (forked_since(gen))
		return;
	if (err) {
		/* A collector that is gone reads this connection's counters
		 * no more: the records count for the next one. */
		count_dropped(n, nreq, !collector_gone(err));
		if (collector_gone(err)) {
			/* Nobody listens any more: try again (once a second)
			 * and count what is lost meanwhile. */
			int old = fd;
			if (__atomic_compare_exchange_n(&sock_fd, &old, -1,
							false, __ATOMIC_ACQ_REL,
							__ATOMIC_RELAXED)) {
				between_connections();
				if (fd_is_ours(fd))
					HT_REAL(close)(fd);
				last_retry_ns = ht_now();
			}
		}
		return;
	}
	ht_emit_flush_drops(false);
}

int ht_emit_pending_left_ms(uint64_t now)
{
	if (!wanted)
		return -1;
	/* (pend_t0 is written under the lock; a stale reading is a later
	 * or an earlier wait, never a lost record: the send takes the lock) */
	uint64_t t0 = __atomic_load_n(&pend_t0, __ATOMIC_RELAXED);
	if (!t0 || now < t0)
		return t0 ? (int)(PEND_MAX_NS / 1000000) : 0;
	uint64_t age = now - t0;
	if (age >= PEND_MAX_NS)
		return 0;
	return (int)((PEND_MAX_NS - age + 999999) / 1000000);
}

void ht_emit_send_pending(void)
{
	/* Before the process wants a collector, records wait. */
	if (!wanted)
		return;
	unsigned gen = ht_fork_gen;
	/* The message is taken out so the lock is not held in send(). */
	ht_lock_acquire(&pend_lock);
	uint8_t *out = pend_buf;
	uint32_t len = pend_len, n = pend_count, nreq = pend_reqs;
	ht_counters *page = pend_page;
	pend_buf = NULL;
	pend_len = pend_count = pend_reqs = 0;
	pend_page = NULL;
	__atomic_store_n(&pend_t0, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ht_pending, 0, __ATOMIC_RELAXED);
	ht_lock_release(&pend_lock);
	if (out)
		send_records(out, len, n, nreq, page, gen);
	if (!forked_since(gen)) /* (else lent in the parent: kept) */
		ht_buf_put(out);
}

/* Send (or, on an event loop's thread, queue) @len bytes of @n records
 * (@nreq requests) counted on @page, in the pool's buffer @buf.  Returns
 * true when @buf became the pending message (not to be given back). */
static bool flush_batch(uint8_t *buf, uint32_t len, uint32_t n,
			uint32_t nreq, bool urgent, ht_counters *page,
			unsigned gen)
{
	if ((ht_poller && !urgent) || !wanted) {
		/* An event loop's records wait for its next wait (or for
		 * PEND_MAX_NS), in one message with the others; records made
		 * before any tracked connection wait for the first one.  The
		 * clock as the call that made them read it, if it did. */
		uint64_t now = ht_call_ns ? ht_call_ns : ht_now();
		bool send_now = false, kept = false;
		/* A full message goes out first, and this call's records
		 * begin the next one (not a send of their own). */
		uint32_t held = __atomic_load_n(&ht_pending, __ATOMIC_RELAXED);
		if (wanted && held && held + len > HT_BUF_SIZE)
			ht_emit_send_pending();
		ht_lock_acquire(&pend_lock);
		if (forked_since(gen)) {
			/* the parent's records: not this child's message (nor
			 * its pool, reset at the fork: the buffer is kept) */
			ht_lock_release(&pend_lock);
			return true;
		}
		if (!pend_buf || pend_len + len <= HT_BUF_SIZE) {
			if (!pend_buf) {
				pend_buf = buf; /* (pend_len is 0) */
				kept = true;
			} else {
				memcpy(pend_buf + pend_len, buf, len);
			}
			pend_len += len;
			pend_count += n;
			pend_reqs += nreq;
			/* the pending message is counted on one page */
			if (!pend_page)
				pend_page = page;
			else
				move_produced(page, pend_page, n, nreq);
			if (!pend_t0) /* (read without the lock too) */
				__atomic_store_n(&pend_t0, now,
						 __ATOMIC_RELAXED);
			len = 0;
		}
		/* pend_t0 may be a later reading than @now (another
		 * thread's, taken after this call's): not due then. */
		send_now = wanted && (len || (now > pend_t0 &&
					      now - pend_t0 >= PEND_MAX_NS));
		if (!wanted && len)
			count_dropped(n, nreq, false); /* no room to wait in */
		__atomic_store_n(&ht_pending, pend_len, __ATOMIC_RELAXED);
		ht_lock_release(&pend_lock);
		if (!send_now)
			return kept;
		ht_emit_send_pending();
		send_records(buf, len, n, nreq, page, gen); /* did not fit */
		return kept;
	}
	/* Records already pending go first, then this call's. */
	if (__atomic_load_n(&ht_pending, __ATOMIC_RELAXED))
		ht_emit_send_pending();
	send_records(buf, len, n, nreq, page, gen);
	return false;
}

void ht_emit_flush(void)
{
	/* read before the batch: a fork after it leaves the batch the
	 * parent's in the child (ht_emit_after_fork() reset this thread's) */
	unsigned gen = ht_fork_gen;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	uint32_t len = ht_batch_len, n = batch_count, nreq = batch_reqs;
	bool urgent = batch_urgent;
	uint8_t *buf = batch_buf;
	ht_counters *page = batch_page;
	ht_batch_len = 0;
	batch_count = 0;
	batch_reqs = 0;
	batch_urgent = false;
	batch_buf = NULL;
	batch_page = NULL;
	if (len && flush_batch(buf, len, n, nreq, urgent, page, gen))
		return; /* the pending message now */
	if (!forked_since(gen)) /* (else lent in the parent: kept) */
		ht_buf_put(buf);
}
