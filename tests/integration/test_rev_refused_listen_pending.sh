#!/bin/bash
# test_rev_refused_listen_pending.sh - (review of refusedsum, FAILS on
# 49da3b1 and before it) a `listen` collector out of fds (prlimit on it):
# six traced curls held in /delay fill its room (3 fds), four more make their
# request and exit while their connections wait unaccepted.  At SIGTERM
# refuse_pending() finds accept4 still failing and counts the four as ONE
# process refused; collector_end_peers() then frees fds, when the
# four could be accepted: read (they exited: their records are whole in
# their sockets) or at least each counted.  Asserts each of the four is
# either reported or counted refused.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
require_cmd prlimit
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" 2>"$T/listen.err" &
LPID=$!
_PIDS+=("$LPID")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { show "$T/listen.err"; fail "listen did not create $sock"; }
n=$(find "/proc/$LPID/fd" -mindepth 1 | wc -l)
prlimit --pid "$LPID" --nofile=$((n + 3)):$((n + 3)) || fail "prlimit failed"
eval "$("$HTTPTRACE" env -s "$sock")"
for _ in 1 2 3 4 5 6; do
	curl -s -o /dev/null "$u/delay/6000" &
	_PIDS+=("$!")
done
sleep 1
for i in 1 2 3 4; do
	curl -s -o /dev/null "$u/bytes/$i" || fail "curl $i failed"
done
unset LD_PRELOAD HTTPTRACE_SOCKET
sleep 0.5
kill -TERM "$LPID"
wait "$LPID" || fail "listen exited $? after SIGTERM"
show "$T/listen.err" "$T/out.json"
seen=$(grep -c '"url":"http://127.0.0.1:[0-9]*/bytes/' "$T/out.json") || true
refused=$("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("event") == "summary": print(r["refused"])' "$T/out.json")
[ $((seen + refused)) -ge 4 ] ||
	fail "4 processes' requests lost: $seen reported, $refused refused"
pass
