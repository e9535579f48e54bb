#!/bin/bash
# test_head_204_304.sh - responses without a body although they announce one
# (HEAD with Content-Length, 304 with Content-Length) or none (204):
# resp_bytes 0, and the next request on the connection is still parsed right.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

w='%{http_code} %{num_connects}\n'
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o /dev/null -w "$w" -I "$u/bytes/5000" \
	--next -s -o /dev/null -w "$w" "$u/bytes/10" \
	--next -s -o /dev/null -w "$w" "$u/status/204" \
	--next -s -o /dev/null -w "$w" "$u/bytes/20" \
	--next -s -o /dev/null -w "$w" "$u/status/304" \
	--next -s -o /dev/null -w "$w" "$u/bytes/30" \
	--next -s -o /dev/null -w "$w" -I "$u/chunked/5000" \
	--next -s -o /dev/null -w "$w" "$u/bytes/40" \
	>"$T/curl.out" || fail "httptrace -- curl exited $?"

[ "$(cut -d' ' -f2 "$T/curl.out" | tr -d '\n')" = 10000000 ] ||
	{ show "$T/curl.out"; fail "curl did not keep one connection"; }

jcheck "$T/out.json" --count 8 \
	--expect 'method == ["HEAD", "GET", "GET", "GET", "GET", "GET", "HEAD", "GET"]' \
	--expect 'status == [200, 200, 204, 200, 304, 200, 200, 200]' \
	--expect 'resp_bytes == [0, 10, 0, 20, 0, 30, 0, 40]' \
	--expect 'len(set(conn)) == 1 and req == list(range(1, 9))' \
	--expect 'reused == [False] + [True] * 7' \
	--each 'error is None'
pass
