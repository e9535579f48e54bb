#!/bin/bash
# test_server_h2_killed_writing.sh - nginx traced as a cleartext HTTP/2
# server (one process), killed after the system call that wrote a whole
# stream's response returned, before the library fed its bytes (the
# stream's record not made yet, the stream still in the live page): the
# client has the whole response, so the stream is not reported cut (error
# killed, from the page); it is counted as not seen.  The client,
# h2oneshot.py, sends its request in the connection's first bytes (read
# before the library had a page: the stream takes its slot, and the
# connection its write mark, when the page comes).  strace holds nginx at
# the exit of its second writev() (delay_exit: the call done, the program
# not back; nginx sends its SETTINGS and the response's HEADERS in the
# first, the DATA with END_STREAM in the second), the
# client reads the whole response, then nginx is killed with SIGKILL (and
# strace after it): no timing decides the outcome.
# The control: the same nginx not held serves the stream with a record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd strace pgrep
strace -f -o /dev/null -e trace=writev -e inject=writev:delay_exit=1ms /bin/true 2>/dev/null ||
	skip "strace cannot trace or inject here"
NGINX_MASTER=off

# serve HELD OUT: nginx traced (under strace; HELD: its second writev held
# at its exit), one stream of h2oneshot.py, then SIGKILL; the report in
# OUT.json.
serve() {
	local held=$1 out=$2 pid tracer inject=()
	[ "$held" = held ] && inject=(-e inject=writev:delay_exit=600s:when=2)
	NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/$out.json" --
		strace -f -qq -o "$T/$out.strace" -e trace=writev "${inject[@]}")
	start_nginx
	"$PY" "$TESTS_DIR/h2oneshot.py" h2c 127.0.0.1 "$NGINX_H2C_PORT" /f/100 \
		>"$T/$out.client" 2>&1 || { show "$T/$out.client"; fail "$out: the client failed"; }
	[ "$(cat "$T/$out.client")" = "done 100" ] ||
		{ show "$T/$out.client"; fail "$out: the client did not get the whole response"; }
	# not held: the record is made once the call is back
	[ "$held" = held ] || wait_file_line "$T/$out.json" '"event":"request"' ||
		fail "$out: no record while the server runs"
	pid=$(cat "$T/nginx/nginx.pid")
	tracer=$(pgrep -P "$NGINX_PID" | head -n 1)
	{ [ -n "$pid" ] && [ -n "$tracer" ]; } || fail "$out: no nginx or strace pid"
	kill -KILL "$pid"
	# strace 6.1 does not always end once a held tracee is killed
	kill -KILL "$tracer" 2>/dev/null || true
	wait "$NGINX_PID" || true
	rm -f "$NGINX_SOCK" # left by the killed nginx: the next one binds it
}

serve free control
jcheck "$T/control.json" --event request --count 1 \
	--each 'status == 200 and error is None and side == "server"' \
	--each 'proto == "HTTP/2" and url.endswith("/f/100")'

serve held held
grep -q 'writev(' "$T/held.strace" || { show "$T/held.strace"; fail "strace saw no writev"; }
# Not reported cut while the client has its whole response (nor made a
# record: the write is held before its bytes are fed); counted as not seen
# (the summary's dropped) instead.
"$PY" - "$T/held.json" <<'PYEOF' || { show "$T/held.json"; fail "the stream whose response was written is not reported right"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
# held at the write's exit: no record can have been made
assert not reqs and summ["dropped"] == 1, (reqs, summ)
PYEOF
pass
