#!/usr/bin/python3
"""partial_head.py N - a server that reads N bytes of a request and closes.

A thread accepts one connection on 127.0.0.1, waits for the client's
"DELETE /data HTTP/1.0\\r\\n\\r\\n" (25 bytes), reads N bytes of it with one
recv() and closes without answering; the client closes once it has sent.
CPython's ssl module does the same with recv(1) when a peer's bytes came
before the TLS handshake (test_ssl's test_preauth_data_to_tls_server)."""

import socket
import sys
import threading

n = int(sys.argv[1])
srv = socket.create_server(("127.0.0.1", 0))
accepted = threading.Event()
sent = threading.Event()


def serve():
    conn, _ = srv.accept()
    accepted.set()
    sent.wait()
    conn.recv(n)
    conn.close()


thread = threading.Thread(target=serve)
thread.start()
client = socket.create_connection(srv.getsockname())
accepted.wait()
client.sendall(b"DELETE /data HTTP/1.0\r\n\r\n")
client.close()
sent.set()
thread.join()
srv.close()
