"""stdio_status_server.py PORT (review rev-late of 296b4eb): a
keep-alive HTTP/1.1 server on 127.0.0.1:PORT, 404 for a path with
"missing" in it, 200 otherwise (100-byte bodies); "served PATH" on stderr."""
import sys, socketserver, http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"x" * 100
        self.send_response(404 if "missing" in self.path else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        sys.stderr.write("served %s\n" % self.path); sys.stderr.flush()
    def log_message(self, *a): pass
class TS(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True; daemon_threads = True
s = TS(("127.0.0.1", int(sys.argv[1])), H)
print("ready", flush=True)
s.serve_forever()
