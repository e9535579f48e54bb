#!/bin/bash
# test_pipeline_deep.sh - one connection with every request written before
# any response is read (progs/split_conn.py with a window of N: a writer
# thread sendall()s 300 GETs of distinct /bytes/N at once, a reader thread
# parses the responses): deeper than the tracer follows.  Every request is
# reported, each either with its own response (as the server's log and its
# X-Conn-Req header say) or as not tracked (HT_ERR_OVERFLOW, no response);
# none paired with another's response, none lost.  Before the fix, 4 to 19
# records of 300 came out, one run with a mispaired one.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server 127.0.0.1 --log "$T/server_requests.log"
N=300

for round in 1 2 3; do
	split_conn_round "$round" "$N"
	note "round $round: $("$PY" -c '
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1])) if r["event"] == "request"]
ok = sum(r["error"] is None and r["url"].endswith("/bytes/%s" % r["resp_bytes"]) for r in recs)
over = sum(r["error"] is not None for r in recs)
print("%d records: %d with their own response, %d not tracked" % (len(recs), ok, over))' "$T/out$round.json")"
	# Every request once, in the server's numbering; the paired ones
	# with their own response, the others with no response at all, or,
	# when the reader thread read more than the library can hold while
	# the writer's sendall was still in its hook (64 KiB), said to be not
	# followed from there on: never another request's response.
	jcheck "$T/out$round.json" --count "$N" \
		--expect 'len(set(conn)) == 1' \
		--expect "sorted(req) == list(range(1, $N + 1))" \
		--expect "sorted(u.split('/', 3)[3] for u in url) == [l.split()[3][1:] for l in open('$T/server$round.log')]" \
		--expect "error.count(None) >= 4" \
		--each "method == 'GET'" \
		--each "error is not None or (status == 200 and url.endswith('/bytes/%d' % resp_bytes) and url.endswith('/bytes/%d' % (999 + req)) and [h['value'] for h in response_headers if h['name'] == 'X-Conn-Req'] == [str(req)])" \
		--each "error is None or (error == 'too many requests in flight; not tracked' and status is None and resp_bytes == 0 and response_headers == [] and url.endswith('/bytes/%d' % (999 + req))) or (error == 'bytes the tracer could not see; not followed' and url.endswith('/bytes/%d' % (999 + req)) and status in (None, 200))"
	jcheck "$T/out$round.json" --event summary --count 1 \
		--each "requests == $N and dropped == 0"
done
pass
