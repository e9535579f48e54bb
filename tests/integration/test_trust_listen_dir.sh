#!/bin/bash
# test_trust_listen_dir.sh - `httptrace listen -s PATH` refuses a PATH whose
# directory other users can write without the sticky bit (they could
# replace the socket), and one in a directory of another user who is not
# root: exit 125 and a message naming the path and the reason.  It listens
# in a sticky world-writable directory (1777, as /tmp) and in a private
# one (0700).  Issue 18: a socket at a shared path could be another user's.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

# refused NAME MODE WHY: listen in $T/NAME (mode MODE) exits 125 at once,
# its message naming the socket path and containing WHY.
refused() {
	local name=$1 mode=$2 why=$3 sock pid rc=0 _
	sock=$T/$name/ht.sock
	mkdir -p "$T/$name"
	chmod "$mode" "$T/$name"
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/$name.json" 2>"$T/$name.err" &
	pid=$!
	_PIDS+=("$pid")
	# Until it exits, or listens (wrong: then it is stopped).
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		[ -S "$sock" ] && break
		sleep 0.1
	done
	if [ -S "$sock" ]; then
		kill -TERM "$pid"
		wait "$pid" || true
		fail "$name ($mode): listen accepted $sock"
	fi
	wait "$pid" || rc=$?
	[ "$rc" = 125 ] || { show "$T/$name.err"; fail "$name ($mode): listen exited $rc, not 125"; }
	if ! grep -qF "$sock" "$T/$name.err" || ! grep -qF "$why" "$T/$name.err"; then
		show "$T/$name.err"
		fail "$name ($mode): the message does not name $sock and '$why'"
	fi
	note "$name ($mode): $(cat "$T/$name.err")"
}

# accepted NAME MODE: listen in $T/NAME (mode MODE) binds its socket, and
# exits 0 at SIGTERM.
accepted() {
	local name=$1 mode=$2 sock pid rc=0 _
	sock=$T/$name/ht.sock
	mkdir -p "$T/$name"
	chmod "$mode" "$T/$name"
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/$name.json" 2>"$T/$name.err" &
	pid=$!
	_PIDS+=("$pid")
	for _ in $(seq 1 100); do
		[ -S "$sock" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$sock" ] || { show "$T/$name.err"; fail "$name ($mode): listen did not bind $sock"; }
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$name.err"; fail "$name ($mode): listen exited $rc"; }
}

refused open 0777 "other users can write there"
refused groupw 0770 "other users can write there"
accepted sticky 1777
accepted private 0700

# A directory of another user (not root): only root can make one here.
if [ "$(id -u)" = 0 ]; then
	mkdir "$T/foreign"
	chown 65534:65534 "$T/foreign" # nobody's ids; no account needed
	refused foreign 0755 "belongs to another user"
else
	note "not root: the other user's directory is not checked"
fi
pass
