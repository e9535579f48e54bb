#!/bin/bash
# test_connect_abandoned.sh (from the review of connkill, rev-connkill 9f6e039; failed on fba03e0) -
# a blocking connect abandoned by siglongjmp out of a SIGALRM handler (the
# classic connect timeout), its socket then closed, leaves nothing shown:
# the slot ht_connect_before() claimed before the call is never released
# (the hook never returns), so `status` shows every abandoned attempt
# "connecting" for the rest of the process (growing, after the socket is
# closed), the 32 slots of the page run out, the next hanging connect is
# neither shown nor reported when the process is killed, and the
# abandoned ones are reported at the end as connections cut short with
# the whole process life as their connect time.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_abandon
start_fullbacklog
sock=$T/ht.sock
start_status_listen "$sock"
lpid=$LPID
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_abandon" longjmp "$FULL_PORT" 32 >"$T/prog.out" &
ppid=$!
_PIDS+=("$ppid")
wait_file_line "$T/prog.out" '^connecting$' || { show "$T/prog.out"; fail "the program did not get to its last connect"; }
sleep 0.3
"$HTTPTRACE" status -s "$sock" >"$T/status.txt" || fail "status failed"
# the one connect under way, not the 32 abandoned (their sockets closed)
grep -qE "^0 requests in flight, 1 connection opening$" "$T/status.txt" ||
	{ show "$T/status.txt"; fail "status: not the one connection opening"; }
kill -KILL "$ppid"
wait "$ppid" 2>/dev/null || true
wait_status "$sock" "^0 requests in flight$" "$T/after.txt"
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
# the connect the process was killed in is reported; no connect lasted
# 1.5 s (each abandoned one 0.1 s, the last one ~0.3 s)
jcheck "$T/out.json" --event connect_error \
	--expect "33 in conn" \
	--each 'connect_ms < 1500'
pass
