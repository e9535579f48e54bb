#!/usr/bin/python3
"""grpczip.py - a gRPC call with gzip-compressed messages (see grpcserver.py).

    grpczip.py TARGET N

Calls pkg.Service/Zip over a cleartext channel with N messages of 1000
bytes each (b"z" * 1000: gzip makes them far smaller, so gRPC sends them
compressed), the call's compression gzip.  Prints "zip SENT RECEIVED
RECEIVED_BYTES" (messages each way and the payload bytes received, as
this client counts them, uncompressed).
"""

import sys

import grpc

target, n = sys.argv[1], int(sys.argv[2])
channel = grpc.insecure_channel(target)
answers = channel.stream_stream("/pkg.Service/Zip")(
    iter([b"z" * 1000] * n), timeout=30, compression=grpc.Compression.Gzip)
got = [a for a in answers]
print("zip %d %d %d" % (n, len(got), sum(len(a) for a in got)))
channel.close()
