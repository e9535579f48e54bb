#define _GNU_SOURCE
/* stdio_forksrv PORT [nofork] (review rev-late of 296b4eb): accepts one
 * connection, opens it as a FILE (fdopen "w") and forks: the child reads
 * the request with read() and answers 200 through the FILE it inherited
 * (fprintf, fflush), closes, _exit; the parent waits for it and returns.
 * nofork: the process itself reads and answers so, then close().
 * Prints "ready" once it listens. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET; a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (void *)&a, sizeof a) || listen(l, 1)) exit(1);
	printf("ready\n"); fflush(stdout);
	int fd = accept(l, NULL, NULL);
	FILE *f = fdopen(fd, "w");
	pid_t p = argc > 2 && !strcmp(argv[2], "nofork") ? 0 : fork();
	if (p == 0) {
		char b[4096];
		read(fd, b, sizeof b);
		fprintf(f, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"); fflush(f);
		close(fd);
		if (argc > 2)
			return 0;
		_exit(0);
	}
	waitpid(p, NULL, 0);
	return 0;
}
