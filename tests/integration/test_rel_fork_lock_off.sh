#!/bin/bash
# test_rel_fork_lock_off.sh - a threaded program forks while a thread
# writes on a followed connection after tracing turned itself off (nobody
# listens at HTTPTRACE_SOCKET; the Unix socket's first bytes looked like
# HTTP, so it stays in the fd table): each child's write on that
# connection returns, as untraced.  The child used to spin forever on the
# slot lock the parent's writer held at fork, which is released only
# while tracing is on.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fork_lock

"$T/fork_lock" "$T/plain.sock" >"$T/plain.out" 2>&1 ||
	{ show "$T/plain.out"; fail "untraced: exit status $?"; }
rc=0
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$T/nobody.sock \
	"$T/fork_lock" "$T/traced.sock" >"$T/traced.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { show "$T/traced.out"; fail "traced: exit status $rc (a child hung in write)"; }
cmp -s "$T/plain.out" "$T/traced.out" ||
	{ show "$T/plain.out" "$T/traced.out"; fail "output differs under tracing"; }
pass
