#!/bin/bash
# test_capture_replay.sh - `httptrace -w CAP -f FMT -o OUT` writes the
# capture and the live report in the same run; `httptrace read CAP -f FMT`
# then writes exactly OUT, byte for byte, for each of text, json, har and
# summary (to standard output, and with -o); for events, the same events
# with the same data, except that those the live run streamed from the
# pages of requests in flight came earlier, with null where only the
# record has the value.  The session covers
# what the collector does per peer: several processes, an exec (the same
# pid, connection numbers shifted), keep-alive, a failed connect, HTTPS
# with HTTP/2, and garbage plus an oversized message sent to the
# collector's socket (malformed counts).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl openssl
build_prog procs
start_named_server
start_nginx
u=http://$HOST:$SERVER_PORT
s=https://127.0.0.1:$NGINX_TLS_PORT
closed=$(closed_port)

cat >"$T/garbage.py" <<'PYEOF'
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
s.connect(os.environ["HTTPTRACE_SOCKET"])
s.send(b"not a record at all")
s.send(b"HT\x01\x02\xff\x00\x00\x00")  # a length beyond the message
s.send(b"x" * 40000)                   # larger than any record
s.close()
PYEOF

cat >"$T/client.sh" <<SHEOF
set -e
curl -s -o /dev/null -o /dev/null "$u/bytes/10" "$u/chunked/2000"
curl -s -o /dev/null "http://127.0.0.1:$closed/" || true
"$T/procs" exec "$SERVER_PORT" "$T/procs" >/dev/null
curl -s --cacert "$T/cert.pem" -o /dev/null -o /dev/null "$s/f/1000" "$s/f/100"
"$PY" "$T/garbage.py"
SHEOF

for fmt in text json events har summary; do
	"$HTTPTRACE" -w "$T/$fmt.cap" -f "$fmt" -o "$T/live.$fmt" -- sh "$T/client.sh" \
		2>"$T/run.$fmt.err" || { show "$T/run.$fmt.err"; fail "$fmt: httptrace exited $?"; }
	[ -s "$T/live.$fmt" ] || fail "$fmt: no live report"
	"$HTTPTRACE" read -f "$fmt" "$T/$fmt.cap" >"$T/read.$fmt" 2>"$T/read.$fmt.err" ||
		{ show "$T/read.$fmt.err"; fail "$fmt: read exited $?"; }
	[ -s "$T/read.$fmt.err" ] && { show "$T/read.$fmt.err"; fail "$fmt: read complained"; }
	if [ "$fmt" = events ]; then
		# The live run streamed some events from the pages of
		# requests in flight (earlier, with null where only the
		# record knows); the replay has the records alone.  How
		# much the live run streamed depends on when its 50 ms
		# passes fell, so one difference is the stream's own (man
		# page, "events"), not the capture's: a request whose
		# wrote_headers went out from the page (headers null) has
		# its headers in its response_done as request_headers,
		# where the replay has them in wrote_headers.  (A
		# connection's dns/connect/tls events have "req" null on
		# both, whether streamed from its slot or not.)
		"$PY" - "$T/live.$fmt" "$T/read.$fmt" <<'PYEOF' ||
import json, sys
def load(path):
    return [json.loads(l) for l in open(path)]
live, rd = load(sys.argv[1]), load(sys.argv[2])
key = lambda e: (e["event"], e.get("pid"), e.get("conn"), e.get("req"),
                 e.get("ts"))
if sorted(map(key, live), key=repr) != sorted(map(key, rd), key=repr):
    sys.exit("not the same events")
byk = {key(e): e for e in rd}
for e in live:
    r = byk[key(e)]
    e = dict(e)
    if e["event"] == "response_done" and "request_headers" in e and \
       "request_headers" not in r:
        w = [x for x in rd if x["event"] == "wrote_headers" and
             (x["pid"], x["conn"], x["req"]) == (e["pid"], e["conn"], e["req"])]
        if not w or e.pop("request_headers") != w[0]["headers"]:
            sys.exit("request_headers differ: %r\n   from %r" % (e, w))
    if any(v is not None and r.get(k) != v for k, v in e.items()) or \
       set(e) != set(r) or (e["event"] == "summary" and e != r):
        sys.exit("differs: %r\n   from %r" % (e, r))
PYEOF
			{ diff "$T/live.$fmt" "$T/read.$fmt" >&2 || true; fail "$fmt: the replay differs from the live report"; }
	else
		cmp "$T/live.$fmt" "$T/read.$fmt" ||
			{ diff "$T/live.$fmt" "$T/read.$fmt" >&2 || true; fail "$fmt: the replay differs from the live report"; }
	fi
	"$HTTPTRACE" read -f "$fmt" -o "$T/read2.$fmt" "$T/$fmt.cap" ||
		fail "$fmt: read -o exited $?"
	cmp -s "$T/read.$fmt" "$T/read2.$fmt" || fail "$fmt: read -o differs"
done

# The premise: the session did what it should (judged on the json run).
jcheck "$T/live.json" --count 6 \
	--expect 'resp_bytes == [10, 2000, 33, 44, 1000, 100]' \
	--expect 'proto[-2:] == ["HTTP/2", "HTTP/2"]' \
	--expect 'reused == [False, True, False, False, False, True]' \
	--each 'status == 200 and error is None'
jcheck "$T/live.json" --expect 'len(set(zip(pid, conn))) == 4 and conn[2:4] == [1, 2]'
jcheck "$T/live.json" --event connect_error --count 1
# Processes that made connections (traced): 3 curls and both images of
# procs (sh and python make none, so they never connect to the
# collector); of those, all but the curl whose connect failed made
# requests.
jcheck "$T/live.json" --event summary --count 1 \
	--each 'malformed >= 3 and processes == 4 and processes_traced == 5'
pass
