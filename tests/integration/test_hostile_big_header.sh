#!/bin/bash
# test_hostile_big_header.sh - a response whose header section is over
# 200 KiB: curl's result is unchanged by tracing; the record has status 200,
# the exact body size, every header byte counted, and headers_truncated
# (only 4 KiB are kept).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same big "$u/bigheader/12345"
[ "$CURL_RC" = 0 ] || fail "curl exited $CURL_RC"
[ "$(cat "$T/big.out")" = "200 12345" ] || fail "curl did not get 200 and 12345 bytes"

jcheck "$T/big.json" --count 1 \
	--each "url == '$u/bigheader/12345' and error is None" \
	--each 'status == 200 and resp_bytes == 12345' \
	--each 'headers_truncated is True and resp_header_bytes > 200 * 1024' \
	--each 'len(str(response_headers)) < 8192'
pass
