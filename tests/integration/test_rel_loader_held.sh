#!/bin/bash
# test_rel_loader_held.sh - a traced program's first connect, send, recv,
# read, write, poll, fcntl, dup and close, made while two other threads
# hold the dynamic loader's locks (one inside dl_iterate_phdr, one inside
# dlopen of a library whose constructor waits for the main thread), return
# what they return untraced: the library looks each real function up at
# its first call with no call into the loader (progs/loader_held.c).  A
# lookup through the loader would wait for those threads, which wait for
# the main thread: the run would hang (`timeout` ends it and the test fails).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd cc
require_cmd timeout
cc -O1 -Wall -shared -fPIC -o "$T/libloader_held.so" \
	"$TESTS_DIR/progs/loader_held_lib.c" || fail "cc loader_held_lib.c failed"
build_prog loader_held -ldl -rdynamic

run() { # run OUT [VAR=VALUE...]
	local out=$1
	shift
	env "$@" timeout 60 "$T/loader_held" "$T" >"$out" 2>"$out.err" ||
		{ show "$out" "$out.err"; fail "the program failed or hung ($*)"; }
}
run "$T/plain.out"
grep -qx 'read 4 pong' "$T/plain.out" && grep -qx done "$T/plain.out" ||
	{ show "$T/plain.out"; fail "untraced, the program is not what the test expects"; }
run "$T/on.out" LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$T/none.sock"
cmp -s "$T/plain.out" "$T/on.out" ||
	{ show "$T/plain.out" "$T/on.out"; fail "the calls differ under tracing"; }
run "$T/off.out" LD_PRELOAD="$LIBHTTPTRACE"
cmp -s "$T/plain.out" "$T/off.out" ||
	{ show "$T/plain.out" "$T/off.out"; fail "the calls differ with the library loaded, tracing off"; }
pass
