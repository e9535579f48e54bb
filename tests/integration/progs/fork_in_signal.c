/*
 * fork_in_signal.c - keep-alive requests while a timer signal's handler
 * forks: the fork lands inside the library's hooks now and then (a socket
 * call's hook, between its real call and the end of its work).
 *
 *     fork_in_signal PORT NREQ MODE [USEC [CHUNK]]
 *
 * One connection to 127.0.0.1:PORT, NREQ keep-alive requests
 * GET /bytes/N?pid=PID&i=I (PID: the process that makes it), each response
 * read CHUNK bytes a call at most (default 64).  SIGALRM, USEC
 * microseconds (default 300) after the last fork returned (ITIMER_REAL,
 * one-shot, re-armed; no SA_RESTART: an interrupted call returns EINTR,
 * retried), runs a handler that forks.  MODE says what the child does:
 *
 *     inhandler  sleeps 100 us in the handler and _exit()s there
 *     resume     returns from the handler (the interrupted hook goes on
 *                in the child) and _exit()s at the program's next step;
 *                its copy of the connection's fd was made to name a dead
 *                socket first, by a system call no hook sees, so a call
 *                the program was about to make never reaches the server
 *     request    as resume, but first makes one request of its own on a
 *                new connection (GET /bytes/7?pid=CHILD&i=0)
 *
 * The parent reaps nothing (SIGCHLD ignored) and prints "forks: N" and
 * "requests: NREQ" on success.  Every failure exits 2 with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "httpc.h"

enum { IN_HANDLER, RESUME, REQUEST };

static int mode, port;
static size_t chunk;         /* bytes read per call at most */
static struct itimerval next; /* one-shot, re-armed after each fork */
static volatile sig_atomic_t forks, in_child;
static int conn_fd = -1, dead_fd = -1;

/* dup2(@from, @to) by the system call itself, which no hook sees: the
 * library's state is left as the fork made it. */
static long raw_dup2(long from, long to)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(33L /* SYS_dup2, x86-64 */), "D"(from), "S"(to)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The child's own request, on a connection of its own. */
static void child_request(void)
{
	int fd = http_connect(port);
	char path[64];
	long body;
	snprintf(path, sizeof path, "/bytes/7?pid=%d&i=0", (int)getpid());
	if (http_get(fd, path, &body, 0) != 200 || body != 7)
		_exit(3);
	close(fd);
}

/* The program's next step in a child that returned from the handler. */
static void child_check(void)
{
	if (!in_child)
		return;
	if (mode == REQUEST)
		child_request();
	_exit(0);
}

static void on_alarm(int sig)
{
	int saved = errno;
	(void)sig;
	if (in_child)
		return;
	pid_t p = fork();
	if (p == 0) {
		if (mode == IN_HANDLER) {
			usleep(100);
			_exit(0);
		}
		in_child = 1;
		/* The program may be between its last check and a call on
		 * the connection: that call must not touch the parent's
		 * socket.  (No timer in the child: it is not inherited.) */
		if (raw_dup2(dead_fd, conn_fd) < 0)
			_exit(4);
	} else {
		forks += p > 0;
		/* the next fork USEC after this one returned: a fork slower
		 * than the interval would leave the program no time */
		setitimer(ITIMER_REAL, &next, NULL);
	}
	errno = saved;
}

/* Every call made on the connection, retried on EINTR; a child stops
 * before a call, and after one that the fork interrupted. */
static void send_req(int fd, const char *p, size_t n, unsigned how)
{
	while (n > 0) {
		child_check();
		ssize_t r = io_out(fd, p, n, how);
		int e = errno;
		child_check();
		if (r < 0 && e == EINTR)
			continue;
		if (r <= 0) {
			errno = e;
			die("send");
		}
		p += r;
		n -= (size_t)r;
	}
}

static size_t recv_some(int fd, char *p, size_t n, unsigned how)
{
	for (;;) {
		child_check();
		ssize_t r = io_in(fd, p, n < chunk ? n : chunk, how);
		int e = errno;
		child_check();
		if (r < 0 && e == EINTR)
			continue;
		if (r <= 0) {
			errno = e;
			die(r == 0 ? "eof" : "recv");
		}
		return (size_t)r;
	}
}

/* GET @path on @fd, its whole response read (Content-Length framing);
 * the body's size, or exit 2. */
static long get(int fd, const char *path, unsigned how)
{
	char req[256], buf[4096];
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	send_req(fd, req, (size_t)n, how);
	size_t have = 0;
	char *end = NULL;
	while (!end) {
		if (have == sizeof buf - 1) {
			fprintf(stderr, "head too big\n");
			exit(2);
		}
		have += recv_some(fd, buf + have, sizeof buf - 1 - have, how);
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (atoi(buf + 9) != 200) {
		fprintf(stderr, "status %.3s\n", buf + 9);
		exit(2);
	}
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	long len = cl ? atol(cl + 17) : -1;
	long got = (long)(have - (size_t)(end + 4 - buf));
	while (got < len) {
		size_t want = (size_t)(len - got);
		got += (long)recv_some(fd, buf, want < sizeof buf ? want : sizeof buf,
				       how);
	}
	if (got != len) {
		fprintf(stderr, "body %ld of %ld\n", got, len);
		exit(2);
	}
	return got;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: fork_in_signal PORT NREQ inhandler|resume|request [USEC [CHUNK]]\n");
		return 2;
	}
	port = atoi(argv[1]);
	int nreq = atoi(argv[2]);
	if (strcmp(argv[3], "inhandler") == 0)
		mode = IN_HANDLER;
	else if (strcmp(argv[3], "resume") == 0)
		mode = RESUME;
	else if (strcmp(argv[3], "request") == 0)
		mode = REQUEST;
	else
		return 2;
	long usec = argc >= 5 ? atol(argv[4]) : 300;
	chunk = argc >= 6 ? (size_t)atol(argv[5]) : 64;

	signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
	signal(SIGPIPE, SIG_IGN); /* a child's write on dead_fd */
	int fd = http_connect(port);
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
		die("socketpair");
	close(sp[1]);
	dead_fd = sp[0]; /* reads 0, writes EPIPE */
	conn_fd = fd;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	next.it_value.tv_usec = usec;
	setitimer(ITIMER_REAL, &next, NULL);

	for (int i = 0; i < nreq; i++) {
		char path[64];
		long size = 1 + i % 2000;
		snprintf(path, sizeof path, "/bytes/%ld?pid=%d&i=%d", size,
			 (int)getpid(), i);
		if (get(fd, path, (unsigned)i) != size) {
			fprintf(stderr, "request %d: wrong body\n", i);
			return 2;
		}
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	child_check(); /* a child forked after the last call */
	close(fd);
	printf("forks: %d\nrequests: %d\n", (int)forks, nreq);
	return 0;
}
