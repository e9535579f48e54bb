#!/bin/bash
# test_h2c_upgrade_declined.sh - curl --http2 asks for the h2c upgrade and
# the server declines (answers in HTTP/1.1 without a 101): both requests are
# HTTP/1.1 on one kept-alive connection, as before the upgrade was followed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_h2cserver --no-upgrade
u=http://127.0.0.1:$H2C_PORT

curl_same dec --http2 -o /dev/null "$u/a" "$u/b"
[ "$(cat "$T/dec.out")" = "200 42200 42" ] ||
	{ show "$T/dec.out"; fail "curl did not get both answers in HTTP/1.1"; }
jcheck "$T/dec.json" --count 2 \
	--expect 'len(set(conn)) == 1 and req == [1, 2] and reused == [False, True]' \
	--each 'proto == "HTTP/1.1" and status == 200 and resp_bytes == 42 and interim == 0' \
	--each 'error is None'
pass
