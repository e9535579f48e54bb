#!/bin/bash
# test_hostile_early_hints.sh - 103 Early Hints before the final 200: curl's
# result is unchanged; one record, status 200 (not 103), interim 1, the
# final response's body size and headers.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same eh "$u/earlyhints/777"
[ "$CURL_RC" = 0 ] || fail "curl exited $CURL_RC"
[ "$(cat "$T/eh.out")" = "200 777" ] || fail "curl did not get 200 and 777 bytes"

jcheck "$T/eh.json" --count 1 \
	--each "url == '$u/earlyhints/777' and error is None" \
	--each 'status == 200 and interim == 1 and resp_bytes == 777' \
	--each 'response_headers == [{"name": "Content-Length", "value": "777"}]'
pass
