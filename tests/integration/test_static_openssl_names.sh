#!/bin/bash
# test_static_openssl_names.sh - a program linked with a static libssl is
# hooked inline however its file is found at start: the library reads the
# program's section headers through the name it was executed by when that
# file is the program's own (the same ELF header and notes, a build ID
# among them, as in memory), else through /proc/self/exe.  Traced: the
# program built without a build ID (the name not trusted), run by a
# relative name from its own directory, and run through a symbolic link;
# each request recorded with its status, the output as untraced.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ "$(uname -m)" = x86_64 ] || skip "inline hooks are x86-64 only"
[ -f /usr/lib/x86_64-linux-gnu/libssl.a ] || skip "no static libssl (libssl-dev)"
build_prog static_tls -l:libssl.a -l:libcrypto.a -ldl
readelf -n "$T/static_tls" | grep -q 'Build ID' || skip "the compiler writes no build ID"
cp "$T/static_tls" "$T/with_id"
build_prog static_tls -l:libssl.a -l:libcrypto.a -ldl -Wl,--build-id=none
readelf -n "$T/static_tls" | grep -q 'Build ID' && fail "--build-id=none left a build ID"
mv "$T/static_tls" "$T/no_id"
mkdir "$T/links"
ln -s ../with_id "$T/links/linked"
start_nginx

check_run() { # check_run NAME: the run's three requests, as nginx answered them
	[ "$(cut -d' ' -f1 "$T/$1.out" | tr '\n' ' ')" = "200 200 404 " ] ||
		{ show "$T/$1.out"; fail "$1: did not get 200, 200, 404"; }
	jcheck "$T/$1.json" --count 3 \
		--expect 'status == [200, 200, 404]' \
		--expect "url == ['https://localhost:$NGINX_TLS_PORT/f/100', 'https://localhost:$NGINX_TLS_PORT/f/1000', 'https://localhost:$NGINX_TLS_PORT/nonexistent']" \
		--each 'tls is True and method == "GET" and error is None'
}
args=(fd "$NGINX_TLS_PORT" "$T/cert.pem" /f/100 /f/1000 /nonexistent)
run_same no_id json "$T/no_id" "${args[@]}"
check_run no_id
(cd "$T" && run_same relative json ./with_id "${args[@]}") || exit 1
check_run relative
run_same linked json "$T/links/linked" "${args[@]}"
check_run linked
pass
