#!/bin/bash
# test_events_stream_agree.sh - the events -f events streamed from the live
# page carry the same timestamps as the request's record, and none is
# written twice: two requests on one connection, each held by the server
# until the test has seen its wrote_request streamed, then the whole
# output against `read -f events` of the run's capture (which has only the
# records) by event, pid, conn, req and ts.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_gateserver
base="http://127.0.0.1:$GATE_PORT"

"$HTTPTRACE" -f events -o "$T/events.json" -w "$T/run.cap" -- \
	curl -s -o /dev/null -o /dev/null "$base/a" "$base/b" &
tracer=$!
_PIDS+=("$tracer")
for name in a b; do
	ok=
	wait_event "$T/events.json" "$base/$name" wrote_request && ok=1
	grep -q "^answered /$name" "$T/gate.log" 2>/dev/null &&
		fail "the server answered /$name before the gate"
	touch "$GATE_DIR/$name"
	[ -n "$ok" ] || { touch "$GATE_DIR/b"; show "$T/events.json"; fail "/$name: wrote_request not streamed"; }
done
wait "$tracer" || fail "httptrace -f events -w -- curl exited $?"
"$HTTPTRACE" read -f events -o "$T/replay.json" "$T/run.cap" ||
	fail "httptrace read exited $?"

"$PY" - "$T/events.json" "$T/replay.json" <<'PY' || { show "$T/events.json" "$T/replay.json"; fail "streamed events and records disagree"; }
import collections, json, sys

def load(path):
    return [json.loads(l) for l in open(path)]

live, replay = load(sys.argv[1]), load(sys.argv[2])
key = lambda e: (e["event"], e.get("pid"), e.get("conn"), e.get("req"), e.get("ts"))
dups = [k for k, n in collections.Counter(
    (e["event"], e["pid"], e["conn"], e["req"]) for e in live
    if e["event"] != "summary").items() if n > 1]
if dups:
    sys.exit("written twice: %r" % dups)
lk = sorted(map(key, (e for e in live if e["event"] != "summary")))
rk = sorted(map(key, (e for e in replay if e["event"] != "summary")))
if lk != rk:
    sys.exit("live %r\nrecords %r" % (lk, rk))
reqs = {e["req"] for e in live if e["event"] == "wrote_request"}
if reqs != {1, 2}:
    sys.exit("requests %r" % reqs)
got = [e for e in live if e["event"] == "got_conn"]
if [g["reused"] for g in got] != [False, True]:
    sys.exit("got_conn %r" % got)
PY
pass
