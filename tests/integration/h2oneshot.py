#!/usr/bin/python3
"""h2oneshot.py - an HTTP/2 client for the integration tests that sends the
connection preface, an empty SETTINGS and one GET's HEADERS (END_STREAM)
in ONE write (over TLS: one record), then reads the server's frames until
stream 1 ends (END_STREAM), or the server closes (or 60 s pass).  A server thus reads the
request in its connection's first read.

    /usr/bin/python3 h2oneshot.py tls|h2c HOST PORT PATH

Standard library only; HPACK by hand (static-table names, no Huffman).
Prints "done N" (N: stream 1's DATA bytes) once stream 1 ended, or
"closed N" when the connection ended first.
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
    s = socket.create_connection((host, port), timeout=60)
    if mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        s = ctx.wrap_socket(s, server_hostname=host)
        assert s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol()
    s.sendall(blob)
    buf, data = b"", 0
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            buf += b
            while len(buf) >= 9:
                length = int.from_bytes(buf[:3], "big")
                ftype, flags = buf[3], buf[4]
                stream = int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
                if len(buf) < 9 + length:
                    break
                buf = buf[9 + length:]
                if stream != 1 or ftype not in (0, 1):
                    continue
                if ftype == 0:
                    data += length
                if flags & 0x1:
                    print("done %d" % data, flush=True)
                    return
    except OSError:
        pass
    print("closed %d" % data, flush=True)

main()
