#!/bin/bash
# test_server_inflight_phases.sh - a traced server's requests in flight and
# cut short are named in the server's own terms, not a client's.  A traced
# gateserver.py (under `listen -f events`) holds a GET it has read
# (processing the request) and a POST whose body has not all come (reading
# the request): `httptrace status -s` text says "processing the request" /
# "reading the request", its JSON "side":"server" with phase "processing"
# / "read" and the server's event names (accepted, read_request, no
# client's connect_start or wrote_request), and -f events streams the
# server's events (read_request, side server) while the requests are held.
# Killed by SIGKILL, the server's cut requests are reported with those
# phases (events' response_done "phase"), and in run mode as text:
# "served GET URL -> killed (SIGKILL) processing the request ...".  Before,
# every one of them said "waiting for the first byte" / "wait_first_byte"
# or "send", with a client's event names, and -f events streamed nothing
# of a server's request until its record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
sock=$T/ht.sock
GATE_DIR=$T/gate
mkdir -p "$GATE_DIR"
port=$(free_port 127.0.0.1)
url=http://127.0.0.1:$port

"$HTTPTRACE" listen -s "$sock" -f events -o "$T/ev.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock.ctl" ] && break; sleep 0.05; done
[ -S "$sock.ctl" ] || { show "$T/listen.err"; fail "listen made no $sock.ctl"; }

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$PY" "$TESTS_DIR/gateserver.py" "$port" "$GATE_DIR" "$T/gate.log" \
	2>"$T/gateserver.err" &
spid=$!
_PIDS+=("$spid")
wait_port 127.0.0.1 "$port" "$spid" || fail "traced gateserver.py did not start"

# The clients, untraced: a GET the server holds once read, and a POST
# whose body stops half way (the server holds it too: it reads heads only)
curl -s -o /dev/null "$url/held" &
_PIDS+=($!)
wait_gate /held
"$PY" - "$port" "$T/partial.sent" <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /partial HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
          b"Content-Length: 10\r\n\r\nabcde" % sys.argv[1].encode())
open(sys.argv[2], "w").close()
time.sleep(600)
PYEOF
_PIDS+=($!)
wait_gate /partial

wait_status "$sock" "^  pid $spid conn [0-9]+  POST $url/partial  reading the request  [0-9.]+ m?s$"
grep -qE "^  pid $spid conn [0-9]+  GET $url/held  processing the request  [0-9.]+ m?s$" \
	"$T/status.txt" || { show "$T/status.txt"; fail "status: the held GET is not processing"; }
grep -q "waiting for the first byte\|sending the request" "$T/status.txt" &&
	{ show "$T/status.txt"; fail "status: a server's request in a client's words"; }

"$HTTPTRACE" status -s "$sock" -f json >"$T/status.json" || fail "status -f json failed"
"$PY" - "$T/status.json" "$spid" <<'PYEOF' || { show "$T/status.json"; fail "status json: not in a server's terms"; }
import json, sys
d = json.load(open(sys.argv[1]))
by = {r["url"].rsplit("/", 1)[1]: r for r in d["requests"]}
assert sorted(by) == ["held", "partial"], d
for r in by.values():
    assert r["side"] == "server" and r["pid"] == int(sys.argv[2]), r
    ev = r["events"]
    assert "accepted" in ev and "read_request_headers" in ev, r
    assert not {"connect_start", "connect_done", "got_conn", "wrote_headers",
                "wrote_request"} & set(ev), r
assert by["held"]["phase"] == "processing", by["held"]
assert "read_request" in by["held"]["events"], by["held"]
assert by["partial"]["phase"] == "read", by["partial"]
assert "read_request" not in by["partial"]["events"], by["partial"]
PYEOF

# -f events streamed the server's events while both are held
wait_file_line "$T/ev.json" '"event":"read_request",.*"side":"server"' ||
	{ show "$T/ev.json"; fail "events: the held request's read_request was not streamed"; }
grep -q '"event":"response_done"' "$T/ev.json" &&
	{ show "$T/ev.json"; fail "events: a response_done before any answer"; }

kill -KILL "$spid"
wait "$spid" 2>/dev/null || true
# listen writes the cut requests when it sees the socket close
for _ in $(seq 200); do
	[ "$(grep -c '"event":"response_done"' "$T/ev.json")" -ge 2 ] && break
	sleep 0.05
done
kill -INT "$lpid"
wait "$lpid" 2>/dev/null || true
"$PY" - "$T/ev.json" <<'PYEOF' || { show "$T/ev.json"; fail "events: the cut requests are not in a server's terms"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
srv = [e for e in ev if e["event"] != "summary"]
assert all(e.get("side") == "server" for e in srv if e["event"] not in
           ("conn_closed",)), srv
names = {e["event"] for e in srv}
assert not {"connect_start", "got_conn", "wrote_headers", "wrote_request"} & names, names
# each request's events once: read_request streamed, not written again
held = [e for e in srv if e["event"] == "read_request_headers" and e["url"].endswith("/held")]
assert len(held) == 1, held
key = (held[0]["pid"], held[0]["conn"], held[0]["req"])
mine = [e for e in srv if (e["pid"], e["conn"], e["req"]) == key]
assert [e["event"] for e in mine].count("read_request") == 1, mine
done = {(e["conn"]): e for e in srv if e["event"] == "response_done"}
assert len(done) == 2, srv
phases = {e["phase"] for e in done.values()}
assert phases == {"processing", "read"}, done
for e in done.values():
    assert e["error"] == "ended" and e["status"] is None, e
PYEOF

# Run mode knows the signal: the text record of the cut request
port=$(free_port 127.0.0.1)
url=http://127.0.0.1:$port
"$HTTPTRACE" -o "$T/run.txt" -- \
	"$PY" "$TESTS_DIR/gateserver.py" "$port" "$GATE_DIR" "$T/gate2.log" \
	2>"$T/gateserver2.err" &
rpid=$!
_PIDS+=("$rpid")
wait_port 127.0.0.1 "$port" "$rpid" || fail "gateserver.py did not start under run"
curl -s -o /dev/null "$url/again" &
_PIDS+=($!)
for _ in $(seq 200); do grep -qx "got /again" "$T/gate2.log" 2>/dev/null && break; sleep 0.05; done
grep -qx "got /again" "$T/gate2.log" || fail "the server never had /again"
gpid=$(pgrep -P "$rpid" -f gateserver.py) || fail "no gateserver.py under run"
kill -KILL "$gpid"
wait "$rpid" 2>/dev/null || true
grep -Eq "^served GET $url/again -> killed \\(SIGKILL\\) processing the request [0-9.]+ m?s " "$T/run.txt" ||
	{ show "$T/run.txt"; fail "text: the killed request is not in a server's terms"; }
pass
