#!/usr/bin/python3
"""closeend.py - responses delimited by the server's close, read whole or not.

    closeend.py server PORT LOG       an HTTP/1.0 server on 127.0.0.1:PORT:
        every response has no Content-Length (its body runs until the close);
        POST /log answers 200 with no body (logging's HTTPHandler),
        GET /body/N with N body bytes.  Each response is written corked
        (TCP_CORK) so that its bytes and the FIN arrive together: a client
        that reads them has the FIN before it can close.  LOG gets one line
        per response: "PATH HEADER_BYTES BODY_BYTES".
    closeend.py log PORT COUNT        COUNT records through logging's
        HTTPHandler (a POST each, the response read to its headers, then
        closed without reading the EOF).
    closeend.py read PORT PATH KEEP   GET PATH with a raw socket, read all but
        KEEP bytes of the response (KEEP 0: every byte, never the EOF), wait
        until the server's FIN arrived (poll POLLRDHUP), close; print the
        bytes read.  With a fifth argument "fork", a forked child reads the
        rest from the shared socket, to the EOF, before the close.
"""
import array
import os
import fcntl
import http.server
import logging
import logging.handlers
import select
import socket
import sys
import termios


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)
        with open(sys.argv[3], "a") as f:
            f.write("%s %d %d\n" % (self.path, self.head_bytes, len(body)))

    def flush_headers(self):
        self.head_bytes = len(b"".join(getattr(self, "_headers_buffer", [])))
        super().flush_headers()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.answer(b"")

    def do_GET(self):
        self.answer(b"x" * int(self.path.split("/")[2]))

    def log_message(self, *a):
        pass


def server(port):
    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def log(port, count):
    lg = logging.getLogger("closeend")
    lg.propagate = False
    lg.addHandler(logging.handlers.HTTPHandler("127.0.0.1:%d" % port, "/log",
                                               method="POST"))
    for i in range(count):
        lg.error("record %d", i)


def read(port, path, keep, fork=False):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % path).encode())
    # the whole response is there once the FIN is (corked server)
    p = select.poll()
    p.register(s, select.POLLRDHUP)
    p.poll()
    n = array.array("i", [0])
    fcntl.ioctl(s, termios.FIONREAD, n)
    want = n[0] - keep
    got = b""
    while len(got) < want:
        got += s.recv(want - len(got))
    if fork:
        # a child reads the rest from the shared socket, to the EOF
        pid = os.fork()
        if pid == 0:
            while s.recv(65536):
                pass
            os._exit(0)
        os.waitpid(pid, 0)
    s.close()
    print(len(got))


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    elif sys.argv[1] == "log":
        log(int(sys.argv[2]), int(sys.argv[3]))
    else:
        read(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
             len(sys.argv) > 5 and sys.argv[5] == "fork")
