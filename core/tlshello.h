/*
 * tlshello.h - tying a TLS session whose ciphertext the program moves
 * itself (memory BIOs) to the socket that carries it, by its ClientHello.
 *
 * A client session's first call produces its ClientHello into memory; the
 * program then writes those bytes on a socket, possibly from another thread
 * (gRPC's C core hands them to an executor thread).  The ClientHello's
 * 32-byte random, which the TLS library reports for the session, names it
 * exactly: the table remembers the randoms of sessions not yet tied to a
 * socket, and the write that carries one ties its session there.
 *
 * A server's session is the mirror: the program reads the ClientHello from
 * the accepted socket itself and hands it to the session, which then
 * holds the client's random.  The accepted table remembers the randoms
 * read on accepted connections not yet tied to a session, and the
 * session whose client random is one of them is tied to that connection.
 *
 * Pure: no system calls; the caller locks the table.
 */
#ifndef HT_TLSHELLO_H
#define HT_TLSHELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSHELLO_RANDOM_LEN 32
/* Sessions waiting for their socket at once; beyond that entries are
 * replaced in turn (a session that never finds one must not block
 * others). */
#define TLSHELLO_MAX 8

typedef struct tlshello_table {
	struct {
		const void *session;     /* NULL: free */
		uint64_t t0;             /* when its handshake began */
		uint8_t random[TLSHELLO_RANDOM_LEN];
	} e[TLSHELLO_MAX];
	unsigned used;           /* entries in use */
	unsigned next;           /* the entry replaced next when full */
} tlshello_table;

/*
 * tlshello_random() - whether @buf (@len bytes), the first bytes written on
 * a connection, start with a TLS record holding a ClientHello far enough
 * to carry its random: then the random is copied to @out.  Checks the
 * record type (handshake), the record and client versions' major byte (3)
 * and the handshake type (client_hello).
 */
bool tlshello_random(const uint8_t *buf, size_t len,
		     uint8_t out[TLSHELLO_RANDOM_LEN]);

/* tlshello_put() - @session (non-NULL), whose handshake began at @t0, sent
 * a ClientHello with @random: remember it, in place of what was known of
 * the session, else in a free entry, else in the next one in turn. */
void tlshello_put(tlshello_table *t, const void *session,
		  const uint8_t random[TLSHELLO_RANDOM_LEN], uint64_t t0);

/* tlshello_take() - the session whose ClientHello carried @random, forgotten
 * now, and its handshake's start in *@t0; NULL when none is known. */
const void *tlshello_take(tlshello_table *t,
			  const uint8_t random[TLSHELLO_RANDOM_LEN], uint64_t *t0);

/* tlshello_known() - whether a ClientHello random is remembered for
 * @session. */
bool tlshello_known(const tlshello_table *t, const void *session);

/* tlshello_drop() - forget @session (tied to its socket, or freed). */
void tlshello_drop(tlshello_table *t, const void *session);

/* Accepted connections waiting for their session at once: a server may
 * read many ClientHellos before its event loop hands the first to its
 * session.  Beyond that entries are replaced in turn. */
#define TLSHELLO_ACCEPTED_MAX 64

typedef struct tlshello_accepted {
	struct {
		bool used;
		int fd;                  /* the accepted connection's socket */
		uint32_t conn_id;        /* and its connection (fds are reused) */
		uint64_t t0;             /* when its ClientHello was read */
		uint8_t random[TLSHELLO_RANDOM_LEN];
	} e[TLSHELLO_ACCEPTED_MAX];
	unsigned used;           /* entries in use */
	unsigned next;           /* the entry replaced next when full */
} tlshello_accepted;

/* tlshello_accepted_put() - a ClientHello with @random was read at @t0 on
 * @fd, connection @conn_id: remember it, in place of what was known of
 * @fd, else in a free entry, else in the next one in turn. */
void tlshello_accepted_put(tlshello_accepted *t, int fd, uint32_t conn_id,
			   const uint8_t random[TLSHELLO_RANDOM_LEN], uint64_t t0);

/* tlshello_accepted_take() - the connection whose ClientHello carried
 * @random: its fd in *@fd, its id in *@conn_id, when it was read in *@t0,
 * forgotten now.  Returns false when none is known. */
bool tlshello_accepted_take(tlshello_accepted *t,
			    const uint8_t random[TLSHELLO_RANDOM_LEN], int *fd,
			    uint32_t *conn_id, uint64_t *t0);

/* tlshello_accepted_drop() - forget what was read on @fd, connection
 * @conn_id (it is no longer followed). */
void tlshello_accepted_drop(tlshello_accepted *t, int fd, uint32_t conn_id);

#endif
