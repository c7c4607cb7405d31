#!/usr/bin/env node
// recording-proxy.js - a reverse proxy between novu-console and Prism that
// writes every exchange to a JSON Lines log. The console never prints
// response headers, and Prism reports spec violations only in the
// `sl-violations` response header, so this is where they are caught.
//
// usage: node recording-proxy.js UPSTREAM_PORT LOG_FILE PORT_FILE
// Listens on 127.0.0.1 on a free port, writes that port to PORT_FILE once
// listening, forwards to 127.0.0.1:UPSTREAM_PORT. Each log line:
//   {seq, step, method, url, headers, body, status, violations, error}
// `step` is the label last set with `POST /__step/NAME` (answered by the
// proxy itself, never forwarded), so the test can tell which console run
// sent which request.
'use strict';

const http = require('http');
const fs = require('fs');

const [upstreamPort, logFile, portFile] = process.argv.slice(2);
if (!upstreamPort || !logFile || !portFile) {
	console.error('usage: node recording-proxy.js UPSTREAM_PORT LOG_FILE PORT_FILE');
	process.exit(2);
}

let seq = 0;
let step = '';
const UPSTREAM_TIMEOUT_MS = 20000;

function record(entry) {
	fs.appendFileSync(logFile, JSON.stringify(entry) + '\n');
}

function parseViolations(value) {
	if (value === undefined)
		return null;
	try {
		return JSON.parse(value);
	} catch (e) {
		return [{ severity: 'Error', message: 'unparsable sl-violations: ' + value }];
	}
}

function forward(req, res, body, entry) {
	const up = http.request({
		host: '127.0.0.1',
		port: Number(upstreamPort),
		method: req.method,
		path: req.url,
		headers: req.headers,
		timeout: UPSTREAM_TIMEOUT_MS,
	}, (upRes) => {
		const chunks = [];
		upRes.on('data', (c) => chunks.push(c));
		upRes.on('end', () => {
			entry.status = upRes.statusCode;
			entry.violations = parseViolations(upRes.headers['sl-violations']);
			entry.responseBody = Buffer.concat(chunks).toString('utf8').slice(0, 2000);
			record(entry);
			res.writeHead(upRes.statusCode, upRes.headers);
			res.end(Buffer.concat(chunks));
		});
	});
	up.on('timeout', () => up.destroy(new Error('upstream timed out')));
	up.on('error', (e) => {
		entry.error = String(e.message || e);
		record(entry);
		res.writeHead(502, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ statusCode: 502, message: 'proxy: ' + entry.error }));
	});
	up.end(body);
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		const m = /^\/__step\/(.*)$/.exec(req.url);
		if (req.method === 'POST' && m) {
			step = decodeURIComponent(m[1]);
			res.writeHead(204);
			res.end();
			return;
		}
		const entry = {
			seq: ++seq,
			step,
			method: req.method,
			url: req.url,
			headers: req.headers,
			body: body.toString('utf8'),
		};
		forward(req, res, body, entry);
	});
});

server.listen(0, '127.0.0.1', () => {
	// Written whole, then renamed, so a reader never sees half a number.
	fs.writeFileSync(portFile + '.tmp', String(server.address().port));
	fs.renameSync(portFile + '.tmp', portFile);
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
