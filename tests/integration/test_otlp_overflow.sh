#!/bin/bash
# test_otlp_overflow.sh - a receiver that never answers: the exporter's
# queue fills, what does not fit is dropped and counted, tracing goes on
# (every request is in the json output), and at SIGTERM listen gives up
# after its bounded wait and exits 0, reporting every request dropped.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock

start_otlp_receiver --mode hang
rport=$RECV_PORT

# A queue of 4 and batches of 2, sent only when full: one batch hangs in
# its POST (timeout 30 s, longer than the test), 4 wait behind it, the
# other 14 of the 20 requests overflow.  The wait at exit is 5 s.
OTEL_BSP_MAX_QUEUE_SIZE=4 OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2 \
OTEL_BSP_SCHEDULE_DELAY=600000 OTEL_EXPORTER_OTLP_TIMEOUT=30000 \
	start_listen_env -f json -o "$T/out.json" --otlp "http://127.0.0.1:$rport"
lpid=$LPID
urls=()
for i in $(seq 20); do urls+=("$u/bytes/$i"); done
(. "$T/env.sh"; curl -s "${urls[@]}") >/dev/null ||
	fail "curl failed"
# Tracing went on: a second program is traced too.
(. "$T/env.sh"; curl -s -o /dev/null "$u/bytes/99") || fail "curl failed"

kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
show "$T/listen.err"
jcheck "$T/out.json" --count 21 --each 'status == 200 and error is None'
"$PY" - "$T/listen.err" <<'PYEOF' || fail "the drops are not counted as expected"
import re, sys
m = re.search(r"otlp: (\d+) requests sent .* (\d+) dropped \((\d+) queue full, "
              r"(\d+) failed, (\d+) unsent at exit\)", open(sys.argv[1]).read())
sent, dropped, full, failed, unsent = map(int, m.groups())
assert sent == 0, sent
assert dropped == 21, dropped
assert full >= 15, full          # 21 - 2 in flight - 4 queued
assert failed + unsent == 21 - full
PYEOF
pass
