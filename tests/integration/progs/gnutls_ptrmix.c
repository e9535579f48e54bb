/*
 * gnutls_ptrmix.c - review of trustb (20844bd): a GnuTLS session with its
 * own transport functions (push/pull on its socket, a global) whose
 * transport pointer is a small integer that happens to be another
 * connection's fd (a program's own handle: an index, an id).  First a plain
 * GET on connection A; FILL sessions tied to an idle connection fill the
 * library's TLS session map; then 3 keep-alive GETs over TLS, each
 * response read 100 bytes per gnutls_record_recv() (most calls read no
 * socket); then a second plain GET on A.
 *
 *   gnutls_ptrmix ADDR PLAIN_PORT TLS_PORT FILL
 *
 * Prints "ok" when the 5 responses were read whole.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int tls_sock = -1;

static void die(const char *what, int e)
{
	fprintf(stderr, "gnutls_ptrmix: %s: %s\n", what, gnutls_strerror(e));
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

static ssize_t push(gnutls_transport_ptr_t p, const void *b, size_t n)
{
	(void)p;
	return send(tls_sock, b, n, 0);
}

static ssize_t pull(gnutls_transport_ptr_t p, void *b, size_t n)
{
	(void)p;
	return recv(tls_sock, b, n, 0);
}

/* Read one response whose head has Content-Length, by @rd, @chunk bytes a
 * call. */
static void read_resp(ssize_t (*rd)(void *, void *, size_t), void *h,
		      size_t chunk)
{
	static char buf[1 << 16];
	size_t got = 0, need = (size_t)-1;
	while (got < need) {
		size_t room = sizeof buf - 1 - got;
		ssize_t r = rd(h, buf + got, room < chunk ? room : chunk);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r <= 0)
			die("read", (int)r);
		got += (size_t)r;
		buf[got] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		char *cl = strcasestr(buf, "content-length:");
		if (end && cl)
			need = (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10);
	}
}

static ssize_t rd_plain(void *h, void *b, size_t n)
{
	return read((int)(intptr_t)h, b, n);
}

static ssize_t rd_tls(void *h, void *b, size_t n)
{
	return gnutls_record_recv((gnutls_session_t)h, b, n);
}

static void plain_get(int a, const char *path)
{
	char req[256];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	if (write(a, req, (size_t)n) != n)
		die("write", 0);
	read_resp(rd_plain, (void *)(intptr_t)a, 4096);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gnutls_ptrmix ADDR PLAIN_PORT TLS_PORT FILL\n");
		return 2;
	}
	long fill = atol(argv[4]);
	int e;
	int a = dial(argv[1], atoi(argv[2]));
	plain_get(a, "/f/100");
	if ((e = gnutls_global_init()) < 0)
		die("gnutls_global_init", e);
	gnutls_certificate_credentials_t cred;
	gnutls_certificate_allocate_credentials(&cred);
	if (fill > 0) {
		int idle = dial(argv[1], atoi(argv[2]));
		for (long i = 0; i < fill; i++) {
			gnutls_session_t s;
			if ((e = gnutls_init(&s, GNUTLS_CLIENT)) < 0)
				die("gnutls_init", e);
			gnutls_transport_set_int(s, idle);
		}
	}
	tls_sock = dial(argv[1], atoi(argv[3]));
	gnutls_session_t sess;
	if ((e = gnutls_init(&sess, GNUTLS_CLIENT)) < 0)
		die("gnutls_init", e);
	gnutls_set_default_priority(sess);
	gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, cred);
	/* the program's own handle: a small integer, A's fd by chance */
	gnutls_transport_set_ptr(sess, (gnutls_transport_ptr_t)(intptr_t)a);
	gnutls_transport_set_push_function(sess, push);
	gnutls_transport_set_pull_function(sess, pull);
	do
		e = gnutls_handshake(sess);
	while (e < 0 && !gnutls_error_is_fatal(e));
	if (e < 0)
		die("gnutls_handshake", e);
	for (int i = 0; i < 3; i++) {
		const char req[] = "GET /f/10000 HTTP/1.1\r\nHost: x\r\n\r\n";
		if (gnutls_record_send(sess, req, sizeof req - 1) != sizeof req - 1)
			die("gnutls_record_send", 0);
		read_resp(rd_tls, sess, 100);
	}
	plain_get(a, "/f/1000");
	printf("ok\n");
	gnutls_bye(sess, GNUTLS_SHUT_WR);
	close(tls_sock);
	close(a);
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
