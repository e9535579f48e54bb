#!/bin/bash
# test_trust_other_user.sh - another local user who listens at the
# collector path first (a SOCK_SEQPACKET socket bound in a sticky
# world-writable directory) or plants a symlink at it (pointing to its own
# socket) receives nothing: the victim runs
#     eval "$(httptrace env -s PATH)"; curl -H 'X-Api-Key: ...' '...?access_token=...'
# and curl behaves as untraced, the library reaches the other user's
# socket (it accepts) but sends not one byte there (no HELLO, no record, no
# secret), and says so in one stderr line with HTTPTRACE_DEBUG=1, in none
# without.  Issue 18: the other user's process received the URL, the token
# and the headers.
#
# Runs as root only (it acts as another uid).  The user httptrace-other
# (system, no home, nologin) is created when missing and deleted again by
# userdel at the end if this run created it; the test works with its
# numeric ids, so a concurrent run deleting it does no harm.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
[ "$(id -u)" = 0 ] || skip "needs root to act as another user (running as uid $(id -u))"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"

OTHER=httptrace-other
created_user=0
if ! getent passwd "$OTHER" >/dev/null; then
	command -v useradd >/dev/null || skip "no user $OTHER and no useradd to create it"
	if useradd --system --no-create-home --shell /usr/sbin/nologin \
		--user-group "$OTHER" 2>"$T/useradd.err"; then
		created_user=1
	elif ! getent passwd "$OTHER" >/dev/null; then # (not a concurrent run's)
		skip "useradd $OTHER failed: $(head -1 "$T/useradd.err")"
	fi
fi
# shellcheck disable=SC2317 # called by the EXIT trap
_cleanup_other() {
	_cleanup
	if [ "$created_user" = 1 ]; then
		userdel "$OTHER" 2>/dev/null || note "userdel $OTHER failed: user kept"
	fi
}
trap _cleanup_other EXIT
ouid=$(id -u "$OTHER")
ogid=$(id -g "$OTHER")
[ "$ouid" != 0 ] || fail "$OTHER is uid 0"

# The other user reaches into $T (not list it), and owns a directory there.
chmod 0711 "$T"
mkdir "$T/shared" "$T/otherdir"
chmod 1777 "$T/shared"
chown "$ouid:$ogid" "$T/otherdir"
chmod 0755 "$T/otherdir"

# The other user's listener: binds PATH (SOCK_SEQPACKET, mode 0777 so
# anyone can connect), accepts until killed, appends every byte received to
# LOG and one line per accept ("accept") and per end of connection ("eof")
# to EVENTS.
cat >"$T/otherdir/listener.py" <<'EOF'
import os, socket, sys, threading
path, log, events = sys.argv[1:4]
lock = threading.Lock()
def note(line):
    with lock, open(events, "a") as f:
        f.write(line + "\n")
def drain(c):
    while True:
        d = c.recv(1 << 20)
        if not d:
            break
        with lock, open(log, "ab") as f:
            f.write(d)
    c.close()
    note("eof")
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
os.chmod(path, 0o777)
s.listen(16)
note("listening")
while True:
    c, _ = s.accept()
    note("accept")
    threading.Thread(target=drain, args=(c,), daemon=True).start()
EOF
chmod 0644 "$T/otherdir/listener.py"

# start_listener NAME PATH: the other user's listener at PATH, logging to
# $T/otherdir/NAME.{bytes,events}.
start_listener() {
	local name=$1 path=$2 pid _
	setpriv --reuid="$ouid" --regid="$ogid" --clear-groups \
		"$PY" "$T/otherdir/listener.py" "$path" "$T/otherdir/$name.bytes" \
		"$T/otherdir/$name.events" 2>"$T/$name.listener.err" &
	pid=$!
	_PIDS+=("$pid")
	for _ in $(seq 1 100); do
		grep -qx listening "$T/otherdir/$name.events" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { show "$T/$name.listener.err"; fail "$name: the listener died"; }
		sleep 0.1
	done
	grep -qx listening "$T/otherdir/$name.events" || fail "$name: the listener did not start"
	[ "$(stat -c %u "$path")" = "$ouid" ] || fail "$name: $path is not the other user's"
}

# count WORD FILE: how many lines of FILE are WORD.
count() {
	grep -cx "$1" "$2" || true
}

start_server
url="http://127.0.0.1:$SERVER_PORT/bytes/7?access_token=SECRETTOKEN"
curl -s -H 'X-Api-Key: SECRETKEY' -w '\n%{http_code} %{size_download}\n' "$url" \
	>"$T/plain.out" 2>"$T/plain.err" || fail "curl untraced exited $?"
[ "$(tail -1 "$T/plain.out")" = "200 7" ] || { show "$T/plain.out"; fail "untraced curl: unexpected answer"; }

# victim NAME SOCKPATH DEBUG: curl traced as `httptrace env -s SOCKPATH`
# says, with HTTPTRACE_DEBUG=1 when DEBUG is 1.
victim() {
	local name=$1 path=$2 debug=$3 envs rc=0
	envs=$("$HTTPTRACE" env -s "$path") || fail "httptrace env exited $?"
	(
		eval "$envs"
		if [ "$debug" = 1 ]; then export HTTPTRACE_DEBUG=1; fi
		exec curl -s -H 'X-Api-Key: SECRETKEY' -w '\n%{http_code} %{size_download}\n' "$url"
	) >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$name.err"; fail "$name: traced curl exited $rc"; }
	cmp -s "$T/plain.out" "$T/$name.out" ||
		{ show "$T/plain.out" "$T/$name.out"; fail "$name: curl's output differs from untraced"; }
}

# check_listener NAME RUNS: the other user's listener saw RUNS connections
# come and go, and received not one byte.
check_listener() {
	local name=$1 runs=$2 ev bytes _
	ev=$T/otherdir/$name.events
	bytes=$T/otherdir/$name.bytes
	for _ in $(seq 1 100); do
		[ "$(count eof "$ev")" -ge "$runs" ] && break
		sleep 0.1
	done
	# assertion reached: the library did connect to the other user's
	# socket (else this test proves nothing).
	if [ "$(count accept "$ev")" != "$runs" ] || [ "$(count eof "$ev")" != "$runs" ]; then
		show "$ev"
		fail "$name: the listener saw $(count accept "$ev") connections, $(count eof "$ev") ended; expected $runs"
	fi
	# assertion nothing_received: not a byte (the library says nothing
	# before it knows its peer is its own user: even the HELLO would tell
	# the pid and the program).
	if [ -s "$bytes" ]; then
		note "$name: the other user received $(wc -c <"$bytes") bytes"
		grep -q SECRETTOKEN "$bytes" && note "$name: ... the access token among them"
		grep -q SECRETKEY "$bytes" && note "$name: ... the API key among them"
		head -c 192 "$bytes" | od -c >&2
		fail "$name: another user's listener received the library's bytes"
	fi
}

# check_stderr NAME DEBUG: without HTTPTRACE_DEBUG nothing on stderr; with
# it, one line saying the collector belongs to another user.
check_stderr() {
	local name=$1 debug=$2
	if [ "$debug" = 0 ]; then
		[ -s "$T/$name.err" ] && { show "$T/$name.err"; fail "$name: stderr is not empty"; }
	else
		if [ "$(wc -l <"$T/$name.err")" != 1 ] || ! grep -q 'another user' "$T/$name.err"; then
			show "$T/$name.err"
			fail "$name: with HTTPTRACE_DEBUG=1, not one line about another user"
		fi
	fi
	return 0
}

# 1. The other user binds the shared path first.
start_listener bound "$T/shared/ht.sock"
victim bound0 "$T/shared/ht.sock" 0
victim bound1 "$T/shared/ht.sock" 1
check_listener bound 2
check_stderr bound0 0
check_stderr bound1 1

# 2. The other user plants a symlink at the victim's path, to its own
# socket.  It is planted in a directory of the other user's: one in a
# sticky world-writable directory is not followed at all when
# fs.protected_symlinks is 1 (connect fails with EACCES).
start_listener linked "$T/otherdir/own.sock"
ln -s "$T/otherdir/own.sock" "$T/otherdir/ht.sock"
chown -h "$ouid:$ogid" "$T/otherdir/ht.sock"
victim linked0 "$T/otherdir/ht.sock" 0
victim linked1 "$T/otherdir/ht.sock" 1
check_listener linked 2
check_stderr linked0 0
check_stderr linked1 1
pass
