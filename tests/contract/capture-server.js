#!/usr/bin/env node
// capture-server.js - a stand-in Novu API on 127.0.0.1 that records every
// request (method, path+query, headers, raw body) and answers with plausible
// bodies built from the repository's fixtures in tests/fixtures (201 for the
// event endpoints, the wrapped/unwrapped shapes of CONTRACT.md 1.1), echoing
// the request's transactionIds so either client can read its answer.
//
// As a module: start({ fixturesDir }) -> Promise<{ port, requests, close() }>.
// `requests` is the live array of recorded requests; empty it with
// `requests.length = 0`.
// As a program: node capture-server.js FIXTURES_DIR [PORT_FILE]; prints each
// request as a JSON line (for trying it with curl).
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');

function fixture(dir, name) {
	return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
}

// The answer for one request: [status, body object].
function answer(dir, method, pathname, rawBody) {
	let body = null;
	try {
		body = rawBody.length ? JSON.parse(rawBody) : null;
	} catch (e) {
		return [400, { statusCode: 400, timestamp: new Date().toISOString(), path: pathname,
			message: 'capture-server: body is not JSON' }];
	}
	const ok = (txid) => ({ acknowledged: true, status: 'processed',
		transactionId: txid || 'generated-by-capture-server' });
	if (method === 'POST' && pathname === '/v1/events/trigger') {
		const r = fixture(dir, 'trigger.response.json');
		r.data = ok(body && body.transactionId);
		return [201, r];
	}
	if (method === 'POST' && pathname === '/v1/events/trigger/broadcast') {
		const r = fixture(dir, 'broadcast.response.json');
		r.data = ok(body && body.transactionId);
		return [201, r];
	}
	if (method === 'POST' && pathname === '/v1/events/trigger/bulk') {
		const r = fixture(dir, 'bulk.response.json');
		const events = body && Array.isArray(body.events) ? body.events : [];
		r.data = events.map((e) => ok(e && e.transactionId));
		return [201, r];
	}
	if (method === 'DELETE' && pathname.startsWith('/v1/events/trigger/'))
		return [200, fixture(dir, 'cancel.response.json')];
	const lists = {
		'/v2/subscribers': 'subscribers.list.response.json',
		'/v2/topics': 'topics.list.response.json',
		'/v2/workflows': 'workflows.list.response.json',
		'/v1/notifications': 'notifications.list.response.json',
	};
	if (method === 'GET' && lists[pathname])
		return [200, fixture(dir, lists[pathname])];
	return [404, { statusCode: 404, timestamp: new Date().toISOString(), path: pathname,
		message: `capture-server: no route ${method} ${pathname}` }];
}

function start({ fixturesDir, onRequest }) {
	const requests = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			const entry = {
				method: req.method,
				url: req.url,
				// rawHeaders keeps names as sent and repeated headers apart.
				rawHeaders: req.rawHeaders,
				headers: req.headers,
				body: raw,
			};
			requests.push(entry);
			if (onRequest)
				onRequest(entry);
			const [status, obj] = answer(fixturesDir, req.method,
				new URL(req.url, 'http://x').pathname, raw);
			const text = JSON.stringify(obj);
			res.writeHead(status, {
				'content-type': 'application/json; charset=utf-8',
				'content-length': Buffer.byteLength(text),
			});
			res.end(text);
		});
	});
	return new Promise((resolve, reject) => {
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => resolve({
			port: server.address().port,
			requests,
			close: () => new Promise((done) => {
				// Node 18 keeps idle keep-alive sockets open on close().
				if (server.closeAllConnections)
					server.closeAllConnections();
				server.close(() => done());
			}),
		}));
	});
}

module.exports = { start };

if (require.main === module) {
	const [dir, portFile] = process.argv.slice(2);
	if (!dir) {
		console.error('usage: node capture-server.js FIXTURES_DIR [PORT_FILE]');
		process.exit(2);
	}
	start({ fixturesDir: dir, onRequest: (e) => console.log(JSON.stringify(e)) })
		.then((s) => {
			if (portFile) {
				fs.writeFileSync(portFile + '.tmp', String(s.port));
				fs.renameSync(portFile + '.tmp', portFile);
			} else {
				console.error(`listening on 127.0.0.1:${s.port}`);
			}
		});
	for (const sig of ['SIGTERM', 'SIGINT'])
		process.on(sig, () => process.exit(0));
}
