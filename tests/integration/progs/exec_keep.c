/*
 * exec_keep.c - a keep-alive connection left open (not close-on-exec)
 * across exec, posix_spawn, or a fork whose child only execs helpers.
 *
 *     exec_keep PORT MODE
 *
 * Each mode connects to 127.0.0.1:PORT and GETs /f/1000?1, then:
 *   keep     execs itself keeping the socket; the new image GETs
 *            /f/100000?2 and /nonexistent?3 on it;
 *   helpers  forks 5 children that each exec /bin/true (they inherit the
 *            socket, never touch it), then GETs ?2 and ?3 itself;
 *   spawn    posix_spawns itself with the socket as the child's stdin
 *            (a dup2 file action): the child GETs ?2 and ?3 on fd 0;
 *            the parent closes its copy and waits;
 *   vfork    the same by hand: a vfork child dup2's the socket onto its
 *            stdin and execs itself;
 *   pending  sends GET /f/100000?2 and execs before reading its answer:
 *            the new image reads that answer, then GETs ?3 (a connection
 *            picked up in the middle of a response).
 *
 * Prints "STATUS BYTES" per request made, in order.  Exit 2 on failure.
 */
#define _GNU_SOURCE
#include "httpc.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static void get(int fd, const char *path)
{
	long body = 0;
	int st = http_get(fd, path, &body, 0);
	printf("%d %ld\n", st, body);
	fflush(stdout);
}

/* The new image's part, on @fd. */
static int again(const char *mode, int fd)
{
	if (strcmp(mode, "pending") == 0) {
		/* the answer to ?2, sent by the old image: read whole
		 * (headers, then Content-Length bytes) */
		char buf[8192];
		size_t have = 0;
		char *end = NULL;
		while (!end) {
			ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
			if (r <= 0)
				die("read pending");
			have += (size_t)r;
			buf[have] = '\0';
			end = strstr(buf, "\r\n\r\n");
		}
		int st = atoi(buf + 9);
		char *cl = strcasestr(buf, "\r\nContent-Length:");
		long len = cl ? atol(cl + 17) : 0;
		long got = (long)(have - (size_t)(end + 4 - buf));
		while (got < len) {
			ssize_t r = read(fd, buf, sizeof buf);
			if (r <= 0)
				die("read pending body");
			got += r;
		}
		printf("%d %ld\n", st, got);
		fflush(stdout);
		get(fd, "/nonexistent?3");
		return 0;
	}
	get(fd, "/f/100000?2");
	get(fd, "/nonexistent?3");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[2], "again") == 0)
		return again(argv[1], atoi(argv[3]));
	if (argc == 2 && strcmp(argv[1], "stdin") == 0)
		return again("spawn", 0);
	if (argc != 3)
		return 2;
	const char *mode = argv[2];
	int fd = http_connect(atoi(argv[1]));
	get(fd, "/f/1000?1");
	char fds[16];
	snprintf(fds, sizeof fds, "%d", fd);
	if (strcmp(mode, "keep") == 0 || strcmp(mode, "pending") == 0) {
		if (strcmp(mode, "pending") == 0) {
			static const char req[] = "GET /f/100000?2 HTTP/1.1\r\n"
						  "Host: 127.0.0.1\r\n\r\n";
			send_all(fd, req, sizeof req - 1, 0);
		}
		execl("/proc/self/exe", argv[0], mode, "again", fds, (char *)NULL);
		die("exec");
	}
	if (strcmp(mode, "helpers") == 0) {
		for (int i = 0; i < 5; i++) {
			pid_t p = fork();
			if (p < 0)
				die("fork");
			if (p == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			int st;
			if (waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0)
				die("helper");
		}
		get(fd, "/f/100000?2");
		get(fd, "/nonexistent?3");
		return 0;
	}
	if (strcmp(mode, "spawn") == 0) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fd, 0);
		char *args[] = {argv[0], "stdin", NULL};
		pid_t p;
		if (posix_spawn(&p, "/proc/self/exe", &fa, NULL, args, environ) != 0)
			die("posix_spawn");
		close(fd);
		int st;
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("spawned child");
		return 0;
	}
	if (strcmp(mode, "vfork") == 0) {
		pid_t p = vfork();
		if (p < 0)
			die("vfork");
		if (p == 0) {
			if (dup2(fd, 0) != 0)
				_exit(126);
			execl("/proc/self/exe", argv[0], "stdin", (char *)NULL);
			_exit(127);
		}
		close(fd);
		int st;
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("vfork child");
		return 0;
	}
	return 2;
}
