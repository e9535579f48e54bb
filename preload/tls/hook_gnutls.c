/*
 * hook_gnutls.c - GnuTLS's calls: the plaintext of wget, git's https
 * transport and everything built on libcurl-gnutls, with handshake timing,
 * version and ALPN.
 *
 * Same resolution care as for OpenSSL (tls.c): libgnutls may be loaded late
 * or RTLD_LOCAL; a function that cannot be found is never called.  Only the
 * session pointer is used: no GnuTLS header, no structure read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "tls.h"

typedef struct gnutls_session_int *gnutls_session_t;
typedef struct {
	unsigned char *data;
	unsigned int size;
} gnutls_datum_t;

#define LIBGNUTLS "libgnutls.so"
#define GNUTLS_E_AGAIN (-28)
#define GNUTLS_E_INTERRUPTED (-52)
#define GNUTLS_E_INTERNAL_ERROR (-59)

static void *r_handshake, *r_send, *r_recv, *r_bye, *r_deinit;
static void *r_alpn, *r_proto_version, *r_proto_name, *r_is_fatal;
static void *r_get_ptr2;

#define REAL(slot, name, self) \
	ht_tls_sym_cached(&(slot), LIBGNUTLS, name, (const void *)(self))
#define HELPER(slot, name) ht_tls_sym_cached(&(slot), LIBGNUTLS, name, NULL)

/* Whether GnuTLS error @e ends the session. */
static bool is_fatal(int e)
{
	int (*fn)(int) = HELPER(r_is_fatal, "gnutls_error_is_fatal");
	if (fn)
		return fn(e) != 0;
	return e != GNUTLS_E_AGAIN && e != GNUTLS_E_INTERRUPTED;
}

/* The handshake of @s completed: tell the connection its version and ALPN. */
static void handshake_done(gnutls_session_t s, int fd)
{
	int (*alpn)(gnutls_session_t, gnutls_datum_t *) =
		HELPER(r_alpn, "gnutls_alpn_get_selected_protocol");
	int (*version)(gnutls_session_t) =
		HELPER(r_proto_version, "gnutls_protocol_get_version");
	const char *(*name)(int) = HELPER(r_proto_name, "gnutls_protocol_get_name");
	gnutls_datum_t a = {NULL, 0};
	if (!alpn || alpn(s, &a) != 0)
		a.size = 0;
	const char *v = (version && name) ? name(version(s)) : NULL;
	/* GnuTLS says "TLS1.3" where OpenSSL says "TLSv1.3": one spelling. */
	char norm[16];
	if (v && strncmp(v, "TLS1.", 5) == 0 && strlen(v) < sizeof norm - 1) {
		snprintf(norm, sizeof norm, "TLSv%s", v + 3);
		v = norm;
	}
	ht_tls_handshake_done(fd, ht_now(), v, (const char *)a.data, a.size);
}

/* The fd of @s, once a call on it is over (ht_tls_end()).  When the call
 * read no socket (plaintext GnuTLS had buffered) and the session map does
 * not hold @s (its mmap refused, or full), GnuTLS is asked, as the OpenSSL
 * hooks ask SSL_get_fd(): the transport pointer the program set.  A
 * program with its own transport functions may have set anything there (a
 * pointer, or an index that is by chance another connection's fd), so it
 * is taken only when it names a connection a socket call inside a call on
 * @s marked TLS (ht_tls_session_conn()): never a plain connection, whose
 * requests the plaintext would corrupt.  Otherwise -1, as when GnuTLS is
 * not asked. */
static int session_fd(gnutls_session_t s)
{
	int fd = ht_tls_end(s, -1);
	if (fd >= 0)
		return fd;
	void (*get)(gnutls_session_t, void **, void **) =
		HELPER(r_get_ptr2, "gnutls_transport_get_ptr2");
	if (!get)
		return -1;
	void *recv_ptr = NULL, *send_ptr = NULL;
	get(s, &recv_ptr, &send_ptr);
	/* the send side: the socket the session writes to */
	intptr_t v = (intptr_t)send_ptr;
	if (v < 0 || v > INT32_MAX || !ht_fd_followed((int)v) ||
	    !ht_tls_session_conn(s, (int)v))
		return -1;
	/* ht_tls_end() took it for a session with no socket yet */
	if (ht_tls_orphan.session == s)
		ht_tls_orphan.session = NULL;
	ht_tls_bind(s, (int)v);
	return (int)v;
}

/* After a call on @s begun at @t0: its fd, and the handshake's progress
 * when the call was the handshake and it returned @ret. */
static int after_call(gnutls_session_t s, uint64_t t0, bool handshake, int ret)
{
	int fd = session_fd(s);
	if (fd < 0 || !ht_tls_handshake_needed(fd))
		return fd;
	ht_tls_handshake_started(fd, t0);
	/* A record call can only succeed once the handshake is done. */
	if ((handshake && ret == 0) || (!handshake && ret >= 0))
		handshake_done(s, fd);
	return fd;
}

/* The hooks have the shape tls.h describes. */

HT_EXPORT int gnutls_handshake(gnutls_session_t s)
{
	int (*fn)(gnutls_session_t) = REAL(r_handshake, "gnutls_handshake",
					   gnutls_handshake);
	if (!fn)
		return GNUTLS_E_INTERNAL_ERROR;
	if (!ht_tls_follow(s))
		return fn(s);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s);
	int err = errno;
	int fd = after_call(s, f.t0, true, r);
	if (r < 0 && fd >= 0 && is_fatal(r))
		ht_tls_handshake_failed(fd, ht_now());
	ht_tls_close(&f, fd, false, NULL, 0, false);
	errno = err;
	return r;
}

HT_EXPORT ssize_t gnutls_record_send(gnutls_session_t s, const void *data,
				     size_t len)
{
	ssize_t (*fn)(gnutls_session_t, const void *, size_t) =
		REAL(r_send, "gnutls_record_send", gnutls_record_send);
	if (!fn)
		return GNUTLS_E_INTERNAL_ERROR;
	if (!ht_tls_follow(s))
		return fn(s, data, len);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	ssize_t r = fn(s, data, len);
	int err = errno;
	int fd = after_call(s, f.t0, false, r < 0 ? -1 : 0);
	ht_tls_close(&f, fd, true, data, r > 0 ? (size_t)r : 0, false);
	errno = err;
	return r;
}

HT_EXPORT ssize_t gnutls_record_recv(gnutls_session_t s, void *data, size_t len)
{
	ssize_t (*fn)(gnutls_session_t, void *, size_t) =
		REAL(r_recv, "gnutls_record_recv", gnutls_record_recv);
	if (!fn)
		return GNUTLS_E_INTERNAL_ERROR;
	if (!ht_tls_follow(s))
		return fn(s, data, len);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	ssize_t r = fn(s, data, len);
	int err = errno;
	int fd = after_call(s, f.t0, false, r < 0 ? -1 : 0);
	/* the peer closed (0), or the session failed: the plaintext stream
	 * has ended (the library is asked only when that matters) */
	bool ended = fd >= 0 && r <= 0 && (r == 0 || is_fatal((int)r));
	ht_tls_close(&f, fd, false, data, r > 0 ? (size_t)r : 0, ended);
	errno = err;
	return r;
}

HT_EXPORT int gnutls_bye(gnutls_session_t s, int how)
{
	int (*fn)(gnutls_session_t, int) = REAL(r_bye, "gnutls_bye", gnutls_bye);
	if (!fn)
		return GNUTLS_E_INTERNAL_ERROR;
	if (!ht_tls_follow(s))
		return fn(s, how);
	struct ht_tls_frame f;
	ht_tls_open(&f, s);
	int r = fn(s, how);
	int err = errno;
	ht_tls_end(s, -1);
	ht_tls_close(&f, -1, false, NULL, 0, false);
	errno = err;
	return r;
}

HT_EXPORT void gnutls_deinit(gnutls_session_t s)
{
	void (*fn)(gnutls_session_t) = REAL(r_deinit, "gnutls_deinit", gnutls_deinit);
	HT_ENSURE_INIT();
	if (s && ht_enabled) {
		int saved = errno;
		ht_tls_forget(s);
		errno = saved;
	}
	if (fn)
		fn(s);
}
