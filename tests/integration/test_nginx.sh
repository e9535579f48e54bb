#!/bin/bash
# test_nginx.sh - keep-alive reuse against nginx, over IPv4 and over [::1].
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx

check() { # check BASE_URL PEER_ADDR NAME
	local u=$1 addr=$2 name=$3
	"$HTTPTRACE" -f json -o "$T/$name.json" -- \
		curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		"$u/f/100" "$u/f/1000000" "$u/f/0" "$u/nonexistent" ||
		fail "$name: httptrace -- curl exited $?"
	jcheck "$T/$name.json" --count 4 \
		--expect 'len(set(conn)) == 1 and req == [1, 2, 3, 4]' \
		--expect 'reused == [False, True, True, True]' \
		--expect 'status == [200, 200, 200, 404]' \
		--expect 'resp_bytes[:3] == [100, 1000000, 0] and resp_bytes[3] > 0' \
		--expect 'connect_ms[0] is not None and nulls(connect_ms[1:])' \
		--each "error is None and method == 'GET' and proto == 'HTTP/1.1'" \
		--each "peer in ('$addr:$NGINX_PORT', '[$addr]:$NGINX_PORT')"
}

check "http://127.0.0.1:$NGINX_PORT" 127.0.0.1 ipv4
if [ "$NGINX_IPV6" = 1 ]; then
	check "http://[::1]:$NGINX_PORT" ::1 ipv6
else
	note "no IPv6 loopback: [::1] not checked"
fi
pass
