#!/usr/bin/python3
"""rawserver.py - a TCP server for the integration tests that answers with
canned byte scripts, hostile and odd ones included.

    /usr/bin/python3 rawserver.py PORT [BIND_ADDR]     (default 127.0.0.1)

Standard library only.  Each connection gets its own thread; requests are
read one after another (keep-alive unless the script closes).  A request
body (Content-Length or chunked) is read before the answer; with
"Expect: 100-continue" the server first sends "HTTP/1.1 100 Continue".
The path picks the script (the query string only sets options):

    /nothttp         "SSH-2.0-OpenSSH_9.2p1\\r\\n" (no HTTP at all), close
    /bigheader/N     200 whose header section is over 200 KiB (210 filler
                     headers of ~1 KiB), then N body bytes (Content-Length)
    /badchunk        200, chunked, a valid 5-byte chunk then the chunk size
                     "zz", close
    /blankcolon/N/M  200 with "Content-Length : N" (a blank before the
                     colon: curl and Python's http.client take it for
                     another header), then M body bytes, close
    /cutshort/N/M    200 announcing Content-Length N, then M (< N) bytes,
                     close
    /cuthead/N       200's status line and "Content-Length: N", then part
                     of a header line, close (the header section cut)
    /earlyhints/N    103 Early Hints (a Link header), then 200 with N bytes
    /echo            200 with the request body's size, "N\\n"
    /expect417       with "Expect: 100-continue": 417 at once, the body
                     not read (the client sends none), keep-alive;
                     without: as /echo
    /expectearly     with "Expect: 100-continue": 200 "early\\n" at once,
                     then the body read, keep-alive; without: as /echo
    /expect413close  with "Expect: 100-continue": 413 and Connection: close
                     at once, then the connection closed
    /http10/N        HTTP/1.0 200 without Content-Length: N body bytes,
                     delimited by closing
    /chunked/N       200, N bytes in chunks of 1, 7, 100, 1000 bytes
    /fixed           "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello"
    /stuck, /stuck/* nothing: the request is read, logged ("stuck PATH" on
                     stdout) and never answered; the connection stays
                     open until the client closes it
    anything else    404 with a short body

Options (query string):
    bytewise=MS      send the answer one byte per send(), sleeping MS
                     milliseconds (a float, 0 allowed) between bytes
    close=1          close the connection after the answer

Body bytes follow server.py's pattern (0-9a-zA-Z\\n repeated).
"""

import socket
import sys
import threading
import time

PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"


def body_of(n):
    return (PATTERN * (n // len(PATTERN) + 1))[:n]


class Conn:
    """Buffered reading of one client connection."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def read_until(self, delim, limit=1 << 20):
        while delim not in self.buf:
            if len(self.buf) > limit:
                raise EOFError
            self.fill()
        head, _, self.buf = self.buf.partition(delim)
        return head

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_body(self, headers):
        """Read a request body; return its size (de-chunked)."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            total = 0
            while True:
                size = int(self.read_until(b"\r\n").split(b";")[0].strip(), 16)
                if size == 0:
                    while self.read_until(b"\r\n"):
                        pass  # trailers
                    return total
                total += len(self.read_exact(size))
                self.read_exact(2)
        n = int(headers.get("content-length", "0") or "0")
        left = n
        while left:
            got = self.read_exact(min(left, 65536))
            left -= len(got)
        return n


def script(path, body_size):
    """Return (bytes to send, close afterwards) for @path."""
    parts = path.strip("/").split("/")
    name = parts[0]
    nums = []
    for p in parts[1:]:
        try:
            nums.append(int(p))
        except ValueError:
            nums.append(0)
    n = nums[0] if nums else 0
    if name == "nothttp":
        return b"SSH-2.0-OpenSSH_9.2p1\r\n", True
    if name == "bigheader":
        filler = b"".join(b"X-Filler-%03d: %s\r\n" % (i, b"f" * 1000)
                          for i in range(210))
        return (b"HTTP/1.1 200 OK\r\n" + filler +
                b"Content-Length: %d\r\n\r\n" % n + body_of(n)), False
    if name == "badchunk":
        return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\nzz\r\nxxxxx\r\n0\r\n\r\n"), True
    if name == "blankcolon":
        m = nums[1] if len(nums) > 1 else n
        return (b"HTTP/1.1 200 OK\r\nContent-Length : %d\r\n\r\n" % n +
                body_of(m)), True
    if name == "cutshort":
        m = nums[1] if len(nums) > 1 else n // 2
        return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n +
                body_of(m)), True
    if name == "cuthead":
        return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Cut" % n), True
    if name == "earlyhints":
        return (b"HTTP/1.1 103 Early Hints\r\n"
                b"Link: </style.css>; rel=preload; as=style\r\n\r\n"
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n +
                body_of(n)), False
    if name in ("echo", "expect417", "expectearly"):
        b = b"%d\n" % body_size
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(b) + b, False
    if name == "http10":
        return (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" +
                body_of(n)), True
    if name == "chunked":
        out = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
        body, off, i, sizes = body_of(n), 0, 0, [1, 7, 100, 1000]
        while off < n:
            size = min(sizes[i % len(sizes)], n - off)
            out.append(b"%x\r\n" % size + body[off:off + size] + b"\r\n")
            off += size
            i += 1
        out.append(b"0\r\n\r\n")
        return b"".join(out), False
    if name == "fixed":
        return b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", False
    return b"HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n", False


def send(sock, data, bytewise):
    if bytewise is None:
        sock.sendall(data)
        return
    for i in range(len(data)):
        sock.sendall(data[i:i + 1])
        if bytewise > 0:
            time.sleep(bytewise)


def serve(sock):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c = Conn(sock)
    try:
        while True:
            head = c.read_until(b"\r\n\r\n").decode("latin-1")
            lines = head.split("\r\n")
            words = lines[0].split()
            if len(words) != 3:
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            path, _, query = words[1].partition("?")
            opts = dict(kv.partition("=")[::2] for kv in query.split("&") if kv)
            bytewise = float(opts["bytewise"]) / 1000.0 if "bytewise" in opts else None
            expects = headers.get("expect", "").lower() == "100-continue"
            if expects and path == "/expect417":
                # refused before the body, which the client then does
                # not send: the connection goes on
                sock.sendall(b"HTTP/1.1 417 Expectation Failed\r\n"
                             b"Content-Length: 0\r\n\r\n")
                continue
            if expects and path == "/expectearly":
                # a final 200 at once, no 100, then the body the client
                # sends anyway is read (RFC 9110 10.1.1 lets the client
                # send it, the server answer first): keep-alive
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n"
                             b"\r\nearly\n")
                c.read_body(headers)
                continue
            if expects and path == "/expect413close":
                # refused before the body, the connection closed: a
                # client writing its body anyway gets EPIPE
                sock.sendall(b"HTTP/1.1 413 Content Too Large\r\n"
                             b"Connection: close\r\nContent-Length: 0"
                             b"\r\n\r\n")
                return
            if expects:
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            size = c.read_body(headers)
            if path == "/stuck" or path.startswith("/stuck/"):
                # one write per line: print() writes the text and its
                # newline apart, and two connections' threads interleave
                # them ("stuck /stuck/execvstuck /stuck/execvpe"): a test
                # grepping its whole line then never finds it
                sys.stdout.write("stuck " + path + "\n")
                sys.stdout.flush()
                while sock.recv(4096):
                    pass
                return
            data, close = script(path, size)
            send(sock, data, bytewise)
            if close or opts.get("close") == "1":
                return
    except (EOFError, OSError, ValueError):
        pass
    finally:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        sock.close()


def main():
    args = sys.argv[1:]
    if not 1 <= len(args) <= 2:
        sys.stderr.write("usage: rawserver.py PORT [BIND_ADDR]\n")
        return 2
    port = int(args[0])
    bind = args[1] if len(args) > 1 else "127.0.0.1"
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(128)
    try:
        while True:
            s, _ = ls.accept()
            threading.Thread(target=serve, args=(s,), daemon=True).start()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
