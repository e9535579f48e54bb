"""h2wire.py - the HTTP/2 wire pieces shared by the integration tests' own
HTTP/2 programs (h2cut.py, h2oneshot.py, h2closeat.py,
h2membio_server.py and the clients of test_server_h2_membio_*.sh, which
put this folder on PYTHONPATH).

Standard library only; HPACK by hand (static-table names, no Huffman).
"""

import asyncio
import signal
import ssl
import struct
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, stream, payload):
    """One frame: its 9-byte head and @payload."""
    return struct.pack(">I", len(payload))[1:] + struct.pack(
        ">BBI", ftype, flags, stream) + payload


def literal(index, value):
    """A literal header field without indexing, its name static @index."""
    v = value.encode()
    assert index < 15 and len(v) < 127
    return bytes([index, len(v)]) + v


def get_block(tls, host, port, path):
    """The header block of a GET of @path on @host:@port, https when @tls
    (else http)."""
    return (b"\x82"                                   # :method GET
            + (b"\x87" if tls else b"\x86")             # :scheme
            + literal(4, path)                         # :path
            + literal(1, "%s:%d" % (host, port)))      # :authority


def split_frames(buf):
    """The whole frames at the start of @buf, as (type, flags, stream,
    payload), and the bytes left after them (a frame not whole yet)."""
    frames = []
    while len(buf) >= 9:
        n = int.from_bytes(buf[:3], "big")
        if len(buf) < 9 + n:
            break
        stream = int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
        frames.append((buf[3], buf[4], stream, buf[9:9 + n]))
        buf = buf[9 + n:]
    return frames, buf


def tls_client(sock, host):
    """@sock wrapped in TLS offering only "h2", the certificate unchecked
    (a test's own)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    return ctx.wrap_socket(sock, server_hostname=host)


def serve_tls(protocol, port, cert, key):
    """Serves asyncio @protocol over TLS ("h2" by ALPN; asyncio's SSL is
    an SSLObject, memory BIOs) on 127.0.0.1:@port until SIGTERM."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"])

    async def main():
        srv = await asyncio.get_running_loop().create_server(
            protocol, "127.0.0.1", port, ssl=ctx)
        await srv.serve_forever()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    asyncio.run(main())
