"""stdio_kaserver.py WHERE: a keep-alive HTTP/1.1 server (100-byte
bodies, Content-Length) on 127.0.0.1:WHERE or the Unix socket path WHERE;
each request logged to stderr ("served PATH"); prints "ready".  Review of
f2aa1b8 (fdopen)."""
import sys, os, socket, socketserver, http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"x" * 100
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        sys.stderr.write("served %s\n" % self.path); sys.stderr.flush()
    def log_message(self, *a): pass
    def address_string(self): return "x"
class TS(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True; daemon_threads = True
class US(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
where = sys.argv[1]
if where.startswith("/"):
    if os.path.exists(where): os.unlink(where)
    s = US(where, H)
else:
    s = TS(("127.0.0.1", int(where)), H)
print("ready", flush=True)
s.serve_forever()
