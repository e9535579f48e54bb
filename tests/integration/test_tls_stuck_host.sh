#!/bin/bash
# test_tls_stuck_host.sh - a connection hung in its TLS handshake that no
# DNS lookup named (the program resolves the name itself, or connects to
# an address) is named by the server name its ClientHello asked for, as
# it crossed the socket hooks: in `httptrace status` (text and JSON host),
# in the live view, and in the record when the program is interrupted
# there (text "connect NAME (PEER) -> interrupted (SIGINT) in the TLS
# handshake", JSON a tls_error with host NAME, phase tls, signal SIGINT).
# The same for OpenSSL (curl to https://localhost:PORT/: curl resolves
# localhost itself), GnuTLS (a program of our own, its handshake one
# blocking call) and TLS no hook decodes (OpenSSL linked statically).
# The server accepts and never answers (holdserver.py).  Before, the host
# was null, and neither the blocking GnuTLS handshake nor the static one
# was shown at all (no handshake start until the call returned).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
require_cmd tmux
start_holdserver
peer=127.0.0.1:$HOLD_PORT
sock=$T/ht.sock

# The clients tried: curl (OpenSSL), gnutls, static (no hook decodes).
clients=(curl)
if [ -e /usr/include/gnutls/gnutls.h ]; then
	build_prog gnutls_get -lgnutls
	clients+=(gnutls)
else
	note "no GnuTLS headers (libgnutls28-dev): GnuTLS not tried"
fi
if [ -e "$(cc -print-file-name=libssl.a)" ]; then
	cc -O1 -Wall -o "$T/tls_static" "$TESTS_DIR/progs/tls_static.c" \
		-Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -ldl -lpthread ||
		fail "cc tls_static.c (OpenSSL static) failed"
	strip "$T/tls_static"
	clients+=(static)
else
	note "no libssl.a (libssl-dev): TLS no hook decodes not tried"
fi
sni_of() { # CLIENT: the server name it sends
	case $1 in
	curl) echo localhost ;;
	gnutls) echo gnutls.test ;;
	static) echo static.test ;;
	esac
}
start_client() { # CLIENT: exec it (run in the background: its pid is $!)
	exec >"$T/$1.out" 2>&1
	case $1 in
	curl) exec curl -sk --max-time 120 "https://localhost:$HOLD_PORT/held" ;;
	gnutls) exec "$T/gnutls_get" 127.0.0.1 "$HOLD_PORT" gnutls.test /held ;;
	static) exec "$T/tls_static" static.test "$HOLD_PORT" /held /held ;;
	esac
}

# 1. listen: each client in flight, named, in status (text and JSON).
start_status_listen "$sock"
lpid=$LPID
declare -A pid
for cl in "${clients[@]}"; do
	n=$(hold_got)
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock start_client "$cl" &
	pid[$cl]=$!
	_PIDS+=("${pid[$cl]}")
	# the ClientHello reached the server: the client waits in its handshake
	for _ in $(seq 200); do
		[ "$(hold_got)" -gt "$n" ] && break
		sleep 0.05
	done
	[ "$(hold_got)" -gt "$n" ] || { show "$T/$cl.out"; fail "$cl: no ClientHello reached the server"; }
	wait_status "$sock" "^  pid ${pid[$cl]} conn 1  connect $(sni_of "$cl") \\($peer\\)  in the TLS handshake  [0-9.]+ m?s$"
done
"$HTTPTRACE" status -s "$sock" -f json >"$T/status.json" || fail "status -f json failed"
for cl in "${clients[@]}"; do
	"$PY" - "$T/status.json" "${pid[$cl]}" "$(sni_of "$cl")" "$peer" <<'PYEOF' ||
import json, sys
d = json.load(open(sys.argv[1]))
pid, sni, peer = int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = [c for c in d["connections"] if c["pid"] == pid]
assert len(c) == 1, d
c = c[0]
assert c["host"] == sni and c["peer"] == peer, c
assert c["phase"] == "tls" and c["tls"] is True, c
assert "tls_handshake_start" in c["events"] and "dns_start" not in c["events"], c
PYEOF
		{ show "$T/status.json"; fail "$cl: status JSON"; }
done
for cl in "${clients[@]}"; do
	kill -TERM "${pid[$cl]}"
	wait "${pid[$cl]}" 2>/dev/null || true
done
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"

# 2. run mode in a terminal: the live view names it while it hangs;
# Ctrl-C: the record cut short names it, text and JSON.
start_tmux 160
url="https://localhost:$HOLD_PORT/held"
tm send-keys "cd '$T' && '$HTTPTRACE' -- curl -sk '$url'; echo run-done-\$?" Enter
wait_screen "^  > connect localhost \\($peer\\)  in the TLS handshake  [0-9.]+ m?s"
tm send-keys C-c
# the echo's output, once httptrace has exited (its command line on the
# screen reads "run-done-$?": a match there would not wait at all)
wait_screen "^(\\^C)?run-done-[0-9]+$"
tm capture-pane -p >"$T/after"
grep -qE "^(\\^C)?connect localhost \\($peer\\) -> interrupted \\(SIGINT\\) in the TLS handshake" "$T/after" ||
	{ show "$T/after"; fail "text: the cut connection does not name localhost"; }

n=$(hold_got)
tm send-keys "clear; '$HTTPTRACE' -f json -o '$T/run.json' -- curl -sk '$url'; echo json-done-\$?" Enter
for _ in $(seq 200); do
	[ "$(hold_got)" -gt "$n" ] && break
	sleep 0.05
done
[ "$(hold_got)" -gt "$n" ] || fail "json: no ClientHello reached the server"
tm send-keys C-c
wait_screen "^(\\^C)?json-done-[0-9]+$"
jcheck "$T/run.json" --event tls_error --count 1 \
	--each "host == 'localhost' and peer == '$peer' and phase == 'tls'" \
	--each 'error == "interrupted" and signal == "SIGINT"'
pass
