#!/bin/bash
# test_drops_inflight_restart.sh - a `listen` collector stops (SIGTERM)
# while a traced client has a request in flight: the collector reports it
# from the client's live page ("tracing stopped while the process ran").
# The request's own record, made when it ends, after the collector is
# gone, is that collector's: the next collector at the path must not count
# it among the records lost while none listened (it was counted twice:
# reported by the first, dropped by the second).
#
# The bound asserted is the one of test_drops_collector_restart.sh: every
# record reported (requests, the first collector's from the page among
# them, and connection closes, by both collectors) plus every record
# counted dropped (by both) is at most what the client produced.
#
# No timing threshold: each step waits (bounded polls) for the event the
# next one needs; the slow request is seen in flight (`httptrace status`)
# before the collector is stopped, and it takes seconds more.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
# shellcheck source=drops_restart.sh
. "$TESTS_DIR/drops_restart.sh"
drops_restart_run slow
PYTHONPATH=$TESTS_DIR "$PY" - "$T/out1.json" "$T/out2.json" "$T/ev1" "$T/ev2" "$(requests_made)" "$cpid" <<'PYEOF' ||
import sys
from drops_records import closes, restart_run
r1, r2, e1, e2, s1, s2, made, pid = restart_run(sys.argv[1:])
d1, d2 = s1["dropped"], s2["dropped"]
cut = [r for r in r1 if r["url"].endswith("/delay/4000")]
assert len(cut) == 1 and cut[0]["ended"] == "tracing stopped while the process ran", \
    "collector 1 did not report the slow request in flight: %r" % cut
assert not [r for r in r2 if r["url"].endswith("/delay/4000")], \
    "the slow request reached collector 2"
assert all(r["pid"] == pid for r in r1 + r2), "not the client's records"
assert r2, "collector 2 got no request"
assert d2 >= 1, "collector 2 was not told the records lost meanwhile"
assert s2["malformed"] == 0 and s1["malformed"] == 0
received = len(r1) + len(r2) + closes(e1) + closes(e2)
assert received + d1 + d2 <= made + 1, "more records counted than the client produced"
PYEOF
	fail "the slow request cut by the first collector's end is counted twice"
pass
