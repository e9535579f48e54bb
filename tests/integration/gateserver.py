#!/usr/bin/python3
"""gateserver.py - an HTTP/1.1 server for the integration tests that holds
every answer until the test lets it go.

    /usr/bin/python3 gateserver.py PORT GATE_DIR LOG

Standard library only; binds 127.0.0.1; one thread per connection,
keep-alive.  Each request's head is read and logged ("got PATH" in LOG);
the answer to /NAME (200, body "ok\\n") is sent only once the file
GATE_DIR/NAME exists, logged ("answered PATH") just before it is sent.  So
a test knows what the client had done before the server answered, and can
look at a request in flight for as long as it needs, without any timing.
"""

import os
import socket
import sys
import threading
import time


def log(path, line):
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def serve(conn, gate, logf):
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            log(logf, "got " + path)
            name = os.path.basename(path.split("?", 1)[0]) or "index"
            while not os.path.exists(os.path.join(gate, name)):
                time.sleep(0.02)
            log(logf, "answered " + path)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")


def main():
    port, gate, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(128)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, gate, logf),
                         daemon=True).start()


if __name__ == "__main__":
    main()
