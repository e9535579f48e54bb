/*
 * ossl.h - the OpenSSL hook logic (hook_openssl.c) shared by the two ways
 * of reaching an OpenSSL: interposition by name of a shared libssl's
 * exported functions, and inline hooks on a copy of OpenSSL linked into a
 * program or library (inline_ssl.c).
 *
 * Each body takes the OpenSSL's helpers (@api) and the real function
 * (@slot_fn: the shared library's, or the trampoline that runs the
 * displaced first instructions of the patched one).
 */
#ifndef HT_OSSL_H
#define HT_OSSL_H

#include <stdbool.h>
#include <stddef.h>

#include "ht.h"

typedef struct ssl_st SSL;

/* The helper functions of one OpenSSL. */
typedef struct ht_ossl {
	void *is_init_finished, *get_version, *get0_alpn_selected, *get_error,
		*get_fd;
	/* a session's side, and its ClientHello random: an orphan client
	 * session's (a shared libssl only), a server session's to find its
	 * accepted connection (tls.h) */
	void *get_client_random, *is_server;
	/* true: the pointers above were set once, before any hook ran (NULL:
	 * the function does not exist there); false: each is looked up in the
	 * loaded libssl on first use. */
	bool fixed;
} ht_ossl;

HT_HIDDEN int ht_ossl_handshake(ht_ossl *api, void *slot_fn, SSL *s);
HT_HIDDEN int ht_ossl_read(ht_ossl *api, void *slot_fn, SSL *s, void *buf, int num);
HT_HIDDEN int ht_ossl_read_ex(ht_ossl *api, void *slot_fn, SSL *s, void *buf,
			      size_t num, size_t *readbytes);
HT_HIDDEN int ht_ossl_write(ht_ossl *api, void *slot_fn, SSL *s, const void *buf,
			    int num);
HT_HIDDEN int ht_ossl_write_ex(ht_ossl *api, void *slot_fn, SSL *s,
			       const void *buf, size_t num, size_t *written);
HT_HIDDEN int ht_ossl_shutdown(ht_ossl *api, void *slot_fn, SSL *s);
HT_HIDDEN void ht_ossl_free(ht_ossl *api, void *slot_fn, SSL *s);

/* ht_inline_ssl_init() - find a copy of OpenSSL defined outside a shared
 * libssl (the main program, or a library that bundles it) and hook its
 * entry points inline; what it refuses goes to the collector as a NOTE
 * record, for the run's summary.  Called once from the constructor, when
 * tracing is on, with the guard held (inline_ssl.c). */
HT_HIDDEN void ht_inline_ssl_init(void);

#endif
