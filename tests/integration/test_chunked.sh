#!/bin/bash
# test_chunked.sh - chunked responses: resp_bytes is the de-chunked size and
# the connection is still parsed right afterwards.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o "$T/b1" -o "$T/b2" -o "$T/b3" -o "$T/b4" \
	"$u/chunked/100000" "$u/chunked/1" "$u/chunked/0" "$u/bytes/10" ||
	fail "httptrace -- curl exited $?"

[ "$(wc -c <"$T/b1")" = 100000 ] || fail "curl did not get 100000 bytes"

jcheck "$T/out.json" --count 4 \
	--expect 'resp_bytes == [100000, 1, 0, 10]' \
	--expect 'status == [200] * 4' \
	--expect 'len(set(conn)) == 1 and reused == [False, True, True, True]' \
	--expect 'req == [1, 2, 3, 4]' \
	--each 'error is None'
pass
