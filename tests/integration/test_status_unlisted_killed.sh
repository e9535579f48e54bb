#!/bin/bash
# test_status_unlisted_killed.sh - one curl with 80 requests in flight at
# once (the live page shows 64: its slots are all taken) is SIGKILLed:
# every one of the 80 is accounted for, the 64 the page listed reported
# cut short (ended: listen cannot ask how a process not its child
# ended), the 16 it could not list counted in the summary's dropped
# (their records will never come), none silently absent.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_gateserver
sock=$T/ht.sock
n=80

start_status_listen "$sock"
lpid=$LPID

start_held_curls "$sock" "$n"
cpid=$CURL_PID
# every request written is in flight for the collector too
wait_status "$sock" "^$n requests in flight"

kill -KILL "$cpid"
wait "$cpid" 2>/dev/null || true
# The collector reports the dead process's requests as its socket closes.
for _ in $(seq 100); do
	[ "$(grep -c '"event":"request"' "$T/out.json" 2>/dev/null)" = 64 ] && break
	sleep 0.05
done
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
jcheck "$T/out.json" --count 64 --each "status is None and error == 'ended'"
jcheck "$T/out.json" --event summary --count 1 --each "requests == 64 and dropped == 16"
pass
