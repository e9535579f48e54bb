#!/bin/bash
# test_end_exec_family.sh - like test_end_exec.sh, but the image replaces
# itself through each of glibc's other exec functions (execv, execvp,
# execvpe, execl, execlp, execle, fexecve), which make the system call
# inside libc rather than through execve: each is hooked itself, so the
# request in flight is reported "exited" in phase wait_first_byte, not
# lost.  The new image (sleep 1) outlives the collector's 100 ms wait for
# an end, so only the hook's mark can tell the image left.
#
# The seven runs are traced at once, not one after the other (seven
# seconds of sleep 1): each has its own request path (/stuck/MODE), its
# own collector, output, ready file and exit status file; the server
# answers each connection on a thread of its own.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog exec_after_write
start_rawserver

modes="execv execvp execvpe execl execlp execle fexecve"
runs=()
for mode in $modes; do
	# the ready file, once the server logged this run's request
	( for _ in $(seq 200); do
		grep -qx "stuck /stuck/$mode" "$T/rawserver.log" && break
		sleep 0.05
	  done; touch "$T/ready-$mode" ) &
	_PIDS+=("$!")
	( rc=0
	  "$HTTPTRACE" -f json -o "$T/$mode.json" -- "$T/exec_after_write" \
		"$RAW_PORT" "$T/ready-$mode" "$mode" 2>"$T/$mode.err" || rc=$?
	  echo "$rc" >"$T/$mode.rc" ) &
	runs+=("$!")
	_PIDS+=("$!")
done
for p in "${runs[@]}"; do
	wait "$p" || true
done
for mode in $modes; do
	[ "$(cat "$T/$mode.rc" 2>/dev/null)" = 0 ] ||
		{ show "$T/$mode.err"; fail "$mode: httptrace exited $(cat "$T/$mode.rc" 2>/dev/null)"; }
	grep -qx "stuck /stuck/$mode" "$T/rawserver.log" ||
		{ show "$T/$mode.err" "$T/$mode.json" "$T/rawserver.log"; fail "$mode: the server never had the request"; }
	jcheck "$T/$mode.json" --count 1 \
		--each "method == 'GET' and url.endswith('/stuck/$mode')" \
		--each 'error == "exited" and phase == "wait_first_byte" and status is None' ||
		fail "$mode: the request in flight at exec was not reported"
done
pass
