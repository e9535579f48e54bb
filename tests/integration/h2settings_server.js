// h2settings_server.js PORT LOG: a cleartext HTTP/2 server (node's http2)
// for the SETTINGS_HEADER_TABLE_SIZE tests.  INITTS=N in the environment:
// its first SETTINGS announce SETTINGS_HEADER_TABLE_SIZE N.  A request
// whose query has set=N makes it send SETTINGS with that size first (a
// change in the middle of the connection).  It answers every request with
// x-echo (the request's x-n) and a pad header of varying size, and logs
// "METHOD PATH X-N STATUS" per request it answered.
const http2 = require('http2'), fs = require('fs');
const [port, logf] = [Number(process.argv[2]), process.argv[3]];
const log = fs.openSync(logf, 'w');
const init = process.env.INITTS;
const srv = http2.createServer(init ? { settings: { headerTableSize: Number(init) } } : {});
let n = 0;
srv.on('stream', (st, h) => {
	const q = new URL(h[':path'], 'http://x').searchParams;
	if (q.get('set') !== null)
		st.session.settings({ headerTableSize: Number(q.get('set')) });
	n++;
	st.respond({ ':status': 200, 'x-echo': h['x-n'] || '',
		     'x-pad': 'p'.repeat((n * 97) % 700) });
	st.end('ok');
	fs.writeSync(log, `${h[':method']} ${h[':path']} ${h['x-n'] || '-'} 200\n`);
});
srv.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
