#!/usr/bin/python3
"""seqserver.py - an HTTP/1.1 server whose answers say their order.

    /usr/bin/python3 seqserver.py PORT LOG DELAY

Standard library only; binds 127.0.0.1; one thread per connection,
keep-alive.  The Nth request read on a connection is answered with status
200+N (body "answer-N"), DELAY seconds after its head was read; each answer
is logged ("PATH STATUS" in LOG) just before it is sent.  The log is the
oracle of which status the server sent for which target.
"""

import socket
import sys
import threading
import time


def serve(conn, logf, delay):
    buf = b""
    n = 0
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            n += 1
            time.sleep(delay)
            with open(logf, "a", encoding="utf-8") as f:
                f.write("%s %d\n" % (path, 200 + n))
            body = b"answer-%d" % n
            try:
                conn.sendall(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n"
                             % (200 + n, len(body)) + body)
            except OSError:
                return


def main():
    port, logf, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, logf, delay),
                         daemon=True).start()


if __name__ == "__main__":
    main()
