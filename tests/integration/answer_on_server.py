#!/usr/bin/python3
"""answer_on_server.py - an asyncio HTTP/1.x server for the
test_server_request_close_*.sh tests that answers on: every request, an
HTTP/1.0 one without keep-alive too, gets "HTTP/1.1 200 OK" with
Content-Length 3 ("ok\\n") and no Connection header, and the connection
is read on.

    answer_on_server.py PORT LOG [exit]

LOG gets "start PATH" as a request's head is read, "end PATH" once its
answer is written, "conn end ERROR" when its connection ends (the read's
or the handler's exception).  Two paths are answered otherwise:
  /slow  answered 2 s in; with "exit", the server stops 0.5 s in
         (SystemExit(3) from the handler: asyncio.run closes the
         connection on its way out), unanswered
  /boom  the handler fails (RuntimeError): the connection is closed
         without an answer
"""
import asyncio
import sys

port, logf = int(sys.argv[1]), sys.argv[2]
stop_on_slow = sys.argv[3:] == ["exit"]


def log(s):
    with open(logf, "a") as f:
        f.write(s + "\n")


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split()[1].decode()
            log("start " + path)
            if path == "/slow" and stop_on_slow:
                await asyncio.sleep(0.5)
                raise SystemExit(3)
            if path == "/slow":
                await asyncio.sleep(2)
            if path == "/boom":
                raise RuntimeError("handler failed")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            await writer.drain()
            log("end " + path)
    except Exception as e:
        log("conn end " + type(e).__name__)
    writer.close()


async def amain():
    srv = await asyncio.start_server(handle, "127.0.0.1", port)
    async with srv:
        await srv.serve_forever()

asyncio.run(amain())
