#!/bin/bash
# test_hostile_100_continue.sh - a 1 MiB POST with "Expect: 100-continue",
# answered by 100 Continue, then the body, then 200: curl's result is
# unchanged; the record has status 200, req_bytes exactly 1048576 and at
# least one interim response.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT
head -c 1048576 /dev/urandom >"$T/post.bin"

curl_same cont -H 'Expect: 100-continue' --data-binary "@$T/post.bin" "$u/echo"
[ "$CURL_RC" = 0 ] || fail "curl exited $CURL_RC"
[ "$(cat "$T/cont.body")" = 1048576 ] || fail "the server did not get 1048576 bytes"

jcheck "$T/cont.json" --count 1 \
	--each "url == '$u/echo' and method == 'POST' and error is None" \
	--each 'status == 200 and req_bytes == 1048576 and resp_bytes == 8' \
	--each 'interim >= 1'
pass
