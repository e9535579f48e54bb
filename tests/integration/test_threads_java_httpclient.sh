#!/bin/bash
# test_threads_java_httpclient.sh - Java's java.net.http.HttpClient
# (HTTP/1.1, plain http; progs/SplitConn.java) writes a request on one
# thread and reads its response on its selector thread: three GETs and a
# POST of 10240 bytes on one connection, traced 10 times, every time four
# records, each request with its own response, as the server's log says it
# answered them.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1 ||
	skip "no JDK (javac, java): scripts/install-deps.sh installs openjdk-17-jdk-headless"
build_java SplitConn "$T/classes"
start_server 127.0.0.1 --log "$T/server_requests.log"

for run in $(seq 1 10); do
	mark=$(wc -l <"$T/server_requests.log")
	"$HTTPTRACE" -f json -o "$T/out$run.json" -- \
		java "${JAVA_QUICK[@]}" -cp "$T/classes" SplitConn "$SERVER_PORT" >"$T/java$run.txt" ||
		fail "run $run: java exited $?"
	tail -n +"$((mark + 1))" "$T/server_requests.log" >"$T/server$run.log"
	# The premise: the client got each response, the server answered them
	# on one connection, in this order.
	[ "$(cat "$T/java$run.txt")" = "GET /bytes/100 200 100
GET /bytes/2000 200 2000
GET /bytes/30000 200 30000
POST /echo 200 6" ] || { show "$T/java$run.txt"; fail "run $run: the client's responses"; }
	[ "$(awk '{ print $2, $3, $4, $6 }' "$T/server$run.log" | tr '\n' ';')" = \
		"1 GET /bytes/100 100;2 GET /bytes/2000 2000;3 GET /bytes/30000 30000;4 POST /echo 6;" ] ||
		{ show "$T/server$run.log"; fail "run $run: not what the server answered on one connection"; }
	jcheck "$T/out$run.json" --count 4 \
		--expect 'len(set(conn)) == 1 and req == [1, 2, 3, 4]' \
		--expect 'method == ["GET", "GET", "GET", "POST"]' \
		--expect "[u.split('/', 3)[3] for u in url] == ['bytes/100', 'bytes/2000', 'bytes/30000', 'echo']" \
		--expect 'resp_bytes == [100, 2000, 30000, 6]' \
		--expect 'req_bytes == [0, 0, 0, 10240]' \
		--each 'error is None and status == 200' \
		--each 'send_ms >= 0 and wait_ms >= 0 and receive_ms >= 0'
done
pass
