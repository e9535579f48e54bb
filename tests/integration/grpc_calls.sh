# shellcheck shell=bash
# grpc_calls.sh - the body of test_grpc_calls.sh and test_grpc_calls_tls.sh,
# sourced after lib.sh and start_grpc_server: GRPC_SCHEME is http or https,
# GRPC_CA the certificate to trust (https).
n=5
want_fail="fail UNAVAILABLE backend down: 100% busy é"
printf 'echo:hi\nchat %d %d\n%s\n' "$n" "$n" "$want_fail" >"$T/want.out"

rc=0
"$HTTPTRACE" -w "$T/calls.cap" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/grpccalls.py" "127.0.0.1:$GRPC_PORT" "$n" ${GRPC_CA:+"$GRPC_CA"} \
	>"$T/traced.out" 2>"$T/traced.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/traced.err"; fail "httptrace -- grpccalls.py exited $rc"; }
cmp -s "$T/traced.out" "$T/want.out" || { show "$T/traced.out" "$T/traced.err"; fail "the traced client got wrong answers"; }

# What the server saw: the three calls in order; Chat's messages and
# payload bytes each way; Fail's status.
mapfile -t calls <"$T/grpc-calls.log"
[ "${calls[*]}" = "/pkg.Service/Echo /pkg.Service/Chat /pkg.Service/Fail" ] ||
	{ show "$T/grpc-calls.log"; fail "the server logged other calls"; }
read -r _ chat_in chat_out chat_bin chat_bout < <(grep '^Chat ' "$T/grpc-calls.log.msgs")
read -r _ fail_code < <(grep '^Fail ' "$T/grpc-calls.log.msgs")
[ "$chat_in" = "$n" ] && [ "$chat_out" = "$n" ] && [ "$fail_code" = 14 ] ||
	{ show "$T/grpc-calls.log.msgs"; fail "the server's counts are not the premise"; }

u=$GRPC_SCHEME://127.0.0.1:$GRPC_PORT/pkg.Service
jcheck "$T/out.json" --count 3 \
	--expect "url == ['$u/Echo', '$u/Chat', '$u/Fail']" \
	--expect "rpc_method == ['Echo', 'Chat', 'Fail']" \
	--expect "grpc_status == [0, 0, $fail_code]" \
	--expect "grpc_status_name == ['OK', 'OK', 'UNAVAILABLE']" \
	--expect "error == [None, None, 'grpc UNAVAILABLE']" \
	--expect "grpc_message == [None, None, '${want_fail#fail UNAVAILABLE }']" \
	--expect "grpc_msgs_sent == [1, $chat_in, 1] and grpc_msgs_recv == [1, $chat_out, 0]" \
	--expect "grpc_bytes_sent == [2, $chat_bin, 1] and grpc_bytes_recv == [7, $chat_bout, 0]" \
	--expect "grpc_max_recv == [7, 6, 0]" \
	--expect "nonnull(grpc_first_sent_ms) and nonnull(grpc_first_recv_ms[:2])" \
	--each "method == 'POST' and proto == 'HTTP/2' and status == 200" \
	--each "rpc_system == 'grpc' and rpc_service == 'pkg.Service'" \
	--each "grpc_compressed is False"
jcheck "$T/out.json" --event summary --count 1 \
	--expect 'requests == [3] and errors == [1] and dropped == [0]'

# The same capture in the other formats: the failed call is an error.
"$HTTPTRACE" read -f text "$T/calls.cap" >"$T/out.text" 2>&1 || fail "read -f text failed"
grep -q -- "/pkg.Service/Fail -> 200 grpc UNAVAILABLE" "$T/out.text" &&
	grep -q -- "error: grpc UNAVAILABLE: backend down: 100% busy é" "$T/out.text" &&
	grep -q -- "/pkg.Service/Chat -> 200 grpc OK" "$T/out.text" &&
	grep -q -- "grpc messages $chat_in sent, $chat_out received" "$T/out.text" ||
	{ show "$T/out.text"; fail "text does not show the calls' gRPC status"; }
"$HTTPTRACE" read -f events -o "$T/out.events" "$T/calls.cap" || fail "read -f events failed"
jcheck "$T/out.events" --event response_done --count 3 \
	--expect "grpc_status == [0, 0, 14] and error == [None, None, 'grpc UNAVAILABLE']"
"$HTTPTRACE" read -f otlp -o "$T/out.otlp" "$T/calls.cap" || fail "read -f otlp failed"
"$PY" - "$T/out.otlp" <<'PYEOF' || { show "$T/out.otlp"; fail "OTLP spans do not carry the calls' gRPC status"; }
import json, sys
spans = []
for line in open(sys.argv[1]):
    for rs in json.loads(line).get("resourceSpans", []):
        for ss in rs["scopeSpans"]:
            spans += [s for s in ss["spans"] if "parentSpanId" not in s]
def attrs(s):
    return {a["key"]: list(a["value"].values())[0] for a in s["attributes"]}
got = sorted(((attrs(s)["rpc.method"], attrs(s), s.get("status", {}))
              for s in spans), key=lambda g: g[0])
assert [g[0] for g in got] == ["Chat", "Echo", "Fail"], got
for m, a, st in got:
    assert a["rpc.system"] == "grpc" and a["rpc.service"] == "pkg.Service", a
    code = int(a["rpc.grpc.status_code"])
    assert code == (14 if m == "Fail" else 0), a
    assert (st.get("code") == 2) == (m == "Fail"), st
    if m == "Fail":
        assert a["error.type"] == "UNAVAILABLE", a
        assert st["message"] == "backend down: 100% busy \u00e9", st
PYEOF
pass
