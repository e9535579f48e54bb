/*
 * epoll_full_lib.c - a shared object preloaded into the collector
 * (httptrace) by test_refused_no_room.sh: epoll_ctl(EPOLL_CTL_ADD) of an
 * accepted Unix SOCK_SEQPACKET socket (a traced process connecting) fails
 * with ENOSPC, as when the user's fs.epoll.max_user_watches is reached.
 * Every other call is the real one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>

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
