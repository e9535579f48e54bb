/*
 * url.h - a request's URL, host name and peer address as every format and
 * exporter prints them (text, json, har, html, otlp, the Prometheus
 * labels), derived once per record by report_record().
 *
 * Pure: no I/O, no allocation; each writes into the caller's buffer
 * through an outbuf in a fixed block (outbuf_init_fixed()), always
 * NUL-terminated and cut to fit.  IPv4 addresses are formatted by hand
 * (inet_ntop() goes through sprintf: too slow per record).
 */
#ifndef HT_URL_H
#define HT_URL_H

#include <stddef.h>

#include "wire.h"

/*
 * url_request() - the request's URL into @buf (capacity @cap > 0), always
 * NUL-terminated, truncated to fit.  Returns the length written.
 * A proxy-form target (http:// or https://) is used as is; a CONNECT's
 * authority-form target too.  Otherwise scheme (https when HT_RF_TLS) +
 * "://" + authority + target, where the authority is the Host header as
 * sent, else (inside a tunnel) the tunnel's target without the scheme's
 * default port, else the DNS name, else the peer IP ([v6]; a server's
 * record: its own address, the peer being the client; none when the
 * record lacks it), else "localhost" for a Unix socket; the DNS name and
 * IP get ":port" unless it is the scheme's default.
 */
size_t url_request(char *buf, size_t cap, const ht_rec_request *r);

/*
 * url_ws() - a WebSocket session's URL into @buf (capacity @cap > 0,
 * NUL-terminated, truncated): as url_request() gives its upgrade
 * request's, with the scheme ws or wss.  Returns the length written.
 */
size_t url_ws(char *buf, size_t cap, const ht_rec_ws *w);

/*
 * url_host() - the request's host name into @buf (capacity @cap > 0,
 * NUL-terminated, truncated): inside a tunnel its target's host; else the
 * DNS name, else the Host header without its port (and without the
 * brackets of an IPv6 literal), else the peer IP (a server's record: its
 * own address, "" when the record lacks it; "localhost" for a Unix
 * socket).
 * Returns the length written; 0 when nothing is known.
 */
size_t url_host(char *buf, size_t cap, const ht_rec_request *r);

/*
 * url_ip() - the address of @a without port ("10.0.0.1", "::1") into
 * @buf (capacity >= 46); "" when the family is unknown.  Returns the length.
 */
size_t url_ip(char *buf, size_t cap, const ht_addr *a);

/*
 * url_peer() - "10.0.0.1:80" or "[::1]:80" into @buf (capacity >= 56);
 * "" when the family is unknown.  Returns the length.
 */
size_t url_peer(char *buf, size_t cap, const ht_addr *a);

/*
 * url_peer_of() - as url_peer(), but "unix:PATH" (@path) when @a is
 * a Unix socket (HT_AF_UNIX).  @cap >= 56.
 */
size_t url_peer_of(char *buf, size_t cap, const ht_addr *a, ht_str path);

/*
 * url_port() - the port of the authority of the absolute URL @url (@len
 * bytes; ":port" after the host, IPv6 brackets allowed), else the
 * scheme's default (443 for https, else 80).
 */
unsigned url_port(const char *url, size_t len);

#endif
