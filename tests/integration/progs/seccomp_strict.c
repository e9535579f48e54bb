/*
 * seccomp_strict.c - a GET made in seccomp strict mode, where the kernel
 * kills the thread on any system call but read, write and exit.
 *
 *   seccomp_strict PORT
 *
 * Connects to 127.0.0.1:PORT, enters strict mode (prctl), writes a GET
 * /bytes/5 with write() and reads the response's start with read(); prints
 * "status line read" and exits 0 (with the exit system call: exit_group is
 * not allowed) when it begins with "HTTP/1.".
 */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "httpc.h"

int main(int argc, char **argv)
{
	static const char req[] = "GET /bytes/5 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				  "Connection: close\r\n\r\n";
	static const char ok[] = "status line read\n";
	char buf[64];

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp_strict PORT\n");
		return 2;
	}
	int fd = http_connect(atoi(argv[1]));
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0)
		die("PR_SET_SECCOMP");
	if (write(fd, req, sizeof req - 1) != (ssize_t)sizeof req - 1)
		syscall(SYS_exit, 3);
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 7 || memcmp(buf, "HTTP/1.", 7) != 0)
		syscall(SYS_exit, 4);
	if (write(1, ok, sizeof ok - 1) != (ssize_t)sizeof ok - 1)
		syscall(SYS_exit, 5);
	syscall(SYS_exit, 0);
	return 0;
}
