#!/bin/bash
# bench.sh - what tracing costs, measured side by side with the untraced run.
#
#   scripts/bench.sh            (make bench)   ROUNDS=5 by default
#
# Each comparison alternates untraced and traced runs (ROUNDS of each) and
# prints the medians and their ratio; traced runs also say whether every
# request was recorded.  A benchmark, not a test: nothing here fails on a
# number.  Servers run on loopback ports of their own; nothing else is
# touched.
#
#  1. wrk -t1 -c8 keep-alive against nginx, traced with -f json -o FILE
#  2. h2load -n 100000 -c 4 -m 10 over TLS (h2) against nginx, -f json
#  3. one-byte reads and writes on untracked fds (dd bs=1)
#  4. the collector alone: records/s from 4 synthetic writers (-f summary,
#     -f json, and -w FILE: the raw capture only), batched 1 and 32 records
#     per message
#  5. memory: max RSS of a client making 100 vs 100,000 requests on one
#     connection, and 100 vs 10,000 connections (ab), untraced and traced
# shellcheck source=../tests/integration/lib.sh
. "$(dirname "$0")/../tests/integration/lib.sh"
require_built
ROUNDS=${ROUNDS:-5}
WRK_SECONDS=${WRK_SECONDS:-5}
for c in wrk h2load ab nginx; do
	command -v "$c" >/dev/null || PATH=$PATH:/usr/sbin command -v "$c" >/dev/null ||
		{ echo "bench: $c missing (make deps)"; exit 1; }
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

# nginx tuned for load: no access log, connections never recycled.
d=$T/nginx
mkdir -p "$d/root" "$d/tmp"
head -c 612 /dev/zero | tr '\0' x >"$d/root/index.html"
make_cert
HTTP_PORT=$(free_port 127.0.0.1)
TLS_PORT=$(free_port 127.0.0.1)
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$d/nginx.conf" <<NGX
$user_line
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
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
    server { listen 127.0.0.1:$HTTP_PORT; root $d/root; }
    server {
        listen 127.0.0.1:$TLS_PORT ssl http2;
        root $d/root;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
    }
}
NGX
PATH=$PATH:/usr/sbin nginx -c "$d/nginx.conf" 2>"$d/nginx.err" &
_PIDS+=($!)
wait_port 127.0.0.1 "$HTTP_PORT" && wait_port 127.0.0.1 "$TLS_PORT" || { cat "$d/nginx.err"; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "rounds: $ROUNDS of each, alternating; figures are medians"
echo

# --- 1. wrk ---------------------------------------------------------------
: >"$T/wrk.u"; : >"$T/wrk.t"; : >"$T/wrk.rec"
for _ in $(seq "$ROUNDS"); do
	wrk -t1 -c8 -d"${WRK_SECONDS}s" "http://127.0.0.1:$HTTP_PORT/" >"$T/w.out" 2>&1
	awk '/Requests\/sec/ { print $2 }' "$T/w.out" >>"$T/wrk.u"
	"$HTTPTRACE" -f json -o "$T/wrk.json" -- \
		wrk -t1 -c8 -d"${WRK_SECONDS}s" "http://127.0.0.1:$HTTP_PORT/" >"$T/w.out" 2>&1
	awk '/Requests\/sec/ { print $2 }' "$T/w.out" >>"$T/wrk.t"
	done_n=$(awk '/requests in/ { print $1 }' "$T/w.out")
	rec_n=$(grep -c '"event":"request"' "$T/wrk.json" || true)
	ok_n=$(grep -c '"event":"request".*"error":null' "$T/wrk.json" || true)
	drops=$("$PY" -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1]) if "\"summary\"" in l][0]; print(s["dropped"])' "$T/wrk.json")
	echo "$done_n $rec_n $ok_n $drops" >>"$T/wrk.rec"
done
u=$(median <"$T/wrk.u"); t=$(median <"$T/wrk.t")
printf '%-44s untraced %9.0f  traced %9.0f req/s  ratio %s\n' \
	"wrk -t1 -c8 (HTTP/1.1 keep-alive), -f json" "$u" "$t" "$(ratio "$t" "$u")"
awk '{ printf "    round %d: wrk completed %d, records %d (%d without error: requests cut off when wrk stops), dropped %d\n", NR, $1, $2, $3, $4 }' "$T/wrk.rec"

# --- 2. h2load over TLS -----------------------------------------------------
: >"$T/h2.u"; : >"$T/h2.t"; : >"$T/h2.rec"
for _ in $(seq "$ROUNDS"); do
	h2load -n 100000 -c 4 -m 10 "https://127.0.0.1:$TLS_PORT/" >"$T/h.out" 2>&1
	awk '/^finished in/ { print $4 }' "$T/h.out" >>"$T/h2.u"
	"$HTTPTRACE" -f json -o "$T/h2.json" -- \
		h2load -n 100000 -c 4 -m 10 "https://127.0.0.1:$TLS_PORT/" >"$T/h.out" 2>&1
	awk '/^finished in/ { print $4 }' "$T/h.out" >>"$T/h2.t"
	succ=$(awk '/^requests:/ { print $8 }' "$T/h.out")
	rec_n=$(grep -c '"event":"request".*"status":200' "$T/h2.json" || true)
	echo "$succ $rec_n" >>"$T/h2.rec"
done
u=$(median <"$T/h2.u"); t=$(median <"$T/h2.t")
printf '%-44s untraced %9.0f  traced %9.0f req/s  ratio %s\n' \
	"h2load -n 100000 -c 4 -m 10 (h2 over TLS)" "$u" "$t" "$(ratio "$t" "$u")"
awk '{ printf "    round %d: h2load succeeded %d, records with status 200 %d\n", NR, $1, $2 }' "$T/h2.rec"

# --- 3. untracked fds ----------------------------------------------------------
: >"$T/dd.u"; : >"$T/dd.t"
DD_COUNT=${DD_COUNT:-1000000}
for _ in $(seq "$ROUNDS"); do
	/usr/bin/time -f %e -o "$T/t" dd if=/dev/zero of=/dev/null bs=1 count="$DD_COUNT" 2>/dev/null
	cat "$T/t" >>"$T/dd.u"
	"$HTTPTRACE" -o /dev/null -- /usr/bin/time -f %e -o "$T/t" \
		dd if=/dev/zero of=/dev/null bs=1 count="$DD_COUNT" 2>/dev/null
	cat "$T/t" >>"$T/dd.t"
done
u=$(median <"$T/dd.u"); t=$(median <"$T/dd.t")
printf '%-44s untraced %8.2fs  traced %8.2fs        speed ratio %s\n' \
	"dd bs=1 count=$DD_COUNT (untracked fds)" "$u" "$t" "$(ratio "$u" "$t")"

# --- 4. the collector alone ------------------------------------------------------
cc -O2 -I"$TOP/common" -o "$T/producer" "$TOP/scripts/bench/producer.c" "$TOP/common/wire.c"
for fmt in summary json capture; do
	if [ "$fmt" = capture ]; then
		out=(-w "$T/c.cap") what="collector -w FILE"
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
		printf '%-44s %9.0f records/s of collector CPU, %9.0f records/s wall\n' \
			"$what, 4 writers, batch $batch" "$cpu" "$wall"
	done
done
rm -f "$T/c.cap"

# --- 5. memory --------------------------------------------------------------------
rss() { # rss N C K [traced]: max RSS (KiB) of ab -n N -c C [-k when K=1]
	local k="" pre=()
	[ "$3" = 1 ] && k=-k
	[ "${4:-}" = traced ] && pre=("$HTTPTRACE" -f summary -o /dev/null --)
	# shellcheck disable=SC2086
	"${pre[@]}" /usr/bin/time -f %M -o "$T/rss" \
		ab -q $k -n "$1" -c "$2" "http://127.0.0.1:$HTTP_PORT/" >/dev/null 2>&1
	cat "$T/rss"
}
printf '%-44s untraced %6s -> %6s KiB, traced %6s -> %6s KiB\n' \
	"ab -k, 100 -> 100000 requests on one conn" "$(rss 100 1 1)" "$(rss 100000 1 1)" \
	"$(rss 100 1 1 traced)" "$(rss 100000 1 1 traced)"
printf '%-44s untraced %6s -> %6s KiB, traced %6s -> %6s KiB\n' \
	"ab, 100 -> 10000 connections (max RSS)" "$(rss 100 1 0)" "$(rss 10000 1 0)" \
	"$(rss 100 1 0 traced)" "$(rss 10000 1 0 traced)"
