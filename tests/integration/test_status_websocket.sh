#!/bin/bash
# test_status_websocket.sh - a python3-websockets session held open under a
# running `listen` is shown by `httptrace status -s PATH` (text and -f json)
# as in flight: method WS, the upgrade's URL, phase "websocket", from the
# 101 until the session's record; once it closed, none is in flight.  A
# second session whose client is killed while it is open is not reported
# at the process's end as a request cut short: the 101 keeps its one record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
"$PY" -c 'import websockets' 2>/dev/null ||
	skip "websockets not importable by $PY (install python3-websockets)"

port=$(free_port)
"$PY" "$TESTS_DIR/wsserver.py" "$port" "$T/ws.log" 0 0 >"$T/wsserver.out" 2>&1 &
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || { show "$T/wsserver.out"; fail "wsserver.py did not start"; }
sock=$T/ht.sock
start_status_listen "$sock"
lpid=$LPID

# A client that says "end", reads the server's one message, writes READY
# and holds the session open until GATE exists, then closes it.
cat >"$T/held.py" <<'PYEOF'
import asyncio, os, sys
import websockets
URL, READY, GATE = sys.argv[1:4]
async def main():
    async with websockets.connect(URL, compression=None, ping_interval=None) as ws:
        await ws.send("end")
        assert await ws.recv() == "fragmented"
        open(READY, "w").close()
        while not os.path.exists(GATE):
            await asyncio.sleep(0.05)
        await ws.close(1000, "done")
asyncio.run(main())
PYEOF
held() { # N: start held client N, wait until its session is open
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$PY" "$T/held.py" \
		"ws://127.0.0.1:$port/chat$1" "$T/ready$1" "$T/gate$1" >"$T/held$1.out" 2>&1 &
	hpid=$!
	_PIDS+=("$hpid")
	for _ in $(seq 200); do [ -e "$T/ready$1" ] && break; sleep 0.05; done
	[ -e "$T/ready$1" ] || { show "$T/held$1.out"; fail "client $1 opened no session"; }
}
held 1
# (the collector may read the new process's page a moment after its
# session opened: poll)
wait_status "$sock" "WS http://127.0.0.1:$port/chat1  WebSocket session open"
grep -qx "1 request in flight" "$T/status.txt" || { show "$T/status.txt"; fail "no count"; }
grep -qE "^  pid $hpid conn 1  WS http://127.0.0.1:$port/chat1  WebSocket session open  [0-9.]+ m?s$" \
	"$T/status.txt" || { show "$T/status.txt"; fail "no session line"; }
"$HTTPTRACE" status -s "$sock" -f json >"$T/status.json" || fail "status -f json failed"
"$PY" - "$T/status.json" "$hpid" "http://127.0.0.1:$port/chat1" <<'PYEOF' || { show "$T/status.json"; fail "status.json: wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 1 and d["listed"] == 1, d
r = d["requests"][0]
assert r["pid"] == int(sys.argv[2]) and r["conn"] == 1 and r["req"] == 1, r
assert r["method"] == "WS" and r["url"] == sys.argv[3], r
assert r["phase"] == "websocket" and r["side"] == "client", r
assert r["elapsed_ms"] >= 0, r
PYEOF
touch "$T/gate1"
wait "$hpid" || { show "$T/held1.out"; fail "client 1 failed"; }
# The session's record comes with its closing handshake; the slot goes then.
"$HTTPTRACE" status -s "$sock" >"$T/after.txt" || fail "status failed"
grep -qx "0 requests in flight" "$T/after.txt" || { show "$T/after.txt"; fail "still in flight"; }

# A session open when its process dies: no request cut short for it.
held 2
wait_status "$sock" "WS http://127.0.0.1:$port/chat2  WebSocket session open" "$T/status2.txt"
kill -KILL "$hpid"
wait "$hpid" 2>/dev/null || true # killed: 137
for _ in $(seq 100); do [ "$(wc -l <"$T/ws.log" 2>/dev/null)" = 2 ] && break; sleep 0.05; done
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
"$PY" - "$T/out.json" "$T/ws.log" <<'PYEOF' || { show "$T/out.json"; fail "out.json: wrong"; }
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
srv = [json.loads(l) for l in open(sys.argv[2])]
assert len(srv) == 2 and srv[0]["close_code"] == 1000, srv
reqs = [l for l in lines if l["event"] == "request"]
wss = [l for l in lines if l["event"] == "websocket"]
assert [r["status"] for r in reqs] == [101, 101], reqs
assert all(r.get("error") in (None, "") for r in reqs), reqs
assert len(wss) == 1 and wss[0]["url"].endswith("/chat1"), wss
PYEOF
pass
