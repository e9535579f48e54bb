#!/bin/bash
# test_rev_ws_server_port.sh - review of audit4 (bdd0b63): a traced
# server's WebSocket session, upgraded by a request whose Host names no
# port ("Host: localhost"), must not have the client's ephemeral port in
# its url: url_ws() builds its request without HT_RF_SERVER (a ws record
# has no side flag) and url_request() appends the peer's (the client's)
# port.  The 101's own request record (flagged a server's) is right.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
port=$(free_port)
cat >"$T/srv.py" <<'PYEOF'
import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(('127.0.0.1', int(sys.argv[1]))); l.listen(1)
d = b''
while b'\r\n\r\n' not in d:  # wait_port's probe sends nothing
    c, _ = l.accept(); d = b''
    while b'\r\n\r\n' not in d:
        got = c.recv(4096)
        if not got:
            break
        d += got
c.sendall(b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
          b'Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n')
c.recv(4096); c.sendall(bytes([0x88, 0x02, 0x03, 0xe8])); time.sleep(0.3); c.close()
PYEOF
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" "$T/srv.py" "$port" >"$T/srv.out" 2>&1 &
srv=$!
wait_port 127.0.0.1 "$port" "$srv" || { show "$T/srv.out"; fail "srv.py did not start"; }
"$PY" - "$port" <<'PYEOF' || fail "the client failed"
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n'
          b'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
          b'Sec-WebSocket-Version: 13\r\n\r\n')
s.recv(4096); s.sendall(bytes([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2])); s.recv(100); s.close()
PYEOF
wait "$srv" || { show "$T/srv.out"; fail "httptrace -- srv.py exited $?"; }
jcheck "$T/out.json" --count 1 --expect 'url == ["http://localhost/chat"]'
"$PY" - "$T/out.json" <<'PYEOF' || { show "$T/out.json"; fail "the session's url is not ws://localhost/chat"; }
import json, sys
ws = [r for r in map(json.loads, open(sys.argv[1])) if r["event"] == "websocket"]
assert [r["url"] for r in ws] == ["ws://localhost/chat"], [r["url"] for r in ws]
PYEOF
pass
