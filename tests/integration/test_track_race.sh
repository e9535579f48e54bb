#!/bin/bash
# test_track_race.sh - another thread's dup2 onto the fd a connect is
# opening (progs/track_race.c: the dup2 is made as soon as the handshake
# is done, while the connect hook may still be publishing the new
# connection).  Review 10: the hook overwrote the dup2's link of the fd to
# the other connection, which then never ended (no close record, its
# requests on the fd fed to the new connection, the one the dup2 closed).
# Every request the server logged is recorded once, without error, and
# the two requests of a round (one on each fd) are on one traced
# connection, as they are on one server connection; the summary counts
# no request lost or not followed.  A race: each run makes ROUNDS tries
# and asserts only what holds whichever way each try went.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog track_race -I"$TESTS_DIR/progs"
start_server 127.0.0.1 --log "$T/srv.log"

rounds=300
rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/track_race" "$SERVER_PORT" "$rounds" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
[ "$rc" = 0 ] || { show "$T/out.txt" "$T/err.txt"; fail "the program exited $rc"; }
[ "$(grep -c ' 200 ' "$T/out.txt")" = $((2 * rounds)) ] ||
	{ show "$T/out.txt"; fail "the program's requests did not all succeed"; }

# assertion every_request_on_its_connection
"$PY" - "$T/out.json" "$T/srv.log" "$rounds" <<'PY' || fail "records do not match the server's log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r.get("event") == "request"]
summ = [r for r in recs if r.get("event") == "summary"][-1]
srv = [l.split() for l in open(sys.argv[2])]
rounds = int(sys.argv[3])
bad = []
if len(srv) != 2 * rounds:
    bad.append("the server logged %d requests, not %d" % (len(srv), 2 * rounds))
if len(reqs) != len(srv):
    bad.append("%d records, the server answered %d" % (len(reqs), len(srv)))
for r in reqs:
    if r.get("status") != 200 or r.get("error") is not None:
        bad.append("record %s %s %s" % (r.get("url"), r.get("status"), r.get("error")))
# each server connection's requests: one traced connection, only its own
by_srv, by_conn = {}, {}
for s in srv:
    by_srv.setdefault(s[0], []).append(s[3])
conns = {}
for r in reqs:
    conns.setdefault(r.get("conn"), []).append("/" + r.get("url", "").split("/", 3)[-1])
srv_sets = sorted(sorted(v) for v in by_srv.values())
rec_sets = sorted(sorted(v) for v in conns.values())
if srv_sets != rec_sets:
    bad.append("requests grouped by connection differ: server %d connections, records %d"
               % (len(srv_sets), len(rec_sets)))
for k in ("dropped", "not_followed"):
    if summ.get(k, 0) != 0:
        bad.append("summary %s %s" % (k, summ.get(k)))
if summ["requests"] != 2 * rounds:
    bad.append("summary requests %s" % summ["requests"])
for b in bad[:10]:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
pass
