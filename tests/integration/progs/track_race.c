/*
 * track_race.c - another thread's dup2 onto the fd a connect is opening
 * (test_track_race.sh).
 *
 *     track_race PORT ROUNDS
 *
 * Each round: connect J; make socket N; the main thread connects N while
 * a second thread waits for N's handshake to be done (getpeername, a raw
 * system call: no hook) and then makes dup2(J, N), so that the dup2 lands
 * while the library's connect hook is still between the real call and
 * publishing N's new connection (review 10: the dup2's link of N to J's
 * connection was overwritten).  Then N names J's socket: GET
 * /bytes/2R-1 on N, /bytes/2R on J, close both.  Both requests went over J's connection,
 * as the server sees them; the new socket the dup2 closed carried nothing.
 *
 * Prints "round R reqN STATUS BODYLEN" per request.  Exit 2 when a call
 * failed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/syscall.h>

#include "httpc.h"

static int port;
static int fd_n, fd_j;    /* this round's (atomic) */
static unsigned go, done; /* round numbers (atomic) */

static void *dup_thread(void *arg)
{
	(void)arg;
	for (unsigned r = 1;; r++) {
		while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) < r)
			;
		if (__atomic_load_n(&fd_n, __ATOMIC_ACQUIRE) < 0)
			return NULL;
		int n = fd_n, j = fd_j;
		struct sockaddr_storage ss;
		socklen_t sl;
		do
			sl = sizeof ss;
		while (syscall(SYS_getpeername, n, &ss, &sl) != 0);
		if (dup2(j, n) != n)
			die("dup2");
		__atomic_store_n(&done, r, __ATOMIC_RELEASE);
	}
}

static void get(int fd, unsigned round, int n, unsigned how)
{
	char path[32];
	long body = 0;
	snprintf(path, sizeof path, "/bytes/%d", n);
	int status = http_get(fd, path, &body, how);
	printf("round %u req%d %d %ld\n", round, n, status, body);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	port = atoi(argv[1]);
	unsigned rounds = (unsigned)atoi(argv[2]);
	pthread_t th;
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (pthread_create(&th, NULL, dup_thread, NULL) != 0)
		return 2;
	for (unsigned r = 1; r <= rounds; r++) {
		int j = http_connect(port);
		int n = socket(AF_INET, SOCK_STREAM, 0);
		if (n < 0)
			die("socket");
		__atomic_store_n(&fd_j, j, __ATOMIC_RELEASE);
		__atomic_store_n(&fd_n, n, __ATOMIC_RELEASE);
		__atomic_store_n(&go, r, __ATOMIC_RELEASE);
		/* the dup2 may replace N's socket before the call ends: the
		 * call still connects the socket it began with */
		if (connect(n, (struct sockaddr *)&sa, sizeof sa) != 0)
			die("connect");
		while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) < r)
			;
		get(n, r, (int)(2 * r - 1), r);
		get(j, r, (int)(2 * r), r + 1);
		close(n);
		close(j);
	}
	__atomic_store_n(&fd_n, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&go, rounds + 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	fflush(stdout);
	return 0;
}
