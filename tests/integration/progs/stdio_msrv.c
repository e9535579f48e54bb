#define _GNU_SOURCE
/* stdio_msrv PORT (review rev-late of 296b4eb): accepts one
 * connection, opens it as a FILE (fdopen "w"), reads a request with read()
 * and answers 404 through fprintf (unseen by the hooks), reads the next with
 * read() and answers 200 with write(); close(). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static void rd(int fd)
{
	char b[4096]; size_t have = 0;
	for (;;) {
		ssize_t r = read(fd, b + have, sizeof b - have);
		if (r <= 0) exit(4);
		have += r;
		if (memmem(b, have, "\r\n\r\n", 4)) break;
	}
}
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
	rd(fd);
	fprintf(f, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"); fflush(f);
	rd(fd);
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	write(fd, ok, sizeof ok - 1);
	sleep(1);
	close(fd);
	return 0;
}
