#!/usr/bin/python3
"""h2oneshot.py - an HTTP/2 client for the integration tests that sends the
connection preface, an empty SETTINGS and one GET's HEADERS (END_STREAM)
in ONE write (over TLS: one record), then reads until the server closes.
A server thus reads the request in its connection's first read.

    /usr/bin/python3 h2oneshot.py tls|h2c HOST PORT PATH

Standard library only; HPACK by hand (static-table names, no Huffman).
Prints the bytes it read to stderr at the end ("read N").
"""

import socket
import ssl
import struct
import sys


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + struct.pack(
        ">BBI", ftype, flags, stream) + payload


def literal(index, value):
    """A literal header field without indexing, its name static @index."""
    v = value.encode()
    assert index < 15 and len(v) < 127
    return bytes([index, len(v)]) + v


def main():
    mode, host, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    block = (b"\x82"                                  # :method GET
             + (b"\x87" if mode == "tls" else b"\x86")  # :scheme
             + literal(4, path)                       # :path
             + literal(1, "%s:%d" % (host, port)))    # :authority
    blob = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"")
            + frame(1, 0x5, 1, block))
    s = socket.create_connection((host, port))
    if mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        s = ctx.wrap_socket(s, server_hostname=host)
        assert s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol()
    s.sendall(blob)
    n = 0
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            n += len(b)
    except OSError:
        pass
    print("read %d" % n, file=sys.stderr)


main()
