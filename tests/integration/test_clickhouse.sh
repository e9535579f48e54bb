#!/bin/bash
# test_clickhouse.sh - the json format loads into ClickHouse as JSONEachRow
# with scripts/clickhouse.sql and the one-liner of docs/usage.md ("Into
# ClickHouse").
#
# Starts Debian's clickhouse-server on 127.0.0.1 (ports, data, logs, users
# all in $T), traces curl making requests to two host names (keep-alive
# reuse, a 404, a URL with quotes, backslash and UTF-8, a header with
# markup, which is skipped with the other header arrays, and a refused
# connect, whose connect_error line the grep leaves out), creates the
# table, inserts the trace and checks: one row per request line, the
# booleans (reused, tls) as 1/0, nulls kept as NULL (connect_ms on reused
# requests), the URLs unchanged, and quantile(0.95)(total_ms) and
# quantileExact(0.95)(total_ms) per host equal to the same computed in
# Python from the JSON (linear interpolation between the sorted values at
# 0.95 * (n - 1), and the value at index floor(0.95 * n)), up to the last
# bits 18.16's float parser gets wrong.  A traced server's records (server.py
# under httptrace, answering curl: "side":"server", their own phases) are
# loaded with them: side says 'server' on theirs and 'client' on the
# others' (whose lines have no side key), and each side's phase columns
# hold its phases, the other side's NULL.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] ||
	skip "clickhouse-server not installed (scripts/install-deps.sh installs it)"
require_cmd clickhouse-client
CH_SERVER=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)

# ---- the trace -------------------------------------------------------------
start_server
a=http://127.0.0.1:$SERVER_PORT
b=http://localhost:$SERVER_PORT # host "localhost", from the Host header
odd='/bytes/7?q="x\y"&u=%C3%A9-caf'$'\xc3\xa9'
printf '%s' "$odd" >"$T/odd"
refused=$(closed_port)
cat >"$T/client.sh" <<EOF
curl -s -g -H 'X-Markup: </script>"{}' -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
	"$a/bytes/10" "$a/delay/5" "$a/status/404" "$a\$(cat "$T/odd")"
for n in 1 2 3 4 5 6 7 8 9 10; do
	curl -4 -s -o /dev/null -o /dev/null "$b/bytes/\$n" "$b/delay/\$n"
done
curl -s -o /dev/null "http://127.0.0.1:$refused/" # refused: exit 7
exit 0
EOF
"$HTTPTRACE" -f json -o "$T/trace.jsonl" -- sh "$T/client.sh" ||
	fail "httptrace exited $?"
grep -q '"event":"connect_error"' "$T/trace.jsonl" || fail "no connect_error line (premise)"

# A traced server, answering an untraced curl: its records join the trace.
sport=$(free_port)
"$HTTPTRACE" -f json -o "$T/served.jsonl" -- "$PY" "$SERVER_PY" "$sport" 127.0.0.1 \
	>"$T/sserver.out" 2>&1 &
stpid=$!
_PIDS+=("$stpid")
wait_port 127.0.0.1 "$sport" "$stpid" || fail "the traced server did not start"
curl -s -o /dev/null -o /dev/null -o /dev/null "http://127.0.0.1:$sport/bytes/10" \
	"http://127.0.0.1:$sport/delay/5" "http://127.0.0.1:$sport/status/404" ||
	fail "curl to the traced server failed"
kill -TERM "$stpid"
wait "$stpid" || true
[ "$(grep -c '^{"event":"request","side":"server",' "$T/served.jsonl")" = 3 ] ||
	{ show "$T/served.jsonl" "$T/sserver.out"; fail "not 3 server records (premise)"; }
cat "$T/served.jsonl" >>"$T/trace.jsonl"

# ---- the server ------------------------------------------------------------
CH_TCP=$(free_port)
CH_HTTP=$(free_port)
mkdir -p "$T/ch/data" "$T/ch/tmp" "$T/ch/user_files" "$T/ch/format_schemas"
cat >"$T/ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>$T/ch/server.log</log>
    <errorlog>$T/ch/server.err.log</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$CH_TCP</tcp_port>
  <http_port>$CH_HTTP</http_port>
  <path>$T/ch/data/</path>
  <tmp_path>$T/ch/tmp/</tmp_path>
  <user_files_path>$T/ch/user_files/</user_files_path>
  <format_schema_path>$T/ch/format_schemas/</format_schema_path>
  <users_config>$T/ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>16</max_concurrent_queries>
  <timezone>UTC</timezone>
</yandex>
EOF
cat >"$T/ch/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
EOF
# In the foreground (not --daemon), so the EXIT trap stops it.
"$CH_SERVER" --config-file="$T/ch/config.xml" >"$T/ch/stdout.log" 2>&1 &
CH_PID=$!
_PIDS+=("$CH_PID")
ch() {
	clickhouse-client --host 127.0.0.1 --port "$CH_TCP" "$@"
}
up=0
for _ in $(seq 1 300); do
	if ch --query 'SELECT 1' >/dev/null 2>&1; then
		up=1
		break
	fi
	kill -0 "$CH_PID" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = 1 ] || {
	show "$T/ch/stdout.log" "$T/ch/server.err.log"
	fail "clickhouse-server did not start"
}
note "clickhouse $(ch --query 'SELECT version()') on 127.0.0.1:$CH_TCP"

# ---- the commands of docs/usage.md ------------------------------------------
ch --multiquery <"$TOP/scripts/clickhouse.sql" ||
	fail "scripts/clickhouse.sql failed"
ch --multiquery <"$TOP/scripts/clickhouse.sql" ||
	fail "scripts/clickhouse.sql is not idempotent"
grep '^{"event":"request",' "$T/trace.jsonl" |
	ch --input_format_skip_unknown_fields=1 \
		--query 'INSERT INTO httptrace.requests FORMAT JSONEachRow' 2>"$T/insert.err" ||
	{ show "$T/insert.err"; fail "INSERT ... FORMAT JSONEachRow failed"; }

ch --query "SELECT host, quantile(0.95)(total_ms) AS p95, quantileExact(0.95)(total_ms) AS p95x,
	count() AS n, countIf(total_ms IS NULL) AS no_total
	FROM httptrace.requests WHERE side = 'client' GROUP BY host ORDER BY host FORMAT JSONEachRow" \
	>"$T/p95.jsonl" || fail "the p95 query failed"
ch --query "SELECT url, host, side, reused, tls, status, connect_ms, wait_ms, idle_ms, error,
	total_ms, accept_ms, read_ms, processing_ms, write_ms, req
	FROM httptrace.requests ORDER BY start FORMAT JSONEachRow" \
	>"$T/rows.jsonl" || fail "the row query failed"

"$PY" - "$T/trace.jsonl" "$T/p95.jsonl" "$T/rows.jsonl" "$odd" <<'PYEOF' ||
import json, math, sys

trace, p95_path, rows_path, odd = sys.argv[1:]
lines = [json.loads(l) for l in open(trace, encoding="utf-8")]
every = [l for l in lines if l["event"] == "request"]
reqs = [l for l in every if l.get("side") != "server"] # the clients'
served = [l for l in every if l.get("side") == "server"]
got = {r["host"]: r for r in map(json.loads, open(p95_path, encoding="utf-8"))}
rows = [json.loads(l) for l in open(rows_path, encoding="utf-8")]
problems = []

def check(cond, what):
    if not cond:
        problems.append(what)

def num(v):
    # ClickHouse writes 64-bit numbers in JSON as strings by default.
    return None if v is None else float(v)

hosts = sorted({r["host"] for r in reqs})
check(len(reqs) == 24, "%d request lines, not 24" % len(reqs))
check(len(served) == 3, "%d server request lines, not 3" % len(served))
check(all("side" not in l for l in reqs), "a client's line has a side key")
check(len(hosts) == 2, "hosts %r" % hosts)
check(sorted(got) == hosts, "ClickHouse hosts %r, JSON %r" % (sorted(got), hosts))
for h in hosts:
    totals = sorted(r["total_ms"] for r in reqs if r["host"] == h and r["total_ms"] is not None)
    n = len(totals)
    pos = 0.95 * (n - 1)
    lo = math.floor(pos)
    interp = totals[lo] + (pos - lo) * (totals[min(lo + 1, n - 1)] - totals[lo])
    exact = totals[int(math.floor(0.95 * n))] if n else None
    g = got.get(h, {})
    print("%s: n=%d  p95 python %.6f clickhouse %s; exact python %s clickhouse %s"
          % (h, n, interp, g.get("p95"), exact, g.get("p95x")))
    check(int(num(g.get("n"))) == len([r for r in reqs if r["host"] == h]),
          "%s: row count %r" % (h, g.get("n")))
    check(abs(num(g.get("p95")) - interp) <= 1e-9 * max(1.0, interp),
          "%s: quantile(0.95) %r, python %r" % (h, g.get("p95"), interp))
    check(abs(num(g.get("p95x")) - exact) <= 1e-12 * max(1.0, exact),
          "%s: quantileExact(0.95) %r, python %r" % (h, g.get("p95x"), exact))

# Row by row (both ordered by start): values, booleans and nulls survive,
# the servers' rows as the clients'.
src = sorted(every, key=lambda r: r["start"])
check(len(rows) == len(src), "%d rows, %d requests" % (len(rows), len(src)))
for s, r in zip(src, rows):
    w = s["url"]
    check(r["url"] == s["url"], "url %r != %r" % (r["url"], s["url"]))
    check(r["host"] == s["host"], w + ": host")
    check(int(r["reused"]) == int(s["reused"]) and int(r["tls"]) == int(s["tls"]),
          w + ": booleans %r %r" % (r["reused"], r["tls"]))
    check(r["status"] == s["status"], w + ": status %r" % r["status"])
    check(int(r["req"]) == s["req"], w + ": req")
    # ClickHouse 18.16's float parser is fast, not correctly rounded:
    # 1.809 may come back as 1.8090000000000002 (a last-bit difference).
    for k in ("connect_ms", "idle_ms", "total_ms"):
        v = s.get(k) # connect_ms: a client's key
        check((r[k] is None) == (v is None) and
              (v is None or abs(num(r[k]) - v) <= 1e-12 * max(1.0, v)),
              "%s: %s %r, JSON %r" % (w, k, r[k], v))
    check(r["error"] == s["error"], w + ": error")
    side = s.get("side", "client")
    check(r["side"] == side, "%s: side %r, JSON %r" % (w, r["side"], side))
    for k in ("wait_ms", "accept_ms", "read_ms", "processing_ms", "write_ms"):
        v = s.get(k) # a key of the other side's: NULL
        check((r[k] is None) == (v is None) and
              (v is None or abs(num(r[k]) - v) <= 1e-12 * max(1.0, v)),
              "%s: %s %r, JSON %r" % (w, k, r[k], v))
        mine = k == "wait_ms" if side == "client" else k != "wait_ms"
        check(mine == (k in s), "%s (%s): %s in its line? %r" % (w, side, k, k in s))
check(sum(1 for r in rows if r["side"] == "server") == 3, "not 3 rows with side 'server'")
check(any(s.get("processing_ms") is not None and s["processing_ms"] >= 5 for s in served),
      "premise: the server's /delay/5 processing")
check(any(s["reused"] and s["connect_ms"] is None for s in src),
      "premise: a reused request with connect_ms null")
check(any(s["url"].endswith(odd) for s in src), "premise: the odd URL")
check(any(s["status"] == 404 for s in src), "premise: the 404")
if problems:
    for p in problems:
        print("clickhouse: " + p, file=sys.stderr)
    sys.exit(1)
PYEOF
	{ show "$T/p95.jsonl" "$T/rows.jsonl"; fail "ClickHouse does not give back the trace"; }
pass
