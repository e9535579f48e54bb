#!/bin/bash
# test_conn_reuse_blocked.sh - a thread blocked in read() on connection X
# while the program closes X and opens Y (progs/reuse_blocked.c): the
# tracer's memory for X may be Y's by the time the read returns X's
# answer, and that answer must never be paired with Y's request.  The
# server (reuseserver.py) answers /y with 201 and a 13-byte body, after
# /x's 200 with 6 bytes; Y's record has Y's answer.  Review 7: /y was
# reported 200 with 6 bytes (X's answer fed to Y's connection).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog reuse_blocked
[ -r /proc/self/task/$$/syscall ] || skip "no /proc/PID/task/TID/syscall"

start_py reuseserver.py "$T/srv.err" "$T/srv.log"
rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- "$T/reuse_blocked" "$PY_PORT" \
	>"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || { show "$T/out" "$T/err"; fail "the program exited $rc"; }
# the program saw both answers, each on its own connection
grep -qx 'x read 43 body from-x' "$T/out" || { show "$T/out"; fail "x's answer"; }
grep -qx 'y read 51 body from-y-longer' "$T/out" || { show "$T/out"; fail "y's answer"; }
# assertion server_answers: the server answered each, /x first
[ "$(grep -c '^answered' "$T/srv.log")" = 2 ] &&
	[ "$(grep '^answered' "$T/srv.log" | head -n 1)" = "answered /x 200 6" ] &&
	grep -qx 'answered /y 201 13' "$T/srv.log" || { show "$T/srv.log"; fail "server log"; }
# assertion no_wrong_pairing: /y's record is the server's 201 with 13
# bytes; /x's is never /y's answer (its answer came after the program
# closed it: an error, or X's own 200)
"$PY" - "$T/out.json" <<'PY' || { show "$T/out.json"; fail "records pair an answer with the wrong request"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = {r.get("url"): r for r in recs if r.get("event") == "request"}
ok = True
y = reqs.get("http://b/y")
x = reqs.get("http://a/x")
if not y or y.get("status") != 201 or y.get("resp_bytes") != 13 or y.get("error"):
    ok = False
    print("y: %s" % y, file=sys.stderr)
if not x or x.get("status") not in (None, 200) or x.get("resp_bytes") not in (0, 6):
    ok = False
    print("x: %s" % x, file=sys.stderr)
sys.exit(0 if ok else 1)
PY
pass
