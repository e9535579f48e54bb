#!/bin/bash
# test_rel_sigpipe.sh - the traced program sees exactly its own SIGPIPE
# behaviour: with SIGPIPE at its default, a write on a tracked connection
# after shutdown(SHUT_WR) kills it with SIGPIPE traced as untraced (exit
# 141, nothing printed after the write); with SIGPIPE ignored (inherited),
# the write fails with EPIPE and it carries on, traced as untraced.  The
# request before is recorded either way.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog errno_log
start_rawserver

run_same dfl json "$T/errno_log" sigpipe "$RAW_PORT"
[ "$RUN_RC" = 141 ] || { show "$T/dfl.out"; fail "exit $RUN_RC, not 141 (killed by SIGPIPE)"; }
grep -q 'still alive' "$T/dfl.out" && fail "SIGPIPE did not kill the program"
jcheck "$T/dfl.json" --count 1 --each 'status == 200 and resp_bytes == 5'

# bash's `trap '' PIPE` leaves SIGPIPE ignored in the programs it starts.
(
	trap '' PIPE
	run_same ign json "$T/errno_log" sigpipe "$RAW_PORT"
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC with SIGPIPE ignored"
)
grep -qx 'write failed: Broken pipe' "$T/ign.out" || { show "$T/ign.out"; fail "the write did not fail with EPIPE"; }
grep -q 'still alive' "$T/ign.out" || fail "the program did not carry on"
jcheck "$T/ign.json" --count 1 --each 'status == 200 and resp_bytes == 5'
pass
