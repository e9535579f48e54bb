/*
 * fork_shared.c - a connection a fork shares while a request is in flight
 * on it.
 *
 *     fork_shared MODE PORT
 *
 *   pair     GET /A-parent, fork with it unanswered; the child GETs
 *            /B-child on the same connection, reads once and exits; then
 *            the parent reads once.  Which process reads which answer is
 *            up to the kernel's timing: the tracer cannot know.
 *   idle     GET /idle-1 and read its answer whole, fork; the child GETs
 *            /idle-2 and reads its answer; then the parent GETs /idle-3
 *            (the connection was idle at fork: both follow it).
 *   wait, exit, kill
 *            GET /handoff, fork; the child reads the answer and exits; the
 *            parent closes its copy at once, then waits for the child
 *            (wait), exits (exit), or waits 300 ms and SIGKILLs itself
 *            (kill).
 *   readkill GET /handoff, fork; the child reads the answer and exits; the
 *            parent, its copy still open, waits for the child and
 *            SIGKILLs itself (the request is still in flight in its live
 *            page).
 *
 * Prints nothing but failures (exit 2).
 */
#define _GNU_SOURCE
#include "httpc.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static void put(int fd, const char *path)
{
	char req[128];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
			 path);
	if (write(fd, req, (size_t)n) != n)
		die("write");
}

/* One read, whatever it holds, if bytes come within 2 s (the other
 * process may have read them all). */
static void get_some(int fd)
{
	char buf[512];
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	if (poll(&pf, 1, 2000) <= 0)
		return;
	while (read(fd, buf, sizeof buf) < 0)
		if (errno != EINTR)
			die("read");
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *mode = argv[1];
	int fd = http_connect(atoi(argv[2]));
	long body;
	pid_t p;

	if (!strcmp(mode, "pair")) {
		put(fd, "/A-parent");
		usleep(100000);
		if ((p = fork()) < 0)
			die("fork");
		if (p == 0) {
			put(fd, "/B-child");
			usleep(100000);
			get_some(fd);
			_exit(0);
		}
		waitpid(p, NULL, 0);
		get_some(fd);
		return 0;
	}
	if (!strcmp(mode, "idle")) {
		if (http_get(fd, "/idle-1", &body, 0) < 200)
			return 2;
		if ((p = fork()) < 0)
			die("fork");
		if (p == 0)
			_exit(http_get(fd, "/idle-2", &body, 0) < 200 ? 2 : 0);
		int st = 0;
		waitpid(p, &st, 0);
		if (http_get(fd, "/idle-3", &body, 0) < 200)
			return 2;
		return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
	}
	put(fd, "/handoff");
	if ((p = fork()) < 0)
		die("fork");
	if (p == 0) {
		get_some(fd);
		close(fd);
		_exit(0);
	}
	if (!strcmp(mode, "readkill")) {
		waitpid(p, NULL, 0);
		kill(getpid(), SIGKILL);
	}
	close(fd);
	if (!strcmp(mode, "wait"))
		waitpid(p, NULL, 0);
	if (!strcmp(mode, "kill")) {
		usleep(300000);
		kill(getpid(), SIGKILL);
	}
	return 0;
}
