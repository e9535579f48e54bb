/*
 * tls.h - what the TLS library hooks (OpenSSL, GnuTLS) share: finding the
 * real functions in a library that may be loaded late and RTLD_LOCAL,
 * mapping a session to its socket, and handing plaintext to the connection.
 *
 * How a session is tied to its socket: the hook marks the thread as being
 * inside a TLS call on a session (ht_tls_call); the socket I/O hooks record
 * the tracked fd the library reads or writes during that call and mark the
 * connection TLS, so its ciphertext never reaches the HTTP parser.  The
 * session -> fd pairs are remembered (plaintext may be served from the
 * library's buffer without any socket call), and set directly when the
 * program names the fd (SSL_set_fd, gnutls_transport_set_int).
 */
#ifndef HT_TLS_H
#define HT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ht.h"

/* The TLS call this thread is inside, if any. */
struct ht_tls_call {
	const void *session; /* NULL: not inside a TLS call */
	int fd;              /* tracked socket used during the call, or -1 */
	uint64_t now;        /* when its last socket call that used the
			      * time returned (track_io()), or 0 */
	uint64_t t0;         /* when the call began (ht_tls_open()) */
	bool blocked;        /* its last call on its own socket (track_io(),
			      * ht_tls_own()) was a read that would block
			      * (EAGAIN): the library wants to read, a failed
			      * read asks it nothing more */
};
HT_HIDDEN extern HT_TLS struct ht_tls_call ht_tls_call;

/*
 * This thread's last session (@k, 0: none) and its socket @fd, as the
 * session -> fd map held them at its generation @gen (tls.c, where it
 * answers most lookups without the map's lock).  Written only under the
 * guard, each write moving @seq: a reader without the guard, which a
 * signal handler's TLS call may interrupt and rewrite it under, sees a
 * torn read by @seq.
 */
struct ht_tls_last {
	uintptr_t k;
	int fd;
	unsigned seq;
	uint64_t gen;
};
HT_HIDDEN extern HT_TLS struct ht_tls_last ht_tls_last;
/* Changes of the map that may leave a thread's ht_tls_last wrong. */
HT_HIDDEN extern uint64_t ht_tls_map_gen;

/* ht_tls_last_fd() - @session's socket when it is this thread's last
 * session and the map has not changed since, read whole (no handler
 * rewrote it meanwhile); else -1: the map is to be asked.  No guard
 * needed. */
static inline int ht_tls_last_fd(const void *session)
{
	unsigned seq = ht_tls_last.seq;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	bool valid = ht_tls_last.k == (uintptr_t)session &&
		     ht_tls_last.gen ==
			     __atomic_load_n(&ht_tls_map_gen, __ATOMIC_ACQUIRE);
	int fd = ht_tls_last.fd;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return valid && ht_tls_last.seq == seq ? fd : -1;
}

/*
 * ht_tls_own() - whether a socket call on tracked @fd inside this thread's
 * TLS call (ht_tls_call.session set) is the call's own: on the socket the
 * call already used, else on its session's known socket (the session ->
 * fd map), or on any while the session has none followed (its first
 * calls, before SSL_set_fd or a socket call tied it; its socket closed
 * since).  A call on another connection (a
 * signal handler's that interrupted the TLS call, a BIO or info
 * callback's) is not: it must not tie the session, mark its connection
 * TLS, nor say the library wants to read; it is followed as outside any
 * TLS call.  Guard held (the map may be looked up under its lock).
 * ht_tls_own_fast(), no guard needed, says yes for the usual own call (on
 * the socket the call used, or the session's as ht_tls_last_fd() knows
 * it); no: ask ht_tls_own().
 */
static inline bool ht_tls_own_fast(int fd)
{
	if (ht_tls_call.fd >= 0)
		return fd == ht_tls_call.fd;
	return ht_tls_last_fd(ht_tls_call.session) == fd;
}
HT_HIDDEN bool ht_tls_own_slow(int fd);
static inline bool ht_tls_own(int fd)
{
	return ht_tls_own_fast(fd) ||
	       (ht_tls_call.fd < 0 && ht_tls_own_slow(fd));
}

/*
 * ht_tls_sym() - the real @name from the loaded library whose file name
 * starts with @lib_prefix (e.g. "libssl.so"), else from the next object in
 * the global scope; never our own definition @self.  Looks in libraries
 * loaded RTLD_LOCAL too (dl_iterate_phdr + dlopen(RTLD_NOLOAD)).  Caches
 * nothing: callers keep the result.  Returns NULL when nowhere to be found.
 * Calls into the loader (its locks): never call it holding a lock of ours.
 */
HT_HIDDEN void *ht_tls_sym(const char *lib_prefix, const char *name,
			   const void *self);

/* Resolve once into *@slot (atomic); returns the pointer or NULL.  Inline:
 * every TLS hook asks it for its real function, found the first time
 * (ht_tls_sym_resolve(), out of line). */
HT_HIDDEN void *ht_tls_sym_resolve(void **slot, const char *lib_prefix,
				   const char *name, const void *self);
static inline void *ht_tls_sym_cached(void **slot, const char *lib_prefix,
				      const char *name, const void *self)
{
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (likely(p != NULL))
		return p;
	return ht_tls_sym_resolve(slot, lib_prefix, name, self);
}

/*
 * Every TLS hook of both libraries (OpenSSL: hook_openssl.c for a shared
 * libssl and inline_ssl.c for a linked-in copy; GnuTLS: hook_gnutls.c) has
 * one shape:
 *
 *	if (!ht_tls_follow(session))
 *		return real(...);
 *	struct ht_tls_frame f;
 *	ht_tls_open(&f, session);
 *	r = real(...); err = errno;
 *	fd = <the library's own questions: the fd, the handshake>;
 *	ht_tls_close(&f, fd, out, buf, n, ended);
 *	errno = err;
 *	return r;
 *
 * A call may run inside another on the same session: SSL_connect calls
 * SSL_do_handshake, and Node.js runs JavaScript from inside SSL_read (its
 * handshake-done callback emits 'secureConnect', whose listener writes the
 * request with SSL_write).  The inner call is followed as any other, the
 * outer call's state kept aside in its frame and put back (the libraries'
 * read and write functions do not call each other, so no plaintext is
 * counted twice).  A call on another session inside a TLS call (TLS
 * through a TLS proxy: the outer session's transport writes through the
 * inner one) passes through: the socket belongs to the outer call.
 */

/* ht_tls_follow() - whether a hooked call on @session is followed: tracing
 * is on, the thread is not inside the library, and not inside a TLS call
 * on another session. */
static inline bool ht_tls_follow(const void *session)
{
	HT_ENSURE_INIT();
	return ht_enabled && !ht_busy &&
	       (!ht_tls_call.session || ht_tls_call.session == session);
}

/* One followed TLS call: the state of the call it runs inside, if any. */
struct ht_tls_frame {
	struct ht_tls_call outer;
	uint64_t t0; /* when the call began */
};

/* ht_tls_open() - before the real call on @session: keep the outer call's
 * state in @f, note the start, and mark the thread as inside the call. */
static inline void ht_tls_open(struct ht_tls_frame *f, const void *session)
{
	f->outer = ht_tls_call;
	f->t0 = ht_now();
	ht_tls_call.session = session;
	ht_tls_call.fd = -1;
	ht_tls_call.now = 0;
	ht_tls_call.t0 = f->t0;
	ht_tls_call.blocked = false;
}

/*
 * ht_tls_close() - after the real call of @f and the library's questions:
 * the call moved @n plaintext bytes (@out: written by the program, from
 * @buf) on @fd's connection (-1: not tracked), or, when none and @ended,
 * the plaintext stream it reads has ended; those go to the connection.
 * Then the socket writes the call made end (ht_tls_settle()) and the outer
 * call's state is back.  errno is the hook's to restore.  Defined below,
 * after what it uses.
 */

/* ht_tls_end() - after the real call on @session (inside the frame): the
 * fd to which the session belongs (seen during the call, remembered, or
 * @hint_fd when >= 0 and tracked), or -1.  The thread is no longer inside
 * the call. */
HT_HIDDEN int ht_tls_end(const void *session, int hint_fd);

/*
 * A session seen in a TLS call with no socket: the program moves its
 * ciphertext itself through memory BIOs (Node.js writes it with libuv).
 * The next write on a tracked connection of the same thread that has
 * written nothing yet and starts a TLS handshake record (0x16) is taken to
 * be its socket: the ClientHello the call just produced.
 */
struct ht_tls_orphan {
	const void *session; /* NULL: none */
	uint64_t t0;         /* when that call ended: the handshake's start */
};
HT_HIDDEN extern HT_TLS struct ht_tls_orphan ht_tls_orphan;

/*
 * Orphan sessions whose ClientHello random the TLS library reported
 * (ht_tls_orphan_hello()): any thread's write of that ClientHello ties the
 * session to its socket (tlshello.h).  The count lets a write hook skip
 * the check while there are none.
 */
HT_HIDDEN extern unsigned ht_tls_hellos_waiting;

/* ht_tls_adoptable() - whether a write may be an orphan session's
 * ClientHello: this thread has an orphan, or some session waits for its
 * ClientHello to be seen. */
static inline bool ht_tls_adoptable(void)
{
	return ht_tls_orphan.session != NULL ||
	       __atomic_load_n(&ht_tls_hellos_waiting, __ATOMIC_RELAXED) != 0;
}

/* ht_tls_orphan_hello() - @session, an orphan during its handshake, sent a
 * ClientHello with the 32-byte @random. */
HT_HIDDEN void ht_tls_orphan_hello(const void *session, const uint8_t *random);

/* ht_tls_adopt() - in a write hook, @c (slot of @fd locked, guard held) is
 * writing @n bytes from @buf, its first: if they are the ClientHello of a
 * session waiting for its socket (its random, from any thread), or else
 * start a handshake record while this thread has an orphan session whose
 * random is not known, tie that session to @fd, mark @c TLS and start its
 * handshake.  Returns whether it did: not when the session map cannot hold
 * the session (no memory for it, or full), @c then left to the following
 * of its records (reported as TLS not decoded). */
HT_HIDDEN bool ht_tls_adopt(conn *c, int fd, const void *buf, size_t n);

/*
 * A server's session with memory BIOs (Node.js's https and http2 servers):
 * the program reads the ClientHello from the accepted socket itself, with
 * no TLS call under way, and hands it to the session.  The read hook keeps
 * the connection, marked TLS and still on probation, with its ClientHello
 * random (ht_tls_hello_read()); the session's first call after it holds
 * the same random as its client random, and ht_tls_server_session() ties
 * them.  A connection no session claims before the server writes to it
 * (a TLS library not hooked) is forgotten, as a non-HTTP one is.
 */
HT_HIDDEN extern unsigned ht_tls_accepted_waiting;

/* ht_tls_hello_read() - @t (slot of @fd locked, guard held), an accepted
 * connection on probation not yet TLS, read its first @n bytes @buf at
 * @now outside any TLS call: if they hold a ClientHello's random, mark it
 * TLS, remember the random for its session and set t->hello_wait.
 * Returns whether it did. */
HT_HIDDEN bool ht_tls_hello_read(ht_tracked *t, int fd, const void *buf,
				 size_t n, uint64_t now);

/* ht_tls_hello_unclaimed() - @t (slot of @fd locked, guard held), waiting
 * for its session, is forgotten: its random is of no more use. */
HT_HIDDEN void ht_tls_hello_unclaimed(ht_tracked *t, int fd);

/* ht_tls_server_session() - after a call on @session, a server's session
 * with no socket (ht_tls_end() found none): it is no client's orphan.  If
 * @random (its client random; NULL or all zero when not known yet) was
 * read on an accepted connection waiting for it, tie @session to that
 * connection and start its handshake from the ClientHello's read.  When
 * the session map cannot hold @session, the connection's records are
 * followed instead and its close says TLS not decoded
 * (conn_server_tls_undecoded()).  Returns the fd of the connection tied,
 * or -1. */
HT_HIDDEN int ht_tls_server_session(const void *session, const uint8_t *random);

/* ht_tls_session_conn() - whether @fd names a followed connection marked
 * TLS by a socket call seen inside a call on @session (ht_tracked
 * tls_session, set under the home lock by the socket hooks where they mark
 * it TLS, NULL: none): proof that it is @session's socket, for a session
 * the map cannot hold and whose program's word for its socket (a
 * transport pointer) may be anything (hook_gnutls.c session_fd()). */
HT_HIDDEN bool ht_tls_session_conn(const void *session, int fd);

/* ht_tls_bind() - the program tied @session to @fd. */
HT_HIDDEN void ht_tls_bind(const void *session, int fd);

/* ht_tls_after_fork() - in a forked child: the session tables' locks are
 * released (a thread of the parent may have held one at fork). */
HT_HIDDEN void ht_tls_after_fork(void);

/* ht_tls_forget() - @session is freed. */
HT_HIDDEN void ht_tls_forget(const void *session);

/* Handshake progress on @fd's connection: ht_tls_handshake_started() at
 * @t0 (first call only counts); ht_tls_handshake_needed() says whether the
 * connection still waits for its handshake to complete, so a hook asks the
 * library only then; ht_tls_handshake_done() with the negotiated version
 * and ALPN (either may be NULL). */
HT_HIDDEN void ht_tls_handshake_started(int fd, uint64_t t0);
HT_HIDDEN bool ht_tls_handshake_needed(int fd);
HT_HIDDEN void ht_tls_handshake_done(int fd, uint64_t now, const char *version,
				     const char *alpn, size_t alpn_len);

/* ht_tls_handshake_failed() - the handshake on @fd's connection failed. */
HT_HIDDEN void ht_tls_handshake_failed(int fd, uint64_t now);

/* ht_tls_made() - the session on @fd's connection, which writes its
 * ciphertext into memory, has made @n bytes of it in all, told before the
 * plaintext it just took is fed (conn_tls_made()). */
HT_HIDDEN void ht_tls_made(int fd, uint64_t n);

/* ht_tls_plaintext() - @n plaintext bytes moved on @fd's connection (@out:
 * written by the program).  @n == 0 on read means the TLS stream ended.
 * Plaintext read while a write is in flight is held (conn_hold()); the
 * socket writes this thread's call owes end here (after the plaintext
 * written is fed). */
HT_HIDDEN void ht_tls_plaintext(int fd, bool out, const void *buf, size_t n,
				uint64_t now);

/*
 * Socket writes inside a TLS call carry plaintext the TLS hook feeds only
 * after the call: they stay in flight (ht_write_begin()) until then, so a
 * read of the plaintext answer on another thread waits for it.  The write
 * hook calls ht_tls_owe() instead of ending its write; the TLS hook ends
 * them after feeding the plaintext (ht_tls_plaintext()), and in any case
 * with ht_tls_settle() before it returns.
 */
struct ht_tls_owed {
	ht_slot *slot; /* the socket's slot; NULL: nothing owed */
	unsigned n;    /* writes on it not yet ended */
};
HT_HIDDEN extern HT_TLS struct ht_tls_owed ht_tls_owed;

/* ht_tls_owe() - a socket write on @s inside a TLS call ended: it stays in
 * flight until the TLS hook settles.  Guard held, no slot locked. */
HT_HIDDEN void ht_tls_owe(ht_slot *s);

/* ht_tls_settle() - end the socket writes this thread's TLS call owes.
 * ht_tls_close() calls it last for every followed TLS call. */
HT_HIDDEN void ht_tls_settle_slow(void);
static inline void ht_tls_settle(void)
{
	if (unlikely(ht_tls_owed.n != 0))
		ht_tls_settle_slow();
}

/* ht_tls_close(): see above (inline: it runs in every TLS call). */
static inline void ht_tls_close(struct ht_tls_frame *f, int fd, bool out,
				const void *buf, size_t n, bool ended)
{
	/* The plaintext moved when the call's last socket call did (one
	 * reading of the clock for the call); read now when it made none
	 * (plaintext the library had buffered). */
	if (fd >= 0 && (n > 0 || (!out && ended)))
		ht_tls_plaintext(fd, out, n > 0 ? buf : NULL, n,
				 ht_tls_call.now ? ht_tls_call.now : ht_now());
	ht_tls_settle();
	ht_tls_call = f->outer;
}

#endif
