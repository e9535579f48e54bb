/*
 * gnutls_get.c - an HTTPS GET with GnuTLS on a blocking socket: the
 * server name set with gnutls_server_name_set(), the handshake one
 * blocking gnutls_handshake() call (a server that never answers holds the
 * program inside it).  The server's certificate is not checked (a test's
 * own).
 *
 *   gnutls_get ADDR PORT NAME PATH
 *
 * Prints the response's status line.
 */
#include "gnutls_client.h"

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gnutls_get ADDR PORT NAME PATH\n");
		return 2;
	}
	int sock = dial(argv[1], atoi(argv[2]));
	gnutls_certificate_credentials_t cred = tls_client_init();
	gnutls_session_t sess = tls_client_session(cred);
	int e = gnutls_server_name_set(sess, GNUTLS_NAME_DNS, argv[3],
				       strlen(argv[3]));
	if (e < 0)
		die("gnutls_server_name_set", e);
	gnutls_transport_set_int(sess, sock);
	tls_handshake(sess);
	char req[512];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n"
			 "Connection: close\r\n\r\n", argv[4], argv[3], argv[2]);
	if (gnutls_record_send(sess, req, (size_t)n) != n)
		die("gnutls_record_send", 0);
	char buf[4096];
	ssize_t r;
	do
		r = gnutls_record_recv(sess, buf, sizeof buf - 1);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	if (r < 0)
		die("gnutls_record_recv", (int)r);
	buf[r] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("%s\n", buf);
	gnutls_bye(sess, GNUTLS_SHUT_WR);
	close(sock);
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
