#!/bin/bash
# test_rel_fd_reuse.sh - fd numbers reused for new connections: one closed
# with close(), one with a raw close system call the library cannot see;
# each new connection on the same fd number is a connection of its own
# with its own request and byte counts (the unseen close is finished when
# the number is reused).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same reuse events "$T/procs" reuse "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "procs reuse exited $RUN_RC"
[ "$(grep -c 'same fd: yes' "$T/reuse.out")" = 2 ] || note "the kernel did not reuse the fd number"

jcheck "$T/reuse.json" --event response_done --count 3 \
	--expect 'conn == [1, 2, 3] and req == [1, 1, 1] and resp_bytes == [100, 200, 300]' \
	--each 'status == 200 and error is None'
jcheck "$T/reuse.json" --event got_conn --count 3 --each 'reused is False'
# server.py's header sections are about 170 bytes.
jcheck "$T/reuse.json" --event conn_closed --count 3 \
	--expect 'conn == [1, 2, 3] and requests == [1, 1, 1]' \
	--expect 'all(150 < b - n < 200 for b, n in zip(bytes_in, [100, 200, 300]))' \
	--expect 'len(set(bytes_out)) == 1'
pass
