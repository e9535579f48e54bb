#!/usr/bin/python3
"""proxy.py - a small forwarding proxy for the tunnel tests, on loopback.

    proxy.py PORT [BIND_ADDR] [--refuse] [--tls CERT KEY]

Speaks, on the same port, whichever the client starts with:
  - HTTP CONNECT host:port: answers "200 Connection established" and relays
    bytes both ways (with --refuse, a CONNECT without "Proxy-Authorization"
    gets "407 Proxy Authentication Required" (Basic), with a body, and the
    connection stays open for another CONNECT);
  - SOCKS4/4a (CONNECT) and SOCKS5 (CONNECT; no authentication, or
    username/password, any accepted), then relays.
With --tls the proxy itself speaks TLS (an HTTPS proxy) with CERT/KEY.
Only loopback targets are accepted.  Logs one line per tunnel to stdout:
"KIND TARGET".
"""

import ipaddress
import select
import socket
import socketserver
import sys

REFUSE = "--refuse" in sys.argv
TLS = None
argv = sys.argv[1:]
if "--tls" in argv:
    i = argv.index("--tls")
    TLS = argv[i + 1:i + 3]
    del argv[i:i + 3]
args = [a for a in argv if not a.startswith("--")]
PORT = int(args[0])
BIND = args[1] if len(args) > 1 else "127.0.0.1"


def log(*a):
    print(*a, flush=True)


def loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost" or host.endswith(".localhost") or \
            all(ipaddress.ip_address(ai[4][0]).is_loopback
                for ai in socket.getaddrinfo(host, None))


def relay(a, b):
    socks = [a, b]
    try:
        while True:
            # bytes a TLS socket already decrypted do not wake select()
            r = [s for s in socks if getattr(s, "pending", lambda: 0)()]
            if not r:
                r, _, _ = select.select(socks, [], [], 30)
            if not r:
                return
            for s in r:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            raise EOFError
        buf += d
    return buf


def recv_until_nul(s):
    buf = b""
    while True:
        c = recv_exact(s, 1)
        if c == b"\0":
            return buf
        buf += c


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        try:
            if TLS:
                self.http(c)
                return
            first = c.recv(1, socket.MSG_PEEK)
            if not first:
                return
            if first == b"\x04":
                self.socks4(c)
            elif first == b"\x05":
                self.socks5(c)
            else:
                self.http(c)
        except (EOFError, OSError):
            pass

    def tunnel(self, c, host, port, kind):
        if not loopback(host):
            raise EOFError
        up = socket.create_connection((host, port))
        log(kind, "%s:%d" % (host, port))
        return up

    def http(self, c):
        f = c.makefile("rb")
        while True:
            line = f.readline()
            if not line:
                return
            method, target, _ = line.decode().split(" ", 2)
            auth = False
            while True:
                h = f.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                if h.lower().startswith(b"proxy-authorization:"):
                    auth = True
            if method != "CONNECT":
                c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                continue
            if REFUSE and not auth:
                body = b"no tunnel for you\n"
                c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                          b"Proxy-Authenticate: Basic realm=\"test\"\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body) + body)
                continue
            host, _, port = target.rpartition(":")
            host = host.strip("[]")
            up = self.tunnel(c, host, int(port), "CONNECT")
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            # Bytes the makefile buffered belong to the tunnel.
            pending = f.peek(0) if hasattr(f, "peek") else b""
            if pending:
                up.sendall(f.read(len(pending)))
            relay(c, up)
            return

    def socks4(self, c):
        ver, cmd, port = recv_exact(c, 1)[0], recv_exact(c, 1)[0], int.from_bytes(recv_exact(c, 2), "big")
        ip = recv_exact(c, 4)
        recv_until_nul(c)
        if ip[:3] == b"\0\0\0" and ip[3]:
            host = recv_until_nul(c).decode()
            kind = "SOCKS4a"
        else:
            host = socket.inet_ntoa(ip)
            kind = "SOCKS4"
        if cmd != 1:
            c.sendall(b"\x00\x5b" + b"\0" * 6)
            return
        up = self.tunnel(c, host, port, kind)
        c.sendall(b"\x00\x5a" + port.to_bytes(2, "big") + ip)
        relay(c, up)

    def socks5(self, c):
        _, n = recv_exact(c, 2)
        methods = recv_exact(c, n)
        if 0 in methods:
            c.sendall(b"\x05\x00")
        elif 2 in methods:
            c.sendall(b"\x05\x02")
            _, ul = recv_exact(c, 2)
            recv_exact(c, ul)
            pl = recv_exact(c, 1)[0]
            recv_exact(c, pl)
            c.sendall(b"\x01\x00")
        else:
            c.sendall(b"\x05\xff")
            return
        _, cmd, _, atyp = recv_exact(c, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv_exact(c, 4))
        elif atyp == 3:
            host = recv_exact(c, recv_exact(c, 1)[0]).decode()
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, recv_exact(c, 16))
        else:
            return
        port = int.from_bytes(recv_exact(c, 2), "big")
        if cmd != 1:
            c.sendall(b"\x05\x07\x00\x01" + b"\0" * 6)
            return
        up = self.tunnel(c, host, port, "SOCKS5")
        c.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + port.to_bytes(2, "big"))
        relay(c, up)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    address_family = socket.AF_INET6 if ":" in BIND else socket.AF_INET


class TLSServer(Server):
    def get_request(self):
        sock, addr = super().get_request()
        return CTX.wrap_socket(sock, server_side=True), addr


if TLS:
    import ssl
    CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    CTX.load_cert_chain(TLS[0], TLS[1])
    TLSServer((BIND, PORT), Handler).serve_forever()
else:
    Server((BIND, PORT), Handler).serve_forever()
