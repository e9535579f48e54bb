#!/bin/bash
# test_keepalive_reuse.sh - three requests to one host over one keep-alive
# connection: one conn, req 1/2/3, reused false/true/true; dns and connect
# phases only on the first; sizes as served.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_named_server
u=http://$HOST:$SERVER_PORT

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -D "$T/headers" -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/100" "$u/bytes/2000" "$u/bytes/30000" ||
	fail "httptrace -- curl exited $?"

# The premise: the server saw one connection carrying three requests.
[ "$(grep '^X-Conn-Req:' "$T/headers" | tr -d '\r' | cut -d' ' -f2 | tr -d '\n')" = 123 ] ||
	{ show "$T/headers"; fail "curl did not reuse its connection (server side)"; }

jcheck "$T/out.json" --count 3 \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1' \
	--expect 'req == [1, 2, 3]' \
	--expect 'reused == [False, True, True]' \
	--expect 'status == [200, 200, 200]' \
	--expect 'resp_bytes == [100, 2000, 30000]' \
	--expect 'req_bytes == [0, 0, 0]' \
	--expect 'connect_ms[0] is not None and connect_ms[0] >= 0' \
	--expect 'nulls(connect_ms[1:]) and nulls(dns_ms[1:])' \
	--each 'method == "GET" and error is None and tls is False' \
	--each 'proto == "HTTP/1.1"' \
	--each "host == '$HOST' and peer == '$HOST_PEER'" \
	--each "url == '$u/bytes/%d' % resp_bytes" \
	--each 'total_ms is not None and 0 <= wait_ms <= total_ms'

if [ "$HAVE_DNS" = 1 ]; then
	jcheck "$T/out.json" --expect 'dns_ms[0] is not None and dns_ms[0] >= 0'
fi
pass
