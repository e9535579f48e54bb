#!/usr/bin/python3
"""h2cut.py - an HTTP/2 over TLS client for the integration tests that
opens the largest flow-control windows (the server may write a whole
response at once), GETs each PATH on one connection, all streams open at
once, and reads until each stream ended, or, with LIMIT, until LIMIT DATA
bytes came in all, then closes (HOW "close") or resets (HOW "rst") the
connection at once.

    /usr/bin/python3 h2cut.py HOST PORT HOW LIMIT PATH...

HOW: "whole" (LIMIT ignored: read every stream to its end, then close),
"close" or "rst".  Standard library only; HPACK by hand (static-table
names, no Huffman).  Prints "PATH BYTES ENDED" per stream, BYTES the DATA
bytes it read, ENDED 1 when the server's END_STREAM came.
"""

import socket
import struct
import sys

from h2wire import PREFACE, frame, get_block, split_frames, tls_client



def main():
    host, port, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    limit, paths = int(sys.argv[4]), sys.argv[5:]
    s = tls_client(socket.create_connection((host, port), timeout=60), host)
    big = 2**31 - 1
    out = (PREFACE
           + frame(4, 0, 0, struct.pack(">HI", 4, big))   # INITIAL_WINDOW
           + frame(8, 0, 0, struct.pack(">I", big - 65535)))
    streams = {}
    for i, path in enumerate(paths):
        sid = 1 + 2 * i
        out += frame(1, 0x5, sid, get_block(True, host, port, path))
        streams[sid] = [path, 0, 0]
    s.sendall(out)
    buf, total = b"", 0
    while not all(v[2] for v in streams.values()):
        if how != "whole" and total >= limit:
            break
        b = s.recv(65536)
        if not b:
            break
        frames, buf = split_frames(buf + b)
        for ftype, flags, sid, payload in frames:
            if ftype == 4 and not flags & 1:
                s.sendall(frame(4, 1, 0, b""))       # SETTINGS ACK
            if sid not in streams:
                continue
            if ftype == 0:
                streams[sid][1] += len(payload)
                total += len(payload)
            if ftype in (0, 1) and flags & 1:
                streams[sid][2] = 1
    if how == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    s.close()   # (Python's close sends no close_notify)
    for path, n, ended in streams.values():
        print("%s %d %d" % (path, n, ended), flush=True)


main()
