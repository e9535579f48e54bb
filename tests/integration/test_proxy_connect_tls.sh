#!/bin/bash
# test_proxy_connect_tls.sh - curl through an HTTP CONNECT proxy to nginx
# over HTTPS (h2 by ALPN inside the tunnel), two URLs on one tunnel: the
# CONNECT is recorded (authority-form url, peer the proxy, no proxy field),
# and so is every HTTPS request inside, with the target's scheme, host and
# port, tls, alpn h2 and HTTP/2, proxy and peer the proxy's address; the
# first inner request is new (connect_ms up to the tunnel, tls_ms of the
# inner handshake), the second reuses the tunnel.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
u=https://localhost:$NGINX_TLS_PORT
pp=127.0.0.1:$PROXY_PORT

curl_same tls --cacert "$T/cert.pem" --noproxy "" -x "http://$pp" -o /dev/null \
	"$u/index.html" "$u/f/1000"
[ "$(cat "$T/tls.out")" = "200 17200 1000" ] ||
	{ show "$T/tls.out" "$T/tls.err"; fail "curl did not get both files through the proxy"; }
[ "$(grep -c "^CONNECT localhost:$NGINX_TLS_PORT" "$T/proxy.log")" = 2 ] ||
	{ show "$T/proxy.log"; fail "the proxy did not see one tunnel per run"; }

jcheck "$T/tls.json" --count 3 \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'method == ["CONNECT", "GET", "GET"] and status == [200, 200, 200]' \
	--expect "url == ['localhost:$NGINX_TLS_PORT', '$u/index.html', '$u/f/1000']" \
	--expect 'reused == [False, False, True]' \
	--expect 'proto == ["HTTP/1.1", "HTTP/2", "HTTP/2"]' \
	--expect 'tls == [False, True, True] and alpn == [None, "h2", "h2"]' \
	--expect "proxy == [None, '$pp', '$pp']" \
	--expect 'resp_bytes[1:] == [17, 1000]' \
	--expect 'tls_ms[0] is None and tls_ms[1] is not None and tls_ms[1] > 0 and tls_ms[2] is None' \
	--expect 'connect_ms[1] is not None and connect_ms[1] >= connect_ms[0] and connect_ms[2] is None' \
	--expect 'host[1:] == ["localhost", "localhost"]' \
	--each "peer == '$pp' and error is None"
pass
