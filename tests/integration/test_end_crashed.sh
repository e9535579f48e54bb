#!/bin/bash
# test_end_crashed.sh - a program of our own that writes a request, then
# dies of SIGSEGV while it waits for the answer, is reported: its request,
# with error "crashed", signal SIGSEGV, phase wait_first_byte (the server's
# own log shows it had the request).  Before the live page, nothing was.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog crash_after_write
start_rawserver

# The program crashes once the server logged the request.
( for _ in $(seq 200); do
	grep -q '^stuck /stuck' "$T/rawserver.log" && break
	sleep 0.05
  done; touch "$T/ready" ) &
_PIDS+=("$!")
rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- "$T/crash_after_write" "$RAW_PORT" \
	"$T/ready" 2>"$T/err" || rc=$?
[ "$rc" = 139 ] || { show "$T/err"; fail "httptrace exited $rc, not the crash's 139"; }
grep -q '^stuck /stuck' "$T/rawserver.log" || fail "the server never had the request"
jcheck "$T/out.json" --count 1 \
	--each 'method == "GET" and url.endswith("/stuck")' \
	--each 'error == "crashed" and signal == "SIGSEGV"' \
	--each 'phase == "wait_first_byte" and status is None'
jcheck "$T/out.json" --event summary --each 'errors == 1 and requests == 1'
pass
