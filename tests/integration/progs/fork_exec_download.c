/*
 * fork_exec_download.c - a long download during which the process forks
 * and the child only execs a helper: the answer keeps arriving while the
 * parent reads it, so the kernel's counts move at nearly every read.
 *
 *     fork_exec_download PORT N
 *
 * N times on one keep-alive connection: GET /big-I, one read of the
 * answer, fork, the child execs /bin/true (it inherits the socket and
 * never touches it), the parent reads the rest (Content-Length framing,
 * 256 KiB reads: each drains the queue and the sender refills it at
 * once), then waits for the child.
 *
 * Prints nothing but failures (exit 2).
 */
#define _GNU_SOURCE
#include "httpc.h"

#include <sys/wait.h>

static char buf[256 << 10];

static ssize_t read_some(int fd)
{
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		return r;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int fd = http_connect(atoi(argv[1]));
	int n = atoi(argv[2]);
	char req[128];
	for (int i = 1; i <= n; i++) {
		int len = snprintf(req, sizeof req,
				   "GET /big-%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
		if (write(fd, req, (size_t)len) != len)
			die("write");
		/* the head whole in the first read (the server sends it
		 * alone first) */
		ssize_t got = read_some(fd);
		buf[got] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		char *cl = strcasestr(buf, "\r\nContent-Length:");
		if (!end || !cl) {
			fprintf(stderr, "no head in the first read\n");
			return 2;
		}
		long left = atol(cl + 17) - (long)(got - (end + 4 - buf));
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			char *av[] = {"true", NULL};
			execv("/bin/true", av);
			_exit(127);
		}
		while (left > 0)
			left -= read_some(fd);
		if (left < 0) {
			fprintf(stderr, "more than Content-Length\n");
			return 2;
		}
		int st = 0;
		while (waitpid(p, &st, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
	}
	return 0;
}
