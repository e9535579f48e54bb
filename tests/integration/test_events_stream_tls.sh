#!/bin/bash
# test_events_stream_tls.sh - -f events streams a connection's own moments
# before it carries a request: while curl's TLS handshake hangs (the server
# accepts and never answers, holdserver.py), the output already holds
# connect_start, connect_done and tls_handshake_start for it, written from
# the live page's connection slot.  When curl is then killed, the record
# the collector makes of the connection adds tls_handshake_done (error
# killed, phase tls) and repeats none of them.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl

start_holdserver
peer="127.0.0.1:$HOLD_PORT"

"$HTTPTRACE" -f events -o "$T/events.json" -- \
	sh -c 'echo $$ >"$1"; exec curl -sk --max-time 120 "https://$2/x"' \
	sh "$T/curl.pid" "$peer" &
tracer=$!
_PIDS+=("$tracer")
wait_file_line "$T/hold.log" '^got ' || fail "curl never sent its ClientHello"
# The handshake hangs for good: the event can only come from the page
# (given up after 10 s: the old collector wrote nothing before the end).
seen=
wait_file_line "$T/events.json" '"tls_handshake_start"' && seen=1
cp "$T/events.json" "$T/before.json"
kill -TERM "$(cat "$T/curl.pid")" 2>/dev/null
rc=0
wait "$tracer" || rc=$?
[ -n "$seen" ] || { show "$T/before.json"; fail "no tls_handshake_start while the handshake hung"; }
[ "$rc" = 143 ] || fail "httptrace did not exit as curl did (143): $rc"
grep -q '^got ' "$T/hold.log" && ! grep -q 'answered' "$T/hold.log" ||
	fail "the server log is not what the test expects"

# What was streamed stays, and the rest follows, once.
head -c "$(stat -c %s "$T/before.json")" "$T/events.json" | cmp -s - "$T/before.json" ||
	fail "the streamed lines changed"
jcheck "$T/before.json" --event all \
	--expect 'event == ["connect_start", "connect_done", "tls_handshake_start"]' \
	--expect "peer[:2] == ['$peer', '$peer'] and len(set(conn)) == 1" \
	--each 'req is None'
jcheck "$T/events.json" --event all \
	--expect 'event == ["connect_start", "connect_done", "tls_handshake_start", "tls_handshake_done", "summary"]' \
	--expect 'len(set(conn[:4])) == 1' \
	--expect 'recs[3]["error"] == "killed" and recs[3]["signal"] == "SIGTERM" and recs[3]["phase"] == "tls"' \
	--expect 'recs[-1]["connect_errors"] == 1 and recs[-1]["requests"] == 0'
pass
