/*
 * gnutls_nested.c - an HTTPS GET whose request is written from inside
 * another GnuTLS call on the same session: the transport's pull callback,
 * which gnutls_record_recv() runs, sends it with gnutls_record_send() (as
 * Node.js writes from inside SSL_read).  The server's certificate is not
 * checked (a test's own).
 *
 *   gnutls_nested ADDR PORT PATH
 *
 * Prints the response's status line and how many bytes came in all.
 */
#include "gnutls_client.h"

static gnutls_session_t sess;
static int sock;
static char req[512];
static int armed;

/* Reads the socket; the first time after the handshake, writes the
 * request through the session first, from inside gnutls_record_recv(). */
static ssize_t pull(gnutls_transport_ptr_t p, void *buf, size_t n)
{
	(void)p;
	if (armed) {
		armed = 0;
		size_t len = strlen(req), off = 0;
		while (off < len) {
			ssize_t w = gnutls_record_send(sess, req + off, len - off);
			if (w < 0)
				die("gnutls_record_send", (int)w);
			off += (size_t)w;
		}
	}
	return recv(sock, buf, n, 0);
}

static ssize_t push(gnutls_transport_ptr_t p, const void *buf, size_t n)
{
	(void)p;
	return send(sock, buf, n, 0);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gnutls_nested ADDR PORT PATH\n");
		return 2;
	}
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n"
		 "Connection: close\r\n\r\n", argv[3], argv[1], argv[2]);
	sock = dial(argv[1], atoi(argv[2]));
	gnutls_certificate_credentials_t cred = tls_client_init();
	sess = tls_client_session(cred);
	gnutls_transport_set_int(sess, sock);
	gnutls_transport_set_pull_function(sess, pull);
	gnutls_transport_set_push_function(sess, push);
	tls_handshake(sess);
	armed = 1;
	char buf[4096], status[128] = "";
	size_t total = 0;
	for (;;) {
		ssize_t r = gnutls_record_recv(sess, buf, sizeof buf);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r == 0 || r == GNUTLS_E_PREMATURE_TERMINATION)
			break;
		if (r < 0)
			die("gnutls_record_recv", (int)r);
		if (total == 0) {
			size_t i = 0;
			while (i < (size_t)r && i < sizeof status - 1 &&
			       buf[i] != '\r')
				i++;
			memcpy(status, buf, i);
			status[i] = '\0';
		}
		total += (size_t)r;
	}
	printf("%s\n%zu\n", status, total);
	gnutls_bye(sess, GNUTLS_SHUT_WR);
	close(sock);
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
