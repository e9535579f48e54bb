#!/bin/bash
# test_rel_fork_inherited.sh - a process forks while it holds a tracked
# keep-alive connection: the child's request on the inherited connection
# is recorded under the child's pid as a reuse, the parent's requests
# before and after under the parent's, each numbered on its own side, and
# both close the connection (conn_closed per process).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same fork events "$T/procs" fork "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "procs fork exited $RUN_RC"
grep -qx 'child exited 0' "$T/fork.out" || fail "the child failed"

jcheck "$T/fork.json" --event response_done --count 3 \
	--expect 'sorted(resp_bytes) == [11, 22, 33]' \
	--each 'status == 200 and error is None and conn == 1' \
	--expect 'len(set(pid)) == 2' \
	--expect "[p for p, b in zip(pid, resp_bytes) if b == 11] == [p for p, b in zip(pid, resp_bytes) if b == 33]" \
	--expect "[q for q, b in zip(req, resp_bytes) if b in (11, 22, 33)] == [1, 2, 2]"
jcheck "$T/fork.json" --event got_conn --count 3 \
	--expect 'reused == [False, True, True]'
# The child's request (22 bytes) is under a pid of its own.
"$PY" - "$T/fork.json" <<'PYEOF' || fail "the child's request is not attributed to the child"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
done = {e["resp_bytes"]: e for e in evs if e["event"] == "response_done"}
parent, child = done[11]["pid"], done[22]["pid"]
assert parent != child and done[33]["pid"] == parent, done
closed = sorted((e["pid"], e["requests"]) for e in evs if e["event"] == "conn_closed")
assert closed == sorted([(parent, 2), (child, 2)]), closed
PYEOF
pass
