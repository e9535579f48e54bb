/*
 * hook_syscall.c - libc's generic syscall(): libseccomp and others
 * install their seccomp filter with syscall(SYS_seccomp, ...), not prctl.
 * Such a filter may kill the process on a call the library makes (the
 * fstat() before each send, socket()): as for prctl(PR_SET_SECCOMP)
 * (hook_socket.c), the library says so, sends what it has and stops
 * before the filter is in place.
 *
 * syscall(SYS_close, fd) (libuv's close, so node's) is seen as close() is
 * (hook_socket.c): the fd's connection ends before the number is freed;
 * syscall(SYS_close_range, ...) as close_range() is, the connections of
 * the fds in range.
 *
 * Every other number goes to the real syscall() untouched, with its six
 * arguments, its return and its errno: three compares on the way
 * (programs call it often: gettid, futex).
 *
 * The library's own system calls are ht_sys() (ht.h), here too: made
 * directly, so that none comes back into the hook.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>

#include "ht.h"

#undef syscall

long ht_sys(long nr, ...)
{
	va_list ap;
	va_start(ap, nr);
	long a1 = va_arg(ap, long);
	long a2 = va_arg(ap, long);
	long a3 = va_arg(ap, long);
	long a4 = va_arg(ap, long);
	long a5 = va_arg(ap, long);
	long a6 = va_arg(ap, long);
	va_end(ap);
	long r = ht_raw_syscall(nr, a1, a2, a3, a4, a5, a6);
	if (unlikely((unsigned long)r > -4096ul)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* The real syscall(), or, before it is known, the call made here (which
 * returns the same). */
static long forward(long nr, long a1, long a2, long a3, long a4, long a5,
		    long a6)
{
	long (*real)(long, ...) = HT_REAL(syscall);
	if (likely(real != NULL))
		return real(nr, a1, a2, a3, a4, a5, a6);
	return ht_sys(nr, a1, a2, a3, a4, a5, a6);
}

/* Whether seccomp(@op) installs a mode that may forbid the library's
 * calls: strict, or a filter. */
static bool seccomp_installs(long op)
{
	return op == SECCOMP_SET_MODE_STRICT || op == SECCOMP_SET_MODE_FILTER;
}

HT_EXPORT long syscall(long nr, ...)
{
	va_list ap;
	va_start(ap, nr);
	long a1 = va_arg(ap, long);
	long a2 = va_arg(ap, long);
	long a3 = va_arg(ap, long);
	long a4 = va_arg(ap, long);
	long a5 = va_arg(ap, long);
	long a6 = va_arg(ap, long);
	va_end(ap);
	if (unlikely(nr == SYS_close)) {
		/* libuv (node) closes its fds this way: the connection ends
		 * here, as in the close() hook, not when the number is next
		 * reused (a stream in flight stayed open until then). */
		HT_ENSURE_INIT();
		ht_fd_closing((int)a1);
		return forward(nr, a1, a2, a3, a4, a5, a6);
	}
	if (unlikely(nr == SYS_close_range)) {
		/* As the close_range() hook: the kernel reads the three as
		 * unsigned ints. */
		HT_ENSURE_INIT();
		ht_range_closing((unsigned)a1, (unsigned)a2, (unsigned)a3);
		return forward(nr, a1, a2, a3, a4, a5, a6);
	}
	if (unlikely(nr == SYS_exit_group)) {
		/* as the _exit hook (fdtable.c), which glibc's _exit is */
		if (ht_inited)
			ht_process_exiting();
		return forward(nr, a1, a2, a3, a4, a5, a6);
	}
	if (likely(nr != SYS_seccomp) || !seccomp_installs(a1))
		return forward(nr, a1, a2, a3, a4, a5, a6);
	HT_ENSURE_INIT();
	/* Before the filter, whether the call then succeeds or not (as the
	 * prctl hook): after it, any call of the library's may kill. */
	ht_emit_stop_for_seccomp();
	long ret = forward(nr, a1, a2, a3, a4, a5, a6);
	/* Strict mode: this thread may make no call but read, write and exit
	 * from now on: every hook in it passes straight through. */
	if (a1 == SECCOMP_SET_MODE_STRICT && ret == 0)
		ht_busy = 1;
	return ret;
}
