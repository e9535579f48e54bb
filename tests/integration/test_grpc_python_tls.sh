#!/bin/bash
# test_grpc_python_tls.sh - Debian's python3-grpcio over TLS
# (grpc.secure_channel trusting a certificate the test makes): the same
# four calls as test_grpc_python.sh give four records, https, tls true, a
# TLS version and the ALPN gRPC chose, tls_ms on the first.  gRPC's C core
# uses the system libssl through memory BIOs: it moves the ciphertext
# itself, and its ClientHello is written by another thread than the one
# whose SSL_do_handshake made it; with ALPN grpc-exp (not h2), the server's
# SETTINGS come before the client's preface.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_grpc
make_cert
start_grpc_server "$T/cert.pem" "$T/key.pem"
u=https://127.0.0.1:$GRPC_PORT/pkg.Service
printf 'echo:hi0\necho:hi1\necho:hi2\npart0 part1 part2\n' >"$T/want.out"

rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$TESTS_DIR/grpcclient.py" "127.0.0.1:$GRPC_PORT" "$T/cert.pem" \
	>"$T/traced.out" 2>"$T/traced.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/traced.err"; fail "httptrace -- grpcclient.py exited $rc"; }
cmp -s "$T/traced.out" "$T/want.out" || { show "$T/traced.out" "$T/traced.err"; fail "the traced client got wrong answers"; }

mapfile -t calls <"$T/grpc-calls.log"
[ "${#calls[@]}" = 4 ] || { show "$T/grpc-calls.log"; fail "the server logged ${#calls[@]} calls, not 4"; }
want_urls=""
for p in "${calls[@]}"; do
	want_urls="$want_urls'https://127.0.0.1:$GRPC_PORT$p', "
done
jcheck "$T/out.json" --count 4 \
	--expect "url == [$want_urls]" \
	--expect "url == ['$u/Echo'] * 3 + ['$u/Stream']" \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3, 4]' \
	--expect 'reused == [False, True, True, True]' \
	--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and nulls(tls_ms[1:])' \
	--expect 'resp_bytes == [13, 13, 13, 30]' \
	--each "method == 'POST' and proto == 'HTTP/2' and status == 200" \
	--each "tls is True and alpn in ('grpc-exp', 'h2') and tls_version is not None" \
	--each "error is None and peer == '127.0.0.1:$GRPC_PORT'" \
	--each "content_type == 'application/grpc'"
jcheck "$T/out.json" --event summary --count 1 \
	--expect 'requests == [4] and connections == [1] and errors == [0] and dropped == [0]'
pass
