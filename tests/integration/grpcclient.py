#!/usr/bin/python3
"""grpcclient.py - a gRPC client for the tests (see grpcserver.py).

    grpcclient.py TARGET [CA_CERT]

Over one channel to TARGET (gRPC's form: 127.0.0.1:PORT, unix:PATH), calls
pkg.Service/Echo three times, then pkg.Service/Stream once, and prints each
answer on a line (the stream's three messages on one).  With CA_CERT (PEM)
the channel is TLS, trusting that certificate; otherwise cleartext HTTP/2.
"""

import sys

import grpc

target = sys.argv[1]
if len(sys.argv) > 2:
    with open(sys.argv[2], "rb") as f:
        creds = grpc.ssl_channel_credentials(f.read())
    channel = grpc.secure_channel(target, creds)
else:
    channel = grpc.insecure_channel(target)
echo = channel.unary_unary("/pkg.Service/Echo")
for i in range(3):
    print(echo(b"hi%d" % i, timeout=30).decode())
parts = channel.unary_stream("/pkg.Service/Stream")(b"x", timeout=30)
print(" ".join(p.decode() for p in parts))
channel.close()
