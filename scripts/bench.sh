#!/bin/bash
# bench.sh - what tracing costs, measured side by side with the untraced run.
#
#   scripts/bench.sh [SECTION...]       (make bench)   ROUNDS=5 by default
#   BENCH_ONLY="callgrind" scripts/bench.sh            the same as an argument
#
# Sections (all by default, in this order): wrk h2load server dd procs
# collector memory collmem callgrind.  Each timed comparison alternates the untraced run with the
# traced ones (ROUNDS of each, in an order that rotates from round to round)
# and prints the medians and their ratios; traced runs also say whether
# every request was recorded.  A benchmark, not a test: nothing here fails
# on a number.  Servers run on loopback ports of their own; nothing else is
# touched.
#
#  wrk        wrk -t1 -c8 keep-alive against nginx: untraced, and traced with
#             -f json -o FILE, with -w FILE (raw capture; skipped when this
#             httptrace has no -w) and with -f summary
#  h2load     h2load -n 100000 -c 4 -m 10 over TLS (h2) against nginx:
#             untraced, httptrace -f json, and the peers a user would reach
#             for on the same workload when they can run here: strace -f -e
#             trace=network,read,write, and bpftrace with uprobes on the
#             libssl h2load uses that only count SSL_write and SSL_read
#             (needs root and kernel BPF; BENCH_PEERS=0 leaves both out)
#  server     nginx traced as a server (httptrace -f summary -- nginx, a
#             second nginx beside the untraced one, same config, own ports):
#             wrk -t1 -c8 keep-alive and h2load over TLS against the
#             untraced nginx, the traced one, and the traced one with the
#             client traced too; and callgrind's instructions added to nginx
#             (master_process off) per request served, from SCG_N vs 10
#             requests on one connection (http/1.1 and h2 over TLS)
#  dd         one-byte reads and writes on untracked fds (dd bs=1)
#  procs      processes that never use the network: sh running /bin/true
#             PROCS_N=300 times, CPU (user+sys) untraced, with the floors
#             (LD_PRELOAD of an empty library, of one whose constructor
#             calls getenv: Makefile BENCH_FLOORS), with the library off
#             (no HTTPTRACE_SOCKET), under httptrace -f summary -o /dev/null
#             (collector included) and with LD_PRELOAD + HTTPTRACE_SOCKET of
#             a `listen` collector; the same per process from a driver that
#             alternates them run by run (scripts/bench/spawn.c), with one
#             floor more: a library as large as libhttptrace.so whose
#             constructor calls getenv (scripts/bench/floor_sized.c); callgrind's
#             instructions the library adds to one /bin/true; and its system
#             calls (strace)
#  collector  the collector alone: records/s from 4 synthetic writers
#             (-f summary, -f json, and -w FILE: the raw capture only),
#             batched 1 and 32 records per message
#  memory     max RSS of a client making 100 vs 100,000 requests on one
#             connection, and 100 vs 10,000 connections (ab), untraced and
#             traced
#  collmem    the collector's max RSS (httptrace -f summary, its per-host
#             state: percentiles, hosts, connections) after 100,000 and
#             after 5,000,000 synthetic records from one writer: the same
#             within 1 MB when its memory does not grow with the records
#  callgrind  figures noise cannot move, counted by valgrind --tool=callgrind:
#             instructions added to curl per request (CG_N=200 requests on
#             one connection, http and https), to each connect/close of a
#             loop of them (scripts/bench/connects.c), and the collector's
#             instructions per record from the synthetic producer (its
#             client records, and a traced server's: not held with no traced
#             client, held by the joiner when one may exist)
#
# Knobs: ROUNDS (5), WRK_SECONDS (5), H2_N (100000), DD_COUNT (1000000),
# BENCH_PEERS (1), CG_N (200), CG_RECORDS (20000), CG_REPEAT (3), PROCS_N (300),
# SCG_N (1000).
# shellcheck source=../tests/integration/lib.sh
. "$(dirname "$0")/../tests/integration/lib.sh"
require_built
ROUNDS=${ROUNDS:-5}
WRK_SECONDS=${WRK_SECONDS:-5}
H2_N=${H2_N:-100000}
DD_COUNT=${DD_COUNT:-1000000}
BENCH_PEERS=${BENCH_PEERS:-1}
CG_N=${CG_N:-200}
CG_RECORDS=${CG_RECORDS:-20000}
CG_REPEAT=${CG_REPEAT:-3}
PROCS_N=${PROCS_N:-300}
SCG_N=${SCG_N:-1000}
PATH=$PATH:/usr/sbin

ALL_SECTIONS="wrk h2load server dd procs collector memory collmem callgrind"
SECTIONS=${*:-${BENCH_ONLY:-$ALL_SECTIONS}}
for s in $SECTIONS; do
	case " $ALL_SECTIONS " in
	*" $s "*) ;;
	*) echo "bench: unknown section '$s' (sections: $ALL_SECTIONS)" >&2; exit 2 ;;
	esac
done
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

need=""
want wrk && need="$need wrk"
want h2load && need="$need h2load"
want server && need="$need wrk h2load valgrind curl"
want memory && need="$need ab"
want callgrind && need="$need valgrind curl"
want procs && need="$need valgrind"
# every section but collector and collmem runs against nginx
needs_nginx() { want wrk || want h2load || want server || want dd || want memory || want callgrind; }
needs_nginx && need="$need nginx"
for c in $need; do
	command -v "$c" >/dev/null || { echo "bench: $c missing (make bench installs it)"; exit 1; }
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
# row LABEL VALUE [RATIO]: one line of a comparison table
row() { printf '  %-50s %9.0f req/s%s\n' "$1" "${2:-0}" "${3:+  ratio $3}"; }
# skipped LABEL REASON: the line of a row that could not run
skipped() { printf '  %-50s skipped: %s\n' "$1" "$2"; }
# rotate N WORD...: the words, starting from the (N mod count)th: each round
# runs its variants in another order, so that none is always the one run
# right after the untraced run
rotate() { local n=$1; shift; local a=("$@"); local i; for ((i = 0; i < ${#a[@]}; i++)); do echo "${a[(i + n) % ${#a[@]}]}"; done; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
[ "$SECTIONS" != callgrind ] &&
	echo "rounds: $ROUNDS of each, alternating; figures are medians; ratio: traced / untraced"
echo

# nginx_conf FILE HTTP_PORT TLS_PORT NAME [TOP_LINE]: nginx tuned for load
# (no access log, connections never recycled), everything in $d, its pid in
# $d/NAME.pid; TOP_LINE goes at the top (e.g. "master_process off;")
nginx_conf() {
	local user_line=""
	[ "$(id -u)" -eq 0 ] && user_line="user root;"
	cat >"$1" <<NGX
$user_line
${5:-}
daemon off;
worker_processes 1;
pid $d/$4.pid;
error_log $d/$4.error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    server { listen 127.0.0.1:$2; root $d/root; }
    server {
        listen 127.0.0.1:$3 ssl http2;
        root $d/root;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
    }
}
NGX
}

if needs_nginx; then
	d=$T/nginx
	mkdir -p "$d/root" "$d/tmp"
	head -c 612 /dev/zero | tr '\0' x >"$d/root/index.html"
	make_cert
	HTTP_PORT=$(free_port 127.0.0.1)
	TLS_PORT=$(free_port 127.0.0.1)
	nginx_conf "$d/nginx.conf" "$HTTP_PORT" "$TLS_PORT" nginx
	nginx -c "$d/nginx.conf" 2>"$d/nginx.err" &
	_PIDS+=($!)
	wait_port 127.0.0.1 "$HTTP_PORT" && wait_port 127.0.0.1 "$TLS_PORT" || { cat "$d/nginx.err"; exit 1; }
fi

producer_built=0
build_producer() {
	[ "$producer_built" = 1 ] && return 0
	cc -O2 -I"$TOP/core" -o "$T/producer" "$TOP/scripts/bench/producer.c" "$TOP/core/wire.c" "$TOP/core/live.c"
	producer_built=1
}

# Ir of one run from its callgrind output file
cg_ir() { awk '/^summary:/ { print $2 }' "$1"; }

# summary_field FILE PATTERN: the number after PATTERN in a -f summary report
summary_field() { sed -n "s/.*$2 *\([0-9][0-9]*\).*/\1/p" "$1" | head -1; }

# --- wrk: -f json, -w (capture), -f summary ---------------------------------------
# The capture option (httptrace -w FILE -- CMD) is newer than this script's
# first version: its row is skipped, with a line saying so, when this
# httptrace's --help does not offer -w.
has_capture() { "$HTTPTRACE" --help 2>&1 | grep -Eq -- '(^|[^[:alnum:]-])-w([ ,]|$)'; }

wrk_run() { # wrk_run VARIANT: one wrk run; appends req/s to $T/wrk.rate.VARIANT, details to ....d
	local v=$1 pre=() rc=0 done_n
	case $v in
	json) pre=("$HTTPTRACE" -f json -o "$T/wrk.json" --) ;;
	capture) rm -f "$T/wrk.cap"; pre=("$HTTPTRACE" -w "$T/wrk.cap" --) ;;
	summary) pre=("$HTTPTRACE" -f summary -o "$T/wrk.sum" --) ;;
	esac
	"${pre[@]}" wrk -t1 -c8 -d"${WRK_SECONDS}s" "http://127.0.0.1:$HTTP_PORT/" \
		>"$T/w.out" 2>"$T/w.err" || rc=$?
	awk '/Requests\/sec/ { print $2 }' "$T/w.out" >>"$T/wrk.rate.$v"
	done_n=$(awk '/requests in/ { print $1 }' "$T/w.out")
	case $v in
	json)
		local rec_n ok_n drops
		rec_n=$(grep -c '"event":"request"' "$T/wrk.json" || true)
		ok_n=$(grep -c '"event":"request".*"error":null' "$T/wrk.json" || true)
		drops=$("$PY" -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1]) if "\"summary\"" in l][0]; print(s["dropped"])' "$T/wrk.json" 2>/dev/null || echo "?")
		echo "wrk completed $done_n, records $rec_n ($ok_n without error: requests cut off when wrk stops), dropped $drops, exit $rc" ;;
	capture)
		local size
		size=$(stat -c %s "$T/wrk.cap" 2>/dev/null || echo 0)
		echo "wrk completed $done_n, capture $size bytes ($(awk -v s="$size" -v n="${done_n:-0}" 'BEGIN { printf "%.0f", (n > 0 ? s / n : 0) }') per request), report on stderr $(stat -c %s "$T/w.err") bytes, exit $rc" ;;
	summary)
		echo "wrk completed $done_n, summary requests $(summary_field "$T/wrk.sum" 'requests:'), dropped requests $(summary_field "$T/wrk.sum" 'dropped by the traced processes:'), exit $rc" ;;
	*) echo "wrk completed $done_n, exit $rc" ;;
	esac >>"$T/wrk.rate.$v.d"
}

if want wrk; then
	variants="u json capture summary"
	cap_skip=""
	if ! has_capture; then
		cap_skip="this httptrace has no -w (its --help does not list it)"
		variants="u json summary"
	fi
	for v in $variants; do : >"$T/wrk.rate.$v"; : >"$T/wrk.rate.$v.d"; done
	for r in $(seq "$ROUNDS"); do
		# shellcheck disable=SC2086
		for v in $(rotate "$r" $variants); do wrk_run "$v"; done
	done
	u=$(median <"$T/wrk.rate.u")
	echo "wrk -t1 -c8 -d${WRK_SECONDS}s, HTTP/1.1 keep-alive, nginx"
	row "untraced" "$u"
	for v in json capture summary; do
		case $v in
		json) label="httptrace -f json -o FILE" ;;
		capture) label="httptrace -w FILE (raw capture)" ;;
		summary) label="httptrace -f summary" ;;
		esac
		if [ "$v" = capture ] && [ -n "$cap_skip" ]; then
			skipped "$label" "$cap_skip"
			continue
		fi
		t=$(median <"$T/wrk.rate.$v")
		row "$label" "$t" "$(ratio "$t" "$u")"
		awk '{ printf "      round %d: %s\n", NR, $0 }' "$T/wrk.rate.$v.d"
	done
	echo
fi

# --- h2load over TLS, and the peers ----------------------------------------------
# The bpftrace peer probes a private copy of the libssl h2load uses, which
# only h2load loads (LD_LIBRARY_PATH): a uprobe traps in every process that
# maps the probed file, and bpftrace 0.17's -c does not limit it to the
# child, so probing the system's libssl would also slow nginx (same libssl,
# same 2 cores) and charge that to the client.

# bpftrace_check: can bpftrace attach count-only uprobes to $BT_LIB here?
# Sets BT_SKIP to the reason when not.
bpftrace_check() {
	BT_SKIP=""
	if ! command -v bpftrace >/dev/null; then
		BT_SKIP="bpftrace not installed (make bench installs it)"
	elif [ "$(id -u)" -ne 0 ]; then
		BT_SKIP="not root (bpftrace needs root)"
	elif [ -z "$SSL_LIB" ]; then
		BT_SKIP="no libssl found in ldd $(command -v h2load)"
	elif ! timeout 30 bpftrace -e 'BEGIN { exit(); }' >"$T/bt.check" 2>&1; then
		BT_SKIP="bpftrace cannot run here (no BPF?): $(grep -v RLIMIT_MEMLOCK "$T/bt.check" | grep -m1 . || echo "timed out or failed")"
	elif ! mkdir -p "$T/ssl" || ! cp "$SSL_LIB" "$BT_LIB"; then
		BT_SKIP="could not copy $SSL_LIB"
	elif ! timeout 30 bpftrace -e "uprobe:$BT_LIB:SSL_write { @w = count(); } BEGIN { exit(); }" >"$T/bt.check" 2>&1; then
		BT_SKIP="bpftrace cannot attach a uprobe (no uprobe support?): $(grep -v RLIMIT_MEMLOCK "$T/bt.check" | grep -m1 . || echo "timed out or failed")"
	fi
}

h2_run() { # h2_run VARIANT: one h2load run; appends req/s to $T/h2.rate.VARIANT, details to ....d
	local v=$1 rc=0 succ
	local cmd=(h2load -n "$H2_N" -c 4 -m 10 "https://127.0.0.1:$TLS_PORT/")
	case $v in
	u) "${cmd[@]}" ;;
	json) "$HTTPTRACE" -f json -o "$T/h2.json" -- "${cmd[@]}" ;;
	strace) strace -f -qq -e trace=network,read,write -o /dev/null "${cmd[@]}" ;;
	# bpftrace -c wants a path to one binary, and splits the command on spaces
	bpftrace)
		cmd[0]=$(command -v h2load)
		LD_LIBRARY_PATH=$T/ssl bpftrace -c "${cmd[*]}" -e "$BT_PROG" ;;
	esac >"$T/h.out" 2>"$T/h.err" || rc=$?
	awk '/^finished in/ { print $4 }' "$T/h.out" >>"$T/h2.rate.$v"
	succ=$(awk '/^requests:/ { print $8 }' "$T/h.out")
	case $v in
	json) echo "h2load succeeded $succ, records with status 200 $(grep -c '"event":"request".*"status":200' "$T/h2.json" || true), exit $rc" ;;
	bpftrace) echo "h2load succeeded $succ, SSL_write $(awk '/^@w:/ { print $2 }' "$T/h.out") calls, SSL_read $(awk '/^@r:/ { print $2 }' "$T/h.out") calls, exit $rc" ;;
	*) echo "h2load succeeded $succ, exit $rc" ;;
	esac >>"$T/h2.rate.$v.d"
}

if want h2load; then
	SSL_LIB=$(ldd "$(command -v h2load)" | awk '$1 ~ /^libssl\.so/ { print $3; exit }')
	BT_LIB=$T/ssl/${SSL_LIB##*/}
	BT_PROG="uprobe:$BT_LIB:SSL_write { @w = count(); } uprobe:$BT_LIB:SSL_read { @r = count(); }"
	variants="u json"
	st_skip="" BT_SKIP=""
	if [ "$BENCH_PEERS" = 0 ]; then
		st_skip="BENCH_PEERS=0"; BT_SKIP="BENCH_PEERS=0"
	else
		if ! command -v strace >/dev/null; then
			st_skip="strace not installed (make bench installs it)"
		elif ! strace -f -qq -e trace=network -o /dev/null true >"$T/st.check" 2>&1; then
			st_skip="strace cannot trace here: $(head -1 "$T/st.check")"
		else
			variants="$variants strace"
		fi
		bpftrace_check
		[ -z "$BT_SKIP" ] && variants="$variants bpftrace"
	fi
	for v in $variants; do : >"$T/h2.rate.$v"; : >"$T/h2.rate.$v.d"; done
	for r in $(seq "$ROUNDS"); do
		# shellcheck disable=SC2086
		for v in $(rotate "$r" $variants); do h2_run "$v"; done
	done
	u=$(median <"$T/h2.rate.u")
	echo "h2load -n $H2_N -c 4 -m 10, h2 over TLS, nginx"
	row "untraced" "$u"
	for v in json strace bpftrace; do
		case $v in
		json) label="httptrace -f json -o FILE"; skip="" ;;
		strace) label="strace -f -e trace=network,read,write"; skip=$st_skip ;;
		bpftrace) label="bpftrace: uprobes SSL_write/SSL_read, count only"; skip=$BT_SKIP ;;
		esac
		if [ -n "$skip" ]; then
			skipped "$label" "$skip"
			continue
		fi
		t=$(median <"$T/h2.rate.$v")
		row "$label" "$t" "$(ratio "$t" "$u")"
		awk '{ printf "      round %d: %s\n", NR, $0 }' "$T/h2.rate.$v.d"
	done
	[ -z "$BT_SKIP" ] && echo "  (bpftrace probes a copy of $SSL_LIB that only h2load loads)"
	echo
fi

# --- nginx traced as a server -----------------------------------------------------
# A second nginx, the same configuration on ports of its own, runs under
# httptrace -f summary (its accepted connections tracked: the server side);
# the untraced nginx above is the baseline.  Each round loads the untraced
# one, the traced one, and the traced one from a traced client, in an
# order that rotates.  Only the end of the traced server's collector has its
# count: the requests it recorded are set against the sum of what the
# clients completed (a client stopping mid-request leaves one the server
# may have answered).

# worker_ns NAME: nanoseconds nginx NAME's one worker has run on a CPU
# (/proc/PID/schedstat: the scheduler's count, not 10 ms ticks)
# (the worker may not be forked yet when the port answers: waited for)
worker_ns() {
	local w="" _
	for _ in $(seq 50); do
		w=$(pgrep -P "$(cat "$d/$1.pid" 2>/dev/null)" 2>/dev/null | head -1)
		[ -n "$w" ] && [ -r "/proc/$w/schedstat" ] && break
		sleep 0.1
	done
	[ -n "$w" ] || { echo "bench.sh: no worker of nginx $1" >&2; echo 0; return; }
	awk '{ print $1 }' "/proc/$w/schedstat"
}
# srv_run TOOL VARIANT: one wrk or h2load run; appends req/s to
# $T/srv.TOOL.VARIANT, the completed count to ....n, the nginx worker's
# CPU nanoseconds over the run to ....cpu
srv_run() {
	local tool=$1 v=$2 pre=() port=$HTTP_PORT tport=$TLS_PORT rc=0 name=nginx c0
	case $v in
	srv) port=$SHTTP_PORT; tport=$STLS_PORT; name=traced ;;
	both) port=$SHTTP_PORT; tport=$STLS_PORT; name=traced
		pre=("$HTTPTRACE" -f summary -o "$T/srv.cli.sum" --) ;;
	esac
	c0=$(worker_ns "$name")
	if [ "$tool" = wrk ]; then
		"${pre[@]}" wrk -t1 -c8 -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/" \
			>"$T/s.out" 2>"$T/s.err" || rc=$?
		awk '/Requests\/sec/ { print $2 }' "$T/s.out" >>"$T/srv.$tool.$v"
		awk '/requests in/ { print $1 }' "$T/s.out" >>"$T/srv.$tool.$v.n"
	else
		"${pre[@]}" h2load -n "$H2_N" -c 4 -m 10 "https://127.0.0.1:$tport/" \
			>"$T/s.out" 2>"$T/s.err" || rc=$?
		awk '/^finished in/ { print $4 }' "$T/s.out" >>"$T/srv.$tool.$v"
		awk '/^requests:/ { print $8 }' "$T/s.out" >>"$T/srv.$tool.$v.n"
	fi
	echo $(($(worker_ns "$name") - c0)) >>"$T/srv.$tool.$v.cpu"
	[ "$rc" = 0 ] || echo "  ($tool $v exited $rc: $(head -c 200 "$T/s.err"))"
}
# spread FILE: "min-max" of the numbers in FILE
spread() { sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }
# cpu_per_req PREFIX: microseconds of CPU per request over the runs of
# PREFIX.cpu (nanoseconds) and PREFIX.n (requests); %.0f, not %d, which
# mawk caps at 2^31
cpu_per_req() {
	awk 'FILENAME ~ /\.cpu$/ { c += $1; next } { n += $1 }
	     END { printf "%.3f\n", (n > 0 ? c / n / 1000 : 0) }' "$1.cpu" "$1.n"
}
# sum FILE: the numbers in FILE added up
sum() { awk '{ s += $1 } END { printf "%d", s }' "$1"; }

# scg_nginx1 N untraced|traced http|h2: Ir of one nginx (master_process
# off: one process, all of it under valgrind --tool=callgrind) started,
# serving N requests curl makes on one connection, and stopped (SIGQUIT)
scg_nginx1() {
	local n=$1 mode=$2 proto=$3 pre=() port tport wpid up=0 url args=()
	port=$(free_port 127.0.0.1); tport=$(free_port 127.0.0.1)
	nginx_conf "$d/cg.conf" "$port" "$tport" cg "master_process off;"
	[ "$mode" = traced ] && pre=("$HTTPTRACE" -f json -o "$T/scg.json" --)
	rm -f "$T/scg.out" "$d/cg.pid"
	"${pre[@]}" valgrind --tool=callgrind --callgrind-out-file="$T/scg.out" \
		nginx -c "$d/cg.conf" >"$T/scg.err" 2>&1 &
	wpid=$!
	for _ in 1 2 3 4 5 6; do
		wait_port 127.0.0.1 "$tport" "$wpid" && { up=1; break; }
	done
	[ -s "$d/cg.pid" ] || sleep 1
	if [ "$up" = 0 ] || [ ! -s "$d/cg.pid" ]; then
		cat "$T/scg.err" >&2; kill "$wpid" 2>/dev/null; wait "$wpid"; echo 0; return
	fi
	case $proto in
	http) url="http://127.0.0.1:$port" ;;
	h2) url="https://127.0.0.1:$tport"; args=(--http2 --cacert "$T/cert.pem") ;;
	esac
	curl -s "${args[@]}" "$url/index.html?n=[1-$n]" >/dev/null 2>>"$T/scg.err"
	# SIGQUIT, again each second until its pid file is gone (nginx removes
	# it on exit): under valgrind, nginx sometimes misses the first one
	for _ in $(seq 60); do
		[ -s "$d/cg.pid" ] || break
		kill -QUIT "$(cat "$d/cg.pid")" 2>/dev/null || break
		sleep 1
	done
	wait "$wpid" || { cat "$T/scg.err" >&2; echo 0; return; }
	cg_ir "$T/scg.out"
}
scg_nginx() { # the median of CG_REPEAT scg_nginx1 runs
	local _
	for _ in $(seq "$CG_REPEAT"); do scg_nginx1 "$@"; done | median
}

if want server; then
	SHTTP_PORT=$(free_port 127.0.0.1)
	STLS_PORT=$(free_port 127.0.0.1)
	nginx_conf "$d/traced.conf" "$SHTTP_PORT" "$STLS_PORT" traced
	"$HTTPTRACE" -f summary -o "$T/srv.sum" -- nginx -c "$d/traced.conf" 2>"$d/traced.err" &
	spid=$!
	_PIDS+=("$spid")
	wait_port 127.0.0.1 "$SHTTP_PORT" "$spid" && wait_port 127.0.0.1 "$STLS_PORT" "$spid" ||
		{ cat "$d/traced.err"; exit 1; }
	variants="u srv both"
	for tool in wrk h2load; do
		for v in $variants; do
			: >"$T/srv.$tool.$v"; : >"$T/srv.$tool.$v.n"; : >"$T/srv.$tool.$v.cpu"
		done
	done
	for r in $(seq "$ROUNDS"); do
		# shellcheck disable=SC2086
		for v in $(rotate "$r" $variants); do srv_run wrk "$v"; srv_run h2load "$v"; done
	done
	# the collector's CPU (user + system) over every round: what it
	# takes from the two cores nginx and its clients share
	col_ticks=$(awk '{ print $14 + $15 }' "/proc/$spid/stat" 2>/dev/null || echo 0)
	# nginx's master writes its pid file; SIGQUIT: a graceful stop, then
	# the collector writes its summary
	kill -QUIT "$(cat "$d/traced.pid")"
	wait "$spid"
	for tool in wrk h2load; do
		case $tool in
		wrk) echo "nginx traced as a server: wrk -t1 -c8 -d${WRK_SECONDS}s, HTTP/1.1 keep-alive" ;;
		h2load) echo "nginx traced as a server: h2load -n $H2_N -c 4 -m 10, h2 over TLS" ;;
		esac
		u=$(median <"$T/srv.$tool.u")
		row "untraced client, untraced nginx" "$u"
		echo "      rounds: $(tr '\n' ' ' <"$T/srv.$tool.u")(spread $(spread "$T/srv.$tool.u"))"
		for v in srv both; do
			case $v in
			srv) label="untraced client, nginx traced (server side)" ;;
			both) label="traced client, nginx traced" ;;
			esac
			t=$(median <"$T/srv.$tool.$v")
			row "$label" "$t" "$(ratio "$t" "$u")"
			echo "      rounds: $(tr '\n' ' ' <"$T/srv.$tool.$v")(spread $(spread "$T/srv.$tool.$v"))"
		done
		# what a server notices: its worker's CPU per request served,
		# over every round (the scheduler's nanoseconds: steadier than
		# the rate, which the two cores' sharing moves)
		uc=$(cpu_per_req "$T/srv.$tool.u")
		line="  nginx worker CPU per request: untraced ${uc} us"
		for v in srv both; do
			line="$line, $v $(cpu_per_req "$T/srv.$tool.$v" |
				awk -v u="$uc" '{ printf "%.3f us (%+.3f; untraced/traced %.3f)", $1, $1 - u, ($1 > 0 ? u / $1 : 0) }')"
		done
		echo "$line"
	done
	echo "  traced nginx: clients completed $(($(sum "$T/srv.wrk.srv.n") + $(sum "$T/srv.wrk.both.n") + $(sum "$T/srv.h2load.srv.n") + $(sum "$T/srv.h2load.both.n"))) requests;" \
		"its collector: $(sed -n 's/^ *served by traced servers: *//p' "$T/srv.sum" | head -1)," \
		"dropped requests $(summary_field "$T/srv.sum" 'dropped by the traced processes:')"
	served=$(sed -n 's/^ *served by traced servers: *\([0-9]*\).*/\1/p' "$T/srv.sum" | head -1)
	awk -v t="$col_ticks" -v hz="$(getconf CLK_TCK)" -v n="${served:-0}" 'BEGIN {
		printf "  its collector (httptrace -f summary): %.2f s of CPU, %.2f us per record\n",
			t / hz, (n > 0 ? 1e6 * t / hz / n : 0) }'
	echo

	echo "callgrind: instructions (Ir) added to nginx (master_process off) per request served,"
	echo "curl making $SCG_N vs 10 requests on one connection (index.html, 612 bytes), nginx untraced"
	echo "vs under httptrace -f json; medians of $CG_REPEAT runs; each run starts and stops nginx"
	for proto in http h2; do
		case $proto in
		http) label="http://, HTTP/1.1" ;;
		h2) label="https://, h2 over TLS" ;;
		esac
		u1=$(scg_nginx 10 untraced "$proto"); t1=$(scg_nginx 10 traced "$proto")
		uN=$(scg_nginx "$SCG_N" untraced "$proto"); tN=$(scg_nginx "$SCG_N" traced "$proto")
		rec=$(grep -c '"event":"request","side":"server".*"status":200' "$T/scg.json" || true)
		awk -v l="$label" -v n="$SCG_N" -v u1="$u1" -v t1="$t1" -v u="$uN" -v t="$tN" 'BEGIN {
			m = ((t - u) - (t1 - u1)) / (n - 10); mu = (u - u1) / (n - 10)
			printf "  %-28s untraced %11d  traced %11d Ir (%d requests)\n", l, u, t, n
			printf "      each request: untraced %6.0f Ir, added %6.0f (%+.1f%%); added once per process (start, stop): %7.0f\n",
				mu, m, (mu > 0 ? 100 * m / mu : 0), (t1 - u1) - 10 * m }'
		echo "      last traced run: $rec server records with status 200"
	done
	echo
fi

# --- untracked fds ----------------------------------------------------------
if want dd; then
	: >"$T/dd.u"; : >"$T/dd.t"
	for _ in $(seq "$ROUNDS"); do
		/usr/bin/time -f %e -o "$T/t" dd if=/dev/zero of=/dev/null bs=1 count="$DD_COUNT" 2>/dev/null
		cat "$T/t" >>"$T/dd.u"
		"$HTTPTRACE" -o /dev/null -- /usr/bin/time -f %e -o "$T/t" \
			dd if=/dev/zero of=/dev/null bs=1 count="$DD_COUNT" 2>/dev/null
		cat "$T/t" >>"$T/dd.t"
	done
	u=$(median <"$T/dd.u"); t=$(median <"$T/dd.t")
	printf '%-44s untraced %8.2fs  traced %8.2fs        speed ratio %s\n\n' \
		"dd bs=1 count=$DD_COUNT (untracked fds)" "$u" "$t" "$(ratio "$u" "$t")"
fi

# --- processes that never use the network ------------------------------------
# The floors (Makefile BENCH_FLOORS, built with the library's own flags): an
# empty library, and one whose constructor only calls getenv: what any
# preloaded library costs, against which the library's own share is told.
FLOOR_DIR=$(dirname "$LIBHTTPTRACE")/bench
build_floors() {
	[ -s "$FLOOR_DIR/libfloor_empty.so" ] && [ -s "$FLOOR_DIR/libfloor_getenv.so" ] && return 0
	make -s -C "$TOP" "B=${FLOOR_DIR%/bench}" "${FLOOR_DIR%/bench}/bench/libfloor_empty.so" \
		"${FLOOR_DIR%/bench}/bench/libfloor_getenv.so" >&2
}
# procs_run VARIANT: CPU seconds (user+sys, of the command and its children:
# the shell, its PROCS_N /bin/true and, traced, the collector) appended to
# $T/procs.VARIANT
procs_run() {
	local v=$1 pre=() loop
	loop="i=0; while [ \$i -lt $PROCS_N ]; do /bin/true; i=\$((i+1)); done"
	case $v in
	empty) pre=(env "LD_PRELOAD=$FLOOR_DIR/libfloor_empty.so") ;;
	getenv) pre=(env "LD_PRELOAD=$FLOOR_DIR/libfloor_getenv.so") ;;
	off) pre=(env "LD_PRELOAD=$LIBHTTPTRACE") ;;
	summary) pre=("$HTTPTRACE" -f summary -o "$T/procs.sum" --) ;;
	env) pre=(env "LD_PRELOAD=$LIBHTTPTRACE" "HTTPTRACE_SOCKET=$T/procs.sock") ;;
	esac
	# bash's time: milliseconds (/usr/bin/time prints hundredths)
	local TIMEFORMAT="%3U %3S"
	{ time "${pre[@]}" sh -c "$loop" 2>/dev/null; } 2>"$T/procs.t"
	awk '{ printf "%.3f\n", $1 + $2 }' "$T/procs.t" >>"$T/procs.$v"
}
# cg_true [VAR=VALUE...]: Ir of one /bin/true in that environment
cg_true() {
	rm -f "$T/cgt.out"
	env "$@" valgrind --tool=callgrind --callgrind-out-file="$T/cgt.out" /bin/true 2>/dev/null
	cg_ir "$T/cgt.out"
}
# syscalls_true [VAR=VALUE...]: the system calls of one /bin/true after its
# execve, by name with counts
syscalls_true() {
	env "$@" strace -qq -o "$T/st.out" /bin/true 2>/dev/null || { echo "(strace failed)"; return; }
	sed -n '2,$s/(.*//p' "$T/st.out" | sort | uniq -c | awk '{ printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1 }'
}

if want procs; then
	build_floors
	variants="u empty getenv off summary env"
	"$HTTPTRACE" listen -s "$T/procs.sock" -f summary -o "$T/procs.listen" 2>/dev/null &
	lpid=$!
	_PIDS+=("$lpid")
	for _ in $(seq 50); do [ -S "$T/procs.sock" ] && break; sleep 0.1; done
	for v in $variants; do : >"$T/procs.$v"; done
	for r in $(seq "$ROUNDS"); do
		# shellcheck disable=SC2086
		for v in $(rotate "$r" $variants); do procs_run "$v"; done
	done
	kill -TERM "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
	u=$(median <"$T/procs.u")
	echo "sh -c 'while ...: /bin/true' x$PROCS_N, processes that never use the network; CPU (user+sys) seconds"
	printf '  %-62s %9.3f s\n' "untraced" "$u"
	for v in empty getenv off summary env; do
		case $v in
		empty) label="floor: LD_PRELOAD of an empty library" ;;
		getenv) label="floor: LD_PRELOAD of a library whose constructor calls getenv" ;;
		off) label="LD_PRELOAD of libhttptrace.so, HTTPTRACE_SOCKET unset (off)" ;;
		summary) label="httptrace -f summary -o /dev/null (with collector)" ;;
		env) label="LD_PRELOAD + HTTPTRACE_SOCKET (listen collector)" ;;
		esac
		t=$(median <"$T/procs.$v")
		printf '  %-62s %9.3f s  ratio %s\n' "$label" "$t" "$(ratio "$t" "$u")"
	done
	echo "      summary: processes with requests $(summary_field "$T/procs.sum" 'processes:'), traced $(sed -n 's/.*(\([0-9]*\) traced).*/\1/p' "$T/procs.sum" | head -1), requests $(summary_field "$T/procs.sum" 'requests:')"
	# The same, one process at a time: a small driver forks and execs
	# /bin/true with each preload in turn, run after run, so that the
	# noise of a shared machine falls on all alike; medians of
	# PROCS_N * ROUNDS runs each.
	# -z now: each forked child would otherwise bind execve lazily
	# itself (the parent never calls it), about 8 page faults of the
	# loader's in every run, noise on each variant alike
	cc -O2 -Wl,-z,now -o "$T/spawn" "$TOP/scripts/bench/spawn.c"
	# the floor as large as the library: its two LOAD segments' sizes
	# in the file (the text with the read-only data; the data)
	read -r rx rw < <(readelf -lW "$LIBHTTPTRACE" | awk '$1 == "LOAD" { printf "%s ", $5 } END { print "" }')
	rm -f "$FLOOR_DIR/libfloor_sized.so"
	make -s -C "$TOP" "B=${FLOOR_DIR%/bench}" "FLOOR_SIZES=-DFLOOR_RX=$((rx)) -DFLOOR_RW=$((rw))" \
		"$FLOOR_DIR/libfloor_sized.so" >&2
	"$T/spawn" $((PROCS_N * ROUNDS)) /bin/true - "$FLOOR_DIR/libfloor_empty.so" \
		"$FLOOR_DIR/libfloor_getenv.so" "$FLOOR_DIR/libfloor_sized.so" \
		"+$LIBHTTPTRACE" "$LIBHTTPTRACE" >"$T/spawn.out"
	echo "one /bin/true, fork to wait4, $((PROCS_N * ROUNDS)) runs of each in turn: median wall µs, mean CPU µs and minor faults (rusage)"
	while read -r what wall cpu flt; do
		case $what in
		-) label="untraced"; u=$wall ;;
		*floor_empty*) label="floor: empty library" ;;
		*floor_getenv*) label="floor: constructor calls getenv" ;;
		*floor_sized*) label="floor: the same, as large as libhttptrace.so" ;;
		+*) label="libhttptrace.so, off (HTTPTRACE_SOCKET unset)" ;;
		*) label="libhttptrace.so, on (HTTPTRACE_SOCKET set, never connects)" ;;
		esac
		printf '  %-62s %7.1f µs  ratio %s  CPU %6.1f µs  faults %5.1f\n' "$label" "$wall" "$(ratio "$wall" "$u")" "$cpu" "$flt"
	done <"$T/spawn.out"
	cu=$(cg_true); ce=$(cg_true "LD_PRELOAD=$FLOOR_DIR/libfloor_empty.so")
	ct=$(cg_true "LD_PRELOAD=$LIBHTTPTRACE" "HTTPTRACE_SOCKET=$T/procs.none")
	printf '  callgrind, one /bin/true: untraced %d Ir, traced %d Ir, added once per process %d Ir (an empty library: %d)\n' \
		"$cu" "$ct" "$((ct - cu))" "$((ce - cu))"
	if command -v strace >/dev/null; then
		echo "  system calls of one /bin/true, untraced: $(syscalls_true)"
		echo "      with an empty library: $(syscalls_true "LD_PRELOAD=$FLOOR_DIR/libfloor_empty.so")"
		echo "      traced: $(syscalls_true "LD_PRELOAD=$LIBHTTPTRACE" "HTTPTRACE_SOCKET=$T/procs.none")"
	fi
	echo
fi

# --- the collector alone ------------------------------------------------------
if want collector; then
	build_producer
	# json-null: the same JSON into /dev/null, formatting without the
	# page cache's share (a file takes ~1 GB per million records)
	for fmt in summary json json-null capture; do
		if [ "$fmt" = capture ]; then
			out=(-w "$T/c.cap") what="collector -w FILE"
		elif [ "$fmt" = json-null ]; then
			out=(-f json -o /dev/null) what="collector -f json -o /dev/null"
		else
			out=(-f "$fmt" -o "$T/c.out") what="collector -f $fmt"
		fi
		for batch in 1 32; do
			: >"$T/c.rate"
			for _ in $(seq "$ROUNDS"); do
				# (-w alone notes what it wrote on standard error)
				/usr/bin/time -f "%e %U %S" -o "$T/outer" "$HTTPTRACE" "${out[@]}" -- \
					/usr/bin/time -f "%U %S" -o "$T/inner" "$T/producer" 4 250000 "$batch" \
					2>>"$T/c.err"
				n=1000000
				# records/s of the collector's own CPU (outer minus the
				# producers), and of the wall clock (shared with them)
				read -r wall ou os <"$T/outer"; read -r iu is <"$T/inner"
				awk -v n=$n -v w="$wall" -v c="$(awk -v a="$ou" -v b="$os" -v x="$iu" -v y="$is" 'BEGIN { print a + b - x - y }')" \
					'BEGIN { printf "%.0f %.0f\n", (c > 0 ? n / c : 0), n / w }' >>"$T/c.rate"
			done
			cpu=$(cut -d' ' -f1 "$T/c.rate" | median); wall=$(cut -d' ' -f2 "$T/c.rate" | median)
			printf '%-50s %9.0f records/s of collector CPU, %9.0f records/s wall\n' \
				"$what, 4 writers, batch $batch" "$cpu" "$wall"
		done
	done
	rm -f "$T/c.cap"
	echo
fi

# --- memory --------------------------------------------------------------------
rss() { # rss N C K [traced]: max RSS (KiB) of ab -n N -c C [-k when K=1]
	local k="" pre=()
	[ "$3" = 1 ] && k=-k
	[ "${4:-}" = traced ] && pre=("$HTTPTRACE" -f summary -o /dev/null --)
	# shellcheck disable=SC2086
	"${pre[@]}" /usr/bin/time -f %M -o "$T/rss" \
		ab -q $k -n "$1" -c "$2" "http://127.0.0.1:$HTTP_PORT/" >/dev/null 2>&1
	cat "$T/rss"
}
if want memory; then
	printf '%-44s untraced %6s -> %6s KiB, traced %6s -> %6s KiB\n' \
		"ab -k, 100 -> 100000 requests on one conn" "$(rss 100 1 1)" "$(rss 100000 1 1)" \
		"$(rss 100 1 1 traced)" "$(rss 100000 1 1 traced)"
	printf '%-44s untraced %6s -> %6s KiB, traced %6s -> %6s KiB\n\n' \
		"ab, 100 -> 10000 connections (max RSS)" "$(rss 100 1 0)" "$(rss 10000 1 0)" \
		"$(rss 100 1 0 traced)" "$(rss 10000 1 0 traced)"
fi

# --- the collector's memory over many records -----------------------------------
# collector_rss N: max RSS (KiB) of httptrace -f summary fed N records by one
# writer (/usr/bin/time reports the largest of it and its child, the
# producer, which stays near 1 MB)
collector_rss() {
	/usr/bin/time -f %M -o "$T/crss" "$HTTPTRACE" -f summary -o /dev/null -- \
		"$T/producer" 1 "$1" 32 >/dev/null 2>&1 || { echo 0; return; }
	cat "$T/crss"
}
if want collmem; then
	build_producer
	printf '%-44s %6s KiB after 100,000 -> %6s KiB after 5,000,000 records\n\n' \
		"collector -f summary, max RSS" "$(collector_rss 100000)" "$(collector_rss 5000000)"
fi

# --- callgrind: instructions, which noise cannot move ---------------------------

cg_curl1() { # cg_curl1 N untraced|traced CURL_ARGS... BASE_URL: Ir of curl fetching BASE_URL/index.html?n=1..N on one connection
	local n=$1 mode=$2 pre=()
	shift 2
	local args=("${@:1:$#-1}") base=${*: -1}
	[ "$mode" = traced ] && pre=("$HTTPTRACE" -f json -o "$T/cg.json" --)
	rm -f "$T/cg.out"
	"${pre[@]}" valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" \
		curl -s "${args[@]}" "$base/index.html?n=[1-$n]" >/dev/null 2>"$T/cg.err" ||
		{ cat "$T/cg.err" >&2; echo 0; return; }
	cg_ir "$T/cg.out"
}
# cg_curl ...: the median of CG_REPEAT cg_curl1 runs (a TLS handshake's
# instructions vary a little from run to run)
cg_curl() {
	local _
	for _ in $(seq "$CG_REPEAT"); do cg_curl1 "$@"; done | median
}

cg_connects() { # cg_connects N untraced|traced: Ir of N connect/close pairs to nginx (scripts/bench/connects.c)
	local pre=()
	[ "$2" = traced ] && pre=("$HTTPTRACE" -f json -o "$T/cgk.json" --)
	[ -x "$T/connects" ] || cc -O2 -o "$T/connects" "$TOP/scripts/bench/connects.c"
	rm -f "$T/cgk.out"
	"${pre[@]}" valgrind --tool=callgrind --callgrind-out-file="$T/cgk.out" \
		"$T/connects" "$HTTP_PORT" "$1" 2>"$T/cgk.err" ||
		{ cat "$T/cgk.err" >&2; echo 0; return; }
	cg_ir "$T/cgk.out"
}

cg_collector() { # cg_collector FORMAT BATCH RECORDS [client|server]: Ir of the collector (httptrace -f FORMAT) fed RECORDS by one writer
	local pid
	rm -f "$T"/cgc.*
	valgrind --tool=callgrind --callgrind-out-file="$T/cgc.%p" \
		"$HTTPTRACE" -f "$1" -o "$T/cgc.report" -- "$T/producer" 1 "$3" "$2" "${4:-client}" 2>"$T/cgc.err" &
	pid=$!
	wait "$pid" || { cat "$T/cgc.err" >&2; echo 0; return; }
	cg_ir "$T/cgc.$pid"
}

if want callgrind; then
	echo "callgrind: instructions (Ir) counted by valgrind --tool=callgrind, not timed"
	echo "curl, $CG_N requests on one connection (index.html, 612 bytes), untraced vs under httptrace -f json;"
	echo "medians of $CG_REPEAT runs; 'after the first' and 'once' come from runs with 1 request"
	for proto in http https1 https2; do
		case $proto in
		http) label="http://, HTTP/1.1"; args=("http://127.0.0.1:$HTTP_PORT") ;;
		https1) label="https://, HTTP/1.1 over TLS"; args=(--http1.1 --cacert "$T/cert.pem" "https://127.0.0.1:$TLS_PORT") ;;
		https2) label="https://, h2 over TLS"; args=(--cacert "$T/cert.pem" "https://127.0.0.1:$TLS_PORT") ;;
		esac
		u1=$(cg_curl 1 untraced "${args[@]}"); t1=$(cg_curl 1 traced "${args[@]}")
		uN=$(cg_curl "$CG_N" untraced "${args[@]}"); tN=$(cg_curl "$CG_N" traced "${args[@]}")
		rec=$(grep -c '"event":"request".*"status":200' "$T/cg.json" || true)
		reused=$(grep -c '"event":"request".*"reused":true' "$T/cg.json" || true)
		awk -v l="$label" -v n="$CG_N" -v u1="$u1" -v t1="$t1" -v u="$uN" -v t="$tN" 'BEGIN {
			m = ((t - u) - (t1 - u1)) / (n - 1); mu = (u - u1) / (n - 1)
			printf "  %-28s untraced %11d  traced %11d Ir   added %6.0f Ir/request\n", l, u, t, (t - u) / n
			printf "      each request after the first: untraced %6.0f Ir, added %6.0f (%+.1f%%); added once: %7.0f\n",
				mu, m, (mu > 0 ? 100 * m / mu : 0), (t1 - u1) - m }'
		echo "      traced run: $rec records with status 200, $reused on a reused connection"
	done
	# each connect/close after the first 100 (the slope: the library's
	# setup and the collector's connection cancel out)
	u1=$(cg_connects 100 untraced); t1=$(cg_connects 100 traced)
	u2=$(cg_connects 1100 untraced); t2=$(cg_connects 1100 traced)
	awk -v u1="$u1" -v t1="$t1" -v u2="$u2" -v t2="$t2" 'BEGIN {
		printf "  connect/close to nginx, each: untraced %6.0f Ir, traced %6.0f Ir, added %6.0f\n",
			(u2 - u1) / 1000, (t2 - t1) / 1000, ((t2 - t1) - (u2 - u1)) / 1000 }'
	build_producer
	n1=$((CG_RECORDS / 10))
	echo "collector fed by the synthetic producer, one writer: Ir per record from $n1 vs $CG_RECORDS records"
	# (server: nginx's records of an untraced client at a loopback
	# address, no traced client anywhere: not held; server-client: a
	# traced process made a loopback client connection, each record is
	# held by the joiner for a client record to come)
	for fmt in json summary; do
		for batch in 1 32 "32 server" "32 server-client"; do
			read -r batch side <<<"$batch"
			i1=$(cg_collector "$fmt" "$batch" "$n1" "$side")
			i2=$(cg_collector "$fmt" "$batch" "$CG_RECORDS" "$side")
			if [ "$fmt" = json ]; then
				got=$(grep -c '"event":"request"' "$T/cgc.report" || true)
			elif [ -n "$side" ]; then
				# a server's requests are on the summary's own line
				got=$(summary_field "$T/cgc.report" 'served by traced servers:')
			else
				got=$(summary_field "$T/cgc.report" 'requests:')
			fi
			awk -v l="collector -f $fmt, batch $batch${side:+, $side}" -v a="$i1" -v b="$i2" -v n1="$n1" -v n2="$CG_RECORDS" -v got="$got" 'BEGIN {
				printf "  %-38s %11d Ir for %d records  %6.0f Ir/record   (report counted %d)\n",
					l, b, n2, (b - a) / (n2 - n1), got }'
		done
	done
	echo
fi
