#!/bin/bash
# test_events_stream.sh - -f events streams: while the server holds its
# answer, the output file already holds the request's wrote_request (and
# the events before it), written from the live page; the server answers
# only once the test has seen it (gateserver.py), so no timing is assumed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl

start_gateserver
url="http://127.0.0.1:$GATE_PORT/slow"

"$HTTPTRACE" -f events -o "$T/events.json" -- curl -s -o /dev/null "$url" &
tracer=$!
_PIDS+=("$tracer")
# The event, for this URL's request, before the server answers (given up
# after 10 s: the old collector wrote it only after the answer).
seen=
wait_event "$T/events.json" "$url" wrote_request && seen=1
grep -q '^answered' "$T/gate.log" 2>/dev/null && fail "the server answered before the gate"
cp "$T/events.json" "$T/before.json"
touch "$GATE_DIR/slow"
wait "$tracer" || fail "httptrace -f events -- curl exited $?"
[ -n "$seen" ] || { show "$T/before.json"; fail "no wrote_request for $url before the server answered"; }
grep -q "^answered /slow" "$T/gate.log" || { show "$T/gate.log"; fail "the server never answered"; }

# What was streamed is where it was, and the rest followed, once.
head -c "$(stat -c %s "$T/before.json")" "$T/events.json" | cmp -s - "$T/before.json" ||
	fail "the streamed lines changed"
jcheck "$T/before.json" --event all \
	--expect 'event == ["connect_start", "connect_done", "got_conn", "wrote_headers", "wrote_request"]'
jcheck "$T/events.json" --event all \
	--expect 'event == ["connect_start", "connect_done", "got_conn", "wrote_headers", "wrote_request", "got_first_response_byte", "response_done", "put_idle_conn", "conn_closed", "summary"]' \
	--expect 'recs[-1]["requests"] == 1 and recs[-1]["dropped"] == 0'
pass
