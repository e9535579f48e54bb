#!/bin/bash
# test_server_request_close_read_on_reset.sh - from the review of 691ae72
# (rev-connclose), fails on it.  A traced asyncio server
# (answer_on_server.py) answers every request with HTTP/1.1 and no
# Connection header, HTTP/1.0 ones without keep-alive too (it answers on;
# curl --http1.0 then reuses the connection).  The client sends
# "GET /a HTTP/1.0", reads its answer, then on the same connection
# "GET /slow HTTP/1.0", which the server works on for 2 s; the client gives
# up after the server logged its start and resets the connection
# (SO_LINGER 0).  The server read /slow and served it (its log: start
# /slow): its record is /slow with "connection reset", as before 691ae72.
# On 691ae72: no record of /slow, the note "bytes a server read that it did
# not serve" (it was the server's to serve: it read it after answering on).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

start_traced_py aio answer_on_server.py "$T/aio.log"
port=$TRACED_PORT tpid=$TRACED_PID
"$PY" "$TESTS_DIR/slow_client.py" "$port" "$T/aio.log" reset || fail "client failed"
wait_file_line "$T/aio.log" '^conn end' || fail "the server did not see the end"
sleep 2.5 # /slow's handler wakes and ends
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/aio.json" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request" and r["side"] == "server"]
got = [(r["url"].rsplit("/", 1)[1], r["status"], r["error"]) for r in srv]
assert len(got) == 2 and got[0] == ("a", 200, None), got
assert got[1][0] == "slow" and got[1][2] is not None, got
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 2, summ
PYEOF
	{ show "$T/aio.json" "$T/aio.log"; fail "/slow, read and served, has no record"; }
pass
