#!/bin/bash
# test_grpc_compressed.sh - a bidirectional gRPC call whose messages go
# gzip-compressed both ways (python3-grpcio: the call's compression gzip,
# the server's answers too): its record has grpc_compressed true and the
# messages each way that the server logged; the payload bytes are as sent
# (compressed), fewer than the server's uncompressed count.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_grpc
start_grpc_server
n=4

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/grpczip.py" "127.0.0.1:$GRPC_PORT" "$n" \
	>"$T/traced.out" 2>"$T/traced.err" || { show "$T/traced.err"; fail "httptrace -- grpczip.py exited $?"; }
[ "$(cat "$T/traced.out")" = "zip $n $n $((n * 1000))" ] ||
	{ show "$T/traced.out" "$T/traced.err"; fail "the traced client got wrong answers"; }

# The premise: the server saw n messages of 1000 bytes and sent them back.
read -r _ zin zout zbin zbout < <(grep '^Zip ' "$T/grpc-calls.log.msgs")
[ "$zin" = "$n" ] && [ "$zout" = "$n" ] && [ "$zbin" = $((n * 1000)) ] ||
	{ show "$T/grpc-calls.log.msgs"; fail "the server's counts are not the premise"; }

jcheck "$T/out.json" --count 1 \
	--each "rpc_system == 'grpc' and rpc_method == 'Zip' and grpc_status == 0" \
	--each "grpc_compressed is True" \
	--each "grpc_msgs_sent == $zin and grpc_msgs_recv == $zout" \
	--each "0 < grpc_bytes_sent < $zbin and 0 < grpc_bytes_recv < $zbout" \
	--each "grpc_max_sent < 1000 and grpc_max_recv < 1000" \
	--each "error is None"
pass
