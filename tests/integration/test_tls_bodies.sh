#!/bin/bash
# test_tls_bodies.sh - body sizes counted from the TLS plaintext: responses
# by Content-Length and chunked, and request bodies (Content-Length and
# chunked uploads), all over one HTTPS connection.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_tls_server 127.0.0.1
u=https://127.0.0.1:$SERVER_PORT
head -c 100 /dev/urandom >"$T/small"
head -c 70000 /dev/urandom >"$T/large"

c=(--http1.1 --cacert "$T/cert.pem" -s)
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl "${c[@]}" -o "$T/r1" -o "$T/r2" -o "$T/r3" -o "$T/r4" \
	"$u/bytes/100000" "$u/chunked/100000" "$u/chunked/12345" "$u/bytes/7" \
	--next "${c[@]}" -o "$T/r5" --data-binary @"$T/small" "$u/echo" \
	--next "${c[@]}" -o "$T/r6" -H 'Transfer-Encoding: chunked' --data-binary @"$T/large" "$u/echo" ||
	fail "httptrace -- curl exited $?"

# The premise: both ends got the bodies whole.
[ "$(wc -c <"$T/r1") $(wc -c <"$T/r2") $(wc -c <"$T/r3") $(wc -c <"$T/r4")" = "100000 100000 12345 7" ] ||
	fail "curl did not get the response bodies whole"
[ "$(cat "$T/r5" "$T/r6" | tr '\n' ' ')" = "100 70000 " ] ||
	{ show "$T/r5" "$T/r6"; fail "server did not receive the request bodies"; }

jcheck "$T/out.json" --count 6 \
	--expect 'method == ["GET"] * 4 + ["POST"] * 2' \
	--expect 'resp_bytes == [100000, 100000, 12345, 7, 4, 6]' \
	--expect 'req_bytes == [0, 0, 0, 0, 100, 70000]' \
	--expect 'status == [200] * 6' \
	--expect 'len(set(conn)) == 1 and reused == [False] + [True] * 5' \
	--each 'tls is True and alpn == "http/1.1" and error is None' \
	--each "url.startswith('$u/')"
pass
