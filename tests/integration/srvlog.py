"""srvlog.py PORT LOG [http10]: ThreadingHTTPServer for the server-side tests
(test_server_malformed_answered.sh, test_server_head_cut.sh,
test_server_unserved.sh, test_server_request_close.sh).  Prints "ready" once
listening; logs each request it handled as a JSON line: client port, n (its
number on the connection), method and path (null when the request line could
not be parsed), status, bytes read (head and body) and written (head and
body).  Every path is answered 200 with "ok\n"; http10: HTTP/1.0 responses
(no keep-alive)."""
import io, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG = int(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
H10 = sys.argv[3:] == ["http10"]
lock = threading.Lock()


class Count(io.RawIOBase):
    def __init__(self, f):
        self.f, self.n = f, 0

    def readline(self, *a):
        d = self.f.readline(*a)
        self.n += len(d)
        return d

    def read(self, *a):
        d = self.f.read(*a)
        self.n += len(d)
        return d

    def write(self, d):
        r = self.f.write(d)
        self.n += len(d)
        return r

    def flush(self):
        self.f.flush()

    def readable(self):
        return True


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0" if H10 else "HTTP/1.1"

    def setup(self):
        super().setup()
        self.rfile, self.wfile, self.nreq = Count(self.rfile), Count(self.wfile), 0

    def handle_one_request(self):
        self.rfile.n = self.wfile.n = 0
        self.status = exc = None
        try:
            super().handle_one_request()
        except Exception as e:
            exc, self.close_connection = repr(e), True
        if self.rfile.n == 0 and self.wfile.n == 0 and not exc:
            return
        self.nreq += 1
        rec = dict(port=self.client_address[1], n=self.nreq,
                   method=getattr(self, "command", None),
                   path=getattr(self, "path", None), status=self.status,
                   read=self.rfile.n, written=self.wfile.n, exc=exc)
        with lock:
            LOG.write(json.dumps(rec) + "\n")

    def send_response_only(self, code, msg=None):
        if code >= 200:
            self.status = code
        super().send_response_only(code, msg)

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")


ThreadingHTTPServer.daemon_threads = True
srv = ThreadingHTTPServer(("127.0.0.1", PORT), H)
print("ready", flush=True)
srv.serve_forever()
