#!/bin/bash
# test_hostile_not_http.sh - a server that does not speak HTTP at all (an SSH
# banner, then close): curl fails the same way traced and untraced, and the
# record says "malformed response", with no status.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same nothttp "$u/nothttp"
[ "$CURL_RC" != 0 ] || fail "curl accepted an SSH banner as HTTP"

jcheck "$T/nothttp.json" --count 1 \
	--each "url == '$u/nothttp' and method == 'GET'" \
	--each 'status is None and error == "malformed response"' \
	--each 'resp_bytes == 0 and reused is False'
jcheck "$T/nothttp.json" --event summary --count 1 \
	--each 'requests == 1 and errors == 1 and malformed == 0'
pass
