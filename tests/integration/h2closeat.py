#!/usr/bin/python3
"""h2closeat.py - an HTTP/2 client for the integration tests that closes a
stream's connection as soon as it has BYTES DATA bytes (the response's
content-length, which the test knows), before the server's END_STREAM, as
curl does: one connection per PATH, each a GET of PATH on stream 1.

    /usr/bin/python3 h2closeat.py tls|h2c HOST PORT BYTES PATH...

Standard library only; HPACK by hand (static-table names, no Huffman).
Prints "PATH PORT HEADERS BYTES" per connection, PORT its local
port, HEADERS 1 when a response HEADERS came, BYTES the DATA bytes it
read.
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


def get(mode, host, port, length, path):
    block = (b"\x82"                                  # :method GET
             + (b"\x87" if mode == "tls" else b"\x86")  # :scheme
             + literal(4, path)                       # :path
             + literal(1, "%s:%d" % (host, port)))    # :authority
    s = socket.create_connection((host, port), timeout=60)
    local = s.getsockname()[1]
    if mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        s = ctx.wrap_socket(s, server_hostname=host)
    s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"")
              + frame(1, 0x5, 1, block))
    buf, data, headers = b"", 0, 0
    while data < length:
        b = s.recv(65536)
        if not b:
            break
        buf += b
        while len(buf) >= 9:
            n = int.from_bytes(buf[:3], "big")
            ftype, flags = buf[3], buf[4]
            stream = int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
            if len(buf) < 9 + n:
                break
            payload, buf = buf[9:9 + n], buf[9 + n:]
            if ftype == 4 and not flags & 1:
                s.sendall(frame(4, 1, 0, b""))       # SETTINGS ACK
            if stream != 1:
                continue
            if ftype == 1:
                headers = 1
            elif ftype == 0:
                data += n
    s.close()   # at once: the server's END_STREAM may still be on its way
    print("%s %d %d %d" % (path, local, headers, data), flush=True)


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    length = int(sys.argv[4])
    for path in sys.argv[5:]:
        get(mode, host, port, length, path)


main()
