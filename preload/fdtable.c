/*
 * fdtable.c - fd -> tracked connection, O(1) and lock-free for fds that are
 * not tracked.
 *
 * Two levels: a static array of chunk pointers, each chunk HT_CHUNK slots
 * mmap'ed the first time an fd in its range is tracked.  A read/write on an
 * untracked fd costs two loads.  Connection state comes from a free list of
 * mmap'ed blocks: no malloc, which may not be called from a signal handler
 * or while the program holds malloc's lock.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "ht.h"

#define HT_FREE_MAX 64    /* idle connection blocks kept for reuse */

ht_slot *ht_chunks[HT_MAX_CHUNKS];
#define chunks ht_chunks
static ht_lock chunk_lock;
HT_STARTUP_DATA static unsigned chunks_made;  /* none yet: nothing to walk (at exit) */

static ht_tracked *free_list;
static unsigned free_count;
static ht_lock free_lock;

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
	ht_tracked *t = NULL;
	ht_lock_acquire(&free_lock);
	if (free_list) {
		t = free_list;
		free_list = t->next_free;
		free_count--;
	}
	ht_lock_release(&free_lock);
	if (!t) {
		void *m = mmap(NULL, sizeof(ht_tracked), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		t = m;
	}
	t->next_free = NULL;
	t->dns_slot = -1;
	t->probe = false;
	t->hello_wait = false;
	t->missed = 0;
	return t;
}

unsigned ht_intr_marks;

void ht_tracked_free(ht_tracked *t)
{
	if (!t)
		return;
	ht_intr_set(&t->c, false);
	ht_lock_acquire(&free_lock);
	if (free_count < HT_FREE_MAX) {
		t->next_free = free_list;
		free_list = t;
		free_count++;
		t = NULL;
	}
	ht_lock_release(&free_lock);
	if (t)
		munmap(t, sizeof(ht_tracked));
}

void ht_track_fd(int fd, ht_tracked *t)
{
	ht_slot *s = ht_slot_get(fd);
	if (!s) {
		ht_tracked_free(t);
		return;
	}
	ht_lock_acquire(&s->lock);
	/* A new connection starts with no write in flight: a count an old
	 * one left (a thread cancelled, or a siglongjmp out of its blocked
	 * write, never came back to end it) must not hold this one's reads. */
	__atomic_store_n(&s->writing, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s->t, t, __ATOMIC_RELEASE);
	ht_lock_release(&s->lock);
}

void ht_untrack_fd(int fd, uint64_t now)
{
	ht_slot *s = ht_slot_peek(fd);
	if (!s)
		return;
	ht_lock_acquire(&s->lock);
	ht_tracked *t = s->t;
	if (t) {
		/* a server connection still on probation showed nothing of
		 * HTTP: no record (the collector may not even be wanted) */
		if (t->probe && t->c.server)
			conn_forget(&t->c);
		else
			conn_close(&t->c, now);
	}
	ht_slot_release(s, t);
}

void ht_slot_release(ht_slot *s, ht_tracked *dead)
{
	if (dead)
		__atomic_store_n(&s->t, NULL, __ATOMIC_RELEASE);
	ht_lock_release(&s->lock);
	ht_tracked_free(dead);
}

void ht_writes_end_locked(ht_slot *s, unsigned n)
{
	if (__atomic_sub_fetch(&s->writing, (int)n, __ATOMIC_SEQ_CST) != 0 ||
	    !s->t)
		return;
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

void ht_writes_end(ht_slot *s, unsigned n)
{
	ht_lock_acquire(&s->lock);
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
		for (unsigned i = 0; i < HT_CHUNK; i++)
			if (__atomic_load_n(&chunk[i].t, __ATOMIC_RELAXED))
				fn((int)(ci * HT_CHUNK + i), &chunk[i], arg);
	}
}

/* Forget one connection without a record (its memory is left mapped: no
 * system call may follow, see ht_table_forget_all()). */
static void forget_slot(int fd, ht_slot *s, void *arg)
{
	(void)fd;
	(void)arg;
	ht_lock_acquire(&s->lock);
	__atomic_store_n(&s->t, NULL, __ATOMIC_RELEASE);
	ht_lock_release(&s->lock);
}

void ht_table_forget_all(void)
{
	ht_table_for_each(forget_slot, NULL);
}

void ht_table_after_fork(void)
{
	chunk_lock.v = 0;
	free_lock.v = 0;
	for (unsigned ci = 0; ci < HT_MAX_CHUNKS; ci++) {
		ht_slot *chunk = chunks[ci];
		if (!chunk)
			continue;
		for (unsigned i = 0; i < HT_CHUNK; i++) {
			chunk[i].lock.v = 0;
			chunk[i].writing = 0; /* the writers were the parent's */
			if (chunk[i].t)
				conn_reset_after_fork(&chunk[i].t->c, ht_pid);
		}
	}
}
