#!/bin/bash
# test_join_first_requests.sh - a traced client's records that reach the
# collector before the first record of the traced server it calls still
# join (join.h: a client record whose peer is on this host is held even
# before its server is known): a serial client makes its requests on one
# keep-alive connection to a traced nginx (an event loop, whose records
# come some way behind the client's), each of them a client record
# joined both ways to the server record of the same request as nginx
# logged it (target, status, its connection's n-th request), with the
# server's processing time.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock
N=150

start_status_listen "$sock"
"$HTTPTRACE" env -s "$sock" >"$T/env.sh"
# nginx traced by the listener
NGINX_WRAP=(sh -c '. "$0"; exec "$@"' "$T/env.sh")
start_nginx
nginx_log_mark

# one connection, one request at a time, every target its own
cat >"$T/client.py" <<'PYEOF'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
for i in range(n):
    path = "/index.html?i=%d" % i if i % 3 else "/missing?i=%d" % i
    s.sendall(b"GET %s HTTP/1.1\r\nHost: a\r\n\r\n" % path.encode())
    f.readline()
    length = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode().partition(":")
        if k.lower() == "content-length":
            length = int(v)
    f.read(length)
print("done", n)
PYEOF
(. "$T/env.sh"; exec "$PY" "$T/client.py" "$NGINX_PORT" "$N") >"$T/client.out" 2>&1 ||
	{ show "$T/client.out"; fail "the client failed"; }
logged=$(nginx_log_since "$N")

# An event loop whose records come late for sure: it answers, then works
# 50 ms before it waits again (its records wait in its library until
# then), so the client's record of each request comes first.  It ends
# after its M-th answer.
cat >"$T/loop.py" <<'PYEOF'
import selectors, socket, sys, time
ls = socket.create_server(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(ls.getsockname()[1]))
log = open(sys.argv[2], "a", buffering=1)
sel = selectors.EpollSelector()
sel.register(ls, selectors.EVENT_READ)
served = 0
while True:
    for key, _ in sel.select():
        if key.fileobj is ls:
            c, _ = ls.accept()
            sel.register(c, selectors.EVENT_READ)
            continue
        c = key.fileobj
        data = c.recv(65536)
        if not data:
            sel.unregister(c)
            c.close()
            continue
        path = data.split(b" ")[1].decode()
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        log.write(path + "\n")
        time.sleep(0.05)
        served += 1
        if served == int(sys.argv[3]):
            sys.exit(0)
PYEOF
M=3
(. "$T/env.sh"; exec "$PY" "$T/loop.py" "$T/loop.port" "$T/loop.log" "$M") >"$T/loop.out" 2>&1 &
lpy=$!
_PIDS+=("$lpy")
for _ in $(seq 100); do [ -s "$T/loop.port" ] && break; sleep 0.05; done
[ -s "$T/loop.port" ] || { show "$T/loop.out"; fail "the event-loop server did not start"; }
(. "$T/env.sh"; exec "$PY" "$T/client.py" "$(cat "$T/loop.port")" "$M") >"$T/client2.out" 2>&1 ||
	{ show "$T/client2.out"; fail "the client of the event loop failed"; }
wait "$lpy" || { show "$T/loop.out"; fail "the event loop exited $?"; }
[ "$(wc -l <"$T/loop.log")" = "$M" ] || { show "$T/loop.log"; fail "the event loop did not answer $M requests"; }

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
kill -TERM "$LPID"
wait "$LPID" || { show "$T/listen.err"; fail "listen exited $?"; }

"$PY" - "$T/out.json" "$logged" "$N" "$NGINX_PORT" "$lpy" <<'PYEOF' || { show "$T/nginx/since.log"; fail "client records not joined to nginx's"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
logged = ast.literal_eval(sys.argv[2])
n = int(sys.argv[3])
port, loop_pid = sys.argv[4], int(sys.argv[5])
# nginx's and its client's (not the event loop's, below)
reqs = [r for r in recs if r["event"] == "request" and
        (r["peer"].endswith(":" + port) if r.get("side") != "server"
         else r["pid"] != loop_pid)]
client = [r for r in reqs if r.get("side") != "server"]
server = {(r["pid"], r["conn"], r["req"]): r for r in reqs
          if r.get("side") == "server"}
assert len(logged) == n, len(logged)
assert len(client) == n and len(server) == n, (len(client), len(server))
# nginx's log, by target (each one its own)
by_target = {l[6]: l for l in logged}
unjoined = [c["req"] for c in client if c.get("peer_record") is None]
assert not unjoined, "client records not joined: %d of %d, the first %s" % (
    len(unjoined), n, unjoined[:10])
for c in client:
    p = c["peer_record"]
    s = server[(p["pid"], p["conn"], p["req"])]
    assert s["peer_record"] == {"pid": c["pid"], "conn": c["conn"],
                                "req": c["req"]}, (c, s)
    target = c["url"].split("/", 3)[3]
    conn, creq, status, size, proto, method, ltarget = by_target["/" + target]
    assert s["url"].endswith(target), (c["url"], s["url"])
    assert c["req"] == s["req"] == creq, (c["req"], s["req"], creq)
    assert c["status"] == s["status"] == status, (c, s, status)
    assert c["server_processing_ms"] == s["processing_ms"], (c, s)
    assert c["server_processing_ms"] is not None, c
PYEOF

"$PY" - "$T/out.json" "$T/loop.log" "$(cat "$T/loop.port")" <<'PYEOF' || { show "$T/out.json" "$T/loop.log"; fail "client records not joined to the event loop's"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
served = [l.strip() for l in open(sys.argv[2])]
port = sys.argv[3]
client = [r for r in recs if r["event"] == "request" and
          r.get("side") != "server" and r["peer"].endswith(":" + port)]
server = {(r["pid"], r["conn"], r["req"]): r for r in recs
          if r["event"] == "request" and r.get("side") == "server"}
assert [c["url"].split("/", 3)[3] for c in client] == [p[1:] for p in served], (client, served)
for c in client:
    p = c.get("peer_record")
    assert p is not None, "client record %d not joined" % c["req"]
    s = server[(p["pid"], p["conn"], p["req"])]
    assert s["url"].endswith(served[c["req"] - 1]), (c, s)
    assert s["req"] == c["req"], (c, s)
    assert c["server_processing_ms"] == s["processing_ms"], (c, s)
PYEOF
pass
