#!/bin/bash
# test_rel_dl_iterate_interposed.sh - another preloaded library that
# defines dl_iterate_phdr (as libtsan does, for every -fsanitize=thread
# program) after libhttptrace: curl over TLS still works traced and is
# traced.  The library once took the object that defined the
# dl_iterate_phdr it bound to for libc and ended its lookup scope there:
# its internal functions (dlsym, __register_atfork) came back NULL, the
# TLS hooks found no real OpenSSL function and the handshake failed,
# "curl: (35)" (a review found it with a TSan program).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
pick_named_host
start_nginx
build_prog dlip_lib -shared -fPIC -ldl
# (the collector itself runs under that LD_PRELOAD: a sanitized build's
# ASan runtime must not insist on coming first)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
cp "$T/dlip_lib" "$T/libdlip.so"
u=https://$HOST:$NGINX_TLS_PORT

LD_PRELOAD=$T/libdlip.so curl --cacert "$T/cert.pem" -s -o /dev/null -w '%{http_code}\n' \
	"$u/f/100" >"$T/untraced.out" || fail "untraced curl failed"
[ "$(cat "$T/untraced.out")" = 200 ] || fail "untraced curl: not 200"
LD_PRELOAD=$T/libdlip.so "$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl --cacert "$T/cert.pem" -s -o /dev/null -w '%{http_code}\n' "$u/f/100" \
	>"$T/traced.out" 2>"$T/traced.err" || { show "$T/traced.err"; fail "traced curl failed"; }
[ "$(cat "$T/traced.out")" = 200 ] || { show "$T/traced.out"; fail "traced curl: not 200"; }
jcheck "$T/out.json" --count 1 --each 'status == 200 and tls is True and error is None'
pass
