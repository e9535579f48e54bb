#!/usr/bin/python3
"""wsclient.py - a WebSocket client for the tests (python3-websockets).

    wsclient.py URL N_TEXT M_BINARY N_PINGS

Sends N_TEXT text messages, M_BINARY binary ones, one text message in three
fragments and "end"; reads what the server sends (wsserver.py: until its
fragmented message), sends N_PINGS pings, each awaiting its pong, and closes
with 1000 "done".  Prints one JSON line: what it sent and received.
"""
import asyncio
import json
import sys

import websockets

URL = sys.argv[1]
N_TEXT, M_BINARY, N_PINGS = (int(a) for a in sys.argv[2:5])


async def main():
    sent = {"messages": 0, "bytes": 0}
    got = {"messages": 0, "bytes": 0}
    async with websockets.connect(URL, compression=None,
                                  ping_interval=None) as ws:
        msgs = ["client text %d" % i for i in range(N_TEXT)]
        msgs += [bytes([65 + i]) * (200 + 70000 * i) for i in range(M_BINARY)]
        for m in msgs:
            await ws.send(m)
        await ws.send(["a", "b", "c"])
        await ws.send("end")
        for m in msgs + ["abc", "end"]:
            sent["messages"] += 1
            sent["bytes"] += len(m.encode()) if isinstance(m, str) else len(m)
        while True:
            m = await ws.recv()
            got["messages"] += 1
            got["bytes"] += len(m.encode()) if isinstance(m, str) else len(m)
            if m == "fragmented":
                break
        for i in range(N_PINGS):
            await (await ws.ping(b"ping %d" % i))
        await ws.close(1000, "done")
    print(json.dumps({"sent": sent, "received": got}))


asyncio.run(main())
