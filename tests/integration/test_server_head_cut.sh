#!/bin/bash
# test_server_head_cut.sh - a client sends "GET /midhead HTTP/1.1", a
# Host line and part of another header line, then closes; the traced
# Python server takes the end of its bytes for the end of the head and
# answers 200 (its log says so, with the bytes it read).  The record keeps
# what was read: method, target, Host, the head's bytes read; the status
# the server wrote; error "request head cut short".  Before: method null,
# the URL made of addresses, req_header_bytes 0.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

start_traced_py out srvlog.py "$T/srv.log"
port=$TRACED_PORT tpid=$TRACED_PID
"$PY" - "$port" <<'PYEOF' || fail "client failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /midhead HTTP/1.1\r\nHost: cut.example\r\nX-A")
s.shutdown(socket.SHUT_WR)
s.settimeout(5)
while s.recv(65536):   # the server answers anyway, then closes
    pass
s.close()
PYEOF
wait_file_line "$T/srv.log" midhead || fail "the server logged nothing"
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/out.json" "$T/srv.log" <<'PYEOF' || { show "$T/out.json" "$T/srv.log"; fail "the cut head's request is not reported as the server's log says"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
log = [json.loads(l) for l in open(sys.argv[2])]
assert len(srv) == len(log) == 1, (srv, log)
r, l = srv[0], log[0]
assert r["side"] == "server" and r["method"] == l["method"] == "GET", (r, l)
assert r["url"] == "http://cut.example" + l["path"], (r, l)
assert r["host"] == "cut.example", r
assert r["req_header_bytes"] == l["read"], (r, l)
assert r["status"] == l["status"] == 200, (r, l)
assert r["error"] == "request head cut short", r
assert r["resp_bytes"] + r["resp_header_bytes"] == l["written"], (r, l)
PYEOF
pass
