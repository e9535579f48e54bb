#!/bin/bash
# test_cut_receiving_body.sh - a client killed while it receives a
# response's body keeps what it had of the response: the server (the
# test's own) sends a 200's header section (Content-Length: 10, 39 bytes)
# and 3 body bytes, then holds the rest; curl, once it wrote those 3 bytes
# to its output file, is killed.  Run mode (SIGTERM) and listen mode
# (SIGKILL, the signal not known there): json status 200, resp_bytes 3,
# resp_header_bytes 39, phase receive; text (the capture read back)
# "received 3 B (+39 header)".  Before, the record from the live page had
# status null and "received 0 B (+0 header)".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl

cat >"$T/srv.py" <<'PYEOF'
import socket, sys, threading
port, log = int(sys.argv[1]), sys.argv[2]
head = b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'
def serve(c):
    buf = b''
    while b'\r\n\r\n' not in buf:
        d = c.recv(4096)
        if not d:
            return
        buf += d
    path = buf.split(b' ')[1].decode()
    c.sendall(head + b'abc')
    with open(log, 'a') as f:
        f.write('sent %s %d\n' % (path, len(head)))
    while c.recv(4096):  # the rest never comes: wait for the client's end
        pass
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(8)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
port=$(free_port 127.0.0.1)
"$PY" "$T/srv.py" "$port" "$T/srv.log" >"$T/srv.err" 2>&1 &
_PIDS+=("$!")
wait_port 127.0.0.1 "$port" "$!" || fail "the server did not start"
url="http://127.0.0.1:$port"

# wait_body NAME: wait until curl wrote the 3 body bytes of /NAME to
# $T/NAME.body (it had them), after the server logged sending them.
wait_body() {
	local _
	for _ in $(seq 200); do
		[ "$(cat "$T/$1.body" 2>/dev/null)" = abc ] && return 0
		sleep 0.05
	done
	show "$T/srv.log"
	fail "$1: curl never had the 3 body bytes"
}

# check NAME ERROR SIGNAL: the record of /NAME in $T/NAME.json and in the
# text replay of $T/NAME.cap.
check() {
	grep -qx "sent /$1 39" "$T/srv.log" || fail "$1: the server did not send"
	jcheck "$T/$1.json" --count 1 \
		--each "url == '$url/$1' and error == '$2' and signal == $3" \
		--each 'phase == "receive" and status == 200' \
		--each 'resp_bytes == 3 and resp_header_bytes == 39'
	"$HTTPTRACE" read -f text "$T/$1.cap" >"$T/$1.text" ||
		fail "$1: read failed"
	grep -q "^GET $url/$1 -> 200, $2" "$T/$1.text" ||
		{ show "$T/$1.text"; fail "$1: text: no cut record"; }
	grep -q "received 3 B (+39 header)" "$T/$1.text" ||
		{ show "$T/$1.text"; fail "$1: text: not the 3 bytes and 39 header bytes received"; }
}

# Run mode: curl SIGTERMed.
"$HTTPTRACE" -f json -o "$T/run.json" -w "$T/run.cap" -- \
	sh -c 'echo $$ >"$1"; exec curl -sN --max-time 120 -o "$2" "$3"' \
	sh "$T/curl.pid" "$T/run.body" "$url/run" &
tracer=$!
_PIDS+=("$tracer")
wait_body run
kill -TERM "$(cat "$T/curl.pid")"
wait "$tracer" || true
check run killed "'SIGTERM'"

# Listen mode: curl SIGKILLed (listen cannot know the signal: "ended").
sock=$T/ht.sock
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" -w "$T/listen.cap" \
	2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not start"
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	curl -sN --max-time 120 -o "$T/listen.body" "$url/listen" &
cpid=$!
_PIDS+=("$cpid")
wait_body listen
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null || true
for _ in $(seq 100); do
	grep -q '"event":"request"' "$T/listen.json" 2>/dev/null && break
	sleep 0.05
done
kill -INT "$lpid"
wait "$lpid" 2>/dev/null || true
check listen ended None
pass
