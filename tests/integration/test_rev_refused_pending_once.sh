#!/bin/bash
# test_rev_refused_pending_once.sh - (review of refusedsum, FAILS on 49da3b1)
# one process refused for want of room (epoll ENOSPC at its first
# connection) whose library's next connection (at its exit) is left pending
# because the collector is out of fds from then on (its RLIMIT_NOFILE lowered
# to its lowest free fd): refuse_pending() adds "at
# least one" for the pending connection without knowing whose it is, so one
# curl is reported as 2 processes refused.  docs/usage.md: "each process
# once".  Before the merge stderr said 1 (the JSON had no "refused").
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# The CLI runs with the test's LD_PRELOAD; a sanitized CLI (SANITIZE=1)
# refuses a preload before its runtime unless told that it is expected.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
require_cmd cc
start_server
cc -shared -fPIC -O1 -Wall -o "$T/once.so" \
	"$TESTS_DIR/progs/accept_emfile_after_one_lib.c" -ldl ||
	fail "cc accept_emfile_after_one_lib.c failed"
rc=0
LD_PRELOAD=$T/once.so timeout 30 "$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o /dev/null "http://127.0.0.1:$SERVER_PORT/bytes/10" \
	2>"$T/run.err" || rc=$?
show "$T/run.err" "$T/out.json"
[ "$rc" = 0 ] || fail "the run exited $rc"
grep -q "^httptrace: refused 1 process(es) for want of room" "$T/run.err" ||
	fail "one process refused is not counted once on stderr"
jcheck "$T/out.json" --event summary --count 1 --each 'refused == 1'
pass
