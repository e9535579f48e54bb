#!/bin/bash
# test_grpc_python.sh - Debian's python3-grpcio (gRPC's C core) over
# cleartext HTTP/2 (grpc.insecure_channel, prior knowledge): three unary
# calls and a server-streaming one on one channel give one record each,
# POST to /pkg.Service/Echo (x3) then /pkg.Service/Stream, HTTP/2, status
# 200, on one connection, as the server's own log has them.  gRPC's server
# sends its SETTINGS as soon as it accepts and its client reads them before
# writing its preface: the server speaks first.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_grpc
start_grpc_server
u=http://127.0.0.1:$GRPC_PORT/pkg.Service

# The premise: untraced, the client gets its answers (and the server logs
# four calls); the log is then emptied for the traced run.
"$PY" "$TESTS_DIR/grpcclient.py" "127.0.0.1:$GRPC_PORT" >"$T/plain.out" 2>"$T/plain.err" ||
	{ show "$T/plain.err"; fail "the untraced client failed"; }
printf 'echo:hi0\necho:hi1\necho:hi2\npart0 part1 part2\n' >"$T/want.out"
cmp -s "$T/plain.out" "$T/want.out" || { show "$T/plain.out"; fail "the untraced client got wrong answers"; }
[ "$(wc -l <"$T/grpc-calls.log")" = 4 ] || { show "$T/grpc-calls.log"; fail "the server did not log 4 calls"; }
: >"$T/grpc-calls.log"

rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/grpcclient.py" "127.0.0.1:$GRPC_PORT" >"$T/traced.out" 2>"$T/traced.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/traced.err"; fail "httptrace -- grpcclient.py exited $rc"; }
cmp -s "$T/traced.out" "$T/want.out" || { show "$T/traced.out"; fail "the traced client got wrong answers"; }

# The server's log and the records name the same calls, in the same order.
mapfile -t calls <"$T/grpc-calls.log"
[ "${#calls[@]}" = 4 ] || { show "$T/grpc-calls.log"; fail "the server logged ${#calls[@]} calls, not 4"; }
want_urls=""
for p in "${calls[@]}"; do
	want_urls="$want_urls'http://127.0.0.1:$GRPC_PORT$p', "
done
jcheck "$T/out.json" --count 4 \
	--expect "url == [$want_urls]" \
	--expect "url == ['$u/Echo'] * 3 + ['$u/Stream']" \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3, 4]' \
	--expect 'reused == [False, True, True, True] and nonnull(connect_ms[:1])' \
	--expect 'resp_bytes == [13, 13, 13, 30]' \
	--each "method == 'POST' and proto == 'HTTP/2' and status == 200" \
	--each "tls is False and error is None and peer == '127.0.0.1:$GRPC_PORT'" \
	--each "content_type == 'application/grpc'"
jcheck "$T/out.json" --event summary --count 1 \
	--expect 'requests == [4] and connections == [1] and errors == [0] and dropped == [0]'
pass
