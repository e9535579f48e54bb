#!/bin/bash
# test_tls_map_full.sh - the TLS sessions' map (tls.c, core/sessmap.h) is
# full: 16384 sessions tied to one socket (SSL_set_fd), then a session with
# memory BIOs, whose socket only the map could tell its later calls, makes
# 3 requests.  It cannot be stored: its connection must be reported as TLS
# not decoded (counted), never closed clean with no request under a summary
# of 0 requests, 0 dropped.  N=100: control (room in the map, the 3
# requests reported).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog tls_map_full -lssl -lcrypto
# shellcheck disable=SC2119 # no server arguments
start_tls_server
N=${N:-16384}
rc=0
"$HTTPTRACE" -f json -o "$T/out.json" -- "$T/tls_map_full" 127.0.0.1 "$SERVER_PORT" "$N" >"$T/p.out" 2>"$T/p.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/p.err"; fail "tls_map_full exited $rc"; }
[ "$(cat "$T/p.out")" = ok ] || fail "tls_map_full did not finish its requests"
if [ "$N" -lt 16384 ]; then
	jcheck "$T/out.json" --count 3 --each 'status == 200 and tls is True and error is None'
	pass
fi
jcheck "$T/out.json" --count 0
jcheck "$T/out.json" --event summary --count 1 --each 'tls_undecoded == 1 and requests == 0 and dropped == 0'
jcheck "$T/out.json" --event connection --each 'requests is None'
pass
