#!/bin/bash
# test_rel_exec.sh - a process makes a request, then execs (the same pid, a
# new image) and makes another on a new connection: the new image is traced
# too (it says hello: two processes), both requests are recorded under the
# one pid, and the two connections keep distinct (pid, conn) identities.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server

run_same exec json "$T/procs" exec "$SERVER_PORT" "$T/procs"
[ "$RUN_RC" = 0 ] || fail "procs exec exited $RUN_RC"
[ "$(wc -l <"$T/exec.out")" = 2 ] || fail "the exec'ed image did not run"

jcheck "$T/exec.json" --count 2 \
	--each 'status == 200 and error is None and reused is False' \
	--expect 'resp_bytes == [33, 44] and len(set(pid)) == 1'
jcheck "$T/exec.json" --event summary --count 1 \
	--each 'processes == 2 and requests == 2'
# man/httptrace.1, json: pid and conn "together name a connection".
jcheck "$T/exec.json" --expect 'len(set(zip(pid, conn))) == 2'
jcheck "$T/exec.json" --event summary --each 'connections == 2'
pass
