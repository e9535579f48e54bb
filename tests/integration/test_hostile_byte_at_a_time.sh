#!/bin/bash
# test_hostile_byte_at_a_time.sh - responses sent one byte per send() (a
# chunked body, and a 103 then a 200 with Content-Length): curl's result is
# unchanged and the records have the exact status, interim count and body
# size.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same chunked "$u/chunked/400?bytewise=0.2"
[ "$(cat "$T/chunked.out")" = "200 400" ] || fail "curl did not get 200 and 400 bytes"
curl_same eh "$u/earlyhints/300?bytewise=0"
[ "$(cat "$T/eh.out")" = "200 300" ] || fail "curl did not get 200 and 300 bytes"

jcheck "$T/chunked.json" --count 1 \
	--each 'status == 200 and resp_bytes == 400 and error is None and interim == 0'
jcheck "$T/eh.json" --count 1 \
	--each 'status == 200 and resp_bytes == 300 and error is None and interim == 1'
pass
