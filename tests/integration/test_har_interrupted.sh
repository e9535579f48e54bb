#!/bin/bash
# test_har_interrupted.sh - a request its process's end cut short has the
# same duration in HAR as in the other formats, and a wait that runs to
# the cut.  curl (traced, -w capture and -f json) asks gateserver.py, which
# reads the request and holds its answer; once the server has it, curl is
# killed (SIGTERM, by its pid).  The capture replayed: HAR's entry has
# send, wait and receive >= 0 (HAR 1.2 allows -1 only for blocked, dns,
# connect and ssl), receive 0, wait from the request written to the cut
# (the events format's wrote_request to response_done), and time equal to
# json's total_ms; OTLP's request span has a child "wait" that ends where
# it ends.  Before, HAR said time 0.5 ms (the phases before the wait) with
# wait -1, and OTLP had no wait span.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_gateserver
url=http://127.0.0.1:$GATE_PORT/stuck

"$HTTPTRACE" -w "$T/cap" -f json -o "$T/out.json" -- curl -s "$url" \
	>"$T/curl.out" 2>"$T/ht.err" &
ht=$!
_PIDS+=("$ht")
wait_gate /stuck
curl_pid=$(pgrep -P "$ht" -x curl || true)
[ -n "$curl_pid" ] || fail "no curl child of httptrace"
kill -TERM "$curl_pid"
wait "$ht" || true
[ -s "$T/cap" ] || { show "$T/ht.err"; fail "no capture"; }
jcheck "$T/out.json" --count 1 \
	--each 'error == "killed" and signal == "SIGTERM" and phase == "wait_first_byte"'

"$HTTPTRACE" read -f har -o "$T/out.har" "$T/cap" || fail "read -f har failed"
"$HTTPTRACE" read -f events -o "$T/out.events" "$T/cap" || fail "read -f events failed"
"$PY" - "$T/out.har" "$T/out.json" "$T/out.events" <<'PYEOF' || { show "$T/out.har"; fail "har: the cut request is not timed right"; }
import json, sys
entries = json.load(open(sys.argv[1]))["log"]["entries"]
assert len(entries) == 1, entries
e = entries[0]
t = e["timings"]
rec = [json.loads(l) for l in open(sys.argv[2])][0]
ev = {x["event"]: x for x in map(json.loads, open(sys.argv[3]))}
assert e["_error"] == "killed", e
for k in ("send", "wait", "receive"):
    assert t[k] >= 0, (k, t)
assert t["receive"] == 0, t
# the wait: from the request written to the cut, as the events say
wait = (ev["response_done"]["ts"] - ev["wrote_request"]["ts"]) * 1000
assert abs(t["wait"] - wait) < 0.002, (t, wait)
# the whole duration, as json says it
assert abs(e["time"] - rec["total_ms"]) < 0.002, (e["time"], rec["total_ms"])
parts = sum(t[k] for k in ("dns", "connect", "send", "wait", "receive") if t[k] > 0)
assert parts <= e["time"] + 0.002, (parts, e)
PYEOF

"$HTTPTRACE" read -f otlp -o "$T/out.otlp" "$T/cap" || fail "read -f otlp failed"
"$PY" - "$T/out.otlp" <<'PYEOF' || { show "$T/out.otlp"; fail "otlp: no wait span ending at the cut"; }
import json, sys
spans = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                spans += ss["spans"]
req = [s for s in spans if s["name"] == "GET"]
assert len(req) == 1, [s["name"] for s in spans]
req = req[0]
kids = {s["name"]: s for s in spans if s.get("parentSpanId") == req["spanId"]}
assert "connect" in kids and "send" in kids and "wait" in kids, sorted(kids)
assert "receive" not in kids, sorted(kids)
w = kids["wait"]
assert w["endTimeUnixNano"] == req["endTimeUnixNano"], (w, req)
assert int(w["startTimeUnixNano"]) < int(w["endTimeUnixNano"]), w
PYEOF
pass
