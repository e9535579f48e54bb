#define _GNU_SOURCE
/* stdio_ka_client MODE WHERE N (review of f2aa1b8, fdopen):
 *   keep    request 1 written and read with write()/read(), then fdopen(fd,"r+")
 *           and requests 2..N through fprintf/fgets/fread (keep-alive)
 *   early   fdopen(fd,"r") right after connect; each request written with
 *           write(), each answer read with fgets/fread
 *   unused  fdopen(fd,"r") right after connect, never used: write()/read()
 * WHERE: a TCP port on 127.0.0.1, or a Unix socket path. */

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
static void req(int fd, int i)
{
	char r[128];
	int n = snprintf(r, sizeof r, "GET /r%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
	if (write(fd, r, n) != n) exit(3);
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
int main(int argc, char **argv)
{
	const char *m = argv[1];
	int n = atoi(argv[3]);
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
	}
	return 0;
}
