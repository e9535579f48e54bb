/*
 * epoll_pending.c - an epoll loop with request records pending (one HTTP
 * exchange over 127.0.0.1 with itself, its listener left open so that no
 * close sends them), then one wait, by MODE:
 *   mask   epoll_pwait(100 ms) whose mask blocks SIGALRM, sent 2 ms in
 *          (the thread's own mask lets it through): prints when the
 *          handler ran and when the call returned, in ms from the call
 *   zero   epoll_wait(timeout 0) with nothing ready, then creates FILE and
 *          sleeps 30 s (asyncio polls with 0, then blocks elsewhere)
 * The library may hold an epoll loop's records while they are young: the
 * wait must stay the program's own (a blocked signal never let in during
 * it), and a wait that finds nothing sends them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile double t_handled = -1;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void on_alarm(int sig)
{
	(void)sig;
	t_handled = now_ms();
}

static void exchange(void)
{
	static const char rq[] = "GET /pending HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char rs[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	char b[512];
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (bind(l, (void *)&a, sizeof a) || listen(l, 4) ||
	    getsockname(l, (void *)&a, &al))
		return;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (void *)&a, sizeof a))
		return;
	int s = accept(l, NULL, NULL);
	if (write(c, rq, strlen(rq)) < 0 || read(s, b, sizeof b) < 0 ||
	    write(s, rs, strlen(rs)) < 0 || read(c, b, sizeof b) < 0)
		return;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "mask";
	struct epoll_event ev[8];
	int ep = epoll_create1(0);

	epoll_wait(ep, ev, 8, 0); /* the thread is an event loop's */
	exchange();
	if (strcmp(mode, "mask") == 0) {
		struct sigaction sa = {.sa_handler = on_alarm};
		struct itimerval it = {.it_value = {0, 2000}};
		sigset_t m;

		sigaction(SIGALRM, &sa, NULL);
		sigemptyset(&m);
		sigaddset(&m, SIGALRM);
		double t0 = now_ms();
		setitimer(ITIMER_REAL, &it, NULL);
		int r = epoll_pwait(ep, ev, 8, 100, &m);
		double t_ret = now_ms();
		printf("r=%d handled_at=%.0f returned_at=%.0f\n", r,
		       t_handled < 0 ? -1 : t_handled - t0, t_ret - t0);
	} else if (strcmp(mode, "zero") == 0 && argc > 2) {
		int r = epoll_wait(ep, ev, 8, 0);
		printf("r=%d\n", r);
		fflush(stdout);
		close(open(argv[2], O_CREAT | O_WRONLY, 0600));
		sleep(30);
	}
	return 0;
}
