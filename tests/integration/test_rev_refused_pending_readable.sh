#!/bin/bash
# test_rev_refused_pending_readable.sh - (review of refusedsum, FAILS on
# 49da3b1 and before it) connections left pending while accept4 failed,
# from processes that have exited, whose records wait whole in their
# sockets: when accept4 works again at collector_drain()'s end
# (refuse_pending()), they are read and reported, not closed unread and
# counted refused.  progs/accept_emfile_flaky_lib.c makes accept4 fail in
# accept_all() and work in refuse_pending().
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# The CLI runs with the test's LD_PRELOAD; a sanitized CLI (SANITIZE=1)
# refuses a preload before its runtime unless told that it is expected.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
require_cmd cc
start_server
cc -shared -fPIC -O1 -Wall -o "$T/flaky.so" \
	"$TESTS_DIR/progs/accept_emfile_flaky_lib.c" -ldl ||
	fail "cc accept_emfile_flaky_lib.c failed"
rc=0
# shellcheck disable=SC2016 # $1 is the inner shell's
LD_PRELOAD=$T/flaky.so timeout 60 "$HTTPTRACE" -f json -o "$T/out.json" -- \
	sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null "$1/bytes/$i"; done' \
	sh "http://127.0.0.1:$SERVER_PORT" 2>"$T/run.err" || rc=$?
show "$T/run.err" "$T/out.json"
[ "$rc" = 0 ] || fail "the run exited $rc"
jcheck "$T/out.json" --event summary --count 1 --each 'requests == 10' \
	--each 'refused == 0'
pass
