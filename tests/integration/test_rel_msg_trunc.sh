#!/bin/bash
# test_rel_msg_trunc.sh - a program discards response bytes unread with
# MSG_TRUNC (recv with a NULL buffer, recvfrom/recvmsg with a buffer the
# kernel leaves as it was), after a MSG_PEEK.  Traced, it prints what it
# prints untraced and does not crash; each request is recorded right or
# with the error that says its bytes went by unseen, never paired wrong:
#  - body discarded: its size is known (Content-Length), the record is
#    right (status, body size as server.py sent them), and so is the next
#    request's, read as usual;
#  - whole answer discarded (headers too; into a buffer of bytes that look
#    like another answer, or no buffer): that request and the next one on
#    the connection carry the error, no status.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog badargs
start_server
start_rawserver

run_same body json "$T/badargs" trunc "$SERVER_PORT" 2500
[ "$RUN_RC" = 0 ] || { show "$T/body.err"; fail "badargs trunc exited $RUN_RC"; }
for line in 'content-length 2500' 'recv NULL MSG_TRUNC *ret=1000 errno=0' \
	'recvfrom MSG_TRUNC *ret=1000 errno=0' 'recvmsg MSG_TRUNC *ret=500 errno=0' \
	'get status=200 body=10'; do
	grep -q "^$line\$" "$T/body.out" || { show "$T/body.out"; fail "the output lacks '$line'"; }
done
jcheck "$T/body.json" --count 2 \
	--expect "url == ['http://127.0.0.1:$SERVER_PORT/bytes/2500', 'http://127.0.0.1:$SERVER_PORT/bytes/10']" \
	--expect 'status == [200, 200] and resp_bytes == [2500, 10] and error == [None, None]' \
	--expect 'req == [1, 2] and len(set(conn)) == 1'

run_same all json "$T/badargs" truncall "$RAW_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/all.err"; fail "badargs truncall exited $RUN_RC"; }
for line in 'recvfrom MSG_TRUNC answer *ret=43 errno=0' \
	'recv NULL MSG_TRUNC answer *ret=43 errno=0'; do
	grep -q "^$line\$" "$T/all.out" || { show "$T/all.out"; fail "the output lacks '$line'"; }
done
[ "$(grep -c '^get status=200 body=5$' "$T/all.out")" = 2 ] ||
	{ show "$T/all.out"; fail "the requests after the discarded answers did not succeed"; }
jcheck "$T/all.json" --count 4 \
	--each "url == 'http://127.0.0.1:$RAW_PORT/fixed' and status is None" \
	--each "error == 'bytes discarded unread (MSG_TRUNC); not followed'" \
	--expect 'req == [1, 2, 1, 2] and len(set(conn)) == 2'
pass
