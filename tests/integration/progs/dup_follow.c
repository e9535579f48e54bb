/*
 * dup_follow.c - a program that moves or shares its connection's fd
 * (test_dup_follow.sh).
 *
 *     dup_follow MODE PORT
 *
 *  dup2close  connect; dup2(fd, 7); close(fd); GET /bytes/1, /bytes/2 on 7
 *  dupboth    connect; d = dup(fd); GET /bytes/1 on fd, /bytes/2 on d;
 *             close(fd); GET /bytes/3 on d
 *  fdupfd     connect; d = fcntl(fd, F_DUPFD_CLOEXEC, 100); close(fd);
 *             GET /bytes/1, /bytes/2 on d
 *  dup2over   connect a, b; GET /bytes/1 on b; dup2(a, b) (b's connection
 *             loses its only fd); GET /bytes/2 on b, /bytes/3 on a
 *  closerange connect; dup2(fd, 50); GET /bytes/1 on 50; close_range(50,
 *             50) (one of its two fds); GET /bytes/2 on fd
 *  dup2bad    connect; GET /bytes/1; dup2(900, fd) and dup3(901, fd, 0)
 *             (not open: EBADF), dup3(fd2, fd, bad flag) (EINVAL): fd
 *             stays; GET /bytes/2, /bytes/3 on fd
 *
 * Prints "reqN STATUS BODYLEN" per request, then "done".  Exit 2 when a
 * call failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "httpc.h"

static unsigned how; /* rotates over the I/O calls (httpc.h) */

static void get(int fd, int n)
{
	char path[32];
	long body = 0;
	snprintf(path, sizeof path, "/bytes/%d", n);
	int status = http_get(fd, path, &body, how++);
	printf("req%d %d %ld\n", n, status, body);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *mode = argv[1];
	int port = atoi(argv[2]);
	int fd = http_connect(port);

	if (strcmp(mode, "dup2close") == 0) {
		if (dup2(fd, 7) != 7)
			die("dup2");
		close(fd);
		get(7, 1);
		get(7, 2);
		close(7);
	} else if (strcmp(mode, "dupboth") == 0) {
		int d = dup(fd);
		if (d < 0)
			die("dup");
		get(fd, 1);
		get(d, 2);
		close(fd);
		get(d, 3);
		close(d);
	} else if (strcmp(mode, "fdupfd") == 0) {
		int d = fcntl(fd, F_DUPFD_CLOEXEC, 100);
		if (d < 100)
			die("fcntl");
		close(fd);
		get(d, 1);
		get(d, 2);
		close(d);
	} else if (strcmp(mode, "dup2over") == 0) {
		int b = http_connect(port);
		get(b, 1);
		if (dup2(fd, b) != b)
			die("dup2");
		get(b, 2);
		get(fd, 3);
		close(b);
		close(fd);
	} else if (strcmp(mode, "closerange") == 0) {
		if (dup2(fd, 50) != 50)
			die("dup2");
		get(50, 1);
		if (close_range(50, 50, 0) != 0)
			die("close_range");
		get(fd, 2);
		close(fd);
	} else if (strcmp(mode, "dup2bad") == 0) {
		get(fd, 1);
		int other = dup(0);
		if (dup2(900, fd) != -1 || errno != EBADF)
			die("dup2 of a closed fd");
		get(fd, 2);
		if (dup3(901, fd, 0) != -1 || errno != EBADF ||
		    dup3(other, fd, 0x4000000) != -1 || errno != EINVAL)
			die("dup3 failures");
		get(fd, 3);
		close(fd);
	} else {
		return 2;
	}
	printf("done\n");
	return 0;
}
