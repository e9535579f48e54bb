#!/bin/bash
# test_hostile_bad_chunk.sh - a chunked response whose second chunk size is
# not hexadecimal: curl fails identically traced and untraced, and the
# record has status 200, the 5 good body bytes and an error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same badchunk "$u/badchunk"
[ "$CURL_RC" != 0 ] || fail "curl accepted an invalid chunk size"

jcheck "$T/badchunk.json" --count 1 \
	--each "url == '$u/badchunk'" \
	--each 'status == 200 and error == "malformed response"' \
	--each 'resp_bytes == 5'
pass
