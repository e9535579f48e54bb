#!/bin/bash
# test_close_delimited.sh - responses with neither Content-Length nor chunking,
# delimited by the server closing: resp_bytes correct, no error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o "$T/b1" -o "$T/b2" -o "$T/b3" \
	"$u/close/5000" "$u/close/300000" "$u/close/0" ||
	fail "httptrace -- curl exited $?"

[ "$(cat "$T/b1" "$T/b2" "$T/b3" | wc -c)" = 305000 ] || fail "curl did not get 305000 bytes"

jcheck "$T/out.json" --count 3 \
	--expect 'resp_bytes == [5000, 300000, 0]' \
	--expect 'status == [200] * 3' \
	--expect 'len(set(conn)) == 3 and reused == [False] * 3' \
	--each 'error is None and method == "GET"'
pass
