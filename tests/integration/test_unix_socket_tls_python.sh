#!/bin/bash
# test_unix_socket_tls_python.sh - HTTPS over an AF_UNIX socket: Python's
# ssl on a Unix stream socket, blocking (SSLSocket, the session on the fd:
# GET then POST with a body, keep-alive) and asyncio (open_unix_connection
# with ssl=: memory BIOs, the program writes the ciphertext itself), to a
# Python TLS server on a Unix socket path.  The client's first bytes are a
# ClientHello, not a request line: the socket stays on probation until its
# plaintext says HTTP.  The records match the server's log (method, path,
# status, body bytes), TLS, peer unix:PATH; in the same process a TLS
# exchange that is not HTTP, and a TLS connection closed after its
# handshake, leave no record and no connection (forgotten as in the clear).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd openssl
make_cert

cat >"$T/userver.py" <<'PYEOF'
import http.server, socketserver, ssl, sys, threading

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[4], sys.argv[5])
log = open(sys.argv[6], "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        log.write("%s %s %d %d\n" % (self.command, self.path, status, len(body)))
    def do_GET(self):
        self.answer(200, b"x" * (42 if self.path == "/a" else 7))
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.answer(201, b"")
    def log_message(self, *a):
        pass

class TLSUnix(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    def get_request(self):
        s, a = self.socket.accept()
        return ctx.wrap_socket(s, server_side=True), a
    def handle_error(self, request, client_address):
        pass

class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline())

s, e = TLSUnix(sys.argv[1], H), TLSUnix(sys.argv[2], Echo)
threading.Thread(target=e.serve_forever, daemon=True).start()
open(sys.argv[3], "w").close()
s.serve_forever()
PYEOF

cat >"$T/uclient.py" <<'PYEOF'
import asyncio, http.client, socket, ssl, sys

ctx = ssl.create_default_context(cafile=sys.argv[3])
path, echo = sys.argv[1], sys.argv[2]

class UnixTLS(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("localhost")
    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        self.sock = ctx.wrap_socket(s, server_hostname="localhost")

# blocking: the session on the fd
c = UnixTLS()
c.request("GET", "/a")
r = c.getresponse()
print(r.status, len(r.read()))
c.request("POST", "/b", body=b"0123456789")
r = c.getresponse()
print(r.status, len(r.read()))
c.close()

# not HTTP inside TLS, and a handshake with nothing after it
s = ctx.wrap_socket(socket.socket(socket.AF_UNIX), server_hostname="localhost")
s.connect(echo)
s.sendall(b"\x00hello, not http\n")
print(s.recv(100))
s.close()
s = ctx.wrap_socket(socket.socket(socket.AF_UNIX), server_hostname="localhost")
s.connect(echo)
s.close()

# asyncio: memory BIOs
async def go():
    r, w = await asyncio.open_unix_connection(path, ssl=ctx,
                                              server_hostname="localhost")
    w.write(b"GET /c HTTP/1.1\r\nHost: localhost\r\n\r\n")
    head = await r.readuntil(b"\r\n\r\n")
    n = int([l for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    body = await r.readexactly(n)
    print(head.split(b" ")[1].decode(), len(body))
    w.close()
    await w.wait_closed()
asyncio.run(go())
PYEOF

"$PY" "$T/userver.py" "$T/https.sock" "$T/echo.sock" "$T/ready" \
	"$T/cert.pem" "$T/key.pem" "$T/server.log" >"$T/userver.err" 2>&1 &
_PIDS+=("$!")
for _ in $(seq 1 100); do
	[ -e "$T/ready" ] && break
	sleep 0.1
done
[ -e "$T/ready" ] || { show "$T/userver.err"; fail "the Unix socket server did not start"; }

run_same py json "$PY" "$T/uclient.py" "$T/https.sock" "$T/echo.sock" "$T/cert.pem"
[ "$(tr '\n' ' ' <"$T/py.out")" = "200 42 201 0 b'\\x00hello, not http\\n' 200 7 " ] ||
	{ show "$T/py.out" "$T/py.err"; fail "the client did not get its answers"; }

# The server's log of the traced run (the untraced one came first).
tail -n 3 "$T/server.log" >"$T/traced.log"
[ "$(tr '\n' ' ' <"$T/traced.log")" = "GET /a 200 42 POST /b 201 0 GET /c 200 7 " ] ||
	{ show "$T/server.log"; fail "the server did not log the three requests"; }
expect=$("$PY" -c '
import sys
rows = [l.split() for l in open(sys.argv[1])]
print("method == %r and url == %r and status == %r and resp_bytes == %r" % (
    [r[0] for r in rows], ["https://localhost" + r[1] for r in rows],
    [int(r[2]) for r in rows], [int(r[3]) for r in rows]))' "$T/traced.log")
jcheck "$T/py.json" --count 3 \
	--expect "$expect" \
	--expect 'req_bytes == [0, 10, 0] and len(set(conn)) == 2' \
	--each "peer == 'unix:$T/https.sock' and host == 'localhost'" \
	--each 'error is None and proto == "HTTP/1.1" and tls is True'
jcheck "$T/py.json" --event summary --count 1 \
	--each 'requests == 3 and connections == 2 and errors == 0'

# The events format shows every connection closed: only the two HTTP ones.
"$HTTPTRACE" -f events -o "$T/ev.json" -- \
	"$PY" "$T/uclient.py" "$T/https.sock" "$T/echo.sock" "$T/cert.pem" >/dev/null ||
	fail "httptrace -f events -- python exited $?"
jcheck "$T/ev.json" --event conn_closed --count 2 \
	--each "peer == 'unix:$T/https.sock'" \
	--expect 'requests == [2, 1]'
pass
