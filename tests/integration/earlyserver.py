#!/usr/bin/python3
"""earlyserver.py PORT LOG - a server that answers a request before it has
read its body, as nginx's `return`, a 413 or a 401 do.

Each request is answered once its header section and the first
X-Read-First bytes of its body (default 0) are read:
  /drain...  200 with "early" (keep-alive), then the rest of the body is
             read; LOG gets "PATH body N early E" (N: the body read, E: the
             part of it read before the answer)
  /close...  413 with Connection: close, and the connection is closed
             without reading the rest; LOG gets "PATH closed after E of N"
"""
import socket
import sys
import threading

port, logf = int(sys.argv[1]), open(sys.argv[2], 'a', buffering=1)


def serve(c):
    buf = b''
    while True:
        while b'\r\n\r\n' not in buf:
            d = c.recv(65536)
            if not d:
                c.close()
                return
            buf += d
        head, buf = buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin1').split('\r\n')
        path = lines[0].split()[1]
        fields = {}
        for l in lines[1:]:
            k, _, v = l.partition(':')
            fields[k.strip().lower()] = v.strip()
        n = int(fields.get('content-length', '0'))
        first = min(int(fields.get('x-read-first', '0')), n)
        while len(buf) < first:
            d = c.recv(65536)
            if not d:
                break
            buf += d
        early = min(len(buf), n)
        if path.startswith('/close'):
            c.sendall(b'HTTP/1.1 413 Content Too Large\r\nConnection: close'
                      b'\r\nContent-Length: 0\r\n\r\n')
            logf.write('%s closed after %d of %d\n' % (path, early, n))
            c.close()
            return
        c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly')
        while len(buf) < n:
            d = c.recv(65536)
            if not d:
                break
            buf += d
        logf.write('%s body %d early %d\n' % (path, min(len(buf), n), early))
        buf = buf[n:]


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(8)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
