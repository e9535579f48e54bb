#!/bin/bash
# test_cpython_subprocess.sh - CPython's own subprocess tests that list a
# child's fds pass traced as untraced: test_pass_fds_redirected (the child
# must have exactly 0, 1, 2 and the fds passed) and
# test_close_fds_when_max_fd_is_lowered (no fd left open under a lowered
# limit).  Both once failed because the library kept a socket in every
# process, HTTP or not.  Run mode and env mode (a `listen` collector).
# Needs Debian's libpython3.11-testsuite (scripts/install-deps.sh).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
"$PY" -c 'import test.test_subprocess' 2>/dev/null ||
	skip "CPython's test suite is not installed (libpython3.11-testsuite)"
sock=$T/ht.sock
tests=(test.test_subprocess.POSIXProcessTestCase.test_pass_fds_redirected
	test.test_subprocess.POSIXProcessTestCase.test_close_fds_when_max_fd_is_lowered)

# unittest -v names each test with its verdict on standard error.
"$PY" -m unittest -v "${tests[@]}" >"$T/plain.out" 2>"$T/plain.err" ||
	{ show "$T/plain.err"; fail "the tests fail untraced: nothing to compare with"; }
[ "$(grep -c ' \.\.\. ok$' "$T/plain.err")" = 2 ] ||
	{ show "$T/plain.err"; fail "untraced: not 2 tests run and passed"; }

"$HTTPTRACE" -f json -o "$T/run.json" -- "$PY" -m unittest -v "${tests[@]}" \
	>"$T/run.out" 2>"$T/run.err" ||
	{ show "$T/run.err"; fail "run mode: CPython's tests fail traced"; }
[ "$(grep -c ' \.\.\. ok$' "$T/run.err")" = 2 ] ||
	{ show "$T/run.err"; fail "run mode: not 2 tests passed"; }

"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not create $sock"
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$PY" -m unittest -v "${tests[@]}" \
	>"$T/env.out" 2>"$T/env.err" ||
	{ show "$T/env.err"; fail "env mode: CPython's tests fail traced"; }
[ "$(grep -c ' \.\.\. ok$' "$T/env.err")" = 2 ] ||
	{ show "$T/env.err"; fail "env mode: not 2 tests passed"; }
kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $?"
pass
