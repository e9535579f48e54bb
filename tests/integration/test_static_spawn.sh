#!/bin/bash
# test_static_spawn.sh - a traced program starts a statically linked one
# by posix_spawn (Python's subprocess.Popen with close_fds=False, whose
# _USE_POSIX_SPAWN path calls os.posix_spawn; os.posix_spawnp through
# PATH): glibc's child makes the execve system call inside libc, where no
# exec hook sees it.  The request reaches the server, the report has none,
# and the summary has the "not traced" note, counted once for each child
# (test_static_exec.sh for the exec family).  A dynamic program spawned
# the same way: no note, its request traced.  Before, no note: the summary
# read clean.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
cc -static -O1 -o "$T/fdfill" "$TESTS_DIR/progs/fdfill.c" 2>"$T/cc.err" ||
	skip "no static libc here (cc -static failed)"
mkdir "$T/dyn"
cc -O1 -o "$T/dyn/fdfill" "$TESTS_DIR/progs/fdfill.c" 2>"$T/cc.err" || { show "$T/cc.err"; fail "cc failed"; }
start_server 127.0.0.1 --log "$T/served.log"
note_ok="'$T/fdfill: statically linked: LD_PRELOAD does not apply'"

# Python's own choice: posix_spawn only when it may (a path with a
# directory, close_fds=False, no cwd, ...): the script says which it used.
cat >"$T/popen.py" <<'PY'
import subprocess, sys
for _ in range(int(sys.argv[3])):
    p = subprocess.Popen([sys.argv[1], sys.argv[2]], close_fds=False,
                         stdout=subprocess.DEVNULL)
    if p.wait() != 0:
        sys.exit("child exited %d" % p.returncode)
print("spawned")
PY
"$PY" -c 'import subprocess; assert subprocess._USE_POSIX_SPAWN' 2>/dev/null ||
	skip "this Python's subprocess does not use posix_spawn"

# Two children by Popen: the note, for 2 processes.
"$HTTPTRACE" -f json -o "$T/popen.json" -- "$PY" "$T/popen.py" "$T/fdfill" "$SERVER_PORT" 2 \
	>"$T/popen.out" 2>"$T/popen.err" || { show "$T/popen.err"; fail "Popen: httptrace exited $?"; }
grep -qx spawned "$T/popen.out" || { show "$T/popen.out" "$T/popen.err"; fail "Popen: the script did not run its children"; }
[ "$(grep -c ' GET /bytes/5 200 5$' "$T/served.log")" = 2 ] ||
	{ show "$T/served.log"; fail "Popen: the server did not have the two requests"; }
jcheck "$T/popen.json" --count 0
jcheck "$T/popen.json" --event summary \
	--each "any(n['text'] == $note_ok and n['processes'] == 2 for n in not_traced)"

# os.posix_spawnp, found in PATH: the same note, with the path found.
"$HTTPTRACE" -f json -o "$T/spawnp.json" -- env PATH="$T:/usr/bin:/bin" "$PY" -c '
import os, sys
pid = os.posix_spawnp("fdfill", ["fdfill", sys.argv[1]], os.environ)
_, st = os.waitpid(pid, 0)
print("exit", os.waitstatus_to_exitcode(st))' "$SERVER_PORT" \
	>"$T/spawnp.out" 2>"$T/spawnp.err" || { show "$T/spawnp.err"; fail "posix_spawnp: httptrace exited $?"; }
grep -qx 'exit 0' "$T/spawnp.out" || { show "$T/spawnp.out" "$T/spawnp.err"; fail "posix_spawnp: the child failed"; }
[ "$(grep -c ' GET /bytes/5 200 5$' "$T/served.log")" = 3 ] ||
	{ show "$T/served.log"; fail "posix_spawnp: the server did not have the request"; }
jcheck "$T/spawnp.json" --count 0
jcheck "$T/spawnp.json" --event summary \
	--each "any(n['text'] == $note_ok and n['processes'] == 1 for n in not_traced)"

# A dynamic program spawned so: traced, no note.
"$HTTPTRACE" -f json -o "$T/dyn.json" -- "$PY" "$T/popen.py" "$T/dyn/fdfill" "$SERVER_PORT" 1 \
	>"$T/dyn.out" 2>"$T/dyn.err" || { show "$T/dyn.err"; fail "dynamic: httptrace exited $?"; }
[ "$(grep -c ' GET /bytes/5 200 5$' "$T/served.log")" = 4 ] ||
	{ show "$T/served.log"; fail "dynamic: the server did not have the request"; }
jcheck "$T/dyn.json" --count 1 --each 'status == 200'
jcheck "$T/dyn.json" --event summary --each '"not_traced" not in rec'

# A spawn that fails (no such file): the same error as untraced, no note.
cat >"$T/fail.py" <<'PY'
import os
try:
    os.posix_spawn("/nonexistent/fdfill", ["x"], os.environ)
except OSError as e:
    print("error", e.errno)
PY
"$PY" "$T/fail.py" >"$T/fail.plain" 2>&1
"$HTTPTRACE" -f json -o "$T/fail.json" -- "$PY" "$T/fail.py" >"$T/fail.out" 2>"$T/fail.err" ||
	{ show "$T/fail.err"; fail "failed spawn: httptrace exited $?"; }
cmp -s "$T/fail.plain" "$T/fail.out" || { show "$T/fail.plain" "$T/fail.out"; fail "failed spawn: another outcome traced"; }
jcheck "$T/fail.json" --event summary --each '"not_traced" not in rec'
pass
