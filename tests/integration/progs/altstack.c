/*
 * altstack.c - an HTTP request made from a signal handler that runs on an
 * alternate signal stack (sigaltstack), as a program's crash reporter or
 * watchdog might: how deep do the library's hooks go on that stack?
 *
 *   altstack PORT
 *
 * Connects to 127.0.0.1:PORT, then raises SIGUSR1; the handler, on a
 * painted 64 KiB alternate stack, writes a GET for /bytes/100 and reads the
 * whole response with raw read()/write() (async-signal-safe) and small
 * buffers.  Prints the status line's code and the bytes read on standard
 * output, and "altstack-peak BYTES" (the deepest the handler's stack went)
 * on standard error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define ALT_SIZE 65536
#define PAINT 0x5a

static int fd;
static char resp[4096];
static ssize_t got;

static void handler(int sig)
{
	static const char req[] =
		"GET /bytes/100 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n\r\n";
	(void)sig;
	if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
		return;
	for (;;) {
		ssize_t r = read(fd, resp + got, sizeof resp - 1 - (size_t)got);
		if (r <= 0)
			break;
		got += r;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: altstack PORT\n");
		return 2;
	}
	unsigned char *alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (alt == MAP_FAILED)
		return 2;
	memset(alt, PAINT, ALT_SIZE);
	stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGUSR1, &sa, NULL) != 0)
		return 2;

	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("connect");
		return 2;
	}
	raise(SIGUSR1);
	close(fd);

	char *body = strstr(resp, "\r\n\r\n");
	printf("%.3s %zd\n", got > 12 ? resp + 9 : "---",
	       body ? got - (body + 4 - resp) : (ssize_t)-1);
	size_t low = 0;
	while (low < ALT_SIZE && alt[low] == PAINT)
		low++;
	fprintf(stderr, "altstack-peak %zu\n", (size_t)ALT_SIZE - low);
	return 0;
}
