#!/bin/bash
# test_refused_accept_emfile.sh - a collector whose accept4() keeps failing
# (EMFILE all run long: progs/accept_emfile_lib.c preloaded into httptrace)
# pauses accepting; at the end the connections still pending are refused
# for want of room and said so (stderr, the JSON and text summaries), never
# a clean 0-request report with an empty stderr.  The exit status stays the
# command's.  FAILS before collector_drain() refused what is pending.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# The CLI runs with the test's LD_PRELOAD; a sanitized CLI (SANITIZE=1)
# refuses a preload before its runtime unless told that it is expected.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
require_cmd cc
start_server
cc -shared -fPIC -O1 -Wall -o "$T/emfile.so" \
	"$TESTS_DIR/progs/accept_emfile_lib.c" -ldl || fail "cc accept_emfile_lib.c failed"
u=http://127.0.0.1:$SERVER_PORT/bytes/10
rc=0
LD_PRELOAD=$T/emfile.so timeout 30 "$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o /dev/null -w '%{http_code}\n' "$u" >"$T/curl.out" 2>"$T/run.err" || rc=$?
show "$T/run.err" "$T/out.json"
[ "$rc" = 0 ] || fail "the run exited $rc"
[ "$(cat "$T/curl.out")" = 200 ] || fail "curl's output changed"
grep -q "^httptrace: refused [1-9][0-9]* process(es) for want of room" "$T/run.err" ||
	fail "the pending connection is lost unsaid on stderr"
jcheck "$T/out.json" --event summary --count 1 --each 'refused >= 1'
rc=0
# shellcheck disable=SC2016 # $1 is the inner shell's
LD_PRELOAD=$T/emfile.so timeout 30 "$HTTPTRACE" -f summary -o "$T/out.sum" -- \
	sh -c 'curl -s -o /dev/null "$1"; exit 4' sh "$u" 2>"$T/run2.err" || rc=$?
show "$T/out.sum" "$T/run2.err"
[ "$rc" = 4 ] || fail "the run exited $rc, not the command's 4"
grep -q "^  refused by the collector: [1-9][0-9]* process" "$T/out.sum" ||
	fail "the text summary does not say the refusal"
pass
