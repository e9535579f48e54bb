#!/bin/bash
# demo.sh - trace curl against a local test server and show the text report:
# three requests over one keep-alive connection, then one that makes the
# server close it, then one on a second server (a new connection).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
httptrace=${HTTPTRACE:-$top/build/httptrace}
server=$top/tests/integration/server.py
[ -x "$httptrace" ] || { echo "demo: build first (make)" >&2; exit 1; }

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
unset HTTPTRACE_SOCKET
pids=()
stop_servers() {
	local p
	for p in "${pids[@]+"${pids[@]}"}"; do
		kill "$p" 2>/dev/null || true
	done
}
trap stop_servers EXIT

free_port() {
	/usr/bin/python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# start_server: a server.py on a free loopback port; sets port.
start_server() {
	port=$(free_port)
	/usr/bin/python3 "$server" "$port" 127.0.0.1 >/dev/null 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do
		if /usr/bin/python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$port" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "demo: server did not start" >&2
	exit 1
}

start_server
a=http://127.0.0.1:$port
start_server
b=http://127.0.0.1:$port

cmd=(curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null
	"$a/bytes/1000" "$a/chunked/20000" "$a/delay/200" "$a/connclose"
	--next -s -o /dev/null "$a/bytes/10"
	--next -s -o /dev/null "$b/bytes/500")
echo "\$ build/httptrace -- ${cmd[*]}"
echo
"$httptrace" -- "${cmd[@]}"
