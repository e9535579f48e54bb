#!/bin/bash
# test_output_no_partial_line.sh - a JSON Lines report that hits the file
# size limit (ulimit -f: writes past it fail with EFBIG and raise SIGXFSZ)
# ends at its last whole line: every line parses, for -f json, events and
# otlp in run mode, in listen mode and in read mode.  The collector is not
# killed by SIGXFSZ: it says "File too large" with the file's name and
# exits 125 (run, listen) or 2 (read), while the traced program, which
# writes nothing, is not disturbed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
limit_kb=6 # far less than the reports below, which take ~100 KB

# The client: 300 keep-alive requests, with long paths so the lines are
# long and a block of output ends inside one.
cat >"$T/client.py" <<PYEOF
import http.client
c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
for i in range(300):
    c.request('GET', '/bytes/%d?pad=%s' % (i % 50, 'x' * (i % 97)))
    c.getresponse().read()
print("client done")
PYEOF

# check_lines FILE WHAT: FILE is non-empty, under the limit, whole lines.
check_lines() {
	local f=$1 what=$2 size
	size=$(stat -c %s "$f")
	[ "$size" -le $((limit_kb * 1024)) ] || fail "$what: $f is $size bytes, over the limit"
	[ "$size" -gt 0 ] || fail "$what: $f is empty (expected the lines that fit)"
	"$PY" - "$f" "$what" <<'PYEOF' || fail "$what: $1 ends in a partial line"
import json, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "%s: no newline at the end: %r" % (sys.argv[2], data[-60:])
for n, line in enumerate(data.split(b"\n")[:-1], 1):
    try:
        json.loads(line)
    except ValueError as e:
        sys.exit("%s: line %d does not parse: %s: %r" % (sys.argv[2], n, e, line[-60:]))
PYEOF
}

# expect_efbig FILE ERR WHAT: ERR names FILE and the reason.
expect_efbig() {
	grep -qF "httptrace: writing the report to $1 failed: File too large" "$2" ||
		{ cat "$2" >&2; fail "$3: no message naming $1 and 'File too large'"; }
}

for fmt in json events otlp; do
	rc=0
	bash -c 'ulimit -f "$1"; shift; exec "$@"' _ "$limit_kb" \
		"$HTTPTRACE" -f "$fmt" -o "$T/run.$fmt" -- "$PY" "$T/client.py" \
		>"$T/client.$fmt.out" 2>"$T/run.$fmt.err" || rc=$?
	[ "$rc" = 125 ] || { cat "$T/run.$fmt.err" >&2; fail "run -f $fmt over the limit: expected exit 125, got $rc"; }
	grep -qx "client done" "$T/client.$fmt.out" || fail "run -f $fmt: the client did not finish"
	expect_efbig "$T/run.$fmt" "$T/run.$fmt.err" "run -f $fmt"
	check_lines "$T/run.$fmt" "run -f $fmt"
done

# listen: the limit on the collector only.
sock=$T/ht.sock
bash -c 'ulimit -f "$1"; shift; exec "$@"' _ "$limit_kb" \
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not create $sock"
"$HTTPTRACE" env -s "$sock" >"$T/env.sh" || fail "httptrace env failed"
(. "$T/env.sh"; "$PY" "$T/client.py" >"$T/client.listen.out") || fail "client under listen failed"
kill -TERM "$lpid"
rc=0
wait "$lpid" || rc=$?
[ "$rc" = 125 ] || { cat "$T/listen.err" >&2; fail "listen over the limit: expected exit 125, got $rc"; }
expect_efbig "$T/listen.json" "$T/listen.err" "listen"
check_lines "$T/listen.json" "listen"

# read: a whole capture (no limit), replayed into a limited report.
"$HTTPTRACE" -w "$T/cap.htcap" -- "$PY" "$T/client.py" >/dev/null ||
	fail "capture for read failed"
rc=0
bash -c 'ulimit -f "$1"; shift; exec "$@"' _ "$limit_kb" \
	"$HTTPTRACE" read -f json -o "$T/read.json" "$T/cap.htcap" 2>"$T/read.err" || rc=$?
[ "$rc" = 2 ] || { cat "$T/read.err" >&2; fail "read over the limit: expected exit 2, got $rc"; }
expect_efbig "$T/read.json" "$T/read.err" "read"
check_lines "$T/read.json" "read"
pass
