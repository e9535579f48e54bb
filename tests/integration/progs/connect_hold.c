/*
 * connect_hold.c - connect() calls a tracer must see through, for the
 * tests of a process killed or interrupted inside connect()
 * (fullbacklog.py gives a port whose accept queue is full: a blocking
 * connect there waits).  Each mode says what it did on standard output,
 * one line, flushed, then waits (up to 60 s) to be killed, so that the
 * test can look at what the tracer shows meanwhile.
 *
 *     connect_hold block PORT       a blocking connect to 127.0.0.1:PORT
 *     connect_hold fastopen PORT    the same with a blocking sendto with
 *                                   MSG_FASTOPEN (a GET): its handshake
 *                                   waits the same way
 *     connect_hold efault [PORT]    connects with a bad address pointer
 *                                   (EFAULT expected: exit 3 otherwise),
 *                                   then, with PORT, as block on the same
 *                                   socket
 *     connect_hold eintr PORT MODE  a blocking connect to PORT cut by a
 *                                   signal handler (SIGALRM, no
 *                                   SA_RESTART, after 1 s): "eintr",
 *                                   then MODE "retry" connects again
 *                                   until it is done (after SIGUSR1 to
 *                                   fullbacklog.py), "abandon" closes the
 *                                   socket
 *     connect_hold again PORT [GET] a non-blocking connect to PORT, its
 *                                   outcome awaited (poll), then a
 *                                   connect again on the same socket,
 *                                   which says it ("first: ...",
 *                                   "second: ..."); with GET, then a
 *                                   GET / read to its end; no wait
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void say(const char *what, int err)
{
	if (err)
		printf("%s: %s\n", what, strerror(err));
	else
		printf("%s\n", what);
	fflush(stdout);
}

static void on_alarm(int sig)
{
	(void)sig;
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

/* Wait to be killed (60 s at most). */
static int hold(int rc)
{
	for (int i = 0; i < 600; i++)
		usleep(100000);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 2;
	if (strcmp(argv[1], "block") == 0 && argc == 3) {
		struct sockaddr_in a = loopback(atoi(argv[2]));
		say("connecting", 0);
		int r = connect(fd, (struct sockaddr *)&a, sizeof a);
		say(r == 0 ? "connected" : "connect", r == 0 ? 0 : errno);
		return hold(0);
	}
	if (strcmp(argv[1], "fastopen") == 0 && argc == 3) {
		static const char q[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
		struct sockaddr_in a = loopback(atoi(argv[2]));
		say("connecting", 0);
		ssize_t r = sendto(fd, q, sizeof q - 1, MSG_FASTOPEN,
				   (struct sockaddr *)&a, sizeof a);
		say(r >= 0 ? "sent" : "sendto", r >= 0 ? 0 : errno);
		return hold(0);
	}
	if (strcmp(argv[1], "efault") == 0) {
		/* a page that cannot be read, and an address never mapped */
		void *none = mmap(NULL, 4096, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int r1 = connect(fd, (struct sockaddr *)none,
				 sizeof(struct sockaddr_in));
		int e1 = errno;
		int r2 = connect(fd, (struct sockaddr *)8, sizeof(struct sockaddr_in));
		int e2 = errno;
		if (r1 != -1 || e1 != EFAULT || r2 != -1 || e2 != EFAULT) {
			printf("r1 %d %s, r2 %d %s\n", r1, strerror(e1), r2,
			       strerror(e2));
			return 3;
		}
		say("efault", 0);
		if (argc == 3) {
			struct sockaddr_in a = loopback(atoi(argv[2]));
			int r = connect(fd, (struct sockaddr *)&a, sizeof a);
			say(r == 0 ? "connected" : "connect", r == 0 ? 0 : errno);
		}
		return hold(0);
	}
	if (strcmp(argv[1], "eintr") == 0 && argc == 4) {
		struct sockaddr_in a = loopback(atoi(argv[2]));
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm; /* no SA_RESTART: connect ends EINTR */
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = { { 0, 0 }, { 1, 0 } };
		setitimer(ITIMER_REAL, &it, NULL);
		int r = connect(fd, (struct sockaddr *)&a, sizeof a);
		if (r == 0 || errno != EINTR) {
			say("not interrupted", r == 0 ? 0 : errno);
			return 3;
		}
		say("eintr", 0);
		if (strcmp(argv[3], "abandon") == 0) {
			close(fd);
			say("abandoned", 0);
			return hold(0);
		}
		/* the kernel goes on connecting: each call waits again, and
		 * the one after the handshake says so (0, or EISCONN) */
		for (int i = 0; i < 600; i++) {
			r = connect(fd, (struct sockaddr *)&a, sizeof a);
			if (r == 0 || errno == EISCONN)
				break;
			if (errno != EINTR && errno != EALREADY) {
				say("retry", errno);
				return 3;
			}
			usleep(100000);
		}
		say(r == 0 ? "connected" : "isconn", 0);
		return hold(0);
	}
	if (strcmp(argv[1], "again") == 0 && argc >= 3) {
		struct sockaddr_in a = loopback(atoi(argv[2]));
		fcntl(fd, F_SETFL, O_NONBLOCK);
		int r = connect(fd, (struct sockaddr *)&a, sizeof a);
		say(r == 0 ? "first: done" : "first", r == 0 ? 0 : errno);
		struct pollfd p = { fd, POLLOUT, 0 };
		poll(&p, 1, 2000);
		r = connect(fd, (struct sockaddr *)&a, sizeof a);
		say(r == 0 ? "second: done" : "second", r == 0 ? 0 : errno);
		if (argc == 4 && r == 0) {
			static const char q[] = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
			char b[4096];
			fcntl(fd, F_SETFL, 0);
			if (write(fd, q, sizeof q - 1) != (ssize_t)(sizeof q - 1))
				return 3;
			while (read(fd, b, sizeof b) > 0)
				;
		}
		close(fd);
		return 0;
	}
	return 2;
}
