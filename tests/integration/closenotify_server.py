#!/usr/bin/python3
"""closenotify_server.py - an HTTPS server whose responses are delimited by
the end of the TLS stream: close_notify first, the TCP close after.

    closenotify_server.py PORT CERT KEY

Every connection (one thread each) reads one request and answers
"HTTP/1.0 200 OK" with 3000 body bytes and no Content-Length, then sends
close_notify (unwrap(): it waits for the client's own close_notify, or for
the client to close) and closes.  A connection that sends nothing is held
until the client closes it.
"""
import socket
import ssl
import sys
import threading

port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
BODY = b"x" * 3000


def serve(c):
    try:
        s = ctx.wrap_socket(c, server_side=True)
        data = b""
        while b"\r\n\r\n" not in data:
            more = s.recv(4096)
            if not more:
                return
            data += more
        s.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + BODY)
        s.unwrap().close()
    except (OSError, ssl.SSLError):
        pass
    finally:
        c.close()


lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", port))
lsock.listen(16)
while True:
    conn, _ = lsock.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
