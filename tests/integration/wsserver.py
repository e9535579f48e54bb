#!/usr/bin/python3
"""wsserver.py - a WebSocket server for the tests (Debian's python3-websockets).

    wsserver.py PORT LOG [N_TEXT M_BINARY]

On 127.0.0.1:PORT, per connection: counts the messages it receives until a
text message "end" (counted too), then sends N_TEXT text messages, M_BINARY
binary ones and one text message in three fragments, and waits for the
client to close.  Compression is off (payload sizes as sent are the
messages' own).  When the connection ends it appends one JSON line to LOG:
what it received and sent (messages, text, binary, payload bytes) and the
close code and reason the client sent.
"""
import asyncio
import json
import sys

import websockets

PORT, LOG = int(sys.argv[1]), sys.argv[2]
N_TEXT = int(sys.argv[3]) if len(sys.argv) > 3 else 3
M_BINARY = int(sys.argv[4]) if len(sys.argv) > 4 else 2


def size(msg):
    return len(msg.encode()) if isinstance(msg, str) else len(msg)


async def handler(ws, path=None):
    got = {"messages": 0, "text": 0, "binary": 0, "bytes": 0}
    sent = {"messages": 0, "text": 0, "binary": 0, "bytes": 0}

    def count(d, msg):
        d["messages"] += 1
        d["text" if isinstance(msg, str) else "binary"] += 1
        d["bytes"] += size(msg)

    try:
        async for msg in ws:
            count(got, msg)
            if msg == "end":
                break
        for i in range(N_TEXT):
            m = "server text %d" % i
            await ws.send(m)
            count(sent, m)
        for i in range(M_BINARY):
            m = bytes([i]) * (100 + 1000 * i)
            await ws.send(m)
            count(sent, m)
        parts = ["frag", "ment", "ed"]
        await ws.send(parts)  # an iterable: one message, a frame per part
        count(sent, "".join(parts))
        await ws.wait_closed()
    finally:
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": ws.path, "received": got, "sent": sent,
                                "close_code": ws.close_code,
                                "close_reason": ws.close_reason}) + "\n")


async def main():
    async with websockets.serve(handler, "127.0.0.1", PORT, compression=None,
                                ping_interval=None):
        await asyncio.Future()


asyncio.run(main())
