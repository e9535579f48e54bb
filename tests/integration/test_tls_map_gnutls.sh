#!/bin/bash
# test_tls_map_gnutls.sh - review of trust: a GnuTLS session's calls that
# read no socket (plaintext GnuTLS had buffered: 100-byte reads of 5000-byte
# bodies) find its socket only through the TLS session map.  When the map
# cannot hold the session (MODE=nomem: its mmap refused by an inherited
# seccomp filter; MODE=full: 16384 sessions tied to another connection
# first) the hooks must ask GnuTLS for the fd (gnutls_transport_get_int),
# as the OpenSSL hooks ask SSL_get_fd: the 3 requests reported whole, never
# "body cut short".  Before: each ended with error "body cut short".
# MODE=room: control (nothing refused, nothing full).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog gnutls_chunks -lgnutls
build_prog seccomp_nomap
# shellcheck disable=SC2119 # no server arguments
start_tls_server
require_cmd setarch

# run LABEL FILL [SECCOMP_ARG]: the program traced; its json in $T/LABEL.json
run() {
	local label=$1 fill=$2 filter=${3:-} rc=0
	local cmd=("$T/gnutls_chunks" 127.0.0.1 "$SERVER_PORT" "$fill")
	[ -n "$filter" ] && cmd=("$T/seccomp_nomap" "$filter" "${cmd[@]}")
	setarch -R "$HTTPTRACE" -f json -o "$T/$label.json" -- "${cmd[@]}" \
		>"$T/$label.out" 2>"$T/$label.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$label.err"; fail "$label: gnutls_chunks exited $rc"; }
	[ "$(cat "$T/$label.out")" = ok ] || fail "$label: gnutls_chunks did not finish"
	jcheck "$T/$label.json" --count 3 \
		--each 'status == 200 and tls is True and error is None and resp_bytes == 5000'
}

# The library's text, ASLR off: only its own mmap of the map's size fails.
range=$(lib_text_range)

case ${MODE:-all} in
room) run room 0 ;;
nomem) run nomem 0 "${SESSMAP_BYTES:-262144}:$range" ;;
full) run full 16384 ;;
all)
	run room 0
	run nomem 0 "${SESSMAP_BYTES:-262144}:$range"
	run full 16384
	;;
esac
pass
