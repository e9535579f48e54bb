/* fork_in_signal_fastopen.c - N times: a socket, sendto(MSG_FASTOPEN) of a
 * GET to a loopback server (no cookie: a plain connect then the bytes),
 * the answer read to its end, close; meanwhile SIGALRM's handler forks
 * (once per send, up to USEC after it began).  The child returns from the handler
 * (an interrupted hook resumes in the child) and _exit()s at the next step
 * of the program: it makes no call of its own.
 *     fork_in_signal_fastopen PORT N USEC  -> "forks: F sent: S" */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
static volatile sig_atomic_t in_child, forks, stop, in_call, forked_in_call;
static struct itimerval next;
static void on_alarm(int sig)
{
	int e = errno;
	(void)sig;
	if (in_child || stop)
		return;
	pid_t p = fork();
	if (p == 0) {
		in_child = 1;
		forked_in_call = in_call;
	}
	else {
		forks += p > 0;
	}
	errno = e;
}
int main(int argc, char **argv)
{
	int port = atoi(argv[1]), n = atoi(argv[2]), us = atoi(argv[3]);
	int child_reads = argc > 4;
	int pipe_mode = argc > 4 && strcmp(argv[4], "pipe") == 0;
	int conn_mode = argc > 4 && strcmp(argv[4], "connect") == 0;
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGCHLD, SIG_IGN);
	next.it_value.tv_usec = us;
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char req[128];
	int sent = 0, notsent = 0;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int rl = snprintf(req, sizeof req, "GET /bytes/10?i=%d HTTP/1.1\r\n"
				  "Host: 127.0.0.1\r\n%s\r\n", i,
				  pipe_mode ? "" : "Connection: close\r\n");
		if (in_child)
			_exit(0);
		/* one fork at most per send, somewhere around it */
		next.it_value.tv_usec = 1 + (i * 37) % us;
		setitimer(ITIMER_REAL, &next, NULL);
		in_call = 1;
		ssize_t r;
		if (conn_mode) {
			/* a plain connect; the request written after it */
			r = connect(fd, (struct sockaddr *)&a, sizeof a);
			if (r == 0 && !in_child)
				r = -2; /* the parent leaves the connection */
			else if (r == 0)
				r = write(fd, req, (size_t)rl);
		} else {
			r = sendto(fd, req, rl, MSG_FASTOPEN,
				   (struct sockaddr *)&a, sizeof a);
		}
		int e = errno;
		in_call = 0;
		if (in_child && child_reads && r == rl) {
			/* the child goes on as the parent would: it reads the
			 * answer of the send it returned from */
			char cb[4096];
			ssize_t ck;
			if (pipe_mode) {
				/* a second request, after the one it returned
				 * from (pipelined: the first answer unread) */
				int l2 = snprintf(cb, sizeof cb,
						  "GET /bytes/20?i=%d&second HTTP/1.1\r\n"
						  "Host: 127.0.0.1\r\n"
						  "Connection: close\r\n\r\n", i);
				if (write(fd, cb, (size_t)l2) != l2)
					_exit(3);
			}
			size_t got = 0;
			while ((ck = read(fd, cb, sizeof cb)) > 0)
				got += (size_t)ck;
			dprintf(2, "child i=%d in_call=%d read=%zu pid=%d\n", i,
				(int)forked_in_call, got, (int)getpid());
			close(fd);
			_exit(0);
		}
		if (in_child)
			_exit(0);
		struct itimerval none = {0};
		setitimer(ITIMER_REAL, &none, NULL);
		if (r == -2) {
			close(fd);
			continue;
		}
		if (r != (ssize_t)rl) {
			notsent++;
			if (r < 0 && (e == EINTR || e == EISCONN || e == EALREADY)) {
				close(fd);
				continue;
			}
			fprintf(stderr, "sendto %zd %d\n", r, e);
			exit(2);
		}
		sent++;
		if (pipe_mode) {
			close(fd); /* the answer is not the parent's to read */
			continue;
		}
		char buf[4096];
		ssize_t k;
		while ((k = read(fd, buf, sizeof buf)) != 0) {
			if (in_child)
				_exit(0);
			if (k < 0 && errno != EINTR)
				break;
		}
		if (in_child)
			_exit(0);
		close(fd);
		if (in_child)
			_exit(0);
	}
	struct itimerval off = {0};
	stop = 1;
	setitimer(ITIMER_REAL, &off, NULL);
	if (in_child)
		_exit(0);
	printf("forks: %d sent: %d notsent: %d\n", (int)forks, sent, notsent);
	return 0;
}
