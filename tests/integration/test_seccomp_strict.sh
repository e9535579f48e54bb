#!/bin/bash
# test_seccomp_strict.sh - a program that makes its request in seccomp
# strict mode (only read, write and exit allowed) runs traced as untraced:
# same output, same exit status.  The library used to make system calls of
# its own in the program's read and write hooks (the clock where there is
# no vDSO, fstat and send for the records, mmap) and the kernel killed the
# program.  What happens in strict mode is not traced.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog seccomp_strict -Wno-unused-function # (httpc.h's GET is not used)
start_server

run_same strict json "$T/seccomp_strict" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/strict.out" "$T/strict.err"; fail "exit status $RUN_RC"; }
grep -qx 'status line read' "$T/strict.out" || { show "$T/strict.out"; fail "no response read"; }
pass
