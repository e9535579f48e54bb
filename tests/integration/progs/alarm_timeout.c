/*
 * alarm_timeout.c - a client with a timeout of its own made with alarm():
 * writes a request to 127.0.0.1:PORT/PATH, arms alarm(1) with a SIGALRM
 * handler that only returns (no SA_RESTART), so its read of the answer
 * fails with EINTR; it then closes the socket, says "timed out", waits
 * 300 ms (it carries on) and exits 0.
 *
 *     alarm_timeout PORT PATH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"

static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	char req[256], byte;
	struct sigaction sa;
	struct timespec ts = { 0, 300 * 1000 * 1000 };

	if (argc != 3)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the read fails */
	sigaction(SIGALRM, &sa, NULL);
	int fd = http_connect(atoi(argv[1]));
	int n = snprintf(req, sizeof req,
			 "GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", argv[2]);
	send_all(fd, req, (size_t)n, 0);
	alarm(1);
	if (read(fd, &byte, 1) < 0 && errno == EINTR)
		puts("timed out");
	close(fd);
	nanosleep(&ts, NULL);
	return 0;
}
