#!/usr/bin/python3
"""reuseserver.py - a TCP server for test_conn_reuse_blocked.sh: two
requests on two connections, answered in an order it imposes.

    /usr/bin/python3 reuseserver.py PORT LOG

Standard library only; one thread per connection.  GET /x, or POST /big
(whose body is read only then), is answered (200, body "from-x") only once
GET /y has arrived on another connection; GET /y is answered (201, body
"from-y-longer") only once that answer was sent.  Each arrival and answer is logged to LOG ("got PATH", "answered
PATH STATUS LENGTH").  A client that tested this in a loop would start a
new server: the gates are for one /x and one /y.
"""

import sys
import threading

from threadserver import serve_forever

ANSWERS = {
    "/x": (200, b"from-x"),
    "/big": (200, b"from-x"),
    "/y": (201, b"from-y-longer"),
}
got_y = threading.Event()
sent_x = threading.Event()
log_lock = threading.Lock()


def log(path, line):
    with log_lock, open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def serve(conn, logf):
    with conn:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        path = head.split(b" ")[1].decode("ascii", "replace")
        log(logf, "got " + path)
        if path == "/y":
            got_y.set()
            sent_x.wait(60)
        else:
            got_y.wait(60)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        got = len(rest)
        while got < length:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
        if length:
            log(logf, "body %d" % got)
        status, body = ANSWERS.get(path, (404, b""))
        head = "HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n" % (status, len(body))
        try:
            conn.sendall(head.encode("ascii") + body)
        except OSError:
            pass
        log(logf, "answered %s %d %d" % (path, status, len(body)))
        if path != "/y":
            sent_x.set()
        # held open until the client closes: an end of stream is no answer
        while conn.recv(4096):
            pass


def main():
    port, logf = int(sys.argv[1]), sys.argv[2]
    serve_forever(port, 16, serve, logf)


if __name__ == "__main__":
    main()
