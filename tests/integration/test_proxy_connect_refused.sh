#!/bin/bash
# test_proxy_connect_refused.sh - a CONNECT proxy that answers 407: without
# credentials curl gives up, and only the CONNECT is recorded (status 407,
# its body read, nothing inside); with --proxy-anyauth curl asks again on
# the same connection, gets 200, and the GET inside the tunnel follows:
# CONNECT 407, CONNECT 200, GET, one connection, req 1..3.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy --refuse
u=http://127.0.0.1:$NGINX_PORT
pp=127.0.0.1:$PROXY_PORT

curl_same refused --noproxy "" -p -x "http://$pp" "$u/index.html"
[ "$CURL_RC" != 0 ] || fail "curl got through a proxy that refuses"
jcheck "$T/refused.json" --count 1 \
	--each 'method == "CONNECT" and status == 407 and error is None' \
	--each "url == '127.0.0.1:$NGINX_PORT' and peer == '$pp' and proxy is None" \
	--each 'resp_bytes == 18'

curl_same auth --noproxy "" -p -x "http://$pp" --proxy-anyauth \
	--proxy-user user:secret "$u/index.html"
[ "$(cat "$T/auth.out")" = "200 17" ] ||
	{ show "$T/auth.out" "$T/auth.err"; fail "curl did not get through with credentials"; }
jcheck "$T/auth.json" --count 3 \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'method == ["CONNECT", "CONNECT", "GET"] and status == [407, 200, 200]' \
	--expect "proxy == [None, None, '$pp']" \
	--expect "url[2] == '$u/index.html' and reused == [False, True, False]" \
	--each "peer == '$pp' and error is None"
pass
