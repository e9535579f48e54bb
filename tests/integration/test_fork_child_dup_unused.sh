#!/bin/bash
# test_fork_child_dup_unused.sh - (review of trustc: FAILS on 1e55715) a
# forked child that only dups its inherited connection's fd (no byte
# moved) and closes both fds, or _exits, tells nothing of it, as
# test_fork_child_close_unused.sh says of a child that only closes it:
# no conn_closed of the child's copy with the parent's request count.
# ht_dup_fd() locks the home with ht_home_lock(), which makes the
# connection the child's (fdtable.c).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server

run_same fd events "$PY" "$TESTS_DIR/forkdup.py" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/fd.err"; fail "forkdup.py exited $RUN_RC"; }
[ "$(grep -c "exited 0" "$T/fd.out")" = 2 ] || { show "$T/fd.out"; fail "a child failed"; }
show "$T/fd.json"
"$PY" - "$T/fd.json" <<'PY' || fail "a child's dup and close of a connection it never used was reported"
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
