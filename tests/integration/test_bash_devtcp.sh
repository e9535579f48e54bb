#!/bin/bash
# test_bash_devtcp.sh - bash's /dev/tcp: bash connects a socket, moves it to
# the redirection's fd (dup2, close), and its printf builtin writes the
# request through stdio (a write inside libc, which no hook sees) on fd 1
# pointed at the socket.  The request is never silently lost: when bash
# reads the response itself (the read builtin, on fd 0 pointed at the
# socket, read -d '') the summary says a response came with no request seen; when an
# exec'd cat reads it (the connection inherited by a new image), bash's
# exit says bytes went out on the connection that no hook saw.  The server's
# log has the request both times.  Issue 16/18 trust audit: both gave
# "requests: 0, connections: 0" and nothing else.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd bash cat
start_server 127.0.0.1 --log "$T/srv.log"
P=$SERVER_PORT
req="printf 'GET /bytes/21 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'"
script_read="exec 5<>/dev/tcp/127.0.0.1/$P; $req >&5; IFS= read -r -d '' all <&5; echo \"\${all: -21}\""
script_cat="exec 3<>/dev/tcp/127.0.0.1/$P; $req >&3; cat <&3 | tail -c 21; echo"

for mode in read cat; do
	: >"$T/srv.log"
	if [ $mode = read ]; then s=$script_read; else s=$script_cat; fi
	rc=0
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- bash -c "$s" >"$T/$mode.out" 2>"$T/$mode.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$mode.out" "$T/$mode.err"; fail "$mode: bash exited $rc"; }
	grep -qx '0123456789abcdefghijk' "$T/$mode.out" ||
		{ show "$T/$mode.out"; fail "$mode: bash did not get the response"; }
	grep -q '^[0-9]* 1 GET /bytes/21 200 21$' "$T/srv.log" ||
		{ show "$T/srv.log"; fail "$mode: the server did not log the request"; }
	# assertion counted_not_seen: the request is recorded, or the summary
	# says a request went by unseen; never a clean zero
	"$PY" - "$T/$mode.json" "$mode" <<'PY' || { show "$T/$mode.json"; fail "$mode: the request was silently lost"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r.get("event") == "request"]
summ = [r for r in recs if r.get("event") == "summary"][-1]
if [r.get("url") for r in reqs] == ["http://x/bytes/21"]:
    sys.exit(0)
notes = [n["text"] for n in summ.get("not_traced", [])]
want = {"read": "an HTTP/1.x response read on a connection where no request was seen written",
        "cat": "bytes written on a connection by calls the tracer cannot see"}[sys.argv[2]]
print("%s: records %s, not traced %s" % (sys.argv[2], [r.get("url") for r in reqs], notes), file=sys.stderr)
sys.exit(0 if not reqs and any(n.startswith(want) for n in notes) else 1)
PY
done
pass
