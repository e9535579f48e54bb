#!/bin/bash
# test_static_openssl.sh - a program of our own linked with a static libssl
# (-l:libssl.a -l:libcrypto.a: no libssl.so, no SSL_* exported, the
# functions named only in .symtab) is traced through inline hooks: three
# keep-alive HTTPS requests to nginx on one connection give three records
# with the statuses and sizes nginx logged, TLS version and ALPN, in both
# ways of driving OpenSSL (SSL_set_fd, and memory BIOs with the program
# moving the ciphertext, as Node.js does).  Output and exit status are the
# same traced and untraced.
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
		--expect "url == ['https://localhost/f/100', 'https://localhost/f/100000', 'https://localhost/nonexistent']" \
		--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and nulls(tls_ms[1:])' \
		--each 'proto == "HTTP/1.1" and tls is True and alpn == "http/1.1"' \
		--each 'tls_version is not None and tls_version.startswith("TLSv1.")' \
		--each 'method == "GET" and error is None'
done

pass
