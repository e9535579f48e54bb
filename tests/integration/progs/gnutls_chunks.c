/*
 * gnutls_chunks.c - GnuTLS calls that read no socket: 3 keep-alive GETs of
 * /bytes/5000 on one session, each response read 100 bytes per
 * gnutls_record_recv(), so most calls return plaintext GnuTLS had
 * buffered from a record read before.  Before it, FILL sessions are tied
 * to an idle connection (gnutls_transport_set_int, never used, never
 * freed: each one an entry of the library's TLS session map), to fill it.
 * The server's certificate is not checked (a test's own).
 *
 *   gnutls_chunks ADDR PORT FILL
 *
 * Prints "ok" when the 3 responses were read whole.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what, int e)
{
	fprintf(stderr, "gnutls_chunks: %s: %s\n", what, gnutls_strerror(e));
	exit(1);
}

static int dial(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gnutls_chunks ADDR PORT FILL\n");
		return 2;
	}
	int port = atoi(argv[2]);
	long fill = atol(argv[3]);
	int e;
	if ((e = gnutls_global_init()) < 0)
		die("gnutls_global_init", e);
	gnutls_certificate_credentials_t cred;
	gnutls_certificate_allocate_credentials(&cred);
	if (fill > 0) {
		int idle = dial(argv[1], port);
		for (long i = 0; i < fill; i++) {
			gnutls_session_t s;
			if ((e = gnutls_init(&s, GNUTLS_CLIENT)) < 0)
				die("gnutls_init", e);
			gnutls_transport_set_int(s, idle);
		}
	}
	int sock = dial(argv[1], port);
	gnutls_session_t sess;
	if ((e = gnutls_init(&sess, GNUTLS_CLIENT)) < 0)
		die("gnutls_init", e);
	gnutls_set_default_priority(sess);
	gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(sess, sock);
	do
		e = gnutls_handshake(sess);
	while (e < 0 && !gnutls_error_is_fatal(e));
	if (e < 0)
		die("gnutls_handshake", e);
	for (int i = 0; i < 3; i++) {
		const char req[] = "GET /bytes/5000 HTTP/1.1\r\nHost: x\r\n\r\n";
		if (gnutls_record_send(sess, req, sizeof req - 1) != sizeof req - 1)
			die("gnutls_record_send", 0);
		static char buf[1 << 16];
		size_t got = 0, need = (size_t)-1;
		while (got < need) {
			size_t room = sizeof buf - 1 - got;
			ssize_t r = gnutls_record_recv(sess, buf + got,
						       room < 100 ? room : 100);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				continue;
			if (r <= 0)
				die("gnutls_record_recv", (int)r);
			got += (size_t)r;
			buf[got] = '\0';
			char *end = strstr(buf, "\r\n\r\n");
			char *cl = strcasestr(buf, "content-length:");
			if (end && cl)
				need = (size_t)(end + 4 - buf) +
				       strtoul(cl + 15, NULL, 10);
		}
	}
	printf("ok\n");
	gnutls_bye(sess, GNUTLS_SHUT_WR);
	close(sock);
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
