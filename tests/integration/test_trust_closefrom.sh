#!/bin/bash
# test_trust_closefrom.sh - a program closes every fd from 3 behind the
# library's back (closefrom(3), which glibc does with the close_range system
# call; or that system call made raw, which no hook sees), then gives a TCP
# connection of its own the number the library's collector socket had
# (progs/closefrom.c).  Not one byte of a record goes into the program's
# connection: its server receives exactly the program's request; a child
# forked then still has the program's socket at that number; and tracing
# goes on (the library connects again): all three requests are recorded,
# checked against the servers' own logs.  Issue 18: the server received
# 768 bytes of "HT\x01..." records, and tracing stopped for good.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog closefrom
lim=$(ulimit -n)
# (HT_MIN_FD_LIMIT: below it the library takes no fd and does not trace)
[ "$lim" = unlimited ] || [ "$lim" -ge 64 ] || skip "fd limit $lim: the library does not trace"

# A server that writes every byte it receives, one file per connection
# (conn1, conn2, ... and connN.done at EOF), and answers each request
# head "GET /bytes/N" with N bytes (Content-Length).
cat >"$T/logserver.py" <<'EOF'
import os, socket, sys, threading
port, logdir = int(sys.argv[1]), sys.argv[2]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(16)
def serve(c, path):
    buf = b""
    with open(path, "wb", buffering=0) as log:
        while True:
            d = c.recv(65536)
            if not d:
                break
            log.write(d)
            buf += d
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                words = head.split(b" ")
                n = int(words[1].rsplit(b"/", 1)[1]) if len(words) > 1 else 0
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n + b"x" * n)
    c.close()
    open(path + ".done", "w").close()
n = 0
while True:
    c, _ = ls.accept()
    n += 1
    threading.Thread(target=serve, args=(c, os.path.join(logdir, "conn%d" % n)), daemon=True).start()
EOF

# start_logserver NAME: a logserver logging into $T/NAME/; sets LOG_PORT.
# Its conn1 is wait_port's probe (empty): the program's are conn2...
start_logserver() {
	local name=$1 pid _
	mkdir -p "$T/$name"
	for _ in 1 2 3; do
		LOG_PORT=$(free_port 127.0.0.1)
		"$PY" "$T/logserver.py" "$LOG_PORT" "$T/$name" >>"$T/$name.log" 2>&1 &
		pid=$!
		_PIDS+=("$pid")
		if wait_port 127.0.0.1 "$LOG_PORT" "$pid"; then
			wait_done "$T/$name" 1
			[ -s "$T/$name/conn1" ] && fail "logserver $name: the probe sent bytes"
			return 0
		fi
		kill "$pid" 2>/dev/null || true
	done
	show "$T/$name.log"
	fail "logserver $name did not start"
}

# wait_done DIR N: wait (up to 10 s) until N connections to DIR's server
# have ended; then there must be exactly N.
wait_done() {
	local dir=$1 n=$2 _
	for _ in $(seq 1 100); do
		[ "$(find "$dir" -name 'conn*.done' | wc -l)" -ge "$n" ] && break
		sleep 0.1
	done
	[ "$(find "$dir" -name 'conn*.done' | wc -l)" = "$n" ] ||
		{ ls -l "$dir" >&2; fail "$dir: not exactly $n finished connections"; }
	[ "$(find "$dir" -name 'conn*' ! -name '*.done' | wc -l)" = "$n" ] ||
		{ ls -l "$dir" >&2; fail "$dir: not exactly $n connections"; }
}

req() {
	printf 'GET /bytes/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: httpc\r\n\r\n' "$1"
}

for mode in closefrom rawrange; do
	start_logserver "$mode-a"
	port_a=$LOG_PORT
	start_logserver "$mode-b"
	port_b=$LOG_PORT
	rc=0
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- \
		"$T/closefrom" "$mode" "$port_a" "$port_b" >"$T/$mode.out" 2>"$T/$mode.err" || rc=$?
	note "$mode: exit $rc; output: $(tr '\n' ';' <"$T/$mode.out")"
	case $rc in
	0 | 1) ;; # 1: the child's check failed (below)
	*) show "$T/$mode.out" "$T/$mode.err"; fail "$mode: the program exited $rc" ;;
	esac
	grep -qx 'libfd found' "$T/$mode.out" ||
		fail "$mode: no library socket after request 1: nothing to test"

	# assertion no_record_in_program_fd: server B received exactly the
	# program's request, nothing of the library's.
	wait_done "$T/$mode-b" 2
	if "$PY" -c 'import sys; sys.exit(b"HT\x01" not in open(sys.argv[1], "rb").read())' \
		"$T/$mode-b/conn2"; then
		note "$mode: server B received $(wc -c <"$T/$mode-b/conn2") bytes"
		head -c 320 "$T/$mode-b/conn2" | od -c >&2
		fail "$mode: the library wrote records into the program's connection to B"
	fi
	req 2 >"$T/expect.b"
	cmp -s "$T/expect.b" "$T/$mode-b/conn2" ||
		{ head -c 320 "$T/$mode-b/conn2" | od -c >&2; fail "$mode: server B did not receive exactly the program's request"; }

	# assertion child_keeps_fd: a child forked after the reuse still has
	# the program's socket at the library's old number.
	grep -q '^child: ' "$T/$mode.out" &&
		fail "$mode: $(grep '^child: ' "$T/$mode.out") (the library closed it at fork)"
	[ "$rc" = 0 ] || { show "$T/$mode.out" "$T/$mode.err"; fail "$mode: the program exited $rc"; }
	printf 'req1 200 1\nlibfd found\nchild ok\nreq2 200 2\nreq3 200 3\ndone\n' >"$T/expect.out"
	cmp -s "$T/expect.out" "$T/$mode.out" ||
		{ show "$T/$mode.out" "$T/$mode.err"; fail "$mode: the program's output is not what it should be"; }
	[ -s "$T/$mode.err" ] && { show "$T/$mode.err"; fail "$mode: the program wrote to stderr"; }

	# Server A: requests 1 and 3, each on its own connection.
	wait_done "$T/$mode-a" 3
	req 1 >"$T/expect.a1"
	req 3 >"$T/expect.a3"
	if ! cmp -s "$T/expect.a1" "$T/$mode-a/conn2" || ! cmp -s "$T/expect.a3" "$T/$mode-a/conn3"; then
		fail "$mode: server A did not receive requests 1 and 3"
	fi

	# assertion tracing_goes_on: all three requests recorded, each with
	# the server that answered it.
	jcheck "$T/$mode.json" --count 3 \
		--expect "resp_bytes == [1, 2, 3]" \
		--expect "url == ['http://127.0.0.1:$port_a/bytes/1', 'http://127.0.0.1:$port_b/bytes/2', 'http://127.0.0.1:$port_a/bytes/3']" \
		--expect "peer == ['127.0.0.1:$port_a', '127.0.0.1:$port_b', '127.0.0.1:$port_a']" \
		--each 'status == 200 and error is None'
	dropped=$("$PY" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if "\"summary\"" in l]
print(s[-1]["dropped"] if s else "none")' "$T/$mode.json")
	echo "# $mode: summary dropped=$dropped"
	[ "$dropped" != none ] || fail "$mode: no summary"
	# Every record arrived.  After closefrom (seen by its hook) the count
	# is exact; after a close no hook saw, a record counted on the old
	# connection's page in the microseconds before the library notices
	# could still be read by the collector as lost (an over-count, said
	# in docs/usage.md), so there it is only printed.
	if [ "$mode" = closefrom ]; then
		[ "$dropped" = 0 ] || fail "$mode: $dropped records said dropped, none was"
	fi
done
pass
