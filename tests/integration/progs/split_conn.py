#!/usr/bin/python3
"""split_conn.py - one connection, written by one thread, read by another.

    split_conn.py PORT N WINDOW OUT

A writer thread sends N GETs of /bytes/(1000+i) (i = 0..N-1) on one
keep-alive connection to 127.0.0.1:PORT, each with one sendall(), never
more than WINDOW unanswered (WINDOW 1: keep-alive, one at a time; more:
pipelined); a reader thread reads and parses the responses (Content-Length
bodies) and lets the writer go on.  What the reader got is written to OUT,
one line per response: "PATH BODY_BYTES".  Exit status 0 when every
response came, in order, with its own size.
"""

import socket
import sys
import threading


def main():
    port, n, window, out = (int(sys.argv[1]), int(sys.argv[2]),
                            int(sys.argv[3]), sys.argv[4])
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    room = threading.Semaphore(window)
    paths = ["/bytes/%d" % (1000 + i) for i in range(n)]

    def writer():
        for p in paths:
            room.acquire()
            sock.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                         % (p.encode(), port))

    got = []
    buf = bytearray()

    def fill():
        data = sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        buf.extend(data)

    def reader():
        for p in paths:
            while b"\r\n\r\n" not in buf:
                fill()
            end = buf.index(b"\r\n\r\n") + 4
            head = bytes(buf[:end]).decode("latin-1").split("\r\n")
            del buf[:end]
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            while len(buf) < length:
                fill()
            del buf[:length]
            got.append((p, length))
            room.release()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sock.close()
    with open(out, "w", encoding="utf-8") as f:
        for p, length in got:
            f.write("%s %d\n" % (p, length))
    ok = len(got) == n and all(int(p.rsplit("/", 1)[1]) == length
                               for p, length in got)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
