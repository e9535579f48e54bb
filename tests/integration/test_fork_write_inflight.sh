#!/bin/bash
# test_fork_write_inflight.sh - review rev-fork: a fork while another thread's
# write of a request is in flight (its bytes not fed yet: conn_in_flight()
# false, but s->writing 1).  The child then writes /B and reads the answer
# the server sent for /A; the parent reads the one for /B.  Each request is
# either paired with the status the server logged for it or not followed
# (HT_ERR_SHARED); never paired with the other's (main a7ba96d: GET /B
# status 201, POST /A status 202, summary clean).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fork_write_inflight
start_py bodyseqserver.py "$T/srv.err" "$T/srv.log"
sleep 1.2 # the readiness probe's connection is held 1 s by the server
: >"$T/srv.log"
"$HTTPTRACE" -f json -o "$T/w.json" -- "$T/fork_write_inflight" "$PY_PORT" ||
	fail "fork_write_inflight failed"
"$PY" - "$T/w.json" "$T/srv.log" <<'PYEOF' || { show "$T/w.json" "$T/srv.log"; fail "wrong records"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sent = dict((p, int(s)) for p, s in (l.split() for l in open(sys.argv[2])))
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
got = sorted("/" + r["url"].split("/", 3)[3] for r in reqs)
assert got == sorted(sent), ("records", got, "server answered", sent)
for r in reqs:
    path = "/" + r["url"].split("/", 3)[3]
    assert r["status"] in (None, sent[path]), ("paired wrong", r)
    assert r["status"] is not None or "not followed" in (r["error"] or ""), r
assert summ["errors"] == 0, summ
PYEOF
pass
