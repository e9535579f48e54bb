#!/bin/bash
# test_rel_errno.sh - errno is preserved across every hook: a program sets
# errno to a sentinel before each interposed call (getaddrinfo,
# gethostbyname, connect refused / in progress / done, getsockopt SO_ERROR,
# read/write/send/recv/readv/writev/sendto/recvfrom/sendmsg/recvmsg and the
# fortified __read_chk/__recv_chk/__recvfrom_chk, on a tracked connection,
# a pipe, closed and bad fds; shutdown, dup2/dup3, close, close_range) and
# logs (call, return, errno), plus every signal's disposition at start,
# after a traced request and at the end: the traced log is identical to the
# untraced one, and the two requests are recorded.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog errno_log -D_FORTIFY_SOURCE=2
start_rawserver
cport=$(closed_port)

run_same log json "$T/errno_log" log "$RAW_PORT" "$cport"
[ "$RUN_RC" = 0 ] || { show "$T/log.err"; fail "errno_log exited $RUN_RC"; }
grep -qx "done" "$T/log.out" || fail "errno_log did not finish"
# The log really covers the fortified calls, success and failure.
for call in 'conn req2 read (chk) *ret=6 errno=7777' 'conn req1 recvmsg EAGAIN *ret=-1 errno=11' \
	'write after SHUT_WR *ret=-1 errno=32' 'connect in progress *ret=-1 errno=115' \
	'fd 4000 recvfrom (chk) *ret=-1 errno=9'; do
	grep -q "^$call\$" "$T/log.out" || fail "the log lacks '$call'"
done
# The dispositions did not change with the request (SIGPIPE is set to
# SIG_IGN by the program itself before it).
[ "$(grep '^signal dispositions after' "$T/log.out" | cut -d: -f2-)" = \
	"$(grep '^signal dispositions at end' "$T/log.out" | cut -d: -f2-)" ] ||
	fail "signal dispositions changed during the program"

jcheck "$T/log.json" --count 2 \
	--each "url == 'http://127.0.0.1:$RAW_PORT/fixed' and status == 200 and resp_bytes == 5" \
	--expect 'req == [1, 2] and len(set(conn)) == 1' \
	--expect 'error == [None, None]'
jcheck "$T/log.json" --event connect_error --count 1 \
	--each "errno == 111 and peer == '127.0.0.1:$cport'"
pass
