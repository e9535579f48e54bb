#!/bin/bash
# test_server_request_close_readv_split.sh - a traced server answers
# "POST /a" ("Connection: close", a 4-byte body) before reading its body
# (an early answer, HTTP/1.1, no Connection header), then reads what is
# left in one call: /a's body and "GET /b" pipelined behind it, and closes
# as Python's server does (shutdown, close).  Whether that one read goes
# into one buffer (recv) or two (recvmsg_into([4, 4096])), /b is reported
# with "sent after a request that asked to close; not served", no server
# error, no "not served" note.  Before (2a8a746, review rev-connclose2):
# each iovec was fed as its own read, the second cleared srv_asked_close,
# and /b became a server error "connection closed before any response"
# with recvmsg but was dropped with a note with recv: one syscall, two
# outcomes by the iovec layout.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

run_case() { # $1: name, $2: 1 for recvmsg into two buffers
	local port tpid
	port=$(free_port 127.0.0.1)
	"$HTTPTRACE" -f json -o "$T/$1.json" -- "$PY" - "$port" "$2" \
		>"$T/$1.out" 2>&1 <<'PYEOF' &
import socket, sys, time
port, split = int(sys.argv[1]), sys.argv[2] == "1"
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(4)
while True:
    s, _ = ls.accept()
    s.settimeout(5)
    try:
        first = s.recv(1, socket.MSG_PEEK)
    except OSError:
        first = b""
    if not first:  # wait_port's probe
        s.close(); continue
    break
# the head alone: peek for its end, then read exactly it
while True:
    p = s.recv(65536, socket.MSG_PEEK)
    i = p.find(b"\r\n\r\n")
    if i >= 0:
        break
    time.sleep(0.01)
head = s.recv(i + 4)
s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
time.sleep(0.5)  # body and /b are in
if split:
    b1, b2 = bytearray(4), bytearray(4096)
    n = s.recvmsg_into([b1, b2])[0]
else:
    n = len(s.recv(4100))
s.shutdown(socket.SHUT_WR)
s.close()
PYEOF
	tpid=$!
	_PIDS+=("$tpid")
	wait_port 127.0.0.1 "$port" "$tpid" || fail "traced server did not start"
	"$PY" - "$port" <<'PYEOF' || fail "client failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"POST /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\n")
got = b""
while not got.endswith(b"ok\n"):
    d = s.recv(65536); assert d, got; got += d
s.sendall(b"abcdGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
while s.recv(65536):
    pass
PYEOF
	wait "$tpid" || true
}

outcome() {
	"$PY" - "$T/$1.json" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [(r["url"].rsplit("/", 1)[1], r["status"], r["error"]) for r in recs
       if r["event"] == "request" and r["side"] == "server"]
summ = [r for r in recs if r["event"] == "summary"][0]
print(srv, "server_errors", summ["server_errors"], "notes", [n["text"][:40] for n in summ.get("not_traced", [])])
PYEOF
}

run_case one 0
run_case two 1
o1=$(outcome one); o2=$(outcome two)
echo "recv:    $o1"; echo "recvmsg: $o2"
want="[('a', 200, None), ('b', None, 'sent after a request that asked to close; not served')] server_errors 0 notes []"
[ "$o1" = "$want" ] || fail "recv into one buffer: /b not reported as sent after a request that asked to close"
[ "$o2" = "$want" ] || fail "recvmsg into two buffers: /b not reported as sent after a request that asked to close"
pass
