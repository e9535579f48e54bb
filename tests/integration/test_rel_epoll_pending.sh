#!/bin/bash
# test_rel_epoll_pending.sh - an epoll loop's records may wait while they
# are young (a loaded server sends one message per 5 ms, not one per loop
# iteration), and the program's wait must stay its own.  progs/
# epoll_pending.c leaves records pending, then:
# (Both ends are the program's: a client record and a server one.)
# - mask: epoll_pwait for 100 ms with a mask that blocks SIGALRM, sent
#   2 ms in.  Untraced, the handler runs when the call returns.  The first
#   version of the hold split the wait at the records' due time: the
#   thread's own mask came back between the halves and the handler ran
#   ~5 ms into the call (a review found it).
# - zero: epoll_wait with timeout 0 and nothing ready, then a sleep
#   (asyncio's way): the records go out at that wait, not at the exit (the
#   first version held them until the process ended or was killed).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog epoll_pending

"$T/epoll_pending" mask >"$T/untraced.out" || fail "untraced run failed"
"$HTTPTRACE" -f json -o "$T/mask.json" -- "$T/epoll_pending" mask >"$T/traced.out" 2>"$T/traced.err" ||
	{ show "$T/traced.err"; fail "traced run failed"; }
for f in untraced traced; do
	"$PY" - "$T/$f.out" <<'PYEOF' || { show "$T/$f.out"; fail "$f: the blocked signal was handled inside the wait"; }
import re, sys
m = re.match(r"r=(-?\d+) handled_at=(-?\d+) returned_at=(\d+)", open(sys.argv[1]).read())
r, handled, returned = map(int, m.groups())
assert r == 0, r
assert handled >= returned - 1 and returned >= 99, (handled, returned)
PYEOF
done
jcheck "$T/mask.json" --event request --count 2 --each 'status == 200'

"$HTTPTRACE" -f events -o "$T/zero.ev" -- "$T/epoll_pending" zero "$T/waited" >"$T/zero.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_file_line "$T/zero.out" "^r=0" || { show "$T/zero.out"; fail "zero: the program did not wait"; }
# the program sleeps 30 s from here: the records must come before its end
wait_file_line "$T/zero.ev" "response_done" ||
	{ show "$T/zero.ev"; fail "zero: the records of a finished request held past an empty wait"; }
pkill -f "$T/epoll_pending zero" || true
wait "$tpid" || true
pass
