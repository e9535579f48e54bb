#!/bin/bash
# test_server_request_close_read_on_exit.sh - from the review of 691ae72
# (rev-connclose), fails on it.  The asyncio server answer_on_server.py
# (it answers HTTP/1.0 requests without keep-alive with HTTP/1.1 and no
# Connection header, and reads on): the client sends "GET /a HTTP/1.0",
# reads its answer, then "GET /slow HTTP/1.0" on the same connection; the
# server's handler for /slow raises SystemExit half a second in (a server
# stopped while it serves), asyncio.run closes the connection on its way
# out.  2c66801: /slow "connection closed before any response".  691ae72:
# no record of /slow, the note "bytes a server read that it did not serve".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

start_traced_py aio answer_on_server.py "$T/aio.log" exit
port=$TRACED_PORT tpid=$TRACED_PID
"$PY" "$TESTS_DIR/slow_client.py" "$port" "$T/aio.log" end || fail "client failed"
wait "$tpid" || true # it ends by itself
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
	{ show "$T/aio.json" "$T/aio.log"; fail "/slow, read and being served, has no record"; }
pass
