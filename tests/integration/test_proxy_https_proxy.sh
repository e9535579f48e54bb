#!/bin/bash
# test_proxy_https_proxy.sh - curl through an HTTPS proxy (TLS to the proxy,
# then CONNECT) to nginx over HTTPS: TLS inside TLS.  The CONNECT is
# recorded as a TLS request to the proxy; the two requests inside the
# tunnel come from the inner TLS session's plaintext, with the inner
# handshake's ALPN (h2) and tls_ms, proxy and peer the proxy.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy --tls "$T/cert.pem" "$T/key.pem"
u=https://localhost:$NGINX_TLS_PORT
pp=127.0.0.1:$PROXY_PORT

curl_same hp --noproxy "" -x "https://localhost:$PROXY_PORT" \
	--proxy-cacert "$T/cert.pem" --cacert "$T/cert.pem" -o /dev/null \
	"$u/index.html" "$u/f/100"
[ "$(cat "$T/hp.out")" = "200 17200 100" ] ||
	{ show "$T/hp.out" "$T/hp.err"; fail "curl did not get both files through the HTTPS proxy"; }

jcheck "$T/hp.json" --count 3 \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'method == ["CONNECT", "GET", "GET"] and status == [200, 200, 200]' \
	--expect "url == ['localhost:$NGINX_TLS_PORT', '$u/index.html', '$u/f/100']" \
	--expect 'reused == [False, False, True] and tls == [True, True, True]' \
	--expect 'alpn[1:] == ["h2", "h2"] and proto[1:] == ["HTTP/2", "HTTP/2"]' \
	--expect "proxy == [None, '$pp', '$pp']" \
	--expect 'tls_ms[0] is not None and tls_ms[1] is not None and tls_ms[1] > 0 and tls_ms[2] is None' \
	--expect 'resp_bytes[1:] == [17, 100]' \
	--each "peer == '$pp' and error is None"
pass
