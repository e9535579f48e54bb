#!/bin/bash
# test_deepbind.sh - a shared object loaded RTLD_DEEPBIND is traced: its
# connect/send/recv bind to libc directly, past the preloaded library,
# unless the library rebinds them after dlopen (PHP loads extensions so).
# Both ways a GOT can be: linked -z now and loaded RTLD_NOW (slots resolved,
# on read-only RELRO pages), and linked -z lazy and loaded RTLD_LAZY (PLT
# slots not yet resolved).  The program's output (the response, and what
# dlopen left for errno and dlerror) is the same traced and untraced; one
# record each, matching what nginx logged.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog deepbind -ldl
cc -O1 -Wall -shared -fPIC -Wl,-z,now -o "$T/libdeep_now.so" \
	"$TESTS_DIR/progs/deepbind_lib.c" || fail "cc deepbind_lib.c -z now failed"
cc -O1 -Wall -shared -fPIC -Wl,-z,lazy -o "$T/libdeep_lazy.so" \
	"$TESTS_DIR/progs/deepbind_lib.c" || fail "cc deepbind_lib.c -z lazy failed"
start_nginx

for v in now lazy; do
	nginx_log_mark
	run_same "$v" json "$T/deepbind" "$T/libdeep_$v.so" "$v" "$NGINX_PORT" /f/1000
	note "$v: $(tr '\n' ' ' <"$T/$v.out")"
	grep -q '^dlopen: errno kept, dlerror none$' "$T/$v.out" ||
		{ show "$T/$v.out"; fail "$v: dlopen changed errno or left a dlerror"; }
	grep -q '^HTTP/1.1 200 OK' "$T/$v.out" || { show "$T/$v.out"; fail "$v: no 200 from nginx"; }
	log=$(nginx_log_since 2)
	note "$v: nginx logged $log"
	# Two requests: the untraced run's and the traced run's.
	jcheck "$T/$v.json" --count 1 \
		--expect "[[1, 200, 1000, 'GET', '/f/1000']] * 2 == [[r[1], r[2], r[3], r[5], r[6]] for r in $log]" \
		--each "method == 'GET' and status == 200 and resp_bytes == 1000" \
		--each "url == 'http://127.0.0.1:$NGINX_PORT/f/1000' and tls is False and error is None"
done
pass
