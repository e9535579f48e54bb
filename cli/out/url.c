/* url.c - URLs, host names and peer addresses of requests; see url.h. */
#include "url.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "json.h"

/* NUL-terminate the string @b built; its length. */
static size_t str_end(outbuf *b)
{
	outbuf_str(b);
	return outbuf_len(b);
}

static void put_port(outbuf *b, unsigned port)
{
	char tmp[1 + JSON_U64_MAX_LEN];

	/* Through a copy: outbuf_put() keeps what fits in a fixed block. */
	tmp[0] = ':';
	outbuf_put(b, tmp, (size_t)(json_fmt_u64(tmp + 1, port) - tmp));
}

size_t url_ip(char *buf, size_t cap, const ht_addr *a)
{
	int af = a->family == AF_INET6 ? AF_INET6 : AF_INET;

	buf[0] = '\0';
	if (a->family == AF_INET && cap >= INET_ADDRSTRLEN) {
		/* inet_ntop() goes through sprintf: too slow per record. */
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			unsigned v = a->addr[i];

			if (v >= 100) {
				*p++ = (char)('0' + v / 100);
				v %= 100;
				*p++ = (char)('0' + v / 10);
			} else if (v >= 10) {
				*p++ = (char)('0' + v / 10);
			}
			*p++ = (char)('0' + v % 10);
			*p++ = '.';
		}
		p[-1] = '\0';
		return (size_t)(p - 1 - buf);
	}
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(af, a->addr, buf, (socklen_t)cap) == NULL) {
		buf[0] = '\0';
		return 0;
	}
	return strlen(buf);
}

/* Append the peer IP, [bracketed] when IPv6. */
static void put_ip(outbuf *b, const ht_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n = url_ip(ip, sizeof(ip), a);

	if (n == 0)
		return;
	if (a->family == AF_INET6)
		outbuf_put(b, "[", 1);
	outbuf_put(b, ip, n);
	if (a->family == AF_INET6)
		outbuf_put(b, "]", 1);
}

size_t url_peer(char *buf, size_t cap, const ht_addr *a)
{
	outbuf b;

	if (a->family == AF_INET && cap >= INET_ADDRSTRLEN + 7) {
		/* The usual case, written in place: the address, ':' and
		 * at most 5 digits and the NUL fit (a tenth of a -f summary
		 * record went through the block below). */
		size_t n = url_ip(buf, cap, a);

		buf[n] = ':';
		n = (size_t)(json_fmt_u64(buf + n + 1, a->port) - buf);
		buf[n] = '\0';
		return n;
	}
	outbuf_init_fixed(&b, buf, cap);
	put_ip(&b, a);
	if (outbuf_len(&b) > 0)
		put_port(&b, a->port);
	return str_end(&b);
}

size_t url_peer_of(char *buf, size_t cap, const ht_addr *a, ht_str path)
{
	outbuf b;

	if (a->family != HT_AF_UNIX)
		return url_peer(buf, cap, a);
	outbuf_init_fixed(&b, buf, cap);
	outbuf_puts(&b, "unix:");
	outbuf_put(&b, path.p, path.len);
	return str_end(&b);
}

/* Append the host of the authority @h (@n bytes): without ":port", and
 * without the brackets of an IPv6 literal. */
static void put_authority_host(outbuf *b, const char *h, size_t n)
{
	if (n > 0 && h[0] == '[') {
		/* "[v6]" or "[v6]:port": the address inside the brackets. */
		const char *close = memchr(h, ']', n);

		if (close != NULL) {
			n = (size_t)(close - h) - 1;
			h++;
		}
	} else {
		const char *colon = memchr(h, ':', n);

		/* Strip ":port" only when there is exactly one colon. */
		if (colon != NULL &&
		    memchr(colon + 1, ':', n - (size_t)(colon - h) - 1) == NULL)
			n = (size_t)(colon - h);
	}
	outbuf_put(b, h, n);
}

/* Append the authority @h (@n bytes), without ":@def_port". */
static void put_authority(outbuf *b, const char *h, size_t n, unsigned def_port)
{
	const char *colon = NULL;

	for (size_t i = n; i > 0; i--) {
		if (h[i - 1] == ':') {
			colon = h + i - 1;
			break;
		}
		if (h[i - 1] < '0' || h[i - 1] > '9')
			break;
	}
	if (colon != NULL && (colon == h || colon[-1] == ']' ||
			      memchr(h, ':', (size_t)(colon - h)) == NULL)) {
		unsigned port = 0;

		for (const char *d = colon + 1; d < h + n && port < 100000; d++)
			port = port * 10 + (unsigned)(*d - '0');
		if (port == def_port)
			n = (size_t)(colon - h);
	}
	outbuf_put(b, h, n);
}

/* Whether the authority @h (@n bytes) ends in ":port" ("host:1",
 * "[v6]:1"; not a bare IPv6 address, not "host:"). */
static bool authority_has_port(const char *h, size_t n)
{
	size_t i = n;

	while (i > 0 && h[i - 1] >= '0' && h[i - 1] <= '9')
		i--;
	if (i == n || i == 0 || h[i - 1] != ':')
		return false;
	/* the colon ends a bracketed address or is the only one */
	return (i >= 2 && h[i - 2] == ']') || memchr(h, ':', i - 1) == NULL;
}

static bool has_prefix_ci(ht_str s, const char *prefix)
{
	size_t n = strlen(prefix);

	/* The first letter first: most targets are "/...". */
	return s.len >= n && (s.p[0] | 0x20) == (prefix[0] | 0x20) &&
	       strncasecmp(s.p, prefix, n) == 0;
}

/* The address a request without a Host was sent to: a client's peer; a
 * server's own address (its peer is the client; family 0 when the record
 * does not carry it: no host then). */
static const ht_addr *server_addr(const ht_rec_request *r)
{
	return (r->flags & HT_RF_SERVER) ? &r->local : &r->peer;
}

size_t url_request(char *buf, size_t cap, const ht_rec_request *r)
{
	const ht_addr *to = server_addr(r);
	outbuf b;
	bool tls = (r->flags & HT_RF_TLS) != 0;
	unsigned def_port = tls ? 443 : 80;

	outbuf_init_fixed(&b, buf, cap);
	if (has_prefix_ci(r->target, "http://") ||
	    has_prefix_ci(r->target, "https://") ||
	    (r->method.len == 7 && memcmp(r->method.p, "CONNECT", 7) == 0 &&
	     r->target.len > 0)) {
		outbuf_put(&b, r->target.p, r->target.len);
		return str_end(&b);
	}

	outbuf_puts(&b, tls ? "https://" : "http://");
	if (r->host.len > 0) {
		outbuf_put(&b, r->host.p, r->host.len); /* as sent, port included */
		/* A client whose Host names no port (wget2 sends "localhost"
		 * for https://localhost:8443/) went to its peer's: the URL
		 * says that port, as it would from the DNS name below.  Not
		 * in a tunnel (the peer is the proxy), nor a server's record
		 * (its peer is the client). */
		if (!(r->flags & (HT_RF_SERVER | HT_RF_TUNNEL)) &&
		    (r->peer.family == AF_INET || r->peer.family == AF_INET6) &&
		    r->peer.port != def_port &&
		    !authority_has_port(r->host.p, r->host.len))
			put_port(&b, r->peer.port);
	} else if ((r->flags & HT_RF_TUNNEL) && r->tunnel.len > 0) {
		/* inside a tunnel: the target the proxy was asked for, not
		 * the proxy's name and port */
		put_authority(&b, r->tunnel.p, r->tunnel.len, def_port);
	} else if (r->dns_name.len > 0) {
		bool v6 = memchr(r->dns_name.p, ':', r->dns_name.len) != NULL;

		if (v6)
			outbuf_put(&b, "[", 1);
		outbuf_put(&b, r->dns_name.p, r->dns_name.len);
		if (v6)
			outbuf_put(&b, "]", 1);
		if (r->peer.family != 0 && r->peer.port != def_port)
			put_port(&b, r->peer.port);
	} else if (r->peer.family == HT_AF_UNIX) {
		outbuf_puts(&b, "localhost"); /* as curl names a Unix socket's host */
	} else if (to->family != 0) {
		put_ip(&b, to);
		if (to->port != def_port)
			put_port(&b, to->port);
	}
	/* Asterisk-form ("OPTIONS *") has no path to append. */
	if (!(r->target.len == 1 && r->target.p[0] == '*'))
		outbuf_put(&b, r->target.p, r->target.len);
	return str_end(&b);
}

size_t url_ws(char *buf, size_t cap, const ht_rec_ws *w)
{
	ht_rec_request r;
	size_t n;

	memset(&r, 0, sizeof(r));
	r.flags = ((w->flags & HT_WF_TLS) ? HT_RF_TLS : 0) |
		  ((w->flags & HT_WF_TUNNEL) ? HT_RF_TUNNEL : 0) |
		  ((w->flags & HT_WF_SERVER) ? HT_RF_SERVER : 0);
	r.peer = w->peer;
	r.method.p = "GET";
	r.method.len = 3;
	r.target = w->target;
	r.host = w->host;
	r.dns_name = w->dns_name;
	r.peer_path = w->peer_path;
	r.tunnel = w->tunnel;
	n = url_request(buf, cap, &r);
	/* http:// -> ws://, https:// -> wss:// (a proxy-form target too) */
	if (n >= 4 && strncasecmp(buf, "http", 4) == 0) {
		memmove(buf + 2, buf + 4, n - 4 + 1);
		buf[0] = 'w';
		buf[1] = 's';
		n -= 2;
	}
	return n;
}

size_t url_host(char *buf, size_t cap, const ht_rec_request *r)
{
	outbuf b;

	outbuf_init_fixed(&b, buf, cap);
	if ((r->flags & HT_RF_TUNNEL) && r->tunnel.len > 0) {
		/* the target the proxy connected to, not the proxy's name */
		put_authority_host(&b, r->tunnel.p, r->tunnel.len);
	} else if (r->dns_name.len > 0) {
		outbuf_put(&b, r->dns_name.p, r->dns_name.len);
	} else if (r->host.len > 0) {
		put_authority_host(&b, r->host.p, r->host.len);
	} else if (r->peer.family == HT_AF_UNIX) {
		outbuf_puts(&b, "localhost");
	} else {
		char ip[INET6_ADDRSTRLEN];

		outbuf_put(&b, ip, url_ip(ip, sizeof(ip), server_addr(r)));
	}
	return str_end(&b);
}

unsigned url_port(const char *url, size_t len)
{
	const char *p = memmem(url, len, "://", 3);
	const char *end = url + len, *auth;
	unsigned port = 0;
	bool https = len >= 5 && strncasecmp(url, "https", 5) == 0;

	if (p == NULL)
		return https ? 443 : 80;
	auth = p + 3;
	for (p = auth; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	end = p; /* end of the authority */
	/* After the last ':' that follows any IPv6 ']' */
	for (p = end; p > auth && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p > auth && p < end && p[-1] == ':') {
		for (const char *d = p; d < end && port <= 65535; d++)
			port = port * 10 + (unsigned)(*d - '0');
		if (port > 0 && port <= 65535)
			return port;
	}
	return https ? 443 : 80;
}
