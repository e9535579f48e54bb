#!/bin/bash
# test_rel_small_stack.sh - a thread created with the smallest stack the
# program needs untraced (PTHREAD_STACK_MIN + 16 KiB, its own work fits in
# that) starts and makes keep-alive HTTP requests under tracing too: the
# library's static TLS, which glibc carves out of every thread's stack, and
# its hooks' stack use leave the thread enough room.  Every request is
# recorded; the output is the same; and the stack the thread used grows by
# at most 6 KiB under tracing (measured by painting the stack).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog smallstack
start_server
n=6

run_same small json "$T/smallstack" "$SERVER_PORT" $n
[ "$RUN_RC" = 0 ] || { show "$T/small.err"; fail "smallstack exited $RUN_RC"; }
[ ! -s "$T/small.plain.err" ] || grep -q '^stack-peak ' "$T/small.plain.err" ||
	fail "untraced run printed an error"
jcheck "$T/small.json" --count $n \
	--each 'status == 200 and error is None and method == "GET"' \
	--each "int(url.rsplit('/', 1)[1]) == resp_bytes" \
	--expect 'reused == [False] + [True] * (len(reused) - 1)' \
	--expect 'len(set(conn)) == 1'

plain=$(awk '/^stack-peak/ { print $2 }' "$T/small.plain.err")
traced=$(awk '/^stack-peak/ { print $2 }' "$T/small.err")
[ -n "$plain" ] && [ -n "$traced" ] || { show "$T/small.plain.err" "$T/small.err"; fail "no stack-peak line"; }
note "thread stack peak: untraced $plain bytes, traced $traced bytes"
[ $((traced - plain)) -le 6144 ] ||
	fail "tracing grew the thread's stack use by $((traced - plain)) bytes (untraced $plain, traced $traced)"
pass
