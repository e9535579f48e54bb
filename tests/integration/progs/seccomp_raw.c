/*
 * seccomp_raw.c - a seccomp filter installed with the raw system call,
 * syscall(SYS_seccomp, ...), as libseccomp does (not prctl).
 *
 *   seccomp_raw PORT
 *
 * First a few syscall() calls whose return and errno it prints (the
 * library's syscall() hook must pass them through exactly), and GET
 * /bytes/5 on a keep-alive connection to 127.0.0.1:PORT.  Then a filter
 * that kills the process on fstat, newfstatat and socket, and GET /bytes/6
 * and /bytes/7 on the same connection (send and recv are allowed).  Prints
 * one line per step (after the filter with write(): stdio's first write
 * would fstat) and exits 0.
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "httpc.h"

/* One line on stdout with write(). */
static void say(const char *what, int status, long body)
{
	char line[128];
	int n = snprintf(line, sizeof line, "%s: status %d, %ld bytes\n", what,
			 status, body);
	if (write(1, line, (size_t)n) != n)
		syscall(SYS_exit_group, 4);
}

int main(int argc, char **argv)
{
	long body = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp_raw PORT\n");
		return 2;
	}
	/* syscall() passes every other number through: returns and errno. */
	errno = 0;
	printf("gettid %d\n", syscall(SYS_gettid) == gettid());
	long r = syscall(SYS_close, -1);
	printf("close(-1) %ld errno %d\n", r, errno);
	void *p = (void *)syscall(SYS_mmap, NULL, 4096, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap %s\n", p == MAP_FAILED ? "failed" : "ok");
	errno = 0;
	r = syscall(SYS_seccomp, 99, 0, NULL); /* no such operation */
	printf("seccomp(99) %ld errno %d\n", r, errno);

	int fd = http_connect(atoi(argv[1]));
	int status = http_get(fd, "/bytes/5", &body, 0);
	printf("first: status %d, %ld bytes\n", status, body);
	fflush(stdout);

	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fstat, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_newfstatat, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		die("seccomp");
	status = http_get(fd, "/bytes/6", &body, 0);
	say("second", status, body);
	status = http_get(fd, "/bytes/7", &body, 0);
	say("third", status, body);
	return 0;
}
