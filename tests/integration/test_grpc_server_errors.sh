#!/bin/bash
# test_grpc_server_errors.sh - a traced gRPC server (grpcserver.py under
# httptrace) answers an untraced client's three calls, the last aborted
# with UNAVAILABLE: its server record is an error ("grpc UNAVAILABLE", as
# the client's would be), and the summary counts it in server_errors, in
# -f json and in the text summary alike.  4a50d34 counted only the
# record's transport error there: server_errors 0 beside a record whose
# error was "grpc UNAVAILABLE".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_grpc
port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -w "$T/srv.cap" -- "$PY" "$TESTS_DIR/grpcserver.py" \
	"127.0.0.1:$port" "$T/grpc-calls.log" >"$T/srv.log" 2>&1 &
spid=$!
_PIDS+=("$spid")
wait_port 127.0.0.1 "$port" "$spid" || { show "$T/srv.log"; fail "grpcserver.py did not start"; }
"$PY" "$TESTS_DIR/grpccalls.py" "127.0.0.1:$port" 2 >"$T/client.out" 2>&1 ||
	{ show "$T/client.out"; fail "grpccalls.py failed"; }
grep -q '^fail UNAVAILABLE' "$T/client.out" || { show "$T/client.out"; fail "the premise: the client saw no UNAVAILABLE"; }
kill -TERM "$spid"
wait "$spid" || true

u=http://127.0.0.1:$port/pkg.Service
jcheck "$T/out.json" --count 3 \
	--expect "url == ['$u/Echo', '$u/Chat', '$u/Fail']" \
	--expect "error == [None, None, 'grpc UNAVAILABLE']" \
	--each "side == 'server' and status == 200"
jcheck "$T/out.json" --event summary --count 1 \
	--expect 'server_requests == [3] and server_errors == [1] and dropped == [0]'
"$HTTPTRACE" read -f summary "$T/srv.cap" >"$T/summary.txt" 2>&1 || fail "read -f summary failed"
grep -q "served by traced servers: 3 requests   errors: 1" "$T/summary.txt" || { show "$T/summary.txt"; fail "the text summary does not count the failed call"; }
pass
