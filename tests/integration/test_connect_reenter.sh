#!/bin/bash
# test_connect_reenter.sh - the slot a blocking connect claims before its
# call (hook_connect.c) ends when the thread connects again, not only when
# the socket is closed: 32 blocking connects abandoned by siglongjmp from
# SIGALRM, their sockets left open, each followed by the next connect from
# the same place; then one more that hangs.  `status` shows that one
# opening, not 33 (fba03e0: the 32 abandoned slots stayed "connecting",
# filled the page, and the hanging one was neither shown nor reported);
# killed, 33 connect_error, none lasting the process's life.  And a
# connect made by a signal handler that interrupted a blocking connect
# (nested: deeper in the stack) does not end the one it interrupted: both
# shown opening, both reported when the process is killed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_abandon
start_fullbacklog
sock=$T/ht.sock
start_status_listen "$sock"
lpid=$LPID
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_abandon" reenter "$FULL_PORT" 32 >"$T/prog.out" &
ppid=$!
_PIDS+=("$ppid")
wait_file_line "$T/prog.out" '^connecting$' || { show "$T/prog.out"; fail "the program did not get to its last connect"; }
sleep 0.3
"$HTTPTRACE" status -s "$sock" >"$T/status.txt" || fail "status failed"
grep -qE "^0 requests in flight, 1 connection opening$" "$T/status.txt" ||
	{ show "$T/status.txt"; fail "status: not the one connection opening"; }
kill -KILL "$ppid"
wait "$ppid" 2>/dev/null || true
wait_status "$sock" "^0 requests in flight$" "$T/after.txt"

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_abandon" nested "$FULL_PORT" >"$T/nested.out" &
ppid=$!
_PIDS+=("$ppid")
wait_file_line "$T/nested.out" '^connecting$' || { show "$T/nested.out"; fail "the handler did not connect"; }
grep -qx 'nested 115' "$T/nested.out" || { show "$T/nested.out"; fail "the handler's connect: not EINPROGRESS"; }
sleep 0.3
"$HTTPTRACE" status -s "$sock" >"$T/nstatus.txt" || fail "status failed"
grep -qE "^0 requests in flight, 2 connections opening$" "$T/nstatus.txt" ||
	{ show "$T/nstatus.txt"; fail "status: not both connections opening"; }
kill -KILL "$ppid"
wait "$ppid" 2>/dev/null || true
wait_status "$sock" "^0 requests in flight$" "$T/nafter.txt"
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
jcheck "$T/out.json" --event connect_error \
	--count 35 \
	--each 'connect_ms < 1500'
pass
