/*
 * procs.c - process and fd-table events around tracked connections.
 *
 *     procs MODE PORT [ARG]
 *
 * Every request is "GET /bytes/N" to server.py on 127.0.0.1:PORT, so the
 * body size N names the request in the records.  Each mode prints
 * deterministic lines only (the traced and untraced output must match):
 *
 *   fork       conn A: /bytes/11; fork; the child GETs /bytes/22 on A and
 *              exits; then the parent GETs /bytes/33 on A.
 *   exec       conn A: /bytes/33 (left open, inherited); exec ARG (this
 *              program) in mode "after-exec", which GETs /bytes/44 on a
 *              new connection.
 *   vfork      conn A: /bytes/1; vfork, the child closes A, calls
 *              close_range(3, ~0U, 0) and dup2 over A, then execs
 *              /bin/true; posix_spawn /bin/true with a close action on A;
 *              then the parent GETs /bytes/2 and /bytes/3 on A.
 *   closerange conn A: /bytes/1; close_range(3, ~0U, 0) (A and the
 *              library's socket go); 8 socketpairs take the low fds; conn
 *              B: /bytes/2, /bytes/3; no byte may have appeared on any
 *              socketpair.
 *   closeall   as closerange, with close() on every fd from 3 to 1024.
 *   dup2       conn A: /bytes/1; conn B: /bytes/2; dup2(B, A); /bytes/3
 *              through A (now B's socket); /bytes/4 through B.
 *   reuse      conn A: /bytes/100, close; conn B (same fd): /bytes/200,
 *              closed by a raw close system call; conn C (same fd again):
 *              /bytes/300, close.
 *   rawrange   conn A: /bytes/100, closed by a raw close_range system
 *              call (syscall(SYS_close_range, A, A, 0), libc's close_range
 *              bypassed); conn B (same fd) to 127.0.0.1:ARG: /bytes/200,
 *              close.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "httpc.h"

extern char **environ;
static int port;

static void get(int fd, long n)
{
	char path[64];
	long body;
	static unsigned how;
	snprintf(path, sizeof path, "/bytes/%ld", n);
	int st = http_get(fd, path, &body, how++);
	printf("GET %s -> %d, %ld bytes\n", path, st, body);
	fflush(stdout);
}

/* Fill the lowest free fds with socketpairs; return how many fds. */
static int take_low_fds(int *fds, int pairs)
{
	for (int i = 0; i < pairs; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds + 2 * i) != 0)
			die("socketpair");
	return 2 * pairs;
}

/* Nothing may have been written into fds the program owns. */
static void check_quiet(const int *fds, int n)
{
	int dirty = 0;
	for (int i = 0; i < n; i++) {
		char buf[256];
		ssize_t r = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
		if (r > 0) {
			printf("GARBAGE: %zd bytes appeared on fd %d\n", r, fds[i]);
			dirty = 1;
		}
	}
	printf("socketpairs %s\n", dirty ? "dirty" : "clean");
}

static void run_after_close(int mode_all)
{
	int a = http_connect(port);
	get(a, 1);
	if (mode_all) {
		for (int fd = 3; fd <= 1024; fd++)
			close(fd);
	} else if (close_range(3, ~0U, 0) != 0) {
		die("close_range");
	}
	int fds[16];
	int n = take_low_fds(fds, 8);
	int b = http_connect(port);
	get(b, 2);
	get(b, 3);
	close(b);
	check_quiet(fds, n);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: procs MODE PORT [ARG]\n");
		return 2;
	}
	const char *mode = argv[1];
	port = atoi(argv[2]);

	if (strcmp(mode, "fork") == 0) {
		int a = http_connect(port);
		get(a, 11);
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			get(a, 22);
			exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		printf("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		get(a, 33);
		close(a);
	} else if (strcmp(mode, "exec") == 0 && argc == 4) {
		int a = http_connect(port);
		get(a, 33);
		execl(argv[3], argv[3], "after-exec", argv[2], (char *)NULL);
		die("exec");
	} else if (strcmp(mode, "after-exec") == 0) {
		int b = http_connect(port);
		get(b, 44);
		close(b);
	} else if (strcmp(mode, "vfork") == 0) {
		int a = http_connect(port);
		int devnull = open("/dev/null", O_RDWR);
		get(a, 1);
		pid_t pid = vfork();
		if (pid < 0)
			die("vfork");
		if (pid == 0) {
			close(a);
			dup2(devnull, a);
			close_range(3, ~0U, 0);
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		int st;
		waitpid(pid, &st, 0);
		printf("vfork child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addclose(&fa, a);
		posix_spawn_file_actions_adddup2(&fa, devnull, a);
		char *args[] = {"true", NULL};
		if (posix_spawn(&pid, "/bin/true", &fa, NULL, args, environ) != 0)
			die("posix_spawn");
		waitpid(pid, &st, 0);
		printf("spawned child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		get(a, 2);
		get(a, 3);
		close(a);
	} else if (strcmp(mode, "closerange") == 0) {
		run_after_close(0);
	} else if (strcmp(mode, "closeall") == 0) {
		run_after_close(1);
	} else if (strcmp(mode, "dup2") == 0) {
		int a = http_connect(port);
		get(a, 1);
		int b = http_connect(port);
		get(b, 2);
		if (dup2(b, a) != a)
			die("dup2");
		get(a, 3);
		get(b, 4);
		close(a);
		close(b);
	} else if (strcmp(mode, "reuse") == 0) {
		int a = http_connect(port);
		get(a, 100);
		close(a);
		int b = http_connect(port);
		printf("same fd: %s\n", b == a ? "yes" : "no");
		get(b, 200);
		syscall(SYS_close, b);
		int c = http_connect(port);
		printf("same fd: %s\n", c == a ? "yes" : "no");
		get(c, 300);
		close(c);
	} else if (strcmp(mode, "rawrange") == 0 && argc == 4) {
		int a = http_connect(port);
		get(a, 100);
		if (syscall(SYS_close_range, a, a, 0) != 0)
			die("close_range");
		port = atoi(argv[3]);
		int b = http_connect(port);
		printf("same fd: %s\n", b == a ? "yes" : "no");
		get(b, 200);
		close(b);
	} else {
		fprintf(stderr, "procs: unknown mode %s\n", mode);
		return 2;
	}
	return 0;
}
