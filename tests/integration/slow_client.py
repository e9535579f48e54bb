#!/usr/bin/python3
"""slow_client.py - the client of test_server_request_close_read_on_exit.sh
and test_server_request_close_read_on_reset.sh, against
answer_on_server.py.

    slow_client.py PORT LOG end|reset

On one connection to 127.0.0.1:PORT: "GET /a HTTP/1.0", its answer read
whole (it must have no Connection header: the server answers on), then
"GET /slow HTTP/1.0"; once the server's LOG says "start /slow": with
"end", the server must close the connection without an answer; with
"reset", the client resets the connection (SO_LINGER 0).  Exits non-zero
when a premise fails.
"""
import socket
import struct
import sys
import time

port, logf, how = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
s.sendall(b"GET /a HTTP/1.0\r\n\r\n")
got = b""
while not got.endswith(b"ok\n"):
    d = s.recv(65536)
    assert d, got
    got += d
assert b"Connection" not in got, got
s.sendall(b"GET /slow HTTP/1.0\r\n\r\n")
for _ in range(100):
    try:
        if "start /slow" in open(logf).read():
            break
    except FileNotFoundError:
        pass
    time.sleep(0.05)
else:
    sys.exit("the server never began /slow")
if how == "reset":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
else:
    assert s.recv(65536) == b"", "an answer to /slow"
s.close()
