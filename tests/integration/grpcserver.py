#!/usr/bin/python3
"""grpcserver.py - a gRPC server for the tests, with no generated stubs.

    grpcserver.py ADDRESS LOGFILE [CERT KEY]

Serves pkg.Service at ADDRESS (gRPC's form: 127.0.0.1:PORT, unix:PATH):
Echo (unary: b"echo:" + the request), Stream (server streaming: three
messages, b"part0" to b"part2"), Chat (bidirectional streaming: b"ack:" +
each message, as it comes) and Fail (unary: aborts with UNAVAILABLE and
FAIL_MESSAGE).  Messages are raw bytes (no serializers, so no protobuf and
no protoc).  Each call appends its method's path to LOGFILE; Chat and Fail
also append to LOGFILE.msgs what they saw and did: "Chat RECV SENT
RECV_BYTES SENT_BYTES" (messages and payload bytes each way, as the server
counts them), "Fail 14".  With CERT and KEY (PEM files) it serves TLS instead of cleartext
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


FAIL_MESSAGE = "backend down: 100% busy \u00e9"


def counted(line):
    with lock, open(log_file + ".msgs", "a", encoding="ascii") as f:
        f.write(line + "\n")


def chat(requests, context):
    logged("/pkg.Service/Chat")
    n_in = n_out = b_in = b_out = 0
    for m in requests:
        n_in += 1
        b_in += len(m)
        answer = b"ack:" + m
        n_out += 1
        b_out += len(answer)
        yield answer
    counted("Chat %d %d %d %d" % (n_in, n_out, b_in, b_out))


def fail(request, context):
    logged("/pkg.Service/Fail")
    counted("Fail %d" % grpc.StatusCode.UNAVAILABLE.value[0])
    context.abort(grpc.StatusCode.UNAVAILABLE, FAIL_MESSAGE)


def stream(request, context):
    logged("/pkg.Service/Stream")
    for i in range(3):
        yield b"part%d" % i


handler = grpc.method_handlers_generic_handler("pkg.Service", {
    "Echo": grpc.unary_unary_rpc_method_handler(echo),
    "Stream": grpc.unary_stream_rpc_method_handler(stream),
    "Chat": grpc.stream_stream_rpc_method_handler(chat),
    "Fail": grpc.unary_unary_rpc_method_handler(fail),
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
