#!/bin/bash
# test_fork_shared_inflight.sh - a process forks while a request is in
# flight on a connection: both processes hold it, and neither can know
# which reads which answer.  The requests in flight at the fork, and the
# later ones on that connection, are counted as not followed in both
# processes (HT_ERR_SHARED); never paired with an answer the server sent
# for another target, never lost, never "closed before any response".
# The server's own log (seqserver.py: status 200+N for the Nth request on a
# connection) is the oracle.  A connection idle at the fork is still
# followed in both (the child's request a reuse).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fork_shared
start_py seqserver.py "$T/seq0.err" "$T/seq0.log" 0
PORT0=$PY_PORT
start_py seqserver.py "$T/seq1.err" "$T/seq1.log" 0.5
PORT1=$PY_PORT

# check JSON SERVERLOG NOT_FOLLOWED: every request the server answered on
# this run has one record; a record's status, if any, is the one the
# server sent for its target; the summary counts NOT_FOLLOWED not
# followed, no error.
check() {
	"$PY" - "$@" <<'PYEOF' || { show "$1" "$2"; fail "wrong records in ${1##*/}"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sent = {}
for line in open(sys.argv[2]):
    path, status = line.split()
    sent[path] = int(status)
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
got = sorted("/" + r["url"].split("/", 3)[3] for r in reqs)
assert got == sorted(sent), ("records", got, "server answered", sent)
for r in reqs:
    path = "/" + r["url"].split("/", 3)[3]
    assert r["status"] in (None, sent[path]), ("paired wrong", r)
    assert r["status"] is not None or "not followed" in (r["error"] or ""), r
assert summ.get("not_followed", 0) == int(sys.argv[3]), summ
assert summ["errors"] == 0, summ
PYEOF
}

# a) /A-parent in flight at the fork, /B-child written by the child on it.
: >"$T/seq0.log"
"$HTTPTRACE" -f json -o "$T/pair.json" -- "$T/fork_shared" pair "$PORT0" ||
	fail "fork_shared pair failed"
check "$T/pair.json" "$T/seq0.log" 2

# b, c) the parent forks with /handoff in flight, closes its copy; the
# child reads the answer; the parent waits, exits, or is killed.
# readkill: the parent keeps its copy open and is killed once the child
# read the answer: the request still in its live page is reported from
# there not followed (HT_RF_SHARED), never cut by the kill.
for mode in wait exit kill readkill; do
	: >"$T/seq1.log"
	rc=0
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$T/fork_shared" "$mode" "$PORT1" || rc=$?
	case $mode in *kill) ;; *) [ "$rc" = 0 ] ;; esac || fail "fork_shared $mode exited $rc"
	check "$T/$mode.json" "$T/seq1.log" 1
	! grep -q 'before any response\|killed' "$T/$mode.json" ||
		fail "$mode: the shared request reported as failed"
done

# The connection idle at the fork: every request followed, the child's and
# the parent's later one reuses.
: >"$T/seq0.log"
"$HTTPTRACE" -f json -o "$T/idle.json" -- "$T/fork_shared" idle "$PORT0" ||
	fail "fork_shared idle failed"
check "$T/idle.json" "$T/seq0.log" 0
jcheck "$T/idle.json" --event request --count 3 \
	--each 'status is not None and error is None' \
	--expect 'sorted(reused) == [False, True, True]' \
	--expect 'len(set(pid)) == 2'
pass
