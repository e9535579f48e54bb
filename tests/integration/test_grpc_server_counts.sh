#!/bin/bash
# test_grpc_server_counts.sh - a traced gRPC server's records count the
# call's messages as the server saw them: what it read as received, what
# it wrote as sent (an untraced grpccalls.py: Echo b"hi" -> b"echo:hi",
# Chat of 2 messages each way, Fail read and answered with no message).
# JSON's grpc_* fields, the text line ("grpc messages S sent, R received",
# beside "read N B ... wrote M B") and the SERVER span's
# httptrace.grpc.messages_sent/received agree with the server's own log.
# 4a50d34 gave a server's record the client's view: Fail "1 sent, 0
# received" for a server that read one message and sent none.
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
kill -TERM "$spid"
wait "$spid" || true
# the premise: the server read 2 Chat messages (4 bytes) and sent 2 (12)
grep -qx 'Chat 2 2 4 12' "$T/grpc-calls.log.msgs" || { show "$T/grpc-calls.log.msgs"; fail "the server's counts are not the premise"; }

jcheck "$T/out.json" --count 3 \
	--expect "rpc_method == ['Echo', 'Chat', 'Fail']" \
	--expect 'grpc_msgs_recv == [1, 2, 1] and grpc_msgs_sent == [1, 2, 0]' \
	--expect 'grpc_bytes_recv == [2, 4, 1] and grpc_bytes_sent == [7, 12, 0]' \
	--expect 'grpc_max_sent == [7, 6, 0] and nonnull(grpc_first_recv_ms) and nonnull(grpc_first_sent_ms[:2])' \
	--each "side == 'server'"
"$HTTPTRACE" read -f text "$T/srv.cap" >"$T/out.text" 2>&1 || fail "read -f text failed"
grep -q "read 6 B .*wrote 0 B .*grpc messages 0 sent, 1 received" "$T/out.text" ||
	{ show "$T/out.text"; fail "text: the Fail call's messages are not the server's view"; }
"$HTTPTRACE" read -f otlp -o "$T/out.otlp" "$T/srv.cap" || fail "read -f otlp failed"
"$PY" - "$T/out.otlp" <<'PYEOF' || { show "$T/out.otlp"; fail "OTLP: the SERVER spans' messages are not the server's view"; }
import json, sys
got = {}
for line in open(sys.argv[1]):
    for rs in json.loads(line).get("resourceSpans", []):
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                if s["kind"] != 2:
                    continue
                a = {x["key"]: x["value"] for x in s["attributes"]}
                got[a["rpc.method"]["stringValue"]] = (
                    int(a["httptrace.grpc.messages_sent"]["intValue"]),
                    int(a["httptrace.grpc.messages_received"]["intValue"]))
assert got == {"Echo": (1, 1), "Chat": (2, 2), "Fail": (0, 1)}, got
PYEOF
pass
