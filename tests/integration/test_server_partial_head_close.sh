#!/bin/bash
# test_server_partial_head_close.sh - a server that reads the first bytes
# of a request, inside its method ("D", "DELET" of "DELETE"), and closes
# without answering leaves nothing counted in flight: the collector's
# summary has no record dropped and no request not seen, and the client's
# DELETE has its record.  The connection, still on probation, was
# forgotten with its half-read request left counted in the live page's
# `unlisted` gauge, which the collector counted as a request not seen at
# the process's end (dropped 1, dropped_requests 1), and which `status`
# showed in flight for as long as a server ran on.  CPython's ssl module
# reads so (recv(1)) when bytes came before a TLS handshake: test_ssl's
# TestPreHandshakeClose.test_preauth_data_to_tls_server, traced, had
# dropped 1.  A server that reads the whole head (25 bytes) and closes
# still has its request reported.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

for n in 1 5 25; do
	"$HTTPTRACE" -f json -o "$T/p$n.json" -- "$PY" "$TESTS_DIR/partial_head.py" "$n" \
		2>"$T/p$n.err" || { show "$T/p$n.err"; fail "partial_head.py $n failed traced"; }
	jcheck "$T/p$n.json" --event summary \
		--each 'dropped == 0 and dropped_requests == 0 and requests == 1'
	jcheck "$T/p$n.json" --expect \
		"[r['method'] for r in recs if r.get('side') != 'server'] == ['DELETE']"
done
# the whole head read: the server's request is reported, not served
jcheck "$T/p25.json" --expect "len([r for r in recs if r.get('side') == 'server']) == 1"
for n in 1 5; do
	jcheck "$T/p$n.json" --expect "[r for r in recs if r.get('side') == 'server'] == []"
done

# CPython's own case, when its test suite is installed: passes traced as
# untraced, in run and env mode, with nothing dropped
if "$PY" -c 'import test.test_ssl' 2>/dev/null; then
	cpython_same ssl test.test_ssl.TestPreHandshakeClose.test_preauth_data_to_tls_server
	grep -q ' ok$' "$T/ssl.plain.txt" || { show "$T/ssl.plain.txt"; fail "test_ssl: the case did not pass untraced"; }
	for mode in run env; do
		jcheck "$T/ssl.$mode.json" --event summary \
			--each 'dropped == 0 and dropped_requests == 0'
	done
fi
pass
