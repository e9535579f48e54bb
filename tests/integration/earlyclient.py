#!/usr/bin/python3
"""earlyclient.py PORT [BODY] - POSTs to earlyserver.py that read their
answer before writing the rest of their body: on one connection /drain/1,
/drain/2 and /drain/3 (BODY bytes each, default 300000: the first 1000,
the whole answer read, then the rest), then on another /close/1 (100000
bytes announced, 1000 written, the 413 and the server's close read, no
more written).  Prints "PATH sent N status S" for each."""
import socket
import sys

port = int(sys.argv[1])
size = int(sys.argv[2]) if len(sys.argv) > 2 else 300000


def head(path, n):
    return (b'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n'
            b'X-Read-First: 1000\r\n\r\n' % (path.encode(), n))


def answer(f):
    status = int(f.readline().split()[1])
    n = 0
    while True:
        line = f.readline()
        if line.lower().startswith(b'content-length:'):
            n = int(line.split(b':')[1])
        if line in (b'\r\n', b''):
            break
    f.read(n)
    return status


s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
body = b'b' * size
for i in (1, 2, 3):
    path = '/drain/%d' % i
    s.sendall(head(path, size) + body[:1000])
    status = answer(f)
    s.sendall(body[1000:])
    print(path, 'sent', size, 'status', status, flush=True)
s.close()

s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
s.sendall(head('/close/1', 100000) + body[:1000])
status = answer(f)
rest = f.read()
print('/close/1 sent 1000 status', status, 'then', len(rest), flush=True)
s.close()
