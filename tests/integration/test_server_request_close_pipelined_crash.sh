#!/bin/bash
# test_server_request_close_pipelined_crash.sh - a traced asyncio server
# (answer_on_server.py) that answers on (HTTP/1.1, no Connection header, whatever the request
# says) gets "GET /a HTTP/1.0" and "GET /boom HTTP/1.0" in one send.  It
# answers /a, starts /boom (its log: start /boom), and its handler fails on
# it: the server closes the connection without an answer.  From its bytes
# this is Python's server closing behind a request that asked to close:
# /boom is reported with the error "sent after a request that asked to
# close; not served" (not a server error, counted in server_not_served;
# the user can judge), never dropped.  Control: /boom sent after /a's
# answer was read (the server read on) is "connection closed before any
# response", a server error.  Before (2a8a746, review rev-connclose2): the
# pipelined run had no record of /boom, only the note "bytes a server read
# that it did not serve".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

run_case() { # $1: name, $2: pipelined (1) or not (0)
	local port tpid
	start_traced_py "$1" answer_on_server.py "$T/$1.log"
	port=$TRACED_PORT tpid=$TRACED_PID
	"$PY" - "$port" "$2" <<'PYEOF' || fail "client failed"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
if sys.argv[2] == "1":
    s.sendall(b"GET /a HTTP/1.0\r\n\r\nGET /boom HTTP/1.0\r\n\r\n")
else:
    s.sendall(b"GET /a HTTP/1.0\r\n\r\n")
got = b""
while not got.endswith(b"ok\n"):
    d = s.recv(65536)
    assert d, got
    got += d
if sys.argv[2] != "1":
    s.sendall(b"GET /boom HTTP/1.0\r\n\r\n")
while s.recv(65536):
    pass
s.close()
PYEOF
	wait_file_line "$T/$1.log" '^conn end' || fail "the server did not end"
	kill -TERM "$tpid"
	wait "$tpid" || true
}

check() { # $1: name, $2: /boom's error, $3: server_errors, $4: not served
	"$PY" - "$T/$1.json" "$2" "$3" "$4" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request" and r["side"] == "server"]
got = [(r["url"].rsplit("/", 1)[1], r["status"], r["error"]) for r in srv]
summ = [r for r in recs if r["event"] == "summary"][0]
notes = [n["text"] for n in summ.get("not_traced", [])]
print(sys.argv[1], got, summ.get("server_errors"),
      summ.get("server_not_served"), notes)
assert len(got) == 2 and got[0] == ("a", 200, None), got
assert got[1] == ("boom", None, sys.argv[2]), got
assert summ["server_errors"] == int(sys.argv[3]), summ
assert summ.get("server_not_served", 0) == int(sys.argv[4]), summ
assert not any("did not serve" in n for n in notes), notes
PYEOF
}

run_case apart 0
run_case piped 1
check apart "connection closed before any response" 1 0 ||
	{ show "$T/apart.json" "$T/apart.log"; fail "control: /boom sent after /a's answer is not the server's error"; }
check piped "sent after a request that asked to close; not served" 0 1 ||
	{ show "$T/piped.json" "$T/piped.log"; fail "/boom, pipelined behind /a that asked to close, not reported as sent after it"; }
pass
