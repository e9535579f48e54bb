#!/bin/bash
# test_rel_close_all_fds.sh - a program close()s every fd from 3 to 1024,
# the library's own socket among them, then fills the low fds with
# socketpairs and makes requests on a new connection: it behaves exactly as
# untraced and exits normally, nothing appears on its socketpairs, and the
# later requests are recorded (after a reconnect) or counted as dropped.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same ca json "$T/procs" closeall "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "procs closeall exited $RUN_RC"
grep -q GARBAGE "$T/ca.out" && { show "$T/ca.out"; fail "the library wrote into the program's fds"; }
grep -qx 'socketpairs clean' "$T/ca.out" || fail "procs did not check its fds"

jcheck "$T/ca.json" --each 'status == 200 and error is None' \
	--expect 'resp_bytes[0] == 1'
jcheck "$T/ca.json" --event all \
	--expect "len([l for l in lines if l['event'] == 'request' and l['resp_bytes'] in (2, 3)]) + [l for l in lines if l['event'] == 'summary'][0]['dropped'] >= 2"
pass
