// node_https.js MODE URL CAFILE - HTTPS requests from Node.js for
// test_node_https.sh; prints one line per response (status and body size)
// so the traced and untraced runs can be compared.
//   get     https.get, two requests in turn on a keepAlive agent (reuse)
//   h2      http2.connect, two streams on one session
//   fetch   fetch() (undici), two requests
'use strict';
const fs = require('fs');
const https = require('https');
const http2 = require('http2');
const [mode, base, cafile] = process.argv.slice(2);
const ca = fs.readFileSync(cafile);
const paths = ['/f/100', '/f/100000'];

function get(agent, path) {
	return new Promise((resolve, reject) => {
		https.get(base + path, {agent, ca}, (res) => {
			let n = 0;
			res.on('data', (d) => { n += d.length; });
			res.on('end', () => resolve(`${res.statusCode} ${n}`));
		}).on('error', reject);
	});
}

async function viaGet() {
	const agent = new https.Agent({keepAlive: true, maxSockets: 1});
	for (const p of paths)
		console.log(await get(agent, p));
	agent.destroy();
}

function h2() {
	return new Promise((resolve, reject) => {
		const s = http2.connect(base, {ca});
		s.on('error', reject);
		let left = paths.length;
		const out = [];
		paths.forEach((p, i) => {
			const r = s.request({':path': p});
			let status = 0, n = 0;
			r.on('response', (h) => { status = h[':status']; });
			r.on('data', (d) => { n += d.length; });
			r.on('end', () => {
				out[i] = `${status} ${n}`;
				if (--left === 0) {
					s.close();
					resolve(out);
				}
			});
			r.end();
		});
	});
}

async function viaFetch() {
	for (const p of paths) {
		const r = await fetch(base + p);
		const b = await r.arrayBuffer();
		console.log(`${r.status} ${b.byteLength}`);
	}
}

(async () => {
	if (mode === 'get')
		await viaGet();
	else if (mode === 'h2')
		for (const l of await h2())
			console.log(l);
	else if (mode === 'fetch')
		await viaFetch();
})().catch((e) => {
	console.error(e);
	process.exit(3);
});
