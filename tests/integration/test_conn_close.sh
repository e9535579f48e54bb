#!/bin/bash
# test_conn_close.sh - a server answering "Connection: close": two URLs give
# two connections, each new (reused false, req 1).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -D "$T/headers" -o /dev/null -o /dev/null "$u/connclose" "$u/connclose" ||
	fail "httptrace -- curl exited $?"

[ "$(grep '^X-Conn:' "$T/headers" | sort -u | wc -l)" = 2 ] ||
	{ show "$T/headers"; fail "curl did not open a second connection (server side)"; }

jcheck "$T/out.json" --count 2 \
	--expect 'len(set(conn)) == 2' \
	--expect 'reused == [False, False]' \
	--expect 'req == [1, 1]' \
	--expect 'status == [200, 200]' \
	--expect 'resp_bytes == [8, 8]' \
	--expect 'nonnull(connect_ms)' \
	--each 'error is None and method == "GET"'
pass
