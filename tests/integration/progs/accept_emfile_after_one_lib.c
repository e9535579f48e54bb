/*
 * accept_emfile_after_one_lib.c - a shared object preloaded into the
 * collector (httptrace) by test_rev_refused_pending_once.sh: the first
 * accept4() on the collector's listening Unix SOCK_SEQPACKET socket is the
 * real one; before the next one the collector's soft RLIMIT_NOFILE is
 * lowered to its lowest free fd, so that accept4() really fails with
 * EMFILE from then on (as for a collector out of fds: one that frees an fd
 * of its own can accept); epoll_ctl(EPOLL_CTL_ADD) of
 * an accepted SOCK_SEQPACKET socket fails with ENOSPC (as
 * epoll_full_lib.c).  So a process is refused for want of room at its
 * first connection (counted, its pid known), and its library's next
 * connection (at its exit) stays pending to the end.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sys/socket.h>

static int accepted;

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	static int (*real)(int, int, int, struct epoll_event *);
	int type = 0, listening = 1;
	socklen_t len = sizeof type;

	if (!real)
		real = (int (*)(int, int, int, struct epoll_event *))dlsym(
			RTLD_NEXT, "epoll_ctl");
	if (op == EPOLL_CTL_ADD &&
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_SEQPACKET &&
	    (len = sizeof listening,
	     getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len)) == 0 &&
	    !listening) {
		errno = ENOSPC;
		return -1;
	}
	return real(epfd, op, fd, ev);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags)
{
	static int (*real)(int, struct sockaddr *, socklen_t *, int);
	int type = 0, r;
	socklen_t len = sizeof type;

	if (!real)
		real = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(
			RTLD_NEXT, "accept4");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_SEQPACKET)
		return real(fd, addr, alen, flags);
	if (accepted == 1) {
		struct rlimit rl;
		int lowest = dup(0);

		if (lowest >= 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			close(lowest);
			rl.rlim_cur = (rlim_t)lowest;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		accepted = 2;
		return real(fd, addr, alen, flags);
	}
	r = real(fd, addr, alen, flags);
	if (r >= 0 && accepted == 0)
		accepted = 1;
	return r;
}
