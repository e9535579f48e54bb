#!/bin/bash
# test_server_request_close.sh - a client pipelines a request behind one
# that says "Connection: close"; the traced Python HTTP/1.1 server answers
# the first with no Connection header and closes (RFC 9112 section 9.6):
# its log has the first only.  The records are its log's requests, the
# second is counted as read and not served ("not traced"), no server
# error.  Before: the second was a server record "connection closed before
# any response".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

port=$(free_port 127.0.0.1)
"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" "$TESTS_DIR/srvlog.py" "$port" \
	"$T/py.log" >"$T/py.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced python server did not start"
"$PY" - "$port" <<'PYEOF' || fail "client failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
s.close()
# the server closed after the first answer, which has no Connection header
assert got.count(b"HTTP/1.1 200") == 1 and b"Connection" not in got, got
PYEOF
wait_file_line "$T/py.log" '"/a"' || fail "the python server logged nothing"
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/py.json" "$T/py.log" <<'PYEOF' || { show "$T/py.json" "$T/py.log"; fail "the records are not the server's log"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
log = [json.loads(l) for l in open(sys.argv[2])]
assert [l["path"] for l in log] == ["/a"], log
assert [(r["method"], r["url"].rsplit("/", 1)[1], r["status"], r["error"])
        for r in srv] == [("GET", "a", 200, None)], srv
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_errors"] == 0, summ
assert any(n["text"].startswith("bytes a server read that it did not serve")
           for n in summ.get("not_traced", [])), summ
PYEOF
pass
