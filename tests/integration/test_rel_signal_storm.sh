#!/bin/bash
# test_rel_signal_storm.sh - a program whose SIGALRM handler, firing about
# 5000 times a second, calls write(), dup(), close() and, on a tracked
# connection, getsockopt(SO_ERROR) and send(), while two threads make 200
# keep-alive requests each with raw socket calls: it finishes (no deadlock:
# a hook in a handler never waits for a lock its thread holds), its output
# is the same as untraced, and all 400 requests are recorded right.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd cc
cc -O1 -Wall -pthread -o "$T/sigstorm" "$TESTS_DIR/progs/sigstorm.c" || fail "cc failed"
start_server
n=200

timeout 60 "$T/sigstorm" "$SERVER_PORT" 2 $n >"$T/plain.out" || fail "untraced sigstorm exited $?"
rc=0
timeout -k 5 60 "$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/sigstorm" "$SERVER_PORT" 2 $n >"$T/traced.out" || rc=$?
[ "$rc" = 124 ] && fail "traced sigstorm did not finish within 60 s (deadlock?)"
[ "$rc" = 0 ] || fail "traced sigstorm exited $rc"
# (the "signals:" line says whether the timer fired 100 times before the
# run ended: timing, not output, so it is left out of the comparison)
grep -v '^signals: ' "$T/plain.out" >"$T/plain.cmp"
grep -v '^signals: ' "$T/traced.out" >"$T/traced.cmp"
cmp -s "$T/plain.cmp" "$T/traced.cmp" || { show "$T/plain.out" "$T/traced.out"; fail "output differs under tracing"; }
grep -qx 'signals: yes' "$T/traced.out" || note "the timer fired fewer than 100 times"

jcheck "$T/out.json" --count $((2 * n)) \
	--each 'status == 200 and error is None and method == "GET"' \
	--each "resp_bytes == int(url.rsplit('/', 1)[1])" \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 2'
# Per connection: requests 1..n in order, one thread's paths, reused after
# the first.
"$PY" - "$T/out.json" $n <<'PYEOF' || fail "requests recorded on the wrong connection"
import json, sys
n = int(sys.argv[2])
by = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event"] == "request":
        by.setdefault(r["conn"], []).append(r)
assert len(by) == 2, by.keys()
for c, rs in by.items():
    assert [r["req"] for r in rs] == list(range(1, n + 1)), c
    assert [r["reused"] for r in rs] == [False] + [True] * (n - 1), c
    sizes = [r["resp_bytes"] for r in rs]
    assert sizes == list(range(sizes[0], sizes[0] + n)), (c, sizes)
PYEOF
pass
