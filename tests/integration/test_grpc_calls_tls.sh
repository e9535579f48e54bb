#!/bin/bash
# test_grpc_calls_tls.sh - test_grpc_calls.sh over TLS (grpc.secure_channel
# trusting a certificate the test makes; gRPC's C core moves the
# ciphertext itself through memory BIOs, the plaintext comes from libssl's
# hooks): the same three calls, their status and messages.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_grpc
make_cert
start_grpc_server "$T/cert.pem" "$T/key.pem"
GRPC_SCHEME=https GRPC_CA=$T/cert.pem . "$TESTS_DIR/grpc_calls.sh"
