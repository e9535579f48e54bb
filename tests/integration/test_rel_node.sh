#!/bin/bash
# test_rel_node.sh - node (which starts worker threads with small stacks)
# starts and exits with the library loaded, with or without a collector,
# printing exactly what it prints untraced and nothing on stderr; and its
# plain HTTP requests (http.get through libuv) are recorded.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node
start_server

node -e "console.log('done')" >"$T/plain.out" 2>"$T/plain.err" || fail "untraced node exited $?"
for mode in nocollector traced; do
	rc=0
	if [ $mode = nocollector ]; then
		LD_PRELOAD="$LIBHTTPTRACE" node -e "console.log('done')" \
			>"$T/$mode.out" 2>"$T/$mode.err" || rc=$?
	else
		"$HTTPTRACE" -o "$T/report" -- node -e "console.log('done')" \
			>"$T/$mode.out" 2>"$T/$mode.err" || rc=$?
	fi
	[ "$rc" = 0 ] || { show "$T/$mode.err"; fail "$mode: node exited $rc"; }
	cmp -s "$T/plain.out" "$T/$mode.out" || { show "$T/$mode.out"; fail "$mode: stdout differs"; }
	[ ! -s "$T/$mode.err" ] || { show "$T/$mode.err"; fail "$mode: node wrote to stderr"; }
done

cat >"$T/get.js" <<'JSEOF'
const http = require('http');
const port = +process.argv[2];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(i) {
  if (i === 3) { agent.destroy(); return; }
  http.get({ host: '127.0.0.1', port, path: '/bytes/' + (200 + i), agent }, (res) => {
    let n = 0;
    res.on('data', (d) => { n += d.length; });
    res.on('end', () => { console.log(res.statusCode, n); get(i + 1); });
  });
}
get(0);
JSEOF
run_same get json node "$T/get.js" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || fail "node get.js exited $RUN_RC"
[ ! -s "$T/get.err" ] || { show "$T/get.err"; fail "traced node wrote to stderr"; }
jcheck "$T/get.json" --count 3 \
	--each 'status == 200 and error is None and method == "GET"' \
	--each "int(url.rsplit('/', 1)[1]) == resp_bytes" \
	--expect 'reused == [False, True, True]'
pass
