/*
 * fork_exec_inflight.c - a process forks while a keep-alive request is in
 * flight, and the child only execs a helper (/bin/true, which inherits
 * the socket's fd and never touches it).
 *
 *     fork_exec_inflight MODE PORT N
 *
 *   exec     N times on one connection: GET /exec-I, fork, the child execs
 *            /bin/true, the parent waits for it, then reads the answer.
 *   thread   one thread GETs /thread-1 .. /thread-N on one connection
 *            while another forks and execs /bin/true every 20 ms until
 *            the first is done.
 *
 * Prints nothing but failures (exit 2).
 */
#define _GNU_SOURCE
#include "httpc.h"

#include <pthread.h>
#include <sys/wait.h>

static void spawn_true(void)
{
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		char *argv[] = {"true", NULL};
		execv("/bin/true", argv);
		_exit(127);
	}
	int st = 0;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "/bin/true failed\n");
		exit(2);
	}
}

/* Read one response whole (Content-Length framing): its status. */
static int read_answer(int fd)
{
	char buf[4096];
	size_t have = 0;
	char *end = NULL;
	while (!end) {
		ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	long len = cl ? atol(cl + 17) : 0;
	long got = (long)(have - (size_t)(end + 4 - buf));
	while (got < len) {
		char b[512];
		ssize_t r = read(fd, b, sizeof b < (size_t)(len - got) ? sizeof b : (size_t)(len - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read body");
		got += r;
	}
	return atoi(buf + 9);
}

static volatile int done;

static void *forker(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		spawn_true();
		usleep(20000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	const char *mode = argv[1];
	int fd = http_connect(atoi(argv[2]));
	int n = atoi(argv[3]);
	char path[64], req[128];

	if (!strcmp(mode, "exec")) {
		for (int i = 1; i <= n; i++) {
			snprintf(path, sizeof path, "/exec-%d", i);
			int len = snprintf(req, sizeof req,
					   "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
			if (write(fd, req, (size_t)len) != len)
				die("write");
			spawn_true();
			if (read_answer(fd) < 200)
				return 2;
		}
		return 0;
	}
	pthread_t th;
	if (pthread_create(&th, NULL, forker, NULL) != 0)
		return 2;
	for (int i = 1; i <= n; i++) {
		long body;
		snprintf(path, sizeof path, "/thread-%d", i);
		if (http_get(fd, path, &body, 0) < 200)
			return 2;
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	return 0;
}
