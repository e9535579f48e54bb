/*
 * socks.h - a SOCKS4, SOCKS4a or SOCKS5 CONNECT handshake as a client makes
 * it, read from the bytes each direction carries: which target the client
 * asked for, and the byte at which the proxy's answer ends and the tunnel
 * to that target begins.  Pure: no I/O, no allocation, no global state.
 *
 * What is followed (RFC 1928, RFC 1929, the SOCKS4 and 4a notes):
 *   SOCKS4   client  04 01 PORT(2) IP(4) USERID 00 [HOST 00 when IP is 0.0.0.x]
 *            server  00 5A PORT(2) IP(4)                    (5A: granted)
 *   SOCKS5   client  05 N METHODS(N)
 *            server  05 METHOD                              (00 none, 02 password)
 *            client  01 ULEN USER PLEN PASS                 (METHOD 02 only)
 *            server  01 00                                  (00: accepted)
 *            client  05 01 00 ATYP ADDR PORT(2)             (ATYP 1 IPv4, 3 name, 4 IPv6)
 *            server  05 00 00 ATYP ADDR PORT(2)             (00: succeeded)
 * Anything else (BIND, UDP ASSOCIATE, GSSAPI, a refusal, a client that
 * sends more before the answer) is SOCKS_FAIL: the connection is then not
 * followed.  Either direction may be split anywhere.
 */
#ifndef HT_SOCKS_H
#define HT_SOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "name:port", "a.b.c.d:port" or "[v6]:port" fits. */
#define SOCKS_TARGET_MAX 264

typedef enum socks_result {
	SOCKS_MORE,  /* all bytes consumed, the handshake goes on */
	SOCKS_DONE,  /* the proxy granted the CONNECT: the tunnel begins */
	SOCKS_FAIL,  /* not a SOCKS CONNECT we follow, or refused */
} socks_result;

typedef struct socks {
	uint8_t ver;        /* 4 or 5 */
	uint8_t cst, sst;   /* client and server side states (socks.c) */
	uint16_t cneed;     /* bytes left in the current client field */
	uint16_t sneed;     /* bytes left in the current server field */
	uint8_t method;     /* SOCKS5: the method the server chose */
	bool requested;     /* the client's CONNECT request is complete */
	uint8_t atyp;       /* address type of the request */
	uint8_t alen;       /* address bytes collected */
	uint8_t addr[16];
	uint16_t port;
	uint8_t port_bytes;
	uint16_t nlen;      /* name bytes kept */
	uint16_t skipped;   /* SOCKS4 user id bytes seen */
	char name[256];     /* SOCKS4a / SOCKS5 host name (not terminated) */
} socks;

/* socks_starts() - whether @b, the first byte a client writes on a
 * connection, may open a SOCKS handshake (4 or 5; never HTTP). */
static inline bool socks_starts(uint8_t b)
{
	return b == 4 || b == 5;
}

/* socks_init() - a new handshake. */
void socks_init(socks *s);

/* socks_client() - the client wrote @len bytes.  SOCKS_MORE or SOCKS_FAIL. */
socks_result socks_client(socks *s, const uint8_t *buf, size_t len);

/* socks_server() - the client read @len bytes from the proxy.  Stores in
 * *@used how many belong to the handshake: on SOCKS_DONE the rest of @buf
 * is the tunnel's. */
socks_result socks_server(socks *s, const uint8_t *buf, size_t len,
			  size_t *used);

/* socks_target() - the requested target as "host:port" into @buf (@cap
 * bytes, NUL-terminated, truncated).  Returns its length. */
size_t socks_target(const socks *s, char *buf, size_t cap);

#endif
