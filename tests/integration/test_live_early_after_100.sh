#!/bin/bash
# test_live_early_after_100.sh - (from the review of 10b18bf, failed on
# 97712e5) a client sends a body after a 100 Continue; the server then
# answers early (413, its head whole and some body bytes sent) while the
# client still writes.  The client is killed: its request, read from the
# live page, is in phase "receive" (its final response has begun, as the
# same request without the 100 Continue is reported), not "send"; and so
# does `httptrace status` (json and text) while the client still writes.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock

# srv.py PORTFILE WITH100: answers 100 Continue (when WITH100 is 1), then an
# early 413 head with 10 of its 100000 body bytes, and never reads again.
cat >"$T/srv.py" <<'PYEOF'
import socket, sys, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
l.bind(('127.0.0.1', 0)); l.listen(5)
with open(sys.argv[1] + '.tmp', 'w') as f:
    f.write(str(l.getsockname()[1]))
import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1])
keep = []
while True:
    c, _ = l.accept(); c.recv(1000)
    if sys.argv[2] != '0':
        c.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
    time.sleep(0.2)
    if sys.argv[3] == '1':
        c.sendall(b'HTTP/1.1 413 Too Large\r\nContent-Length: 100000\r\n\r\n' + b'x' * 10)
    keep.append(c)
    open(sys.argv[1] + '.sent', 'a').write('x\n')
PYEOF
# client.py PORT: a POST of 20 MB with Expect: 100-continue, written on
# whatever comes back (a client that does not stop at the early answer).
cat >"$T/client.py" <<'PYEOF'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
n = 20 * 1000 * 1000
s.sendall(b'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n'
          b'Content-Length: %d\r\n\r\n' % n)
s.settimeout(5)
got = b''
while b'413' not in got and sys.argv[2] == '1':
    got += s.recv(4096)
while b'100' not in got:
    got += s.recv(4096)
s.settimeout(None)
s.sendall(b'\0' * n)  # blocks: the server reads no more
PYEOF

run_one() { # WITH100 EARLY -> $T/out$1.json
	rm -f "$sock" "$T/port$1" "$T/port$1.sent"
	"$PY" "$T/srv.py" "$T/port$1" "$1" "$2" 2>"$T/srv$1.err" &
	_PIDS+=("$!")
	for _ in $(seq 100); do [ -s "$T/port$1" ] && break; sleep 0.05; done
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out$1.json" 2>"$T/listen$1.err" &
	local lpid=$!
	_PIDS+=("$lpid")
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
		"$PY" "$T/client.py" "$(cat "$T/port$1")" "$2" 2>"$T/client$1.err" &
	local cpid=$!
	_PIDS+=("$cpid")
	for _ in $(seq 100); do [ -s "$T/port$1.sent" ] && break; sleep 0.05; done
	sleep 0.5
	# the live listing, while the client still writes: as the record
	"$HTTPTRACE" status -s "$sock" -f json >"$T/status$1.json" || fail "status failed"
	"$HTTPTRACE" status -s "$sock" >"$T/status$1.txt" || fail "status failed"
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null || true
	for _ in $(seq 100); do
		grep -q '"event":"request"' "$T/out$1.json" 2>/dev/null && break
		sleep 0.05
	done
	kill -INT "$lpid"
	wait "$lpid" 2>/dev/null || true
}
# status_phase N: the one request the live listing of run N showed is in
# phase "receive" (json and text), as its record says.
status_phase() {
	"$PY" - "$T/status$1.json" <<'PYEOF' || { show "$T/status$1.json"; fail "status $1: phase not receive"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 1, d
assert d["requests"][0]["phase"] == "receive", d["requests"][0]
PYEOF
	grep -q "POST .* receiving the response" "$T/status$1.txt" ||
		{ show "$T/status$1.txt"; fail "status $1: text not receiving"; }
}
# (2) early 413 after the 100: the final response has begun, as without
# the 100 (3): phase receive.
run_one 0 1
jcheck "$T/out0.json" --count 1 \
	--each 'status == 413 and error == "ended" and phase == "receive"'
status_phase 0
run_one 1 1
jcheck "$T/out1.json" --count 1 \
	--each 'status == 413 and interim == 1 and error == "ended"' \
	--each 'phase == "receive"'
status_phase 1
pass
