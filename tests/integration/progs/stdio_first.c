#define _GNU_SOURCE
/* stdio_first: stdio_mix without /r1 (review rev-stdio3 of 67fa164): the FILE is opened right after connect, the first request goes through it (DETECT mode). */
/* stdio_mix MODE PORT (review rev-late of 296b4eb): GET /r1 with
 * write()/read(); then fdopen(fd,"w") and GET /missing through fprintf
 * (unseen by the hooks); then GET /r3 with write().  pipe: /r3 written
 * before either answer is read (read()); seq: /missing's answer read
 * (read()) before /r3 is written.  Ends with close(), not fclose(). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static void req(int fd, const char *p)
{
	char r[128];
	int n = snprintf(r, sizeof r, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", p);
	if (write(fd, r, n) != n) exit(3);
}
static void resp_raw(int fd)
{
	char b[4096]; size_t have = 0;
	for (;;) {
		ssize_t r = read(fd, b + have, sizeof b - have);
		if (r <= 0) exit(4);
		have += r;
		char *e = memmem(b, have, "\r\n\r\n", 4);
		if (e && have >= (size_t)(e + 4 - b) + 100) break;
	}
	printf("raw %.15s\n", b);
}
int main(int argc, char **argv)
{
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET; a.sin_port = htons(atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); exit(1); }
	
	FILE *f = fdopen(fd, "w");
	fprintf(f, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"); fflush(f);
	if (!strcmp(argv[1], "pipe")) {
		req(fd, "/r3");
		resp_raw(fd); resp_raw(fd);
	} else {
		resp_raw(fd);
		req(fd, "/r3"); resp_raw(fd);
	}
	close(fd);
	return 0;
}
