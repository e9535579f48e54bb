#!/bin/bash
# test_hostile_cut_in_head.sh - a server that closes inside its response's
# header section (a status line, "Content-Length: 100", half a header line)
# cut no body: curl's outcome is unchanged, the record says "connection
# closed before the response completed", 0 body bytes; so does the server's
# own record when the server (rawserver.py) is traced.  4a50d34 said
# "response body cut short" on both sides (conn_on_eof() and
# conn_server_closing() took any message h1_finish() found cut for a body
# cut short).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_rawserver
u=http://127.0.0.1:$RAW_PORT

curl_same cut "$u/cuthead/100"
jcheck "$T/cut.json" --count 1 \
	--each "url == '$u/cuthead/100'" \
	--each 'error == "connection closed before the response completed"' \
	--each 'resp_bytes == 0'
# a body cut short is still one
curl_same body "$u/cutshort/100/40"
jcheck "$T/body.json" --count 1 \
	--each 'status == 200 and error == "response body cut short" and resp_bytes == 40'

# the same answers from a traced server
start_traced_py srv rawserver.py 127.0.0.1
v=http://127.0.0.1:$TRACED_PORT
curl -s -o /dev/null "$v/cuthead/100" || true
curl -s -o /dev/null "$v/cutshort/100/40" || true
kill -TERM "$TRACED_PID"
wait "$TRACED_PID" || true
jcheck "$T/srv.json" --count 2 \
	--each "side == 'server'" \
	--expect "url == ['$v/cuthead/100', '$v/cutshort/100/40']" \
	--expect 'error == ["connection closed before the response completed", "response body cut short"]' \
	--expect 'resp_bytes == [0, 40]'
pass
