#!/usr/bin/python3
"""h2cserver.py - a small HTTP server that accepts the h2c upgrade, for the
h2c tests, on loopback.

    h2cserver.py PORT [BIND_ADDR] [--no-upgrade]

A request with "Upgrade: h2c" is answered "101 Switching Protocols", then
the connection speaks HTTP/2 (RFC 9113, 3.2 of RFC 7540): the server's
SETTINGS, the upgraded request's response on stream 1, then every stream
the client opens is answered.  Every response is 200 with a body of
100 + STREAM_ID bytes (stream 1: 101), "x" repeated.  A request without the
upgrade (or with --no-upgrade, which declines it) gets an HTTP/1.1 200 with
a 42-byte body, keep-alive.  Header blocks from the client are not decoded
(no HPACK decoder here): every HEADERS frame that starts a stream is one
request.  Logs "h1 PATH" / "h2c PATH" / "stream N" lines to stdout.
"""

import socket
import socketserver
import struct
import sys

NO_UPGRADE = "--no-upgrade" in sys.argv
args = [a for a in sys.argv[1:] if not a.startswith("--")]
PORT = int(args[0])
BIND = args[1] if len(args) > 1 else "127.0.0.1"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def log(*a):
    print(*a, flush=True)


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def response(stream):
    body = b"x" * (100 + stream)
    n = str(len(body)).encode()
    # :status 200 (static index 8); content-length (static 28) as a
    # literal without indexing, its value as a plain string
    block = b"\x88" + b"\x0f\x0d" + bytes([len(n)]) + n
    return frame(1, 0x4, stream, block) + frame(0, 0x1, stream, body)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            while self.h1():
                pass
        except (OSError, EOFError, ValueError):
            pass

    def h1(self):
        line = self.rfile.readline()
        if not line:
            return False
        path = line.split()[1].decode()
        headers = {}
        while True:
            h = self.rfile.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode().partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("upgrade", "").lower() == "h2c" and not NO_UPGRADE:
            log("h2c", path)
            self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\n"
                             b"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
            self.wfile.write(frame(4, 0, 0) + response(1))
            self.wfile.flush()
            self.h2()
            return False
        log("h1", path)
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n" + b"y" * 42)
        self.wfile.flush()
        return True

    def read(self, n):
        b = self.rfile.read(n)
        if len(b) != n:
            raise EOFError
        return b

    def h2(self):
        if self.read(len(PREFACE)) != PREFACE:
            return
        seen = {1}
        while True:
            head = self.read(9)
            length = int.from_bytes(head[:3], "big")
            ftype, flags = head[3], head[4]
            stream = int.from_bytes(head[5:9], "big") & 0x7fffffff
            self.read(length)
            out = b""
            if ftype == 4 and not flags & 1:       # SETTINGS: ack
                out = frame(4, 1, 0)
            elif ftype == 6 and not flags & 1:     # PING: pong
                out = b""
            elif ftype == 7:                       # GOAWAY
                return
            elif ftype == 1 and stream not in seen:
                seen.add(stream)
                log("stream", stream)
                out = response(stream)
            if out:
                self.wfile.write(out)
                self.wfile.flush()


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    address_family = socket.AF_INET6 if ":" in BIND else socket.AF_INET


Server((BIND, PORT), Handler).serve_forever()
