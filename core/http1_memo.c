/*
 * http1_memo.c - the HTTP/1.x parser's memo: a header section seen
 * before is not parsed again (see http1.h, http1_internal.h).
 */
#include "http1_internal.h"

#include <string.h>

/*
 * A keep-alive connection carries the same header section message after
 * message (wrk sends one request again and again, nginx answers each with
 * the same lines), or the same header lines under another start line (curl
 * fetching URL?n=[1-100]: only the target changes; a server: only the
 * status).  What parsing header lines does depends on their bytes and the
 * options (fixed at h1_init()) alone: h1_message_begin() resets every field
 * they read, and the start line writes none of them; what parsing a start
 * line does depends on its bytes alone.  So when a message's header
 * section was parsed within one h1_feed() call, its bytes and the fields
 * they set are remembered (struct h1_memo), and the next message takes
 * them instead of parsing again:
 *  - the whole head: right after BEGIN (the call after the one that took
 *    the first byte), when the rest of the start line and the lines are
 *    the same bytes as the last message's, whole in the piece being fed
 *    (the first byte need not be: h1_message_begin() stored it, and nothing
 *    else depends on it);
 *  - else the lines alone: right after the start line, when the lines are
 *    the same bytes, whole in the piece.
 * Either way the fields are set and h1_headers_done() runs as at the final
 * LF, which is where the event is: it decides the framing from them and
 * the context as it would have (a HEAD answer, another status).
 *
 * Anything else is parsed, and what it overwrites forgotten (the parse
 * writes the bytes after the first of msg.method, msg.target, msg.reason,
 * msg.host, msg.content_type and msg.hdrs, which the memo relies on): a
 * start line parsed forgets the whole head (the lines stay), lines parsed
 * forget both.  Parsed: other bytes, a head not whole in the piece or
 * longer than H1_MEMO_MAX, a response with a 1xx status (interim, 101) or
 * answering a CONNECT, a message after h1_finish(); after an error the
 * parser stops.  Not remembered: tok and tok_len, scratch that every
 * message writes before it reads it and nothing reads after the header
 * section (after a start line parsed and lines taken, they hold what the
 * start line left, where parsing the lines could have left a name).
 */

/* The memo's narrowed fields hold every value they are given. */
_Static_assert(H1_HDRS_MAX <= UINT16_MAX && H1_HOST_MAX <= UINT16_MAX &&
		       H1_MEMO_MAX <= UINT16_MAX,
	       "h1_memo offsets are 16 bits");
_Static_assert(((F_CONN_KEEP << 1) - 1) <= UINT16_MAX,
	       "h1_memo.flags is 16 bits: every F_ flag must fit");

/* May this message's header section be remembered, or taken from the
 * memo?  Not that of a response with a 1xx status or to a CONNECT: rare,
 * and what follows them is not the next message of the connection. */
bool h1_memo_fits(const h1_parser *p)
{
	return p->kind == H1_REQUEST ||
	       (p->msg.status >= 200 && !p->ctx_connect);
}

/* What the header lines set, back from the memo. */
static void memo_restore_lines(h1_parser *p, const h1_memo *mm)
{
	h1_message *m = &p->msg;

	m->content_length = mm->content_length;
	m->hdrs_len = mm->hdrs_len;
	m->host[0] = mm->host0;
	m->host_len = mm->host_len;
	m->content_type[0] = mm->ctype0;
	m->content_type_len = mm->ctype_len;
	m->hdrs[0] = mm->hdrs0;
	m->upgrade = mm->upgrade;
	m->upgrade_h2c = mm->upgrade_h2c;
	m->upgrade_websocket = mm->upgrade_websocket;
	m->expect_continue = mm->expect_continue;
	m->hdrs_truncated = mm->hdrs_truncated;
	p->te_seen = mm->te_seen;
	p->cl_seen = mm->cl_seen;
	p->hdr_line_dropped = mm->hdr_line_dropped;
	p->cur_header = mm->cur_header;
	p->flags = mm->flags;
	p->val_len = mm->val_len;
	p->val_end = mm->val_end;
	p->hdr_line_start = mm->hdr_line_start;
	p->hdr_value_end = mm->hdr_value_end;
	p->hdr_value_start = mm->hdr_value_start;
	p->cl_elem = mm->cl_elem;
}

/*
 * The header section just parsed in this h1_feed() call ended at
 * H1_EV_HEADERS without an error, its lines at [@lines_at, @end) of @buf,
 * begun right after the start line when h1_memo_fits(); the start line from
 * its second byte at @start_at, or SIZE_MAX when it was not all in this
 * call.  Remember them and what they set (h1_headers_done() changed none of
 * these fields).
 */
void h1_memo_keep(h1_parser *p, const uint8_t *buf, size_t start_at,
		      size_t lines_at, size_t end)
{
	h1_memo *mm = &p->memo;
	const h1_message *m = &p->msg;
	size_t from = start_at;

	if (mm->off || end - lines_at > sizeof(mm->lines))
		return;
	if (start_at == SIZE_MAX || end - start_at > sizeof(mm->lines)) {
		from = lines_at; /* the lines alone */
		mm->head = false;
	} else {
		mm->head = true;
		mm->method1 = m->method[1];
		mm->method_len = m->method_len;
		mm->target0 = m->target[0];
		mm->target_len = m->target_len;
		mm->reason0 = m->reason[0];
		mm->reason_len = m->reason_len;
		mm->target_truncated = m->target_truncated;
		mm->status = m->status;
		mm->version_major = m->version_major;
		mm->version_minor = m->version_minor;
	}
	mm->content_length = m->content_length;
	mm->hdrs_len = (uint16_t)m->hdrs_len;
	mm->host0 = m->host[0];
	mm->host_len = m->host_len;
	mm->ctype0 = m->content_type[0];
	mm->ctype_len = m->content_type_len;
	mm->hdrs0 = m->hdrs[0];
	mm->upgrade = m->upgrade;
	mm->upgrade_h2c = m->upgrade_h2c;
	mm->upgrade_websocket = m->upgrade_websocket;
	mm->expect_continue = m->expect_continue;
	mm->hdrs_truncated = m->hdrs_truncated;
	mm->te_seen = p->te_seen;
	mm->cl_seen = p->cl_seen;
	mm->hdr_line_dropped = p->hdr_line_dropped;
	mm->cur_header = (uint8_t)p->cur_header;
	mm->flags = (uint16_t)p->flags;
	mm->val_len = (uint16_t)p->val_len;
	mm->val_end = (uint16_t)p->val_end;
	mm->hdr_line_start = (uint16_t)p->hdr_line_start;
	mm->hdr_value_end = (uint16_t)p->hdr_value_end;
	mm->hdr_value_start = (uint16_t)p->hdr_value_start;
	mm->cl_elem = p->cl_elem;
	memcpy(mm->lines, buf + from, end - from);
	mm->start_len = (uint16_t)(lines_at - from);
	mm->len = (uint16_t)(end - lines_at);
}

/* Right after BEGIN (the first byte taken, the start line's state), with
 * @len bytes at @buf: when they begin with the rest of the remembered head,
 * take it as parsed.  Returns the bytes taken (the final LF gave
 * *@events), or 0: the start line is to be parsed, and the memo keeps the
 * lines alone. */
size_t h1_memo_take_head(h1_parser *p, const uint8_t *buf, size_t len,
			     unsigned *events)
{
	h1_memo *mm = &p->memo;
	h1_message *m = &p->msg;
	size_t n = (size_t)mm->start_len + mm->len;

	if (!mm->head)
		return 0;
	if (n > len || (p->kind == H1_RESPONSE && p->ctx_connect) ||
	    memcmp(buf, mm->lines, n) != 0) {
		mm->head = false;
		return 0;
	}
	m->method[1] = mm->method1;
	m->method_len = mm->method_len;
	m->target[0] = mm->target0;
	m->target_len = mm->target_len;
	m->reason[0] = mm->reason0;
	m->reason_len = mm->reason_len;
	m->target_truncated = mm->target_truncated;
	m->status = mm->status;
	m->version_major = mm->version_major;
	m->version_minor = mm->version_minor;
	memo_restore_lines(p, mm);
	mm->hits++;
	mm->head_hits++;
	*events = h1_headers_done(p);
	return n;
}

/* In S_HDR_LINE_START right after the start line, with @len bytes at @buf:
 * when they begin with the remembered lines, take them as parsed.  Returns
 * the bytes taken (their final LF gave *@events), or 0: the lines are to
 * be parsed, and the memo is forgotten. */
size_t h1_memo_take_lines(h1_parser *p, const uint8_t *buf, size_t len,
			      unsigned *events)
{
	h1_memo *mm = &p->memo;
	size_t n = mm->len;

	if (n == 0)
		return 0;
	if (n > len || !h1_memo_fits(p) ||
	    memcmp(buf, mm->lines + mm->start_len, n) != 0) {
		mm->len = 0;
		mm->head = false;
		return 0;
	}
	memo_restore_lines(p, mm);
	mm->hits++;
	*events = h1_headers_done(p);
	return n;
}

/* ---- public interface --------------------------------------------------- */

