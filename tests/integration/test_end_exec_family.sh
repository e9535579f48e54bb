#!/bin/bash
# test_end_exec_family.sh - like test_end_exec.sh, but the image replaces
# itself through each of glibc's other exec functions (execv, execvp,
# execvpe, execl, execlp, execle, fexecve), which make the system call
# inside libc rather than through execve: each is hooked itself, so the
# request in flight is reported "exited" in phase wait_first_byte, not
# lost.  The new image (sleep 1) outlives the collector's 100 ms wait for
# an end, so only the hook's mark can tell the image left.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog exec_after_write
start_rawserver

n=0
for mode in execv execvp execvpe execl execlp execle fexecve; do
	n=$((n + 1))
	rm -f "$T/ready"
	( for _ in $(seq 200); do
		[ "$(grep -c '^stuck /stuck' "$T/rawserver.log")" -ge "$n" ] && break
		sleep 0.05
	  done; touch "$T/ready" ) &
	_PIDS+=("$!")
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$T/exec_after_write" \
		"$RAW_PORT" "$T/ready" "$mode" 2>"$T/$mode.err" ||
		{ show "$T/$mode.err"; fail "$mode: httptrace exited $?"; }
	[ "$(grep -c '^stuck /stuck' "$T/rawserver.log")" -ge "$n" ] ||
		fail "$mode: the server never had the request"
	jcheck "$T/$mode.json" --count 1 \
		--each 'method == "GET" and url.endswith("/stuck")' \
		--each 'error == "exited" and phase == "wait_first_byte" and status is None' ||
		fail "$mode: the request in flight at exec was not reported"
done
pass
