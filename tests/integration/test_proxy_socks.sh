#!/bin/bash
# test_proxy_socks.sh - curl through a SOCKS proxy to nginx: SOCKS5 with
# the proxy resolving the name (--socks5-hostname) to HTTPS (h2 inside),
# ALL_PROXY=socks5h:// to plain HTTP, and SOCKS4a: the handshake is not a
# request, every request inside is, with the target the SOCKS request
# named (url, host), peer and proxy the proxy's address, the first request
# new and the next one on the tunnel reused.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
pp=127.0.0.1:$PROXY_PORT
tu=https://localhost:$NGINX_TLS_PORT
pu=http://localhost:$NGINX_PORT

curl_same s5 --noproxy "" --socks5-hostname "$pp" --cacert "$T/cert.pem" \
	-o /dev/null "$tu/index.html" "$tu/f/100"
[ "$(cat "$T/s5.out")" = "200 17200 100" ] ||
	{ show "$T/s5.out" "$T/s5.err"; fail "curl did not get both files through SOCKS5"; }
jcheck "$T/s5.json" --count 2 \
	--expect 'len(set(conn)) == 1 and req == [1, 2] and reused == [False, True]' \
	--expect "url == ['$tu/index.html', '$tu/f/100'] and resp_bytes == [17, 100]" \
	--expect 'tls_ms[0] is not None and connect_ms[0] is not None and nulls(tls_ms[1:])' \
	--each "peer == '$pp' and proxy == '$pp' and host == 'localhost'" \
	--each 'tls is True and alpn == "h2" and proto == "HTTP/2" and status == 200'

(
	unset no_proxy NO_PROXY
	export ALL_PROXY=socks5h://$pp
	curl_same all -o /dev/null "$pu/f/1000" "$pu/f/0"
)
[ "$(cat "$T/all.out")" = "200 1000200 0" ] ||
	{ show "$T/all.out" "$T/all.err"; fail "curl did not get both files with ALL_PROXY"; }
jcheck "$T/all.json" --count 2 \
	--expect 'len(set(conn)) == 1 and req == [1, 2] and reused == [False, True]' \
	--expect "url == ['$pu/f/1000', '$pu/f/0'] and resp_bytes == [1000, 0]" \
	--each "peer == '$pp' and proxy == '$pp' and host == 'localhost'" \
	--each 'tls is False and proto == "HTTP/1.1" and status == 200'

curl_same s4 --noproxy "" --socks4a "$pp" -o /dev/null "$pu/index.html"
[ "$(cat "$T/s4.out")" = "200 17" ] ||
	{ show "$T/s4.out" "$T/s4.err"; fail "curl did not get the file through SOCKS4a"; }
jcheck "$T/s4.json" --count 1 \
	--each "url == '$pu/index.html' and peer == '$pp' and proxy == '$pp'" \
	--each "host == 'localhost' and status == 200 and reused is False"

for want in "SOCKS5 localhost:$NGINX_TLS_PORT" "SOCKS5 localhost:$NGINX_PORT" \
	"SOCKS4a localhost:$NGINX_PORT"; do
	[ "$(grep -cx "$want" "$T/proxy.log")" = 2 ] ||
		{ show "$T/proxy.log"; fail "the proxy did not see '$want' once per run"; }
done
pass
