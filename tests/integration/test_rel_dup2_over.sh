#!/bin/bash
# test_rel_dup2_over.sh - dup2(B, A) over a tracked connection A: A's
# connection is finished there (conn_closed with its one request, before
# any later request), and what the program then sends through fd A (B's
# socket, not a connection it connected there) is never attributed to A's
# connection; B's own requests stay right.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same dup events "$T/procs" dup2 "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "procs dup2 exited $RUN_RC"

jcheck "$T/dup.json" --event response_done \
	--each 'status == 200 and error is None' \
	--expect '[(c, q, b) for c, q, b in zip(conn, req, resp_bytes) if c == 1] == [(1, 1, 1)]' \
	--expect '3 not in resp_bytes or conn[resp_bytes.index(3)] != 1' \
	--expect '[b for c, b in zip(conn, resp_bytes) if c == 2][0] == 2 and 4 in resp_bytes'
jcheck "$T/dup.json" --event conn_closed --count 2 \
	--expect 'conn == [1, 2] and requests[0] == 1' \
	--expect '150 < bytes_in[0] - 1 < 200'
# A's conn_closed comes before the request sent through the new fd A.
jcheck "$T/dup.json" --event all \
	--expect "[i for i, l in enumerate(lines) if l['event'] == 'conn_closed' and l['conn'] == 1][0] < [i for i, l in enumerate(lines) if l['event'] == 'response_done' and l['resp_bytes'] == 4][0]"
pass
