/*
 * hook_poll.c - the calls an event loop waits in (epoll_wait, epoll_pwait,
 * poll, ppoll, select, pselect).
 *
 * An epoll wait marks the thread's state (ht_this_thread.loop): its client
 * requests are then never made children of a server request open on it
 * (conn.h, conn_thread).
 * Waiting marks the thread as an event loop's (ht_poller): its request
 * records then travel in the process's pending message, and the message
 * goes out here, before the thread waits, one send for a whole loop
 * iteration (execve sends it too: hook_exec.c).
 * Each hook costs a thread-local store and a load when nothing is pending.
 *
 * A program that waits for a connection in poll or ppoll (Python with a
 * socket timeout, curl) and is interrupted by a signal sees EINTR here, not
 * in a read: the connections polled are marked then (conn.h: intr), as a
 * read that returned EINTR marks its own, and a poll that returns
 * otherwise clears their marks (the program went on: its own timeout, say,
 * stays a close, not an interruption).  One load more per call while no
 * connection is marked.  select, pselect and the epoll calls mark nothing
 * (select's sets say, once it returns, only which fds are ready; an epoll
 * set is not known here): a program waiting there is marked by its next
 * read only.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ht.h"

/* The pending message goes out (ht.h: ht_send_pending()). */
void ht_send_pending_slow(void)
{
	if (ht_foreign_process() || !ht_enter())
		return;
	int saved = errno;
	ht_emit_send_pending();
	ht_leave();
	errno = saved;
}

/* A poll of the @n entries of @fds returned, interrupted by a signal
 * (@intr) or not: the tracked connections among them are marked (@intr)
 * or their marks cleared.  The kernel read the whole array before it
 * waited.  errno is kept. */
static __attribute__((noinline)) void poll_marks(const struct pollfd *fds,
						 nfds_t n, bool intr)
{
	if (!ht_enter())
		return;
	int saved = errno;
	for (nfds_t i = 0; i < n; i++) {
		uint64_t gen;
		ht_slot *s = ht_slot_peek(fds[i].fd, &gen);
		if (!s)
			continue;
		ht_lock_acquire(&s->lock);
		if (ht_slot_same(s, gen))
			ht_intr_set(&s->t->c, intr);
		ht_lock_release(&s->lock);
	}
	ht_leave();
	errno = saved;
}

/* After a poll of @fds (@n entries) returned @ret: the marks (see above),
 * only when interrupted or while some connection is marked. */
static inline int poll_done(const struct pollfd *fds, nfds_t n, int ret)
{
	if (unlikely(ret < 0 ? errno == EINTR
			     : __atomic_load_n(&ht_intr_marks, __ATOMIC_RELAXED) != 0))
		poll_marks(fds, n, ret < 0);
	return ret;
}

HT_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_this_thread.loop = true;
	ht_send_pending();
	if (unlikely(!HT_REAL(epoll_wait)))
		return (int)syscall(SYS_epoll_pwait, epfd, ev, max, timeout, NULL, 8);
	return ht_real.epoll_wait(epfd, ev, max, timeout);
}

HT_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
			  const sigset_t *mask)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_this_thread.loop = true;
	ht_send_pending();
	if (unlikely(!HT_REAL(epoll_pwait)))
		return (int)syscall(SYS_epoll_pwait, epfd, ev, max, timeout, mask, 8);
	return ht_real.epoll_pwait(epfd, ev, max, timeout, mask);
}

HT_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_send_pending();
	if (unlikely(!HT_REAL(poll))) {
		struct timespec ts = {timeout / 1000, (timeout % 1000) * 1000000L};
		return poll_done(fds, n, (int)syscall(SYS_ppoll, fds, n,
						      timeout < 0 ? NULL : &ts,
						      NULL, 8));
	}
	return poll_done(fds, n, ht_real.poll(fds, n, timeout));
}

HT_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
		    const sigset_t *mask)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_send_pending();
	if (unlikely(!HT_REAL(ppoll)))
		return poll_done(fds, n, (int)syscall(SYS_ppoll, fds, n, ts,
						      mask, 8));
	return poll_done(fds, n, ht_real.ppoll(fds, n, ts, mask));
}

HT_EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_send_pending();
	if (unlikely(!HT_REAL(select)))
		return (int)syscall(SYS_select, n, r, w, e, tv);
	return ht_real.select(n, r, w, e, tv);
}

HT_EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e,
		      const struct timespec *ts, const sigset_t *mask)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_send_pending();
	if (unlikely(!HT_REAL(pselect))) {
		errno = ENOSYS;
		return -1;
	}
	return ht_real.pselect(n, r, w, e, ts, mask);
}
