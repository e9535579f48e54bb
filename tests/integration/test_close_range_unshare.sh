#!/bin/bash
# test_close_range_unshare.sh - a thread's close_range(CLOSE_RANGE_UNSHARE)
# closes the range in that thread's own new copy of the fd table: the
# program's other threads keep the fds and go on using them.  The main
# thread's keep-alive connection carries two more requests after it: all
# three are reported, on one connection.  Before, the close_range ended
# the connection for the whole process, and the two later requests were
# lost with nothing counted (requests: 1).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server 127.0.0.1 --log "$T/srv.log"
"$HTTPTRACE" -f json -o "$T/run.json" -- "$PY" "$TESTS_DIR/close_range_unshare.py" "$SERVER_PORT" \
	>"$T/run.out" 2>"$T/run.err" || { show "$T/run.err"; fail "the client failed traced"; }
grep -qx 'close_range 0' "$T/run.out" || { show "$T/run.out"; skip "close_range(CLOSE_RANGE_UNSHARE) is not available here"; }
grep -qx 'done' "$T/run.out" || { show "$T/run.out"; fail "the client did not finish"; }
# The server's own log: three requests.
[ "$(grep -c ' GET /bytes/[123] 200 ' "$T/srv.log")" = 3 ] || { show "$T/srv.log"; fail "the server did not answer the three requests"; }
jcheck "$T/run.json" --event request --count 3 \
	--expect "sorted(url.rsplit('/', 1)[1] for url in url) == ['1', '2', '3'] and len(set(conn)) == 1" \
	--each 'status == 200 and error is None'
pass
