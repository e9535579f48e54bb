/*
 * short_send.c PORT MODE SLEEP STATUS - a blocking client that
 * POSTs a 64 MB body in one send(2) to 127.0.0.1:PORT, which the server
 * does not read: the send comes back short with no signal (MODE
 * "sndtimeo": SO_SNDTIMEO 300 ms; "dontwait": MSG_DONTWAIT), the client
 * gives up and closes, then prints "closed", sleeps SLEEP seconds and
 * exits with STATUS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 5)
		return 2;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int flags = 0;
	if (strcmp(argv[2], "sndtimeo") == 0) {
		struct timeval tv = {0, 300000};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	} else {
		flags = MSG_DONTWAIT;
	}
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)atoi(argv[1]))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		return 2;
	size_t n = 64000000;
	char *b = malloc(n + 200);
	if (!b)
		return 2;
	int hl = snprintf(b, 200,
			  "POST /upload HTTP/1.1\r\nHost: x\r\n"
			  "Content-Length: %zu\r\n\r\n", n);
	memset(b + hl, 'z', n);
	ssize_t r = send(fd, b, (size_t)hl + n, flags);
	fprintf(stderr, "send %zd of %zu: giving up\n", r, (size_t)hl + n);
	close(fd);
	printf("closed\n");
	fflush(stdout);
	sleep((unsigned)atoi(argv[3]));
	return atoi(argv[4]);
}
