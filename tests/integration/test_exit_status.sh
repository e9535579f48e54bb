#!/bin/bash
# test_exit_status.sh - httptrace exits with its command's status: a plain
# exit code, 128+N for a signal, and curl's 7 when nothing listens (which
# also gives a connect_error record and no request record); 127 when the
# command cannot be run.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

rc=0
"$HTTPTRACE" -o "$T/r1" -- sh -c 'exit 3' || rc=$?
[ "$rc" = 3 ] || fail "sh -c 'exit 3': expected 3, got $rc"

rc=0
"$HTTPTRACE" -o "$T/r0" -- true || rc=$?
[ "$rc" = 0 ] || fail "true: expected 0, got $rc"

rc=0
"$HTTPTRACE" -o "$T/r2" -- sh -c 'kill -TERM $$' || rc=$?
[ "$rc" = 143 ] || fail "killed by SIGTERM: expected 143, got $rc"

rc=0
"$HTTPTRACE" -o "$T/r3" -- sh -c 'kill -KILL $$' || rc=$?
[ "$rc" = 137 ] || fail "killed by SIGKILL: expected 137, got $rc"

rc=0
"$HTTPTRACE" -o "$T/r4" -- "$T/no-such-command" 2>"$T/r4.err" || rc=$?
[ "$rc" = 127 ] || fail "a command that cannot be run: expected 127, got $rc"

port=$(closed_port)
rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- curl -s -o /dev/null "http://127.0.0.1:$port/" || rc=$?
[ "$rc" = 7 ] || fail "curl to a closed port: expected 7, got $rc"
jcheck "$T/out.json" --count 0
jcheck "$T/out.json" --event connect_error --count 1 \
	--each "any(str(v).endswith(':$port') for v in rec.values())"
pass
