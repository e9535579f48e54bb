#!/bin/bash
# test_connect_cancelled.sh - the slot a blocking connect claims before its
# call (hook_connect.c) ends when its thread exits inside the call: 32
# threads, each cancelled (pthread_cancel) in a blocking connect, their
# sockets left open, then one more connect that hangs.  `status` shows
# that one opening, not 33 (fba03e0: the 32 slots stayed "connecting",
# filled the page, and the hanging one was neither shown nor reported);
# killed, 33 connect_error, none lasting the process's life.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_abandon
start_fullbacklog
sock=$T/ht.sock
start_status_listen "$sock"
lpid=$LPID
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_abandon" cancel "$FULL_PORT" 32 >"$T/prog.out" &
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
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
jcheck "$T/out.json" --event connect_error --count 33 \
	--each 'connect_ms < 1500'
pass
