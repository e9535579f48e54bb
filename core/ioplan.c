/*
 * ioplan.c - what a socket I/O hook does with a call's outcome (ioplan.h).
 */
#include <errno.h>

#include "conn.h"
#include "ioplan.h"

bool ioplan_fatal(int err)
{
	return err == ECONNRESET || err == EPIPE || err == ETIMEDOUT ||
	       err == ECONNABORTED || err == EHOSTUNREACH || err == ENETUNREACH;
}

ioplan_probe ioplan_probe_decide(const ioplan_call *k)
{
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
	return IOPLAN_PROBE_FORGET;
}

ioplan_tls ioplan_tls_decide(const ioplan_call *k)
{
	/* A TLS library moving ciphertext for a session: this is its
	 * socket. */
	if (k->in_tls)
		return IOPLAN_TLS_MARK;
	if (k->adoptable && k->out && k->first_len > 0)
		return IOPLAN_TLS_ADOPT;
	return IOPLAN_TLS_NONE;
}

ioplan ioplan_feed_decide(const ioplan_call *k, bool tls, bool connected,
			  bool failed)
{
	ioplan p = {.hold = k->hold};
	if (tls) {
		if (k->ret > 0)
			p.feed = IOPLAN_FEED_TRANSPORT;
	} else if (k->ret > 0) {
		p.feed = k->unseen ? IOPLAN_FEED_UNSEEN : IOPLAN_FEED_BYTES;
	} else if (k->ret == 0 && !k->out && k->asked) {
		p.feed = IOPLAN_FEED_EOF;
		p.connect_first = !connected && !failed;
	}
	if (k->ret < 0 && !connected && !failed &&
	    (k->err == ECONNREFUSED || ioplan_fatal(k->err)))
		p.end = IOPLAN_END_CONNECT_FAILED;
	else if (k->ret < 0 && ioplan_fatal(k->err))
		p.end = IOPLAN_END_RESET;
	return p;
}
