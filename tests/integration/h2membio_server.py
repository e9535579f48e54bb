#!/usr/bin/python3
"""h2membio_server.py - an asyncio HTTP/2 server over TLS (asyncio's SSL is
an SSLObject: memory BIOs, the program moves the ciphertext) for the
test_server_h2_membio_*.sh tests, which trace it.

    h2membio_server.py PORT early CERT KEY SIZE
    h2membio_server.py PORT room CERT KEY

early: on the first HEADERS, writes at once, in one write, SETTINGS, a 200
       HEADERS, SIZE body bytes ending the stream and RST_STREAM(NO_ERROR)
       (RFC 9113 8.1: stop sending the body); reads nothing more.
room:  SETTINGS on connect; each HEADERS on /b/N is answered at once,
       whole: a 200 HEADERS and N body bytes (DATA of 16 KiB at most).

Runs until SIGTERM.
"""
import asyncio
import sys

from h2wire import PREFACE, frame, serve_tls, split_frames


class Conn(asyncio.Protocol):
    """A connection: skips the client's preface, hands each whole frame to
    on_frame(type, flags, stream, payload)."""

    def connection_made(self, tr):
        self.tr, self.buf, self.preface = tr, b"", True

    def data_received(self, d):
        self.buf += d
        if self.preface:
            if len(self.buf) < len(PREFACE):
                return
            self.buf, self.preface = self.buf[len(PREFACE):], False
        frames, self.buf = split_frames(self.buf)
        for f in frames:
            self.on_frame(*f)


class Early(Conn):
    size = 0

    def connection_made(self, tr):
        super().connection_made(tr)
        self.done = False

    def on_frame(self, t, flags, sid, payload):
        if self.done or t != 1:
            return
        self.done = True   # SETTINGS, 200, the body, RST_STREAM(NO_ERROR)
        self.tr.write(frame(4, 0, 0, b"") + frame(1, 4, sid, b"\x88")
                      + frame(0, 1, sid, b"x" * self.size)
                      + frame(3, 0, sid, b"\0\0\0\0"))


class Room(Conn):
    def connection_made(self, tr):
        super().connection_made(tr)
        tr.write(frame(4, 0, 0, b""))

    def on_frame(self, t, flags, sid, payload):
        if t != 1:
            return
        # HEADERS on /b/N (N ends where the :authority literal starts)
        path = payload.split(b"/b/")[1]
        out = [frame(1, 4, sid, b"\x88")]
        left = int(path[:path.index(b"\x01")])
        while left:
            k = min(left, 16384)
            left -= k
            out.append(frame(0, 0 if left else 1, sid, b"x" * k))
        self.tr.write(b"".join(out))


port, mode, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
if mode == "early":
    Early.size = int(sys.argv[5])
    serve_tls(Early, port, cert, key)
else:
    serve_tls(Room, port, cert, key)
