#!/bin/bash
# test_proxy_connect_plain.sh - curl -p (tunnel for plain HTTP) through an
# HTTP CONNECT proxy to nginx, two URLs on one tunnel: the CONNECT, then
# both GETs inside it, url and host the target's, peer and proxy the
# proxy's address, tls false, the first inner request new (its connect_ms
# lasts until the tunnel was up), the second reused.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
u=http://127.0.0.1:$NGINX_PORT
pp=127.0.0.1:$PROXY_PORT

curl_same plain --noproxy "" -p -x "http://$pp" -o /dev/null \
	"$u/index.html" "$u/f/100"
[ "$(cat "$T/plain.out")" = "200 17200 100" ] ||
	{ show "$T/plain.out" "$T/plain.err"; fail "curl did not get both files through the tunnel"; }
[ "$(grep -c "^CONNECT 127.0.0.1:$NGINX_PORT" "$T/proxy.log")" = 2 ] ||
	{ show "$T/proxy.log"; fail "the proxy did not see one tunnel per run"; }

jcheck "$T/plain.json" --count 3 \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'method == ["CONNECT", "GET", "GET"] and status == [200, 200, 200]' \
	--expect "url == ['127.0.0.1:$NGINX_PORT', '$u/index.html', '$u/f/100']" \
	--expect 'reused == [False, False, True] and resp_bytes[1:] == [17, 100]' \
	--expect "proxy == [None, '$pp', '$pp']" \
	--expect 'connect_ms[1] is not None and connect_ms[1] >= connect_ms[0] and connect_ms[2] is None' \
	--expect 'host[1:] == ["127.0.0.1", "127.0.0.1"]' \
	--each "peer == '$pp' and error is None and tls is False and proto == 'HTTP/1.1'"
pass
