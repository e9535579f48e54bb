/*
 * early_fcntl.c - linked against early_fcntl_lib.c (whose constructor is
 * the test); main() checks the same F_GETOWN once every constructor ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || fcntl(s, F_SETOWN, -getpgrp()) != 0) {
		printf("main setup failed: errno %d\n", errno);
		return 1;
	}
	errno = 0;
	int r = fcntl(s, F_GETOWN);
	int err = errno;
	if (r == -getpgrp() && err == 0)
		printf("main ok\n");
	else
		printf("main F_GETOWN ret %d errno %d, want %d errno 0\n", r,
		       err, -getpgrp());
	return 0;
}
