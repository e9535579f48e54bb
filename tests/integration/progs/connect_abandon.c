/*
 * connect_abandon.c - connect() calls whose hook never returns, or ends
 * with an error that opened nothing, or that run under a seccomp filter,
 * for the review of the slot a connect claims before its call
 * (rev-connkill).  One line per step on standard output, flushed.
 *
 *     connect_abandon longjmp PORT N   N blocking connects to
 *                                      127.0.0.1:PORT (a full accept
 *                                      queue), each abandoned after
 *                                      100 ms by siglongjmp from SIGALRM
 *                                      (the classic connect timeout) and
 *                                      its socket closed: "abandoned N";
 *                                      then one more blocking connect
 *                                      there: "connecting", waits
 *     connect_abandon reenter PORT N   as longjmp, the sockets left open
 *                                      (the next connect is all that says
 *                                      the last one was abandoned)
 *     connect_abandon nested PORT      a blocking connect to PORT whose
 *                                      SIGALRM handler (after 100 ms,
 *                                      SA_RESTART) makes a non-blocking
 *                                      connect there on a new socket and
 *                                      returns: "nested N" (its errno),
 *                                      then "connecting", waits
 *     connect_abandon epipe PORT HPORT a blocking connect to PORT that
 *                                      another thread ends after 300 ms
 *                                      with a connect(AF_UNSPEC) on the
 *                                      same socket (the call fails with
 *                                      an error that opens nothing), then
 *                                      "mark SECONDS" (CLOCK_REALTIME) and
 *                                      a GET on a connection to HPORT
 *     connect_abandon sfail            connects that fail before anything
 *                                      begins (AF_UNSPEC on a TCP socket,
 *                                      a bad address pointer, a bad fd):
 *                                      each result, then "survived"
 *     connect_abandon seccomp PROG ARG...  installs a seccomp filter
 *                                      that kills the process on
 *                                      getsockopt, then execs PROG
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf env;
static int shared_fd;

static void on_alarm(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void say(const char *what, int r, int err)
{
	printf("%s: %d %s\n", what, r, r ? strerror(err) : "ok");
	fflush(stdout);
}

static struct sockaddr_in nested_to;

static void on_alarm_connect(int sig)
{
	int e = errno;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	(void)sig;
	int r = connect(fd, (struct sockaddr *)&nested_to, sizeof nested_to);
	printf("nested %d\n", r ? errno : 0);
	printf("connecting\n");
	fflush(stdout);
	errno = e;
}

static void *disconnect_later(void *arg)
{
	struct sockaddr u;
	(void)arg;
	usleep(300000);
	memset(&u, 0, sizeof u);
	u.sa_family = AF_UNSPEC;
	connect(shared_fd, &u, sizeof u);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "nested") == 0) {
		struct sigaction sa;
		nested_to = loopback(atoi(argv[2]));
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm_connect;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		ualarm(100000, 0);
		int r = connect(fd, (struct sockaddr *)&nested_to,
				sizeof nested_to);
		say("connect returned", r, errno);
		sleep(60);
		return 0;
	}
	if (argc >= 4 && (strcmp(argv[1], "longjmp") == 0 ||
			  strcmp(argv[1], "reenter") == 0)) {
		bool keep = strcmp(argv[1], "reenter") == 0;
		struct sigaction sa;
		struct sockaddr_in a = loopback(atoi(argv[2]));
		int n = atoi(argv[3]);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		for (int i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			if (sigsetjmp(env, 1) == 0) {
				ualarm(100000, 0);
				int r = connect(fd, (struct sockaddr *)&a, sizeof a);
				ualarm(0, 0);
				say("connect returned", r, errno);
				return 3;
			}
			if (!keep)
				close(fd);
		}
		printf("abandoned %d\n", n);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		printf("connecting\n");
		fflush(stdout);
		connect(fd, (struct sockaddr *)&a, sizeof a);
		sleep(60);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "epipe") == 0) {
		struct sockaddr_in a = loopback(atoi(argv[2]));
		struct sockaddr_in h = loopback(atoi(argv[3]));
		pthread_t th;
		char buf[4096];
		struct timespec ts;
		static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n"
					  "Connection: close\r\n\r\n";
		shared_fd = socket(AF_INET, SOCK_STREAM, 0);
		pthread_create(&th, NULL, disconnect_later, NULL);
		int r = connect(shared_fd, (struct sockaddr *)&a, sizeof a);
		say("first", r, errno);
		pthread_join(th, NULL);
		close(shared_fd);
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("mark %ld.%06ld\n", (long)ts.tv_sec, ts.tv_nsec / 1000);
		fflush(stdout);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&h, sizeof h);
		say("second", r, errno);
		if (r != 0 || write(fd, get, sizeof get - 1) < 0)
			return 4;
		while (read(fd, buf, sizeof buf) > 0)
			;
		close(fd);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "sfail") == 0) {
		struct sockaddr u;
		int t = socket(AF_INET, SOCK_STREAM, 0);
		memset(&u, 0, sizeof u);
		u.sa_family = AF_UNSPEC;
		int r = connect(t, &u, sizeof u);
		say("unspec", r, errno);
		r = connect(t, (struct sockaddr *)8, 16);
		say("efault", r, errno);
		r = connect(9999, &u, sizeof u);
		say("ebadf", r, errno);
		printf("survived\n");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "seccomp") == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				 offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getsockopt, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog p = {sizeof f / sizeof f[0], f};
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p) != 0)
			return 9;
		execv(argv[2], argv + 2);
		return 8;
	}
	return 2;
}
