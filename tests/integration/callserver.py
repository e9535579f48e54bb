#!/usr/bin/python3
"""callserver.py - an HTTP/1.1 server for the integration tests that calls
another server while it handles each request.

    /usr/bin/python3 callserver.py thread PORT UPSTREAM_PORT LOG
    /usr/bin/python3 callserver.py loop PORT UPSTREAM_PORT LOG N
    /usr/bin/python3 callserver.py background PORT UPSTREAM_PORT LOG

Standard library only; binds 127.0.0.1.  A request for /K is answered 200
"called\\n" after a GET of http://127.0.0.1:UPSTREAM_PORT/bytes/K (a new
connection each time); LOG gets "served /K" once it is answered.

thread: one thread per connection, keep-alive; the thread that read the
request makes the call, then writes the answer (a synchronous app).
loop: one asyncio thread; it reads requests until N are open at once,
begins each one's call, and once all are begun answers them (an event
loop interleaving requests).
background: one asyncio thread answering each request after 1.5 s
without calling anything, while a task of its own GETs /bytes/9 from
upstream every 0.2 s (a poller: its calls belong to no request, though
one is open on the thread while it waits); LOG gets "polled" per call.
"""

import asyncio
import http.client
import sys

from threadserver import log, request_paths, serve_forever


def call(upstream, k):
    c = http.client.HTTPConnection("127.0.0.1", upstream)
    c.request("GET", "/bytes/%d" % k)
    body = c.getresponse().read()
    c.close()
    return body


def answer():
    body = b"called\n"
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body)


def serve_thread(conn, upstream, logf):
    with conn:
        for path in request_paths(conn):
            call(upstream, int(path.lstrip("/")))
            conn.sendall(answer())
            log(logf, "served " + path)


def main_thread(port, upstream, logf):
    serve_forever(port, 16, serve_thread, upstream, logf)


async def main_loop(port, upstream, logf, n):
    opened, calling = [], []
    all_open, all_calling = asyncio.Event(), asyncio.Event()

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
        opened.append(path)
        if len(opened) == n:
            all_open.set()
        await all_open.wait()
        r, w = await asyncio.open_connection("127.0.0.1", upstream)
        w.write(b"GET /bytes/%d HTTP/1.1\r\nHost: x\r\nConnection: close"
                b"\r\n\r\n" % int(path.lstrip("/")))
        await w.drain()
        calling.append(path)
        if len(calling) == n:
            all_calling.set()
        await all_calling.wait()  # every call begun before any answer
        await r.read()
        w.close()
        writer.write(answer())
        await writer.drain()
        writer.close()
        log(logf, "served " + path)

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


async def main_background(port, upstream, logf):
    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
        await asyncio.sleep(1.5)
        writer.write(answer())
        await writer.drain()
        writer.close()
        log(logf, "served " + path)

    async def poll():
        while True:
            r, w = await asyncio.open_connection("127.0.0.1", upstream)
            w.write(b"GET /bytes/9 HTTP/1.1\r\nHost: x\r\n"
                    b"Connection: close\r\n\r\n")
            await w.drain()
            await r.read()
            w.close()
            log(logf, "polled")
            await asyncio.sleep(0.2)

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    poller = asyncio.create_task(poll())
    async with server:
        await server.serve_forever()
    poller.cancel()


def main():
    mode, port, upstream, logf = sys.argv[1], int(sys.argv[2]), \
        int(sys.argv[3]), sys.argv[4]
    if mode == "thread":
        main_thread(port, upstream, logf)
    elif mode == "background":
        asyncio.run(main_background(port, upstream, logf))
    else:
        asyncio.run(main_loop(port, upstream, logf, int(sys.argv[5])))


if __name__ == "__main__":
    main()
