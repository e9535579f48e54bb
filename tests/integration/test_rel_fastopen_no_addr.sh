#!/bin/bash
# test_rel_fastopen_no_addr.sh - sendto/sendmsg with MSG_FASTOPEN and an
# address of length 0 on a page that cannot be read, on connected Unix
# sockets: the kernel reads none of the address and sends; the traced
# program gets the same results as the untraced one, and no signal (the
# hook must not read the address's family either).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog badargs

run_same tfo json "$T/badargs" fastopen0
[ "$RUN_RC" = 0 ] || { show "$T/tfo.err"; fail "badargs exited $RUN_RC"; }
for line in 'sendto fastopen len 0 dgram *ret=1 errno=0' \
	'sendmsg fastopen len 0 dgram *ret=1 errno=0' \
	'sendto fastopen len 0 stream *ret=1 errno=0' \
	'sendmsg fastopen len 0 stream *ret=1 errno=0'; do
	grep -q "^$line\$" "$T/tfo.out" || { show "$T/tfo.out"; fail "the output lacks '$line'"; }
done
pass
