#!/bin/bash
# test_websocket_tls.sh - python3-websockets' client to its server over TLS
# (wss, the test's certificate): the 101 keeps its request record (tls
# true); the session is one "websocket" record with tls true and a wss://
# URL whose messages, types, bytes, pings and close match what the server
# logged and the client saw: the frames were read from the TLS library's
# plaintext, not from the socket.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
"$PY" -c 'import websockets' 2>/dev/null ||
	skip "websockets not importable by $PY (install python3-websockets)"
make_cert

port=$(free_port)
"$PY" "$TESTS_DIR/wsserver.py" --tls "$T/cert.pem" "$T/key.pem" "$port" "$T/ws.log" 3 2 \
	>"$T/wsserver.out" 2>&1 &
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || { show "$T/wsserver.out"; fail "wsserver.py did not start"; }

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/wsclient.py" --ca "$T/cert.pem" "wss://localhost:$port/chat" 4 2 2 \
	>"$T/client.out" || { show "$T/client.out"; fail "httptrace -- wsclient.py exited $?"; }
# The server logs a connection when it ends: wait for it.
for _ in $(seq 1 50); do [ -s "$T/ws.log" ] && break; sleep 0.1; done
[ -s "$T/ws.log" ] || { show "$T/wsserver.out"; fail "the server logged no session"; }

"$PY" - "$T/ws.log" "$T/client.out" "$T/out.json" "$port" <<'PYEOF' || { show "$T/out.json"; fail "the wss session's record does not match the server's log"; }
import json, sys
srv = json.loads(open(sys.argv[1]).readline())
cli = json.loads(open(sys.argv[2]).readline())
lines = [json.loads(l) for l in open(sys.argv[3])]
port = sys.argv[4]
# The premise: the server saw 8 messages, sent 6, got 1000 "done".
assert srv["received"]["messages"] == 8 and srv["sent"]["messages"] == 6, srv
assert srv["close_code"] == 1000 and srv["close_reason"] == "done", srv
reqs = [l for l in lines if l["event"] == "request"]
wss = [l for l in lines if l["event"] == "websocket"]
assert len(reqs) == 1 and reqs[0]["status"] == 101 and reqs[0]["tls"] is True, reqs
assert len(wss) == 1, lines
w = wss[0]
assert (w["conn"], w["req"]) == (reqs[0]["conn"], reqs[0]["req"]), w
assert w["tls"] is True, w
assert w["url"] == "wss://localhost:%s/chat" % port, w
ws = w["websocket"]
sent, recv = ws["sent"], ws["received"]
for k in ("messages", "text", "binary", "bytes"):
    assert sent[k] == srv["received"][k], (k, sent, srv)
    assert recv[k] == srv["sent"][k], (k, recv, srv)
assert sent["bytes"] == cli["sent"]["bytes"], (sent, cli)
assert recv["bytes"] == cli["received"]["bytes"], (recv, cli)
assert sent["compressed"] == 0 and recv["compressed"] == 0, ws
assert sent["pings"] == 2 and recv["pongs"] == 2, ws
assert sent["close_code"] == 1000 and sent["close_reason"] == "done", ws
assert ws["closed_by"] == "client" and ws["end"] == "close", ws
assert sent["errors"] == 0 and recv["errors"] == 0, ws
summary = [l for l in lines if l["event"] == "summary"][0]
assert summary["websocket_sessions"] == 1, summary
PYEOF
pass
