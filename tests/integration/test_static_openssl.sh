#!/bin/bash
# test_static_openssl.sh - a program of our own linked with a static libssl
# (-l:libssl.a -l:libcrypto.a: no libssl.so, no SSL_* exported, the
# functions named only in .symtab) is traced through inline hooks: three
# keep-alive HTTPS requests to nginx on one connection give three records
# with the statuses and sizes nginx logged, TLS version and ALPN, in both
# ways of driving OpenSSL (SSL_set_fd, and memory BIOs with the program
# moving the ciphertext, as Node.js does).  Output and exit status are the
# same traced and untraced, and `httptrace check` says inline hooks apply.
# A program whose SSL_read and SSL_write cannot be patched safely is left
# alone: check and the run's summary say which and why.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ "$(uname -m)" = x86_64 ] || skip "inline hooks are x86-64 only"
[ -f /usr/lib/x86_64-linux-gnu/libssl.a ] || skip "no static libssl (libssl-dev)"
build_prog static_tls -l:libssl.a -l:libcrypto.a -ldl
readelf -d "$T/static_tls" | grep -q 'libssl' && fail "static_tls links libssl.so"
start_nginx

for mode in fd bio; do
	nginx_log_mark
	run_same "$mode" json "$T/static_tls" "$mode" "$NGINX_TLS_PORT" "$T/cert.pem" \
		/f/100 /f/100000 /nonexistent
	log=$(nginx_log_since 6)
	[ "$(tr '\n' ' ' <"$T/$mode.out")" = "200 100 200 100000 404 $(sed -n 3p "$T/$mode.out" | cut -d' ' -f2) " ] ||
		{ show "$T/$mode.out"; fail "$mode: static_tls did not get 200, 200, 404"; }
	# The traced run's requests are the last three nginx logged.
	jcheck "$T/$mode.json" --count 3 \
		--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2, 3]' \
		--expect 'reused == [False, True, True]' \
		--expect 'status == [200, 200, 404]' \
		--expect "[[s, b] for s, b in zip(status, resp_bytes)] == [l[2:4] for l in $log[3:]]" \
		--expect "url == ['https://localhost:$NGINX_TLS_PORT/f/100', 'https://localhost:$NGINX_TLS_PORT/f/100000', 'https://localhost:$NGINX_TLS_PORT/nonexistent']" \
		--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and nulls(tls_ms[1:])' \
		--each 'proto == "HTTP/1.1" and tls is True and alpn == "http/1.1"' \
		--each 'tls_version is not None and tls_version.startswith("TLSv1.")' \
		--each 'method == "GET" and error is None'
done

"$HTTPTRACE" check "$T/static_tls" >"$T/check.out" 2>&1 ||
	{ show "$T/check.out"; fail "httptrace check static_tls exited $?"; }
grep -q 'TLS: OpenSSL statically linked, decoded by inline hooks' "$T/check.out" ||
	{ show "$T/check.out"; fail "check does not report inline hooks"; }

# Refused: never guessed, said by check and in the summary, program intact.
build_prog fake_ssl
"$HTTPTRACE" check "$T/fake_ssl" >"$T/fake_check.out" 2>&1 || true
grep -q 'TLS: OpenSSL linked into the program itself: not decoded.*inline hooks refused: SSL_read: the branch at +0x[0-9a-f]* lands at +0x2, inside the patched bytes; SSL_write: the instruction at +0x2 (loop, jrcxz or xbegin) cannot be moved' "$T/fake_check.out" ||
	{ show "$T/fake_check.out"; fail "check does not say why fake_ssl's OpenSSL is refused"; }
run_same fake text "$T/fake_ssl" "$NGINX_TLS_PORT"
[ "$(cat "$T/fake.out")" = "3 5" ] || { show "$T/fake.out"; fail "fake_ssl's functions misbehaved"; }
grep -q "not traced: .*fake_ssl: OpenSSL not hooked inline: SSL_read: the branch at .*; SSL_write: the instruction at +0x2 .* (1 process)" "$T/fake.json" ||
	{ show "$T/fake.json"; fail "the summary does not say why fake_ssl's OpenSSL was not hooked"; }
pass
