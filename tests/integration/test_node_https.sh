#!/bin/bash
# test_node_https.sh - Node.js HTTPS to nginx: https.get twice on a
# keepAlive agent (one connection, reused), http2.connect with two streams
# (HTTP/2, ALPN h2), and fetch() (undici) twice.  Each gives one record per
# request with the statuses and sizes nginx logged, over as many
# connections as nginx saw, and the same output and exit status as the
# untraced run.  Node moves its ciphertext itself (memory BIOs, libuv),
# so this also covers tying a session to its socket by its ClientHello.
# When Node embeds OpenSSL (no libssl.so: the official and NodeSource
# builds), the records come through inline hooks and `httptrace check`
# says so; with Debian's node (a shared libssl) through the exported hooks.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
NODE=$(command -v node || command -v nodejs || true)
[ -n "$NODE" ] || skip "node not installed"
"$HTTPTRACE" check "$NODE" >"$T/check.out" 2>&1 || { show "$T/check.out"; fail "check node exited $?"; }
if ! grep -q 'TLS: libssl' "$T/check.out"; then
	grep -q 'TLS: OpenSSL statically linked, decoded by inline hooks' "$T/check.out" ||
		{ show "$T/check.out"; fail "check does not say node's OpenSSL is hooked inline"; }
fi
start_nginx
export NODE_EXTRA_CA_CERTS=$T/cert.pem # for fetch()
JS=$TESTS_DIR/progs/node_https.js
u=https://127.0.0.1:$NGINX_TLS_PORT

for mode in get h2 fetch; do
	nginx_log_mark
	run_same "$mode" json "$NODE" "$JS" "$mode" "$u" "$T/cert.pem"
	log=$(nginx_log_since 4)
	[ "$(tr '\n' ' ' <"$T/$mode.out")" = "200 100 200 100000 " ] ||
		{ show "$T/$mode.out" "$T/$mode.err"; fail "$mode: node did not get 200 100, 200 100000"; }
	# The traced run's requests are the last two nginx logged.
	jcheck "$T/$mode.json" --count 2 \
		--expect 'len(set(pid)) == 1 and status == [200, 200] and resp_bytes == [100, 100000]' \
		--expect "[[s, b] for s, b in zip(status, resp_bytes)] == [l[2:4] for l in $log[2:]]" \
		--expect "len(set(conn)) == len({l[0] for l in $log[2:]})" \
		--expect "url == ['$u/f/100', '$u/f/100000']" \
		--expect 'tls_ms[0] is not None and tls_ms[0] > 0' \
		--each 'tls is True and method == "GET" and error is None' \
		--each 'tls_version is not None and tls_version.startswith("TLSv1.")'
done
# Nothing was refused: no "not traced" note in the summary.
jcheck "$T/get.json" --event summary --each '"not_traced" not in rec'
jcheck "$T/get.json" \
	--expect 'len(set(conn)) == 1 and reused == [False, True]' \
	--each 'proto == "HTTP/1.1" and alpn in (None, "http/1.1")'
jcheck "$T/h2.json" \
	--expect 'len(set(conn)) == 1 and reused == [False, True]' \
	--each 'proto == "HTTP/2" and alpn == "h2"'
pass
