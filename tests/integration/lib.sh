# lib.sh - shared helpers for the integration tests; source it first:
#
#     . "$(dirname "$0")/lib.sh"
#
# One behaviour per test_*.sh.  A test ends with `pass`, or stops at the first
# `fail MESSAGE` (exit 1) or `skip REASON` (exit 77).  Everything a test
# creates lives in $T (a temp dir) and every server it starts is stopped by
# the EXIT trap.  Only 127.0.0.0/8 and ::1 are ever used.
# shellcheck shell=bash disable=SC2034 # globals are set for the tests

set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$TESTS_DIR/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)

HTTPTRACE=${HTTPTRACE:-$TOP/build/httptrace}
LIBHTTPTRACE=${LIBHTTPTRACE:-$TOP/build/libhttptrace.so}
PY=/usr/bin/python3
# The tests' Python programs import shared modules of this folder
# (h2wire.py, threadserver.py, drops_records.py, domtree.py): no
# __pycache__ may be left in the tree.
export PYTHONDONTWRITEBYTECODE=1
SERVER_PY=$TESTS_DIR/server.py
JCHECK=$TESTS_DIR/jcheck.py
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# Nothing from the environment may send a request elsewhere or change the
# clients' behaviour: no proxies, no ~/.curlrc (tests run wget --no-config).
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'
# A collector socket inherited from an outer httptrace must not leak in, and
# build/httptrace must find build/libhttptrace.so by itself.
unset HTTPTRACE_SOCKET HTTPTRACE_LIB

T=$(mktemp -d "${TMPDIR:-/tmp}/httptrace-$TEST_NAME.XXXXXX")
export CURL_HOME=$T # no ~/.curlrc
_PIDS=()

_cleanup() {
	local p
	for p in "${_PIDS[@]+"${_PIDS[@]}"}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${_PIDS[@]+"${_PIDS[@]}"}"; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM HUP

# fail MESSAGE...: report a failed assertion and stop the test.
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# pass: report success and stop the test.
pass() {
	echo "PASS: $TEST_NAME"
	exit 0
}

# skip REASON...: the test cannot run here (exit 77, as automake does).
skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

# note MESSAGE...: informational output, shown when a test fails.
note() {
	echo "# $*" >&2
}

# require_built: the tracer and the preload library must exist.
require_built() {
	[ -x "$HTTPTRACE" ] || fail "$HTTPTRACE not built (run make)"
	[ -f "$LIBHTTPTRACE" ] || fail "$LIBHTTPTRACE not built (run make)"
}

# require_cmd CMD...: skip unless every command exists.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

# have_ipv6: true when ::1 can be bound.
have_ipv6() {
	"$PY" - <<'EOF' 2>/dev/null
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("::1", 0))
EOF
}

# free_port [ADDR...]: print a TCP port that is free on every ADDR
# (default 127.0.0.1).  Racy by nature; good enough on loopback.
free_port() {
	"$PY" - "$@" <<'EOF'
import socket, sys
addrs = sys.argv[1:] or ["127.0.0.1"]
for _ in range(100):
    s = socket.socket(socket.AF_INET6 if ":" in addrs[0] else socket.AF_INET)
    s.bind((addrs[0], 0))
    port = s.getsockname()[1]
    ok = True
    for a in addrs[1:]:
        t = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
        try:
            t.bind((a, port))
        except OSError:
            ok = False
        t.close()
    s.close()
    if ok:
        print(port)
        sys.exit(0)
sys.exit("no free port")
EOF
}

# closed_port: print a loopback port where nothing listens.
closed_port() {
	free_port 127.0.0.1
}

# wait_port HOST PORT [PID]: wait (at least 10 s: 500 tries 20 ms apart)
# until HOST:PORT accepts; fail early when PID dies.  One Python process
# makes every try (one process per try cost more than the wait itself on
# a busy machine).
wait_port() {
	"$PY" - "$1" "$2" "${3:-0}" <<'EOF' 2>/dev/null
import os, socket, sys, time
host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(500):
    try:
        socket.create_connection((host, port), timeout=1).close()
        sys.exit(0)
    except OSError:
        pass
    if pid:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit(1)
        except PermissionError:
            pass
    time.sleep(0.02)
sys.exit(1)
EOF
}

# start_server [BIND_ADDR [SERVER_ARGS...]]: start server.py on a free port
# of BIND_ADDR (default 127.0.0.1) and wait until it accepts.  Sets
# SERVER_PORT and SERVER_PID (copy them before starting another).
start_server() {
	local bind=${1:-127.0.0.1} _
	[ $# -gt 0 ] && shift
	for _ in 1 2 3; do
		SERVER_PORT=$(free_port "$bind")
		"$PY" "$SERVER_PY" "$SERVER_PORT" "$bind" "$@" >>"$T/server.log" 2>&1 &
		SERVER_PID=$!
		_PIDS+=("$SERVER_PID")
		if wait_port "$bind" "$SERVER_PORT" "$SERVER_PID"; then
			return 0
		fi
		kill "$SERVER_PID" 2>/dev/null || true
	done
	cat "$T/server.log" >&2
	fail "server.py did not start on $bind"
}

# require_grpc: skip unless Debian's python3-grpcio is importable by $PY.
require_grpc() {
	"$PY" -c 'import grpc' 2>/dev/null ||
		skip "grpc not importable by $PY (install python3-grpcio)"
}

# start_grpc_server [CERT KEY]: start grpcserver.py (pkg.Service, each call
# logged to $T/grpc-calls.log) on a free port of 127.0.0.1, with TLS when
# CERT and KEY are given, and wait until it accepts.  Sets GRPC_PORT and
# GRPC_PID.
start_grpc_server() {
	local _
	for _ in 1 2 3; do
		GRPC_PORT=$(free_port 127.0.0.1)
		"$PY" "$TESTS_DIR/grpcserver.py" "127.0.0.1:$GRPC_PORT" \
			"$T/grpc-calls.log" "$@" >>"$T/grpc-server.log" 2>&1 &
		GRPC_PID=$!
		_PIDS+=("$GRPC_PID")
		if wait_port 127.0.0.1 "$GRPC_PORT" "$GRPC_PID"; then
			return 0
		fi
		kill "$GRPC_PID" 2>/dev/null || true
	done
	show "$T/grpc-server.log"
	fail "grpcserver.py did not start"
}

# hosts_name: print a host name that getaddrinfo resolves from /etc/hosts
# (files, never DNS) to exactly one loopback address, then that address:
# a 127/8 one, else ::1 (e.g. Debian's and Docker's "ip6-localhost") when
# IPv6 works; print nothing when there is none.  Needed because curl
# resolves "localhost" itself, without calling getaddrinfo.
hosts_name() {
	local v6=0
	have_ipv6 && v6=1
	"$PY" - "$v6" <<'EOF'
import collections, sys
addrs = collections.defaultdict(set)
order = []
try:
    with open("/etc/hosts") as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            for name in words[1:]:
                addrs[name.lower()].add(words[0])
                order.append(name.lower())
except OSError:
    pass
ok = [n for n in order
      if n != "localhost" and not n.endswith(".localhost") and len(addrs[n]) == 1]
v4 = [n for n in ok if next(iter(addrs[n])).startswith("127.")]
v6 = [n for n in ok if next(iter(addrs[n])) == "::1"] if sys.argv[1] == "1" else []
for name in v4 + v6:
    print(name, next(iter(addrs[name])))
    break
EOF
}

# pick_named_host: choose a loopback host name that getaddrinfo resolves
# (hosts_name).  Sets HOST, HOST_ADDR and HAVE_DNS (1, or 0 when only
# "localhost" exists: HOST_ADDR is then 127.0.0.1, and a test must not
# expect a dns phase from curl).
pick_named_host() {
	local line
	line=$(hosts_name)
	if [ -n "$line" ]; then
		HOST=${line%% *}
		HOST_ADDR=${line#* }
		HAVE_DNS=1
	else
		HOST=localhost
		HOST_ADDR=127.0.0.1
		HAVE_DNS=0
		note "no loopback host name besides localhost in /etc/hosts: dns phase not checked"
	fi
}

# start_named_server [SERVER_ARGS...]: start server.py on a loopback address
# that has a host name in /etc/hosts, so that clients call getaddrinfo (a
# dns phase to trace).  Sets HOST, HOST_ADDR, HAVE_DNS (pick_named_host),
# HOST_PEER ("127.0.0.1:PORT" or "[::1]:PORT"), SERVER_PORT and SERVER_PID.
start_named_server() {
	pick_named_host
	start_server "$HOST_ADDR" "$@"
	case $HOST_ADDR in
	*:*) HOST_PEER="[$HOST_ADDR]:$SERVER_PORT" ;;
	*) HOST_PEER="$HOST_ADDR:$SERVER_PORT" ;;
	esac
}

# start_named_tls_server [SERVER_ARGS...]: start_named_server speaking HTTPS
# with make_cert's certificate (valid for HOST).
start_named_tls_server() {
	make_cert
	start_named_server --tls "$T/cert.pem" "$T/key.pem" "$@"
}

# start_tls_server [BIND_ADDR [SERVER_ARGS...]]: start_server speaking
# HTTPS with make_cert's certificate (ALPN http/1.1).  Sets SERVER_PORT and
# SERVER_PID.
start_tls_server() {
	local bind=${1:-127.0.0.1}
	[ $# -gt 0 ] && shift
	make_cert
	start_server "$bind" --tls "$T/cert.pem" "$T/key.pem" "$@"
}

# make_cert: a self-signed certificate for localhost, 127.0.0.1, ::1 and the
# loopback host name hosts_name finds (if any) in $T/cert.pem and
# $T/key.pem; clients trust it with $T/cert.pem as their CA file.
make_cert() {
	local san="DNS:localhost,IP:127.0.0.1,IP:::1" line
	[ -f "$T/cert.pem" ] && return 0
	line=$(hosts_name)
	[ -n "$line" ] && san="$san,DNS:${line%% *}"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=$san" \
		-keyout "$T/key.pem" -out "$T/cert.pem" >"$T/openssl.log" 2>&1 ||
		{
			cat "$T/openssl.log" >&2
			fail "openssl could not make a certificate"
		}
}

# Sizes of the files in nginx's docroot: /f/SIZE holds SIZE bytes.
NGINX_FILE_SIZES="0 1 100 1000 10000 100000 1000000"

# start_nginx: nginx in the foreground (daemon off) with everything inside
# $T/nginx.  Plain HTTP/1.1 with keep-alive on 127.0.0.1:NGINX_PORT (and
# [::1]:NGINX_PORT when IPv6 works, and on the Unix socket NGINX_SOCK); TLS with http2 on NGINX_TLS_PORT (and on the Unix socket NGINX_TLS_SOCK);
# cleartext HTTP/2 only (prior knowledge, no HTTP/1.1) on
# 127.0.0.1:NGINX_H2C_PORT.  Every request is logged twice, one line each:
# to $T/nginx/access.log ("combined" format) and to $T/nginx/requests.log as
# "CONN CONN_REQUESTS STATUS BODY_BYTES PROTOCOL "REQUEST_LINE"" (nginx's
# connection serial number and its request count so far; nginx_log_since
# reads it); requests over TLS also to $T/nginx/tls.log as "CONN
# TLS_PROTOCOL SNI" (e.g. "7 TLSv1.3 example.test").  Sets NGINX_PORT, NGINX_TLS_PORT, NGINX_H2C_PORT, NGINX_SOCK, NGINX_TLS_SOCK,
# NGINX_PID, NGINX_IPV6 (1 or 0).  NGINX_SENDFILE=on serves files with
# sendfile (default off); NGINX_WRAP, an array, is a command nginx runs
# under (e.g. ("$HTTPTRACE" -f json -o FILE --): NGINX_PID is then its pid).
# NGINX_SERVER_EXTRA, when set, is put inside each server block as it is
# (e.g. a location of the test's own); NGINX_MASTER=off runs nginx as one
# process (no master: the process the wrapper starts serves the requests).
start_nginx() {
	local d=$T/nginx user_line="" v6_http="" v6_tls="" addrs="127.0.0.1"
	[ -x "$NGINX" ] || skip "nginx not installed"
	mkdir -p "$d/root/f" "$d/tmp"
	# (one Python for all the files)
	# shellcheck disable=SC2086 # one word per size
	"$PY" -c '
import sys
p = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
for size in sys.argv[2:]:
    n = int(size)
    with open(sys.argv[1] + "/" + size, "wb") as f:
        f.write((p * (n // len(p) + 1))[:n])' "$d/root/f" $NGINX_FILE_SIZES
	echo "hello from nginx" >"$d/root/index.html"
	make_cert
	if [ "$(id -u)" -eq 0 ]; then
		# Workers would otherwise drop to nobody and not read $T (0700).
		user_line="user root;"
	fi
	NGINX_IPV6=0
	if have_ipv6; then
		NGINX_IPV6=1
		addrs="127.0.0.1 ::1"
	fi
	# shellcheck disable=SC2086
	NGINX_PORT=$(free_port $addrs)
	# shellcheck disable=SC2086
	NGINX_TLS_PORT=$(free_port $addrs)
	NGINX_H2C_PORT=$(free_port 127.0.0.1)
	# (nothing is bound between the picks: the kernel may hand out one
	# port twice, and nginx then merges two servers' listens)
	while [ "$NGINX_TLS_PORT" = "$NGINX_PORT" ]; do
		# shellcheck disable=SC2086
		NGINX_TLS_PORT=$(free_port $addrs)
	done
	while [ "$NGINX_H2C_PORT" = "$NGINX_PORT" ] || [ "$NGINX_H2C_PORT" = "$NGINX_TLS_PORT" ]; do
		NGINX_H2C_PORT=$(free_port 127.0.0.1)
	done
	NGINX_SOCK=$d/nginx.sock
	NGINX_TLS_SOCK=$d/nginx-tls.sock
	# left by an nginx of this test killed before: the next one binds them
	rm -f "$NGINX_SOCK" "$NGINX_TLS_SOCK"
	if [ "$NGINX_IPV6" = 1 ]; then
		v6_http="listen [::1]:$NGINX_PORT;"
		v6_tls="listen [::1]:$NGINX_TLS_PORT ssl http2;"
	fi
	cat >"$d/nginx.conf" <<EOF
$user_line
daemon off;
master_process ${NGINX_MASTER:-on};
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
    log_format conns '\$connection \$connection_requests \$status \$body_bytes_sent \$server_protocol "\$request"';
    log_format tls '\$connection \$ssl_protocol \$ssl_server_name';
    access_log $d/access.log;
    access_log $d/requests.log conns;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    default_type application/octet-stream;
    keepalive_timeout 60s;
    keepalive_requests 1000;
    sendfile ${NGINX_SENDFILE:-off};
    server {
        listen 127.0.0.1:$NGINX_PORT;
        $v6_http
        listen unix:$NGINX_SOCK;
        server_name localhost;
        root $d/root;
        ${NGINX_SERVER_EXTRA:-}
    }
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl http2;
        $v6_tls
        listen unix:$NGINX_TLS_SOCK ssl http2;
        server_name localhost;
        root $d/root;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
        access_log $d/access.log;
        access_log $d/requests.log conns;
        access_log $d/tls.log tls;
        ${NGINX_SERVER_EXTRA:-}
    }
    server {
        listen 127.0.0.1:$NGINX_H2C_PORT http2;
        server_name localhost;
        root $d/root;
        ${NGINX_SERVER_EXTRA:-}
    }
}
EOF
	${NGINX_WRAP[@]+"${NGINX_WRAP[@]}"} \
		"$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" >>"$d/stdout.log" 2>&1 &
	NGINX_PID=$!
	_PIDS+=("$NGINX_PID")
	if ! wait_port 127.0.0.1 "$NGINX_PORT" "$NGINX_PID" ||
		! wait_port 127.0.0.1 "$NGINX_TLS_PORT" "$NGINX_PID" ||
		! wait_port 127.0.0.1 "$NGINX_H2C_PORT" "$NGINX_PID"; then
		cat "$d/error.log" "$d/stdout.log" >&2 2>/dev/null || true
		fail "nginx did not start"
	fi
}

# nginx_log_mark: remember where nginx's requests.log ends, before a client
# runs whose requests nginx_log_since then reads.
nginx_log_mark() {
	NGINX_LOG_MARK=$(wc -l <"$T/nginx/requests.log")
}

# nginx_log_since [MIN]: print the requests nginx logged since
# nginx_log_mark as a Python list literal, for jcheck expressions: one
# [conn, conn_requests, status, body_bytes, protocol, method, target] per
# request, in log order (conn: nginx's connection serial number;
# conn_requests: requests on it so far, HTTP/2 streams included).  nginx
# logs a request after sending its response, so this waits up to 5 s for
# at least MIN lines (default 1), then 0.2 s for stragglers.  The lines are
# also left in $T/nginx/since.log.
nginx_log_since() {
	local min=${1:-1} log=$T/nginx/requests.log _
	for _ in $(seq 1 50); do
		[ "$(($(wc -l <"$log") - NGINX_LOG_MARK))" -ge "$min" ] && break
		sleep 0.1
	done
	sleep 0.2
	tail -n +"$((NGINX_LOG_MARK + 1))" "$log" >"$T/nginx/since.log"
	"$PY" - "$T/nginx/since.log" <<'EOF'
import sys
out = []
for line in open(sys.argv[1]):
    head, _, request = line.rstrip("\n").partition(' "')
    conn, creq, status, size, proto = head.split()
    method, target = (request.rstrip('"').split() + ["", ""])[:2]
    out.append([int(conn), int(creq), int(status), int(size), proto, method, target])
print(repr(out))
EOF
}

# jcheck FILE ARGS...: run jcheck.py (see there) on FILE; fail on mismatch.
jcheck() {
	local file=$1
	shift
	"$PY" "$JCHECK" "$file" "$@" || fail "jcheck ${file##*/}: the checks above failed"
}

# show FILE...: print files to stderr (kept in the log of a failing test).
show() {
	local f
	for f in "$@"; do
		echo "--- $f" >&2
		cat "$f" >&2 2>/dev/null || echo "(missing)" >&2
	done
}


# start_py SCRIPT LOG [ARGS...]: start $TESTS_DIR/SCRIPT PORT ARGS... on a
# free port of 127.0.0.1 (three tries: another test may take the port
# first), its output appended to LOG.  Sets PY_PORT and PY_PID.
start_py() {
	local script=$1 log=$2 _
	shift 2
	for _ in 1 2 3; do
		PY_PORT=$(free_port 127.0.0.1)
		"$PY" "$TESTS_DIR/$script" "$PY_PORT" "$@" >>"$log" 2>&1 &
		PY_PID=$!
		_PIDS+=("$PY_PID")
		wait_port 127.0.0.1 "$PY_PORT" "$PY_PID" && return 0
		kill "$PY_PID" 2>/dev/null || true
	done
	show "$log"
	fail "$script did not start"
}

# start_traced_py NAME SCRIPT [ARGS...]: start the server SCRIPT (of this
# folder) traced, `httptrace -f json -o $T/NAME.json`, on a free port of
# 127.0.0.1 (its first argument, ARGS after it), its output in $T/NAME.out.
# Sets TRACED_PORT and TRACED_PID once the port accepts; fails when the
# server dies first.
start_traced_py() {
	local name=$1 script=$2
	shift 2
	TRACED_PORT=$(free_port 127.0.0.1)
	"$HTTPTRACE" -f json -o "$T/$name.json" -- "$PY" "$TESTS_DIR/$script" "$TRACED_PORT" "$@" \
		>"$T/$name.out" 2>&1 &
	TRACED_PID=$!
	_PIDS+=("$TRACED_PID")
	wait_port 127.0.0.1 "$TRACED_PORT" "$TRACED_PID" ||
		{ show "$T/$name.out"; fail "traced $script did not start"; }
}

# start_rawserver: start rawserver.py (canned, hostile and odd answers; see
# there) on a free port of 127.0.0.1.  Sets RAW_PORT and RAW_PID.
start_rawserver() {
	start_py rawserver.py "$T/rawserver.log" 127.0.0.1
	RAW_PORT=$PY_PORT RAW_PID=$PY_PID
}

# start_gateserver: gateserver.py on a free port of 127.0.0.1; it logs
# "got PATH" to $T/gate.log as each request's head arrives, and its answer
# to /NAME waits until the test creates $GATE_DIR/NAME.  Sets GATE_PORT and
# GATE_DIR.
start_gateserver() {
	GATE_DIR=$T/gate
	mkdir -p "$GATE_DIR"
	start_py gateserver.py "$T/gateserver.err" "$GATE_DIR" "$T/gate.log"
	GATE_PORT=$PY_PORT
}
# wait_gate PATH: wait (up to 10 s) until gateserver.py holds a request for
# PATH; fail otherwise.
wait_gate() {
	local _
	for _ in $(seq 200); do
		grep -qx "got $1" "$T/gate.log" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "the server never had the request for $1"
}
# start_holdserver: holdserver.py on a free port: it accepts and never
# answers (a TLS client hangs in its handshake); "got N bytes" in
# $T/hold.log once a client sent something.  Sets HOLD_PORT.
start_holdserver() {
	local pid _
	for _ in 1 2 3; do
		HOLD_PORT=$(free_port 127.0.0.1)
		"$PY" "$TESTS_DIR/holdserver.py" "$HOLD_PORT" "$T/hold.log" \
			2>>"$T/holdserver.err" &
		pid=$!
		_PIDS+=("$pid")
		wait_port 127.0.0.1 "$HOLD_PORT" "$pid" && return 0
		kill "$pid" 2>/dev/null || true
	done
	show "$T/holdserver.err"
	fail "holdserver.py did not start"
}

# start_status_listen SOCK [MPORT]: `listen -s SOCK -f json -o
# $T/out.json` (with --metrics on 127.0.0.1:MPORT when given), waited for
# until its status socket SOCK.ctl exists (and the metrics port answers).
# Sets LPID.
start_status_listen() {
	local sock=$1 mport=${2:-} _
	local metrics=()
	[ -z "$mport" ] || metrics=(--metrics "127.0.0.1:$mport")
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" "${metrics[@]}" \
		2>"$T/listen.err" &
	LPID=$!
	_PIDS+=("$LPID")
	for _ in $(seq 100); do [ -S "$sock.ctl" ] && break; sleep 0.05; done
	[ -S "$sock.ctl" ] || { show "$T/listen.err"; fail "listen made no $sock.ctl"; }
	[ -z "$mport" ] || wait_port 127.0.0.1 "$mport" "$LPID" || fail "no metrics server"
}

# start_udphold [ARG...]: udphold.py, the tests' DNS server (it holds every
# query, or with --nxdomain answers NXDOMAIN), on a free UDP port of
# 127.0.0.1, its log in $T/udp.log; returns once it is ready.  Sets
# UDP_PORT.
# shellcheck disable=SC2120 # ARGs are optional
start_udphold() {
	UDP_PORT=$(free_port 127.0.0.1)
	"$PY" "$TESTS_DIR/udphold.py" "$UDP_PORT" "$T/udp.log" "$@" 2>>"$T/udphold.err" &
	_PIDS+=("$!")
	wait_file_line "$T/udp.log" '^ready$' || { show "$T/udphold.err"; fail "udphold.py did not start"; }
}

# start_fullbacklog: fullbacklog.py, a listener on a free port of 127.0.0.1
# (and ::1) whose accept queue is full: a blocking connect() there waits
# (SYN retransmits); `kill -USR1 $FULL_PID` makes room.  Its log in
# $T/full.log; returns once it is ready.  Sets FULL_PORT, FULL_PID.
start_fullbacklog() {
	"$PY" "$TESTS_DIR/fullbacklog.py" "$T/full.log" 2>>"$T/fullbacklog.err" &
	FULL_PID=$!
	_PIDS+=("$FULL_PID")
	wait_file_line "$T/full.log" '^port ' || { show "$T/fullbacklog.err"; fail "fullbacklog.py did not start"; }
	FULL_PORT=$(awk '/^port /{print $2; exit}' "$T/full.log")
}

# start_otlp_receiver [ARG...]: otlp_receiver.py serving on a free port of
# 127.0.0.1 (ARGs after its log: --mode, --header), what it received
# logged to $T/recv.log, its errors in $T/recv.err.  Sets RECV_PORT.
# shellcheck disable=SC2120 # ARGs are optional
start_otlp_receiver() {
	local pid
	RECV_PORT=$(free_port)
	"$PY" "$TESTS_DIR/otlp_receiver.py" serve "$RECV_PORT" "$T/recv.log" "$@" \
		2>"$T/recv.err" &
	pid=$!
	_PIDS+=("$pid")
	wait_port 127.0.0.1 "$RECV_PORT" "$pid" || { show "$T/recv.err"; fail "receiver did not start"; }
}

# start_listen_env LISTEN_ARG...: a collector, `httptrace listen -s $sock
# LISTEN_ARG...` (its errors in $T/listen.err), and $T/env.sh, the
# environment that traces a program into it (`httptrace env`).  Sets LPID.
start_listen_env() {
	local _
	"$HTTPTRACE" listen -s "$sock" "$@" 2>"$T/listen.err" &
	LPID=$!
	_PIDS+=("$LPID")
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { show "$T/listen.err"; fail "listen did not create $sock"; }
	"$HTTPTRACE" env -s "$sock" >"$T/env.sh" || fail "httptrace env failed"
}

# start_env_server NAME PORT CMD...: CMD in the background, traced through
# $T/env.sh (its output in $T/NAME.out), once 127.0.0.1:PORT accepts; fails
# when CMD dies first.  Sets ENV_PID.
start_env_server() {
	local name=$1 port=$2
	shift 2
	# shellcheck source=/dev/null # written by httptrace env
	(. "$T/env.sh"; exec "$@") >"$T/$name.out" 2>&1 &
	ENV_PID=$!
	_PIDS+=("$ENV_PID")
	wait_port 127.0.0.1 "$port" "$ENV_PID" ||
		{ show "$T/$name.out"; fail "traced $name did not start"; }
}

# tm ARGS...: tmux, on the test's own server ($T/tmux.sock).
tm() { tmux -S "$T/tmux.sock" "$@"; }

# start_tmux [WIDTH]: a tmux session, WIDTH (default 120) x 40, running
# bash; its server is stopped with the test.
# shellcheck disable=SC2120 # WIDTH is optional
start_tmux() {
	tm new-session -d -x "${1:-120}" -y 40 "env -u TMUX bash --norc --noprofile"
	_PIDS+=("$(tm display-message -p '#{pid}')")
}

# wait_screen [-F] PATTERN: wait (up to 10 s) until the tmux pane shows
# PATTERN, an extended regex (with -F, a fixed string); the last screen
# read is in $T/screen.
wait_screen() {
	local how=-E _
	if [ "$1" = -F ]; then
		how=-F
		shift
	fi
	for _ in $(seq 200); do
		tm capture-pane -p >"$T/screen" && grep -q "$how" -- "$1" "$T/screen" && return 0
		sleep 0.05
	done
	show "$T/screen"
	fail "the terminal never showed: $1"
}

# ctrl_c_start NAME CMD: the shell command line CMD in a new tmux session
# NAME (200x50) on the test's tmux server (started without a config file
# if none runs; stopped with the test); "rc=STATUS" goes to $T/NAME.rc
# once CMD ends.
ctrl_c_start() {
	tm -f /dev/null new-session -d -s "$1" -x 200 -y 50 \
		"$2; echo \"rc=\$?\" >$T/$1.rc; sleep 60" || fail "tmux did not start"
	_PIDS+=("$(tm display-message -p '#{pid}')")
}

# ctrl_c_end NAME: Ctrl-C in tmux session NAME, then wait (up to 5 s) for
# its command's end ($T/NAME.rc); fail, with the screen, when it goes on.
ctrl_c_end() {
	local _
	tm send-keys -t "$1" C-c
	for _ in $(seq 100); do [ -s "$T/$1.rc" ] && break; sleep 0.05; done
	[ -s "$T/$1.rc" ] || { tm capture-pane -p -t "$1" >&2; fail "$1: httptrace did not end after Ctrl-C"; }
}

# start_held_curls SOCK N: one curl, traced into the collector at SOCK,
# with N GETs of /held?i=1..N at once to gateserver.py (start_gateserver),
# which holds their answers; returns once the server has them all.  Sets
# CURL_PID.
start_held_curls() {
	local sock=$1 n=$2 args=() i _
	for i in $(seq "$n"); do args+=("http://127.0.0.1:$GATE_PORT/held?i=$i" -o /dev/null); done
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock curl -s --parallel \
		--parallel-immediate --parallel-max 100 "${args[@]}" &
	CURL_PID=$!
	_PIDS+=("$CURL_PID")
	for _ in $(seq 400); do
		[ "$(grep -c '^got /held' "$T/gate.log" 2>/dev/null)" = "$n" ] && break
		sleep 0.05
	done
	[ "$(grep -c '^got /held' "$T/gate.log")" = "$n" ] || fail "the server did not get $n requests"
}

# start_collector N [LISTEN_ARG...]: a `listen` collector N at $sock (the
# test's socket path), `-f json -o $T/outN.json` and the LISTEN_ARGs, its
# errors in $T/listenN.err; returns once it listens (its control socket
# $sock.ctl, made after $sock, exists).  Sets LPID.
start_collector() {
	local n=$1 _
	shift
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out$n.json" "$@" \
		2>"$T/listen$n.err" &
	LPID=$!
	_PIDS+=("$LPID")
	for _ in $(seq 100); do [ -S "$sock.ctl" ] && break; sleep 0.1; done
	[ -S "$sock.ctl" ] || { show "$T/listen$n.err"; fail "collector $n did not create $sock.ctl"; }
}

# wait_for WHAT CMD...: poll CMD every 0.1 s (up to 20 s) while the traced
# client $cpid runs; fail when it dies first, or when time runs out.
# shellcheck disable=SC2154 # cpid is the test's
wait_for() {
	local what=$1 _
	shift
	for _ in $(seq 200); do
		"$@" && return 0
		kill -0 "$cpid" 2>/dev/null || fail "the client died while waiting for $what"
		sleep 0.1
	done
	fail "timed out waiting for $what"
}

# has_request FILE: the json report FILE has a request record.
has_request() { grep -q '"event":"request"' "$1" 2>/dev/null; }

# check_inflight_json SOCK MPORT CHECK: the in-flight listing in JSON both
# ways, `httptrace status -s SOCK -f json` into $T/status.json and GET
# /inflight on the metrics port MPORT into $T/inflight.json; the test's
# CHECK FILE is run on each.
check_inflight_json() {
	local sock=$1 mport=$2 check=$3
	"$HTTPTRACE" status -s "$sock" -f json >"$T/status.json" || fail "status -f json failed"
	"$check" "$T/status.json"
	curl -s -o "$T/inflight.json" -w '%{http_code} %{content_type}\n' \
		"http://127.0.0.1:$mport/inflight" >"$T/inflight.code"
	grep -qx "200 application/json" "$T/inflight.code" ||
		{ show "$T/inflight.code"; fail "/inflight did not answer"; }
	"$check" "$T/inflight.json"
}

# wait_status SOCK REGEX [FILE]: ask `httptrace status -s SOCK` (into FILE,
# default $T/status.txt) until a line matches the extended REGEX (at most
# 100 times, 50 ms apart); fail when none did.
wait_status() {
	local out=${3:-$T/status.txt} _
	for _ in $(seq 100); do
		"$HTTPTRACE" status -s "$1" >"$out" || fail "status failed"
		grep -qE "$2" "$out" && return 0
		sleep 0.05
	done
	show "$out"
	fail "status never showed /$2/"
}

# hold_got: how many clients sent holdserver.py something ("got" lines in
# $T/hold.log; 0 before the log exists).
hold_got() {
	local n
	n=$(grep -c '^got ' "$T/hold.log" 2>/dev/null) || true
	echo "${n:-0}"
}

# wait_file_line FILE REGEX: wait (up to 10 s) until FILE has a line
# matching REGEX.  Returns 1 when it never did.
wait_file_line() {
	local _
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_event FILE URL EVENT: wait (up to 10 s) until the -f events output
# FILE holds EVENT for a request whose wrote_headers names URL.  Returns 1
# when it never did.
wait_event() {
	local _
	for _ in $(seq 200); do
		if grep -q "\"$3\"" "$1" 2>/dev/null &&
			"$PY" - "$1" "$2" "$3" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.endswith("\n")]
reqs = {(l["pid"], l["conn"], l["req"]) for l in lines
        if l["event"] == "wrote_headers" and l["url"] == sys.argv[2]}
sys.exit(0 if any(l["event"] == sys.argv[3] and
                  (l["pid"], l["conn"], l["req"]) in reqs for l in lines) else 1)
PY
		then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# start_proxy [PROXY_ARGS...]: start proxy.py (HTTP CONNECT, SOCKS4/4a and
# SOCKS5 on one port; see there) on a free port of 127.0.0.1.  Sets
# PROXY_PORT and PROXY_PID; it logs one line per tunnel to $T/proxy.log.
# shellcheck disable=SC2120 # arguments are optional
start_proxy() {
	start_py proxy.py "$T/proxy.log" 127.0.0.1 "$@"
	PROXY_PORT=$PY_PORT PROXY_PID=$PY_PID
}

# start_h2cserver [ARGS...]: start h2cserver.py (accepts the h2c upgrade;
# see there) on a free port of 127.0.0.1.  Sets H2C_PORT and H2C_PID; it
# logs what it served to $T/h2cserver.log.
# shellcheck disable=SC2120 # arguments are optional
start_h2cserver() {
	start_py h2cserver.py "$T/h2cserver.log" 127.0.0.1 "$@"
	H2C_PORT=$PY_PORT H2C_PID=$PY_PID
}

# split_conn_round ROUND WINDOW: run progs/split_conn.py traced (one
# connection, a writer thread sending $N GETs of distinct /bytes/N with at
# most WINDOW unanswered, a reader thread parsing the answers) into
# $T/outROUND.json, and check the premise: the server (start_server --log
# $T/server_requests.log) answered the $N requests on one connection, in
# order, each /bytes/N with N bytes; its lines of the round are left in
# $T/serverROUND.log.
split_conn_round() {
	local round=$1 window=$2 mark
	mark=$(wc -l <"$T/server_requests.log")
	"$HTTPTRACE" -f json -o "$T/out$round.json" -- \
		"$PY" "$TESTS_DIR/progs/split_conn.py" "$SERVER_PORT" "$N" "$window" \
		"$T/got$round.txt" ||
		fail "round $round (window $window): the client failed (exit $?)"
	tail -n +"$((mark + 1))" "$T/server_requests.log" >"$T/server$round.log"
	"$PY" - "$T/server$round.log" "$N" <<'PYEOF' || fail "round $round: server log"
import sys
lines = [l.split() for l in open(sys.argv[1])]
n = int(sys.argv[2])
assert len(lines) == n, "server answered %d requests" % len(lines)
assert len({l[0] for l in lines}) == 1, "not one connection"
for i, (conn, creq, method, path, status, length) in enumerate(lines):
    assert (int(creq), method, path, status, length) == \
        (i + 1, "GET", "/bytes/%d" % (1000 + i), "200", str(1000 + i)), lines[i]
PYEOF
}

# tls_end_poll_run [MODE]: run progs/tls_end_poll.c traced (an OpenSSL
# client whose BIO callback polls another of its connections with a
# non-blocking recv(); MODE as the program takes it) for three responses
# of closenotify_server.py, delimited by the end of the TLS stream, into
# $T/out.json; fail unless the program read them all (its premise).
# shellcheck disable=SC2120 # MODE is optional
tls_end_poll_run() {
	local rc=0 word bytes
	build_prog tls_end_poll -lssl -lcrypto
	make_cert
	start_py closenotify_server.py "$T/srv.log" "$T/cert.pem" "$T/key.pem"
	"$HTTPTRACE" -f json -o "$T/out.json" -- "$T/tls_end_poll" 127.0.0.1 "$PY_PORT" 3 "$@" \
		>"$T/p.out" 2>"$T/p.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/p.err"; fail "tls_end_poll exited $rc"; }
	read -r word bytes <"$T/p.out" || true
	if [ "$word" != ok ] || [ "${bytes:-0}" -le 9000 ]; then
		show "$T/p.out"
		fail "the program did not read its responses"
	fi
}

# lib_text_range: print the address range of the library's text, LO:HI
# (0x hex), in a traced program with ASLR off (setarch -R), as
# progs/seccomp_nomap takes it to refuse only the library's own mmap
# calls; fail when the library is not mapped.
lib_text_range() {
	local range
	range=$(setarch -R "$HTTPTRACE" -o /dev/null -- "$PY" -c '
for l in open("/proc/self/maps"):
    f = l.split()
    if "libhttptrace" in l and "x" in f[1]:
        lo, hi = f[0].split("-")
        print("0x%s:0x%s" % (lo, hi))
        break
')
	[ -n "$range" ] || fail "the library is not mapped"
	echo "$range"
}

# curl_same NAME CURL_ARGS...: run `curl -s -o FILE -w '%{http_code}
# %{size_download}' CURL_ARGS...` untraced, then under `httptrace -f json -o
# $T/NAME.json`; fail unless the exit status, standard output and body file
# are identical.  Sets CURL_RC (the exit status) and leaves
# $T/NAME.{out,body} (traced) and $T/NAME.plain.{out,body}.
curl_same() {
	local name=$1 rc1=0 rc2=0
	shift
	curl -s -o "$T/$name.plain.body" -w '%{http_code} %{size_download}' "$@" \
		>"$T/$name.plain.out" 2>"$T/$name.plain.err" || rc1=$?
	"$HTTPTRACE" -f json -o "$T/$name.json" -- \
		curl -s -o "$T/$name.body" -w '%{http_code} %{size_download}' "$@" \
		>"$T/$name.out" 2>"$T/$name.err" || rc2=$?
	[ "$rc1" = "$rc2" ] || { show "$T/$name.err"; fail "$name: curl exited $rc1 untraced, $rc2 traced"; }
	cmp -s "$T/$name.plain.out" "$T/$name.out" ||
		{ show "$T/$name.plain.out" "$T/$name.out"; fail "$name: curl's output differs under tracing"; }
	touch "$T/$name.plain.body" "$T/$name.body"
	cmp -s "$T/$name.plain.body" "$T/$name.body" || fail "$name: the body file differs under tracing"
	CURL_RC=$rc2
	note "$name: curl exit $CURL_RC, output '$(cat "$T/$name.out")'"
}

# build_prog NAME [CC_ARGS...]: compile progs/NAME.c into $T/NAME
# (cc -O1 -Wall -pthread); skip when there is no cc.  The program is
# compiled once per run of the suite, not once per test: it is kept in
# $PROG_CACHE (build/test-progs/, which make clean empties) under the hash
# of what makes it (the compiler's version, the arguments, progs/NAME.c and
# every progs/*.h) and copied from there; arguments that name $T (a
# library of the test's own) are never cached.
PROG_CACHE=${PROG_CACHE:-$TOP/build/test-progs}
build_prog() {
	local name=$1 key tmp
	shift
	require_cmd cc
	case " $* " in
	*"$T"*) key="" ;;
	*)
		key=$({
			cc -dumpfullversion -dumpmachine
			printf '%s\n' "$name" "$@"
			cat "$TESTS_DIR/progs/$name.c" "$TESTS_DIR"/progs/*.h
		} 2>/dev/null | sha256sum) || key=""
		key=${key%% *}
		;;
	esac
	if [ -n "$key" ] && [ -x "$PROG_CACHE/$name-$key" ]; then
		cp "$PROG_CACHE/$name-$key" "$T/$name" || fail "cp $name from $PROG_CACHE failed"
		return 0
	fi
	cc -O1 -Wall -pthread -o "$T/$name" "$TESTS_DIR/progs/$name.c" "$@" ||
		fail "cc progs/$name.c failed"
	# (a copy under a name of its own, renamed into place: never a half
	# written program under the cache's name)
	if [ -n "$key" ] && mkdir -p "$PROG_CACHE" 2>/dev/null; then
		if ! { tmp=$(mktemp "$PROG_CACHE/.$name.XXXXXX" 2>/dev/null) &&
			cp "$T/$name" "$tmp" && chmod 755 "$tmp" &&
			mv -f "$tmp" "$PROG_CACHE/$name-$key"; }; then
			rm -f "${tmp:-}"
		fi
	fi
	return 0
}

# build_java NAME DIR: compile progs/NAME.java into DIR (classes; made if
# missing) with javac, once per run of the suite: cached in $PROG_CACHE
# like build_prog's programs, under the hash of the source and of which
# javac (its real path, size and time: a JVM just to ask javac its
# version costs as much as the compile).
build_java() {
	local name=$1 dir=$2 javac key tmp
	mkdir -p "$dir"
	javac=$(readlink -f "$(command -v javac)") || fail "no javac"
	key=$({
		stat -c '%n %s %Y' "$javac"
		cat "$TESTS_DIR/progs/$name.java"
	} | sha256sum)
	key=${key%% *}
	if [ -d "$PROG_CACHE/$name-$key" ]; then
		cp -R "$PROG_CACHE/$name-$key/." "$dir/" || fail "cp $name from $PROG_CACHE failed"
		return 0
	fi
	javac -d "$dir" "$TESTS_DIR/progs/$name.java" 2>"$T/javac-$name.log" ||
		{ show "$T/javac-$name.log"; fail "javac $name.java failed"; }
	if mkdir -p "$PROG_CACHE" 2>/dev/null; then
		# (a directory already there, from another test: this one goes)
		if ! { tmp=$(mktemp -d "$PROG_CACHE/.$name.XXXXXX" 2>/dev/null) &&
			cp -R "$dir/." "$tmp/" &&
			mv -T "$tmp" "$PROG_CACHE/$name-$key" 2>/dev/null; }; then
			rm -rf "${tmp:-}"
		fi
	fi
	return 0
}

# JAVA_QUICK: options for a JVM a test starts, for its start-up time only:
# compiled by C1 alone and with the serial collector, it took 0.53 s of CPU
# instead of 0.86 s (progs/SplitConn.java's four requests, 6 runs each).
# What the program does, its threads and system calls, is the same.
# (test_tls_undecoded_handshake_fail uses neither build_java nor these:
# with them, its HttpClient over TLS 1.2 sometimes sent certificate_unknown
# where the test wants the connection closed (3 runs in about 20 on a busy
# machine; 0 in 13 without), cause not found.)
JAVA_QUICK=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

# run_same NAME FORMAT CMD [ARG...]: run CMD untraced, then under
# `httptrace -f FORMAT -o $T/NAME.json`; fail unless the exit status and
# standard output are identical (stderr is kept in $T/NAME[.plain].err).
# Sets RUN_RC; leaves $T/NAME.out and $T/NAME.plain.out.
run_same() {
	local name=$1 format=$2 rc1=0 rc2=0
	shift 2
	"$@" >"$T/$name.plain.out" 2>"$T/$name.plain.err" || rc1=$?
	"$HTTPTRACE" -f "$format" -o "$T/$name.json" -- "$@" \
		>"$T/$name.out" 2>"$T/$name.err" || rc2=$?
	[ "$rc1" = "$rc2" ] ||
		{ show "$T/$name.plain.err" "$T/$name.err"; fail "$name: exit status $rc1 untraced, $rc2 traced"; }
	cmp -s "$T/$name.plain.out" "$T/$name.out" ||
		{ show "$T/$name.plain.out" "$T/$name.out"; fail "$name: output differs under tracing"; }
	RUN_RC=$rc2
}

# cpython_same NAME TEST...: CPython's own unittest cases TEST... (Debian's
# libpython3.11-testsuite; skips when it is not installed) run untraced, in
# run mode (`httptrace -f json -o $T/NAME.run.json`) and in env mode (a
# `listen` collector writing $T/NAME.env.json, stopped before this
# returns); fails unless each traced run gives every test the verdict the
# untraced one gave (unittest_verdicts.py: $T/NAME.{plain,run,env}.txt).
cpython_same() {
	local name=$1 mode lpid _ sock
	sock=$T/$name.sock
	shift
	"$PY" -c 'import test.support' 2>/dev/null ||
		skip "CPython's test suite is not installed (libpython3.11-testsuite)"
	"$PY" "$TESTS_DIR/unittest_verdicts.py" "$T/$name.plain.txt" "$@" \
		>"$T/$name.plain.out" 2>&1 ||
		{ show "$T/$name.plain.out"; fail "$name: the tests did not run untraced"; }
	[ -s "$T/$name.plain.txt" ] || fail "$name: no test ran untraced"
	"$HTTPTRACE" -f json -o "$T/$name.run.json" -- \
		"$PY" "$TESTS_DIR/unittest_verdicts.py" "$T/$name.run.txt" "$@" \
		>"$T/$name.run.out" 2>&1 ||
		{ show "$T/$name.run.out"; fail "$name: run mode: the tests did not run"; }
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/$name.env.json" 2>"$T/$name.listen.err" &
	lpid=$!
	_PIDS+=("$lpid")
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { show "$T/$name.listen.err"; fail "listen did not create $sock"; }
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
		"$PY" "$TESTS_DIR/unittest_verdicts.py" "$T/$name.env.txt" "$@" \
		>"$T/$name.env.out" 2>&1 ||
		{ show "$T/$name.env.out"; fail "$name: env mode: the tests did not run"; }
	kill -TERM "$lpid"
	wait "$lpid" || { show "$T/$name.listen.err"; fail "$name: listen exited $?"; }
	for mode in run env; do
		diff "$T/$name.plain.txt" "$T/$name.$mode.txt" >&2 ||
			{ show "$T/$name.$mode.out"; fail "$name: $mode mode: verdicts differ from untraced (above)"; }
	done
}
