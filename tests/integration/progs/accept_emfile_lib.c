/*
 * accept_emfile_lib.c - a shared object preloaded into the collector
 * (httptrace) by test_refused_accept_emfile.sh: accept4() on a listening
 * Unix SOCK_SEQPACKET socket (the collector's) always fails with EMFILE, as
 * when the collector is out of fds for the whole run.  Every other call is
 * the real one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

int accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags)
{
	static int (*real)(int, struct sockaddr *, socklen_t *, int);
	int type = 0;
	socklen_t len = sizeof type;

	if (!real)
		real = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(
			RTLD_NEXT, "accept4");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_SEQPACKET) {
		errno = EMFILE;
		return -1;
	}
	return real(fd, addr, alen, flags);
}
