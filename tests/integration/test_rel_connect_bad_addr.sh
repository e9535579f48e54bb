#!/bin/bash
# test_rel_connect_bad_addr.sh - connect() with an address the kernel cannot
# read (on an unmapped page, NULL) or refuses (length 0, 1, too long), on
# TCP and Unix sockets, then on a connected socket: the traced program gets
# the same results (EFAULT, EINVAL...) as the untraced one, and no signal;
# the request after them is recorded.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog badargs
start_rawserver

run_same conn json "$T/badargs" connect "$RAW_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/conn.err"; fail "badargs exited $RUN_RC"; }
for line in 'connect tcp unmapped *ret=-1 errno=EFAULT' \
	'connect unix unmapped *ret=-1 errno=EFAULT' \
	'connect tcp again unmapped *ret=-1 errno=EFAULT' \
	'connect tcp *ret=0 errno=0' 'get status=200 body=5'; do
	grep -q "^$line\$" "$T/conn.out" || { show "$T/conn.out"; fail "the output lacks '$line'"; }
done
jcheck "$T/conn.json" --count 1 \
	--each "url == 'http://127.0.0.1:$RAW_PORT/fixed' and status == 200 and resp_bytes == 5 and error is None"
pass
