/*
 * hook_socket.c - close, shutdown, dup, dup2, dup3, fcntl(F_DUPFD),
 * close_range, fdopen: which fds name a traced connection, and where it
 * ends (it begins in hook_connect.c, or hook_accept.c for a server's).
 * Socketpairs, pipes, files and UDP sockets are not connections we
 * follow.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn_server.h"
#include "ht.h"
#include "live.h"

/* The thread is inside the library already (a signal handler's close or
 * dup interrupted a hook): @fd's connection cannot be locked.  It is
 * marked instead (ht_tracked missed): its next event gives it up, counted
 * as not followed, rather than pair with it the bytes of the file @fd
 * names next (a dup2 onto @fd; the slot still names the connection).  No
 * lock:
 * a mark left on a block another connection took since only gives that
 * one up. */
static void mark_unfollowed(int fd)
{
	ht_slot *fs = ht_fd_slot(fd);
	ht_tracked *t = fs ? __atomic_load_n(&fs->t, __ATOMIC_ACQUIRE) : NULL;
	if (t)
		__atomic_store_n(&t->missed, HT_MISSED_SIGNAL,
				 __ATOMIC_RELEASE);
}

/* Forget @fd before the real call releases its number (its connection
 * ends when it was the last fd naming it). */
static void before_fd_gone(int fd)
{
	bool own = ht_emit_is_own_fd(fd);
	if (likely(!own && !ht_fd_slot(fd)))
		return;
	/* A vfork child closing fds before exec closes its own copies. */
	if (ht_foreign_process())
		return;
	if (own)
		ht_emit_fd_closed(fd);
	if (!ht_fd_slot(fd))
		return;
	if (!ht_enter()) {
		mark_unfollowed(fd);
		return;
	}
	ht_untrack_fd(fd, ht_now());
	ht_leave();
}

/* The program's dup of @oldfd returned @ret: the new fd names @oldfd's
 * connection too.  A test when @oldfd names none. */
static int after_dup(int oldfd, int ret)
{
	if (likely(ret < 0 || !ht_fd_slot(oldfd)))
		return ret;
	int saved = errno;
	/* a vfork child's dup (before exec) is its own fd table's */
	/* (inside the library already, a signal handler's dup: the new fd
	 * is not followed; what moves through it is unseen, as a raw system
	 * call's would be) */
	if (!ht_foreign_process() && ht_enter()) {
		ht_dup_fd(oldfd, ret, ht_now());
		ht_leave();
	}
	errno = saved;
	return ret;
}

void ht_fd_closing(int fd)
{
	ht_connect_fd_gone((unsigned)fd, (unsigned)fd);
	/* the usual fd (a file's), neither a connection's nor the
	 * collector's: before_fd_gone()'s first test, without its call and
	 * errno kept aside */
	if (likely(!ht_fd_slot(fd)) && !ht_emit_is_own_fd(fd))
		return;
	int saved = errno;
	before_fd_gone(fd);
	errno = saved;
}

HT_EXPORT int close(int fd)
{
	HT_ENSURE_INIT();
	ht_fd_closing(fd);
	if (unlikely(!HT_REAL(close)))
		return (int)syscall(SYS_close, fd);
	return ht_real.close(fd);
}

HT_EXPORT int shutdown(int fd, int how)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(shutdown)))
		return (int)syscall(SYS_shutdown, fd, how);
	int ret = ht_real.shutdown(fd, how);
	int err = errno;
	/* Once the program stops reading, nothing in flight can complete:
	 * settle the connection now (close will find nothing left).  A
	 * server that stops writing serves nothing it reads afterwards
	 * (conn_server_shut()). */
	if (ret == 0 && ht_fd_followed(fd) && !ht_foreign_process() &&
	    ht_enter()) {
		uint64_t gen;
		ht_slot *s = ht_slot_peek(fd, &gen);
		if (s) {
			ht_home_lock(s);
			if (ht_slot_same(s, gen) &&
			    !(s->t->probe && (s->t->c.server || s->t->c.tls))) {
				if (how != SHUT_WR)
					conn_close(&s->t->c, ht_now());
				else if (s->t->c.server)
					conn_server_shut(&s->t->c, ht_now());
			}
			ht_lock_release(&s->lock);
		}
		ht_leave();
	}
	errno = err;
	return ret;
}

/* The note of a connection given up for its ht_tracked missed (HT_MISSED_*),
 * a server's (@server) or a client's. */
const char *ht_missed_why(int missed, bool server)
{
	if (missed == HT_MISSED_STDIO)
		return conn_stdio_why(server);
	if (missed == HT_MISSED_FD_RACE)
		return server ? "a dup2 onto a server connection's fd raced "
				"another thread's use of that fd: a server "
				"connection not followed from there on" :
				"a dup2 onto a connection's fd raced another "
				"thread's use of that fd: a connection not "
				"followed from there on";
	return server ? "bytes moved by a signal handler while the tracer "
			"was busy in the same thread: a server connection "
			"not followed from there on" :
			"bytes moved by a signal handler while the tracer was "
			"busy in the same thread: a connection not followed "
			"from there on";
}

/* A FILE on a connection's fd: stdio reads and writes it with libc's
 * internal calls, which no hook sees (nor its fclose): the connection is
 * marked (conn_stdio_opened()), so that its end says so and what is in
 * flight then ends as not followed.  A connection on probation (a server
 * or Unix socket not yet seen to carry HTTP) too: its bytes may all go
 * through the FILE (an inetd-style server); the collector is wanted for
 * its note. */
static void stdio_opened(int fd)
{
	int saved = errno;
	uint64_t gen;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (s && !ht_foreign_process() && ht_enter()) {
		ht_home_lock(s);
		if (ht_slot_same(s, gen) && !s->t->c.tls) {
			conn_stdio_opened(&s->t->c);
			/* what the hooks see next may have stdio's bytes
			 * before it: given up there (ht_missed_why()) */
			__atomic_store_n(&s->t->missed, HT_MISSED_STDIO,
					 __ATOMIC_RELEASE);
			if (s->t->probe)
				ht_emit_want();
		}
		ht_lock_release(&s->lock);
		ht_leave();
	}
	errno = saved;
}

HT_EXPORT FILE *fdopen(int fd, const char *mode)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(fdopen))) {
		errno = ENOSYS;
		return NULL;
	}
	FILE *f = ht_real.fdopen(fd, mode);
	if (f && ht_fd_followed(fd))
		stdio_opened(fd);
	return f;
}

HT_EXPORT int dup(int oldfd)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(dup)))
		return after_dup(oldfd, (int)syscall(SYS_dup, oldfd));
	return after_dup(oldfd, ht_real.dup(oldfd));
}

/* dup2/dup3 of @oldfd onto @newfd, @flags dup3's, is about to be made:
 * whether it is sure to fail and leave @newfd as it is (dup2(2): EBADF for
 * a bad @oldfd, EINVAL for a flag but O_CLOEXEC).  Then @newfd's
 * connection must go on being followed: its fd stays open.  The untrack
 * cannot wait for the call's outcome (ht_untrack_fd() may ask @newfd's old
 * socket what it sent), so @oldfd is looked at first: one system call,
 * only when @newfd names a connection and @oldfd is an fd the table does
 * not know.  An @oldfd another thread closes between this and the call
 * still ends the connection (the program's race); one another thread
 * opens meanwhile makes the call succeed: after_dup2() leaves @newfd's
 * connection then. */
static bool dup_fails_early(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return true;
	if (likely(!ht_fd_slot(newfd)) || ht_fd_slot(oldfd))
		return false;
	return syscall(SYS_fcntl, oldfd, F_GETFD) < 0 && errno == EBADF;
}

/* dup2/dup3 of @oldfd onto @newfd returned @ret, @newfd left before the
 * call unless @kept (dup_fails_early()): the call made it anyway (another
 * thread opened @oldfd in between), so @newfd may still name its old
 * connection; left now (the file it names is not the connection's any
 * more: ht_untrack_replaced_fd()).  Then as after_dup(). */
static int after_dup2(int oldfd, int newfd, bool kept, int ret)
{
	if (unlikely(kept) && ret >= 0 && ht_fd_slot(newfd) &&
	    !ht_foreign_process()) {
		int saved = errno;
		if (ht_enter()) {
			ht_untrack_replaced_fd(newfd, ht_now());
			ht_leave();
		} else {
			mark_unfollowed(newfd);
		}
		errno = saved;
	}
	return after_dup(oldfd, ret);
}

/* dup2/dup3 replace @newfd: its connection loses an fd before the real
 * call releases the number, and then it names @oldfd's. */
HT_EXPORT int dup2(int oldfd, int newfd)
{
	HT_ENSURE_INIT();
	bool kept = false;
	if (oldfd != newfd) {
		int saved = errno;
		kept = dup_fails_early(oldfd, newfd, 0);
		if (!kept) {
			ht_connect_fd_gone((unsigned)newfd, (unsigned)newfd);
			before_fd_gone(newfd);
		}
		errno = saved;
	}
	int ret;
	if (unlikely(!HT_REAL(dup2))) {
#ifdef SYS_dup2
		ret = (int)syscall(SYS_dup2, oldfd, newfd);
#else
		/* dup3 refuses equal fds where dup2 answers the fd if open */
		if (oldfd == newfd)
			return (int)syscall(SYS_fcntl, oldfd, F_GETFD) < 0 ?
			       -1 : newfd;
		ret = (int)syscall(SYS_dup3, oldfd, newfd, 0);
#endif
	} else {
		ret = ht_real.dup2(oldfd, newfd);
	}
	return oldfd == newfd ? ret : after_dup2(oldfd, newfd, kept, ret);
}

HT_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	HT_ENSURE_INIT();
	bool kept = false;
	if (oldfd != newfd) {
		int saved = errno;
		kept = dup_fails_early(oldfd, newfd, flags);
		if (!kept) {
			ht_connect_fd_gone((unsigned)newfd, (unsigned)newfd);
			before_fd_gone(newfd);
		}
		errno = saved;
	}
	if (unlikely(!HT_REAL(dup3)))
		return after_dup2(oldfd, newfd, kept,
				  (int)syscall(SYS_dup3, oldfd, newfd, flags));
	return after_dup2(oldfd, newfd, kept,
			  ht_real.dup3(oldfd, newfd, flags));
}

typedef int fcntl_fn(int, int, ...);

/* The real fcntl (@is64: fcntl64) at its first call: found now
 * (ht_real_resolve()).  libc's does more than the system call (F_GETOWN
 * through F_GETOWN_EX, a process group's owner being negative; F_SETLKW a
 * cancellation point), so the raw call is only the last resort, when
 * there is none or this thread is resolving already. */
static __attribute__((noinline, cold)) fcntl_fn *fcntl_early(bool is64)
{
	return (fcntl_fn *)ht_real_resolve(is64 ? HT_RI_fcntl64 : HT_RI_fcntl);
}

/* fcntl is called often by some programs (F_GETFL, F_SETFL, locks): every
 * command but F_DUPFD/F_DUPFD_CLOEXEC passes straight through, with no
 * initialisation (the library's own calls come here too: emit_connect.c).  The
 * third argument is read as glibc's fcntl reads it, one word. */
static int fcntl_with(fcntl_fn *real, bool is64, int fd, int cmd, void *arg)
{
	if (unlikely(real == NULL))
		real = fcntl_early(is64);
	int ret = likely(real != NULL) ? real(fd, cmd, arg)
				       : (int)syscall(SYS_fcntl, fd, cmd, arg);
	if (likely(cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC))
		return ret;
	return after_dup(fd, ret);
}

HT_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_with(ht_real.fcntl, false, fd, cmd, arg);
}

HT_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_with(ht_real.fcntl64, true, fd, cmd, arg);
}

struct range {
	unsigned first, last;
	uint64_t now;
};

static void untrack_in_range(int fd, ht_slot *s, void *arg)
{
	const struct range *r = arg;
	(void)s;
	if ((unsigned)fd >= r->first && (unsigned)fd <= r->last)
		ht_untrack_fd(fd, r->now);
}

/* Every fd from @first to @last is about to be closed: finish the
 * connections in range and send their records while the collector socket
 * is still open; only then forget it. */
static void before_range_gone(unsigned first, unsigned last)
{
	ht_connect_fd_gone(first, last);
	if (ht_foreign_process() || !ht_enter())
		return;
	int saved = errno;
	struct range r = {first, last, ht_now()};
	ht_table_for_each(untrack_in_range, &r);
	ht_emit_flush();
	int own = ht_emit_own_fd();
	if (own >= 0 && (unsigned)own >= first && (unsigned)own <= last)
		ht_emit_fd_closed(own);
	ht_leave();
	errno = saved;
}

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void ht_range_closing(unsigned first, unsigned last, unsigned flags)
{
	/* The kernel refuses these with EINVAL, closing nothing. */
	if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) != 0 ||
	    first > last)
		return;
	/* CLOEXEC closes nothing now: the exec hooks see that close.
	 * UNSHARE closes them in the calling thread's new copy of the fd
	 * table only: the program's other threads keep them, and keep using
	 * them (one table here cannot tell the two apart).  Nothing ends
	 * then: a connection that really closed (a single thread's) ends
	 * when its number is reused or at exit, late, where ending it now
	 * would lose every later request of the threads that kept it. */
	if (!(flags & (CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)))
		before_range_gone(first, last);
}

HT_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	HT_ENSURE_INIT();
	ht_range_closing(first, last, (unsigned)flags);
	return (int)syscall(SYS_close_range, first, last, flags);
}

/* glibc 2.34's closefrom() closes with the close_range system call, which
 * the close_range hook above never sees. */
HT_EXPORT void closefrom(int lowfd)
{
	HT_ENSURE_INIT();
	if (lowfd >= 0)
		before_range_gone((unsigned)lowfd, ~0u);
	if (likely(HT_REAL(closefrom) != NULL)) {
		ht_real.closefrom(lowfd);
		return;
	}
	/* As glibc does: close_range, or each fd up to the limit. */
	int saved = errno;
	if (lowfd < 0)
		lowfd = 0;
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0) != 0) {
		/* sysconf(_SC_OPEN_MAX), without importing sysconf */
		struct rlimit rl;
		long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ?
				   (long)rl.rlim_cur : 256;
		for (long fd = lowfd; fd < max; fd++)
			syscall(SYS_close, (int)fd);
	}
	errno = saved;
}

/* A program that installs a seccomp filter may forbid the calls the
 * library makes to reach its collector (socket(), memfd_create()): from
 * then on it opens no fd.  Everything else passes through untouched. */
HT_EXPORT int prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a2 = va_arg(ap, unsigned long);
	unsigned long a3 = va_arg(ap, unsigned long);
	unsigned long a4 = va_arg(ap, unsigned long);
	unsigned long a5 = va_arg(ap, unsigned long);
	va_end(ap);
	HT_ENSURE_INIT();
	/* Whatever the filter allows, the library makes no system call once
	 * it is in place: it says so and stops now, before it (also when the
	 * call then fails: tracing stays off). */
	if (option == PR_SET_SECCOMP)
		ht_emit_stop_for_seccomp();
	int ret;
	if (unlikely(!HT_REAL(prctl)))
		ret = (int)syscall(SYS_prctl, option, a2, a3, a4, a5);
	else
		ret = ht_real.prctl(option, a2, a3, a4, a5);
	/* In strict mode this thread may make no system call but read,
	 * write and exit (the kernel kills it on any other, the clock's
	 * included where it has no vDSO): from now on every hook in it
	 * passes straight through, as inside the library's own work. */
	if (option == PR_SET_SECCOMP && a2 == SECCOMP_MODE_STRICT && ret == 0)
		ht_busy = 1;
	return ret;
}
