#!/bin/bash
# test_exec_fifo.sh - a traced program that tries to exec a FIFO (with an
# execute bit) while a writer waits in its open: the kernel refuses the
# exec (EACCES) without opening the FIFO, so the writer stays blocked; the
# exec hooks' static check must not open it either (a stat first: only a
# regular file is opened).  Before, its O_RDONLY|O_NONBLOCK open released
# the writer, which then met a closed pipe (SIGPIPE/EPIPE).  Untraced
# first, as the reference; the writer's state is the kernel's
# (/proc/PID/wchan: wait_for_partner while blocked in a FIFO's open).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

mkfifo "$T/p"
chmod +x "$T/p"
cat >"$T/try.py" <<'EOF'
import os, sys
try:
    os.execv(sys.argv[1], [sys.argv[1]])
except OSError as e:
    print("errno", e.errno)
EOF

# A writer blocked in the FIFO's open (then, once released, asleep).
start_writer() {
	"$PY" -c 'import os, sys, time
os.open(sys.argv[1], os.O_WRONLY)
time.sleep(1000)' "$T/p" &
	W=$!
	_PIDS+=("$W")
	local i
	for i in $(seq 200); do
		[ "$(cat "/proc/$W/wchan" 2>/dev/null)" = wait_for_partner ] && return 0
		sleep 0.05
	done
	skip "the writer is not seen blocked in the FIFO's open (no /proc/PID/wchan here?)"
}

for mode in untraced traced; do
	start_writer
	if [ "$mode" = untraced ]; then
		"$PY" "$T/try.py" "$T/p" >"$T/$mode.out" 2>"$T/$mode.err"
	else
		"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$PY" "$T/try.py" "$T/p" \
			>"$T/$mode.out" 2>"$T/$mode.err" || { show "$T/$mode.err"; fail "$mode: httptrace exited $?"; }
	fi
	[ "$(cat "$T/$mode.out")" = "errno 13" ] ||
		{ show "$T/$mode.out"; show "$T/$mode.err"; fail "$mode: exec of the FIFO did not fail with EACCES"; }
	w=$(cat "/proc/$W/wchan" 2>/dev/null || echo gone)
	[ "$w" = wait_for_partner ] ||
		fail "$mode: the writer left the FIFO's open (now in $w): something opened the FIFO"
	kill "$W"
	wait "$W" 2>/dev/null || true
done
pass
