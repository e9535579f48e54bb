"""threadserver.py - what the integration tests' threaded servers share
(gateserver.py, seqserver.py, callserver.py thread, holdserver.py,
reuseserver.py): an accept loop with a thread per connection, keep-alive
HTTP/1.1 request heads read one after another, and a line appended to a
log.

Standard library only; binds 127.0.0.1.
"""

import socket
import threading


def log(path, line):
    """Appends @line to the file @path."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def request_paths(conn):
    """The path of each request head read on @conn, in order, until the
    peer closes (bodies are not read: the tests send none)."""
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
        head, buf = buf.split(b"\r\n\r\n", 1)
        yield head.split(b"\r\n", 1)[0].split(b" ")[1].decode()


def serve_forever(port, backlog, serve, *args):
    """Accepts on 127.0.0.1:@port; each connection is served by
    serve(conn, *args) on a daemon thread of its own."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(backlog)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,) + args,
                         daemon=True).start()
