#!/usr/bin/python3
"""server.py - a small HTTP/1.1 server for the integration tests.

    /usr/bin/python3 server.py PORT [BIND_ADDR] [--tls CERT KEY [--handshake-delay MS]]
                                            [--log FILE]
                                            (BIND_ADDR default 127.0.0.1)

Standard library only.  With --tls every connection is HTTPS (CERT and KEY
are PEM files; ALPN "http/1.1" is offered), the handshake done in the
connection's own thread, after MS milliseconds with --handshake-delay (the
client's handshake then takes at least that long).  Keep-alive unless a route says otherwise.  Routes
(any method; HEAD sends the same headers as GET and no body):

    /bytes/N     N body bytes, Content-Length
    /chunked/N   N body bytes, Transfer-Encoding: chunked, several chunks
    /close/N     N body bytes, no Content-Length: delimited by closing
    /status/C    status C; 1xx/204/304 have no body (304 carries a
                 Content-Length of 10 that must not be read as a body),
                 others a short body with Content-Length
    /delay/MS    sleep MS milliseconds before answering, then a short body
    /echo        reads the request body (Content-Length or chunked; answers
                 Expect: 100-continue) and replies with its size, "N\\n"
    /connclose   a short body, Connection: close, then closes
    /redirect/C?to=URL  status C (301, 302, 303, 307, 308) with
                 Location: URL (percent-decoded; may be relative)
    /setcookie   Set-Cookie: session=S3CRET-SETCOOKIE and X-Secret-Token:
                 S3CRET-SETCOOKIE (for the redaction test)
    /secretredirect  302 with Location: http://u:S3CRET-LOCPW@127.0.0.1/
                 ?token=S3CRET-LOCTOKEN (for the URL redaction test)

A target in absolute form ("GET http://host/path", what a client sends a
proxy) is served as its path.

Every response carries X-Conn (a per-connection counter) and X-Conn-Req
(1 for the first request on that connection, then 2, 3...): the ground
truth the tests compare the tracer's conn/req/reused with.

With --log FILE every response is logged to FILE as it starts, one line
"CONN CONN_REQ METHOD PATH STATUS LENGTH" (LENGTH the Content-Length, "-"
when none): what the server answered to which request.
"""

import itertools
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
CONN_IDS = itertools.count(1)
CONN_IDS_LOCK = threading.Lock()
LOG = None  # --log FILE, opened in main()
LOG_LOCK = threading.Lock()


def body_of(n):
    """Return n deterministic bytes."""
    reps = n // len(PATTERN) + 1
    return (PATTERN * reps)[:n]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes; without TCP_NODELAY every
    # response would wait for a delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def version_string(self):
        return "httptrace-test"

    def setup(self):
        ctx = getattr(self.server, "tls_context", None)
        if ctx is not None:
            time.sleep(self.server.handshake_delay)
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()
        with CONN_IDS_LOCK:
            self.conn_id = next(CONN_IDS)
        self.conn_req = 0

    def finish(self):
        super().finish()
        if getattr(self.server, "tls_context", None) is not None:
            # The server's own reference is the plain socket, detached by
            # wrap_socket: close the TLS one now (no close_notify: a
            # second SSL_shutdown would wait for the client's).
            self.request.close()

    def log_message(self, format, *args):  # quiet
        pass

    # -- helpers --------------------------------------------------------

    def start(self, code, length=None, extra=()):
        """Send the status line and headers (length None: no Content-Length)."""
        self.conn_req += 1
        if LOG is not None:
            with LOG_LOCK:
                LOG.write("%d %d %s %s %d %s\n" % (
                    self.conn_id, self.conn_req, self.command, self.path,
                    code, "-" if length is None else length))
                LOG.flush()
        self.send_response(code)
        self.send_header("X-Conn", str(self.conn_id))
        self.send_header("X-Conn-Req", str(self.conn_req))
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def simple(self, code, body, extra=()):
        self.start(code, len(body), extra)
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_request_body(self):
        """Read the request body; return its length (de-chunked)."""
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            total = 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("eof in chunk size")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            return total
                while size:
                    got = self.rfile.read(size)
                    if not got:
                        raise ConnectionError("eof in chunk")
                    total += len(got)
                    size -= len(got)
                self.rfile.readline(3)  # CRLF after the chunk
        n = int(self.headers.get("Content-Length", "0") or "0")
        left = n
        while left:
            got = self.rfile.read(min(left, 65536))
            if not got:
                raise ConnectionError("eof in body")
            left -= len(got)
        return n

    # -- routes ---------------------------------------------------------

    def route(self):
        if not self.path.startswith("/") and "://" in self.path:
            # absolute form: the path after the authority
            rest = self.path.split("://", 1)[1]
            cut = min([i for i in (rest.find("/"), rest.find("?"))
                       if i >= 0] or [len(rest)])
            self.path = "/" + rest[cut:].lstrip("/")
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        name, arg = parts[0], (parts[1] if len(parts) > 1 else "")
        try:
            num = int(arg) if arg else 0
        except ValueError:
            num = -1
        # A request body we do not use must still be consumed.
        if name != "echo" and (self.headers.get("Content-Length") or
                               self.headers.get("Transfer-Encoding")):
            self.read_request_body()

        if name == "bytes" and num >= 0:
            self.simple(200, body_of(num),
                        [("Content-Type", "application/octet-stream")])
        elif name == "chunked" and num >= 0:
            self.route_chunked(num)
        elif name == "close" and num >= 0:
            self.close_connection = True
            self.start(200, None, [("Connection", "close"),
                                   ("Content-Type", "application/octet-stream")])
            if self.command != "HEAD":
                self.wfile.write(body_of(num))
        elif name == "status" and 100 <= num <= 599:
            self.route_status(num)
        elif name == "delay" and num >= 0:
            time.sleep(num / 1000.0)
            self.simple(200, b"delayed %d ms\n" % num)
        elif name == "echo":
            n = self.read_request_body()
            self.simple(200, b"%d\n" % n)
        elif name == "redirect" and 300 <= num <= 399:
            query = self.path.split("?", 1)[1] if "?" in self.path else ""
            to = dict(kv.split("=", 1) for kv in query.split("&") if "=" in kv).get("to", "/")
            self.simple(num, b"see %s\n" % to.encode(),
                        [("Location", urllib.parse.unquote(to))])
        elif name == "setcookie":
            # What redaction must hide, in response headers.
            v = "S3CRET-SETCOOKIE"
            self.simple(200, b"cookie set\n", [("Set-Cookie", "session=" + v),
                                               ("X-Secret-Token", v)])
        elif name == "secretredirect":
            self.simple(302, b"moved\n", [(
                "Location",
                "http://u:S3CRET-LOCPW@127.0.0.1/?token=S3CRET-LOCTOKEN")])
        elif name == "connclose":
            self.close_connection = True
            self.simple(200, b"closing\n", [("Connection", "close")])
        else:
            self.simple(404, b"not found\n")

    def route_chunked(self, n):
        self.start(200, None, [("Transfer-Encoding", "chunked"),
                               ("Content-Type", "application/octet-stream")])
        if self.command == "HEAD":
            return
        body = body_of(n)
        # Uneven chunks, each written separately, so a parser sees chunk
        # boundaries in the middle of reads.
        sizes = [1, 7, 100, 1000, 4096]
        off, i = 0, 0
        while off < len(body):
            size = min(sizes[i % len(sizes)], len(body) - off)
            self.wfile.write(b"%x\r\n" % size + body[off:off + size] + b"\r\n")
            off += size
            i += 1
        self.wfile.write(b"0\r\n\r\n")

    def route_status(self, code):
        if code == 204:
            self.start(204, None)
        elif code == 304:
            # A 304 may carry the Content-Length the 200 would have had;
            # no body follows.
            self.start(304, 10)
        elif code < 200:
            self.send_error(400, "1xx is not a final status")
        else:
            self.simple(code, b"status %d\n" % code)

    def do_GET(self):
        self.route()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls_context = None
    handshake_delay = 0.0

    def handle_error(self, request, client_address):
        # A client that only probed the port (wait_port) or gave up a TLS
        # handshake is no server error; anything else is logged.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            return
        super().handle_error(request, client_address)


class Server6(Server):
    address_family = socket.AF_INET6


def main():
    global LOG
    args = sys.argv[1:]
    if "--log" in args:
        i = args.index("--log")
        LOG = open(args[i + 1], "a", encoding="utf-8")
        del args[i:i + 2]
    tls = None
    if "--tls" in args:
        i = args.index("--tls")
        tls = args[i + 1:i + 3]
        del args[i:i + 3]
    delay = None
    if "--handshake-delay" in args:
        i = args.index("--handshake-delay")
        delay = args[i + 1:i + 2]
        del args[i:i + 2]
    if (not 1 <= len(args) <= 2 or (tls is not None and len(tls) != 2) or
            (delay is not None and (tls is None or len(delay) != 1))):
        sys.stderr.write("usage: server.py PORT [BIND_ADDR] "
                         "[--tls CERT KEY [--handshake-delay MS]] [--log FILE]\n")
        return 2
    port = int(args[0])
    bind = args[1] if len(args) > 1 else "127.0.0.1"
    cls = Server6 if ":" in bind else Server
    httpd = cls((bind, port), Handler)
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        ctx.set_alpn_protocols(["http/1.1"])
        httpd.tls_context = ctx
        if delay is not None:
            httpd.handshake_delay = int(delay[0]) / 1000.0
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
