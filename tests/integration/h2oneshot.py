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
import sys

from h2wire import PREFACE, frame, get_block, split_frames, tls_client



def main():
    mode, host, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    block = get_block(mode == "tls", host, port, path)
    blob = PREFACE + frame(4, 0, 0, b"") + frame(1, 0x5, 1, block)
    s = socket.create_connection((host, port), timeout=60)
    if mode == "tls":
        s = tls_client(s, host)
        assert s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol()
    s.sendall(blob)
    buf, data = b"", 0
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            frames, buf = split_frames(buf + b)
            for ftype, flags, stream, payload in frames:
                if stream != 1 or ftype not in (0, 1):
                    continue
                if ftype == 0:
                    data += len(payload)
                if flags & 0x1:
                    print("done %d" % data, flush=True)
                    return
    except OSError:
        pass
    print("closed %d" % data, flush=True)

main()
