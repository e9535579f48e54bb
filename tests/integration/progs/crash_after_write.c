/*
 * crash_after_write.c - writes a request to 127.0.0.1:PORT/stuck, waits
 * until the server has it (argv[2], a file the test creates when the
 * server logged it), then dies of SIGSEGV: the request was in flight,
 * waiting for its first byte, when the process crashed.
 *
 *     crash_after_write PORT READY_FILE
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "httpc.h"

int main(int argc, char **argv)
{
	static const char req[] = "GET /stuck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	struct stat st;

	if (argc != 3)
		return 2;
	int fd = http_connect(atoi(argv[1]));
	send_all(fd, req, sizeof req - 1, 0);
	for (int i = 0; i < 1000 && stat(argv[2], &st) != 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	/* no handler of its own: the default action, a crash */
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
	return 1;
}
