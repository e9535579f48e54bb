// h2settings_client.js N PORT: one HTTP/2 connection (node's http2), N
// requests one after the other, each with x-n and a pad header of varying
// size (the HPACK table churns); prints "STATUS PATH X-ECHO" per response.
const http2 = require('http2');
const [N, port] = [Number(process.argv[2]), process.argv[3]];
const c = http2.connect('http://127.0.0.1:' + port);
function one(i) {
	if (i === N) { c.close(); return; }
	const path = `/t?n=${i}`;
	const r = c.request({ ':path': path, 'x-n': String(i),
			      'x-pad': 'q'.repeat((i * 31) % 900), 'x-same': 'constant' });
	let s = 0, e = '';
	r.on('response', h => { s = h[':status']; e = h['x-echo']; });
	r.on('data', () => {});
	r.on('end', () => { console.log(`${s} ${path} ${e}`); one(i + 1); });
	r.end();
}
one(0);
