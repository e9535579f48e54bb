#!/bin/bash
# test_websocket_deflate.sh - python3-websockets' client and server with
# permessage-deflate negotiated (websockets' default compression): the
# session is counted by frame, payload sizes as sent.  Every data message
# each way went compressed (RSV1 on its first frame), so "compressed"
# equals the messages the server logged; messages, text and binary match
# its log; the bytes sent are fewer than the client's uncompressed
# payloads (its 70,200-byte message of one letter deflates to little).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
"$PY" -c 'import websockets' 2>/dev/null ||
	skip "websockets not importable by $PY (install python3-websockets)"

port=$(free_port)
"$PY" "$TESTS_DIR/wsserver.py" --deflate "$port" "$T/ws.log" 3 2 >"$T/wsserver.out" 2>&1 &
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || { show "$T/wsserver.out"; fail "wsserver.py did not start"; }

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/wsclient.py" --deflate "ws://127.0.0.1:$port/chat" 4 2 2 \
	>"$T/client.out" || { show "$T/client.out"; fail "httptrace -- wsclient.py exited $?"; }
for _ in $(seq 1 50); do [ -s "$T/ws.log" ] && break; sleep 0.1; done
[ -s "$T/ws.log" ] || { show "$T/wsserver.out"; fail "the server logged no session"; }

"$PY" - "$T/ws.log" "$T/client.out" "$T/out.json" <<'PYEOF' || { show "$T/out.json"; fail "the deflated session's record does not match the server's log"; }
import json, sys
srv = json.loads(open(sys.argv[1]).readline())
cli = json.loads(open(sys.argv[2]).readline())
lines = [json.loads(l) for l in open(sys.argv[3])]
assert srv["received"]["messages"] == 8 and srv["sent"]["messages"] == 6, srv
assert srv["close_code"] == 1000 and srv["close_reason"] == "done", srv
reqs = [l for l in lines if l["event"] == "request"]
assert len(reqs) == 1 and reqs[0]["status"] == 101, reqs
ext = [h["value"] for h in reqs[0]["response_headers"]
       if h["name"].lower() == "sec-websocket-extensions"]
assert ext and ext[0].startswith("permessage-deflate"), reqs[0]  # the premise
wss = [l for l in lines if l["event"] == "websocket"]
assert len(wss) == 1, lines
ws = wss[0]["websocket"]
sent, recv = ws["sent"], ws["received"]
for k in ("messages", "text", "binary"):
    assert sent[k] == srv["received"][k], (k, sent, srv)
    assert recv[k] == srv["sent"][k], (k, recv, srv)
assert sent["compressed"] == srv["received"]["messages"], ws
assert recv["compressed"] == srv["sent"]["messages"], ws
assert 0 < sent["bytes"] < cli["sent"]["bytes"], (sent, cli)
assert 0 < recv["bytes"], recv
assert sent["pings"] == 2 and recv["pongs"] == 2, ws
assert sent["close_code"] == 1000 and sent["close_reason"] == "done", ws
assert ws["closed_by"] == "client" and ws["end"] == "close", ws
assert sent["errors"] == 0 and recv["errors"] == 0, ws
PYEOF
pass
