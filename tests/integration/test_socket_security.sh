#!/bin/bash
# test_socket_security.sh - the collector's socket: a private directory
# (0700) and the socket (0600) for `httptrace COMMAND`; started by root,
# 0711 and 0666 (the command's tree may switch users: each peer of
# another uid is then checked for descent, test_run_root_worker_user);
# a peer of another uid (SO_PEERCRED) is refused by `listen` and the
# collector keeps serving its own.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

# The run mode's socket, seen from inside the traced command.
"$HTTPTRACE" -f json -o "$T/out.json" -- sh -c \
	'stat -c "%a %F" "$HTTPTRACE_SOCKET" "$(dirname "$HTTPTRACE_SOCKET")"' \
	>"$T/modes" || fail "httptrace exited $?"
if [ "$(id -u)" = 0 ]; then smode=666 dmode=711; else smode=600 dmode=700; fi
[ "$(sed -n 1p "$T/modes")" = "$smode socket" ] || { show "$T/modes"; fail "socket mode"; }
[ "$(sed -n 2p "$T/modes")" = "$dmode directory" ] || { show "$T/modes"; fail "directory mode"; }

# Another uid: only testable as root (setpriv/runuser to nobody).
[ "$(id -u)" = 0 ] || skip "peer uid check needs root to act as another user"
command -v setpriv >/dev/null || skip "setpriv missing"
sock=$T/ht.sock
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
# Let nobody reach the socket file, so only SO_PEERCRED can stop it.
chmod 0777 "$sock" "$T"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$sock" \
	curl -s -o /dev/null "$u/bytes/5" || fail "curl as nobody failed"
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock curl -s -o /dev/null "$u/bytes/6" ||
	fail "curl as root failed"
kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $?"
jcheck "$T/listen.json" --count 1 --expect 'resp_bytes == [6]'
grep -qE "refused [1-9][0-9]* process" "$T/listen.err" || { show "$T/listen.err"; fail "no refusal reported"; }
pass
