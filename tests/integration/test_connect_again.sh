#!/bin/bash
# test_connect_again.sh - a connect() again on a non-blocking socket whose
# first connect said EINPROGRESS (connect_hold again: the outcome awaited
# with poll, then connect called again, which returns it) is that
# connection's outcome, not a second connection: refused, one
# connect_error, conn 1, its connect time from the first call on; up, one
# connection, conn 1, whose GET is reported on it.  Main made a new
# connection of each second call (conn 2, its connect time that call's
# alone) and dropped the first.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_hold
port=$(closed_port)
"$HTTPTRACE" -f json -o "$T/refused.json" -- "$T/connect_hold" again "$port" >"$T/refused.out" ||
	fail "connect_hold again failed"
grep -qx "second: Connection refused" "$T/refused.out" || { show "$T/refused.out"; fail "not refused"; }
jcheck "$T/refused.json" --event connect_error --count 1 \
	--each "conn == 1 and peer == '127.0.0.1:$port' and errno == 111"
jcheck "$T/refused.json" --event summary --count 1 --each 'connect_errors == 1'

start_server
"$HTTPTRACE" -f json -o "$T/up.json" -- "$T/connect_hold" again "$SERVER_PORT" GET >"$T/up.out" ||
	fail "connect_hold again GET failed"
grep -qx "second: done" "$T/up.out" || { show "$T/up.out"; fail "the second connect did not say done"; }
jcheck "$T/up.json" --count 1 \
	--each "conn == 1 and method == 'GET' and peer == '127.0.0.1:$SERVER_PORT'" \
	--each 'error is None and status is not None and connect_ms is not None'
jcheck "$T/up.json" --event connect_error --count 0
jcheck "$T/up.json" --event summary --count 1 --each 'connections == 1 and requests == 1'
pass
