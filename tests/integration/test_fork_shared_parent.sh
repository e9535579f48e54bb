#!/bin/bash
# test_fork_shared_parent.sh - a connection a fork shared with a request
# in flight, the parent's side: the parent cannot know whether its child
# reads answers on it, so it does not follow it on (counted not followed),
# never pairing what it reads nor reporting a false error.
#  a) client: the parent GETs /A-parent, forks, the child reads /A's answer
#     (201) and exits, the parent GETs /B-parent and reads its answer (202).
#     Following on paired /A-parent with 202 (B's answer) and said
#     /B-parent "connection closed before any response".
#  b) server: reads each request, forks, the child answers 200, the parent
#     closes its copy (thttpd's CGI, an inetd-like handler): following on
#     reported each answered request a server error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_py seqserver.py "$T/seq.err" "$T/seq.log" 0
"$HTTPTRACE" -f json -o "$T/pair.json" -- "$PY" "$TESTS_DIR/forkpair.py" "$PY_PORT" \
	>"$T/pair.out" 2>&1 || { show "$T/pair.out"; fail "forkpair.py failed"; }
grep -q "/A-parent 201" "$T/seq.log" || fail "the server did not answer /A-parent 201"
# each record's status is the one the server sent for its target, or none
# with the request counted as not followed; never another's, never an
# error for a request that was answered
jcheck "$T/pair.json" --event request \
	--expect "[s for u, s in zip(url, status) if u.endswith('/A-parent')] in ([201], [None])" \
	--expect "[s for u, s in zip(url, status) if u.endswith('/B-parent')] in ([202], [None])" \
	--each "error is None or 'not followed' in error"

build_prog fork_answer_srv
port=$(free_port)
"$HTTPTRACE" -f json -o "$T/srv.json" -- "$T/fork_answer_srv" "$port" 2 2>"$T/srv.err" &
spid=$!
_PIDS+=("$spid")
wait_port 127.0.0.1 "$port" "$spid" || fail "fork_answer_srv did not listen"
for p in /a /b; do
	"$PY" -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2])).status)' \
		"$port" "$p" >>"$T/cli.out" || fail "GET $p failed"
done
wait "$spid" || { show "$T/srv.err"; fail "httptrace exited $?"; }
[ "$(cat "$T/cli.out")" = "$(printf '200\n200')" ] || fail "the answers were not 200"
jcheck "$T/srv.json" --event request --count 2 \
	--each "status in (200, None) and (error is None or 'not followed' in error)"
pass
