#!/bin/bash
# test_join_fork_client.sh - a traced server's record is held for a
# traced client's even when the process that sends the request never
# connected itself: a fork child's request on the keep-alive connection
# its parent opened.  The collector holds a server record whose client is
# at a loopback address only while some traced process may have made that
# client (join.h: the parent's live page says so from its connect hook;
# the child has no page of its own until its record is sent, after its
# request).  An untraced client's request first, when no traced client
# exists yet (its record goes out at once, alone).  The child waits a
# little before reading its response, so the server's record comes first:
# had it gone out at once, it would carry no link to the child's record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock

start_listen_env -f json -o "$T/out.json"
lpid=$LPID

port=$(free_port)
start_env_server server "$port" "$PY" "$SERVER_PY" "$port" 127.0.0.1 --log "$T/served.log"
spid=$ENV_PID

curl -s -o /dev/null "http://127.0.0.1:$port/bytes/1" || fail "untraced curl failed"

cat >"$T/client.py" <<'PYEOF'
import http.client, os, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
conn.request("GET", "/bytes/2")
r = conn.getresponse()
assert r.status == 200 and len(r.read()) == 2
pid = os.fork()
if pid == 0:
    conn.request("GET", "/bytes/3")
    time.sleep(0.05)
    r = conn.getresponse()
    os._exit(0 if r.status == 200 and len(r.read()) == 3 else 1)
_, st = os.waitpid(pid, 0)
print("child", pid, flush=True)
sys.exit(os.waitstatus_to_exitcode(st))
PYEOF
(. "$T/env.sh"; exec "$PY" "$T/client.py" "$port") >"$T/client.out" 2>&1 ||
	{ show "$T/client.out"; fail "the traced client failed"; }
[ "$(wc -l <"$T/served.log")" = 3 ] || { show "$T/served.log"; fail "the server did not answer 3 requests"; }
child=$(sed -n 's/^child //p' "$T/client.out")

kill -TERM "$spid"
wait "$spid" 2>/dev/null || true
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }

"$PY" - "$T/out.json" "$child" <<'PYEOF' || { show "$T/out.json"; fail "the client's and the server's records are not joined"; }
import json, sys
child = int(sys.argv[2])
reqs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in reqs if r["event"] == "request"]
client = {r["url"].rsplit("/", 1)[1]: r for r in reqs if r.get("side") != "server"}
server = {r["url"].rsplit("/", 1)[1]: r for r in reqs if r.get("side") == "server"}
assert sorted(client) == ["2", "3"] and sorted(server) == ["1", "2", "3"], reqs
assert "peer_record" not in server["1"], server["1"]
assert client["3"]["pid"] == child and client["2"]["pid"] != child, client
for n in ("2", "3"):
    c, s = client[n], server[n]
    assert c["peer_record"] == {"pid": s["pid"], "conn": s["conn"],
                                "req": s["req"]}, (c, s)
    assert s.get("peer_record") == {"pid": c["pid"], "conn": c["conn"],
                                    "req": c["req"]}, (c, s)
PYEOF
pass
