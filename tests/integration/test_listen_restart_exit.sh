#!/bin/bash
# test_listen_restart_exit.sh - a `listen` collector goes away (SIGTERM)
# and another starts at the same path; the traced client's next record
# finds the first one gone (its send fails, the retry window of a second
# opens) and the client exits within that second.  Its lost request must
# still reach the second collector, as a count: at exit the library
# connects once more whatever the window says when it has something to
# tell (records or drops).  Before, the second collector's summary was
# {"processes_traced":0,"requests":0,"dropped":0}: a silent loss.  The
# same with the client exec'ing /bin/true instead of exiting: its image
# ends as surely (the review of e8f908f; exec had no attempt before).
#
# No timing threshold: each step waits (bounded polls) for the file or
# record the next one needs.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
sock=$T/ht.sock

# client.py PORT GO END: a GET, then waits for GO to exist, then a second
# GET on the same keep-alive connection, and exits (END exit) or execs
# /bin/true (END exec) at once.
cat >"$T/client.py" <<'PYEOF'
import http.client, os, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/bytes/10"); c.getresponse().read()
while not os.path.exists(go):
    time.sleep(0.02)
c.request("GET", "/bytes/11"); c.getresponse().read()
if sys.argv[3] == "exec":
    os.execv("/bin/true", ["true"])
PYEOF

# collector N: `listen` N at $sock (json report $T/$END-outN.json); sets
# LPID.
collector() {
	rm -f "$sock"
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/$END-out$1.json" 2>"$T/listen$1.err" &
	LPID=$!
	_PIDS+=("$LPID")
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { show "$T/listen$1.err"; fail "collector $1 did not create $sock"; }
}

for END in exit exec; do
	rm -f "$T/go"
	collector 1
	lpid1=$LPID
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
		"$PY" "$T/client.py" "$SERVER_PORT" "$T/go" "$END" 2>"$T/client.err" &
	cpid=$!
	_PIDS+=("$cpid")
	for _ in $(seq 200); do
		grep -q '"event":"request"' "$T/$END-out1.json" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '/bytes/10' "$T/$END-out1.json" || fail "collector 1 did not get the first request"
	kill -TERM "$lpid1"
	wait "$lpid1" || { show "$T/listen1.err"; fail "collector 1 exited $?"; }
	collector 2
	lpid2=$LPID
	touch "$T/go"
	wait "$cpid" || { show "$T/client.err"; fail "the client failed"; }
	kill -TERM "$lpid2"
	wait "$lpid2" || { show "$T/listen2.err"; fail "collector 2 exited $?"; }

	"$PY" - "$T/$END-out2.json" "$cpid" <<-'PYEOF' || { show "$T/$END-out2.json"; fail "$END: the second request is lost with no count"; }
	import json, sys
	o = [json.loads(l) for l in open(sys.argv[1])]
	pid = int(sys.argv[2])
	s = [r for r in o if r["event"] == "summary"][0]
	got = [r for r in o if r["event"] == "request" and r["url"].endswith("/bytes/11")]
	print("# collector 2: %d requests, dropped %d (requests %d), traced %d"
	      % (s["requests"], s["dropped"], s["dropped_requests"], s["processes_traced"]),
	      file=sys.stderr)
	assert s["processes_traced"] == 1, "the client never reached collector 2"
	assert all(r["pid"] == pid for r in got)
	assert len(got) + s["dropped_requests"] >= 1, "the second request is neither reported nor counted"
	PYEOF
done
pass
