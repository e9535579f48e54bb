#!/bin/bash
# test_output_full_disk.sh - a report or capture that cannot be written is
# loud: the message names the file and the reason (strerror), and httptrace
# exits 125 when the command itself succeeded (the command's own failure
# status still wins); listen exits 125 and read 2.  /dev/full fails every
# write with ENOSPC.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
[ -c /dev/full ] || skip "no /dev/full here"
start_server
u=http://127.0.0.1:$SERVER_PORT
enospc="No space left on device"

# expect_msg FILE WHAT: FILE has "writing the WHAT to /dev/full failed: ENOSPC".
expect_msg() {
	grep -qF "httptrace: writing the $2 to /dev/full failed: $enospc" "$1" ||
		{ cat "$1" >&2; fail "no message naming /dev/full and '$enospc' for the $2"; }
}

for fmt in json text summary otlp; do
	rc=0
	"$HTTPTRACE" -f "$fmt" -o /dev/full -- curl -s -o /dev/null \
		-w '%{http_code}\n' "$u/bytes/10" >"$T/code.$fmt" 2>"$T/run.$fmt.err" || rc=$?
	[ "$rc" = 125 ] || fail "-f $fmt -o /dev/full, command exited 0: expected 125, got $rc"
	expect_msg "$T/run.$fmt.err" report
done

# The command ran and got its answer: only the report failed.
[ "$(cat "$T/code.json")" = 200 ] || fail "curl did not get its 200: $(cat "$T/code.json")"

# A command that failed keeps its own status.
rc=0
"$HTTPTRACE" -f json -o /dev/full -- sh -c 'exit 3' 2>"$T/run3.err" || rc=$?
[ "$rc" = 3 ] || fail "command exiting 3 with the report on /dev/full: expected 3, got $rc"
expect_msg "$T/run3.err" report

# The capture.
rc=0
"$HTTPTRACE" -w /dev/full -- curl -s -o /dev/null "$u/bytes/10" 2>"$T/cap.err" || rc=$?
[ "$rc" = 125 ] || fail "-w /dev/full: expected 125, got $rc"
expect_msg "$T/cap.err" capture

# listen: runs, then exits 125 on SIGTERM.
sock=$T/ht.sock
start_listen_env -f json -o /dev/full
lpid=$LPID
(. "$T/env.sh"; curl -s -o /dev/null "$u/bytes/20") || fail "curl under listen failed"
kill -TERM "$lpid"
rc=0
wait "$lpid" || rc=$?
[ "$rc" = 125 ] || fail "listen -o /dev/full: expected exit 125, got $rc"
expect_msg "$T/listen.err" report

# read: a good capture, reported to /dev/full.
"$HTTPTRACE" -w "$T/cap.htcap" -- curl -s -o /dev/null "$u/bytes/30" ||
	fail "capture for read failed"
rc=0
"$HTTPTRACE" read -f json -o /dev/full "$T/cap.htcap" 2>"$T/read.err" || rc=$?
[ "$rc" = 2 ] || fail "read -o /dev/full: expected exit 2, got $rc"
expect_msg "$T/read.err" report
pass
