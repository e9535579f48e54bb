#!/bin/bash
# test_early_answer.sh - a server answers before it has read the request
# body (nginx's `return`, a 413, a 401: earlyserver.py), the client writes
# the rest of the body after the answer, or stops and closes.  Each
# request's record carries the body bytes the client wrote (the server's
# own log is the oracle), send_ms and wait_ms non-null and non-negative,
# total_ms covering the send, no error; HAR's timings are valid (>= 0) and
# its bodySize the same; the text says the answer came early.  earlyclient.py
# reads each answer before writing the rest, so the order is certain;
# curl, which may read the answer before or after its upload, is run five
# times with three 1 MB POSTs on a connection (the race the records lost
# the body in).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

start_py earlyserver.py "$T/srv.err" "$T/server.log"
port=$PY_PORT

# wait_lines N: until the server logged N lines (it logs a body once read,
# after its client may have gone on), 10 s at most.
wait_lines() {
	local _
	for _ in $(seq 100); do
		[ "$(wc -l <"$T/server.log")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 0
}

# Untraced, then traced: the client prints the same.
"$PY" "$TESTS_DIR/earlyclient.py" "$port" >"$T/plain.out" 2>"$T/plain.err" ||
	{ show "$T/plain.err"; fail "the client failed untraced"; }
: >"$T/server.log"
"$HTTPTRACE" -f json -o "$T/early.json" -w "$T/early.htcap" -- \
	"$PY" "$TESTS_DIR/earlyclient.py" "$port" >"$T/traced.out" 2>"$T/traced.err" ||
	{ show "$T/traced.err"; fail "the client failed traced"; }
cmp -s "$T/plain.out" "$T/traced.out" ||
	{ show "$T/plain.out" "$T/traced.out"; fail "the client's output differs under tracing"; }
wait_lines 4
printf '%s\n' '/close/1 closed after 1000 of 100000' '/drain/1 body 300000 early 1000' \
	'/drain/2 body 300000 early 1000' '/drain/3 body 300000 early 1000' |
	cmp -s - <(sort "$T/server.log") ||
	{ show "$T/server.log"; fail "the server did not read what the test expects"; }

jcheck "$T/early.json" --count 4 \
	--expect "url == ['http://127.0.0.1:$port/drain/1', 'http://127.0.0.1:$port/drain/2', 'http://127.0.0.1:$port/drain/3', 'http://127.0.0.1:$port/close/1']" \
	--expect "status == [200, 200, 200, 413] and error == [None] * 4" \
	--expect "req_bytes == [300000, 300000, 300000, 1000] and resp_bytes == [5, 5, 5, 0]" \
	--expect "keep_alive == [True, True, True, False] and req == [1, 2, 3, 1]" \
	--each 'send_ms is not None and send_ms >= 0 and wait_ms is not None and wait_ms >= 0' \
	--each 'receive_ms is not None and receive_ms >= 0 and total_ms >= send_ms'

"$HTTPTRACE" read -f har "$T/early.htcap" >"$T/early.har" || fail "read -f har failed"
"$PY" - "$T/early.har" "$T/early.json" <<'PY' || { show "$T/early.har"; fail "the HAR is not valid for the early answers"; }
import json, sys
es = json.load(open(sys.argv[1]))["log"]["entries"]
assert len(es) == 4, len(es)
js = [json.loads(l) for l in open(sys.argv[2]) if '"total_ms"' in l]
# HAR 1.2: time is the sum of the timings that are not -1 (ssl inside
# connect), here also the request's whole duration as json gives it
for e, j in zip(es, js):
    t = e["timings"]
    s = sum(v for k, v in t.items() if k != "ssl" and v != -1)
    assert abs(s - e["time"]) < 0.0005 and abs(e["time"] - j["total_ms"]) < 0.0005, (e, j)
assert [e["request"]["bodySize"] for e in es] == [300000] * 3 + [1000], es
for e in es:
    t = e["timings"]
    # HAR 1.2: send, wait and receive are never -1
    assert all(t[k] >= 0 for k in ("send", "wait", "receive")), t
    assert e["time"] >= 0, e
PY

"$HTTPTRACE" read -f text "$T/early.htcap" >"$T/early.txt" || fail "read -f text failed"
[ "$(grep -c 'answered before the body was sent' "$T/early.txt")" = 4 ] ||
	{ show "$T/early.txt"; fail "the text does not say the four answers came early"; }
! grep -q 'sent 0 B' "$T/early.txt" ||
	{ show "$T/early.txt"; fail "the text says a body of 0 bytes"; }

# curl, three 1 MB POSTs on one connection answered at their headers, five
# times: every record has the whole body and both phases.
command -v curl >/dev/null || pass
head -c 1000000 /dev/zero >"$T/post1m"
for i in 1 2 3 4 5; do
	: >"$T/server.log"
	"$HTTPTRACE" -f json -o "$T/curl$i.json" -- curl -sS \
		-o /dev/null -o /dev/null -o /dev/null \
		--data-binary @"$T/post1m" -H 'Expect:' \
		"http://127.0.0.1:$port/drain/$i.a" "http://127.0.0.1:$port/drain/$i.b" \
		"http://127.0.0.1:$port/drain/$i.c" 2>"$T/curl$i.err" ||
		{ show "$T/curl$i.err"; fail "curl run $i failed"; }
	wait_lines 3
	[ "$(grep -c ' body 1000000 ' "$T/server.log")" = 3 ] ||
		{ show "$T/server.log"; fail "the server did not read three bodies in run $i"; }
	jcheck "$T/curl$i.json" --count 3 \
		--each 'status == 200 and error is None and req_bytes == 1000000' \
		--each 'send_ms is not None and send_ms >= 0 and wait_ms is not None and wait_ms >= 0'
done
pass
