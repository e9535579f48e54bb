#!/usr/bin/python3
"""closehello.py - a TCP server for the integration tests that reads the
first bytes of each connection (a TLS ClientHello), logs "hello N" (their
size) on stdout and closes: a TLS origin whose handshake fails at once.

    /usr/bin/python3 closehello.py PORT [BIND_ADDR]     (default 127.0.0.1)
"""
import socket, sys

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1", int(sys.argv[1])))
srv.listen(16)
while True:
    c, _ = srv.accept()
    n = len(c.recv(65536))
    if n:
        print("hello", n, flush=True)
    c.close()
