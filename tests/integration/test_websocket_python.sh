#!/bin/bash
# test_websocket_python.sh - python3-websockets' client to its server over
# cleartext: 4 text and 2 binary messages (one of 70,200 bytes: a 64-bit
# length) and a fragmented one each way, 2 pings answered, a close 1000
# "done" by the client.  The 101 keeps its request record; the session is
# one "websocket" record whose messages, types, bytes, pings, close code
# and reason match what the server logged and the client saw.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
"$PY" -c 'import websockets' 2>/dev/null ||
	skip "websockets not importable by $PY (install python3-websockets)"

port=$(free_port)
"$PY" "$TESTS_DIR/wsserver.py" "$port" "$T/ws.log" 3 2 >"$T/wsserver.out" 2>&1 &
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || { show "$T/wsserver.out"; fail "wsserver.py did not start"; }

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/wsclient.py" "ws://127.0.0.1:$port/chat" 4 2 2 \
	>"$T/client.out" || { show "$T/client.out"; fail "httptrace -- wsclient.py exited $?"; }
# The server logs a connection when it ends: wait for it.
for _ in $(seq 1 50); do [ -s "$T/ws.log" ] && break; sleep 0.1; done
[ -s "$T/ws.log" ] || fail "the server logged no session"

# The premise: the server saw 8 messages (4 text + "abc" + "end", 2
# binary), sent 6 (3 text + "fragmented", 2 binary), got 1000 "done".
"$PY" - "$T/ws.log" "$T/client.out" "$T/out.json" <<'PYEOF' || fail "the session's record does not match the server's log"
import json, sys
srv = json.loads(open(sys.argv[1]).readline())
cli = json.loads(open(sys.argv[2]).readline())
lines = [json.loads(l) for l in open(sys.argv[3])]
assert srv["received"]["messages"] == 8 and srv["sent"]["messages"] == 6, srv
assert srv["close_code"] == 1000 and srv["close_reason"] == "done", srv
reqs = [l for l in lines if l["event"] == "request"]
wss = [l for l in lines if l["event"] == "websocket"]
assert len(reqs) == 1 and reqs[0]["status"] == 101, reqs
assert len(wss) == 1, lines
w = wss[0]
assert (w["conn"], w["req"]) == (reqs[0]["conn"], reqs[0]["req"]), w
assert w["url"] == reqs[0]["url"].replace("http://", "ws://", 1), w
ws = w["websocket"]
sent, recv = ws["sent"], ws["received"]
for k in ("messages", "text", "binary", "bytes"):
    assert sent[k] == srv["received"][k], (k, sent, srv)
    assert recv[k] == srv["sent"][k], (k, recv, srv)
assert sent["bytes"] == cli["sent"]["bytes"], (sent, cli)
assert recv["bytes"] == cli["received"]["bytes"], (recv, cli)
assert sent["pings"] == 2 and recv["pongs"] == 2, ws
assert ws["ping_rtt_ms"]["count"] == 2 and ws["ping_rtt_ms"]["min"] is not None, ws
assert sent["close_code"] == 1000 and sent["close_reason"] == "done", ws
assert recv["close_code"] == 1000, ws
assert ws["closed_by"] == "client" and ws["end"] == "close", ws
assert sent["errors"] == 0 and recv["errors"] == 0, ws
assert w["duration_ms"] is not None and w["duration_ms"] >= 0, w
summary = [l for l in lines if l["event"] == "summary"][0]
assert summary["websocket_sessions"] == 1, summary
PYEOF
pass
