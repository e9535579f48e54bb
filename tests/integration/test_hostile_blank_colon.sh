#!/bin/bash
# test_hostile_blank_colon.sh - a response whose length header has a blank
# before its colon ("Content-Length : 5") followed by 3000 body bytes and
# the server's close: curl (like Python's http.client) does not take it for
# Content-Length and reads the body to the close, 3000 bytes, exit 0.  The
# record must say what curl got, not a 5-byte response: the tracer read
# that header as Content-Length (the 2995 bytes after it then an excess).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same blank "$u/blankcolon/5/3000"
if [ "$CURL_RC" != 0 ] || [ "$(cat "$T/blank.out")" != "200 3000" ]; then
	fail "curl: exit $CURL_RC, '$(cat "$T/blank.out")', not 0 and '200 3000'"
fi

jcheck "$T/blank.json" --count 1 \
	--each "url == '$u/blankcolon/5/3000'" \
	--each 'status == 200 and error is None' \
	--each 'resp_bytes == 3000'
pass
