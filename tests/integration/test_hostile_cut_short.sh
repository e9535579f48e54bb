#!/bin/bash
# test_hostile_cut_short.sh - a response announcing 10000 body bytes whose
# server closes after 4000: curl's partial-file failure is unchanged, the
# record says "response body cut short" with status 200 and 4000 bytes.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same cut "$u/cutshort/10000/4000"
[ "$CURL_RC" = 18 ] || fail "curl exited $CURL_RC, not 18 (partial file)"

jcheck "$T/cut.json" --count 1 \
	--each "url == '$u/cutshort/10000/4000'" \
	--each 'status == 200 and error == "response body cut short"' \
	--each 'resp_bytes == 4000'
pass
