#!/bin/bash
# test_fork_child_close_unused.sh - a keep-alive client forks while it
# holds its connection (two fds name it), and its children close their
# copy without using it (both fds; sys.exit(), whose finalization closes
# it; one fd, then os._exit(); a dup of it first, then all three fds or
# os._exit(): ht_dup_fd() must not make the connection the child's): the
# connection is the parent's, which goes on using it; its close is the
# connection's end.  No event of a child's (no conn_closed of a copy with
# the parent's request count), one conn_closed, the parent's, after its
# two requests; the summary counts one connection.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server

run_same fc events "$PY" "$TESTS_DIR/forkclose.py" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/fc.err"; fail "forkclose.py exited $RUN_RC"; }
[ "$(grep -c "exited 0" "$T/fc.out")" = 5 ] || { show "$T/fc.out"; fail "a child failed"; }
show "$T/fc.json"
"$PY" - "$T/fc.json" <<'PY' || fail "a child's close of a connection it never used was reported"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
done = [e for e in ev if e["event"] == "response_done"]
pids = {e["pid"] for e in done}
closed = [(e["pid"], e["requests"]) for e in ev if e["event"] == "conn_closed"]
others = [e for e in ev if e.get("pid") not in pids and e["event"] != "summary"]
s = [e for e in ev if e["event"] == "summary"][0]
print("done:", [(e["pid"], e["req"], e["status"]) for e in done])
print("closed:", closed, "\nchildren's:", others)
ok = (len(done) == 2 and len(pids) == 1 and closed == [(done[0]["pid"], 2)]
      and not others and s["connections"] == 1 and s["requests"] == 2)
sys.exit(0 if ok else 1)
PY
pass
