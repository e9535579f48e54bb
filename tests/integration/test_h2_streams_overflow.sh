#!/bin/bash
# test_h2_streams_overflow.sh - a traced node http2 client opens 200
# streams at once on one connection to an untraced node http2 server that
# holds every response until it read all 200 (then answers the last
# first): 128 are followed, each of the 72 others is reported at once
# with "too many requests in flight; not tracked" and counted in the
# summary's not_followed, never lost.  Every request in the server's own
# log is in the records exactly once; the followed ones carry their own
# responses (h2many_check.py).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node
n=200

port=$(free_port)
node "$TESTS_DIR/h2many.js" server "$port" "$T/server.log" "$n" >"$T/server.out" 2>&1 &
spid=$!
_PIDS+=("$spid")
wait_port 127.0.0.1 "$port" "$spid" || { show "$T/server.out"; fail "node http2 server did not start"; }

"$HTTPTRACE" -f json -o "$T/out.json" -- node "$TESTS_DIR/h2many.js" client \
	"http://127.0.0.1:$port" "$n" >"$T/client.out" 2>&1 ||
	{ show "$T/client.out"; fail "httptrace -- node client exited non-zero"; }
# the premise: the client got all its answers
[ "$(grep -c '^200 ' "$T/client.out")" -eq "$n" ] || { show "$T/client.out"; fail "the client did not get $n answers"; }

"$PY" "$TESTS_DIR/h2many_check.py" "$T/out.json" "$T/server.log" "$n" client >&2 ||
	{ show "$T/out.json"; fail "records do not match the server's log"; }
pass
