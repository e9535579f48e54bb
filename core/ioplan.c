/*
 * ioplan.c - what a socket I/O hook does with a call's outcome (ioplan.h):
 * the probation step; the steps every call takes are inline there.
 */
#include <string.h>

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

bool ioplan_inherited_quiet(const ioplan_tcp_now *k)
{
	if (k->unread != 0 || !k->info || k->unacked != 0)
		return false;
	/* nothing written but the SYN: no request of the old program's */
	if (k->acked <= 1)
		return true;
	return k->ms_since_recv < k->ms_since_sent;
}

/* Whether @len bytes of @buf begin an HTTP/1.x status line (at least
 * "HTTP/"; the whole of "HTTP/1." when there are that many). */
static bool status_line(const uint8_t *buf, size_t len)
{
	static const char start[] = "HTTP/1.";
	size_t n = len < sizeof start - 1 ? len : sizeof start - 1;
	return n >= 5 && memcmp(buf, start, n) == 0;
}

/* Whether @len bytes of @buf, read, begin with a whole request line
 * ("METHOD target HTTP/1.x" then a line end) or the HTTP/2 preface: a
 * server's request, not another protocol's words ("VALUE key 0 5"). */
static bool request_read(const uint8_t *buf, size_t len)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n";
	static const char v[] = " HTTP/1.";
	if (len >= sizeof preface - 1 &&
	    memcmp(buf, preface, sizeof preface - 1) == 0)
		return true;
	const uint8_t *nl = memchr(buf, '\n', len);
	if (nl == NULL || !conn_looks_like_http(buf, len))
		return false;
	size_t n = (size_t)(nl - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return n >= sizeof v && memcmp(buf + n - sizeof v, v, sizeof v - 1) == 0 &&
	       buf[n - 1] >= '0' && buf[n - 1] <= '9';
}

ioplan_probe ioplan_inherited(const ioplan_call *k, ioplan_probe probe,
			      bool quiet, bool *note)
{
	*note = false;
	if (probe == IOPLAN_PROBE_HTTP && !quiet) {
		*note = true;
		return IOPLAN_PROBE_FORGET;
	}
	if (probe == IOPLAN_PROBE_FORGET && k->first_len > 0 && !k->in_tls)
		*note = status_line(k->first, k->first_len) ||
			(!k->out && request_read(k->first, k->first_len));
	return probe;
}
