/*
 * conn_unformed.c - whether a connection's first bytes were HTTP at all
 * (see conn.h): HTTP's methods, another protocol's first line
 * (conn_never_http()), and first bytes that never formed a method and its
 * SP (conn_drop_unformed()), which are no request.  Moved out of conn.c
 * to keep that under the project's 900 lines; conn_internal.h has what
 * they share.
 */
#include "conn_internal.h"

#include <string.h>

/* HTTP's methods (RFC 9110 section 9, and PATCH, RFC 5789). */
static const char *const http_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
	"TRACE", "PATCH",
};

bool conn_http_method(const char *m)
{
	for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0];
	     i++)
		if (strcmp(m, http_methods[i]) == 0)
			return true;
	return false;
}

bool conn_http_method_n(const uint8_t *m, size_t n)
{
	for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0];
	     i++)
		if (strlen(http_methods[i]) == n &&
		    memcmp(m, http_methods[i], n) == 0)
			return true;
	return false;
}

/* The request parser just failed: was the connection (or the inner one of
 * a tunnel) never HTTP?  So when its first request failed before its
 * request line was whole and its method is none of HTTP's ("PING",
 * Redis's "*1", memcached's "get key", SMTP's "EHLO x"): another protocol
 * over TCP, not a malformed request.  A broken line with an HTTP method,
 * and anything after a request that was HTTP, stay malformed requests. */
bool conn_never_http(conn *c)
{
	return c->nreq == c->inner_base + 1 && c->q_len == 1 &&
	       !c->spill_active && !q_oldest(c)->headers_done &&
	       h1_failed_in_request_line(&c->out) &&
	       !conn_http_method(c->out.msg.method);
}

/* Forget the connection's first request, which conn_never_http() says
 * was no request: no record, not counted; the connection ends up as one
 * whose first byte could not begin a request (its close says no
 * requests). */
void conn_forget_first(conn *c)
{
	conn_request *r = q_oldest(c);

	conn_live_end(c, r);
	thread_end(c, r);
	q_pop(c);
	c->nreq--;
}

bool conn_http_method_start(const char *m)
{
	size_t n = strlen(m);

	for (size_t i = 0;
	     n && i < sizeof http_methods / sizeof http_methods[0]; i++)
		if (strncmp(m, http_methods[i], n) == 0)
			return true;
	return false;
}

/* Whether the peer's answer to @c's requests began as HTTP's: its response
 * parser is past "HTTP/" and has not failed, or a whole answer came. */
static bool answered_as_http(const conn *c)
{
	switch (h1_state(&c->in)) {
	case H1_ST_HEADERS:
		return !h1_response_prefix_read(&c->in);
	case H1_ST_BODY:
	case H1_ST_TUNNEL:
		return true;
	default:
		return c->early_answer;
	}
}

bool conn_drop_unformed(conn *c, bool answered)
{
	if (c->mode != CONN_MODE_HTTP1 || c->dead ||
	    c->nreq != c->inner_base + 1 || c->q_len != 1 || c->spill_active ||
	    q_oldest(c)->headers_done || h1_state(&c->out) != H1_ST_HEADERS ||
	    h1_request_line_read(&c->out) != 0)
		return false;
	/* An answer that began as HTTP's ("HTTP/1.1 400", its body running
	 * to the close, or read a byte at a time) says they were a request. */
	if (answered_as_http(c))
		return false;
	/* A start of "HTTP/" the connection ended in ("H" echoed back, the
	 * start of HEAD's too) never became HTTP's answer: answered, not as
	 * HTTP (a review found "H" kept a request). */
	if (h1_state(&c->in) == H1_ST_HEADERS &&
	    h1_response_prefix_read(&c->in) != 0)
		answered = true;
	/* A request split inside its method ("GET", then the rest) that
	 * ended (a reset, a close) is a request cut short: its record says
	 * what happened to it.  Answered, not as HTTP, it was none. */
	if (!answered && conn_http_method_start(c->out.msg.method))
		return false;
	/* as conn_never_http(): not a protocol we follow */
	c->mode = CONN_MODE_OPAQUE;
	conn_live_conn_end(c);
	conn_forget_first(c);
	return true;
}

