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
#include "gnutls_client.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gnutls_chunks ADDR PORT FILL\n");
		return 2;
	}
	int port = atoi(argv[2]);
	gnutls_certificate_credentials_t cred = tls_client_init();
	tls_fill_sessions(argv[1], port, atol(argv[3]));
	int sock = dial(argv[1], port);
	gnutls_session_t sess = tls_client_session(cred);
	gnutls_transport_set_int(sess, sock);
	tls_handshake(sess);
	for (int i = 0; i < 3; i++) {
		tls_send(sess, "GET /bytes/5000 HTTP/1.1\r\nHost: x\r\n\r\n");
		read_resp(rd_tls, sess, 100, "gnutls_record_recv");
	}
	printf("ok\n");
	gnutls_bye(sess, GNUTLS_SHUT_WR);
	close(sock);
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
