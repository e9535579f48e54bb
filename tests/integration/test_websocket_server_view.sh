#!/bin/bash
# test_websocket_server_view.sh - a traced WebSocket server's session
# record says what the server sent and received (the man page: "sent (by
# the program)"): wsserver.py traced, wsclient.py untraced (8 messages and
# 2 pings to the server, 6 messages back, the client's close 1000 "done").
# The record's sent/received match the server's own log, the client's
# pings are received ones answered by sent pongs (peer_ping_rtt_ms, not
# ping_rtt_ms), and closed_by is "client".  4a50d34 recorded a server's
# session by the call's direction: sent 8 received 6, the client's pings
# as the program's.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
"$PY" -c 'import websockets' 2>/dev/null ||
	skip "websockets not importable by $PY (install python3-websockets)"

start_traced_py srv wsserver.py "$T/ws.log" 3 2
"$PY" "$TESTS_DIR/wsclient.py" "ws://127.0.0.1:$TRACED_PORT/chat" 4 2 2 >"$T/client.out" ||
	{ show "$T/client.out"; fail "wsclient.py failed"; }
for _ in $(seq 1 50); do [ -s "$T/ws.log" ] && break; sleep 0.1; done
[ -s "$T/ws.log" ] || fail "the server logged no session"
kill -TERM "$TRACED_PID"
wait "$TRACED_PID" || true

"$PY" - "$T/ws.log" "$T/srv.json" <<'PYEOF' || { show "$T/srv.json" "$T/ws.log"; fail "the server's session record is not the server's view"; }
import json, sys
srv = json.loads(open(sys.argv[1]).readline())
lines = [json.loads(l) for l in open(sys.argv[2])]
wss = [l for l in lines if l["event"] == "websocket"]
assert len(wss) == 1, lines
ws = wss[0]["websocket"]
sent, recv = ws["sent"], ws["received"]
for k in ("messages", "text", "binary", "bytes"):
    assert sent[k] == srv["sent"][k], (k, sent, srv)
    assert recv[k] == srv["received"][k], (k, recv, srv)
assert recv["pings"] == 2 and sent["pongs"] == 2 and sent["pings"] == 0, ws
assert ws["peer_ping_rtt_ms"]["count"] == 2 and ws["ping_rtt_ms"]["count"] == 0, ws
assert recv["close_code"] == 1000 and recv["close_reason"] == "done", ws
assert ws["closed_by"] == "client" and ws["end"] == "close", ws
PYEOF
pass
