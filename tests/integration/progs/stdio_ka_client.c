#define _GNU_SOURCE
/* stdio_ka_client MODE WHERE [N]: a keep-alive client that opens its
 * connection as a stdio FILE (fdopen), whose reads and writes no hook sees.
 *   keep    (review of f2aa1b8) request 1 written and read with
 *           write()/read(), then fdopen(fd,"r+") and requests 2..N through
 *           fprintf/fgets/fread
 *   early   (review of f2aa1b8) fdopen(fd,"r") right after connect; each
 *           request written with write(), each answer read with fgets/fread
 *   unused  (review of f2aa1b8) fdopen(fd,"r") right after connect, never
 *           used: write()/read()
 *   mix-pipe, mix-seq  (review rev-late of 296b4eb) GET /r1 with
 *           write()/read(); then fdopen(fd,"w") and GET /missing through
 *           fprintf (unseen by the hooks); then GET /r3 with write().
 *           pipe: /r3 written before either answer is read (read()); seq:
 *           /missing's answer read (read()) before /r3 is written.  Ends
 *           with close(), not fclose().
 *   first-pipe, first-seq  (review rev-stdio3 of 67fa164) mix-pipe and
 *           mix-seq without /r1: the FILE is opened right after connect,
 *           the first request goes through it.
 * WHERE: a TCP port on 127.0.0.1, or a Unix socket path.  N: the number of
 * requests of keep, early and unused. */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
static int conn_to(const char *w)
{
	int fd;
	if (w[0] == '/') {
		struct sockaddr_un u = {0};
		u.sun_family = AF_UNIX; strcpy(u.sun_path, w);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (void *)&u, sizeof u)) { perror("connect"); exit(1); }
	} else {
		struct sockaddr_in a = {0};
		a.sin_family = AF_INET; a.sin_port = htons(atoi(w));
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); exit(1); }
	}
	return fd;
}
/* GET @path, written with write() */
static void req_path(int fd, const char *path)
{
	char r[128];
	int n = snprintf(r, sizeof r, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	if (write(fd, r, n) != n) exit(3);
}
/* GET /r@i, written with write() */
static void req(int fd, int i)
{
	char path[32];
	snprintf(path, sizeof path, "/r%d", i);
	req_path(fd, path);
}
/* read one response with read(): headers then 100-byte body */
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
static void resp_stdio(FILE *f)
{
	char line[512], body[100];
	if (!fgets(line, sizeof line, f)) exit(5);
	printf("stdio %.15s\n", line);
	while (fgets(line, sizeof line, f) && strcmp(line, "\r\n")) ;
	if (fread(body, 1, 100, f) != 100) exit(6);
}
/* mix-* and first-*: GET /missing through a FILE opened for writing, then
 * GET /r3 with write(), after its answer (@how "seq") or before ("pipe") */
static void missing_then_r3(int fd, const char *how)
{
	FILE *f = fdopen(fd, "w");
	fprintf(f, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"); fflush(f);
	if (!strcmp(how, "pipe")) {
		req_path(fd, "/r3");
		resp_raw(fd); resp_raw(fd);
	} else {
		resp_raw(fd);
		req_path(fd, "/r3"); resp_raw(fd);
	}
	close(fd);
}
int main(int argc, char **argv)
{
	if (argc < 3) { fprintf(stderr, "usage: stdio_ka_client MODE WHERE [N]\n"); exit(2); }
	const char *m = argv[1];
	int n = argc > 3 ? atoi(argv[3]) : 0;
	int fd = conn_to(argv[2]);
	if (!strcmp(m, "keep")) {
		req(fd, 1); resp_raw(fd);
		FILE *f = fdopen(fd, "r+");
		for (int i = 2; i <= n; i++) {
			fprintf(f, "GET /r%d HTTP/1.1\r\nHost: x\r\n\r\n", i); fflush(f);
			resp_stdio(f);
		}
		fclose(f);
	} else if (!strcmp(m, "early")) {
		FILE *f = fdopen(fd, "r");
		for (int i = 1; i <= n; i++) { req(fd, i); resp_stdio(f); }
		fclose(f);
	} else if (!strcmp(m, "unused")) {
		FILE *f = fdopen(fd, "r"); (void)f;
		for (int i = 1; i <= n; i++) { req(fd, i); resp_raw(fd); }
		close(fd);
	} else if (!strncmp(m, "mix-", 4)) {
		req(fd, 1); resp_raw(fd);
		missing_then_r3(fd, m + 4);
	} else if (!strncmp(m, "first-", 6)) {
		missing_then_r3(fd, m + 6);
	}
	return 0;
}
