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
 * iteration (execve sends it too: hook_exec.c).  An epoll loop keeps it
 * across iterations while events are ready: the message may wait
 * PEND_MAX_NS (emit.c), so while it may, the wait first asks the kernel
 * for events ready now (timeout 0, the program's own mask); events go to
 * the program with the records still waiting, and when none are ready the
 * records go out and the program's wait is made whole, as it asked
 * (epoll_held()).  A server under load then sends once per PEND_MAX_NS or
 * per full message, not once per loop iteration (each send is three
 * system calls: the vfork test, the socket's identity, the send).
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
		ht_home_lock(s);
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

/* The real epoll_wait (@pwait false) or epoll_pwait with @mask. */
static int real_epoll(int epfd, struct epoll_event *ev, int max, int timeout,
		      const sigset_t *mask, bool pwait)
{
	if (!pwait && likely(HT_REAL(epoll_wait) != NULL))
		return ht_real.epoll_wait(epfd, ev, max, timeout);
	if (pwait && likely(HT_REAL(epoll_pwait) != NULL))
		return ht_real.epoll_pwait(epfd, ev, max, timeout, mask);
	return (int)syscall(SYS_epoll_pwait, epfd, ev, max, timeout,
			    pwait ? mask : NULL, 8);
}

/*
 * An epoll wait with records pending (see the top of this file).  While
 * they may still wait, the kernel is asked for events ready now, with the
 * program's mask: events, or a failure (EINTR for a signal its mask lets
 * through, as its own call would have had), go to the program and the
 * records wait on.  Otherwise, or once they are due, the records go out
 * and the program's wait is made as it asked, in one piece: never split,
 * so a signal its mask blocks is never let in during the call, and one
 * that comes during the wait interrupts it (a first version split the wait
 * at the records' due time: review10 found both broken).  A timeout of 0
 * with nothing ready sends them and returns (asyncio polls with 0, then
 * sleeps).  Not a vfork child's test: ht_send_pending() has it.
 */
static __attribute__((noinline)) int epoll_held(int epfd,
						struct epoll_event *ev,
						int max, int timeout,
						const sigset_t *mask, bool pwait)
{
	if (ht_emit_pending_left_ms(ht_now()) > 0) {
		int r = real_epoll(epfd, ev, max, 0, mask, pwait);
		if (r != 0)
			return r; /* events, or the failure, as they came */
		if (timeout == 0) {
			ht_send_pending(); /* (keeps errno) */
			return 0;
		}
	}
	ht_send_pending();
	return real_epoll(epfd, ev, max, timeout, mask, pwait);
}

HT_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_this_thread.loop = true;
	if (unlikely(__atomic_load_n(&ht_pending, __ATOMIC_RELAXED)))
		return epoll_held(epfd, ev, max, timeout, NULL, false);
	return real_epoll(epfd, ev, max, timeout, NULL, false);
}

HT_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
			  const sigset_t *mask)
{
	HT_ENSURE_INIT();
	ht_poller = true;
	ht_this_thread.loop = true;
	if (unlikely(__atomic_load_n(&ht_pending, __ATOMIC_RELAXED)))
		return epoll_held(epfd, ev, max, timeout, mask, true);
	return real_epoll(epfd, ev, max, timeout, mask, true);
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
