#!/usr/bin/python3
"""grpccalls.py - gRPC calls of every shape, for the tests (see grpcserver.py).

    grpccalls.py TARGET N [CA_CERT]

Over one channel to TARGET: pkg.Service/Echo once (b"hi"), pkg.Service/Chat
with N messages (b"m0", b"m1"...; bidirectional streaming, the answers
read as they come), then pkg.Service/Fail, which the server aborts.
Prints "echo:hi", "chat SENT RECEIVED" (messages each way, as this client
counts them) and "fail CODE DETAILS" (the status name and message the
client got).  With CA_CERT (PEM) the channel is TLS, trusting it.
"""

import sys

import grpc

target, n = sys.argv[1], int(sys.argv[2])
if len(sys.argv) > 3:
    with open(sys.argv[3], "rb") as f:
        creds = grpc.ssl_channel_credentials(f.read())
    channel = grpc.secure_channel(target, creds)
else:
    channel = grpc.insecure_channel(target)
print(channel.unary_unary("/pkg.Service/Echo")(b"hi", timeout=30).decode())
sent = 0


def messages():
    global sent
    for i in range(n):
        sent += 1
        yield b"m%d" % i


answers = channel.stream_stream("/pkg.Service/Chat")(messages(), timeout=30)
received = sum(1 for _ in answers)
print("chat %d %d" % (sent, received))
try:
    channel.unary_unary("/pkg.Service/Fail")(b"x", timeout=30)
    print("fail none")
except grpc.RpcError as e:
    print("fail %s %s" % (e.code().name, e.details()))
channel.close()
