#!/bin/bash
# test_deepbind_ctor.sh - RTLD_DEEPBIND dlopen()s in two threads, one from a
# constructor that dlopen() runs with the loader's lock held (the object
# with the constructor loaded without RTLD_DEEPBIND, so that its dlopen()
# is ours), while the
# other rebinds what its own dlopen() loaded: the library never waits on
# the loader holding a lock of its own (a deadlock: the constructor's
# rebinding waiting for that lock, its holder for the loader's lock).
# 1000 rounds each, under timeout (a hang is the failure); the output is
# the same traced and untraced, and the GET through the object the
# constructor loaded is recorded, matching what nginx logged.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd timeout
build_prog deepbind_ctor -ldl
cc -O1 -Wall -shared -fPIC -Wl,-z,now -o "$T/libdeep_inner.so" \
	"$TESTS_DIR/progs/deepbind_lib.c" || fail "cc deepbind_lib.c failed"
cc -O1 -Wall -shared -fPIC -Wl,-z,now -o "$T/libdeep_outer.so" \
	"$TESTS_DIR/progs/deepbind_ctor_lib.c" -ldl || fail "cc deepbind_ctor_lib.c failed"
start_nginx

nginx_log_mark
run_same ctor json timeout 60 "$T/deepbind_ctor" "$T/libdeep_outer.so" \
	"$T/libdeep_inner.so" 1000 "$NGINX_PORT" /f/1000
note "$(tr '\n' ' ' <"$T/ctor.out")"
[ "$RUN_RC" = 0 ] || { show "$T/ctor.err"; fail "exit status $RUN_RC (124: hung)"; }
grep -qx 'outer 1000/1000, its constructor.s 1000/1000, loop 1000/1000' "$T/ctor.out" ||
	{ show "$T/ctor.out"; fail "a dlopen failed"; }
grep -q '^HTTP/1.1 200 OK' "$T/ctor.out" || { show "$T/ctor.out"; fail "no 200 from nginx"; }
log=$(nginx_log_since 2)
note "nginx logged $log"
jcheck "$T/ctor.json" --count 1 \
	--expect "[[1, 200, 1000, 'GET', '/f/1000']] * 2 == [[r[1], r[2], r[3], r[5], r[6]] for r in $log]" \
	--each "method == 'GET' and status == 200 and resp_bytes == 1000" \
	--each "url == 'http://127.0.0.1:$NGINX_PORT/f/1000' and error is None"
pass
