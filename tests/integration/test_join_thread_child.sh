#!/bin/bash
# test_join_thread_child.sh - a server thread's own calls are children of
# the request it serves: a threaded server (callserver.py thread) that,
# for each request a traced curl sends it, calls a second traced server
# from the same thread before it answers.  Each of its client records
# names (parent_record) the server record of the request it was made
# inside, and in OTLP the call's CLIENT span is the child of that SERVER
# span, in one trace with curl's span and the second server's span.  An
# event loop with two requests open on its thread (callserver.py loop)
# gets no parent for its calls.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock
CALL=$TESTS_DIR/callserver.py

start_otlp_receiver
rport=$RECV_PORT

OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$rport/ OTEL_BSP_SCHEDULE_DELAY=100 \
	start_listen_env -f json -o "$T/out.json" --otlp default
lpid=$LPID

uport=$(free_port)
start_env_server upstream "$uport" "$PY" "$SERVER_PY" "$uport" 127.0.0.1 --log "$T/upstream.log"
upid=$ENV_PID

tport=$(free_port)
start_env_server thread "$tport" "$PY" "$CALL" thread "$tport" "$uport" "$T/thread.log"
tpid=$ENV_PID

eport=$(free_port)
start_env_server loop "$eport" "$PY" "$CALL" loop "$eport" "$uport" "$T/loop.log" 2
epid=$ENV_PID

# two requests on one keep-alive connection, each calling upstream
(. "$T/env.sh"; curl -s -o /dev/null -o /dev/null "http://127.0.0.1:$tport/1" \
	"http://127.0.0.1:$tport/2") || fail "curl to the threaded server failed"
# two requests open at once on the event loop's thread
curl -s -o /dev/null "http://127.0.0.1:$eport/3" &
c1=$!
curl -s -o /dev/null "http://127.0.0.1:$eport/4" || fail "curl to the loop failed"
wait "$c1" || fail "curl to the loop failed"
[ "$(wc -l <"$T/thread.log")" = 2 ] || { show "$T/thread.log"; fail "the threaded server did not answer 2 requests"; }
[ "$(wc -l <"$T/loop.log")" = 2 ] || { show "$T/loop.log"; fail "the loop did not answer 2 requests"; }
[ "$(wc -l <"$T/upstream.log")" = 4 ] || { show "$T/upstream.log"; fail "upstream did not answer 4 calls"; }

kill -TERM "$tpid" "$epid" "$upid"
wait "$tpid" "$epid" "$upid" 2>/dev/null || true
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
grep -q '^#error' "$T/recv.log" && { show "$T/recv.log"; fail "the receiver found invalid requests"; }

"$PY" - "$T/out.json" "$T/recv.log" "$tpid" "$epid" "$uport" <<'PYEOF' || { show "$T/out.json"; show "$T/recv.log"; fail "the calls are not the children of the requests they were made in"; }
import json, sys
tpid, epid, uport = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
by_id = {(r["pid"], r["conn"], r["req"]): r for r in reqs}
def path(r):
    return "/" + r["url"].split("/", 3)[3]
def side(r):
    return r.get("side", "client")

# the threaded server: each call names the request it was made in
outer = {path(r): r for r in reqs if r["pid"] == tpid and side(r) == "server"}
calls = [r for r in reqs if r["pid"] == tpid and side(r) == "client"]
assert sorted(outer) == ["/1", "/2"], outer
assert sorted(path(c) for c in calls) == ["/bytes/1", "/bytes/2"], calls
for c in calls:
    p = c.get("parent_record")
    assert p is not None, c
    s = by_id[(p["pid"], p["conn"], p["req"])]
    assert s is outer[path(c).replace("/bytes", "")], (c, s)
# the loop's calls: two requests were open on its thread, no parent
loop = [r for r in reqs if r["pid"] == epid and side(r) == "client"]
assert len(loop) == 2 and all("parent_record" not in c for c in loop), loop
# nothing else has a parent
assert sum("parent_record" in r for r in reqs) == 2, reqs

spans = []
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    for rs in json.loads(line)["resourceSpans"]:
        pid = [a["value"]["intValue"] for a in rs["resource"]["attributes"]
               if a["key"] == "process.pid"][0]
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                if s["kind"] in (2, 3):
                    s["pid"] = int(pid)
                    spans.append(s)
def attr(s, key):
    v = [a["value"]["stringValue"] for a in s["attributes"] if a["key"] == key]
    return v[0] if v else None
def spath(s):
    return attr(s, "url.path") or "/" + attr(s, "url.full").split("/", 3)[3]
sid = {s["spanId"]: s for s in spans}
traces = set()
for k in ("1", "2"):
    out_srv = [s for s in spans if s["pid"] == tpid and s["kind"] == 2 and spath(s) == "/" + k]
    call = [s for s in spans if s["pid"] == tpid and s["kind"] == 3 and spath(s) == "/bytes/" + k]
    up = [s for s in spans if s["pid"] != tpid and s["pid"] != epid and s["kind"] == 2 and spath(s) == "/bytes/" + k]
    assert len(out_srv) == 1 and len(call) == 1 and len(up) >= 1, (k, spans)
    out_srv, call = out_srv[0], call[0]
    up = [s for s in up if s.get("parentSpanId") == call["spanId"]]
    assert len(up) == 1, (k, call, spans)
    # curl -> threaded server -> its call -> upstream server
    assert call.get("parentSpanId") == out_srv["spanId"], (call, out_srv)
    curl = sid.get(out_srv.get("parentSpanId"))
    assert curl is not None and curl["kind"] == 3, (out_srv, spans)
    t = {curl["traceId"], out_srv["traceId"], call["traceId"], up[0]["traceId"]}
    assert len(t) == 1, (curl, out_srv, call, up)
    traces |= t
assert len(traces) == 2, traces
for s in spans:
    if s["pid"] == epid and s["kind"] == 3:
        assert "parentSpanId" not in s, s
PYEOF
pass
