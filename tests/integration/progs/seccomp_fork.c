/*
 * seccomp_fork.c - a program that forbids itself socket() with a seccomp
 * filter (SECCOMP_RET_KILL_PROCESS), then forks; the child must not die.
 *
 *   seccomp_fork            filter, fork; the child prints a line, exits 0
 *   seccomp_fork PORT       a GET /bytes/11 on a keep-alive connection to
 *                           127.0.0.1:PORT first, then filter and fork; the
 *                           child sends GET /bytes/22 on the inherited
 *                           connection and prints what it got
 *
 * The parent prints how the child ended ("child exited N" or "child killed
 * by signal N"); the exit status is 0 when the child exited 0.
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "httpc.h"

/* socket() kills the process; every other call is allowed. */
static void forbid_socket(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof f / sizeof f[0]),
		.filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die("PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
		die("PR_SET_SECCOMP");
}

int main(int argc, char **argv)
{
	int fd = -1, st;
	long body = 0;

	if (argc > 1) {
		fd = http_connect(atoi(argv[1]));
		int status = http_get(fd, "/bytes/11", &body, 0);

		printf("parent: status %d, %ld bytes\n", status, body);
	}
	forbid_socket();
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (fd >= 0) {
			int status = http_get(fd, "/bytes/22", &body, 1);
			printf("child: status %d, %ld bytes\n", status, body);
		} else {
			printf("child: hello\n");
		}
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFEXITED(st))
		printf("child exited %d\n", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("child killed by signal %d\n", WTERMSIG(st));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
