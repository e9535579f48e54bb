#!/bin/bash
# test_post.sh - request bodies: Content-Length (small, and large with
# "Expect: 100-continue") and a chunked upload; req_bytes is the body size.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
head -c 100 /dev/urandom >"$T/small"
head -c 70000 /dev/urandom >"$T/large"

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o "$T/r1" --data-binary @"$T/small" "$u/echo" \
	--next -s -o "$T/r2" -H 'Expect: 100-continue' --data-binary @"$T/large" "$u/echo" \
	--next -s -o "$T/r3" -H 'Transfer-Encoding: chunked' --data-binary @"$T/large" "$u/echo" ||
	fail "httptrace -- curl exited $?"

# The premise: the server received the bodies whole.
[ "$(cat "$T/r1" "$T/r2" "$T/r3" | tr '\n' ' ')" = "100 70000 70000 " ] ||
	{ show "$T/r1" "$T/r2" "$T/r3"; fail "server did not receive the bodies"; }

jcheck "$T/out.json" --count 3 \
	--expect 'method == ["POST"] * 3' \
	--expect 'req_bytes == [100, 70000, 70000]' \
	--expect 'status == [200] * 3' \
	--expect 'resp_bytes == [4, 6, 6]' \
	--expect 'len(set(conn)) == 1 and reused == [False, True, True]' \
	--each 'error is None'
pass
