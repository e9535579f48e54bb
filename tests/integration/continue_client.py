#!/usr/bin/python3
"""continue_client.py - the client of the live 100-continue tests.

    continue_client.py PORT EARLY

POSTs 20 MB to 127.0.0.1:PORT with "Expect: 100-continue"; waits for the
413 (when EARLY is 1), then for the 100 Continue, then writes the whole
body on whatever came back, as a client that does not stop at an early
answer.  The write blocks when the server reads no more.
"""
import socket
import sys

s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
n = 20 * 1000 * 1000
s.sendall(b'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n'
          b'Content-Length: %d\r\n\r\n' % n)
s.settimeout(5)
got = b''
while b'413' not in got and sys.argv[2] == '1':
    got += s.recv(4096)
while b'100' not in got:
    got += s.recv(4096)
s.settimeout(None)
s.sendall(b'\0' * n)  # blocks: the server reads no more
