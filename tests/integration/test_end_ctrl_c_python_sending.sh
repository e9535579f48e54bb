#!/bin/bash
# test_end_ctrl_c_python_sending.sh - SIGINT on a Python client (http.client,
# a blocking socket) while it sends a big request body to a server that
# read the head and reads no more: its send(2) returns the bytes it moved,
# not EINTR, then sendall raises KeyboardInterrupt and Python closes the
# socket itself before it dies of SIGINT.  The request is reported as
# interrupted (SIGINT) sending the request (JSON error "interrupted",
# signal "SIGINT", phase "send"), as with a read cut by EINTR
# (test_end_ctrl_c_python).  Before, it was "connection closed before the
# response completed", no signal, no phase: the short write did not mark
# the connection interrupted.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
port=$(free_port 127.0.0.1)
# The server: reads one request head, logs it, then holds the connection
# without reading (the client's send blocks once the buffers are full).
"$PY" - "$port" "$T/srv.log" <<'EOF_PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(4096)
        if not d:
            break
        buf += d
    if buf:
        held.append(c)
        with open(sys.argv[2], "a") as f:
            f.write("got head\n")
EOF_PY
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || fail "server did not start"

# (the client makes its own SIGINT handler: an asynchronous job of this
# shell starts with SIGINT ignored)
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" -c '
import http.client, os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
open(sys.argv[2], "w").write(str(os.getpid()))
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
c.request("POST", "/upload", body=b"z" * 64000000)' "$port" "$T/client.pid" &
tracer=$!
_PIDS+=("$tracer")
wait_file_line "$T/srv.log" '^got head' || fail "the server never had the request head"
# the client is now blocked in its send: the server reads no more
sleep 0.5
kill -INT "$(cat "$T/client.pid")"
wait "$tracer" || true

jcheck "$T/out.json" --count 1 \
	--each "method == 'POST' and url.endswith('/upload')" \
	--each "error == 'interrupted' and signal == 'SIGINT' and phase == 'send'" ||
	fail "not reported interrupted (SIGINT) sending the request"
jcheck "$T/out.json" --event summary --each 'requests == 1 and errors == 1 and dropped == 0' ||
	fail "wrong summary"
pass
