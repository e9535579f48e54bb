/*
 * vm_child_exit.c - children that share the parent's memory and end with
 * _exit: a vfork child whose exec failed (the usual _exit(127)), and a
 * clone(CLONE_VM) child, with and without CLONE_VFORK, that calls _exit(5).
 *
 *   vm_child_exit PORT
 *
 * GET /bytes/1 on a keep-alive connection to 127.0.0.1:PORT, the three
 * children (each waited for, its exit status printed), GET /bytes/2 on the
 * same connection, then _exit(9).  The children's _exit must leave the
 * parent's state alone: both requests on one connection, closed once.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "httpc.h"

static char stack[256 * 1024] __attribute__((aligned(16)));

static int child(void *arg)
{
	(void)arg;
	_exit(5);
}

static void wait_print(const char *what, pid_t pid)
{
	int st;

	if (pid < 0)
		die(what);
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	printf("%s: %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv)
{
	long body = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: vm_child_exit PORT\n");
		return 2;
	}
	int fd = http_connect(atoi(argv[1]));
	printf("first: %d\n", http_get(fd, "/bytes/1", &body, 0));
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		execl("/nonexistent/prog", "prog", (char *)NULL);
		_exit(127);
	}
	wait_print("vfork child", pid);
	wait_print("clone(CLONE_VM) child",
		   clone(child, stack + sizeof stack, CLONE_VM | SIGCHLD, NULL));
	wait_print("clone(CLONE_VM|CLONE_VFORK) child",
		   clone(child, stack + sizeof stack,
			 CLONE_VM | CLONE_VFORK | SIGCHLD, NULL));
	printf("second: %d\n", http_get(fd, "/bytes/2", &body, 0));
	fflush(stdout);
	_exit(9);
}
