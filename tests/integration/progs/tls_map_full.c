/* tls_map_full.c - fills the library's TLS session map, then makes
 * requests with a session whose socket only the map could tell.
 * Usage: tls_map_full HOST PORT N
 * Connects once and ties N sessions to that socket (SSL_set_fd, never
 * used, never freed: each one an entry of the map), then connects again
 * and runs a client session with memory BIOs (the program moves its
 * ciphertext itself, as Python asyncio does): 3 GET /bytes/100 on it.
 * Prints "ok" when all 3 were answered.  The certificate is not checked
 * (a test server's). */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

static int dial(const char *host, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

/* Write what the session made to the socket. */
static void flush(BIO *wbio, int fd)
{
	char buf[16384];
	int n;
	while ((n = BIO_read(wbio, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			perror("write");
			exit(1);
		}
}

/* Read once from the socket into the session. */
static void fill(BIO *rbio, int fd)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n <= 0) {
		fprintf(stderr, "read: end of stream\n");
		exit(1);
	}
	BIO_write(rbio, buf, (int)n);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	int port = atoi(argv[2]);
	long n = atol(argv[3]);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int idle = dial(argv[1], port);
	for (long i = 0; i < n; i++) {
		SSL *s = SSL_new(ctx);
		if (!s || SSL_set_fd(s, idle) != 1) {
			fprintf(stderr, "session %ld\n", i);
			return 1;
		}
	}
	int fd = dial(argv[1], port);
	SSL *s = SSL_new(ctx);
	BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
	SSL_set_bio(s, rbio, wbio);
	SSL_set_connect_state(s);
	int r;
	while ((r = SSL_do_handshake(s)) != 1) {
		flush(wbio, fd);
		if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
			fprintf(stderr, "handshake failed\n");
			return 1;
		}
		fill(rbio, fd);
	}
	flush(wbio, fd);
	for (int i = 0; i < 3; i++) {
		const char req[] = "GET /bytes/100 HTTP/1.1\r\nHost: x\r\n\r\n";
		SSL_write(s, req, sizeof req - 1);
		flush(wbio, fd);
		static char buf[1 << 16];
		size_t got = 0, need = (size_t)-1;
		while (got < need) {
			r = SSL_read(s, buf + got, (int)(sizeof buf - 1 - got));
			if (r <= 0) {
				flush(wbio, fd);
				fill(rbio, fd);
				continue;
			}
			got += (size_t)r;
			buf[got] = '\0';
			char *end = strstr(buf, "\r\n\r\n");
			char *cl = strcasestr(buf, "content-length:");
			if (end && cl)
				need = (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10);
		}
	}
	printf("ok\n");
	return 0;
}
