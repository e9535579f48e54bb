#!/bin/bash
# test_fcntl_early.sh - fcntl() called from another library's constructor,
# before libhttptrace.so's own ran, is libc's fcntl: F_GETOWN of a socket
# owned by a process group reads back the negative group id with errno
# untouched, traced as untraced.  (A raw F_GETOWN system call, which the
# hook once made when it had not resolved fcntl yet, returns a group below
# 4096 as -1 with errno set: a fresh pid namespace gives small ids.)
# Skipped where `unshare --pid --fork` is not allowed (it needs root or
# user namespaces).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd cc
require_cmd unshare
unshare --pid --fork true 2>/dev/null || skip "unshare --pid --fork not allowed here"
cc -O1 -Wall -shared -fPIC -o "$T/libearly_fcntl.so" \
	"$TESTS_DIR/progs/early_fcntl_lib.c" || fail "cc early_fcntl_lib.c failed"
build_prog early_fcntl -L"$T" -Wl,-rpath,"$T" -Wl,--no-as-needed -learly_fcntl

# The program's own process group is its pid: small in a new namespace.
run_ns() { # run_ns OUT [VAR=VALUE...]: the program in a pid namespace
	local out=$1
	shift
	env "$@" unshare --pid --fork "$T/early_fcntl" >"$out" 2>"$out.err" ||
		{ show "$out.err"; fail "the program failed ($*)"; }
}
run_ns "$T/plain.out"
printf 'early ok\nmain ok\n' | cmp -s - "$T/plain.out" ||
	{ show "$T/plain.out"; fail "untraced, F_GETOWN is not what the test expects"; }
run_ns "$T/traced.out" LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$T/none.sock"
cmp -s "$T/plain.out" "$T/traced.out" ||
	{ show "$T/plain.out" "$T/traced.out"; fail "fcntl differs under tracing"; }
run_ns "$T/off.out" LD_PRELOAD="$LIBHTTPTRACE"
cmp -s "$T/plain.out" "$T/off.out" ||
	{ show "$T/plain.out" "$T/off.out"; fail "fcntl differs with the library loaded, tracing off"; }
pass
