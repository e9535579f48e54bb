#!/bin/bash
# test_underscore_exit_vm_child.sh - the _exit hook's pid test: a child
# that shares the parent's memory (a vfork child whose exec failed, a
# clone(CLONE_VM) child with and without CLONE_VFORK) and calls _exit must
# leave the parent's state alone.  Without the test, the child's _exit
# finishes the parent's connection in the parent's memory: its close is
# reported at the vfork, and the parent's second request on it is lost
# with a clean summary (requests 1, dropped 0).  Review of 8d4d68c: no
# other test has a vfork child call _exit (test_rel_vfork's child execs).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog vm_child_exit
start_server

run_same vm events "$T/vm_child_exit" "$SERVER_PORT"
[ "$RUN_RC" = 9 ] || fail "vm_child_exit exited $RUN_RC, not 9"
grep -qx 'vfork child: 127' "$T/vm.out" || { show "$T/vm.out"; fail "the vfork child's status"; }
grep -qx 'clone(CLONE_VM) child: 5' "$T/vm.out" || { show "$T/vm.out"; fail "the clone child's status"; }
grep -qx 'second: 200' "$T/vm.out" || { show "$T/vm.out"; fail "the second request failed"; }
jcheck "$T/vm.json" --event response_done --count 2 \
	--expect 'resp_bytes == [1, 2] and req == [1, 2]' \
	--expect 'len(set(pid)) == 1 and conn == [1, 1]' \
	--each 'status == 200 and error is None'
jcheck "$T/vm.json" --event conn_closed --count 1 \
	--each 'requests == 2 and conn == 1'
pass
