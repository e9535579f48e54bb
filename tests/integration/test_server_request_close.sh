#!/bin/bash
# test_server_request_close.sh - a client writes, in one send, a request
# that says "Connection: close" and a second one behind it.  The traced
# Python HTTP/1.1 server (srvlog.py) answers the first with no Connection
# header and ends the connection without answering the second (RFC 9112
# section 9.6: it was never the server's to serve): its log has the first
# only.  The records: /a 200, /b with the error "sent after a request
# that asked to close; not served", no server error (server_not_served 1),
# no "not served" note.  Before 691ae72: /b "connection closed before any
# response", a server error; from 691ae72 to connclose3: no record of /b,
# the note "bytes a server read that it did not serve".  Control: a traced asyncio server that ignores the header answers
# both on the same connection: both are records, 200, no note.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

NOTE="bytes a server read that it did not serve"

# client PORT NANSWERS: both requests in one send, then read until the
# server closes (python) or NANSWERS answers came (asyncio); prints what
# it read.
client() {
	"$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
want, got = int(sys.argv[2]), b""
while got.count(b"ok\n") < want:
    d = s.recv(65536)
    if not d:
        break
    got += d
s.close()
sys.stdout.write(got.decode())
PYEOF
}

# Python's server: one answer, no Connection header, then its end.
start_traced_py py srvlog.py "$T/py.log"
port=$TRACED_PORT tpid=$TRACED_PID
client "$port" 2 >"$T/py.got" || fail "python: client failed"
if [ "$(grep -c '^HTTP/1.1 200' "$T/py.got")" != 1 ] || grep -qi '^Connection' "$T/py.got"; then
	show "$T/py.got"
	fail "python: not one answer without a Connection header"
fi
wait_file_line "$T/py.log" '"/a"' || fail "the python server logged nothing"
sleep 0.2 # its close follows its log line
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/py.json" "$T/py.log" "$NOTE" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
log = [json.loads(l) for l in open(sys.argv[2])]
assert [l["path"] for l in log] == ["/a"], log
assert [(r["side"], r["method"], r["url"].rsplit("/", 1)[1], r["status"],
         r["error"]) for r in srv] == [
    ("server", "GET", "a", 200, None),
    ("server", "GET", "b", None,
     "sent after a request that asked to close; not served")], srv
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 2, summ
assert summ["server_errors"] == 0 and summ["errors"] == 0, summ
assert summ["server_not_served"] == 1, summ
assert not any(n["text"].startswith(sys.argv[3])
               for n in summ.get("not_traced", [])), summ
PYEOF
	{ show "$T/py.json" "$T/py.log"; fail "python: /b is not reported as sent after a request that asked to close"; }

# Control: an asyncio server that answers every request it reads, the
# header ignored (answer_on_server.py): both are followed.
start_traced_py aio answer_on_server.py "$T/aio.log"
port=$TRACED_PORT tpid=$TRACED_PID
client "$port" 2 >"$T/aio.got" || fail "asyncio: client failed"
[ "$(grep -c '^HTTP/1.1 200' "$T/aio.got")" = 2 ] ||
	{ show "$T/aio.got"; fail "asyncio: not two answers"; }
wait_file_line "$T/aio.log" '^end /b' || fail "the asyncio server did not log /b"
sleep 0.2 # its close follows the client's
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/aio.json" "$NOTE" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
assert [(r["side"], r["url"].rsplit("/", 1)[1], r["status"], r["error"])
        for r in srv] == [("server", "a", 200, None),
                          ("server", "b", 200, None)], srv
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 2, summ
assert summ["server_errors"] == 0 and summ["errors"] == 0, summ
assert not any(n["text"].startswith(sys.argv[2])
               for n in summ.get("not_traced", [])), summ
PYEOF
	{ show "$T/aio.json" "$T/aio.log"; fail "asyncio: both requests are not followed"; }
pass
