#!/bin/bash
# test_tls_map_gnutls_foreign_ptr.sh - (review of trustb, 20844bd) a GnuTLS
# session with its own push/pull functions and a transport pointer that is
# a small integer naming another followed connection (A, plain HTTP).
# When the session map cannot hold the session (FILL=16384: full), the
# plaintext GnuTLS had buffered must never be fed to A: A's 2 plain GETs
# and the 3 TLS GETs each reported right (or counted as not seen), never
# A marked TLS and its requests or responses mixed with the TLS ones
# (the TLS ones may be errors: the map cannot hold their session).
# FILL=0: control (the map holds the session).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog gnutls_ptrmix -lgnutls
start_nginx

run() {
	local label=$1 fill=$2 rc=0
	"$HTTPTRACE" -f json -o "$T/$label.json" -- "$T/gnutls_ptrmix" 127.0.0.1 \
		"$NGINX_PORT" "$NGINX_TLS_PORT" "$fill" >"$T/$label.out" 2>"$T/$label.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$label.err"; fail "$label: gnutls_ptrmix exited $rc"; }
	[ "$(cat "$T/$label.out")" = ok ] || fail "$label: gnutls_ptrmix did not finish"
	show "$T/$label.json"
	jcheck "$T/$label.json" --count 5 \
		--expect "sorted(url)[:2] == ['http://x:$NGINX_PORT/f/100', 'http://x:$NGINX_PORT/f/1000']" \
		--expect '[b for u, b in zip(url, resp_bytes) if u.startswith("http:")] == [100, 1000]' \
		--expect '[t for u, t in zip(url, tls) if u.startswith("http:")] == [False, False]' \
		--expect '[e for u, e in zip(url, error) if u.startswith("http:")] == [None, None]'
	# with room, the TLS requests are whole too
	[ "$fill" = 0 ] && jcheck "$T/$label.json" --count 5 --each 'status == 200 and error is None'
	return 0
}
case ${MODE:-all} in
room) run room 0 ;;
full) run full 16384 ;;
all) run room 0; run full 16384 ;;
esac
pass
