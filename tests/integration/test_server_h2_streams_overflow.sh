#!/bin/bash
# test_server_h2_streams_overflow.sh - a traced node http2 server reads 300
# streams at once on one connection (h2load -n 300 -c 1 -m 300; without
# h2load, a node http2 client), holding every response until it read all
# of them, then answering the last first: 128 are followed, each of the
# 172 others is reported when its headers were read, with "too many
# requests in flight; not tracked", and counted in the summary's
# not_followed, never lost.  Every request in the server's own log is in
# the records exactly once; the followed ones carry their own responses
# (h2many_check.py).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node
n=300

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- node "$TESTS_DIR/h2many.js" server \
	"$port" "$T/server.log" "$n" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "traced node http2 server did not start"; }

if command -v h2load >/dev/null 2>&1; then
	# one URL per stream: /m/0 .. /m/299, all GET
	for i in $(seq 0 $((n - 1))); do echo "http://127.0.0.1:$port/m/$i"; done >"$T/urls"
	h2load -n "$n" -c 1 -m "$n" -i "$T/urls" >"$T/client.out" 2>&1 ||
		{ show "$T/client.out"; fail "h2load exited non-zero"; }
	grep -q "^requests: $n total, $n started, $n done, $n succeeded, 0 failed" "$T/client.out" ||
		{ show "$T/client.out"; fail "h2load did not complete $n requests"; }
else
	note "h2load not installed: a node http2 client instead"
	node "$TESTS_DIR/h2many.js" client "http://127.0.0.1:$port" "$n" >"$T/client.out" 2>&1 ||
		{ show "$T/client.out"; fail "node client exited non-zero"; }
	[ "$(grep -c '^200 ' "$T/client.out")" -eq "$n" ] || { show "$T/client.out"; fail "the client did not get $n answers"; }
fi
kill -TERM "$tpid"
wait "$tpid" || true

"$PY" "$TESTS_DIR/h2many_check.py" "$T/out.json" "$T/server.log" "$n" server >&2 ||
	{ show "$T/out.json"; fail "server records do not match the server's log"; }
pass
