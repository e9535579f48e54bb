/*
 * fork_lock.c - forks while another thread writes on a followed connection;
 * each child writes on it once (write(2) is async-signal-safe: a child of
 * a threaded program may call it).
 *
 *   fork_lock PATH [N]
 *
 * Listens on the Unix socket PATH, connects to it and writes an HTTP
 * request there (the library follows the connection), then a thread writes
 * one byte at a time on it while the main thread forks N times (2000).  A
 * child that does not come back from its write within 2 s is killed by its
 * alarm.  Prints "stuck children: K"; exits 0 when K is 0.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int cfd;

/* The server end: reads and discards. */
static void *sink(void *arg)
{
	int s = *(int *)arg;
	char buf[4096];

	while (read(s, buf, sizeof buf) > 0)
		;
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	for (;;)
		if (write(cfd, "x", 1) != 1)
			return NULL;
}

int main(int argc, char **argv)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	pthread_t t1, t2;
	int n = argc > 2 ? atoi(argv[2]) : 2000, stuck = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fork_lock PATH [N]\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	unlink(sa.sun_path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&sa, sizeof sa) != 0 || listen(l, 1) != 0) {
		perror("listen");
		return 2;
	}
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (void *)&sa, sizeof sa) != 0) {
		perror("connect");
		return 2;
	}
	int s = accept(l, NULL, NULL);
	if (s < 0) {
		perror("accept");
		return 2;
	}
	pthread_create(&t1, NULL, sink, &s);
	if (write(cfd, req, sizeof req - 1) != (ssize_t)sizeof req - 1) {
		perror("write");
		return 2;
	}
	pthread_create(&t2, NULL, writer, NULL);
	for (int i = 0; i < n && !stuck; i++) {
		int st;
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			return 2;
		}
		if (p == 0) {
			alarm(2);
			if (write(cfd, "y", 1) != 1)
				_exit(3);
			_exit(0);
		}
		if (waitpid(p, &st, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
			stuck++;
	}
	printf("stuck children: %d\n", stuck);
	unlink(sa.sun_path);
	return stuck != 0;
}
