#!/bin/bash
# test_process_tree.sh - every process the command starts is traced: a shell
# running two curls (each its own pid), a forked python child that makes its
# own request, and a background grandchild the shell does not wait for;
# httptrace waits for all of them.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

cat >"$T/forker.py" <<PYEOF
import http.client, os, sys
def get(path):
    c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
    c.request('GET', path); r = c.getresponse(); r.read(); c.close()
get('/bytes/11')
pid = os.fork()
if pid == 0:
    get('/bytes/22')      # the child's own request
    os._exit(0)
os.waitpid(pid, 0)
get('/bytes/33')
PYEOF

# The last curl runs in the background, after a delay, as an orphan: the
# shell exits first; httptrace must still wait for it.
"$HTTPTRACE" -f json -o "$T/out.json" -- sh -c "
	curl -s -o /dev/null $u/bytes/1
	curl -s -o /dev/null $u/bytes/2
	$PY $T/forker.py
	(sleep 0.5; curl -s -o /dev/null $u/bytes/3) &
	exit 0" || fail "httptrace exited $?"

jcheck "$T/out.json" --count 6 \
	--expect 'sorted(resp_bytes) == [1, 2, 3, 11, 22, 33]' \
	--each 'status == 200 and error is None and reused is False' \
	--expect 'len(set(pid)) == 5' \
	--expect "len({p for p, b in zip(pid, resp_bytes) if b in (11, 33)}) == 1" \
	--expect "[p for p, b in zip(pid, resp_bytes) if b == 22][0] not in [p for p, b in zip(pid, resp_bytes) if b == 11]"

# Every process that made a connection announced itself (3 curls, python,
# its child); the shell made none, so it never connected to the collector.
"$PY" - "$T/out.json" <<'PYEOF' || fail "summary: not the processes that made requests"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][0]
assert s["processes"] == 5, s
PYEOF
pass
