/*
 * fdtable.c - fd -> tracked connection, O(1) and lock-free for fds that are
 * not tracked.
 *
 * Two levels: a static array of chunk pointers, each chunk HT_CHUNK slots
 * mmap'ed the first time an fd in its range is tracked.  A read/write on an
 * untracked fd costs two loads.  Connection state comes from a free list of
 * mmap'ed blocks: no malloc, which may not be called from a signal handler
 * or while the program holds malloc's lock.  An fd's slot points at its
 * connection; several fds may name one (ht.h, ht_slot), whose own "home"
 * slot holds the lock and the writes in flight, and counts its fds.
 */
#include <errno.h>
#include <sched.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <string.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "ht.h"

ht_slot *ht_chunks[HT_MAX_CHUNKS];
#define chunks ht_chunks
static ht_lock chunk_lock;
HT_STARTUP_DATA static unsigned chunks_made;  /* none yet: nothing to walk (at exit) */
static ht_tracked *free_list;
static ht_lock free_lock;
/* Parked blocks whose last write ended where no lock could be taken
 * (ht_writes_end_unlocked()): freed by the next ht_tracked_alloc().  A
 * lock-free stack (pushed one by one, taken whole), through next_free. */
static ht_tracked *orphans;
/* Every block ever mapped (next_all, under free_lock): ht_table_after_fork() */
static ht_tracked *all_blocks;
/* Blocks parked, or about to be (counted first, ht_untrack_fd()): while
 * none is, a forked child has no block to free and walks none.  Atomic. */
HT_STARTUP_DATA static int parked_blocks; /* read in every forked child */

/* Whether this caller cleared @t's parked flag: then it frees @t. */
static bool unpark(ht_tracked *t)
{
	bool parked = true;

	if (!__atomic_compare_exchange_n(&t->parked, &parked, false, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return false;
	__atomic_sub_fetch(&parked_blocks, 1, __ATOMIC_SEQ_CST);
	return true;
}

ht_slot *ht_slot_get(int fd)
{
	if (fd < 0)
		return NULL;
	unsigned ci = (unsigned)fd >> HT_CHUNK_BITS;
	if (ci >= HT_MAX_CHUNKS)
		return NULL;
	ht_slot *chunk = __atomic_load_n(&chunks[ci], __ATOMIC_ACQUIRE);
	if (!chunk) {
		ht_lock_acquire(&chunk_lock);
		chunk = chunks[ci];
		if (!chunk) {
			void *m = mmap(NULL, HT_CHUNK * sizeof(ht_slot),
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m != MAP_FAILED) {
				chunk = m;
				__atomic_store_n(&chunks[ci], chunk,
						 __ATOMIC_RELEASE);
				__atomic_add_fetch(&chunks_made, 1,
						   __ATOMIC_RELEASE);
			}
		}
		ht_lock_release(&chunk_lock);
		if (!chunk)
			return NULL;
	}
	return &chunk[(unsigned)fd & (HT_CHUNK - 1)];
}

ht_tracked *ht_tracked_alloc(void)
{
	ht_tracked *t = __atomic_exchange_n(&orphans, NULL, __ATOMIC_ACQUIRE);
	while (t) {
		ht_tracked *next = t->next_free;

		ht_tracked_free(t);
		t = next;
	}
	ht_lock_acquire(&free_lock);
	if (free_list) {
		t = free_list;
		free_list = t->next_free;
	}
	ht_lock_release(&free_lock);
	bool fresh = !t; /* mapped here: no other thread knows it */
	if (!t) {
		void *m = mmap(NULL, sizeof(ht_tracked), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		t = m;
		ht_lock_acquire(&free_lock);
		t->next_all = all_blocks;
		all_blocks = t;
		ht_lock_release(&free_lock);
	}
	/* home.lock is left as it is: a thread whose call began on the
	 * block's last connection may still hold it (ht.h ht_slot_peek()).
	 * A block a forked child inherited is made its own first, under
	 * that lock (ht_home_inherited(): a parent's count of writes in
	 * flight on it goes, and no later thread's); a new one is this
	 * process's from the start. */
	if (fresh)
		t->fork_gen = ht_fork_gen;
	else if (__atomic_load_n(&t->fork_gen, __ATOMIC_ACQUIRE) != ht_fork_gen) {
		ht_home_lock(&t->home);
		ht_lock_release(&t->home.lock);
	}
	t->next_free = NULL;
	__atomic_store_n(&t->home.t, NULL, __ATOMIC_RELEASE);
	t->nfds = 0;
	t->dns_slot = -1;
	t->probe = false;
	t->hello_wait = false;
	t->tls_session = NULL;
	t->missed = 0;
	__atomic_store_n(&t->parked, false, __ATOMIC_RELAXED);
	return t;
}

unsigned ht_intr_marks;

void ht_tracked_free(ht_tracked *t)
{
	if (!t)
		return;
	ht_intr_set(&t->c, false);
	/* A call that found the connection before its real call finds
	 * another generation after it (ht_slot_same()). */
	__atomic_add_fetch(&t->gen, 1, __ATOMIC_RELEASE);
	/* Kept for reuse, never unmapped: see ht_slot_peek(). */
	ht_lock_acquire(&free_lock);
	t->next_free = free_list;
	free_list = t;
	ht_lock_release(&free_lock);
}

/* Whether the kernel sent data bytes on TCP socket @fd (Linux 4.19's
 * tcpi_bytes_sent; false where the kernel does not say). */
static bool kernel_sent_bytes(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (!HT_REAL(getsockopt) ||
	    ht_real.getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return false;
	return len >= offsetof(struct tcp_info, tcpi_bytes_sent) +
			      sizeof ti.tcpi_bytes_sent &&
	       ti.tcpi_bytes_sent > 0;
}

/* The program is closing TCP client @fd, whose response @c says runs until
 * the server closes and is under way (conn_close_wants_stream_end()): the
 * kernel says whether the server's stream already ended at the last byte
 * read, which then completes it (conn_close_stream_end()): its state, the
 * bytes it took in (TCP_INFO) and, past the peer's FIN only, the bytes
 * left unread (SIOCINQ); neither call changes anything the program can
 * see. */
static void stream_end_asked(int fd, conn *c)
{
	struct tcp_info ti;
	socklen_t il = sizeof ti;
	int unread = -1;
	memset(&ti, 0, sizeof ti);
	if (!HT_REAL(getsockopt) ||
	    ht_real.getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &il) != 0 ||
	    il < 1 || !conn_stream_ended_whole(ti.tcpi_state, 0))
		return;
	/* (Linux 4.1's tcpi_bytes_received: a kernel without it never
	 * completes the response) */
	uint64_t received =
		il >= offsetof(struct tcp_info, tcpi_bytes_received) +
				sizeof ti.tcpi_bytes_received ?
			ti.tcpi_bytes_received : UINT64_MAX;
	if (ioctl(fd, SIOCINQ, &unread) != 0)
		unread = -1;
	conn_close_stream_end(c, ti.tcpi_state, unread, received);
}

/* TCP_INFO of socket @fd, its byte counts included (Linux 4.1), into
 * *@ti. */
static bool tcp_info_counts(int fd, struct tcp_info *ti)
{
	socklen_t il = sizeof *ti;
	memset(ti, 0, sizeof *ti);
	return ht_real.getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &il) == 0 &&
	       il >= offsetof(struct tcp_info, tcpi_bytes_received) +
			     sizeof ti->tcpi_bytes_received;
}

/* What the kernel says of TCP socket @fd, @c's, into *@k (conn.h,
 * conn_tcp_counts): the queues (SIOCOUTQ, then SIOCINQ: the bytes that
 * arrive keep coming, and the received count is read right after it)
 * between two TCP_INFO calls, and how far the counts moved between them
 * (conn_tcp_counts_verdict() bounds what the readers and writers moved
 * with them).  False when it does not say: a Unix socket, a kernel before
 * Linux 4.1, a program that installed a seccomp filter (the calls could
 * kill it).  None of the calls changes anything the program can see. */
static bool tcp_counts(int fd, const conn *c, conn_tcp_counts *k)
{
	struct tcp_info a, b;
	int unread = -1, unsent = -1;
	if (c->peer.family == HT_AF_UNIX || ht_seccomp_set ||
	    !HT_REAL(getsockopt))
		return false;
	if (!tcp_info_counts(fd, &a) || ioctl(fd, SIOCOUTQ, &unsent) != 0 ||
	    ioctl(fd, SIOCINQ, &unread) != 0 || !tcp_info_counts(fd, &b))
		return false;
	k->state = b.tcpi_state;
	k->state_moved = a.tcpi_state != b.tcpi_state;
	k->received = b.tcpi_bytes_received;
	k->acked = b.tcpi_bytes_acked;
	k->arrived = b.tcpi_bytes_received - a.tcpi_bytes_received;
	k->acks = b.tcpi_bytes_acked - a.tcpi_bytes_acked;
	k->unread = unread;
	k->unsent = unsent;
	return true;
}

/* tcp_counts() until they decide (conn_tcp_counts_verdict(), for a call
 * that moved @n bytes, @out: written): bytes arriving between the calls
 * leave it undecided, tried again a few times, yielding the CPU to the
 * sender from the third on (on loopback the next segment often comes
 * within microseconds of a read).  False when the kernel does not say. */
static bool shared_counts(int fd, const conn *c, bool out, uint64_t n,
			  conn_tcp_counts *k)
{
	for (int tries = 0; tries < 8; tries++) {
		if (tries >= 2)
			sched_yield();
		if (!tcp_counts(fd, c, k))
			return false;
		if (conn_tcp_counts_verdict(c, k, out, n) != CONN_COUNTS_MOVING)
			break;
	}
	return true;
}

void ht_shared_check(int fd, conn *c, bool out, uint64_t n, uint64_t now)
{
	conn_tcp_counts k;
	/* a read inside a response body, ending nothing: no system call */
	if (conn_shared_unasked(c, out, n))
		return;
	conn_shared_check(c, shared_counts(fd, c, out, n, &k) ? &k : NULL, out,
			  n, now);
}

/* ht_untrack_fd(), and (@ask) whether @fd may be asked what its socket
 * sent: not once the program's call replaced the file it names.  With
 * @since, only a link older than the call that read it
 * (ht_untrack_stale_fd()): false when the slot changed since. */
static bool untrack(int fd, uint64_t now, bool ask, unsigned *since)
{
	ht_slot *fs = ht_fd_slot(fd);
	if (!fs)
		return true;
	ht_tracked *t = __atomic_load_n(&fs->t, __ATOMIC_ACQUIRE);
	if (!t)
		return true;
	ht_slot *s = &t->home;
	/* (an inherited connection stays as the fork left it while another
	 * fd names it: dropping one fd is no use of it) */
	bool inherited = ht_home_lock_as_is(s);
	if (__atomic_load_n(&fs->t, __ATOMIC_RELAXED) != t) {
		ht_lock_release(&s->lock); /* another thread untracked it */
		return true;
	}
	/* (a linked slot changes only under its connection's lock: this
	 * count holds while it is had) */
	if (since && __atomic_load_n(&fs->changes, __ATOMIC_SEQ_CST) != *since) {
		ht_lock_release(&s->lock);
		return false;
	}
	/* counted first: a link made once the slot is empty sees it
	 * (link_new()) */
	__atomic_add_fetch(&fs->changes, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fs->t, NULL, __ATOMIC_RELEASE);
	if (since)
		++*since;
	if (--t->nfds > 0) {
		/* another fd still names the connection: it goes on */
		ht_lock_release(&s->lock);
		return true;
	}
	if (inherited)
		ht_home_inherited(s); /* the parent's slot and writes let go */
	if (s->t) {
		/* Inherited at a fork and never used here, as at the exit
		 * (close_at_exit()): the connection goes on in the parent,
		 * whose close is its end; this copy's close tells nothing.  A
		 * server connection, or a client's Unix socket carrying a TLS
		 * session, on probation showed nothing of HTTP: no record
		 * (but a FILE opened on it: a note, not the parent's). */
		if (inherited || (t->probe && (t->c.server || t->c.tls))) {
			if (!inherited)
				conn_stdio_end(&t->c, now);
			conn_forget(&t->c);
		} else {
			/* A TCP client that wrote nothing we saw: one system
			 * call says whether it wrote nonetheless. */
			if (ask && !t->probe &&
			    conn_nothing_written_seen(&t->c) &&
			    kernel_sent_bytes(fd))
				conn_writes_unseen(&t->c);
			if (ask && !t->probe &&
			    conn_close_wants_stream_end(&t->c))
				stream_end_asked(fd, &t->c);
			conn_close(&t->c, now);
		}
		__atomic_store_n(&s->t, NULL, __ATOMIC_SEQ_CST);
	}
	/* Dekker with ht_write_begin(): a write counted on the block ends on
	 * it; the last one to end frees it (ht_writes_end_locked()).  Parked
	 * first, then the count read: a write ending meanwhile where it takes
	 * no lock (ht_writes_end_unlocked()) sees it parked, or it is seen
	 * here ending; whichever unparks the block frees it. */
	__atomic_add_fetch(&parked_blocks, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&t->parked, true, __ATOMIC_SEQ_CST);
	bool park = __atomic_load_n(&s->writing, __ATOMIC_SEQ_CST) != 0 ||
		    !unpark(t);
	ht_lock_release(&s->lock);
	if (!park)
		ht_tracked_free(t);
	return true;
}

void ht_untrack_fd(int fd, uint64_t now)
{
	untrack(fd, now, true, NULL);
}

void ht_untrack_replaced_fd(int fd, uint64_t now)
{
	untrack(fd, now, false, NULL);
}

bool ht_untrack_stale_fd(int fd, uint64_t now, unsigned *since)
{
	return untrack(fd, now, false, since);
}

/* Link @fs, @fd's slot, to @t, new and locked, if @fs is empty and (with
 * @since) did not change since that count.  Whether it did. */
static bool link_new(ht_slot *fs, ht_tracked *t, const unsigned *since)
{
	/* Empty only: another thread's dup2 onto @fd may have linked it
	 * since the untrack (ht_dup_fd(), under its connection's lock, not
	 * this one: hence a compare-and-swap, which both use). */
	ht_tracked *none = NULL;
	if (!__atomic_compare_exchange_n(&fs->t, &none, t, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
		return false;
	unsigned was = __atomic_fetch_add(&fs->changes, 1, __ATOMIC_SEQ_CST);
	if (!since || was == *since)
		return true;
	/* Linked and left again since (the count says what the empty slot
	 * does not): taken back.  Nothing used @t meanwhile: home.t is
	 * still NULL (ht_slot_peek() finds no connection), and every change
	 * of a slot naming @t waits for its lock, held here. */
	__atomic_add_fetch(&fs->changes, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fs->t, NULL, __ATOMIC_RELEASE);
	return false;
}

bool ht_track_fd(int fd, ht_tracked *t, uint64_t now, const unsigned *since)
{
	unsigned count = since ? *since : 0;
	ht_slot *fs = ht_slot_get(fd);
	if (!fs) {
		conn_forget(&t->c);
		ht_tracked_free(t);
		return false;
	}
	/* (not asked: @fd names the new connection's socket now) */
	bool won = untrack(fd, now, false, since ? &count : NULL);
	/* home.writing is 0: a block is freed only with no write counted
	 * on it (ht_untrack_fd()), and a write that counted itself on it
	 * since takes its count back (ht_write_begin()). */
	if (won) {
		ht_home_lock(&t->home);
		won = link_new(fs, t, since ? &count : NULL);
		if (won) {
			t->nfds = 1;
			__atomic_store_n(&t->home.t, t, __ATOMIC_RELEASE);
		}
		ht_lock_release(&t->home.lock);
	}
	if (won)
		return true;
	/* Another thread's dup2 onto @fd linked it after the program's call
	 * began: that link is the newer, kept.  The new connection's file
	 * is gone (the dup2 closed it) or, for the program's own races,
	 * unknown; the kernel is not asked which file @fd names (the answer
	 * could be stale by the time it came).  None of its bytes was seen:
	 * a client's is given up, which says so in a NOTE (the summary
	 * counts it; a request sent with a Fast Open SYN would go
	 * unreported otherwise); one on probation (a Unix client, an
	 * accepted connection) is forgotten as one that never showed HTTP
	 * is: the program read nothing from it through @fd. */
	if (!t->probe)
		conn_give_up(&t->c, HT_ERR_UNFOLLOWED,
			     "a connection whose fd another thread's dup2 "
			     "replaced as it was opened: not followed", now);
	conn_forget(&t->c);
	ht_tracked_free(t);
	return false;
}

void ht_dup_fd(int oldfd, int newfd, uint64_t now)
{
	ht_slot *os = ht_fd_slot(oldfd);
	if (!os || oldfd == newfd)
		return;
	ht_slot *ns = ht_slot_get(newfd);
	if (!ns)
		return;
	/* Claimed first: a connect publishing its connection on @newfd
	 * from here on sees the slot changed since its call began and keeps
	 * off (ht_track_fd()); one that published before is left below, its
	 * file replaced by the program's call. */
	__atomic_add_fetch(&ns->changes, 1, __ATOMIC_SEQ_CST);
	ht_tracked *t = NULL;
	for (int tries = 0; tries < 2; tries++) {
		/* what @newfd named before the program's call replaced it
		 * (left before the call, but for a race) */
		ht_untrack_replaced_fd(newfd, now);
		t = __atomic_load_n(&os->t, __ATOMIC_ACQUIRE);
		if (!t)
			return;
		/* @newfd's slot is taken only while empty, as ht_track_fd()
		 * takes it (each under its own connection's lock) */
		ht_tracked *none = NULL;
		bool linked = false;
		/* a link moves no byte: an inherited connection stays as the
		 * fork left it (a child that only dups it tells nothing) */
		(void)ht_home_lock_as_is(&t->home);
		if (__atomic_load_n(&os->t, __ATOMIC_RELAXED) != t ||
		    !t->home.t) {
			ht_lock_release(&t->home.lock);
			return;
		}
		if (__atomic_compare_exchange_n(&ns->t, &none, t, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE)) {
			__atomic_add_fetch(&ns->changes, 1, __ATOMIC_SEQ_CST);
			t->nfds++;
			linked = true;
		}
		ht_lock_release(&t->home.lock);
		if (linked)
			return;
		/* Linked since the untrack: a connect taking it back (its
		 * lock, once had, says it is done), or, the program racing a
		 * close and an accept or another dup2 of @newfd with this
		 * call, a link that may be the newer one. */
		ht_tracked *o = __atomic_load_n(&ns->t, __ATOMIC_ACQUIRE);
		if (o == t)
			return; /* the same dup2 made by another thread */
		if (!o)
			continue;
		ht_home_lock(&o->home);
		bool kept = __atomic_load_n(&ns->t, __ATOMIC_RELAXED) == o;
		if (kept)
			__atomic_store_n(&o->missed, HT_MISSED_FD_RACE,
					 __ATOMIC_RELEASE);
		ht_lock_release(&o->home.lock);
		if (kept)
			break;
	}
	/* Which file @newfd names is unknown: the link there is kept and
	 * both connections are given up at their next event (counted as
	 * not followed), never fed bytes of the other's. */
	__atomic_store_n(&t->missed, HT_MISSED_FD_RACE, __ATOMIC_RELEASE);
}

void ht_slot_release(ht_slot *s, ht_tracked *dead)
{
	/* freed when its last fd is closed (ht_untrack_fd()) */
	if (dead)
		__atomic_store_n(&s->t, NULL, __ATOMIC_RELEASE);
	ht_lock_release(&s->lock);
}

HT_TLS unsigned ht_writes_mine;
HT_TLS unsigned ht_writes_stale;

/* Of @n writes this thread ends, how many a connection still counts: not
 * the ones begun before the fork that made this process (ht_writes_stale),
 * whose counts the child set to 0.  Async-signal-safe (a handler's writes
 * leave both counts as it found them). */
static unsigned writes_ending(unsigned n)
{
	unsigned mine = ht_writes_mine;
	ht_writes_mine = mine - n;
	unsigned stale = ht_writes_stale;
	if (likely(stale == 0))
		return n;
	unsigned fresh = mine > stale ? mine - stale : 0;
	if (fresh > n)
		fresh = n;
	ht_writes_stale = stale - (n - fresh);
	return fresh;
}

void ht_writes_end_locked(ht_slot *s, unsigned n)
{
	unsigned counted = writes_ending(n);
	if (counted == 0 && n != 0)
		return; /* begun in the parent: this child counts them not */
	if (__atomic_sub_fetch(&s->writing, (int)counted, __ATOMIC_SEQ_CST) != 0)
		return;
	if (!s->t) {
		ht_tracked *t = ht_home_tracked(s);
		if (t->nfds == 0 && unpark(t)) {
			/* the last write on a closed connection: its memory
			 * is free now (the caller's unlock comes after, as
			 * for any block, see ht_tracked_alloc()) */
			ht_tracked_free(t);
		}
		return;
	}
	if (conn_holding(&s->t->c))
		conn_release_held(&s->t->c);
	if (s->t->c.live_wmark != NULL)
		ht_server_wmark_sync(s);
}

void ht_server_wmark_sync(ht_slot *s)
{
	ht_live_wmark *w = s->t ? s->t->c.live_wmark : NULL;

	if (w == NULL)
		return;
	/* Dekker with ht_write_begin(): its count of s->writing comes before
	 * its read of the mark, the mark's publication (and the writes'
	 * ends) before this read of s->writing.  Either that write counts
	 * itself on the mark, or it is seen here. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t begun = __atomic_load_n(&w->begun, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&s->writing, __ATOMIC_SEQ_CST) != 0) {
		/* in flight, perhaps not counted on the mark: shown so until
		 * the writes end (`ended` is only written here, locked) */
		if (begun == w->ended)
			__atomic_add_fetch(&w->begun, 1, __ATOMIC_SEQ_CST);
		return;
	}
	/* none in flight: every write counted so far was fed */
	if (w->ended != begun)
		__atomic_store_n(&w->ended, begun, __ATOMIC_RELEASE);
}

void ht_write_undo(ht_slot *s)
{
	int saved = errno;
	if (!ht_enter()) {
		/* inside the library on this thread (a signal handler's
		 * write): no lock may be taken; what a read held meanwhile
		 * waits for the connection's next event */
		ht_writes_end_unlocked(s, 1);
		errno = saved;
		return;
	}
	ht_writes_end(s, 1);
	ht_leave();
	errno = saved;
}

void ht_writes_end_unlocked(ht_slot *s, unsigned n)
{
	unsigned counted = writes_ending(n);
	if (counted == 0 && n != 0)
		return; /* begun in the parent: this child counts them not */
	if (__atomic_sub_fetch(&s->writing, (int)counted, __ATOMIC_SEQ_CST) != 0)
		return;
	ht_tracked *t = ht_home_tracked(s);
	/* the last write on a parked block: no lock may be taken here (the
	 * free list's may be this thread's own), the next allocation frees
	 * it */
	if (!unpark(t))
		return;
	ht_tracked *head = __atomic_load_n(&orphans, __ATOMIC_RELAXED);
	do
		t->next_free = head;
	while (!__atomic_compare_exchange_n(&orphans, &head, t, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

void ht_writes_end(ht_slot *s, unsigned n)
{
	ht_home_lock(s);
	ht_writes_end_locked(s, n);
	ht_lock_release(&s->lock);
}

void ht_table_for_each(void (*fn)(int fd, ht_slot *s, void *arg), void *arg)
{
	/* A process that never tracked an fd has no chunk to look at. */
	if (!__atomic_load_n(&chunks_made, __ATOMIC_ACQUIRE))
		return;
	for (unsigned ci = 0; ci < HT_MAX_CHUNKS; ci++) {
		ht_slot *chunk = __atomic_load_n(&chunks[ci], __ATOMIC_ACQUIRE);
		if (!chunk)
			continue;
		for (unsigned i = 0; i < HT_CHUNK; i++) {
			ht_tracked *t = __atomic_load_n(&chunk[i].t,
							__ATOMIC_ACQUIRE);
			if (t)
				fn((int)(ci * HT_CHUNK + i), &t->home, arg);
		}
	}
}

/* Forget one connection without a record (its memory is left as it is: no
 * system call may follow, see ht_table_forget_all()). */
static void forget_slot(int fd, ht_slot *s, void *arg)
{
	(void)fd;
	(void)arg;
	ht_home_lock(s);
	__atomic_store_n(&s->t, NULL, __ATOMIC_RELEASE);
	ht_lock_release(&s->lock);
}

void ht_table_forget_all(void)
{
	ht_table_for_each(forget_slot, NULL);
}

/* Whether the connection of home slot @s, not locked, is idle at a fork
 * in the parent: neither locked by a thread nor in flight.  Read, not
 * locked: the fork made its pages copy-on-write, and a lock taken would
 * copy one for each connection.  A thread that takes the lock meanwhile
 * does so after the fork: what it changes is the parent's own, as when it
 * took the lock before this handler's. */
static bool idle_at_fork(ht_slot *s)
{
	ht_tracked *t = ht_home_tracked(s);
	/* inherited at an earlier fork and not used since: nothing of this
	 * process's is in flight on it (ht_home_inherited()) */
	if (__atomic_load_n(&t->fork_gen, __ATOMIC_RELAXED) != ht_fork_gen)
		return true;
	if (__atomic_load_n(&s->lock.v, __ATOMIC_ACQUIRE) != 0)
		return false;
	/* a write in flight: its request is not fed yet */
	if (__atomic_load_n(&s->writing, __ATOMIC_ACQUIRE) != 0)
		return false;
	if (__atomic_load_n(&s->t, __ATOMIC_ACQUIRE) == NULL)
		return true;
	/* HTTP/2's streams are behind a pointer the lock's holder may free
	 * meanwhile: looked at locked.  No other mode has anything in
	 * flight but HTTP/1.x, looked at in the block's own fields. */
	conn_mode mode = __atomic_load_n(&t->c.mode, __ATOMIC_RELAXED);
	if (mode == CONN_MODE_HTTP2)
		return false;
	bool idle = mode != CONN_MODE_HTTP1 || !conn_h1_in_flight(&t->c);
	/* and still not locked: a thread that was changing it is read as
	 * changing it */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return idle && __atomic_load_n(&s->lock.v, __ATOMIC_RELAXED) == 0;
}

/* @arg: the time of the fork, read at the first connection met in flight
 * (0: not yet), as at exit: a process with none never reads the clock. */
static void fork_shared(int fd, ht_slot *s, void *arg)
{
	uint64_t *at = arg;
	if (idle_at_fork(s))
		return;
	if (*at == 0)
		*at = ht_now();
	ht_home_lock(s);
	/* the kernel asked only for a connection with requests in flight */
	bool writing = __atomic_load_n(&s->writing, __ATOMIC_SEQ_CST) != 0;
	if (s->t && (conn_in_flight(&s->t->c) || writing)) {
		conn_tcp_counts k;
		const conn *c = &s->t->c;
		/* a plain HTTP/1.x connection (or one only writing) is
		 * followed on whatever the counts say (conn_fork_shared()):
		 * asked once, not until they stop moving (the review of
		 * forkmove: up to 8 rounds under the lock for nothing) */
		bool once = writing || (!c->tls && c->mode == CONN_MODE_HTTP1);
		bool known = once ? tcp_counts(fd, c, &k)
				  : shared_counts(fd, c, false, 0, &k);
		conn_fork_shared(&s->t->c, *at, known ? &k : NULL, writing);
	}
	ht_lock_release(&s->lock);
}

void ht_table_fork_parent(void)
{
	uint64_t at = 0;
	ht_table_for_each(fork_shared, &at);
}

HT_STARTUP_DATA unsigned ht_fork_gen; /* written in every forked child */

void ht_home_lock_wait(ht_slot *s)
{
	unsigned spins = 0;
	int mine = ht_home_held();

	for (;;) {
		int v = __atomic_load_n(&s->lock.v, __ATOMIC_RELAXED);
		/* free, or held in an ancestor (another generation): its
		 * holder is not in this process, taken over */
		if (v != mine &&
		    __atomic_compare_exchange_n(&s->lock.v, &v, mine, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		if (++spins > 64) {
			sched_yield();
			spins = 0;
		}
	}
}

void ht_home_inherited(ht_slot *s)
{
	ht_tracked *t = ht_home_tracked(s);

	/* the writers were the parent's threads: none ends here (a write
	 * this thread began before a fork from a signal handler ends
	 * counting nothing, writes_ending()) */
	bool writing = __atomic_exchange_n(&s->writing, 0, __ATOMIC_SEQ_CST) != 0;
	if (s->t)
		conn_reset_after_fork(&t->c, ht_pid, writing);
	/* (release: ht_write_begin() reads it, then counts) */
	__atomic_store_n(&t->fork_gen, ht_fork_gen, __ATOMIC_RELEASE);
}

bool ht_write_inherited(ht_slot *s)
{
	int saved = errno;
	if (!ht_enter()) {
		/* a write this thread's own library code may not follow (the
		 * block's lock may be this thread's, taken before the
		 * signal): the stream has a hole, given up at its next event */
		ht_tracked *t = __atomic_load_n(&s->t, __ATOMIC_ACQUIRE);
		if (t)
			__atomic_store_n(&t->missed, HT_MISSED_SIGNAL,
					 __ATOMIC_RELEASE);
		return false;
	}
	ht_home_lock(s);
	ht_lock_release(&s->lock);
	ht_leave();
	errno = saved;
	return true;
}

void ht_table_after_fork(void)
{
	HT_RESET(chunk_lock.v, 0);
	HT_RESET(free_lock.v, 0);
	/* This thread's writes in flight, if it forked from a signal
	 * handler that interrupted a write hook (or inside a TLS call that
	 * owes writes): each block's count is forgotten at its first use
	 * here with the parent's other threads' (ht_home_inherited()), so
	 * their ends, when the hook resumes here, take nothing back
	 * (writes_ending()); a count left would never end, one taken back
	 * twice would go below 0. */
	HT_RESET(ht_writes_stale, ht_writes_mine);
	/* every block is the parent's until this process locks it: the
	 * locks and counts of writes the parent's threads had at the fork
	 * are forgotten then */
	ht_fork_gen++;
	if (__atomic_load_n(&parked_blocks, __ATOMIC_RELAXED) == 0)
		return;
	/* A block parked in the parent waits for its writers, the parent's
	 * threads: none will end here, free it (no fd names it).  A walk
	 * over every block, only while one is parked (rare: a connection
	 * closed while another thread wrote on it). */
	for (ht_tracked *f = all_blocks; f; f = f->next_all) {
		if (f->parked && f->nfds == 0) {
			f->home.lock.v = 0;
			f->home.writing = 0;
			f->parked = false;
			ht_tracked_free(f);
		}
	}
	parked_blocks = 0;
}

/* @arg: the time of the exit, read at the first connection met (0: not
 * yet): a process that tracked none never reads the clock (the vDSO's data
 * page is one page fault more). */
static void close_at_exit(int fd, ht_slot *s, void *arg)
{
	uint64_t *at = arg;
	/* Inherited at a fork and never used here (not locked since,
	 * ht_home_lock()): the connection goes on in the parent, whose
	 * requests and close are its own to tell.  Nothing written either:
	 * a forked worker that exits pays nothing per inherited connection
	 * (a "conn_closed" of the child's copy, with the parent's request
	 * count, was reported before). */
	if (__atomic_load_n(&ht_home_tracked(s)->fork_gen, __ATOMIC_RELAXED) !=
	    ht_fork_gen)
		return;
	if (*at == 0)
		*at = ht_now();
	uint64_t now = *at;
	/* requests still in flight were cut short by the exit itself */
	ht_home_lock(s);
	if (s->t)
		conn_on_exit(&s->t->c, now);
	ht_lock_release(&s->lock);
	ht_untrack_fd(fd, now);
}

/* At the image's end (exit's destructor, or _exit) the program may leave
 * connections open: report what is in flight and each connection's close,
 * so nothing is silently lost.  Once: a destructor run after ours (or an
 * atexit handler) may still call _exit.  Another thread's _exit meanwhile
 * waits for the end (ht_end_wait()): its exit_group would kill this walk
 * with requests taken off the live page and not yet sent. */
enum { END_NOT_YET, END_RUNNING, END_DONE };
HT_STARTUP_DATA static int end_state;

static void process_end(void)
{
	if (!ht_enabled || !ht_enter())
		return;
	int was = END_NOT_YET;
	if (!__atomic_compare_exchange_n(&end_state, &was, END_RUNNING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		ht_leave();
		return;
	}
	int saved = errno;
	uint64_t now = 0;
	ht_table_for_each(close_at_exit, &now);
	ht_emit_at_exit();
	ht_emit_flush();
	if (__atomic_load_n(&ht_pending, __ATOMIC_RELAXED))
		ht_emit_send_pending();
	ht_emit_flush_drops(true);
	ht_emit_goodbye();
	__atomic_store_n(&end_state, END_DONE, __ATOMIC_RELEASE);
	errno = saved;
	ht_leave();
}

__attribute__((destructor)) static void ht_destructor(void)
{
	process_end();
}

void ht_process_exiting(void)
{
	/* Not from a vfork or posix_spawn child, which shares our memory
	 * until it execs and _exits when the exec failed: the pid test (a
	 * system call, only when tracing is on) leaves everything to the
	 * parent.  Not after a seccomp filter the library did not see
	 * installed (the program's own system call instruction): the end's
	 * fstat and send could kill the process (one prctl). */
	if (!ht_enabled || ht_foreign_process() || !ht_emit_may_call())
		return;
	process_end();
	/* another thread's end in progress: exit once it is over (it never
	 * blocks); a signal handler that interrupted this thread's own end
	 * (ht_enter() refused it above) passes through */
	while (__atomic_load_n(&end_state, __ATOMIC_ACQUIRE) == END_RUNNING &&
	       !ht_busy)
		sched_yield();
}

/* _exit (and _Exit, its alias) end the process without the destructors:
 * a worker that answers, or a child that makes its requests, and then
 * _exits (Python's os._exit, multiprocessing's children) would leave its
 * last records in the pending message (counted dropped) and its requests
 * in flight to the live page (reported "ended" by a listen collector).
 * Then the system calls glibc's _exit makes, made here: nothing to look
 * up, so safe in a signal handler or a vfork child. */
HT_EXPORT __attribute__((noreturn)) void _exit(int status)
{
	ht_process_exiting();
	for (;;) {
		(void)ht_raw_syscall(SYS_exit_group, status, 0, 0, 0, 0, 0);
		(void)ht_raw_syscall(SYS_exit, status, 0, 0, 0, 0, 0);
		/* as glibc: a process whose exit is refused does not go on */
		__builtin_trap();
	}
}

HT_EXPORT __attribute__((noreturn, alias("_exit"))) void _Exit(int status);
