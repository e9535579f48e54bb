#!/bin/bash
# test_collector_killed.sh - a collector killed while a traced program makes
# requests never harms it: the program carries on, every request completes,
# its output is the same as untraced, and nothing is printed into it.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
sock=$T/ht.sock

cat >"$T/client.py" <<PYEOF
import http.client, sys, time
c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
for i in range(40):
    c.request('GET', '/bytes/%d' % (100 + i))
    body = c.getresponse().read()
    print(i, len(body))
    sys.stdout.flush()
    time.sleep(0.02)
PYEOF

"$PY" "$T/client.py" >"$T/expected.out" 2>"$T/expected.err" || fail "untraced client failed"

"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" 2>/dev/null &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not start"

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$PY" "$T/client.py" >"$T/traced.out" 2>"$T/traced.err" &
cpid=$!
sleep 0.3
kill -KILL "$lpid"
wait "$cpid" || fail "the traced client exited $? after the collector died"

cmp -s "$T/expected.out" "$T/traced.out" || { show "$T/traced.out"; fail "output differs"; }
[ -s "$T/traced.err" ] && { show "$T/traced.err"; fail "something was printed to stderr"; }
[ "$(wc -l <"$T/traced.out")" = 40 ] || fail "not every request completed"
# The collector did receive the early requests before it died.
[ -s "$T/out.json" ] || note "no record reached the file before the kill"
pass
