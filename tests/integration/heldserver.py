#!/usr/bin/python3
"""heldserver.py - an HTTP/1.1 server that holds each answer until told.

    /usr/bin/python3 heldserver.py PORT RELEASE_FILE LOG_FILE

Each connection's request head is read, "held PATH" is appended to LOG_FILE,
and the answer (200, body "ok\\n") waits until RELEASE_FILE exists, so a
test can look at the request in flight for as long as it needs.  Binds
127.0.0.1 only; one thread per connection.
"""

import os
import socket
import sys
import threading
import time


def serve(conn, release, log):
    data = b""
    while b"\r\n\r\n" not in data:
        d = conn.recv(4096)
        if not d:
            conn.close()
            return
        data += d
    path = data.split(b" ")[1].decode("latin-1")
    with open(log, "a") as f:
        f.write("held " + path + "\n")
    while not os.path.exists(release):
        time.sleep(0.05)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                 b"Connection: close\r\n\r\nok\n")
    conn.close()


def main():
    port, release, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, release, log),
                         daemon=True).start()


main()
