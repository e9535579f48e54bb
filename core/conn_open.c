/*
 * conn_open.c - a connection's opening (see conn.h): its peer, DNS and
 * connect moments, TLS, a failed connect or handshake, and the tunnels
 * (CONNECT, SOCKS) that open an inner connection.
 */
#include "conn_internal.h"
#include "live.h"

#include <errno.h>
#include <string.h>

void conn_init(conn *c, const conn_env *env, uint32_t pid, uint32_t id,
	       const ht_addr *peer, uint64_t now)
{
	memset(c, 0, sizeof *c);
	c->env = env;
	c->pid = pid;
	c->id = id;
	if (peer)
		c->peer = *peer;
	c->t_connect_start = now;
	c->mode = CONN_MODE_DETECT;
	h1_init(&c->out, H1_REQUEST, env->opt);
	h1_init(&c->in, H1_RESPONSE, env->opt);
	if (peer && peer->family != HT_AF_UNIX)
		conn_live_conn_start(c);
}

void conn_set_unix_path(conn *c, const char *path, size_t len)
{
	size_t o = 0;
	c->peer.family = HT_AF_UNIX;
	c->peer.port = 0;
	if (len > 0 && path[0] == '\0') {
		c->peer_path[o++] = '@';
		path++;
		len--;
	} else {
		len = strnlen(path, len); /* a pathname ends at its NUL */
	}
	if (len > sizeof c->peer_path - 1 - o)
		len = sizeof c->peer_path - 1 - o;
	memcpy(c->peer_path + o, path, len);
	c->peer_path[o + len] = '\0';
}

void conn_set_dns(conn *c, const char *name, uint64_t t_start, uint64_t t_done)
{
	copy_cstr(c->dns_name, sizeof c->dns_name, name);
	c->t_dns_start = t_start;
	c->t_dns_done = t_done;
	conn_live_conn_sync(c);
}

void conn_connected(conn *c, uint64_t now)
{
	if (c->connected || c->failed)
		return;
	c->connected = true;
	c->t_connect_done = now;
	/* A handshake begun before the connection was known to be up (its
	 * first writes waited for the connect): its phase starts here, so
	 * that the connect and TLS phases do not overlap. */
	if (c->t_tls_start && c->t_tls_start < now)
		c->t_tls_start = now;
	conn_live_conn_sync(c);
}

/* Emit HT_REC_CONN_FAIL: the connect failed with @err, or (HT_FF_TLS in
 * @flags) the TLS handshake failed, at @now (with HT_FF_TLS_ALERT_*: by
 * @alert); its connection slot just ended (conn_live_conn_end(): @taken,
 * the page of a collector that stopped and reported it in flight, where it
 * is counted instead). */
static void emit_fail(conn *c, int err, uint32_t flags, uint8_t alert,
		      uint64_t now, ht_live *taken)
{
	ht_record rec;

	if (taken != NULL) {
		ht_live_count_taken(taken, false);
		return;
	}
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_CONN_FAIL;
	rec.u.fail.pid = c->pid;
	rec.u.fail.conn_id = c->id;
	rec.u.fail.err = err;
	rec.u.fail.flags = flags;
	rec.u.fail.peer = c->peer;
	rec.u.fail.t_dns_start = c->t_dns_start;
	rec.u.fail.t_dns_done = c->t_dns_done;
	rec.u.fail.t_connect_start = c->t_connect_start;
	rec.u.fail.t_connect_done = c->t_connect_done;
	rec.u.fail.t_tls_start = c->t_tls_start;
	rec.u.fail.t_fail = now;
	rec.u.fail.tls_alert = alert;
	rec.u.fail.dns_name = bounded(conn_host_name(c), sizeof c->dns_name);
	char host[sizeof c->tunnel];
	if (c->tunnel[0]) {
		/* A TLS handshake inside a tunnel failed with the target:
		 * name it (its host, without the port), and the connection
		 * was up when the tunnel was. */
		copy_cstr(host, sizeof host, c->tunnel);
		char *colon = strrchr(host, ':');
		if (colon && (host[0] != '[' || colon[-1] == ']'))
			*colon = '\0';
		size_t n = strlen(host);
		if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
			host[n - 1] = '\0';
			memmove(host, host + 1, n - 1);
		}
		rec.u.fail.dns_name = CSTR(host);
		rec.u.fail.t_connect_done = c->t_tunnel_done;
		/* after a CONNECT (a SOCKS tunnel has no request before) */
		if (c->inner_base > 0)
			rec.u.fail.flags |= HT_FF_TUNNEL;
	}
	emit(c, &rec);
}

void conn_connect_failed(conn *c, int err, uint64_t now)
{
	if (c->connected || c->failed)
		return;
	c->failed = true;
	c->dead = true;
	emit_fail(c, err, 0, 0, now, conn_live_conn_end(c));
	conn_hold_free(c);
}

void conn_tls_start(conn *c, uint64_t now)
{
	c->tls = true;
	if (c->t_tls_start)
		return;
	c->t_tls_start = now;
	if (!c->connected || now >= c->t_connect_done) {
		conn_live_conn_sync(c);
		return;
	}
	/* The connect was proven after the handshake call began: by that
	 * call's own first bytes (the hooks report the start after the
	 * call), written at once, so the connection was up when the
	 * program began the handshake.  Unless the connection began after
	 * the handshake did (TCP Fast Open: the ClientHello opened it):
	 * then the handshake's phase starts when the connection was up. */
	if (now >= c->t_connect_start)
		c->t_connect_done = now;
	else
		c->t_tls_start = c->t_connect_done;
	conn_live_conn_sync(c);
}

/* (copy_cstr() keeps under the size: lengths of a byte) */
_Static_assert(CONN_TLSVER_MAX <= 256 && CONN_ALPN_MAX <= 256,
	       "tls_version_len, alpn_len are bytes");

void conn_tls_done(conn *c, uint64_t now, const char *version, const char *alpn)
{
	c->tls = true;
	if (version)
		c->tls_version_len = (uint8_t)copy_cstr(
			c->tls_version, sizeof c->tls_version, version);
	if (alpn)
		c->alpn_len = (uint8_t)copy_cstr(c->alpn, sizeof c->alpn, alpn);
	/* the live slot shows the session with the handshake's end */
	if (!c->t_tls_done) {
		c->t_tls_done = now;
		conn_live_conn_sync(c);
	}
	/* With ALPN h2 the server may speak first (its SETTINGS) before the
	 * client's preface: HTTP/2 from the handshake on. */
	if (c->mode == CONN_MODE_DETECT && strcmp(c->alpn, "h2") == 0)
		c->mode = conn_h2_start(c) == 0 ? CONN_MODE_HTTP2 : CONN_MODE_OPAQUE;
}

void conn_tls_failed(conn *c, uint64_t now)
{
	c->tls = true;
	if (c->tls_failed || c->t_tls_done || c->nreq > c->inner_base || c->failed)
		return;
	c->tls_failed = true;
	c->t_tls_done = now;
	emit_fail(c, 0, HT_FF_TLS, 0, now, conn_live_conn_end(c));
}

bool conn_raw_tls_failed(conn *c, uint64_t now, ht_live *taken)
{
	const tlsrec *t = &c->tlsrec;
	if (c->server || c->tls || c->mode != CONN_MODE_TLS || c->failed ||
	    !c->connected)
		return false;
	enum tlsrec_verdict v = tlsrec_verdict(t);
	if (v == TLSREC_NO_FAILURE)
		return false;
	uint32_t flags = HT_FF_TLS | HT_FF_TLS_CLOSED;
	uint8_t alert = 0;
	if (v == TLSREC_FAILED_ALERT) {
		flags = HT_FF_TLS | (t->alert_out ? HT_FF_TLS_ALERT_CLIENT
						  : HT_FF_TLS_ALERT_SERVER);
		alert = t->alert_desc;
	}
	/* as a hook's failed handshake: it began with the ClientHello */
	c->t_tls_start = t->t_start;
	emit_fail(c, 0, flags, alert, now, taken);
	return true;
}

void conn_connect_cut(conn *c, uint64_t now, ht_live *taken)
{
	/* not a forked child's copy of its parent's attempt (nreq), nor a
	 * Unix socket's (followed only once its bytes look like HTTP) */
	if (c->server || c->connected || c->failed || c->nreq != 0 ||
	    !c->t_connect_start || c->peer.family == HT_AF_UNIX)
		return;
	c->failed = true;
	emit_fail(c, ECANCELED, 0, 0, now, taken);
}

bool conn_tls_cut(conn *c, uint64_t now, ht_live *taken)
{
	if (c->server || !c->tls || !c->t_tls_start || c->t_tls_done ||
	    c->tls_failed || c->failed || !c->connected || c->tunnel[0] ||
	    c->nreq != 0 || c->bytes_in != 0 || c->intr)
		return false;
	/* The program gave up on it (a timeout) with not a byte from the
	 * server: its handshake cannot have completed (a done the hooks
	 * missed, as Node's after its own certificate check fails, read the
	 * server's flight), as a raw one closed before its end.  Not after a
	 * signal cut its wait (@intr: Ctrl-C unwinding, the user's doing, not
	 * a failure) nor at the process's end (conn_on_exit()). */
	c->tls_failed = true;
	emit_fail(c, 0, HT_FF_TLS | HT_FF_TLS_CLOSED, 0, now, taken);
	return true;
}

void conn_mark_tls(conn *c)
{
	if (c->tls)
		return;
	/* What was read before and held is ciphertext: it goes in as such
	 * now, never later as plaintext. */
	if (conn_holding(c))
		conn_release_held(c);
	c->tls = true;
	c->early_len = 0; /* ciphertext, if anything */
	c->early_foreign = false;
	if ((c->mode == CONN_MODE_OPAQUE || c->mode == CONN_MODE_TLS) &&
	    c->nreq == c->inner_base && !c->dead) {
		/* HTTP/2 state the ciphertext led to is meaningless, and
		 * conn_h2_start() would allocate afresh over it (a leak). */
		conn_h2_release(c);
		c->mode = CONN_MODE_DETECT;
		h1_init(&c->out, H1_REQUEST, c->out.opt);
		h1_init(&c->in, H1_RESPONSE, c->in.opt);
	}
}

void conn_on_transport(conn *c, bool out, size_t n, uint64_t now)
{
	if (out)
		c->bytes_out += n;
	else
		c->bytes_in += n;
	if (n && !c->connected && !c->failed)
		conn_connected(c, now);
	/* (a server's socket writes count as bytes_in: its responses) */
	if (c->wire_wait && !out && !conn_wire_owed(c))
		conn_wire_release(c, HT_ERR_NONE, false, now);
	/* (only a memory-BIO session, tls_made told, has streams waiting;
	 * an HTTP/2 connection given up unframed still has them) */
	if (c->tls_made && !out && conn_h2_waiting(c))
		conn_h2_wire(c, now);
}

void conn_tls_made(conn *c, uint64_t n)
{
	if (n > c->tls_made)
		c->tls_made = n;
}

void conn_tls_call_wrote(conn *c, uint64_t t_call, uint64_t now)
{
	if (t_call == 0 || c->t_tls_start || !conn_tls_hello_wanted(c))
		return;
	/* proven up by these bytes, as conn_connected() would say, without
	 * showing the connect alone first: conn_tls_start() may move its
	 * end back to the call's start */
	if (!c->connected && !c->failed) {
		c->connected = true;
		c->t_connect_done = now;
	}
	conn_tls_start(c, t_call);
}

void conn_tls_hello_out(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	if (!conn_tls_hello_wanted(c) || len == 0)
		return;
	tlsrec_feed(&c->tlsrec, true, buf, len, now);
	/* read whole: its name and start go to the live slot */
	if (c->tlsrec.out.hs_done)
		conn_live_conn_sync(c);
}

const char *conn_host_name(const conn *c)
{
	if (c->dns_name[0] != '\0')
		return c->dns_name;
	/* before the first request, the records read are this
	 * connection's own handshake (a tunnel's inner one comes after its
	 * CONNECT, and names its target itself) */
	if (!c->server && c->nreq == 0 && c->tlsrec.client_hello)
		return c->tlsrec.sni;
	return "";
}

/* ---- tunnels --------------------------------------------------------------- */

/* The proxy granted a tunnel to @target at @now: from the next byte on,
 * the connection carries a new inner connection, read afresh. */
void tunnel_open(conn *c, const char *target, uint64_t now)
{
	/* Requests pipelined behind the CONNECT went into the tunnel as
	 * bytes, not to the proxy: they were never requests of its. */
	fail_all(c, HT_ERR_CLOSED, now);
	copy_cstr(c->tunnel, sizeof c->tunnel, target);
	c->inner_base = c->nreq;
	c->q_blind = false;
	c->t_tunnel_done = now;
	c->t_idle_since = 0;
	c->resp_1xx_header_bytes = 0;
	c->mode = CONN_MODE_DETECT;
	c->early_len = 0;
	c->early_foreign = false;
	h1_init(&c->out, H1_REQUEST, c->out.opt);
	h1_init(&c->in, H1_RESPONSE, c->in.opt);
	/* TLS inside the tunnel is the inner connection's own.  Through an
	 * HTTPS proxy (TLS to the proxy), the inner TLS session's calls are
	 * the ones the hooks then see on this socket (the proxy session's
	 * run inside them): they mark the connection TLS again. */
	c->tls = false;
	c->t_tls_start = c->t_tls_done = 0;
	c->tls_version[0] = c->alpn[0] = '\0';
	c->tls_version_len = c->alpn_len = 0;
	c->tls_failed = false;
}

/* The client wrote SOCKS handshake bytes. */
void socks_write(conn *c, const uint8_t *buf, size_t len)
{
	if (socks_client(&c->socks, buf, len) != SOCKS_MORE)
		c->mode = CONN_MODE_OPAQUE;
}

/* The client read SOCKS handshake bytes; returns how many belonged to the
 * handshake (the rest, once the tunnel is up, is the inner connection's). */
size_t socks_read(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	size_t used = 0;
	switch (socks_server(&c->socks, buf, len, &used)) {
	case SOCKS_DONE: {
		char target[sizeof c->tunnel];
		socks_target(&c->socks, target, sizeof target);
		tunnel_open(c, target, now);
		return used;
	}
	case SOCKS_FAIL:
		c->mode = CONN_MODE_OPAQUE;
		return len;
	default:
		return len;
	}
}
