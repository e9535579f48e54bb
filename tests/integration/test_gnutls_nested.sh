#!/bin/bash
# test_gnutls_nested.sh - a GnuTLS call made inside another on the same
# session is followed, the outer call's state kept aside: the request,
# written by gnutls_record_send() from the transport callback that
# gnutls_record_recv() runs (as Node.js writes from inside SSL_read), and
# the response that gnutls_record_recv() then reads make one record with
# status 200 and the body length the server logged.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ -e /usr/include/gnutls/gnutls.h ] || skip "no GnuTLS headers (libgnutls28-dev)"
build_prog gnutls_nested -lgnutls
start_tls_server 127.0.0.1 --log "$T/requests.log"

rc=0
"$T/gnutls_nested" 127.0.0.1 "$SERVER_PORT" /bytes/1234 >"$T/plain.out" 2>"$T/plain.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/plain.err"; fail "gnutls_nested untraced exited $rc"; }
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/gnutls_nested" 127.0.0.1 "$SERVER_PORT" /bytes/1234 >"$T/traced.out" 2>"$T/traced.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/traced.err"; fail "gnutls_nested under httptrace exited $rc"; }
cmp -s "$T/plain.out" "$T/traced.out" ||
	{ show "$T/plain.out" "$T/traced.out"; fail "gnutls_nested's output differs under tracing"; }
[ "$(head -1 "$T/traced.out")" = "HTTP/1.1 200 OK" ] ||
	{ show "$T/traced.out"; fail "gnutls_nested did not get a 200"; }
# The premise, from the server's own log: each run made one request.
[ "$(awk '$3 == "GET" && $4 == "/bytes/1234" && $5 == 200 && $6 == 1234' "$T/requests.log" | wc -l)" = 2 ] ||
	{ show "$T/requests.log"; fail "the server did not log two GET /bytes/1234"; }
jcheck "$T/out.json" --count 1 \
	--expect 'status == [200] and resp_bytes == [1234]' \
	--each "tls is True and method == 'GET' and url.endswith('/bytes/1234') and error is None"
pass
