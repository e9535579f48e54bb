#!/bin/bash
# test_h2_big_request_header.sh - an HTTP/2 request whose header block is
# over 16 KiB (a 30000-byte header, CONTINUATION frames), then another on
# the same connection, node's client and server (cleartext, prior
# knowledge).  The tracer cannot keep such a block, but the request must
# still be counted, as not followed with an error that says why (not
# "malformed request": nothing was malformed), and so must the next one,
# whose block comes after the lost HPACK state: before, the reader stopped
# at the block, both went unreported and the summary said requests 0,
# errors 0 (only a "not traced" note).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node
port=$(free_port 127.0.0.1)

cat >"$T/srv.js" <<'JSEOF'
const http2 = require('http2');
const srv = http2.createServer({settings: {maxHeaderListSize: 1 << 20}});
srv.on('stream', (s, h) => {
  console.log('served ' + h[':path']);
  s.respond({':status': 200, 'content-length': 2});
  s.end('ok');
});
srv.listen(+process.argv[2], '127.0.0.1');
JSEOF
cat >"$T/cli.js" <<'JSEOF'
const http2 = require('http2');
const c = http2.connect('http://127.0.0.1:' + process.argv[2]);
const big = 'b'.repeat(30000);
function get(path, hdrs) {
  return new Promise((ok, ko) => {
    const r = c.request(Object.assign({':path': path}, hdrs));
    let n = 0, st;
    r.on('response', h => { st = h[':status']; });
    r.on('data', d => { n += d.length; });
    r.on('end', () => { console.log(path + ' ' + st + ' ' + n); ok(); });
    r.on('error', ko);
    r.end();
  });
}
(async () => {
  await get('/a', {});
  await get('/big', {'x-big': big});
  await get('/b', {});
  c.close();
})().catch(e => { console.log('error ' + e.code); process.exit(1); });
JSEOF
node "$T/srv.js" "$port" >"$T/srv.log" 2>&1 &
_PIDS+=($!)
wait_port 127.0.0.1 "$port" "$!"

"$HTTPTRACE" -f json -o "$T/out.json" -- node "$T/cli.js" "$port" \
	>"$T/cli.out" || { show "$T/cli.out"; fail "the client failed"; }
printf '/a 200 2\n/big 200 2\n/b 200 2\n' | cmp -s - "$T/cli.out" ||
	{ show "$T/cli.out" "$T/srv.log"; fail "the client did not get three 200s"; }

jcheck "$T/out.json" --count 3 \
	--expect 'req == [1, 2, 3] and len(set(conn)) == 1' \
	--expect 'status[0] == 200 and error[0] is None and url[0].endswith("/a")' \
	--expect 'error[1] == "request headers too large to decode (over 16 KiB); not followed"' \
	--expect 'error[2] == "header block not decodable after one too large (HPACK state lost); not followed"' \
	--expect 'status[1] is None and status[2] is None'
jcheck "$T/out.json" --event summary --count 1 \
	--each 'requests == 3 and errors == 0 and not_followed == 2'
pass
