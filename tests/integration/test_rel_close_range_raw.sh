#!/bin/bash
# test_rel_close_range_raw.sh - a program closes its connection with the
# raw close_range system call (syscall(SYS_close_range, fd, fd, 0): libc's
# close_range() bypassed) and connects the same fd number to another
# server: each request is reported on its own connection to its own
# server, and the first connection ends at the close_range, before the
# second begins.  Before, syscall() passed SYS_close_range by: the first
# connection stayed open until the number was reused, its end reported
# after the second connection's start.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog procs
start_server 127.0.0.1 --log "$T/one.log"
port1=$SERVER_PORT
start_server 127.0.0.1 --log "$T/two.log"
port2=$SERVER_PORT

run_same rr events "$T/procs" rawrange "$port1" "$port2"
[ "$RUN_RC" = 0 ] || fail "procs rawrange exited $RUN_RC"
grep -qx 'same fd: yes' "$T/rr.out" || note "the kernel did not reuse the fd number"
# Each server had its own request (untraced and traced run).
[ "$(grep -c ' GET /bytes/100 200 100$' "$T/one.log")" = 2 ] && ! grep -q /bytes/200 "$T/one.log" ||
	{ show "$T/one.log"; fail "the first server did not have exactly the two /bytes/100"; }
[ "$(grep -c ' GET /bytes/200 200 200$' "$T/two.log")" = 2 ] && ! grep -q /bytes/100 "$T/two.log" ||
	{ show "$T/two.log"; fail "the second server did not have exactly the two /bytes/200"; }

jcheck "$T/rr.json" --event response_done --count 2 \
	--expect 'conn == [1, 2] and req == [1, 1] and resp_bytes == [100, 200]' \
	--each 'status == 200 and error is None'
jcheck "$T/rr.json" --event got_conn --count 2 \
	--expect "peer == ['127.0.0.1:$port1', '127.0.0.1:$port2']" --each 'reused is False'
jcheck "$T/rr.json" --event conn_closed --count 2 \
	--expect "conn == [1, 2] and requests == [1, 1] and peer == ['127.0.0.1:$port1', '127.0.0.1:$port2']"
# The first connection ended at the close_range: before the second one's
# connect began (the program's order, not a duration).
jcheck "$T/rr.json" --event all \
	--expect "[l['ts'] for l in lines if l['event'] == 'conn_closed' and l['conn'] == 1][0] <= [l['ts'] for l in lines if l['event'] == 'connect_start' and l['conn'] == 2][0]"
pass
