/* stdio_client.c - an HTTP/1.0 client that talks through stdio on its
 * socket, as old C programs do: fdopen() of the connected fd, the request
 * with fprintf() (mode "stdio") or with write() (mode "mixed": only the
 * answer read through stdio), the answer read with fgets()/fread(), the
 * FILE closed with fclose().  Prints the status line and the body's size.
 *     stdio_client stdio|mixed PORT PATH */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	int mixed = strcmp(argv[1], "mixed") == 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		perror("connect");
		return 1;
	}
	char req[256];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", argv[3]);
	if (mixed && write(fd, req, (size_t)n) != n) {
		perror("write");
		return 1;
	}
	FILE *f = fdopen(fd, mixed ? "r" : "r+");
	if (!f) {
		perror("fdopen");
		return 1;
	}
	if (!mixed && (fputs(req, f) < 0 || fflush(f) != 0)) {
		perror("fputs");
		return 1;
	}
	char line[512];
	size_t body = 0, got;
	if (fgets(line, sizeof line, f))
		printf("%s", line);
	while (fgets(line, sizeof line, f) && strcmp(line, "\r\n") != 0)
		;
	while ((got = fread(line, 1, sizeof line, f)) > 0)
		body += got;
	printf("body %zu\n", body);
	fclose(f);
	return 0;
}
