#!/bin/bash
# test_fork_idle_faults.sh - a fork costs no more with many idle tracked
# connections: neither the child nor the parent writes each connection's
# memory at the fork (every page written after a fork is a copy-on-write
# fault, and cost ~7 in the child and 1 in the parent per connection: 80
# ms a fork with 100 connections).  Counted in page faults (getrusage),
# not time: a fork with 200 idle connections open against one with none,
# traced, each side's extra faults under 64 (they were ~1,450 and ~200).
# An inherited connection is still followed in both processes: the
# child's request on it is a reuse under its own pid, the parent's after
# it under the parent's.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fork_faults
start_server

"$T/fork_faults" "$SERVER_PORT" 200 >"$T/plain.out" 2>&1 ||
	{ show "$T/plain.out"; fail "untraced: fork_faults failed"; }
"$HTTPTRACE" -f events -o "$T/ev.json" -- "$T/fork_faults" "$SERVER_PORT" 200 \
	>"$T/traced.out" 2>"$T/traced.err" ||
	{ show "$T/traced.out" "$T/traced.err"; fail "traced: fork_faults failed"; }
note "untraced: $(tr '\n' ' ' <"$T/plain.out")"
note "traced: $(tr '\n' ' ' <"$T/traced.out")"
child=$(awk '$1 == "child_extra" {print $2}' "$T/traced.out")
parent=$(awk '$1 == "parent_extra" {print $2}' "$T/traced.out")
{ [ -n "$child" ] && [ -n "$parent" ]; } || fail "no counts printed"
[ "$child" -lt 64 ] ||
	fail "the child of a fork with 200 idle connections faulted $child pages more than with none"
[ "$parent" -lt 64 ] ||
	fail "the parent's fork with 200 idle connections faulted $parent pages more than with none"

"$PY" - "$T/ev.json" <<'PYEOF' || fail "the inherited connection was not followed in both processes"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
done = [e for e in evs if e["event"] == "response_done"]
assert all(e["status"] == 200 and e["error"] is None for e in done), done
by = {}
for e in done:
    by.setdefault(e["resp_bytes"], []).append(e)
assert sorted((k, len(v)) for k, v in by.items()) == [(10, 200), (22, 1), (33, 1)], by.keys()
parent = {e["pid"] for e in by[10]}
assert len(parent) == 1, parent
child, last = by[22][0], by[33][0]
assert child["pid"] not in parent and last["pid"] in parent, (child, last)
# the same connection, the child's request a reuse of it
assert child["conn"] == last["conn"] and child["req"] == 2 and last["req"] == 2, (child, last)
reused = {(e["pid"], e["conn"]): e["reused"] for e in evs if e["event"] == "got_conn"}
assert reused[(child["pid"], child["conn"])] is True, reused
PYEOF
pass
