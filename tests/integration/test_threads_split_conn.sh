#!/bin/bash
# test_threads_split_conn.sh - one connection written by one thread and read
# by another (progs/split_conn.py: a writer thread sendall()s 300 GETs of
# distinct /bytes/N, a reader thread parses the responses): every request
# is reported with its own response, as the server's log says it answered
# them.  A response may reach the read hook before the writer's hook has fed
# the request the kernel already sent; racy by nature, so several rounds:
# keep-alive (one request at a time) and pipelined (up to 3 unanswered).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server 127.0.0.1 --log "$T/server_requests.log"
N=300

round=0
for window in 1 1 1 3 3; do
	round=$((round + 1))
	split_conn_round "$round" "$window"
	note "round $round (window $window): $("$PY" -c '
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1])) if r["event"] == "request"]
ok = sum(r["url"].endswith("/bytes/%s" % r["resp_bytes"]) for r in recs)
print("%d records, %d with their own response" % (len(recs), ok))' "$T/out$round.json")"
	# Every record: its own request's response, in the server's order.
	jcheck "$T/out$round.json" --count "$N" \
		--expect 'len(set(conn)) == 1' \
		--expect "req == list(range(1, $N + 1))" \
		--expect "[u.split('/', 3)[3] for u in url] == [l.split()[3][1:] for l in open('$T/server$round.log')]" \
		--expect "resp_bytes == [int(l.split()[5]) for l in open('$T/server$round.log')]" \
		--each "error is None and status == 200 and method == 'GET'" \
		--each "url.endswith('/bytes/%d' % resp_bytes)" \
		--each 'send_ms >= 0 and wait_ms >= 0 and receive_ms >= 0'
done
pass
