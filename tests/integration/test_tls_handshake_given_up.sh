#!/bin/bash
# test_tls_handshake_given_up.sh - a client that gives up on a TLS
# handshake that never completes (the server accepts and never answers,
# holdserver.py) and closes its connection itself: curl --max-time (exit
# 28), Python's wrap_socket with a timeout, is reported as a failed
# handshake: JSON a tls_error "TLS handshake failed: connection closed
# during the TLS handshake", summary connect_errors 1; text the failed
# connect's line.  Before, its hooked handshake was a "connection" record
# closed by the program with no request, not an error, and the summary
# said connect_errors 0 errors 0 of a curl that failed; a handshake no
# hook decodes (test_tls_undecoded_handshake_fail) was already a failure.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_holdserver
peer=127.0.0.1:$HOLD_PORT

check() { # NAME: the record and summary of $T/NAME.json
	jcheck "$T/$1.json" --event all \
		--expect "[l['event'] for l in lines] == ['tls_error', 'summary']" ||
		fail "$1: not one tls_error"
	jcheck "$T/$1.json" --event tls_error --count 1 \
		--each "peer == '$peer' and error == 'TLS handshake failed: connection closed during the TLS handshake'" \
		--each 'tls_ms is not None and tls_ms >= 300' ||
		fail "$1: wrong tls_error"
	jcheck "$T/$1.json" --event summary \
		--each 'connect_errors == 1 and requests == 0 and errors == 0' \
		--expect "'connections_no_request' not in recs[0]" ||
		fail "$1: wrong summary"
}

rc=0
"$HTTPTRACE" -f json -o "$T/curl.json" -- \
	curl -sk --max-time 1 "https://$peer/x" || rc=$?
[ "$rc" = 28 ] || fail "curl exited $rc, not 28 (timeout)"
check curl

"$HTTPTRACE" -f text -o "$T/curl.txt" -- \
	curl -sk --max-time 1 "https://$peer/x" || true
grep -q "^TLS handshake with $peer failed: connection closed during the TLS handshake" \
	"$T/curl.txt" || { show "$T/curl.txt"; fail "text: no failed handshake"; }
grep -q "connections: 0 (+1 failed)" "$T/curl.txt" ||
	{ show "$T/curl.txt"; fail "text: the summary counts no failure"; }

"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" -c '
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
try:
    ctx.wrap_socket(s)
except TimeoutError:
    sys.exit(0)
sys.exit(1)' "$HOLD_PORT" || fail "python: the handshake did not time out"
check py
pass
