#!/usr/bin/python3
"""bodyseqserver.py PORT LOG - one connection at a time: waits 1 s after
accept (a big write of the client blocks), reads requests with their
Content-Length bodies; the Nth is answered 200+N (after 0.5 s from the
second on), logged "PATH STATUS" in LOG first."""
import socket, sys, time
port, logf = int(sys.argv[1]), sys.argv[2]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(4)
while True:
    c, _ = srv.accept()
    time.sleep(1.0)  # let the client's big write block
    buf = b""; n = 0
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d: break
            buf += d
        if b"\r\n\r\n" not in buf: break
        head, buf = buf.split(b"\r\n\r\n", 1)
        path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
        cl = 0
        for l in head.split(b"\r\n")[1:]:
            k, v = l.split(b":", 1)
            if k.strip().lower() == b"content-length": cl = int(v)
        while len(buf) < cl:
            d = c.recv(65536)
            if not d: break
            buf += d
        buf = buf[cl:]
        n += 1
        if n > 1: time.sleep(0.5)
        open(logf, "a").write("%s %d\n" % (path, 200 + n))
        body = b"answer-%d" % n
        c.sendall(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n" % (200 + n, len(body)) + body)
    c.close()
