// h2many.js - many HTTP/2 streams in flight at once on one connection (node's
// http2), for the tests of streams past the 128 httptrace follows.
//
//   node h2many.js server PORT LOG N   a cleartext HTTP/2 server that holds
//       every response until it has read N whole requests, then answers them
//       last first (status 200, the path's number + 1 bytes); it logs
//       "METHOD PATH BODYBYTES" per request, once read whole.
//   node h2many.js client URL N        one session, N streams opened at once:
//       GET /m/i, every fourth a POST /m/i with 3000 body bytes; prints
//       "STATUS BYTES PATH" per stream, in order.
const http2 = require('http2'), fs = require('fs');
const mode = process.argv[2];

if (mode === 'server') {
	const [port, logf, n] = [Number(process.argv[3]), process.argv[4],
				 Number(process.argv[5])];
	const log = fs.openSync(logf, 'w');
	const held = [];
	const srv = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
	srv.on('stream', (st, h) => {
		let bytes = 0;
		st.on('data', d => bytes += d.length);
		st.on('end', () => {
			fs.writeSync(log, `${h[':method']} ${h[':path']} ${bytes}\n`);
			held.push([st, h[':path']]);
			if (held.length < n)
				return;
			for (const [s, p] of held.splice(0).reverse()) {
				const body = 'x'.repeat(Number(p.split('/').pop()) + 1);
				s.respond({ ':status': 200, 'content-length': body.length });
				s.end(body);
			}
		});
	});
	srv.listen(port, '127.0.0.1');
	process.on('SIGTERM', () => process.exit(0));
} else {
	const [url, n] = [process.argv[3], Number(process.argv[4])];
	const sess = http2.connect(url, { peerMaxConcurrentStreams: 1000 });
	const body = 'x'.repeat(3000);
	const all = [];
	for (let i = 0; i < n; i++) {
		const post = i % 4 === 3, path = `/m/${i}`;
		all.push(new Promise((res, rej) => {
			const s = sess.request({ ':path': path,
						 ':method': post ? 'POST' : 'GET' },
					       { endStream: !post });
			let st, b = 0;
			s.on('response', h => st = h[':status']);
			s.on('data', d => b += d.length);
			s.on('end', () => res(`${st} ${b} ${path}`));
			s.on('error', rej);
			if (post)
				s.end(body);
		}));
	}
	Promise.all(all).then(out => {
		console.log(out.join('\n'));
		sess.close();
	}, e => {
		console.error(`h2many client: ${e}`);
		process.exit(1);
	});
}
