#!/bin/bash
# test_rel_close_range.sh - a program calls close_range(3, ~0U, 0), closing
# its tracked connection and the library's own socket, then fills the low
# fds with socketpairs and makes requests on a new connection: it behaves
# exactly as untraced, no byte ever appears on its socketpairs (the library
# never writes into an fd it no longer owns), the first connection is
# finished (conn_closed), and the later requests are recorded (the library
# reconnects) or counted as dropped.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same cr events "$T/procs" closerange "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "procs closerange exited $RUN_RC"
grep -q GARBAGE "$T/cr.out" && { show "$T/cr.out"; fail "the library wrote into the program's fds"; }
grep -qx 'socketpairs clean' "$T/cr.out" || fail "procs did not check its fds"

jcheck "$T/cr.json" --event response_done \
	--expect 'resp_bytes[0] == 1 and conn[0] == 1' \
	--each 'status == 200 and error is None'
jcheck "$T/cr.json" --event conn_closed \
	--expect 'conn[0] == 1 and requests[0] == 1'
# The two requests after close_range: recorded, else counted as dropped.
jcheck "$T/cr.json" --event all \
	--expect "len([l for l in lines if l['event'] == 'response_done' and l['resp_bytes'] in (2, 3)]) == 2"
pass
