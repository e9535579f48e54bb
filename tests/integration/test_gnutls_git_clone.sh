#!/bin/bash
# test_gnutls_git_clone.sh - git clone over https (dumb HTTP, static files
# served by nginx with TLS and h2): git-remote-https, a child of git, does
# the transfer with libcurl-gnutls, which negotiates h2.  The clone works
# under httptrace; every request nginx logs for it has its record (same
# targets, statuses and body sizes, as many connections), all from the
# git-remote-https process, never from the top-level git; HTTP/2 over TLS
# with one record per connection not reused.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd git
helper=$(git --exec-path)/git-remote-https
[ -x "$helper" ] || skip "no $helper"
case $(ldd "$helper") in
*libcurl-gnutls.so*) ;;
*) skip "git-remote-https does not use libcurl-gnutls" ;;
esac
pick_named_host # make_cert covers HOST: git verifies the certificate
start_nginx
u=https://$HOST:$NGINX_TLS_PORT

# Nothing of the user's or the system's git setup may take part.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_SSL_NO_VERIFY GIT_CONFIG_GLOBAL \
	GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_TRACE GIT_TRACE_CURL GIT_CURL_VERBOSE
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME" "$T/trace2"

# The repository: two commits, cloned bare into nginx's root and prepared
# for the dumb HTTP protocol.
src=$T/src
git init -q "$src"
git -C "$src" config user.name "httptrace test"
git -C "$src" config user.email test@example.invalid
echo one >"$src/a.txt"
git -C "$src" add a.txt
git -C "$src" commit -q -m one
mkdir "$src/dir"
head -c 20000 /dev/urandom >"$src/dir/b.bin"
git -C "$src" add dir/b.bin
git -C "$src" commit -q -m two
git clone -q --bare "$src" "$T/nginx/root/repo.git"
git -C "$T/nginx/root/repo.git" update-server-info

# sh records the pid that then becomes the top-level git; GIT_TRACE2_EVENT
# (a directory) leaves one file per git process, named after its session
# id, which ends in -P<pid in hex>; its "start" event holds its argv.
nginx_log_mark
# shellcheck disable=SC2016 # $$, $1 and $2 are the inner shell's
GIT_SSL_CAINFO=$T/cert.pem GIT_TRACE2_EVENT=$T/trace2 \
	"$HTTPTRACE" -f json -o "$T/out.json" -- \
	sh -c 'echo $$ >"$1/git.pid"; exec git clone -q "$2" "$1/clone"' sh "$T" "$u/repo.git" \
	>"$T/git.out" 2>&1 || { show "$T/git.out"; fail "httptrace -- git clone exited non-zero"; }

# The premise: the clone is whole, and nginx served it with HTTP/2.
if ! cmp -s "$src/a.txt" "$T/clone/a.txt" || ! cmp -s "$src/dir/b.bin" "$T/clone/dir/b.bin"; then
	fail "the clone's files differ from the repository's"
fi
[ "$(git -C "$T/clone" rev-parse HEAD)" = "$(git -C "$src" rev-parse HEAD)" ] ||
	fail "the clone's HEAD is not the repository's"
log=$(nginx_log_since 3)
"$PY" -c '
import sys
log = eval(sys.argv[1])
assert len(log) >= 3, "fewer than 3 requests"
assert all(l[4] == "HTTP/2.0" and l[5] == "GET" for l in log), "not all HTTP/2 GETs"
assert any(l[6].startswith("/repo.git/objects/") for l in log), "no object fetched"
' "$log" || { show "$T/nginx/since.log"; fail "nginx did not serve the clone over HTTP/2"; }
n=$("$PY" -c 'import sys; print(len(eval(sys.argv[1])))' "$log")
nconn=$("$PY" -c 'import sys; print(len({l[0] for l in eval(sys.argv[1])}))' "$log")

# Which git process is which: pid -> argv, from the trace2 files.
procs=$("$PY" - "$T/trace2" <<'PYEOF'
import json, os, sys
procs = {}
for name in os.listdir(sys.argv[1]):
    pid = int(name.rsplit("-P", 1)[1], 16)
    for line in open(os.path.join(sys.argv[1], name)):
        ev = json.loads(line)
        if ev.get("event") == "start":
            procs[pid] = ev["argv"]
            break
print(repr(procs))
PYEOF
) || fail "could not read git's trace2 files"
git_pid=$(cat "$T/git.pid")
note "git processes: $procs; top-level git: $git_pid"

jcheck "$T/out.json" --count "$n" \
	--expect "(sorted(zip([u[len('$u'):] for u in url], status, resp_bytes))
		== sorted((l[6], l[2], l[3]) for l in $log))" \
	--expect "len(set(zip(pid, conn))) == $nconn and reused.count(False) == $nconn" \
	--expect "len(set(pid)) == 1 and $git_pid not in pid" \
	--expect "(lambda ps, p: p in ps and 'remote-https' in ' '.join(ps[p][:2])
		and ps[$git_pid][1:2] == ['clone'])($procs, pid[0])" \
	--expect 'len([t for t in tls_ms if t is not None]) == reused.count(False)' \
	--each 'proto == "HTTP/2" and tls is True and alpn == "h2" and error is None' \
	--each "method == 'GET' and host == '$HOST' and url.startswith('$u/repo.git/')"
pass
