#!/bin/bash
# test_lazy_connect.sh - a process that never speaks HTTP carries nothing
# of the library's: it has exactly the fds it has untraced (under
# `httptrace -- CMD` and in env mode with a `listen` collector), makes no
# socket(), connect() or memfd_create() call (strace), and is not counted
# among the summary's processes.  The control: a process that makes a
# request does connect to the collector, seen by the same strace.
# (A forked child that uses a connection its parent opened is still
# recorded: test_rel_fork_inherited.sh.)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
sock=$T/ht.sock

# fds.py: every open fd of the process and what it is (by kind only:
# socket, pipe, anon_inode; "file" for a file outside /dev, as its
# standard output is a file of its own in each run), except the one
# listing /proc/self/fd.
cat >"$T/fds.py" <<'PYEOF'
import os, re
for fd in sorted(int(f) for f in os.listdir("/proc/self/fd")):
    try:
        what = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        continue  # the listing's own directory fd, closed by now
    what = re.sub(r":\[\d+\]$", "", what)
    if what.startswith("/") and not what.startswith("/dev/"):
        what = "file"
    print(fd, what)
PYEOF

# Run mode.
run_same runmode json "$PY" "$T/fds.py"
jcheck "$T/runmode.json" --event summary --count 1 --each 'processes == 0'
note "untraced fds: $(tr '\n' ' ' <"$T/runmode.plain.out")"

# Env mode, with a collector listening.
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not create $sock"
traced() {
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$@"
}
traced "$PY" "$T/fds.py" >"$T/envmode.out" || fail "fds.py failed in env mode"
cmp -s "$T/runmode.plain.out" "$T/envmode.out" ||
	{ show "$T/runmode.plain.out" "$T/envmode.out"; fail "env mode: the fds differ from an untraced run"; }

# /bin/true: nothing to report, no process counted.
"$HTTPTRACE" -f json -o "$T/true.json" -- /bin/true || fail "httptrace -- /bin/true exited $?"
jcheck "$T/true.json" --event summary --count 1 --each 'processes == 0'

# No socket call from the library (strace sees every one, the program's
# own included: fds.py makes none).
if command -v strace >/dev/null 2>&1 &&
	strace -f -o "$T/probe.strace" /bin/true 2>/dev/null; then
	calls='trace=socket,connect,memfd_create'
	traced strace -f -o "$T/quiet.strace" -e "$calls" "$PY" "$T/fds.py" >/dev/null ||
		fail "fds.py failed under strace"
	if grep -E '(socket|connect|memfd_create)\(' "$T/quiet.strace" >&2; then
		fail "a process that never speaks HTTP made the calls above"
	fi
	# The control: a request connects to the collector (so strace and
	# the pattern above would see it).
	traced strace -f -o "$T/http.strace" -e "$calls" \
		"$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$SERVER_PORT/bytes/5').read()" ||
		fail "the control request failed under strace"
	grep -q 'socket(AF_UNIX, SOCK_SEQPACKET' "$T/http.strace" ||
		{ show "$T/http.strace"; fail "control: no connection to the collector seen by strace"; }
else
	note "strace missing or not permitted here: the system-call check is skipped"
fi
kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $?"
# Only the control request's process connected.
jcheck "$T/listen.json" --event summary --count 1 --each 'processes == 1 and requests == 1'
pass
