/* stdio_server PORT N (review of f2aa1b8, fdopen): an inetd-style
 * HTTP/1.0 server: accepts N connections on 127.0.0.1:PORT, each opened as
 * a FILE right after accept (fdopen "r+"), the request read with fgets(),
 * the answer written with fputs(), the FILE closed with fclose().  Prints
 * "ready" once it listens. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n"
			   "Connection: close\r\n\r\nhello";

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int n = atoi(argv[2]), one = 1;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 8) != 0) {
		perror("bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		char line[512];
		int fd = accept(ls, NULL, NULL);
		FILE *f = fd < 0 ? NULL : fdopen(fd, "r+");
		if (!f)
			return 1;
		while (fgets(line, sizeof line, f) && strcmp(line, "\r\n") != 0)
			;
		fseek(f, 0, SEEK_CUR); /* from reading to writing */
		fputs(resp, f);
		fclose(f);
	}
	return 0;
}
