#!/bin/bash
# test_websocket_node.sh - node's built-in WebSocket client (undici's; node
# 20 behind --experimental-websocket, 22 on by default) to
# python3-websockets' server: 3 text and 1 binary message, then a close
# 1000 "node done" after the server's messages.  The session's record
# matches what the server logged.  Skipped where node has no WebSocket
# (Debian 12's node 18).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node
"$PY" -c 'import websockets' 2>/dev/null ||
	skip "websockets not importable by $PY (install python3-websockets)"
NODE=(node)
if ! node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	node --experimental-websocket -e \
		'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null ||
		skip "node $(node --version) has no built-in WebSocket client"
	NODE=(node --experimental-websocket)
fi

port=$(free_port)
"$PY" "$TESTS_DIR/wsserver.py" "$port" "$T/ws.log" 3 2 >"$T/wsserver.out" 2>&1 &
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || { show "$T/wsserver.out"; fail "wsserver.py did not start"; }

cat >"$T/client.js" <<'JSEOF'
const ws = new WebSocket(process.argv[2]);
ws.binaryType = "arraybuffer";
let got = 0;
ws.onopen = () => {
	for (let i = 0; i < 3; i++) ws.send("node text " + i);
	ws.send(new Uint8Array(500).fill(7));
	ws.send("end");
};
ws.onmessage = (e) => {
	got++;
	if (e.data === "fragmented") ws.close(1000, "node done");
};
ws.onclose = (e) => {
	console.log(JSON.stringify({ received: got, code: e.code }));
};
ws.onerror = (e) => { console.error("error", e.message); process.exitCode = 1; };
JSEOF

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"${NODE[@]}" "$T/client.js" "ws://127.0.0.1:$port/node" \
	>"$T/client.out" 2>"$T/client.err" ||
	{ show "$T/client.out" "$T/client.err"; fail "httptrace -- node exited $?"; }
for _ in $(seq 1 50); do [ -s "$T/ws.log" ] && break; sleep 0.1; done
[ -s "$T/ws.log" ] || fail "the server logged no session"

"$PY" - "$T/ws.log" "$T/client.out" "$T/out.json" <<'PYEOF' || { show "$T/out.json" "$T/ws.log"; fail "the session's record does not match the server's log"; }
import json, sys
srv = json.loads(open(sys.argv[1]).readline())
cli = json.loads(open(sys.argv[2]).readline())
lines = [json.loads(l) for l in open(sys.argv[3])]
# the premise: the server saw 5 messages (4 text, 1 binary), 1000 "node done"
assert srv["received"]["messages"] == 5 and srv["received"]["binary"] == 1, srv
assert srv["close_code"] == 1000 and srv["close_reason"] == "node done", srv
assert cli["received"] == 6, cli
wss = [l for l in lines if l["event"] == "websocket"]
assert len(wss) == 1, lines
ws = wss[0]["websocket"]
assert wss[0]["url"].startswith("ws://127.0.0.1:") and wss[0]["url"].endswith("/node"), wss
for k in ("messages", "text", "binary", "bytes"):
    assert ws["sent"][k] == srv["received"][k], (k, ws, srv)
    assert ws["received"][k] == srv["sent"][k], (k, ws, srv)
assert ws["sent"]["close_code"] == 1000 and ws["sent"]["close_reason"] == "node done", ws
assert ws["closed_by"] == "client", ws
assert ws["sent"]["errors"] == 0 and ws["received"]["errors"] == 0, ws
PYEOF
pass
