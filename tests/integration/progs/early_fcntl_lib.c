/*
 * early_fcntl_lib.c - a library whose constructor calls fcntl() before
 * libhttptrace.so's constructor ran (it is a dependency of the program,
 * initialised before the preloaded library): the process group becomes
 * the socket's owner, and F_GETOWN must read it back as libc does, a
 * negative number with errno untouched (a raw F_GETOWN system call returns
 * a group below 4096 as an error).  Prints one line: "early ok", or what
 * went wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void early(void)
{
	setpgid(0, 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || fcntl(s, F_SETOWN, -getpgrp()) != 0) {
		printf("early setup failed: errno %d\n", errno);
		return;
	}
	errno = 0;
	int r = fcntl(s, F_GETOWN);
	int err = errno;
	if (r == -getpgrp() && err == 0)
		printf("early ok\n");
	else
		printf("early F_GETOWN ret %d errno %d, want %d errno 0\n", r,
		       err, -getpgrp());
	fflush(stdout);
	close(s);
}
