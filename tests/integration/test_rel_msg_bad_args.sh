#!/bin/bash
# test_rel_msg_bad_args.sh - on a tracked connection, sendmsg/recvmsg with
# the msghdr on an unmapped page or NULL, with msg_iov there, readv/writev
# with the iovec there, read/write with the buffer there: the traced
# program gets the same EFAULTs as the untraced one, and no signal; the
# requests before and after are both recorded, on one connection.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog badargs
start_rawserver

run_same msg json "$T/badargs" msg "$RAW_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/msg.err"; fail "badargs exited $RUN_RC"; }
for line in 'sendmsg msghdr unmapped *ret=-1 errno=EFAULT' \
	'recvmsg msghdr unmapped *ret=-1 errno=EFAULT' \
	'recvmsg msg_iov unmapped *ret=-1 errno=EFAULT' \
	'readv iov unmapped *ret=-1 errno=EFAULT'; do
	grep -q "^$line\$" "$T/msg.out" || { show "$T/msg.out"; fail "the output lacks '$line'"; }
done
[ "$(grep -c '^get status=200 body=5$' "$T/msg.out")" = 2 ] ||
	{ show "$T/msg.out"; fail "the two requests did not both succeed"; }
jcheck "$T/msg.json" --count 2 \
	--each "url == 'http://127.0.0.1:$RAW_PORT/fixed' and status == 200 and resp_bytes == 5 and error is None" \
	--expect 'req == [1, 2] and len(set(conn)) == 1'
pass
