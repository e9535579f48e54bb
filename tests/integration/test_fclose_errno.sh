#!/bin/bash
# test_fclose_errno.sh - the fclose hook leaves errno as the real fclose
# does: FILEs with no fd (fmemopen, open_memstream, fopencookie), whose
# fileno() sets EBADF, and an ordinary file; the program prints the same
# traced and untraced (ec2a341's parent left errno 9 after a successful
# fclose of an fmemopen FILE).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fclose_errno
run_same fe summary "$T/fclose_errno"
[ "$RUN_RC" = 0 ] || { show "$T/fe.err"; fail "fclose_errno exited $RUN_RC"; }
[ "$(grep -c 'fclose=0 errno=1234$' "$T/fe.out")" = 4 ] ||
	{ show "$T/fe.out"; fail "a successful fclose changed errno"; }
pass
