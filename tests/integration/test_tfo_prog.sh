#!/bin/bash
# test_tfo_prog.sh - TCP Fast Open, the three ways in (progs/tfo_get.c):
# sendto and sendmsg with MSG_FASTOPEN and no connect(), and
# TCP_FASTOPEN_CONNECT + connect + write; blocking and non-blocking.  Each
# GET is recorded once, as nginx logged it, with its connect phase.
#
# Run twice: as the kernel is set up (without a server cookie the SYN
# carries no data: a non-blocking send answers EINPROGRESS, a blocking one
# waits for the handshake), and, when a network namespace of our own can
# be had (root), with net.ipv4.tcp_fastopen=0x607 there (client and server
# on, no cookie needed, any listener): the SYN carries the request.
# shellcheck source=lib.sh source-path=SCRIPTDIR
if [ -z "${TFO_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] &&
	unshare -n true 2>/dev/null && command -v ip >/dev/null; then
	exec unshare -n env TFO_NETNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_built
build_prog tfo_get
if [ -n "${TFO_NETNS:-}" ]; then
	ip link set lo up || fail "no loopback in the new network namespace"
	# nginx's listeners take Fast Open (0x400) when they start listening
	sysctl -qw net.ipv4.tcp_fastopen=0x607 || fail "cannot set net.ipv4.tcp_fastopen here"
fi
start_nginx

# run_all TAG: each way, each blocking mode, traced; check each record
# against nginx's log.
run_all() {
	local tag=$1 mode b out n sizes=(1 100 1000 10000 0 100) i=0
	for mode in sendto sendmsg connect; do
		for b in block nonblock; do
			n=${sizes[i]}
			i=$((i + 1))
			out=$T/$tag.$mode.$b
			nginx_log_mark
			"$HTTPTRACE" -f json -o "$out.json" -- \
				"$T/tfo_get" "$mode" "$b" "$NGINX_PORT" "/f/$n" >"$out.out" 2>"$out.err" ||
				{ show "$out.err"; fail "$tag $mode $b: tfo_get failed"; }
			served=$(nginx_log_since 1)
			note "$tag $mode $b: $(tr '\n' ' ' <"$out.out")"
			grep -q '^HTTP/1.1 200 OK$' "$out.out" || fail "$tag $mode $b: no 200"
			SYN_DATA=$(sed -n 's/^syn_data=//p' "$out.out")
			[ "$tag" != syndata ] || [ "$SYN_DATA" = 1 ] ||
				fail "$tag $mode $b: with tcp_fastopen=0x607 the SYN carried no data"
			jcheck "$out.json" --count 1 \
				--expect "len($served) == 1 and $served[0][2:4] == [200, $n]" \
				--each "method == 'GET' and url == 'http://127.0.0.1:$NGINX_PORT/f/$n'" \
				--each "status == 200 and error is None and resp_bytes == $n" \
				--each "peer == '127.0.0.1:$NGINX_PORT' and reused is False" \
				--each 'connect_ms is not None and send_ms is not None and wait_ms is not None' \
				--each 'connect_ms + send_ms + wait_ms + receive_ms <= total_ms + 0.008'
		done
	done
}

if [ -n "${TFO_NETNS:-}" ]; then
	# the kernel's default: the client side on, nothing else
	sysctl -qw net.ipv4.tcp_fastopen=1
fi
run_all kernel
note "as set up: the last SYN carried data: $SYN_DATA"
if [ -n "${TFO_NETNS:-}" ]; then
	sysctl -qw net.ipv4.tcp_fastopen=0x607
	run_all syndata
else
	note "no network namespace of our own: the SYN-with-data path is not run"
fi
pass
