#!/bin/bash
# test_dup_follow.sh - a connection the program names by another fd is
# followed there (progs/dup_follow.c): moved with dup2 then the old fd
# closed, shared by dup (a request on each fd, then one fd closed and the
# other used), moved with fcntl(F_DUPFD_CLOEXEC), and dup2 onto an fd of
# another tracked connection (that one loses its only fd and ends; the fd
# then names the first), close_range of one of two fds, and dup2/dup3
# that fail (a closed oldfd, a bad flag) onto the connection's fd: it goes
# on being followed (review 7: such a dup2 ended it, later requests lost).  Every request the server logged is recorded, on
# the connection the server saw it on, and nothing else.  Issue 16/18
# trust audit: connect, dup2(fd, 7), close(fd), two requests on 7 gave
# "requests: 0, connections: 0, dropped: 0".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog dup_follow -I"$TESTS_DIR/progs"
start_server 127.0.0.1 --log "$T/srv.log"

# expected "reqN 200 N" lines per mode
declare -A nreq=([dup2close]=2 [dupboth]=3 [fdupfd]=2 [dup2over]=3 [closerange]=2 [dup2bad]=3)
for mode in dup2close dupboth fdupfd dup2over closerange dup2bad; do
	: >"$T/srv.log"
	rc=0
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- \
		"$T/dup_follow" "$mode" "$SERVER_PORT" >"$T/$mode.out" 2>"$T/$mode.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$mode.out" "$T/$mode.err"; fail "$mode: the program exited $rc"; }
	# the same output as untraced: every request answered in full
	"$T/dup_follow" "$mode" "$SERVER_PORT" >"$T/$mode.untraced" 2>&1 ||
		fail "$mode: the untraced run failed"
	cmp -s "$T/$mode.out" "$T/$mode.untraced" ||
		{ show "$T/$mode.out" "$T/$mode.untraced"; fail "$mode: traced output differs"; }
	n=${nreq[$mode]}
	# the server's log holds the traced run's requests, then the untraced
	# run's: the first n lines are the traced run's
	head -n "$n" "$T/srv.log" >"$T/$mode.srv"
	[ "$(wc -l <"$T/$mode.srv")" = "$n" ] || { show "$T/srv.log"; fail "$mode: server log"; }
	# assertion every_request_recorded: the paths the server answered, in
	# its order; a request on the same server connection as another is on
	# the same traced connection, and only then
	"$PY" - "$T/$mode.json" "$T/$mode.srv" "$mode" "$SERVER_PORT" <<'PY' || fail "$mode: records do not match the server's log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r.get("event") == "request"]
summ = [r for r in recs if r.get("event") == "summary"][-1]
srv = [l.split() for l in open(sys.argv[2])]
mode = sys.argv[3]
ok = True
def bad(msg):
    global ok
    ok = False
    print("%s: %s" % (mode, msg), file=sys.stderr)
if len(reqs) != len(srv):
    bad("%d records, the server answered %d" % (len(reqs), len(srv)))
for r, s in zip(reqs, srv):
    if r.get("url") != "http://127.0.0.1:" + sys.argv[4] + s[3] or r.get("status") != int(s[4]) or r.get("error") is not None:
        bad("record %s %s %s for server line %s" % (r.get("url"), r.get("status"), r.get("error"), " ".join(s)))
pairs = {(r.get("conn"), s[0]) for r, s in zip(reqs, srv)}
if len({p[0] for p in pairs}) != len(pairs) or len({p[1] for p in pairs}) != len(pairs):
    bad("connections do not match the server's: %s" % sorted(pairs))
if summ["requests"] != len(srv) or summ["connections"] != len({s[0] for s in srv}) or summ["dropped"] != 0:
    bad("summary %s" % {k: summ[k] for k in ("requests", "connections", "dropped")})
sys.exit(0 if ok else 1)
PY
done
pass
