#!/usr/bin/python3
"""h2settings_client.py - a raw HTTP/2 client for the
SETTINGS_HEADER_TABLE_SIZE tests (h2settings_server.js), cleartext, its
HPACK written by hand (no Huffman), every step in a fixed order:

    h2settings_client.py mid HOST PORT
        GET /m?n=1&set=0 (its fields added to the dynamic table), then,
        once the server's SETTINGS with SETTINGS_HEADER_TABLE_SIZE 0 came,
        GET /m?n=2 encoded with the table of before (indexed fields, no
        size update: the client has not acknowledged yet, RFC 9113 6.5.3),
        the ACK, GET /m?n=3 that begins with the size update to 0.  Prints
        "done" when the three streams ended.
    h2settings_client.py bad HOST PORT
        GET /b?n=1, and once answered a HEADERS on stream 3 whose block
        cannot be decoded (an index beyond both tables); reads until the
        server's GOAWAY or close.  Prints "closed".
"""

import socket
import struct
import sys


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + struct.pack(
        ">BBI", ftype, flags, stream) + payload


def lit(first, name_index, value, name=b""):
    """A literal field: @first 0x40 (incremental indexing) or 0x00 (none),
    its name static @name_index, or @name when 0."""
    v = value.encode()
    out = bytes([first | name_index])
    if name_index == 0:
        out += bytes([len(name)]) + name
    return out + bytes([len(v)]) + v


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=30)
        self.buf = b""
        self.ended = set()
        self.table_settings = []

    def send(self, b):
        self.s.sendall(b)

    def frame_in(self):
        """Read one frame; ACK every SETTINGS; note ended streams."""
        while True:
            if len(self.buf) >= 9:
                n = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) >= 9 + n:
                    ftype, flags = self.buf[3], self.buf[4]
                    stream = int.from_bytes(self.buf[5:9], "big") & 0x7fffffff
                    payload = self.buf[9:9 + n]
                    self.buf = self.buf[9 + n:]
                    if ftype in (0, 1) and flags & 1:
                        self.ended.add(stream)
                    return ftype, flags, stream, payload
            d = self.s.recv(65536)
            if not d:
                return None
            self.buf += d


def settings_table_size(payload):
    for i in range(0, len(payload), 6):
        if struct.unpack(">H", payload[i:i + 2])[0] == 1:
            return struct.unpack(">I", payload[i + 2:i + 6])[0]
    return None


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    c = Conn(host, port)
    auth = "%s:%d" % (host, port)
    c.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
    if mode == "mid":
        # entries added, newest first at 62: x-n, x-same, :authority
        b1 = (b"\x82\x86" + lit(0x00, 4, "/m?n=1&set=0")
              + lit(0x40, 1, auth) + lit(0x40, 0, "constant", b"x-same")
              + lit(0x40, 0, "1", b"x-n"))
        c.send(frame(1, 0x5, 1, b1))
        acks = 0
        while True:
            f = c.frame_in()
            assert f is not None, "closed early"
            ftype, flags, _, payload = f
            if ftype == 4 and not flags & 1:
                if settings_table_size(payload) == 0:
                    break
                c.send(frame(4, 1, 0, b""))
                acks += 1
        # written before the SETTINGS were taken up: the old table
        b2 = (b"\x82\x86" + lit(0x00, 4, "/m?n=2") + b"\xc0\xbf"
              + lit(0x00, 0, "2", b"x-n"))
        c.send(frame(1, 0x5, 3, b2))
        c.send(frame(4, 1, 0, b""))
        b3 = (b"\x20\x82\x86" + lit(0x00, 4, "/m?n=3") + lit(0x00, 1, auth)
              + lit(0x00, 0, "constant", b"x-same") + lit(0x00, 0, "3", b"x-n"))
        c.send(frame(1, 0x5, 5, b3))
        while not {1, 3, 5} <= c.ended:
            f = c.frame_in()
            assert f is not None, "closed before the three ended"
            if f[0] == 4 and not f[1] & 1:
                c.send(frame(4, 1, 0, b""))
        print("done")
    else:
        b1 = b"\x82\x86" + lit(0x00, 4, "/b?n=1") + lit(0x00, 1, auth)
        c.send(frame(1, 0x5, 1, b1))
        while 1 not in c.ended:
            f = c.frame_in()
            assert f is not None, "closed early"
            if f[0] == 4 and not f[1] & 1:
                c.send(frame(4, 1, 0, b""))
        c.send(frame(1, 0x5, 3, b"\x82\x86\xfe\x7f"))
        while True:
            f = c.frame_in()
            if f is None or f[0] == 7:
                break
        print("closed")


main()
