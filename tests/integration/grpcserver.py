#!/usr/bin/python3
"""grpcserver.py - a gRPC server for the tests, with no generated stubs.

    grpcserver.py ADDRESS LOGFILE [CERT KEY]

Serves pkg.Service at ADDRESS (gRPC's form: 127.0.0.1:PORT, unix:PATH):
Echo (unary: b"echo:" + the request) and Stream (server streaming: three
messages, b"part0" to b"part2").  Messages are raw bytes (no serializers, so
no protobuf and no protoc).  Each call appends its method's path to
LOGFILE.  With CERT and KEY (PEM files) it serves TLS instead of cleartext
HTTP/2.  Exits 1 when it cannot listen; otherwise runs until killed.
"""

import sys
import threading
from concurrent import futures

import grpc

address, log_file = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def logged(path):
    with lock, open(log_file, "a", encoding="ascii") as f:
        f.write(path + "\n")


def echo(request, context):
    logged("/pkg.Service/Echo")
    return b"echo:" + request


def stream(request, context):
    logged("/pkg.Service/Stream")
    for i in range(3):
        yield b"part%d" % i


handler = grpc.method_handlers_generic_handler("pkg.Service", {
    "Echo": grpc.unary_unary_rpc_method_handler(echo),
    "Stream": grpc.unary_stream_rpc_method_handler(stream),
})
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((handler,))
try:
    if len(sys.argv) > 4:
        with open(sys.argv[3], "rb") as f:
            cert = f.read()
        with open(sys.argv[4], "rb") as f:
            key = f.read()
        creds = grpc.ssl_server_credentials([(key, cert)])
        port = server.add_secure_port(address, creds)
    else:
        port = server.add_insecure_port(address)
except RuntimeError as e:
    sys.exit("grpcserver: cannot listen at %s: %s" % (address, e))
if port == 0:
    sys.exit("grpcserver: cannot listen at %s" % address)
server.start()
server.wait_for_termination()
