#!/bin/bash
# test_drops_inflight_restart.sh - a `listen` collector stops (SIGTERM)
# while a traced client has a request in flight: the collector reports it
# from the client's live page ("tracing stopped while the process ran").
# The request's own record, made when it ends, after the collector is
# gone, is that collector's: the next collector at the path must not count
# it among the records lost while none listened (it was counted twice:
# reported by the first, dropped by the second).
#
# The bound asserted is the one of test_drops_collector_restart.sh: every
# record reported (requests, the first collector's from the page among
# them, and connection closes, by both collectors) plus every record
# counted dropped (by both) is at most what the client produced.
#
# No timing threshold: each step waits (bounded polls) for the event the
# next one needs; the slow request is seen in flight (`httptrace status`)
# before the collector is stopped, and it takes seconds more.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
sock=$T/ht.sock

# client.py PORT LOG SLOW STOP: a GET every 25 ms on one keep-alive
# connection, a line in LOG after each; once SLOW exists, one GET of
# /delay/4000 (a line "slow" in LOG before it); until STOP exists; then
# closes the connection.
cat >"$T/client.py" <<'PYEOF'
import http.client, os, sys, time
port, log, slow, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
slow_done = False
with open(log, "w", buffering=1) as f:
    while not os.path.exists(stop):
        path = "/bytes/10"
        if not slow_done and os.path.exists(slow):
            path, slow_done = "/delay/4000", True
            f.write("slow\n")
        c.request("GET", path)
        c.getresponse().read()
        f.write("done\n")
        time.sleep(0.025)
c.close()
PYEOF

requests_made() { grep -c '^done$' "$T/client.log" 2>/dev/null || true; }
made_since() { [ "$(requests_made)" -ge "$1" ]; }

start_collector 1 -w "$T/cap1"
lpid1=$LPID
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$PY" "$T/client.py" "$SERVER_PORT" "$T/client.log" "$T/slow" "$T/stop" \
	2>"$T/client.err" &
cpid=$!
_PIDS+=("$cpid")
wait_for "the first collector's records" has_request "$T/out1.json"
touch "$T/slow"
wait_status "$sock" "delay/4000"
kill -TERM "$lpid1"
wait "$lpid1" || { show "$T/listen1.err"; fail "collector 1 exited $?"; }
# The slow request ends, then requests are made while nobody listens.
wait_for "the slow request and more" made_since $(($(requests_made) + 3))
start_collector 2 -w "$T/cap2"
lpid2=$LPID
wait_for "the second collector's records" has_request "$T/out2.json"
touch "$T/stop"
wait "$cpid" || { show "$T/client.err"; fail "the client failed"; }
kill -TERM "$lpid2"
wait "$lpid2" || { show "$T/listen2.err"; fail "collector 2 exited $?"; }

for i in 1 2; do
	"$HTTPTRACE" read -f events "$T/cap$i" >"$T/ev$i" || fail "read cap$i failed"
done
"$PY" - "$T/out1.json" "$T/out2.json" "$T/ev1" "$T/ev2" "$(requests_made)" "$cpid" <<'PYEOF' ||
import json, sys
def load(p):
    return [json.loads(l) for l in open(p)]
o1, o2, e1, e2 = (load(p) for p in sys.argv[1:5])
made, pid = int(sys.argv[5]), int(sys.argv[6])
def reqs(o):
    return [r for r in o if r["event"] == "request"]
def summ(o):
    s = [r for r in o if r["event"] == "summary"]
    assert len(s) == 1, s
    return s[0]
def closes(e):
    return sum(1 for x in e if x["event"] == "conn_closed")
r1, r2 = reqs(o1), reqs(o2)
d1, d2 = summ(o1)["dropped"], summ(o2)["dropped"]
print("# made %d; collector 1: %d requests, %d dropped; collector 2: %d requests, %d closes, %d dropped"
      % (made, len(r1), d1, len(r2), closes(e2), d2), file=sys.stderr)
cut = [r for r in r1 if r["url"].endswith("/delay/4000")]
assert len(cut) == 1 and cut[0]["ended"] == "tracing stopped while the process ran", \
    "collector 1 did not report the slow request in flight: %r" % cut
assert not [r for r in r2 if r["url"].endswith("/delay/4000")], \
    "the slow request reached collector 2"
assert all(r["pid"] == pid for r in r1 + r2), "not the client's records"
assert r2, "collector 2 got no request"
assert d2 >= 1, "collector 2 was not told the records lost meanwhile"
assert summ(o2)["malformed"] == 0 and summ(o1)["malformed"] == 0
received = len(r1) + len(r2) + closes(e1) + closes(e2)
assert received + d1 + d2 <= made + 1, "more records counted than the client produced"
PYEOF
	fail "the slow request cut by the first collector's end is counted twice"
pass
