#!/bin/bash
# test_proxy_connect_gnutls.sh - wget (GnuTLS) with https_proxy through an
# HTTP CONNECT proxy to nginx, two HTTPS URLs: the CONNECT, then both
# requests inside the tunnel decoded from GnuTLS's plaintext (tls true,
# the target's https:// URLs, proxy and peer the proxy), the first new with
# its TLS handshake, the second reusing the tunnel.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd wget
case $(ldd "$(command -v wget)") in
*libgnutls.so*) ;;
*) skip "wget is not linked with GnuTLS" ;;
esac
start_nginx
start_proxy
u=https://localhost:$NGINX_TLS_PORT
pp=127.0.0.1:$PROXY_PORT

env -u no_proxy -u NO_PROXY https_proxy="http://$pp" \
	"$HTTPTRACE" -f json -o "$T/out.json" -- \
	wget --no-config -q --ca-certificate="$T/cert.pem" -O "$T/body" \
	"$u/f/1000" "$u/f/100" || fail "httptrace -- wget exited $?"
[ "$(wc -c <"$T/body")" = 1100 ] || fail "wget got $(wc -c <"$T/body") bytes, not 1100"
[ "$(grep -c "^CONNECT localhost:$NGINX_TLS_PORT" "$T/proxy.log")" = 1 ] ||
	{ show "$T/proxy.log"; fail "wget did not make one tunnel"; }

jcheck "$T/out.json" --count 3 \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'method == ["CONNECT", "GET", "GET"] and status == [200, 200, 200]' \
	--expect "url == ['localhost:$NGINX_TLS_PORT', '$u/f/1000', '$u/f/100']" \
	--expect 'reused == [False, False, True] and tls == [False, True, True]' \
	--expect 'resp_bytes[1:] == [1000, 100] and proto[1:] == ["HTTP/1.1", "HTTP/1.1"]' \
	--expect "proxy == [None, '$pp', '$pp']" \
	--expect 'tls_ms[1] is not None and tls_ms[1] > 0 and tls_ms[2] is None' \
	--expect 'tls_version[1] is not None' \
	--each "peer == '$pp' and error is None"
pass
