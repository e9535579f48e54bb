#!/bin/bash
# test_join_loop_background.sh - an event loop's calls are never made the
# children of a request they do not belong to: an asyncio server
# (callserver.py background) whose own task polls an upstream server
# every 0.2 s while a request curl sent waits 1.5 s for its answer on the
# same thread.  The request is open alone on the thread during several
# polls; none of the poll records may name it (parent_record), and the
# server's own record is there (the case is the one a thread-per-request
# server attributes).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock

start_listen_env -f json -o "$T/out.json"
lpid=$LPID

uport=$(free_port)
"$PY" "$SERVER_PY" "$uport" 127.0.0.1 --log "$T/upstream.log" >"$T/upstream.out" 2>&1 &
upid=$!
_PIDS+=("$upid")
wait_port 127.0.0.1 "$uport" "$upid" || fail "upstream server did not start"

bport=$(free_port)
start_env_server bg "$bport" "$PY" "$TESTS_DIR/callserver.py" background "$bport" "$uport" "$T/bg.log"
bpid=$ENV_PID
curl -s -o /dev/null "http://127.0.0.1:$bport/1" || fail "curl to the loop server failed"
grep -q "^served /1$" "$T/bg.log" || { show "$T/bg.log"; fail "the loop did not answer"; }
polls=$(grep -c "^polled$" "$T/bg.log")
[ "$polls" -ge 5 ] || { show "$T/bg.log"; fail "only $polls polls while the request waited"; }

kill -TERM "$bpid" "$upid"
wait "$bpid" "$upid" 2>/dev/null || true
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }

"$PY" - "$T/out.json" "$bpid" <<'PYEOF' || { show "$T/out.json"; fail "a poll was made the child of an unrelated request"; }
import json, sys
bpid = int(sys.argv[2])
reqs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in reqs if r["event"] == "request" and r["pid"] == bpid]
served = [r for r in reqs if r.get("side") == "server"]
polls = [r for r in reqs if r.get("side", "client") == "client"]
assert len(served) == 1 and served[0]["url"].endswith("/1"), served
assert len(polls) >= 5 and all(p["url"].endswith("/bytes/9") for p in polls), polls
bad = [p for p in polls if "parent_record" in p]
assert not bad, bad
PYEOF
pass
