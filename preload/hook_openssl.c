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

#include "tls.h"

typedef struct ssl_st SSL;

#define LIBSSL "libssl.so"
#define SSL_ERROR_SSL 1
#define SSL_ERROR_SYSCALL 5
#define SSL_ERROR_ZERO_RETURN 6

/* Real functions, resolved on first use. */
static void *r_connect, *r_do_handshake, *r_read, *r_read_ex, *r_peek,
	*r_peek_ex, *r_write, *r_write_ex, *r_shutdown, *r_free, *r_set_fd,
	*r_set_rfd, *r_set_wfd;
static void *r_is_init_finished, *r_get_version, *r_get0_alpn_selected,
	*r_get_error, *r_get_fd;

#define REAL(slot, name, self) ht_tls_sym_cached(&(slot), LIBSSL, name, (const void *)(self))
#define HELPER(slot, name) ht_tls_sym_cached(&(slot), LIBSSL, name, NULL)

/* Whether the library says the handshake of @s is complete. */
static bool init_finished(SSL *s)
{
	int (*fn)(const SSL *) = HELPER(r_is_init_finished, "SSL_is_init_finished");
	return fn && fn(s) == 1;
}

/* The fd of @s, once a call on it is over.  Falls back to SSL_get_fd()
 * when no socket call was seen and nothing is remembered. */
static int session_fd(SSL *s)
{
	int fd = ht_tls_end(s, -1);
	if (fd >= 0)
		return fd;
	int (*get_fd)(const SSL *) = HELPER(r_get_fd, "SSL_get_fd");
	if (!get_fd)
		return -1;
	fd = get_fd(s);
	if (fd < 0 || !ht_slot_peek(fd))
		return -1;
	ht_tls_bind(s, fd);
	return fd;
}

/* After any call on @s begun at @t0: learn its fd and the handshake's
 * progress.  Returns the fd, or -1 when the connection is not tracked. */
static int after_call(SSL *s, uint64_t t0)
{
	int fd = session_fd(s);
	if (fd < 0 || !ht_tls_handshake_needed(fd))
		return fd;
	ht_tls_handshake_started(fd, t0);
	if (init_finished(s)) {
		const char *(*ver)(const SSL *) = HELPER(r_get_version, "SSL_get_version");
		void (*alpn)(const SSL *, const unsigned char **, unsigned *) =
			HELPER(r_get0_alpn_selected, "SSL_get0_alpn_selected");
		const unsigned char *a = NULL;
		unsigned alen = 0;
		if (alpn)
			alpn(s, &a, &alen);
		ht_tls_handshake_done(fd, ht_now(), ver ? ver(s) : NULL,
				      (const char *)a, alen);
	}
	return fd;
}

/* Whether a read that returned @r <= 0 means the plaintext stream ended
 * (close_notify, or the transport closed or failed under it). */
static bool read_ended(SSL *s, int r)
{
	int (*get_error)(const SSL *, int) = HELPER(r_get_error, "SSL_get_error");
	if (!get_error)
		return false;
	int e = get_error(s, r);
	return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
	       e == SSL_ERROR_SSL;
}

/* Whether a handshake call that returned @r <= 0 failed for good (rather
 * than waiting for the socket). */
static bool handshake_failed(SSL *s, int r)
{
	int (*get_error)(const SSL *, int) = HELPER(r_get_error, "SSL_get_error");
	if (!get_error)
		return false;
	int e = get_error(s, r);
	return e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL ||
	       e == SSL_ERROR_ZERO_RETURN;
}

/* Whether hooks should only pass through. */
static inline bool passthrough(void)
{
	HT_ENSURE_INIT();
	return !ht_enabled || ht_busy || ht_tls_call.session;
}

static int handshake_call(void *slot_fn, SSL *s)
{
	int (*fn)(SSL *) = slot_fn;
	if (passthrough())
		return fn(s);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s);
	int err = errno;
	int fd = after_call(s, t0);
	if (r <= 0 && fd >= 0 && handshake_failed(s, r))
		ht_tls_handshake_failed(fd, ht_now());
	errno = err;
	return r;
}

HT_EXPORT int SSL_connect(SSL *s)
{
	void *fn = REAL(r_connect, "SSL_connect", SSL_connect);
	if (!fn)
		return -1;
	return handshake_call(fn, s);
}

HT_EXPORT int SSL_do_handshake(SSL *s)
{
	void *fn = REAL(r_do_handshake, "SSL_do_handshake", SSL_do_handshake);
	if (!fn)
		return -1;
	return handshake_call(fn, s);
}

/* Report @n plaintext bytes read (or the end of the stream). */
static void on_read(SSL *s, int fd, const void *buf, size_t n, int r)
{
	if (fd < 0)
		return;
	if (n > 0)
		ht_tls_plaintext(fd, false, buf, n, ht_now());
	else if (read_ended(s, r))
		ht_tls_plaintext(fd, false, NULL, 0, ht_now());
}

HT_EXPORT int SSL_read(SSL *s, void *buf, int num)
{
	int (*fn)(SSL *, void *, int) = REAL(r_read, "SSL_read", SSL_read);
	if (!fn)
		return -1;
	if (passthrough())
		return fn(s, buf, num);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s, buf, num);
	int err = errno;
	int fd = after_call(s, t0);
	on_read(s, fd, buf, r > 0 ? (size_t)r : 0, r);
	errno = err;
	return r;
}

HT_EXPORT int SSL_read_ex(SSL *s, void *buf, size_t num, size_t *readbytes)
{
	int (*fn)(SSL *, void *, size_t, size_t *) =
		REAL(r_read_ex, "SSL_read_ex", SSL_read_ex);
	if (!fn)
		return 0;
	if (passthrough())
		return fn(s, buf, num, readbytes);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s, buf, num, readbytes);
	int err = errno;
	int fd = after_call(s, t0);
	on_read(s, fd, buf, (r == 1 && readbytes) ? *readbytes : 0, r);
	errno = err;
	return r;
}

/* Peeked bytes are read again later: only the fd and handshake matter. */
HT_EXPORT int SSL_peek(SSL *s, void *buf, int num)
{
	int (*fn)(SSL *, void *, int) = REAL(r_peek, "SSL_peek", SSL_peek);
	if (!fn)
		return -1;
	if (passthrough())
		return fn(s, buf, num);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s, buf, num);
	int err = errno;
	after_call(s, t0);
	errno = err;
	return r;
}

HT_EXPORT int SSL_peek_ex(SSL *s, void *buf, size_t num, size_t *readbytes)
{
	int (*fn)(SSL *, void *, size_t, size_t *) =
		REAL(r_peek_ex, "SSL_peek_ex", SSL_peek_ex);
	if (!fn)
		return 0;
	if (passthrough())
		return fn(s, buf, num, readbytes);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s, buf, num, readbytes);
	int err = errno;
	after_call(s, t0);
	errno = err;
	return r;
}

HT_EXPORT int SSL_write(SSL *s, const void *buf, int num)
{
	int (*fn)(SSL *, const void *, int) = REAL(r_write, "SSL_write", SSL_write);
	if (!fn)
		return -1;
	if (passthrough())
		return fn(s, buf, num);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s, buf, num);
	int err = errno;
	int fd = after_call(s, t0);
	if (fd >= 0 && r > 0)
		ht_tls_plaintext(fd, true, buf, (size_t)r, ht_now());
	errno = err;
	return r;
}

HT_EXPORT int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written)
{
	int (*fn)(SSL *, const void *, size_t, size_t *) =
		REAL(r_write_ex, "SSL_write_ex", SSL_write_ex);
	if (!fn)
		return 0;
	if (passthrough())
		return fn(s, buf, num, written);
	uint64_t t0 = ht_now();
	ht_tls_begin(s);
	int r = fn(s, buf, num, written);
	int err = errno;
	int fd = after_call(s, t0);
	if (fd >= 0 && r == 1 && written && *written > 0)
		ht_tls_plaintext(fd, true, buf, *written, ht_now());
	errno = err;
	return r;
}

HT_EXPORT int SSL_shutdown(SSL *s)
{
	int (*fn)(SSL *) = REAL(r_shutdown, "SSL_shutdown", SSL_shutdown);
	if (!fn)
		return -1;
	if (passthrough())
		return fn(s);
	ht_tls_begin(s);
	int r = fn(s);
	int err = errno;
	ht_tls_end(s, -1);
	errno = err;
	return r;
}

HT_EXPORT void SSL_free(SSL *s)
{
	void (*fn)(SSL *) = REAL(r_free, "SSL_free", SSL_free);
	HT_ENSURE_INIT();
	if (s && ht_enabled) {
		int saved = errno;
		ht_tls_forget(s);
		errno = saved;
	}
	if (fn)
		fn(s);
}

/* The program names the socket: remember it. */
static int set_fd_call(void *slot_fn, SSL *s, int fd)
{
	int (*fn)(SSL *, int) = slot_fn;
	int r = fn(s, fd);
	HT_ENSURE_INIT();
	if (r == 1 && ht_enabled && ht_slot_peek(fd)) {
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
