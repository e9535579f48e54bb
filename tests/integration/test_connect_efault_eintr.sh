#!/bin/bash
# test_connect_efault_eintr.sh - connect() calls that open nothing, or
# that a signal cuts, leave no phantom in flight and no double report,
# now that a TCP connect's live slot is claimed before the real call
# (connect_hold, traced by a running `listen`; fullbacklog.py's full
# accept queue holds a blocking connect):
#  - two connects with a bad address pointer (a PROT_NONE page, an
#    address never mapped) give the program EFAULT (the hook reads the
#    address only after the kernel did: no fault in the library), then a
#    blocking connect on the same socket hangs: `status` shows exactly
#    that one connection opening, conn 1; killed, exactly one
#    connect_error is reported;
#  - a blocking connect cut by SIGALRM (EINTR) after 1 s, then retried
#    on the same socket until the queue has room (the kernel goes on
#    with the first one: each retry waits on it) is one connection, conn
#    1, shown opening before the EINTR and after it, never two; once it
#    is up, nothing is in flight, and its end reports no failure;
#  - the same, abandoned (the socket closed after EINTR): nothing is in
#    flight after the close, and the attempt given up is reported, a
#    connect_error "Operation canceled" with its peer (conn_connect_cut()).
# Main showed the blocking connect in flight only after the call returned.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_hold
start_fullbacklog
sock=$T/ht.sock
start_status_listen "$sock"
lpid=$LPID

# traced NAME ARG...: connect_hold ARG... traced into the listen, its
# output in $T/NAME.out.  Sets PPID_.
traced() {
	local name=$1
	shift
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_hold" "$@" >"$T/$name.out" &
	PPID_=$!
	_PIDS+=("$PPID_")
}

# opening N FILE: the status (in FILE) shows exactly N connections
# opening, the first of them conn 1 of $PPID_ in phase connect.
opening() {
	wait_status "$sock" "^0 requests in flight, $1 connections? opening$" "$2"
	grep -qE "^  pid $PPID_ conn 1  connect [^ ]+  connecting  " "$2" ||
		{ show "$2"; fail "${2##*/}: not conn 1 connecting"; }
}

# nothing_opening FILE: the status (in FILE) shows nothing in flight.
nothing_opening() {
	wait_status "$sock" "^0 requests in flight$" "$1"
}

traced efault efault "$FULL_PORT"
wait_file_line "$T/efault.out" '^efault$' || { show "$T/efault.out"; fail "no EFAULT for the program"; }
opening 1 "$T/efault.status"
kill -KILL "$PPID_"
wait "$PPID_" 2>/dev/null || true
nothing_opening "$T/efault.after"
efault_pid=$PPID_

traced retry eintr "$FULL_PORT" retry
opening 1 "$T/retry.before"
wait_file_line "$T/retry.out" '^eintr$' || { show "$T/retry.out"; fail "retry: no EINTR"; }
sleep 0.3
opening 1 "$T/retry.during"
kill -USR1 "$FULL_PID"
wait_file_line "$T/retry.out" '^connected$' || { show "$T/retry.out"; fail "retry: never connected"; }
nothing_opening "$T/retry.after"
kill -KILL "$PPID_"
wait "$PPID_" 2>/dev/null || true
retry_pid=$PPID_

traced abandon eintr "$FULL_PORT" abandon
abandon_pid=$PPID_
wait_file_line "$T/abandon.out" '^abandoned$' || { show "$T/abandon.out"; fail "abandon: no close"; }
nothing_opening "$T/abandon.after"
kill -KILL "$PPID_"
wait "$PPID_" 2>/dev/null || true

kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
# two failures: the EFAULT program's hung connect, the abandoned one
# (none of the retry's)
jcheck "$T/out.json" --event connect_error --count 2 \
	--expect "sorted(pid) == sorted([$efault_pid, $abandon_pid])" \
	--each "conn == 1 and (pid == $efault_pid and error == 'ended' and phase == 'connect' or pid == $abandon_pid and error == 'Operation canceled' and peer is not None)"
jcheck "$T/out.json" --event summary --count 1 --each 'connect_errors == 2'
grep -q "\"pid\":$retry_pid,.*\"conn\":2" "$T/out.json" &&
	{ show "$T/out.json"; fail "the retried connect made a second connection"; }
pass
