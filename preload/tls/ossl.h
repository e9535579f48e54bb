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

#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfsym.h"
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
	/* a server session's write BIO and the ciphertext written into it
	 * (SSL_get_wbio, libcrypto's BIO_number_written): what its socket
	 * owes when the program moves it (conn_tls_made()) */
	void *get_wbio, *bio_written;
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

/* One loaded object, as the inline hooks need it. */
struct ht_ssl_obj {
	uintptr_t addr;   /* in: an address inside it, or 0 for the program */
	bool found;
	uintptr_t bias;   /* load bias (dlpi_addr) */
	const ElfW(Phdr) *phdr;
	size_t phnum;
	const char *name; /* dlpi_name */
	/* The program itself.  Not next to found: the two set to true
	 * together at start became one 16-bit store of a constant the
	 * compiler kept in .rodata, a page no other start-up code reads
	 * (a page fault in every traced process). */
	bool main;
};

/*
 * What one walk over the loaded objects (dl_iterate_phdr(), in the
 * loader's order, which at start is its search order) tells the inline
 * hooks: where SSL_read is defined before and after this library, found
 * as dlsym(RTLD_DEFAULT) and dlsym(RTLD_NEXT) would find it, whether a
 * shared libssl is loaded, and which objects are the program and this
 * library.  The start-up walk that finds the real functions (init.c) fills
 * it on the way, so that a process pays one walk, not two.
 */
/* (every field is set by ht_inline_ssl_scan_begin(), one by one) */
typedef struct ht_ssl_scan {
	uintptr_t self;    /* an address inside this library */
	uintptr_t vdso;    /* the vDSO's base: not in the lookup scope */
	uint32_t hash;     /* elfsym_hash("SSL_read") */
	bool past_self;    /* the objects seen now come after this library */
	bool blind;        /* an object could not be searched: ask dlsym */
	bool libssl;       /* a shared libssl is loaded */
	bool done;         /* every object was seen */
	uintptr_t dflt;    /* the first definition before this library */
	uintptr_t next;    /* the first definition after it */
	struct ht_ssl_obj dflt_obj, next_obj; /* the objects defining them */
	struct ht_ssl_obj prog, lib; /* the first object, this library */
} ht_ssl_scan;

/* ht_inline_ssl_scan_begin() - start @s for a walk; @vdso: the vDSO's
 * base (getauxval(AT_SYSINFO_EHDR)).  The walker sets s->done once it saw
 * every object. */
HT_HIDDEN void ht_inline_ssl_scan_begin(ht_ssl_scan *s, uintptr_t vdso);

/* ht_inline_ssl_scan_object() - add the object @info describes (the next
 * in the loader's order) to @s.  @opened: its symbols, when the caller has
 * already opened them with elfsym_open_phdr(), else NULL.  Only reads
 * memory: callable from a dl_iterate_phdr() callback. */
HT_HIDDEN void ht_inline_ssl_scan_object(ht_ssl_scan *s,
					 const struct dl_phdr_info *info,
					 const elfsym_obj *opened);

/* ht_inline_ssl_init() - find a copy of OpenSSL defined outside a shared
 * libssl (the main program, or a library that bundles it) and hook its
 * entry points inline; what it refuses goes to the collector as a NOTE
 * record, for the run's summary.  @seen: a scan of the loaded objects
 * made just before (done), or NULL to make one here.  Called once from
 * the constructor, when tracing is on, with the guard held
 * (inline_ssl.c). */
HT_HIDDEN void ht_inline_ssl_init(const ht_ssl_scan *seen);

#endif
