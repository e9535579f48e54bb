/*
 * hook_openssl.c - OpenSSL's SSL_* calls: the plaintext of HTTPS
 * connections and the TLS handshake's timing, version and ALPN.
 *
 * The real functions are looked up in the libssl that is actually loaded,
 * also when the program dlopen'ed it RTLD_LOCAL (python's _ssl module), where
 * dlsym(RTLD_NEXT) finds nothing.  A function that cannot be found is never
 * called: the hook fails the way libssl reports a failure.
 *
 * Only the SSL* pointer is used: no OpenSSL header is needed and no
 * structure is read.
 */
#include <errno.h>
#include <string.h>

#include "ossl.h"
#include "tls.h"
#include "tlshello.h"

#define LIBSSL "libssl.so"
#define SSL_ERROR_SSL 1
#define SSL_ERROR_SYSCALL 5
#define SSL_ERROR_ZERO_RETURN 6

/* Real functions of the shared libssl, resolved on first use. */
static void *r_connect, *r_accept, *r_do_handshake, *r_read, *r_read_ex, *r_peek,
	*r_peek_ex, *r_write, *r_write_ex, *r_shutdown, *r_free, *r_set_fd,
	*r_set_rfd, *r_set_wfd;

/* The shared libssl's helpers, resolved on first use. */
static ht_ossl dyn_api;

#define REAL(slot, name, self) ht_tls_sym_cached(&(slot), LIBSSL, name, (const void *)(self))

/* A helper of @api: fixed at hook time (inline hooks), else looked up in
 * the loaded libssl on first use. */
static void *helper(ht_ossl *api, void **slot, const char *name)
{
	if (api->fixed)
		return *slot;
	return ht_tls_sym_cached(slot, LIBSSL, name, NULL);
}

#define HELPER(api, field, name) helper((api), &(api)->field, name)

/* Whether the library says the handshake of @s is complete. */
static bool init_finished(ht_ossl *api, SSL *s)
{
	int (*fn)(const SSL *) = HELPER(api, is_init_finished, "SSL_is_init_finished");
	return fn && fn(s) == 1;
}

/* The fd of @s, once a call on it is over.  Falls back to SSL_get_fd()
 * when no socket call was seen and nothing is remembered. */
static int session_fd(ht_ossl *api, SSL *s)
{
	int fd = ht_tls_end(s, -1);
	if (fd >= 0)
		return fd;
	int (*get_fd)(const SSL *) = HELPER(api, get_fd, "SSL_get_fd");
	if (!get_fd)
		return -1;
	fd = get_fd(s);
	if (fd < 0 || !ht_fd_followed(fd))
		return -1;
	ht_tls_bind(s, fd);
	return fd;
}

/* Whether @s is a server's session: 1 yes, 0 no, -1 the library cannot
 * say. */
static int server_of(ht_ossl *api, SSL *s)
{
	int (*fn)(const SSL *) = HELPER(api, is_server, "SSL_is_server");
	return fn ? fn(s) == 1 : -1;
}

/* @s, a client's session, has no socket yet (memory BIOs) and is in its
 * handshake: its ClientHello random, for whichever thread writes that
 * ClientHello.  (Not a server's session: it holds its peer's random, which
 * the client session of the same process, a test talking to itself, may
 * be waiting with.) */
static void orphan_hello(ht_ossl *api, SSL *s)
{
	if (api->fixed || init_finished(api, s))
		return;
	size_t (*fn)(const SSL *, unsigned char *, size_t) =
		HELPER(api, get_client_random, "SSL_get_client_random");
	unsigned char random[TLSHELLO_RANDOM_LEN];
	if (fn && fn(s, random, sizeof random) == sizeof random)
		ht_tls_orphan_hello(s, random);
}

/* @s, a server's session, has no socket yet (memory BIOs): once it holds
 * its client's random, the accepted connection whose ClientHello carried
 * it is its socket (tls.h).  Returns the fd, or -1. */
static int server_session(ht_ossl *api, SSL *s)
{
	size_t (*fn)(const SSL *, unsigned char *, size_t) =
		HELPER(api, get_client_random, "SSL_get_client_random");
	unsigned char random[TLSHELLO_RANDOM_LEN];
	bool known = fn && fn(s, random, sizeof random) == sizeof random;
	return ht_tls_server_session(s, known ? random : NULL);
}

/* @s, on @fd's connection, took plaintext that @r > 0 says was written:
 * the ciphertext its library has made in all, for a session that writes
 * into memory (the program moves the ciphertext: its socket owes it,
 * conn_tls_made()).  Nothing for a session that writes to its socket
 * (@sock: a call on its socket @fd inside this TLS call proved it,
 * ht_tls_call.fd as the real call left it, read before after_call(),
 * whose ht_tls_end() clears it) or when the library cannot say. */
static void session_made(ht_ossl *api, SSL *s, int fd, int r, bool sock)
{
	if (fd < 0 || r <= 0 || sock)
		return;
	void *(*wbio)(const SSL *) = HELPER(api, get_wbio, "SSL_get_wbio");
	uint64_t (*written)(void *) =
		HELPER(api, bio_written, "BIO_number_written");
	void *b = wbio ? wbio(s) : NULL;
	if (b && written)
		ht_tls_made(fd, written(b));
}

/* After any call on @s begun at @t0: learn its fd and the handshake's
 * progress.  Returns the fd, or -1 when the connection is not tracked. */
static int after_call(ht_ossl *api, SSL *s, uint64_t t0)
{
	int fd = session_fd(api, s);
	if (fd < 0) {
		int server = server_of(api, s);
		if (server == 1)
			fd = server_session(api, s);
		else if (server == 0)
			orphan_hello(api, s);
	}
	if (fd < 0 || !ht_tls_handshake_needed(fd))
		return fd;
	ht_tls_handshake_started(fd, t0);
	if (init_finished(api, s)) {
		const char *(*ver)(const SSL *) =
			HELPER(api, get_version, "SSL_get_version");
		void (*alpn)(const SSL *, const unsigned char **, unsigned *) =
			HELPER(api, get0_alpn_selected, "SSL_get0_alpn_selected");
		const unsigned char *a = NULL;
		unsigned alen = 0;
		if (alpn)
			alpn(s, &a, &alen);
		ht_tls_handshake_done(fd, ht_now(), ver ? ver(s) : NULL,
				      (const char *)a, alen);
	}
	return fd;
}

/* SSL_get_error(@s, @r), or 0 when the library has none. */
static int get_error(ht_ossl *api, SSL *s, int r)
{
	int (*fn)(const SSL *, int) = HELPER(api, get_error, "SSL_get_error");
	return fn ? fn(s, r) : 0;
}

/* Whether a read that returned @r <= 0 means the plaintext stream ended
 * (close_notify, or the transport closed or failed under it). */
static bool read_ended(ht_ossl *api, SSL *s, int r)
{
	int e = get_error(api, s, r);
	return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
	       e == SSL_ERROR_SSL;
}

/* Whether a handshake call that returned @r <= 0 failed for good (rather
 * than waiting for the socket). */
static bool handshake_failed(ht_ossl *api, SSL *s, int r)
{
	int e = get_error(api, s, r);
	return e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL ||
	       e == SSL_ERROR_ZERO_RETURN;
}

/* ---- the bodies: @fn is the real function (a trampoline for the inline
 * hooks); each has the shape tls.h describes ------------------------------- */

int ht_ossl_handshake(ht_ossl *api, void *slot_fn, SSL *s)
{
	int (*fn)(SSL *) = slot_fn;
	if (!ht_tls_follow(s))
		return fn(s);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s);
	int err = errno;
	int fd = after_call(api, s, f.t0);
	if (r <= 0 && fd >= 0 && handshake_failed(api, s, r))
		ht_tls_handshake_failed(fd, ht_now());
	ht_tls_close(&f, fd, false, NULL, 0, false);
	errno = err;
	return r;
}

/* Whether a read that returned @r and @n bytes on @fd ended the plaintext
 * stream; the library is asked only when that matters: not when the call's
 * last read on its own socket would block (ht_tls_call.blocked), the usual
 * end of a server's read (SSL_ERROR_WANT_READ; SSL_get_error() costs more
 * than the rest of the hook).  @wants: the call's return can say it
 * wants more (SSL_read's r < 0; since OpenSSL 1.1.0 its 0 is always the
 * stream's end or a failure, asked); SSL_read_ex's 0 says either. */
static bool read_done_ended(ht_ossl *api, SSL *s, int fd, size_t n, int r,
			    bool wants)
{
	return fd >= 0 && n == 0 && !(wants && ht_tls_call.blocked) &&
	       read_ended(api, s, r);
}

int ht_ossl_read(ht_ossl *api, void *slot_fn, SSL *s, void *buf, int num)
{
	int (*fn)(SSL *, void *, int) = slot_fn;
	if (!ht_tls_follow(s))
		return fn(s, buf, num);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, buf, num);
	int err = errno;
	int fd = after_call(api, s, f.t0);
	size_t n = r > 0 ? (size_t)r : 0;
	ht_tls_close(&f, fd, false, buf, n,
		     read_done_ended(api, s, fd, n, r, r < 0));
	errno = err;
	return r;
}

int ht_ossl_read_ex(ht_ossl *api, void *slot_fn, SSL *s, void *buf, size_t num,
		    size_t *readbytes)
{
	int (*fn)(SSL *, void *, size_t, size_t *) = slot_fn;
	if (!ht_tls_follow(s))
		return fn(s, buf, num, readbytes);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, buf, num, readbytes);
	int err = errno;
	int fd = after_call(api, s, f.t0);
	size_t n = (r == 1 && readbytes) ? *readbytes : 0;
	ht_tls_close(&f, fd, false, buf, n,
		     read_done_ended(api, s, fd, n, r, true));
	errno = err;
	return r;
}

/* Peeked bytes are read again later: only the fd and handshake matter. */
static int peek_call(void *slot_fn, SSL *s, void *buf, int num)
{
	int (*fn)(SSL *, void *, int) = slot_fn;
	if (!ht_tls_follow(s))
		return fn(s, buf, num);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, buf, num);
	int err = errno;
	int fd = after_call(&dyn_api, s, f.t0);
	ht_tls_close(&f, fd, false, NULL, 0, false);
	errno = err;
	return r;
}

int ht_ossl_write(ht_ossl *api, void *slot_fn, SSL *s, const void *buf, int num)
{
	int (*fn)(SSL *, const void *, int) = slot_fn;
	if (!ht_tls_follow(s))
		return fn(s, buf, num);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, buf, num);
	int err = errno;
	int seen = ht_tls_call.fd;
	int fd = after_call(api, s, f.t0);
	session_made(api, s, fd, r, seen >= 0 && seen == fd);
	ht_tls_close(&f, fd, true, buf, r > 0 ? (size_t)r : 0, false);
	errno = err;
	return r;
}

int ht_ossl_write_ex(ht_ossl *api, void *slot_fn, SSL *s, const void *buf,
		     size_t num, size_t *written)
{
	int (*fn)(SSL *, const void *, size_t, size_t *) = slot_fn;
	if (!ht_tls_follow(s))
		return fn(s, buf, num, written);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, buf, num, written);
	int err = errno;
	int seen = ht_tls_call.fd;
	int fd = after_call(api, s, f.t0);
	session_made(api, s, fd, r, seen >= 0 && seen == fd);
	ht_tls_close(&f, fd, true, buf, (r == 1 && written) ? *written : 0,
		     false);
	errno = err;
	return r;
}

int ht_ossl_shutdown(ht_ossl *api, void *slot_fn, SSL *s)
{
	int (*fn)(SSL *) = slot_fn;
	(void)api;
	if (!ht_tls_follow(s))
		return fn(s);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s);
	int err = errno;
	ht_tls_end(s, -1);
	ht_tls_close(&f, -1, false, NULL, 0, false);
	errno = err;
	return r;
}

void ht_ossl_free(ht_ossl *api, void *slot_fn, SSL *s)
{
	void (*fn)(SSL *) = slot_fn;
	(void)api;
	HT_ENSURE_INIT();
	if (s && ht_enabled) {
		int saved = errno;
		ht_tls_forget(s);
		errno = saved;
	}
	if (fn)
		fn(s);
}

/* ---- the exported hooks, for a shared libssl ------------------------------ */

HT_EXPORT int SSL_connect(SSL *s)
{
	void *fn = REAL(r_connect, "SSL_connect", SSL_connect);
	return fn ? ht_ossl_handshake(&dyn_api, fn, s) : -1;
}

/* A server's handshake: its session's socket is an accepted connection,
 * and the handshake's moments are the server's (conn_server.h). */
HT_EXPORT int SSL_accept(SSL *s)
{
	void *fn = REAL(r_accept, "SSL_accept", SSL_accept);
	return fn ? ht_ossl_handshake(&dyn_api, fn, s) : -1;
}

HT_EXPORT int SSL_do_handshake(SSL *s)
{
	void *fn = REAL(r_do_handshake, "SSL_do_handshake", SSL_do_handshake);
	return fn ? ht_ossl_handshake(&dyn_api, fn, s) : -1;
}

HT_EXPORT int SSL_read(SSL *s, void *buf, int num)
{
	void *fn = REAL(r_read, "SSL_read", SSL_read);
	return fn ? ht_ossl_read(&dyn_api, fn, s, buf, num) : -1;
}

HT_EXPORT int SSL_read_ex(SSL *s, void *buf, size_t num, size_t *readbytes)
{
	void *fn = REAL(r_read_ex, "SSL_read_ex", SSL_read_ex);
	return fn ? ht_ossl_read_ex(&dyn_api, fn, s, buf, num, readbytes) : 0;
}

HT_EXPORT int SSL_peek(SSL *s, void *buf, int num)
{
	void *fn = REAL(r_peek, "SSL_peek", SSL_peek);
	return fn ? peek_call(fn, s, buf, num) : -1;
}

HT_EXPORT int SSL_peek_ex(SSL *s, void *buf, size_t num, size_t *readbytes)
{
	int (*fn)(SSL *, void *, size_t, size_t *) =
		REAL(r_peek_ex, "SSL_peek_ex", SSL_peek_ex);
	if (!fn)
		return 0;
	if (!ht_tls_follow(s))
		return fn(s, buf, num, readbytes);
	/* as peek_call() */
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, buf, num, readbytes);
	int err = errno;
	int fd = after_call(&dyn_api, s, f.t0);
	ht_tls_close(&f, fd, false, NULL, 0, false);
	errno = err;
	return r;
}

HT_EXPORT int SSL_write(SSL *s, const void *buf, int num)
{
	void *fn = REAL(r_write, "SSL_write", SSL_write);
	return fn ? ht_ossl_write(&dyn_api, fn, s, buf, num) : -1;
}

HT_EXPORT int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written)
{
	void *fn = REAL(r_write_ex, "SSL_write_ex", SSL_write_ex);
	return fn ? ht_ossl_write_ex(&dyn_api, fn, s, buf, num, written) : 0;
}

HT_EXPORT int SSL_shutdown(SSL *s)
{
	void *fn = REAL(r_shutdown, "SSL_shutdown", SSL_shutdown);
	return fn ? ht_ossl_shutdown(&dyn_api, fn, s) : -1;
}

HT_EXPORT void SSL_free(SSL *s)
{
	ht_ossl_free(&dyn_api, REAL(r_free, "SSL_free", SSL_free), s);
}

/* The program names the socket: remember it. */
static int set_fd_call(void *slot_fn, SSL *s, int fd)
{
	int (*fn)(SSL *, int) = slot_fn;
	int r = fn(s, fd);
	HT_ENSURE_INIT();
	if (r == 1 && ht_enabled && ht_fd_followed(fd)) {
		int saved = errno;
		ht_tls_bind(s, fd);
		errno = saved;
	}
	return r;
}

HT_EXPORT int SSL_set_fd(SSL *s, int fd)
{
	void *fn = REAL(r_set_fd, "SSL_set_fd", SSL_set_fd);
	return fn ? set_fd_call(fn, s, fd) : 0;
}

HT_EXPORT int SSL_set_rfd(SSL *s, int fd)
{
	void *fn = REAL(r_set_rfd, "SSL_set_rfd", SSL_set_rfd);
	return fn ? set_fd_call(fn, s, fd) : 0;
}

HT_EXPORT int SSL_set_wfd(SSL *s, int fd)
{
	void *fn = REAL(r_set_wfd, "SSL_set_wfd", SSL_set_wfd);
	return fn ? set_fd_call(fn, s, fd) : 0;
}
