#!/bin/bash
# test_unix_socket_tls_curl.sh - curl --unix-socket https:// to nginx
# listening with TLS on a Unix socket, HTTP/1.1 and HTTP/2 (ALPN), two URLs
# on one connection each: the socket's first bytes are a ClientHello, and
# the session's plaintext says HTTP, so every request is recorded as nginx
# logged it (status, body bytes, protocol, target), tls true, peer
# unix:PATH, one connection per run.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx

for v in 1.1 2; do
	nginx_log_mark
	curl_same "h$v" --http"$v" --cacert "$T/cert.pem" \
		--unix-socket "$NGINX_TLS_SOCK" -o /dev/null \
		https://localhost/index.html https://localhost/f/100
	[ "$(cat "$T/h$v.out")" = "200 17200 100" ] ||
		{ show "$T/h$v.out" "$T/h$v.err"; fail "curl --http$v did not get both files"; }
	nginx=$(nginx_log_since 4)
	proto=$([ "$v" = 2 ] && echo HTTP/2 || echo HTTP/1.1)
	# the traced run's two requests, after the untraced run's two
	jcheck "$T/h$v.json" --count 2 \
		--expect "status == [r[2] for r in $nginx[2:]]" \
		--expect "resp_bytes == [r[3] for r in $nginx[2:]]" \
		--expect "['https://localhost' + r[6] for r in $nginx[2:]] == url" \
		--expect "[r[4].replace('HTTP/2.0', 'HTTP/2') for r in $nginx[2:]] == proto" \
		--expect 'len(set(conn)) == 1 and reused == [False, True]' \
		--each "peer == 'unix:$NGINX_TLS_SOCK' and host == 'localhost'" \
		--each "tls is True and error is None and proto == '$proto'"
	jcheck "$T/h$v.json" --event summary --count 1 \
		--each 'requests == 2 and connections == 1 and errors == 0'
done
pass
