#!/bin/bash
# test_server_h2_killed_status.sh - a traced Node.js HTTP/2 server (h2c)
# writes a stream's response headers (200) and 2 body bytes, then holds it;
# it is SIGKILLed once its log says the bytes were written.  The stream,
# reported from the live page as killed while the server wrote its
# response, says its status (200) and the body bytes written so far (2),
# as an HTTP/1.x request's does.  Before, an HTTP/2 stream's slot kept no
# response: status, resp_bytes and resp_header_bytes were null.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node
node -e 'require("http2")' 2>/dev/null || skip "node without http2"

port=$(free_port)
# shellcheck disable=SC2016 # JavaScript, not shell
"$HTTPTRACE" -f json -o "$T/out.json" -- node -e '
const [port, logf] = process.argv.slice(1);
const fs = require("fs"), log = fs.openSync(logf, "w");
require("http2").createServer({}, (req, res) => {
	res.writeHead(200, {"content-type": "text/plain", "content-length": 10});
	res.write("ab", () => fs.writeSync(log, `wrote ${req.url} 200 2\n`));
}).listen(+port, "127.0.0.1");
' "$port" "$T/node.log" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced node server did not start"
"$PY" "$TESTS_DIR/h2oneshot.py" h2c 127.0.0.1 "$port" /held >"$T/client" 2>&1 &
_PIDS+=("$!")
wait_file_line "$T/node.log" '^wrote /held 200 2$' ||
	{ show "$T/node.log" "$T/server.out"; fail "node never wrote the response's start"; }
npid=$(pgrep -n -P "$tpid" node || true)
[ -n "$npid" ] || fail "no node pid"
kill -KILL "$npid"
wait "$tpid" || true

jcheck "$T/out.json" --event request --count 1 \
	--each 'side == "server" and proto == "HTTP/2" and url.endswith("/held")' \
	--each 'error == "killed" and phase == "write"' \
	--each 'status == 200 and resp_bytes == 2 and resp_header_bytes > 0' ||
	{ show "$T/out.json"; fail "the killed stream does not say what it wrote"; }
pass
