#!/bin/bash
# test_rel_vfork.sh - vfork children (a C vfork whose child closes, dup2s
# over and close_range()s the parent's tracked fd before exec, and a
# posix_spawn with close and dup2 actions on it) and python's subprocess
# (vfork plus close_range in the child) leave the parent's state alone: its
# requests before and after are all recorded on one connection, numbered
# 1, 2, 3, and the connection closes once, when the parent closes it.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same vfork events "$T/procs" vfork "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "procs vfork exited $RUN_RC"
jcheck "$T/vfork.json" --event response_done --count 3 \
	--expect 'resp_bytes == [1, 2, 3] and req == [1, 2, 3]' \
	--expect 'len(set(pid)) == 1 and conn == [1, 1, 1]' \
	--each 'status == 200 and error is None'
jcheck "$T/vfork.json" --event conn_closed --count 1 \
	--each 'requests == 3 and conn == 1'

cat >"$T/spawn.py" <<'PYEOF'
import http.client, subprocess, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for i, n in enumerate((5, 6, 7, 8)):
    c.request("GET", "/bytes/%d" % n)
    r = c.getresponse()
    print(r.status, r.getheader("X-Conn-Req"), len(r.read()))
    if i < 3:
        # vfork + exec, close_range in the child (close_fds=True)
        print(subprocess.run(["/bin/true"]).returncode)
        print(subprocess.run(["/bin/sh", "-c", "exit 3"], close_fds=True).returncode)
c.close()
PYEOF
run_same spawn json "$PY" "$T/spawn.py" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "spawn.py exited $RUN_RC"
jcheck "$T/spawn.json" --count 4 \
	--expect 'resp_bytes == [5, 6, 7, 8] and req == [1, 2, 3, 4]' \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1' \
	--expect 'reused == [False, True, True, True]' \
	--each 'status == 200 and error is None'
pass
