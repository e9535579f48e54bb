#!/bin/bash
# test_grpc_calls.sh - Debian's python3-grpcio over cleartext HTTP/2: a
# unary call, a bidirectional stream of 5 messages each way and a call the
# server aborts with UNAVAILABLE give three records with rpc_service and
# rpc_method, the gRPC status (0, 0, 14 UNAVAILABLE with its message,
# percent-decoded) and the messages and payload bytes each way, as the
# server's own log counts them; the failed call is an error in JSON, text,
# events, OTLP and the summary.  Over TLS: test_grpc_calls_tls.sh.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_grpc
start_grpc_server
GRPC_SCHEME=http . "$TESTS_DIR/grpc_calls.sh"
