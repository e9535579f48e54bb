#!/bin/bash
# test_server_echo_untracked.sh - a traced TCP echo server (and one on a
# Unix socket) is not HTTP: each connection it accepts costs one probe of
# its first bytes and is then forgotten.  The echo still works byte for
# byte, no record comes out, and the server never even connects to the
# collector (no HELLO: the summary counts no process).  A banner server
# that speaks first (as SMTP does) is forgotten the same way.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

port=$(free_port)
sock=$T/echo.sock
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" - "$port" "$sock" \
	>"$T/server.out" 2>&1 <<'PYEOF' &
import os, socket, sys, threading
port, path = int(sys.argv[1]), sys.argv[2]
def serve(l, banner):
    while True:
        c, _ = l.accept()
        if banner:
            c.sendall(b"220 echo ready\r\n")
        while True:
            d = c.recv(4096)
            if not d:
                break
            c.sendall(d)
        c.close()
t = socket.socket(); t.bind(("127.0.0.1", port)); t.listen(8)
u = socket.socket(socket.AF_UNIX); u.bind(path); u.listen(8)
b = socket.socket(); b.bind(("127.0.0.1", 0)); b.listen(8)
open(path + ".banner", "w").write(str(b.getsockname()[1]))
for l, banner in ((u, False), (b, True)):
    threading.Thread(target=serve, args=(l, banner), daemon=True).start()
serve(t, False)
PYEOF
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced echo server did not start"
for _ in $(seq 50); do [ -s "$sock.banner" ] && break; sleep 0.1; done
bport=$(cat "$sock.banner")

"$PY" - "$port" "$sock" "$bport" <<'PYEOF' || fail "the echo did not come back intact"
import socket, sys
port, path, bport = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for addr, fam in (((("127.0.0.1", port)), socket.AF_INET), (path, socket.AF_UNIX)):
    for n in range(3):
        s = socket.socket(fam); s.connect(addr)
        # the second message looks like HTTP: too late, the first decided
        for msg in (b"hello %d\n" % n, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"):
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                got += s.recv(4096)
            assert got == msg, (got, msg)
        s.close()
s = socket.create_connection(("127.0.0.1", bport))
f = s.makefile("rb")
assert f.readline() == b"220 echo ready\r\n"
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
assert f.read(27) == b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
s.close()
PYEOF

kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/out.json" <<'PYEOF' || { show "$T/out.json"; fail "a non-HTTP server was traced"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["event"] for r in recs] == ["summary"], recs
s = recs[0]
assert s["processes"] == 0 and s["requests"] == 0, s
assert "server_requests" not in s, s
PYEOF
pass
