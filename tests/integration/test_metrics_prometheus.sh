#!/bin/bash
# test_metrics_prometheus.sh - `httptrace listen --metrics 127.0.0.1:PORT`
# serves /metrics in the text exposition format; a real prometheus scrapes
# it, and its query API counts exactly the requests traced.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd prometheus
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock
mport=$(free_port)

"$HTTPTRACE" listen -s "$sock" -f summary -o "$T/summary.txt" \
	--metrics "127.0.0.1:$mport" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
wait_port 127.0.0.1 "$mport" "$lpid" || { show "$T/listen.err"; fail "no metrics port"; }
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
"$HTTPTRACE" env -s "$sock" >"$T/env.sh"

# 5 requests: 3 from curl on one connection (one 404), 2 from python.
(. "$T/env.sh"; curl -s -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/1" "$u/bytes/2" "$u/status/404") || fail "curl failed"
(. "$T/env.sh"; "$PY" -c "
import http.client
c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
for p in ('/bytes/3', '/bytes/4'):
    c.request('GET', p); c.getresponse().read()
") || fail "python failed"

curl -s -D "$T/m.head" -o "$T/m.txt" "http://127.0.0.1:$mport/metrics" || fail "GET /metrics failed"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/m.head" || { show "$T/m.head"; fail "content type"; }
grep -q '^# TYPE http_client_request_duration_seconds histogram' "$T/m.txt" || { show "$T/m.txt"; fail "no histogram"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")" = 404 ] || fail "/other is not 404"

pport=$(free_port)
cat >"$T/prometheus.yml" <<PEOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: httptrace
    static_configs:
      - targets: ['127.0.0.1:$mport']
PEOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$T/prometheus.log" 2>&1 &
ppid=$!
_PIDS+=("$ppid")
wait_port 127.0.0.1 "$pport" "$ppid" || { show "$T/prometheus.log"; fail "prometheus did not start"; }

# query EXPR: print the value of EXPR's single sample (nothing when none).
query() {
	curl -s -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		"$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
if len(r) == 1:
    print(r[0]["value"][1])'
}

# Wait (up to 20 s) until prometheus has scraped the target.
for _ in $(seq 100); do
	[ "$(query 'up{job="httptrace"}')" = 1 ] && break
	sleep 0.2
done
[ "$(query 'up{job="httptrace"}')" = 1 ] || { show "$T/prometheus.log"; fail "target never up"; }

got=$(query 'sum(http_client_request_duration_seconds_count)')
[ "$got" = 5 ] || fail "prometheus counts $got requests, not 5"
got=$(query 'sum(http_client_request_duration_seconds_count{server_address="127.0.0.1",http_request_method="GET",status_class="4xx"})')
[ "$got" = 1 ] || fail "4xx requests: $got, not 1"
got=$(query 'sum(http_client_request_duration_seconds_bucket{le="+Inf"})')
[ "$got" = 5 ] || fail "+Inf bucket: $got"
got=$(query 'httptrace_requests_total{server_address="127.0.0.1"}')
[ "$got" = 5 ] || fail "httptrace_requests_total: $got"
got=$(query 'httptrace_connections_opened_total{server_address="127.0.0.1"}')
[ "$got" = 2 ] || fail "connections opened: $got, not 2"
got=$(query 'httptrace_requests_reused_total{server_address="127.0.0.1"}')
[ "$got" = 3 ] || fail "reused: $got, not 3"
got=$(query 'httptrace_tcp_connect_duration_seconds_count{server_address="127.0.0.1"}')
[ "$got" = 2 ] || fail "connect durations: $got, not 2"
got=$(query 'httptrace_processes_total')
[ "$got" = 2 ] || fail "processes: $got, not 2"
got=$(query 'httptrace_records_dropped_total')
[ "$got" = 0 ] || fail "dropped: $got"

kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
pass
