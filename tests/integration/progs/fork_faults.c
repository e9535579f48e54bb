/*
 * fork_faults.c - the page faults a fork costs, with and without many idle
 * keep-alive connections open.
 *
 *     fork_faults PORT N
 *
 * Forks twice with no connection open, then opens N connections to
 * 127.0.0.1:PORT, GETs /bytes/10 on each (read whole: each is idle), and
 * forks twice again; each child reads its own minor page faults
 * (getrusage: a child's count starts at 0), sends them to the parent and
 * _exits; the parent counts its own over the fork() call (its fork
 * handlers run inside it).  Of each pair the second fork is kept (the
 * first may fault in code either one runs).  Then a child GETs
 * /bytes/22 on connection N/2 and the parent /bytes/33 on the same one
 * (an inherited connection is followed in both).  Prints
 *
 *     child_extra C
 *     parent_extra P
 *
 * (the faults of a fork with N connections minus those of one with none)
 * and exits 0; 2 on a failure.
 */
#define _GNU_SOURCE
#include "httpc.h"

#include <sys/resource.h>
#include <sys/wait.h>

static long minflt(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		die("getrusage");
	return ru.ru_minflt;
}

/* One fork: *@child gets the child's faults, *@parent the parent's over
 * fork(). */
static void one_fork(long *child, long *parent)
{
	int p[2];
	if (pipe(p) != 0)
		die("pipe");
	long before = minflt();
	pid_t pid = fork();
	long after = minflt();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		long mine = after;
		if (write(p[1], &mine, sizeof mine) != sizeof mine)
			_exit(2);
		_exit(0);
	}
	*parent = after - before;
	close(p[1]);
	ssize_t r;
	while ((r = read(p[0], child, sizeof *child)) < 0 && errno == EINTR)
		;
	if (r != sizeof *child)
		die("read from the child");
	close(p[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("child");
}

static void kept_fork(long *child, long *parent)
{
	one_fork(child, parent);
	one_fork(child, parent);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int port = atoi(argv[1]), n = atoi(argv[2]);
	long body, c0, p0, c1, p1;
	if (n < 1)
		return 2;
	kept_fork(&c0, &p0);
	int *fds = calloc((size_t)n, sizeof *fds);
	if (!fds)
		die("calloc");
	for (int i = 0; i < n; i++) {
		fds[i] = http_connect(port);
		if (http_get(fds[i], "/bytes/10", &body, 0) != 200 || body != 10)
			die("GET /bytes/10");
	}
	kept_fork(&c1, &p1);
	int fd = fds[n / 2];
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (http_get(fd, "/bytes/22", &body, 0) != 200 || body != 22)
			_exit(2);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("the child's GET");
	if (http_get(fd, "/bytes/33", &body, 0) != 200 || body != 33)
		die("GET /bytes/33");
	printf("child_extra %ld\nparent_extra %ld\n", c1 - c0, p1 - p0);
	return 0;
}
