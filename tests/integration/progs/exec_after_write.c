/*
 * exec_after_write.c - writes a request to 127.0.0.1:PORT/stuck/MODE,
 * waits until the server has it (READY_FILE, created by the test when the
 * server logged it), then replaces itself by `sleep 1` through the exec
 * function named by MODE (execv, execvp, execvpe, execl, execlp, execle,
 * fexecve): glibc makes the system call inside libc for each, not through
 * execve.  The request was in flight when the image left.
 *
 *     exec_after_write PORT READY_FILE MODE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"

extern char **environ;

int main(int argc, char **argv)
{
	char req[128];
	int len;
	char *args[] = { "sleep", "1", NULL };
	const char *mode;
	struct stat st;

	if (argc != 4)
		return 2;
	mode = argv[3];
	len = snprintf(req, sizeof req, "GET /stuck/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
		       mode);
	if (len < 0 || (size_t)len >= sizeof req)
		return 2;
	int fd = http_connect(atoi(argv[1]));
	send_all(fd, req, (size_t)len, 0);
	for (int i = 0; i < 1000 && stat(argv[2], &st) != 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (strcmp(mode, "execv") == 0)
		execv("/bin/sleep", args);
	else if (strcmp(mode, "execvp") == 0)
		execvp("sleep", args);
	else if (strcmp(mode, "execvpe") == 0)
		execvpe("sleep", args, environ);
	else if (strcmp(mode, "execl") == 0)
		execl("/bin/sleep", "sleep", "1", (char *)NULL);
	else if (strcmp(mode, "execlp") == 0)
		execlp("sleep", "sleep", "1", (char *)NULL);
	else if (strcmp(mode, "execle") == 0)
		execle("/bin/sleep", "sleep", "1", (char *)NULL, environ);
	else if (strcmp(mode, "fexecve") == 0)
		fexecve(open("/bin/sleep", O_RDONLY), args, environ);
	return 1;
}
