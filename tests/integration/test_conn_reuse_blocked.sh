#!/bin/bash
# test_conn_reuse_blocked.sh - a thread blocked in read() (or write()) on
# connection X while the program closes X and opens Y
# (progs/reuse_blocked.c): the tracer's memory for X may be Y's by the
# time the call returns, and what it moved must never be paired with Y.
# The server (reuseserver.py) answers /y with 201 and a 13-byte body,
# after X's 200 with 6 bytes; Y's record has Y's answer, and no other
# request is on Y's connection.  Review 7: /y was reported 200 with 6
# bytes (X's answer fed to Y's connection); X's blocked write was fed to
# Y as a second request.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog reuse_blocked
[ -r /proc/self/task/$$/syscall ] || skip "no /proc/PID/task/TID/syscall"

for mode in read write; do
	: >"$T/srv.log"
	start_py reuseserver.py "$T/srv.err" "$T/srv.log"
	rc=0
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$T/reuse_blocked" "$mode" "$PY_PORT" \
		>"$T/$mode.out" 2>"$T/$mode.err" || rc=$?
	kill "$PY_PID" 2>/dev/null || true
	[ "$rc" = 0 ] || { show "$T/$mode.out" "$T/$mode.err"; fail "$mode: the program exited $rc"; }
	# the program saw Y's answer on Y (and, reading, X's on X)
	[ "$mode" = write ] || grep -qx 'x read 43 body from-x' "$T/$mode.out" ||
		{ show "$T/$mode.out"; fail "$mode: x's answer"; }
	grep -qx 'y read 51 body from-y-longer' "$T/$mode.out" ||
		{ show "$T/$mode.out"; fail "$mode: y's answer"; }
	# assertion server_answers: the server answered X first, then /y
	x=/x
	[ "$mode" = read ] || x=/big
	[ "$(grep -c '^answered' "$T/srv.log")" = 2 ] &&
		[ "$(grep '^answered' "$T/srv.log" | head -n 1)" = "answered $x 200 6" ] &&
		grep -qx 'answered /y 201 13' "$T/srv.log" ||
		{ show "$T/srv.log"; fail "$mode: server log"; }
	[ "$mode" = read ] || grep -qx 'body 33554432' "$T/srv.log" ||
		{ show "$T/srv.log"; fail "$mode: the server did not read the whole body"; }
	# assertion no_wrong_pairing: /y's record is the server's 201 with 13
	# bytes, alone on its connection; X's request is never answered with
	# /y's answer (its answer came after the program closed it: an error,
	# or X's own 200)
	"$PY" - "$T/$mode.json" "$x" "$PY_PORT" <<'PY' || { show "$T/$mode.json"; fail "$mode: records pair bytes with the wrong connection"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r.get("event") == "request"]
ok = True
def bad(msg):
    global ok
    ok = False
    print(msg, file=sys.stderr)
# (the client's Host names no port: the url has the one it connected to)
yurl = "http://b:%s/y" % sys.argv[3]
ys = [r for r in reqs if r.get("url") == yurl]
if len(ys) != 1:
    bad("%d records of /y" % len(ys))
else:
    y = ys[0]
    if y.get("status") != 201 or y.get("resp_bytes") != 13 or y.get("error"):
        bad("y: %s" % y)
    on_y = [r.get("url") for r in reqs if r.get("conn") == y.get("conn") and r is not y]
    if on_y:
        bad("on y's connection too: %s" % on_y)
for r in reqs:
    if r.get("url") != yurl and (r.get("url") != "http://a:%s%s" % (sys.argv[3], sys.argv[2]) or
            r.get("status") not in (None, 200) or r.get("resp_bytes") not in (0, 6)):
        bad("x: %s" % r)
sys.exit(0 if ok else 1)
PY
done
pass
