/*
 * accept_emfile_flaky_lib.c - a shared object preloaded into the collector
 * (httptrace) by test_rev_refused_pending_readable.sh: accept4() on the
 * collector's listening Unix SOCK_SEQPACKET socket fails with EMFILE when
 * an epoll_wait() ran since the previous accept4() (the run loop's
 * accept_all(), and collector_drain()'s first one), and is the real call
 * otherwise: as when an fd (or memory, or a system-wide file slot) comes
 * free just after the drain's last accept_all() failed.  Every other call
 * is the real one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static int fresh = 1;

int epoll_wait(int epfd, struct epoll_event *ev, int n, int ms)
{
	static int (*real)(int, struct epoll_event *, int, int);

	if (!real)
		real = (int (*)(int, struct epoll_event *, int, int))dlsym(
			RTLD_NEXT, "epoll_wait");
	fresh = 1;
	return real(epfd, ev, n, ms);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags)
{
	static int (*real)(int, struct sockaddr *, socklen_t *, int);
	int type = 0;
	socklen_t len = sizeof type;

	if (!real)
		real = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(
			RTLD_NEXT, "accept4");
	if (fresh && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_SEQPACKET) {
		fresh = 0;
		errno = EMFILE;
		return -1;
	}
	return real(fd, addr, alen, flags);
}
