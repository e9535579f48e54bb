/* fork_in_signal_connect.c - connect() to a refused loopback port N times
 * while SIGALRM's handler forks (USEC after each fork returned); the child
 * makes its copy of the socket fd name /dev/null (a raw dup2 no hook sees:
 * a connect of its own fails ENOTSOCK), returns from the handler (the
 * interrupted hook resumes in the child) and _exit()s at the next step.
 * A connect the signal interrupted (EINTR) goes on in the kernel and may
 * be refused after it returned: counted apart.
 *     fork_in_signal_connect PORT N USEC  -> "forks: F refused: R eintr: E" */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
static volatile sig_atomic_t in_child, forks;
static struct itimerval next;
static volatile int cur_fd = -1, dead_fd = -1;
#include <fcntl.h>
#include <sys/syscall.h>
static void on_alarm(int sig)
{
	int e = errno; (void)sig;
	if (in_child) return;
	pid_t p = fork();
	if (p == 0) { in_child = 1; if (cur_fd >= 0) syscall(SYS_dup2, dead_fd, cur_fd); }
	else { forks += p > 0; setitimer(ITIMER_REAL, &next, NULL); }
	errno = e;
}
int main(int argc, char **argv)
{
	int port = atoi(argv[1]), n = atoi(argv[2]), us = atoi(argv[3]);
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGCHLD, SIG_IGN);
	next.it_value.tv_usec = us;
	setitimer(ITIMER_REAL, &next, NULL);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET; a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int refused = 0, eintr = 0;
	dead_fd = open("/dev/null", O_RDONLY);
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		cur_fd = fd;
		if (in_child) _exit(0);
		int r = connect(fd, (struct sockaddr *)&a, sizeof a);
		int e = errno;
		if (in_child) _exit(0);
		if (r == 0 || (e != ECONNREFUSED && e != EINTR)) { fprintf(stderr, "connect %d %d\n", r, e); exit(2); }
		if (r < 0 && e == ECONNREFUSED) refused++;
		if (r < 0 && e == EINTR) eintr++;
		close(fd);
		if (in_child) _exit(0);
	}
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);
	if (in_child) _exit(0); /* forked before the timer stopped */
	printf("forks: %d refused: %d eintr: %d\n", (int)forks, refused, eintr);
	return 0;
}
