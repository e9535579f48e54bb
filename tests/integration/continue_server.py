#!/usr/bin/python3
"""continue_server.py - the server of the live 100-continue tests
(test_live_100_timings.sh, test_live_early_after_100.sh).

    continue_server.py PORTFILE WITH100 EARLY

Binds 127.0.0.1 on a port of its choice, with a 4 KiB receive buffer, and
writes that port to PORTFILE (whole: written aside, then renamed).  Each
connection: reads once (the request head), answers "100 Continue" unless
WITH100 is 0, waits 0.2 s, then, when EARLY is 1, sends an early 413 head
announcing 100000 body bytes and only 10 of them; it never reads again and
keeps the connection open, so the client's body write blocks.  A line is
appended to PORTFILE.sent once the answer is out.
"""
import os
import socket
import sys
import time

portfile, with100, early = sys.argv[1], sys.argv[2], sys.argv[3]
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
l.bind(('127.0.0.1', 0))
l.listen(5)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(l.getsockname()[1]))
os.rename(portfile + '.tmp', portfile)
keep = []
while True:
    c, _ = l.accept()
    c.recv(1000)
    if with100 != '0':
        c.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
    time.sleep(0.2)
    if early == '1':
        c.sendall(b'HTTP/1.1 413 Too Large\r\nContent-Length: 100000\r\n\r\n'
                  + b'x' * 10)
    keep.append(c)
    with open(portfile + '.sent', 'a') as f:
        f.write('x\n')
