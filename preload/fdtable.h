/*
 * fdtable.h - the fd table (fdtable.c): which fds the library follows, the
 * connection block each names, its locks across threads and forks.  Part of
 * ht.h, which includes it where its declarations need what comes before
 * (the guard, the clock); not included on its own.
 */
#ifndef HT_FDTABLE_H
#define HT_FDTABLE_H

/* ---- fd table (fdtable.c) --------------------------------------------------- */

/*
 * An fd's slot, and a connection's own (ht_tracked home).  The program may
 * name one connection by several fds (dup, dup2, dup3, fcntl F_DUPFD: bash
 * moves a /dev/tcp socket to the redirection's fd, then points its stdout
 * at it for a builtin's write): every fd's slot points at the connection,
 * and the hooks work on the connection's home slot, whichever fd the call
 * named (ht_slot_peek()): one lock, one count of writes in flight, one
 * stream.  The connection ends when its last fd is closed.
 */
typedef struct ht_slot {
	ht_lock lock;  /* home: the connection's lock (an fd's: unused) */
	union {
		/* Home: writes on the connection in flight: begun (the real
		 * call made or about to be) and not yet fed to it.  Atomic;
		 * while not 0, reads of the connection are held
		 * (conn_hold()), since what they carry may answer bytes a
		 * write sent and has not fed yet. */
		int writing;
		/* An fd's slot: how many times t changed (a link made or
		 * left; atomic, wraps), so that a connect tells a link made
		 * after its call began from an older one (ht_fd_changes()). */
		unsigned changes;
	};
	/* An fd's slot: the connection the fd names, or NULL (read without
	 * a lock).  Home: the connection while it is followed, NULL once it
	 * is over (its fds may still name it until they are closed). */
	struct ht_tracked *t;
} ht_slot;

/* Why a connection's stream has a hole (ht_tracked missed). */
enum {
	HT_MISSED_SIGNAL = 1,  /* a signal handler's I/O, the guard not had */
	HT_MISSED_FD_RACE = 2, /* a dup2 onto one of its fds raced another
				  thread's link of that fd (ht_dup_fd()) */
	HT_MISSED_STDIO = 3,   /* a stdio FILE opened on it (fdopen) */
};

/* ht_missed_why() - the note of a connection given up for its ht_tracked
 * missed (HT_MISSED_*), a server's (@server) or a client's. */
HT_HIDDEN const char *ht_missed_why(int missed, bool server);

/* A tracked connection: the pure state plus what the hooks need. */
typedef struct ht_tracked {
	conn c;
	ht_slot home;          /* see ht_slot; home.t is this, or NULL */
	unsigned nfds;         /* fd slots pointing here (home locked) */
	int dns_slot;          /* DNS cache entry to consume on success, or -1 */
	uint32_t dns_gen;
	/* A Unix socket not yet known to carry HTTP, or an accepted socket
	 * (c.server) on probation: its first bytes decide (hook_io.c);
	 * anything else and it is forgotten without a record. */
	bool probe;
	/* An accepted socket on probation whose first bytes read were a
	 * ClientHello, read by the program itself: waiting for the TLS
	 * session that holds its random (tls.h, ht_tls_hello_read()). */
	bool hello_wait;
	/* TLS session of the call its last socket call ran in (tls.h) */
	const void *tls_session;
	/* Bytes moved while this thread was already inside the library (a
	 * signal handler's I/O): they could not be fed, so the connection's
	 * stream has a hole.  Set without the lock (atomic); the next event
	 * gives the connection up (conn_give_up()) rather than pair
	 * what follows wrongly. */
	int missed; /* HT_MISSED_*, 0: none */
	/* Changes each time the block is freed: a hook that found the
	 * connection before its real call goes on after it only when the
	 * block still holds that one (ht_slot_same()), never the block's next
	 * connection.  Atomic. */
	uint64_t gen;
	/* The last fd was closed while writes were in flight: the last of
	 * them to end frees the block.  Atomic: whoever clears it (set, with
	 * no write left in flight) frees the block, or, on a path that may
	 * take no lock, leaves it to the next ht_tracked_alloc(). */
	bool parked;
	/* The fork generation (ht_fork_gen) this block's connection belongs
	 * to: another one in a forked child that inherited it and has not
	 * locked it yet, which makes it the child's then (ht_home_lock()).
	 * Written under the home lock (or before the block is published),
	 * read with it, but by the parent's fork handler (atomic). */
	unsigned fork_gen;
	struct ht_tracked *next_free;
	struct ht_tracked *next_all; /* every block mapped (fdtable.c) */
} ht_tracked;

#define HT_CHUNK_BITS 12
#define HT_CHUNK (1u << HT_CHUNK_BITS)
#define HT_MAX_CHUNKS 256 /* fds up to 1M */

/* Chunks of HT_CHUNK slots, mmap'ed when an fd in their range is first
 * tracked (fdtable.c). */
HT_HIDDEN extern ht_slot *ht_chunks[HT_MAX_CHUNKS];

/* ht_fd_slot() - the slot of @fd when it names a connection, followed or
 * over (slot->t not NULL), else NULL.  No lock. */
static inline ht_slot *ht_fd_slot(int fd)
{
	if (unlikely(fd < 0))
		return NULL;
	unsigned ci = (unsigned)fd >> HT_CHUNK_BITS;
	if (unlikely(ci >= HT_MAX_CHUNKS))
		return NULL;
	ht_slot *chunk = __atomic_load_n(&ht_chunks[ci], __ATOMIC_ACQUIRE);
	if (likely(!chunk))
		return NULL;
	ht_slot *s = &chunk[(unsigned)fd & (HT_CHUNK - 1)];
	if (likely(!__atomic_load_n(&s->t, __ATOMIC_ACQUIRE)))
		return NULL;
	return s;
}

/* ht_home_tracked() - the connection block whose home is @s. */
static inline struct ht_tracked *ht_home_tracked(ht_slot *s)
{
	return (struct ht_tracked *)((char *)s - offsetof(struct ht_tracked, home));
}

/* The bit of a hook's connection generation (ht_conn_gen()) where the
 * fork generation begins: a block's own count (t->gen) never gets there. */
#define HT_GEN_FORK_SHIFT 40

/* ht_conn_gen() - the generation of @t's connection as a hook reads it
 * before its real call and checks it after (ht_slot_peek(),
 * ht_slot_same(), ht_write_begin()): the block's own (t->gen, counted on
 * each time the block is freed) with this process's fork generation in
 * its top bits.  A hook that a signal handler's fork interrupted resumes
 * in the child with its parent's reading: another connection, never fed
 * there (the call was the parent's, which feeds it: ht_gen_forked()). */
static inline uint64_t ht_conn_gen(const struct ht_tracked *t)
{
	return __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) ^
	       ((uint64_t)ht_fork_gen << HT_GEN_FORK_SHIFT);
}

/* ht_gen_forked() - whether @gen, a hook's reading of its connection
 * (ht_conn_gen()), was taken before a fork that made this process: the
 * hook began in the parent, and its call is the parent's. */
static inline bool ht_gen_forked(uint64_t gen)
{
	return unlikely((uint32_t)(gen >> HT_GEN_FORK_SHIFT) !=
			(ht_fork_gen & ((1u << (64 - HT_GEN_FORK_SHIFT)) - 1)));
}

/* ht_home_inherited() - home slot @s (locked) belongs to a block inherited
 * at a fork and not used since in this process: its count of writes in
 * flight (the parent's writers') goes to 0, its connection becomes this
 * process's (conn_reset_after_fork()), and the block of this fork
 * generation.  Out of line: once per block after a fork. */
HT_HIDDEN void ht_home_inherited(ht_slot *s);

/* ht_home_lock_wait() - ht_home_lock()'s lock when it is not free: held by
 * a thread of this process (wait), or by one of an ancestor's at a fork,
 * which is not here to release it (taken over). */
HT_HIDDEN void ht_home_lock_wait(ht_slot *s);

/* The value of a home lock held in this process: the fork generation
 * (ht_fork_gen) in it, so that a forked child tells a lock a parent's
 * thread held at the fork from one of its own threads' without a walk
 * over every connection at the fork.  Released: 0 (ht_lock_release()). */
static inline int ht_home_held(void)
{
	return (int)((ht_fork_gen << 1) | 1u);
}

/* ht_home_lock_as_is() - lock home slot @s as ht_home_lock() does, but
 * leave an inherited connection as the fork left it: whether it is one,
 * inherited at a fork and never locked here since (the caller calls
 * ht_home_inherited() before it uses the connection).  Guard held. */
static inline bool ht_home_lock_as_is(ht_slot *s)
{
	int free = 0;
	if (unlikely(!__atomic_compare_exchange_n(&s->lock.v, &free,
						  ht_home_held(), false,
						  __ATOMIC_ACQUIRE,
						  __ATOMIC_RELAXED)))
		ht_home_lock_wait(s);
	return unlikely(__atomic_load_n(&ht_home_tracked(s)->fork_gen,
					__ATOMIC_RELAXED) != ht_fork_gen);
}

/* ht_home_lock() - lock home slot @s, as every use of its connection
 * does, first; released with ht_lock_release() or ht_slot_release().  In
 * a forked child, the first lock of an inherited connection resets it
 * then (ht_home_inherited()), not the fork: a fork writes no
 * connection's memory, whose every page written would be copied (a page
 * fault each, in the child and in the parent), and a child that never
 * uses a connection pays nothing for it.  Guard held. */
static inline void ht_home_lock(ht_slot *s)
{
	if (ht_home_lock_as_is(s))
		ht_home_inherited(s);
}

/* ht_write_inherited() - ht_write_begin() on home slot @s, of a block
 * inherited at a fork and not locked since: the block is made this
 * process's first (its writes in flight, the parent's, forgotten), so
 * that the count this write makes is never forgotten with them.  False
 * when the thread is inside the library already (a signal handler's
 * write): the connection has a hole then (ht_tracked missed).  errno is
 * kept. */
HT_HIDDEN bool ht_write_inherited(ht_slot *s);

/* ht_slot_peek() - the home slot of the connection @fd names, if it is
 * followed, else NULL; *@gen is set to the connection's generation, which
 * the caller checks once it locked the slot (ht_slot_same()): by then the
 * connection may be over and its memory another's.  No lock: a cheap test
 * for the hot path (inline, no call: an untracked fd's hook is a few
 * instructions and a tail call).  A connection's memory is never
 * unmapped, so the home stays valid to lock after the fd is closed. */
static inline ht_slot *ht_slot_peek(int fd, uint64_t *gen)
{
	ht_slot *s = ht_fd_slot(fd);
	if (likely(!s))
		return NULL;
	ht_tracked *t = __atomic_load_n(&s->t, __ATOMIC_ACQUIRE);
	if (unlikely(!t || !__atomic_load_n(&t->home.t, __ATOMIC_ACQUIRE)))
		return NULL;
	*gen = ht_conn_gen(t);
	/* the fd still names it: the generation is the fd's connection's,
	 * not that of one that took the block meanwhile */
	if (unlikely(__atomic_load_n(&s->t, __ATOMIC_ACQUIRE) != t))
		return NULL;
	return &t->home;
}

/* ht_fd_followed() - whether @fd names a connection that is followed.  No
 * lock: a test, for a caller that looks the connection up again. */
static inline bool ht_fd_followed(int fd)
{
	uint64_t gen;
	return ht_slot_peek(fd, &gen) != NULL;
}

/* ht_slot_same() - whether home slot @s (locked) still holds the
 * connection of generation @gen, followed: not over, and not another
 * connection that took its memory since ht_slot_peek() found it. */
static inline bool ht_slot_same(ht_slot *s, uint64_t gen)
{
	return s->t != NULL &&
	       ht_conn_gen(s->t) == gen;
}

/* ht_fd_changes() - the count of changes of @fd's slot (ht_slot changes;
 * 0 while its table memory is not made): read before a call that may open
 * a connection on @fd, so that publishing it (ht_track_fd()) sees whether
 * another thread linked @fd since.  No lock. */
static inline unsigned ht_fd_changes(int fd)
{
	if (unlikely(fd < 0))
		return 0;
	unsigned ci = (unsigned)fd >> HT_CHUNK_BITS;
	if (unlikely(ci >= HT_MAX_CHUNKS))
		return 0;
	ht_slot *chunk = __atomic_load_n(&ht_chunks[ci], __ATOMIC_ACQUIRE);
	if (likely(!chunk))
		return 0;
	return __atomic_load_n(&chunk[(unsigned)fd & (HT_CHUNK - 1)].changes,
			       __ATOMIC_SEQ_CST);
}

/* ht_slot_get() - the fd slot of @fd, creating table memory as needed; NULL
 * when @fd is out of range or memory cannot be had. */
HT_HIDDEN ht_slot *ht_slot_get(int fd);

/* ht_tracked_alloc() / ht_tracked_free() - connection state from a free
 * list backed by mmap (no malloc: hooks may run in signal handlers).  A
 * block is never unmapped: a thread whose call began on a connection may
 * lock its home after the last fd was closed (it finds home.t NULL, or
 * the block's next connection, as it would find the fd's next one). */
HT_HIDDEN ht_tracked *ht_tracked_alloc(void);
HT_HIDDEN void ht_tracked_free(ht_tracked *t);

/* ht_untrack_stale_fd() - after the program's call on @fd that opens a
 * connection (connect, accept): a link @fd's slot still has is older than
 * the call, its fd closed unseen (a raw system call): left as
 * ht_untrack_replaced_fd() leaves it (@fd names another file now: its
 * socket is never asked what the old connection did).  With @since (the slot's count of changes
 * read before the call, ht_fd_changes()) not NULL, only a link made
 * before the call: returns false, leaving the slot as it is, when it
 * changed since (another thread's dup2 onto @fd linked it: ht_dup_fd());
 * else *@since is counted on with this untrack's change.  Guard held. */
HT_HIDDEN bool ht_untrack_stale_fd(int fd, uint64_t now, unsigned *since);

/* ht_track_fd() - publish @t, new, as @fd's connection (its only fd so
 * far), with no write in flight, at @now: ht_untrack_stale_fd() first,
 * with @since (NULL for an accept, whose fd is not known before its
 * call).  Returns false, with @t freed (forgotten; a client's given up
 * with HT_ERR_UNFOLLOWED and a NOTE), when @fd has no slot or when
 * another thread linked @fd since (@since) or since the untrack: which
 * file @fd names is unknown then, the other link is kept.  Guard held. */
HT_HIDDEN bool ht_track_fd(int fd, ht_tracked *t, uint64_t now,
			   const unsigned *since);

/* ht_slot_release() - unlock home slot @s, locked by the caller; when @dead
 * (the connection @s tracks, over: its last record made, or forgotten) is
 * not NULL, it is first no longer followed (s->t NULL: ht_slot_peek() finds
 * nothing for its fds); its memory is freed when its last fd is closed
 * (ht_untrack_fd()).  Guard held. */
HT_HIDDEN void ht_slot_release(ht_slot *s, ht_tracked *dead);

/* ht_server_probe_settle() - server connection @t (slot locked), on
 * probation, got @verdict from conn_server_probe() or
 * conn_server_probe_fed(): HTTP takes it off probation and sets
 * *@now_http; returns true when it is not HTTP (forget it), false else. */
HT_HIDDEN bool ht_server_probe_settle(ht_tracked *t, conn_probe verdict,
				      bool *now_http);

/* ht_server_probe_fed() - a server connection @t (slot locked) on
 * probation was fed the bytes of a call: whether they made it HTTP (then
 * off probation, *@now_http set) or said it is not (true: forget it), as
 * conn_server_probe_fed() says; false and no change when not on
 * probation or still undecided. */
HT_HIDDEN bool ht_server_probe_fed(ht_tracked *t, bool *now_http);

/* ht_server_wmark_sync() - the connection on slot @s (locked, guard held)
 * may have a write mark (conn.h live_wmark) just claimed, or writes just
 * ended: the mark shows a write in flight when one may be (s->writing,
 * read after the mark was published), and none once none is.  Pairs with
 * ht_write_begin()'s count, made without the lock. */
HT_HIDDEN void ht_server_wmark_sync(ht_slot *s);

/* ht_want_collector() - the connection on slot @s (not locked; guard
 * held) carries HTTP: the collector is wanted now (ht_emit_want()).  When
 * there is a live page (made now, at the process's first such connection,
 * or by another thread's meanwhile), the requests and HTTP/2 streams its
 * bytes already began without one take their slots (conn_live_adopt()). */
HT_HIDDEN void ht_want_collector(ht_slot *s);

/* Writes this thread counted in flight (ht_write_begin()) and did not end
 * yet (ht_writes_end_locked(), ht_writes_end_unlocked()); every write ends
 * on the thread that began it.  A signal handler's writes begin and end
 * within the handler, so the oldest end last. */
HT_HIDDEN extern HT_TLS unsigned ht_writes_mine;
/* Of those, in a child forked by this thread (from a signal handler that
 * interrupted a write hook, or a TLS call that owes writes), the ones
 * counted in the parent: ht_table_after_fork() set every connection's
 * count to 0, so their ends take nothing back (they are the oldest: the
 * last ht_writes_stale of ht_writes_mine).  0 but in such a child. */
HT_HIDDEN extern HT_TLS unsigned ht_writes_stale;

/* ht_write_undo() - a write counted by ht_write_begin() on a connection
 * that was no longer the one looked up: the count goes back (out of line,
 * rare). */
HT_HIDDEN void ht_write_undo(ht_slot *s);

/* ht_write_begin() - a write on tracked slot @s, found as generation @gen
 * (ht_slot_peek()), is about to be made: reads are held until it ends
 * (ht_writes_end_locked()), and a server connection's write mark (conn.h
 * live_wmark, live.h) shows it in flight until then.  Returns false, with
 * nothing counted, when @s no longer holds that connection (over, or its
 * memory another's), or when it was inherited at a fork and this thread
 * is inside the library already (ht_write_inherited()): the call is not
 * followed.  While it is counted, the
 * connection's memory is not reused (ht_untrack_fd() parks it), so the
 * count ends on the same connection.  Before the real call, on tracked fds
 * only.  No lock: the connection and its mark are read as they are (a
 * tracked connection's memory and a live page are never unmapped; a mark
 * released meanwhile shows a write that is not, until its next owner's
 * writes end); the count is made after s->writing's, and a mark claimed
 * meanwhile is checked against s->writing (ht_server_wmark_sync()). */
static inline bool ht_write_begin(ht_slot *s, uint64_t gen)
{
	/* (acquire: the count set to 0 by ht_home_inherited() comes before) */
	if (unlikely(__atomic_load_n(&ht_home_tracked(s)->fork_gen,
				     __ATOMIC_ACQUIRE) != ht_fork_gen) &&
	    !ht_write_inherited(s))
		return false;
	__atomic_add_fetch(&s->writing, 1, __ATOMIC_SEQ_CST);
	ht_writes_mine++; /* ended by whichever end takes the count back */
	/* Dekker with ht_untrack_fd(): it clears home.t, then reads
	 * s->writing.  Either it sees this count and parks the block, or
	 * this sees home.t NULL (or the block's next connection). */
	ht_tracked *t = __atomic_load_n(&s->t, __ATOMIC_SEQ_CST);
	if (unlikely(t == NULL ||
		     ht_conn_gen(t) != gen)) {
		ht_write_undo(s);
		return false;
	}
	ht_live_wmark *w = __atomic_load_n(&t->c.live_wmark, __ATOMIC_SEQ_CST);
	if (w != NULL)
		__atomic_add_fetch(&w->begun, 1, __ATOMIC_SEQ_CST);
	return true;
}

/* ht_writing() - whether a write on @s is in flight: a read of its
 * connection must be held (conn_hold()). */
static inline bool ht_writing(ht_slot *s)
{
	return __atomic_load_n(&s->writing, __ATOMIC_SEQ_CST) > 0;
}

/* ht_writes_end_locked() - @n writes on @s ended and what they sent is fed
 * (slot locked, guard held): when none is left in flight, the connection's
 * held reads are fed and a server's write mark is cleared
 * (ht_server_wmark_sync()). */
HT_HIDDEN void ht_writes_end_locked(ht_slot *s, unsigned n);

/* ht_writes_end() - the same with @s not locked (guard held). */
HT_HIDDEN void ht_writes_end(ht_slot *s, unsigned n);

/* ht_writes_end_unlocked() - @n writes on @s ended where no lock may be
 * taken (the guard not had: a signal handler's call): nothing is fed
 * (what is held waits for the connection's next event); a parked block
 * they were the last writes on is freed by the next ht_tracked_alloc().
 * Lock-free, async-signal-safe. */
HT_HIDDEN void ht_writes_end_unlocked(ht_slot *s, unsigned n);

/* Connections whose c.intr is set (atomic): while none is, a poll that
 * was not interrupted has no mark to clear (hook_poll.c). */
HT_HIDDEN extern unsigned ht_intr_marks;

/* ht_intr_set() - the program's last call on @c returned EINTR (@on) or
 * not: set or clear c->intr (conn.h), keeping ht_intr_marks.  Slot
 * locked.  A compare when nothing changes. */
static inline void ht_intr_set(conn *c, bool on)
{
	if (likely(c->intr == on))
		return;
	c->intr = on;
	if (on)
		__atomic_add_fetch(&ht_intr_marks, 1, __ATOMIC_RELAXED);
	else
		__atomic_sub_fetch(&ht_intr_marks, 1, __ATOMIC_RELAXED);
}

/* ht_fd_closing() - the program is about to close @fd (close(), or
 * syscall(SYS_close) as libuv does): its connection ends when @fd was the
 * last fd naming it, before the number can be reused.  errno is kept. */
HT_HIDDEN void ht_fd_closing(int fd);

/* ht_range_closing() - the program is about to make the close_range
 * system call (@first, @last, @flags; libc's close_range(), closefrom(),
 * or syscall(SYS_close_range)): unless it only sets close-on-exec, closes
 * in an unshared fd table (CLOSE_RANGE_UNSHARE: other threads keep the
 * fds) or is sure to fail (an unknown flag, @first above @last), the
 * connections of the fds in range end, and the library's own socket is
 * forgotten when it is one of them.  errno is kept. */
HT_HIDDEN void ht_range_closing(unsigned first, unsigned last,
				unsigned flags);

/* ht_untrack_fd() - @fd is being closed or replaced: it no longer names its
 * connection; when it was the connection's last fd, finish it (records for
 * what was in flight, then conn_closed) and free it.  Caller holds the
 * guard (ht_enter). */
HT_HIDDEN void ht_untrack_fd(int fd, uint64_t now);

/* ht_untrack_replaced_fd() - ht_untrack_fd() for an @fd the program's
 * dup2/dup3 made name another file already: the same, but @fd's socket is
 * not asked what it sent (it is not the connection's any more), so a TCP
 * client that wrote nothing seen is not told unseen writes from the
 * kernel's count (that note is lost).  Caller holds the guard. */
HT_HIDDEN void ht_untrack_replaced_fd(int fd, uint64_t now);

/* ht_dup_fd() - @newfd, just made a duplicate of @oldfd by the program
 * (dup, dup2, dup3, fcntl F_DUPFD), names @oldfd's connection too, if
 * @oldfd names one that is followed; a connection @newfd named before is
 * left first (ht_untrack_fd()).  Caller holds the guard; this process's
 * own call (not a vfork child's). */
HT_HIDDEN void ht_dup_fd(int oldfd, int newfd, uint64_t now);

/* ht_table_for_each() - call @fn on every fd naming a connection (at exit,
 * close_range), with the connection's home slot, not locked (a connection
 * named by two fds is met twice; its home's t is NULL once it is over). */
HT_HIDDEN void ht_table_for_each(void (*fn)(int fd, ht_slot *s, void *arg),
				 void *arg);

/* ht_table_forget_all() - stop following every connection, with no
 * record and no system call (their memory stays mapped). */
HT_HIDDEN void ht_table_forget_all(void);

/* ht_table_after_fork() - in the child (single-threaded): the table's
 * own locks are released, blocks parked for the parent's writers freed;
 * no connection's memory is read or written: each block is made the
 * child's at its first lock (ht_home_lock(), ht_write_begin()). */
HT_HIDDEN void ht_table_after_fork(void);

/* ht_shared_check() - a call on @fd, of connection @c (slot locked) that a
 * fork shared (c->fork_shared), moved @n bytes (@out: written) or saw an
 * end or error, at @now, not fed yet: the kernel is asked whether only
 * this process moved bytes on it, else it is given up
 * (conn_shared_check()). */
HT_HIDDEN void ht_shared_check(int fd, conn *c, bool out, uint64_t n,
			       uint64_t now);

/* ht_table_fork_parent() - in the parent, after a fork: each connection
 * with requests in flight is shared with the child: followed on while the
 * kernel's counts prove no other process uses it (ht_shared_check()), else
 * no longer followed (conn_fork_shared()).  An idle one is only read, not
 * locked (its pages stay shared with the child).  Caller holds the guard. */
HT_HIDDEN void ht_table_fork_parent(void);

/* ht_untracked_fast() - the hot path's test: the library is initialised
 * and @fd is not tracked, so the hook only has to call through. */
static inline bool ht_untracked_fast(int fd)
{
	return likely(ht_inited) && likely(!ht_fd_followed(fd));
}

/* ht_next_conn_id() - a connection id for a new connection, unique in the
 * process, from 1 (hook_socket.c). */
HT_HIDDEN uint32_t ht_next_conn_id(void);

#endif /* HT_FDTABLE_H */
