#!/bin/bash
# test_unix_socket_python.sh - Python's http.client over an AF_UNIX socket
# (GET, then POST with a body, keep-alive) to a Python HTTP server on a Unix
# socket, and in the same process a non-HTTP exchange on another Unix
# socket: the two HTTP requests are recorded (peer "unix:PATH", url
# http://localhost/..., as the Host header says), the other socket is not
# followed at all (one connection in the summary, no record of it).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

cat >"$T/userver.py" <<'PYEOF'
import http.server, os, socket, socketserver, sys, threading

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"x" * 42
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass

class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline())

class E(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

http_path, echo_path = sys.argv[1], sys.argv[2]
s, e = S(http_path, H), E(echo_path, Echo)
threading.Thread(target=e.serve_forever, daemon=True).start()
open(sys.argv[3], "w").close()
s.serve_forever()
PYEOF

cat >"$T/uclient.py" <<'PYEOF'
import http.client, socket, sys

class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path
    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.unix_path)
        self.sock = s

c = UnixConn(sys.argv[1])
c.request("GET", "/a?b=1")
r = c.getresponse()
print(r.status, len(r.read()))
c.request("POST", "/b", body=b"0123456789")
r = c.getresponse()
print(r.status, len(r.read()))
c.close()

e = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
e.connect(sys.argv[2])
e.sendall(b"\x00hello, not http\n")
print(e.recv(100))
e.close()
PYEOF

"$PY" "$T/userver.py" "$T/http.sock" "$T/echo.sock" "$T/ready" >"$T/userver.log" 2>&1 &
_PIDS+=("$!")
for _ in $(seq 1 100); do
	[ -e "$T/ready" ] && break
	sleep 0.1
done
[ -e "$T/ready" ] || { show "$T/userver.log"; fail "the Unix socket server did not start"; }

run_same py json "$PY" "$T/uclient.py" "$T/http.sock" "$T/echo.sock"
[ "$(tr '\n' ' ' <"$T/py.out")" = "200 42 201 0 b'\\x00hello, not http\\n' " ] ||
	{ show "$T/py.out"; fail "the client did not get its answers"; }

jcheck "$T/py.json" --count 2 \
	--expect 'method == ["GET", "POST"] and status == [200, 201]' \
	--expect "url == ['http://localhost/a?b=1', 'http://localhost/b']" \
	--expect 'req_bytes == [0, 10] and resp_bytes == [42, 0]' \
	--expect 'len(set(conn)) == 1 and req == [1, 2] and reused == [False, True]' \
	--each "peer == 'unix:$T/http.sock' and host == 'localhost' and proxy is None" \
	--each 'error is None and proto == "HTTP/1.1" and tls is False'
jcheck "$T/py.json" --event summary --count 1 \
	--each 'requests == 2 and connections == 1 and errors == 0'

# The events format shows every connection closed: only the HTTP one.
"$HTTPTRACE" -f events -o "$T/ev.json" -- \
	"$PY" "$T/uclient.py" "$T/http.sock" "$T/echo.sock" >/dev/null ||
	fail "httptrace -f events -- python exited $?"
jcheck "$T/ev.json" --event conn_closed --count 1 \
	--each "peer == 'unix:$T/http.sock' and requests == 2"
pass
