#!/bin/bash
# test_server_h2_killed.sh - nginx traced as an HTTP/2 server (one process,
# no master: the traced command's own child, so its end's signal is known),
# SIGKILLed while a stream waits for its upstream (a location proxied to
# rawserver.py's /stuck, which reads the request and never answers): the
# stream is reported from nginx's live page as the server's request, killed
# by SIGKILL while the server processed it (phase "processing", in words
# "processing the request": the request read, no response byte written),
# with its method, path and HTTP/2.  Clients: curl --http2 over TLS, and
# h2oneshot.py (the preface, SETTINGS and HEADERS in one write, so nginx
# reads the whole request in the connection's first read, before the
# library connected to the collector and had a page) over TLS and
# cleartext; JSON and text.  Before, such a stream took no slot and was
# lost with no count.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
curl -V | grep -q HTTP2 || skip "curl without HTTP/2"
start_rawserver
NGINX_MASTER=off
NGINX_SERVER_EXTRA="location /stuck { proxy_pass http://127.0.0.1:$RAW_PORT; proxy_read_timeout 600s; }"

# run_killed NAME FORMAT CLIENT: nginx traced with FORMAT into
# $T/NAME.FORMAT, CLIENT (curl, or oneshot: h2oneshot.py) to
# /stuck?q=NAME over TLS (NAME tls*) or cleartext, nginx killed once the
# upstream holds the proxied request.
run_killed() {
	local name=$1 fmt=$2 client=$3 n pid _ mode=h2c port
	NGINX_WRAP=("$HTTPTRACE" -f "$fmt" -o "$T/$name.$fmt" --)
	n=$(grep -c '^stuck /stuck' "$T/rawserver.log" 2>/dev/null || true)
	start_nginx
	port=$NGINX_H2C_PORT
	case $name in tls*) mode=tls port=$NGINX_TLS_PORT ;; esac
	if [ "$client" = curl ] && [ $mode = tls ]; then
		curl -sk --http2 -m 60 -o /dev/null \
			"https://127.0.0.1:$port/stuck?q=$name" 2>"$T/$name.client" &
	else
		"$PY" "$TESTS_DIR/h2oneshot.py" $mode 127.0.0.1 "$port" \
			"/stuck?q=$name" >"$T/$name.client" 2>&1 &
	fi
	local cpid=$!
	_PIDS+=("$cpid")
	for _ in $(seq 200); do
		[ "$(grep -c '^stuck /stuck' "$T/rawserver.log")" -gt "${n:-0}" ] && break
		sleep 0.05
	done
	[ "$(grep -c '^stuck /stuck' "$T/rawserver.log")" -gt "${n:-0}" ] ||
		{ show "$T/$name.client" "$T/nginx/error.log"; fail "$name: the upstream never had the proxied request"; }
	pid=$(cat "$T/nginx/nginx.pid")
	{ [ -n "$pid" ] && [ "$pid" != "$NGINX_PID" ]; } || fail "$name: no nginx pid"
	kill -KILL "$pid"
	wait "$cpid" 2>/dev/null || true
	wait "$NGINX_PID" || true
	rm -f "$NGINX_SOCK" # left by the killed nginx: the next one binds it
	[ -s "$T/$name.$fmt" ] || fail "$name: no output"
}

# check_json NAME: the one server record of $T/NAME.json
check_json() {
	"$PY" - "$T/$1.json" "$1" <<'PYEOF' || { show "$T/$1.json"; fail "$1: the killed stream is not reported right"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
name = sys.argv[2]
tls = name.startswith("tls")
srv = [r for r in recs if r["event"] == "request" and r.get("side") == "server"]
assert len(srv) == 1, srv
r = srv[0]
assert r["method"] == "GET" and r["url"].startswith(
    "https://" if tls else "http://"), r
assert r["url"].endswith("/stuck?q=" + name), r
assert r["proto"] == "HTTP/2" and r["tls"] is tls, r
assert r["error"] == "killed" and r["signal"] == "SIGKILL", r
assert r["phase"] == "processing" and r["status"] is None, r
PYEOF
}

run_killed tls_curl json curl
check_json tls_curl
run_killed tls_oneshot json oneshot
check_json tls_oneshot
run_killed h2c_oneshot json oneshot
check_json h2c_oneshot
run_killed tls_text text oneshot
grep -Eq "^served GET https://127.0.0.1:$NGINX_TLS_PORT/stuck\\?q=tls_text -> killed \\(SIGKILL\\) processing the request .* HTTP/2 " "$T/tls_text.text" ||
	{ show "$T/tls_text.text"; fail "text: the killed stream is not reported"; }
pass
