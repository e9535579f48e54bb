/*
 * conn_end.c - a connection's end (see conn.h): given up, bytes that went
 * by unseen, EOF, reset, close, the process's exit, and a forked child's
 * copy; and what conn_server.c uses of the HTTP/1.x queue.
 */
#include "conn_internal.h"

#include <netinet/tcp.h>
#include <string.h>

static void shared_end(conn *c, uint64_t now);

void conn_note(conn *c, const char *why)
{
	ht_record rec;

	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_NOTE;
	rec.u.note.pid = c->pid;
	rec.u.note.text = bounded(why, strlen(why) + 1);
	emit(c, &rec);
}

void conn_give_up(conn *c, unsigned error, const char *why, uint64_t now)
{
	/* bytes stdio moved, not a malformed answer, put it out of step: its
	 * requests not followed, not failed (conn_stdio_opened()) */
	if (c->stdio && error == HT_ERR_DESYNC)
		error = HT_ERR_UNFOLLOWED;
	conn_ws_end(c, HT_WF_LOST, now);
	fail_all(c, error, now);
	if (c->mode == CONN_MODE_HTTP1) {
		/* Requests are still parsed as written, each reported as not
		 * followed: the response parser is idle for good. */
		c->unseen = true;
		c->unseen_error = (uint8_t)error;
		h1_init(&c->in, H1_RESPONSE, c->in.opt);
		return;
	}
	c->mode = CONN_MODE_OPAQUE;
	conn_note(c, why);
}

/* @len bytes went by unread at @now: skipped inside a body of known
 * extent (HTTP/1.x) or a DATA frame's payload (HTTP/2), else the
 * connection is given up with @error and @why. */
static void skip_unseen(conn *c, size_t len, uint64_t now, unsigned error,
			const char *why)
{
	if (!c->tls)
		c->bytes_in += len;
	if (!conn_wants_bytes(c) || len == 0 ||
	    (c->mode == CONN_MODE_HTTP1 && !h1_responses_followed(c)))
		return;
	if (!c->connected && !c->failed)
		conn_connected(c, now);
	if (c->mode == CONN_MODE_DETECT) {
		/* The server spoke first: not a protocol we follow (as in
		 * conn_on_read()); nothing was in flight. */
		c->mode = CONN_MODE_OPAQUE;
		return;
	}
	if (c->mode == CONN_MODE_TLS) {
		/* the record framing is lost: keep what was seen */
		c->tlsrec.bad = true;
		return;
	}
	if (conn_drop_unformed(c, false))
		return; /* as conn_on_read() */
	if (c->mode == CONN_MODE_HTTP1)
		conn_emit_early(c, now); /* as conn_on_read() */
	if (c->mode == CONN_MODE_HTTP1)
		c->t_in_last = now;
	while (c->mode == CONN_MODE_HTTP1 && len > 0) {
		h1_event ev;
		size_t n = h1_skip(&c->in, len, &ev);
		len -= n;
		if (ev & H1_EV_COMPLETE)
			on_response_complete(c, now);
		if (!h1_responses_followed(c))
			return;
		if (n == 0)
			break;
	}
	if (c->mode == CONN_MODE_HTTP2)
		len = conn_h2_skip(c, len, now);
	if (len > 0)
		conn_give_up(c, error, why, now);
}

void conn_on_unseen(conn *c, size_t len, uint64_t now)
{
	skip_unseen(c, len, now, HT_ERR_UNSEEN,
		    "response bytes discarded unread (MSG_TRUNC): "
		    "a connection not followed from there on");
}

void conn_on_unheld(conn *c, size_t len, uint64_t now)
{
	skip_unseen(c, len, now, HT_ERR_UNFOLLOWED,
		    "more response bytes came while a write was in flight "
		    "than could be held: a connection not followed from "
		    "there on");
}

void conn_on_write_unseen(conn *c, size_t len, uint64_t now)
{
	if (!c->tls)
		c->bytes_out += len;
	if (!conn_wants_bytes(c) || len == 0)
		return;
	if (!c->connected && !c->failed)
		conn_connected(c, now); /* a write succeeded: connected */
	if (c->mode == CONN_MODE_TLS) {
		/* the record framing is lost: keep what was seen */
		c->tlsrec.bad = true;
		return;
	}
	/* (its first bytes unseen, DETECT: what it carries, HTTP or not, is
	 * not followed and said so below, never gone opaque with nothing
	 * said: its requests answered would be lost with a clean summary) */
	if (c->mode == CONN_MODE_HTTP1 && !c->server) {
		c->t_out_last = now;
		while (len > 0) {
			h1_event ev;
			size_t n = h1_skip(&c->out, len, &ev);
			len -= n;
			if (ev & H1_EV_COMPLETE)
				on_request_complete(c, now);
			if (n == 0)
				break;
		}
		if (len == 0)
			return;
	}
	conn_ws_end(c, HT_WF_LOST, now);
	fail_all(c, HT_ERR_UNFOLLOWED, now);
	c->mode = CONN_MODE_OPAQUE; /* the requests' framing is lost */
	conn_live_conn_end(c);
	conn_note(c, "bytes sent by sendfile or splice outside a request "
		     "body of known length (the tracer does not read them): "
		     "a connection not followed from there on");
}

void conn_on_eof(conn *c, uint64_t now)
{
	if (c->peer_eof)
		return;
	c->peer_eof = true;
	if (!conn_wants_bytes(c) || c->mode == CONN_MODE_DETECT)
		return;
	if (conn_drop_unformed(c, false))
		return; /* no request: nothing was in flight */
	if (c->mode == CONN_MODE_WS) {
		conn_ws_end(c, HT_WF_PEER_EOF, now);
		return;
	}
	if (c->mode == CONN_MODE_HTTP1 && c->early_answer) {
		/* An early answer is whole, and its request may still be
		 * written (a server's lingering close reads it): its record
		 * waits for that, or for the close.  Nothing else is in
		 * flight (no request begins before its end). */
		c->t_idle_since = 0;
		return;
	}
	if (c->mode == CONN_MODE_HTTP1 && h1_responses_followed(c)) {
		/* cut in its header section, a response has no body to
		 * be cut short: fail_all() says closed before it completed */
		bool in_body = h1_state(&c->in) == H1_ST_BODY;
		h1_event ev = h1_finish(&c->in);
		conn_request *r = q_answered(c);
		if (r && (ev & H1_EV_COMPLETE)) {
			/* a body delimited by close ends here */
			r->t[HT_T_RESPONSE_DONE] = now;
			emit_oldest(c, HT_ERR_NONE, true, now);
		} else if (r && (ev & H1_EV_ERROR) && in_body) {
			emit_oldest(c, HT_ERR_TRUNCATED, true, now);
		}
	}
	fail_all(c, HT_ERR_CLOSED, now);
	c->t_idle_since = 0;
}

void conn_on_reset(conn *c, uint64_t now)
{
	if (c->dead)
		return;
	(void)conn_drop_unformed(c, false);
	conn_ws_end(c, HT_WF_RESET, now);
	fail_all(c, HT_ERR_RESET, now);
	c->dead = true;
}

/* @c carried TLS no hook decoded: what its records showed, into @o. */
static void describe_tls(const conn *c, ht_rec_conn_close *o)
{
	const tlsrec *t = &c->tlsrec;
	const char *v = tlsrec_version_str(t->version);
	o->flags |= HT_CF_TLS | HT_CF_TLS_UNDECODED;
	o->t_connect_start = c->t_connect_start;
	o->t_connect_done = c->tunnel[0] ? c->t_tunnel_done : c->t_connect_done;
	o->t_tls_start = t->t_start;
	o->t_tls_done = t->t_done;
	o->sni = CSTR(t->sni);
	o->alpn_offered = CSTR(t->alpn_offered);
	o->tls_version = v ? bounded(v, 8) : bounded("", 1);
	o->alpn = CSTR(t->alpn);
}

/* Whether client connection @c closes having carried no request while
 * followed as HTTP, or after a TLS handshake a hook decoded with nothing
 * sent in it yet (HT_CF_NO_REQUEST): not one that showed another protocol
 * (opaque, or a server that spoke first with no HTTP/2 preface), TLS no
 * hook decoded (counted apart), one in a SOCKS handshake, or a plain
 * connection that never sent a byte (nothing says it was HTTP's: a port
 * check, a database client that gave up). */
static bool closed_unused(const conn *c)
{
	if (c->server || c->nreq != 0 || c->early_foreign)
		return false;
	if (c->mode == CONN_MODE_HTTP1 || c->mode == CONN_MODE_HTTP2)
		return true;
	return c->mode == CONN_MODE_DETECT && c->tls;
}

/* @c closes with no request (closed_unused()): its times and the
 * handshake the TLS hooks saw, into @o. */
static void describe_unused(const conn *c, ht_rec_conn_close *o)
{
	o->flags |= HT_CF_NO_REQUEST;
	o->t_connect_start = c->t_connect_start;
	o->t_connect_done = c->tunnel[0] ? c->t_tunnel_done : c->t_connect_done;
	o->t_tls_start = c->t_tls_start;
	o->t_tls_done = c->t_tls_done;
	o->tls_version = CSTR(c->tls_version);
	o->alpn = CSTR(c->alpn);
}

void conn_stdio_opened(conn *c)
{
	c->stdio = true;
}

void conn_stdio_end(conn *c, uint64_t now)
{
	if (!c->stdio || c->tls)
		return;
	c->stdio = false; /* said once */
	fail_all(c, HT_ERR_UNFOLLOWED, now);
	conn_note(c, conn_stdio_why(c->server));
}

const char *conn_stdio_why(bool server)
{
	return server ? "a server connection read or written through stdio "
			"(fdopen), whose calls the tracer cannot see: what "
			"went through it not followed"
		      : "a connection read or written through stdio (fdopen), "
			"whose calls the tracer cannot see: what went through "
			"it not followed";
}

void conn_close(conn *c, uint64_t now)
{
	if (c->closed)
		return;
	shared_end(c, now);
	c->closed = true;
	struct ht_live *taken = conn_live_conn_end(c);
	conn_release_held(c);
	conn_stdio_end(c, now); /* (what was held fed first) */
	conn_ws_end(c, 0, now);
	/* The program closes it with its last call interrupted by a signal:
	 * what was in flight was cut by the signal, not by the peer. */
	unsigned cut = c->intr && !c->server ? HT_ERR_INTERRUPTED : HT_ERR_CLOSED;
	/* bytes that never formed a method and its SP: no request */
	(void)conn_drop_unformed(c, false);
	if (!c->failed) {
		if (c->server) {
			conn_server_closing(c, now);
			conn_server_ends(c, now);
		} else if (!c->dead && c->mode == CONN_MODE_HTTP1 && !c->peer_eof) {
			/* A close-delimited body the program stopped reading is
			 * cut short; anything else in flight never finished. */
			h1_event ev = h1_finish(&c->in);
			conn_request *r = q_answered(c);
			if (r && (ev & (H1_EV_COMPLETE | H1_EV_ERROR)) &&
			    r->t[HT_T_FIRST_BYTE])
				emit_oldest(c, cut, true, now);
		}
		fail_all(c, cut, now);
	}
	if (!c->failed && !c->connected)
		conn_connect_cut(c, now, taken);
	if (!c->failed && c->connected && !conn_raw_tls_failed(c, now, taken) &&
	    !conn_tls_cut(c, now, taken)) {
		ht_record rec;
		memset(&rec, 0, sizeof rec);
		rec.type = HT_REC_CONN_CLOSE;
		rec.u.close.pid = c->pid;
		rec.u.close.conn_id = c->id;
		rec.u.close.requests = c->nreq;
		rec.u.close.flags = (c->peer_eof ? HT_CF_PEER_EOF : 0) |
				    (c->tls ? HT_CF_TLS : 0) |
				    (c->server ? HT_CF_SERVER : 0);
		rec.u.close.peer = c->peer;
		rec.u.close.t_close = now;
		rec.u.close.t_idle_since = c->t_idle_since;
		/* a server's requests were counted as written */
		rec.u.close.bytes_out = c->server ? c->bytes_in : c->bytes_out;
		rec.u.close.bytes_in = c->server ? c->bytes_out : c->bytes_in;
		rec.u.close.peer_path = CSTR(c->peer_path);
		if (c->mode == CONN_MODE_TLS && !c->tls && c->tlsrec.client_hello)
			describe_tls(c, &rec.u.close);
		else if (closed_unused(c))
			describe_unused(c, &rec.u.close);
		emit(c, &rec);
	}
	c->dead = true;
	conn_h2_release(c);
	conn_hold_free(c);
	conn_queue_free(c);
}

bool conn_close_wants_stream_end(conn *c)
{
	conn_release_held(c);
	return !c->server && !c->tls && !c->closed && !c->dead &&
	       !c->failed && !c->peer_eof && c->mode == CONN_MODE_HTTP1 &&
	       c->peer.family != HT_AF_UNIX && h1_responses_followed(c) &&
	       !c->early_answer && h1_state(&c->in) == H1_ST_BODY &&
	       c->in.msg.body_by_close && q_answered(c) != NULL;
}

bool conn_stream_ended_whole(int tcp_state, long unread)
{
	/* The states a connection reaches only past the peer's FIN
	 * (RFC 9293 3.3.2): CLOSE_WAIT; LAST_ACK once the program shut its
	 * own side after it; CLOSING when both FINs crossed.  TIME_WAIT and
	 * CLOSE are left out: an open socket shows CLOSE after a reset too. */
	bool fin = tcp_state == TCP_CLOSE_WAIT || tcp_state == TCP_LAST_ACK ||
		   tcp_state == TCP_CLOSING;
	return fin && unread == 0;
}

void conn_close_stream_end(conn *c, int tcp_state, long unread,
			   uint64_t received)
{
	/* every byte the kernel took in was read here: no other process
	 * sharing the socket (a forked child), no call the hooks do not see,
	 * read any of it.  The peer's FIN takes a sequence number of its
	 * own, which Linux counts in tcpi_bytes_received: one more. */
	if (conn_stream_ended_whole(tcp_state, unread) &&
	    received == c->bytes_in_before_fork + c->bytes_in + 1)
		conn_on_eof(c, c->t_in_last);
}

bool conn_nothing_written_seen(const conn *c)
{
	return !c->server && !c->tls && c->mode == CONN_MODE_DETECT &&
	       !c->early_foreign && c->bytes_out == 0 && !c->failed &&
	       !c->dead;
}

void conn_writes_unseen(conn *c)
{
	conn_note(c, "bytes written on a connection by calls the tracer "
		     "cannot see (stdio's writes inside libc, a raw system "
		     "call, another process sharing it), none seen: its "
		     "requests not followed");
}

void conn_on_exit(conn *c, uint64_t now)
{
	if (c->closed || c->failed || c->dead)
		return;
	conn_release_held(c);
	conn_stdio_end(c, now);
	shared_end(c, now);
	(void)conn_drop_unformed(c, false);
	fail_all(c, HT_ERR_EXITED, now);
	/* a connect or handshake under way ended with the process: no
	 * failure of its own at the close that follows (conn_connect_cut(),
	 * conn_tls_cut()) */
	if (!c->connected)
		c->failed = true;
	if (c->tls && !c->t_tls_done)
		c->tls_failed = true;
}

bool conn_in_flight(const conn *c)
{
	if (c->dead || c->closed || c->failed)
		return false;
	if (c->mode == CONN_MODE_HTTP2)
		return conn_h2_open_streams(c) > 0;
	return c->mode == CONN_MODE_HTTP1 && conn_h1_in_flight(c);
}

bool conn_h1_in_flight(const conn *c)
{
	if (c->dead || c->closed || c->failed || c->unseen)
		return false;
	h1_state_public out = h1_state(&c->out), in = h1_state(&c->in);
	return c->q_len > 0 || c->q_untracked > 0 || c->spill_active ||
	       c->early_answer || out == H1_ST_HEADERS || out == H1_ST_BODY ||
	       in == H1_ST_HEADERS || in == H1_ST_BODY;
}

/* Both processes can read and write the connection a fork shared with
 * requests in flight: which of them reads which response is known to
 * neither, so no response on it is paired any more. */
static const char shared_why[] =
	"a connection shared with a forked process while requests were in "
	"flight on it: not followed from there on";

/* Bytes @c's socket carried in each direction by this process's hooks
 * (and its parents' before the fork that made it): a server's requests
 * are counted as written, its responses as read (conn_close()). */
static uint64_t socket_read(const conn *c)
{
	return c->server ? c->bytes_out + c->bytes_out_before_fork
			 : c->bytes_in + c->bytes_in_before_fork +
				   conn_held_bytes(c);
}

static uint64_t socket_written(const conn *c)
{
	return c->server ? c->bytes_in + c->bytes_in_before_fork
			 : c->bytes_out + c->bytes_out_before_fork;
}

conn_counts_verdict conn_tcp_counts_verdict(const conn *c,
					    const conn_tcp_counts *k, bool out,
					    uint64_t n)
{
	int st = k->state;
	if (st == TCP_SYN_SENT || st == TCP_SYN_RECV || st == TCP_CLOSE ||
	    st == TCP_LISTEN || k->unread < 0 || k->unsent < 0)
		return CONN_COUNTS_FOREIGN;
	if (k->state_moved)
		return CONN_COUNTS_MOVING;
	/* The FINs take a sequence number each (RFC 9293 3.3.2): the peer's
	 * is in received past it (CLOSE_WAIT, LAST_ACK, CLOSING; TIME_WAIT
	 * is never an open socket's), ours in acked + unsent once the
	 * program shut its side (FIN_WAIT1/2, CLOSING, LAST_ACK).  A client's
	 * SYN is in acked (Linux counts the SYN-ACK's acknowledgement of
	 * it); an accepted socket's is not (it starts past its SYN).  The
	 * state did not move between the two TCP_INFO calls: neither did
	 * the FINs. */
	uint64_t fin_in = st == TCP_CLOSE_WAIT || st == TCP_LAST_ACK ||
			  st == TCP_CLOSING;
	uint64_t fin_out = st == TCP_FIN_WAIT1 || st == TCP_FIN_WAIT2 ||
			   st == TCP_CLOSING || st == TCP_LAST_ACK;
	uint64_t syn = !c->server;
	uint64_t unread = (uint64_t)k->unread, unsent = (uint64_t)k->unsent;
	if (k->received < unread + fin_in || k->acked + unsent < syn + fin_out)
		return CONN_COUNTS_FOREIGN;
	/* the upper bounds (the second TCP_INFO's counts); the lower ones
	 * are @arrived and @acks below them */
	uint64_t took = k->received - unread - fin_in;
	uint64_t gave = k->acked + unsent - syn - fin_out;
	uint64_t mine_in = socket_read(c) + (out ? 0 : n);
	uint64_t mine_out = socket_written(c) + (out ? n : 0);
	/* an upper bound below ours (counts that do not add up: never taken
	 * as a proof), or a lower one above it (another reader or writer,
	 * or a call of one of our threads not fed yet) */
	if (took < mine_in || gave < mine_out ||
	    took > mine_in + k->arrived || gave > mine_out + k->acks)
		return CONN_COUNTS_FOREIGN;
	return took == mine_in && gave == mine_out ? CONN_COUNTS_MINE
						   : CONN_COUNTS_MOVING;
}

bool conn_tcp_counts_mine(const conn *c, const conn_tcp_counts *k, bool out,
			  uint64_t n)
{
	return conn_tcp_counts_verdict(c, k, out, n) == CONN_COUNTS_MINE;
}

void conn_fork_shared(conn *c, uint64_t now, const conn_tcp_counts *k,
		      bool writing)
{
	/* a write in flight at the fork: its request, not fed yet, is in
	 * flight all the same */
	if (!conn_in_flight(c) && !writing)
		return;
	/* a write in flight: the kernel's counts have bytes of it not yet
	 * ours; its end asks them (conn_shared_check()) before its request
	 * is fed */
	if (writing && !conn_in_flight(c)) {
		c->fork_shared = true;
		return;
	}
	/* Unproven yet (counts moving, or above ours: a read of one of our
	 * threads, returned and not fed yet, counts as much as the child's
	 * would), a plain HTTP/1.x connection is followed on: every call on
	 * it that could pair is proven before it is fed (conn_shared_check()),
	 * and that proof covers every byte since the fork (the counts only
	 * grow).  Not so a hooked TLS session's (plaintext the library read
	 * before the fork is fed with no socket call to prove it) nor
	 * another mode's: proven here or given up. */
	conn_counts_verdict v = k ? conn_tcp_counts_verdict(c, k, false, 0)
				  : CONN_COUNTS_FOREIGN;
	bool plain = k && !c->tls && c->mode == CONN_MODE_HTTP1;
	if (v == CONN_COUNTS_MINE || plain) {
		c->fork_shared = true;
		conn_live_shared(c);
		return;
	}
	c->fork_shared = false;
	conn_give_up(c, HT_ERR_SHARED, shared_why, now);
}

bool conn_shared_unasked(const conn *c, bool out, uint64_t n)
{
	return !out && !c->server && !c->tls && c->mode == CONN_MODE_HTTP1 &&
	       !conn_holding(c) && !c->spill_active && !c->early_answer &&
	       h1_body_continues(&c->in, n);
}

void conn_shared_check(conn *c, const conn_tcp_counts *k, bool out,
		       uint64_t n, uint64_t now)
{
	if (!c->fork_shared)
		return;
	conn_counts_verdict v =
		k ? conn_tcp_counts_verdict(c, k, out, n) : CONN_COUNTS_FOREIGN;
	if (v == CONN_COUNTS_MINE ||
	    (v == CONN_COUNTS_MOVING && conn_shared_unasked(c, out, n)))
		return;
	c->fork_shared = false;
	if (conn_in_flight(c))
		conn_give_up(c, HT_ERR_SHARED, shared_why, now);
}

void conn_shared_settle(conn *c)
{
	if (c->fork_shared && !conn_in_flight(c))
		c->fork_shared = false;
}

/* @c ends (the program's close, its exit) while a fork shares it with
 * requests in flight: the other process may still read their answers,
 * so they are not followed rather than cut. */
static void shared_end(conn *c, uint64_t now)
{
	if (!c->fork_shared)
		return;
	conn_release_held(c);
	c->fork_shared = false;
	if (conn_in_flight(c))
		conn_give_up(c, HT_ERR_SHARED, shared_why, now);
}

void conn_reset_after_fork(conn *c, uint32_t pid, bool writing)
{
	const h1_options *opt = c->out.opt;
	/* In flight at the fork: the parent reports those requests as not
	 * followed (conn_fork_shared()); the child's own are not followed
	 * either (below).  Met once per fd naming the connection: the
	 * second time the queue is empty, and the mark is kept. */
	bool shared = conn_in_flight(c) || writing;
	c->pid = pid;
	/* the parent's question (conn_fork_shared()), not the child's */
	c->fork_shared = false;
	c->bytes_in_before_fork += c->bytes_in;
	c->bytes_out_before_fork += c->bytes_out;
	c->bytes_out = c->bytes_in = 0; /* the child's own traffic from here */
	/* the connection slot is the parent's (the page is shared) */
	c->live_conn = NULL;
	c->live_conn_ref = 0;
	/* so is the write mark; the child's requests claim one of their own */
	c->live_wmark = NULL;
	c->live_wpage = NULL;
	c->live_reqs = 0;
	c->q_len = 0;
	c->q_head = 0;
	c->q_untracked = 0;
	c->q_blind = false;
	c->spill_active = false;
	c->early_answer = false;
	c->srv_asked_close = false; /* an answer of the parent's */
	c->t_idle_since = 0;
	c->hold_len = c->hold_last = 0; /* the parent's events */
	c->hold_lost = false;
	/* The child's first request here is a reuse of the parent's
	 * connection, never its first (a server's child may be the one that
	 * answers the connection its parent accepted). */
	if (c->nreq == 0 && !c->server)
		c->nreq = 1;
	h1_init(&c->out, H1_REQUEST, opt);
	h1_init(&c->in, H1_RESPONSE, opt);
	if (c->mode == CONN_MODE_DETECT && (c->early_len || c->early_foreign)) {
		/* the server spoke first: not HTTP/1.x, and the HTTP/2 it may
		 * be is not followed in the child (below) */
		c->early_len = 0;
		c->early_foreign = false;
		c->mode = CONN_MODE_OPAQUE;
	}
	if (c->mode == CONN_MODE_HTTP1 || c->mode == CONN_MODE_DETECT)
		c->mode = CONN_MODE_HTTP1;
	/* A shared connection: the child's requests are parsed, each
	 * reported as not followed, their responses never paired (no
	 * record here: the child has no collector yet; an HTTP/2 one is not
	 * followed at all, below). */
	if (shared && c->mode == CONN_MODE_HTTP1) {
		c->unseen = true;
		c->unseen_error = HT_ERR_SHARED;
	}
	/* The handshake of TLS no hook decodes is the parent's: the child's
	 * close is an ordinary one. */
	if (c->mode == CONN_MODE_TLS)
		c->mode = CONN_MODE_OPAQUE;
	/* HPACK state cannot be shared with the parent: an HTTP/2
	 * connection is not followed in the child.  Released in any mode:
	 * one given up unframed (opaque) may keep a memory-BIO stream
	 * waiting for its ciphertext, the parent's to report, never the
	 * child's (its close would report it a second time). */
	conn_h2_release(c);
	if (c->mode == CONN_MODE_HTTP2)
		c->mode = CONN_MODE_OPAQUE;
	/* The WebSocket session is the parent's: its record is the
	 * parent's to send. */
	if (c->mode == CONN_MODE_WS) {
		conn_ws_after_fork(c);
		c->mode = CONN_MODE_OPAQUE;
	}
}

/* ---- for conn_server.c ----------------------------------------------------- */

conn_request *conn_answered(conn *c)
{
	return q_answered(c);
}

void conn_emit_answered(conn *c, unsigned error, uint64_t now)
{
	emit_oldest(c, error, true, now);
}

void conn_skip_unseen(conn *c, size_t len, uint64_t now, unsigned error,
		      const char *why)
{
	skip_unseen(c, len, now, error, why);
}
