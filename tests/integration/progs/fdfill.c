/*
 * fdfill.c - one HTTP request, then every fd the limit allows.
 *
 *   fdfill PORT
 *
 * GETs /bytes/5 from 127.0.0.1:PORT on a connection it keeps open, prints
 * the result, then opens /dev/null until the call fails, printing each fd
 * number it got ("fd N") and how the last open failed.  Traced, every
 * line must be the same as untraced: the library takes no fd number the
 * program would have had.
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "httpc.h"

int main(int argc, char **argv)
{
	long body = 0;
	int n = 0, fd, status;

	if (argc != 2) {
		fprintf(stderr, "usage: fdfill PORT\n");
		return 2;
	}
	fd = http_connect(atoi(argv[1]));
	status = http_get(fd, "/bytes/5", &body, 0);
	printf("request on fd %d: status %d, %ld bytes\n", fd, status, body);
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		printf("fd %d\n", fd);
		n++;
	}
	printf("after %d: %s\n", n, strerror(errno));
	return 0;
}
