#!/bin/bash
# test_server_malformed_answered.sh - a traced server answers a request
# line it cannot parse (and, on a keep-alive connection, garbage after a
# good request): the record is a malformed request WITH the response the
# server wrote, checked against the server's own log.  Python takes such a
# line for HTTP/0.9 and writes no status line: status null, the bytes it
# wrote (its log's count); nginx writes a 400 with a status line: status
# 400 and its body bytes as its access log says.  Before: status null,
# response bytes 0 (the record went out at the parse error).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

# client PORT: the bad line on a connection of its own; a good request,
# then garbage, on another; each read to the server's close
client() {
	"$PY" - "$1" <<'PYEOF' || fail "client failed"
import socket, sys
def conn(*reqs):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(5)
    got = b""
    for q in reqs:
        s.sendall(q)
        while True:
            d = s.recv(65536)
            got += d
            if not d or got.endswith(b"ok\n"):
                break
    s.close()
conn(b"GET /bad version HTTP/9.9\r\nHost: x\r\n\r\n")
conn(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", b"GARBAGE\r\n\r\n")
PYEOF
}

start_traced_py py srvlog.py "$T/py.log"
port=$TRACED_PORT tpid=$TRACED_PID
client "$port"
for _ in $(seq 1 50); do
	[ "$(wc -l <"$T/py.log")" -ge 3 ] && break
	sleep 0.1
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/py.json" "$T/py.log" <<'PYEOF' || { show "$T/py.json" "$T/py.log"; fail "python: the answered malformed requests are not reported as the server's log says"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
log = [json.loads(l) for l in open(sys.argv[2])]
assert len(srv) == len(log) == 3, (srv, log)
bad = [r for r in srv if r["url"].endswith("/bad")]
assert len(bad) == 1, srv
b = bad[0]
lb = [l for l in log if l["status"] == 505][0]
assert b["side"] == "server" and b["method"] == "GET", b
assert b["error"] == "malformed request", b
# no status line on the wire (HTTP/0.9): no status, every byte written
assert b["status"] is None and b["resp_header_bytes"] == 0, b
assert b["resp_bytes"] == lb["written"] > 0, (b, lb)
assert b["processing_ms"] is not None and b["write_ms"] is not None, b
ok = [r for r in srv if r["url"].endswith("/ok")][0]
assert ok["status"] == 200 and ok["error"] is None, ok
g = [r for r in srv if r is not b and r is not ok][0]
lg = [l for l in log if l["status"] == 400][0]
assert g["error"] == "malformed request" and g["req"] == 2, g
assert g["resp_bytes"] == lg["written"] > 0, (g, lg)
PYEOF

# nginx: a 400 with its status line
NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/ngx.json" --)
start_nginx
nginx_log_mark
"$PY" - "$NGINX_PORT" <<'PYEOF' || fail "nginx client failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"GET /bad version HTTP/9.9\r\nHost: x\r\n\r\n")
while s.recv(65536):
    pass
s.close()
PYEOF
logged=$(nginx_log_since 1)
kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
"$PY" - "$T/ngx.json" "$logged" <<'PYEOF' || { show "$T/ngx.json" "$T/nginx/since.log"; fail "nginx: the answered malformed request is not reported as its log says"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
logged = ast.literal_eval(sys.argv[2])
assert len(logged) == 1 and logged[0][2] == 400, logged
assert len(srv) == 1, srv
r = srv[0]
assert r["side"] == "server" and r["error"] == "malformed request", r
assert r["status"] == 400 and r["resp_bytes"] == logged[0][3] > 0, (r, logged)
assert r["method"] == "GET" and r["url"].endswith("/bad"), r
PYEOF
pass
