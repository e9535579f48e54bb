/*
 * seccomp_asm_exit.c - a program that sandboxes itself with a seccomp
 * filter installed by its own system call instruction (no libc wrapper: no
 * hook sees it), then ends with _exit, as a sandboxed helper does.
 *
 *   seccomp_asm_exit PORT
 *
 * GET /bytes/3 on a keep-alive connection to 127.0.0.1:PORT, the filter
 * (fstat, newfstatat and socket kill the process; everything else is
 * allowed), one line on stdout with write(), _exit(0).  Untraced it exits
 * 0.  x86-64 only (the instruction).
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "httpc.h"

static long raw3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	long body = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp_asm_exit PORT\n");
		return 2;
	}
	int fd = http_connect(atoi(argv[1]));
	printf("first: %d\n", http_get(fd, "/bytes/3", &body, 0));
	fflush(stdout);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fstat, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_newfstatat, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {sizeof f / sizeof f[0], f};
	/* (libc's prctl for this one: the hook passes it through) */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    raw3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog) != 0)
		return 3;
	if (write(1, "sandboxed\n", 10) != 10)
		return 4;
	_exit(0);
}
