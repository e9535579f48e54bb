#!/bin/bash
# test_underscore_exit_seccomp_asm.sh - KNOWN FAILING (review of 8d4d68c):
# a program that installs a seccomp filter with its own system call
# instruction (the prctl and syscall() hooks do not see it; this filter
# kills on fstat, newfstatat and socket) and then calls _exit(0) exits 0
# untraced, and exited 0 traced before the _exit hook.  The hook now runs
# exit's destructor work, whose send to the collector checks the socket
# with fstat first: the process is killed by SIGSYS (status 159).  (exit()
# had this already; _exit is what sandboxed helpers call.)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ "$(uname -m)" = x86_64 ] || skip "the program's system call instruction is x86-64's"
build_prog seccomp_asm_exit
start_server

"$T/seccomp_asm_exit" "$SERVER_PORT" >"$T/premise.out" 2>&1 ||
	skip "seccomp filters are not available here"
run_same asm summary "$T/seccomp_asm_exit" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "exited $RUN_RC"
grep -qx 'sandboxed' "$T/asm.out" || { show "$T/asm.out"; fail "no line after the filter"; }
pass
