/*
 * epoll_full_oom_lib.c - preloaded into the collector by
 * test_refused_no_room_oom.sh: epoll_ctl(EPOLL_CTL_ADD) of an accepted
 * SOCK_SEQPACKET peer fails with ENOSPC (as epoll_full_lib.c), and from
 * then on calloc(64, 8) (u64map's first table, refused_pids') fails, as
 * out of memory. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
static int oom;
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	static int (*real)(int, int, int, struct epoll_event *);
	int type = 0, listening = 1;
	socklen_t len = sizeof type;
	if (!real)
		real = (int (*)(int, int, int, struct epoll_event *))dlsym(RTLD_NEXT, "epoll_ctl");
	if (op == EPOLL_CTL_ADD && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_SEQPACKET && (len = sizeof listening,
	     getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len)) == 0 && !listening) {
		oom = 1;
		errno = ENOSPC;
		return -1;
	}
	return real(epfd, op, fd, ev);
}
extern void *__libc_calloc(size_t, size_t);
void *calloc(size_t n, size_t s)
{
	if (oom && n == 64 && s == 8) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, s);
}
