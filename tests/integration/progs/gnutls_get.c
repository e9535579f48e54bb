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
	fprintf(stderr, "gnutls_get: %s: %s\n", what, gnutls_strerror(e));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gnutls_get ADDR PORT NAME PATH\n");
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	int sock = socket(AF_INET, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("connect");
		return 1;
	}
	gnutls_certificate_credentials_t cred;
	gnutls_session_t sess;
	int e;
	if ((e = gnutls_global_init()) < 0)
		die("gnutls_global_init", e);
	gnutls_certificate_allocate_credentials(&cred);
	if ((e = gnutls_init(&sess, GNUTLS_CLIENT)) < 0)
		die("gnutls_init", e);
	gnutls_set_default_priority(sess);
	gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, cred);
	if ((e = gnutls_server_name_set(sess, GNUTLS_NAME_DNS, argv[3],
					strlen(argv[3]))) < 0)
		die("gnutls_server_name_set", e);
	gnutls_transport_set_int(sess, sock);
	do
		e = gnutls_handshake(sess);
	while (e < 0 && !gnutls_error_is_fatal(e));
	if (e < 0)
		die("gnutls_handshake", e);
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
