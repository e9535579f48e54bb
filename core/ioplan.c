/*
 * ioplan.c - what a socket I/O hook does with a call's outcome (ioplan.h):
 * the probation step; the steps every call takes are inline there.
 */
#include "conn.h"
#include "ioplan.h"
#include "tlshello.h"

ioplan_probe ioplan_probe_decide(const ioplan_call *k, bool tls)
{
	/* A TLS session's socket: its ciphertext is followed (counted, the
	 * handshake's moments) until its plaintext decides. */
	if (tls)
		return IOPLAN_PROBE_GO_ON;
	/* Its reply, read before its first write was fed, is held for that
	 * write to decide. */
	if (k->hold && k->ret >= 0)
		return IOPLAN_PROBE_GO_ON;
	/* Nothing moved yet (EAGAIN, an empty write). */
	if (k->ret < 0 || (k->ret == 0 && k->out))
		return IOPLAN_PROBE_WAIT;
	/* Its first bytes, written by the program itself (not a TLS
	 * library's ciphertext), start an HTTP request; a peer that speaks
	 * first, an end of stream or anything else: forget it. */
	if (k->out && k->first_len > 0 && !k->in_tls &&
	    conn_looks_like_http(k->first, k->first_len))
		return IOPLAN_PROBE_HTTP;
	/* A ClientHello, written by the TLS library (a session on the fd)
	 * or by the program (memory BIOs): its plaintext decides, or, TLS
	 * no hook decodes, it is followed as such (never silent). */
	uint8_t random[TLSHELLO_RANDOM_LEN];
	if (k->out && k->first_len > 0 &&
	    tlshello_random(k->first, k->first_len, random))
		return IOPLAN_PROBE_TLS;
	return IOPLAN_PROBE_FORGET;
}

ioplan_probe ioplan_probe_plain(bool out, const uint8_t *buf, size_t n,
				bool h2)
{
	if (out && n == 0)
		return IOPLAN_PROBE_WAIT;
	if (out && conn_looks_like_http(buf, n))
		return IOPLAN_PROBE_HTTP;
	/* HTTP/2 by ALPN, as on TCP (conn_tls_done()): the server's first
	 * frames, read before the preface is written */
	if (!out && n > 0 && h2)
		return IOPLAN_PROBE_HTTP;
	return IOPLAN_PROBE_FORGET;
}
