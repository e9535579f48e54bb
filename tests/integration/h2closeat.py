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
import sys

from h2wire import PREFACE, frame, get_block, split_frames, tls_client



def get(mode, host, port, length, path):
    block = get_block(mode == "tls", host, port, path)
    s = socket.create_connection((host, port), timeout=60)
    local = s.getsockname()[1]
    if mode == "tls":
        s = tls_client(s, host)
    s.sendall(PREFACE + frame(4, 0, 0, b"") + frame(1, 0x5, 1, block))
    buf, data, headers = b"", 0, 0
    while data < length:
        b = s.recv(65536)
        if not b:
            break
        frames, buf = split_frames(buf + b)
        for ftype, flags, stream, payload in frames:
            if ftype == 4 and not flags & 1:
                s.sendall(frame(4, 1, 0, b""))       # SETTINGS ACK
            if stream != 1:
                continue
            if ftype == 1:
                headers = 1
            elif ftype == 0:
                data += len(payload)
    s.close()   # at once: the server's END_STREAM may still be on its way
    print("%s %d %d %d" % (path, local, headers, data), flush=True)


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    length = int(sys.argv[4])
    for path in sys.argv[5:]:
        get(mode, host, port, length, path)


main()
