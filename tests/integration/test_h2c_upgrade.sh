#!/bin/bash
# test_h2c_upgrade.sh - curl --http2 to a cleartext server that accepts the
# h2c upgrade, two URLs: the upgraded request is stream 1 (one record,
# HTTP/2, the 101 counted as interim, its body and status from stream 1's
# frames), the second URL a new stream on the same connection (reused);
# nothing is lost after the 101.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_h2cserver
u=http://127.0.0.1:$H2C_PORT

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s --http2 -o /dev/null -o /dev/null \
	-w '%{http_code} %{size_download} %{http_version}\n' "$u/a" "$u/b" \
	>"$T/curl.out" || fail "httptrace -- curl exited $?"
# The premise: curl upgraded, then used HTTP/2 for both.
[ "$(tr '\n' ' ' <"$T/curl.out")" = "200 101 2 200 103 2 " ] ||
	{ show "$T/curl.out" "$T/h2cserver.log"; fail "curl did not upgrade to h2c"; }
[ "$(tr '\n' ' ' <"$T/h2cserver.log")" = "h2c /a stream 3 " ] ||
	{ show "$T/h2cserver.log"; fail "the server did not upgrade"; }

jcheck "$T/out.json" --count 2 \
	--expect 'len(set(conn)) == 1 and req == [1, 2] and reused == [False, True]' \
	--expect "url == ['$u/a', '$u/b'] and resp_bytes == [101, 103]" \
	--expect 'interim == [1, 0]' \
	--expect 'connect_ms[0] is not None and connect_ms[1] is None' \
	--each 'proto == "HTTP/2" and status == 200 and error is None' \
	--each 'method == "GET" and tls is False and wait_ms is not None'
pass
