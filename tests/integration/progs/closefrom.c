/*
 * closefrom.c - a program that closes every fd from 3 behind the library's
 * back and then gives a connection of its own the number the library's
 * collector socket had (test_trust_closefrom.sh).
 *
 *     closefrom closefrom|rawrange PORT_A PORT_B
 *
 *  1. GET /bytes/1 from A on a connection it then closes (under tracing the
 *     library has connected to its collector by then).
 *  2. Finds the library's socket: the one socket in /proc/self/fd it did
 *     not open ("libfd found"); untraced there is none ("libfd none") and
 *     1000 stands in for its number.
 *  3. closefrom(3) (closefrom), or the close_range system call made with
 *     syscall(), which no hook sees (rawrange).
 *  4. A new TCP socket is moved to that number with fcntl(F_DUPFD) (not
 *     hooked).
 *  5. fork: the child checks that the number is still that TCP socket
 *     (same inode, SOCK_STREAM) and exits 0, else 1 ("child ok", or
 *     "child: ..."; the parent goes on either way).
 *  6. It connects to B there, GETs /bytes/2 over it, and closes it.
 *  7. GET /bytes/3 from A on a new connection ("done").
 *
 * Exit status: 0; 1 when the child found the fd taken from the program;
 * 2 when a call failed; 3 when the fd number could not be had.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "httpc.h"

/* The one socket open above 2 (the program has none open when it asks):
 * the library's; -1 when there is none, -2 when several. */
static int foreign_socket(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;
	if (!d)
		die("opendir /proc/self/fd");
	while ((e = readdir(d)) != NULL) {
		char path[64], link[64];
		int fd = atoi(e->d_name);
		ssize_t n;
		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof link - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "socket:", 7) != 0)
			continue;
		found = found == -1 ? fd : -2;
	}
	closedir(d);
	return found;
}

/* GET @path from 127.0.0.1:@port on a new connection; print the outcome. */
static void get_new(const char *name, int port, const char *path)
{
	long body = 0;
	int fd = http_connect(port);
	int status = http_get(fd, path, &body, 0);
	printf("%s %d %ld\n", name, status, body);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: closefrom closefrom|rawrange PORT_A PORT_B\n");
		return 2;
	}
	const char *mode = argv[1];
	int port_a = atoi(argv[2]), port_b = atoi(argv[3]);
	bool raw = strcmp(mode, "rawrange") == 0;
	if (!raw && strcmp(mode, "closefrom") != 0) {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	get_new("req1", port_a, "/bytes/1");

	int lib = foreign_socket();
	if (lib == -2) {
		fprintf(stderr, "several sockets the program did not open\n");
		return 2;
	}
	printf("libfd %s\n", lib >= 0 ? "found" : "none");
	if (lib < 0)
		lib = 1000;

	if (raw) {
		if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
			die("close_range");
	} else {
		closefrom(3);
	}

	/* A connection of the program's own at the library's old number. */
	int low = socket(AF_INET, SOCK_STREAM, 0);
	if (low < 0)
		die("socket");
	int fd = fcntl(low, F_DUPFD, lib);
	if (fd < 0)
		die("fcntl F_DUPFD");
	close(low);
	if (fd != lib) {
		fprintf(stderr, "fd %d is taken: got %d\n", lib, fd);
		return 3;
	}
	/* A child forked now, before any record tells the library that its
	 * socket is gone (rawrange), must find the fd as the parent left it. */
	struct stat before;
	if (fstat(fd, &before) != 0)
		die("fstat");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct stat st;
		int type = 0;
		socklen_t len = sizeof type;
		if (fstat(fd, &st) != 0 || st.st_ino != before.st_ino ||
		    st.st_dev != before.st_dev ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		    type != SOCK_STREAM)
			_exit(1);
		_exit(0);
	}
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	bool child_ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
	if (child_ok)
		printf("child ok\n");
	else
		printf("child: fd %d is not the program's socket any more\n", fd);

	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port_b);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		if (errno != EINTR)
			die("connect B");

	long body = 0;
	int status = http_get(fd, "/bytes/2", &body, 0);
	printf("req2 %d %ld\n", status, body);
	close(fd);

	get_new("req3", port_a, "/bytes/3");
	printf("done\n");
	return child_ok ? 0 : 1;
}
