#!/usr/bin/env node
// sdk-compare.js - send the same logical requests through Novu's official
// Node SDK (@novu/api, the reference client) and through novu-console, both
// to a capture server on 127.0.0.1, and compare what arrived: method, path,
// query, JSON body (deep-equal after parsing; key order only as INFO),
// Authorization `ApiKey <key>`, Accept, Content-Type, Idempotency-Key, and
// every other header. Differences that are known and intended are listed in
// ALLOWED below, each with the reason; anything else is a FAIL.
//
// usage: node sdk-compare.js   (env: NC_CONSOLE, NC_FIXTURES_DIR, WORK, TEST_KEY)
// Prints PASS:/FAIL:/INFO:/ALLOWED: lines; sdk-compare-test.sh counts them.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
let consoleRuns = 0;
const { isDeepStrictEqual } = require('util');
const { Novu } = require('@novu/api');
const capture = require('./capture-server.js');

const CONSOLE = process.env.NC_CONSOLE;
const WORK = process.env.WORK;
const KEY = process.env.TEST_KEY;
const FIXTURES = process.env.NC_FIXTURES_DIR || path.join(__dirname, '..', 'fixtures');
const CONSOLE_TIMEOUT_MS = 60000;
const SDK_TIMEOUT_MS = 20000;

// ---- the allow-list: known, intended differences, and why ----

// Headers whose values may differ (or be missing on one side).
const ALLOWED_HEADERS = {
	'user-agent': 'each client names itself; the server gives it no meaning (CONTRACT 1)',
	'accept-encoding': "Node's fetch (undici) offers gzip/deflate by itself, libcurl as " +
		'the console uses it offers none; either way the body is the same JSON',
	'accept-language': 'undici adds "*" (Fetch standard); the Novu API ignores it',
	'sec-fetch-mode': 'undici adds the Fetch standard\'s "cors"; meaningless outside a browser',
	'connection': 'keep-alive negotiation is up to each HTTP stack',
	'content-length': 'follows from the body bytes; bodies are compared after parsing',
	'cookie': 'the SDK\'s generated code always sets a Cookie header, empty when no ' +
		'cookies are configured; the Novu API uses no cookies',
};
// Idempotency-Key: on every call both must send one (the given one when a key is
// passed to both); generated keys differ by design.
const ALLOWED_GENERATED_KEY = 'without a given key each client makes its own per logical ' +
	'request (SDK: Date.now()+random, console: nc-<uuid>); presence is checked';
// Body: `to` as one recipient versus a one-element array.
const ALLOWED_TO_ARRAY = 'the console always sends `to` as an array; the spec accepts a ' +
	'single recipient or an array, and a one-element array names the same recipient';

// Body: an event without a payload gets `"payload":{}`.
const ALLOWED_EMPTY_PAYLOAD = 'the console sends "payload":{} when none was given: Novu\'s ' +
	'bulk use case fails an event without one ("payload should not be null or undefined"), ' +
	'and the single trigger treats none as {}';

// reason -> [{tag, what}]; printed once per reason at the end.
const allowedSeen = new Map();
function allowed(tag, what, why) {
	if (!allowedSeen.has(why))
		allowedSeen.set(why, []);
	allowedSeen.get(why).push({ tag, what });
}

// ---- the logical requests ----

const PAYLOAD = { order: { id: 'A-1001', carrier: 'UPS' }, trackingUrl: 'https://example.com/track/A-1001' };
const OVERRIDES = {
	severity: 'high',
	steps: { 'email-step': { providers: { sendgrid: { templateId: 't-1' } }, layoutId: 'step-layout' } },
	channels: { email: { layoutId: 'promo' } },
	providers: { sendgrid: { ipPoolName: 'p' } },
};
const CONTEXT = { tenant: 'org-acme', app: { id: 'console', data: { region: 'eu' } } };
const JANE = { subscriberId: 'user-456', email: 'jane@example.com', firstName: 'Jane',
	lastName: 'Doe', phone: '+15550100', locale: 'en-US', timezone: 'Europe/Berlin',
	avatar: 'https://example.com/a.png', data: { plan: 'pro' } };
const TOPIC = { type: 'Topic', topicKey: 'ops-team', exclude: ['user-1', 'user-2'] };
const j = JSON.stringify;

function writeWork(name, text) {
	const f = path.join(WORK, name);
	fs.writeFileSync(f, text);
	return f;
}

const bulkEvents = [
	{ name: 'order-shipped', to: 'user-123', payload: { order: { id: 'A-1001' } }, transactionId: 'tx-b-1' },
	{ name: 'order-shipped', to: JANE, transactionId: 'tx-b-2' },
	{ name: 'order-shipped', to: [TOPIC, 'user-9'], transactionId: 'tx-b-3' },
	{ name: 'welcome', to: ['user-1', 'user-2'], payload: PAYLOAD, overrides: OVERRIDES,
		actor: 'admin-bot', tenant: 'org-acme', context: CONTEXT, transactionId: 'tx-b-4' },
];
const bulk150 = Array.from({ length: 150 }, (_, i) => ({
	name: 'order-shipped', to: `user-${i + 1}`, payload: { n: i + 1 }, transactionId: `tx-c-${i + 1}`,
}));
// The SDK's field for the wire key `name` is `workflowId`.
const sdkEvent = ({ name, ...rest }) => ({ workflowId: name, ...rest });

const CASES = [
	{
		name: 'trigger-one-id',
		sdk: (n) => n.trigger({ workflowId: 'order-shipped', to: 'user-123', transactionId: 'tx-s-1' }),
		cli: () => ['trigger', 'order-shipped', '--to', 'user-123', '--transaction-id', 'tx-s-1'],
	},
	{
		name: 'trigger-ids',
		sdk: (n) => n.trigger({ workflowId: 'order-shipped', to: ['user-1', 'user-2', 'user-3'],
			transactionId: 'tx-s-2' }),
		cli: () => ['trigger', 'order-shipped', '--to', 'user-1', '--to', 'user-2', '--to', 'user-3',
			'--transaction-id', 'tx-s-2'],
	},
	{
		name: 'trigger-subscriber-object',
		sdk: (n) => n.trigger({ workflowId: 'order-shipped', to: JANE, transactionId: 'tx-s-3' }),
		cli: () => ['trigger', 'order-shipped', '--to', j(JANE), '--transaction-id', 'tx-s-3'],
	},
	{
		name: 'trigger-topic-exclude',
		sdk: (n) => n.trigger({ workflowId: 'order-shipped', to: [TOPIC], transactionId: 'tx-s-4' }),
		cli: () => ['trigger', 'order-shipped', '--topic', 'ops-team', '--exclude', 'user-1',
			'--exclude', 'user-2', '--transaction-id', 'tx-s-4'],
	},
	{
		name: 'trigger-everything',
		sdk: (n) => n.trigger({
			workflowId: 'order-shipped', to: ['user-123', JANE, TOPIC], payload: PAYLOAD,
			overrides: OVERRIDES, transactionId: 'tx-s-5', actor: 'admin-bot', tenant: 'org-acme',
			context: CONTEXT,
		}, 'contract-idem-1'),
		cli: () => ['trigger', 'order-shipped', '--to', 'user-123', '--to', j(JANE),
			'--topic', 'ops-team', '--exclude', 'user-1', '--exclude', 'user-2',
			'--payload', j(PAYLOAD), '--overrides', j(OVERRIDES), '--actor', 'admin-bot',
			'--tenant', 'org-acme', '--context', j(CONTEXT), '--transaction-id', 'tx-s-5',
			'--idempotency-key', 'contract-idem-1'],
		idempotencyKey: 'contract-idem-1',
	},
	{
		// As above without the subscriber object, so every other option is
		// compared even while --to '{...}' is broken.
		name: 'trigger-all-options',
		sdk: (n) => n.trigger({
			workflowId: 'order-shipped', to: ['user-123', TOPIC], payload: PAYLOAD,
			overrides: OVERRIDES, transactionId: 'tx-s-9', actor: 'admin-bot', tenant: 'org-acme',
			context: CONTEXT,
		}, 'contract-idem-4'),
		cli: () => ['trigger', 'order-shipped', '--to', 'user-123',
			'--topic', 'ops-team', '--exclude', 'user-1', '--exclude', 'user-2',
			'--payload', j(PAYLOAD), '--overrides', j(OVERRIDES), '--actor', 'admin-bot',
			'--tenant', 'org-acme', '--context', j(CONTEXT), '--transaction-id', 'tx-s-9',
			'--idempotency-key', 'contract-idem-4'],
		idempotencyKey: 'contract-idem-4',
	},
	{
		name: 'trigger-payload-file',
		sdk: (n) => n.trigger({ workflowId: 'order-shipped', to: ['user-1', 'user-2'],
			payload: PAYLOAD, transactionId: 'tx-s-6' }),
		cli: () => ['trigger', 'order-shipped', '--to', 'user-1', '--to', 'user-2',
			'--payload', '@' + writeWork('payload.json', j(PAYLOAD, null, 2)),
			'--transaction-id', 'tx-s-6'],
	},
	{
		name: 'broadcast-minimal',
		sdk: (n) => n.triggerBroadcast({ name: 'maintenance-notice', payload: {},
			transactionId: 'tx-s-7' }),
		cli: () => ['broadcast', 'maintenance-notice', '--yes', '--transaction-id', 'tx-s-7'],
	},
	{
		name: 'broadcast-everything',
		sdk: (n) => n.triggerBroadcast({
			name: 'maintenance-notice', payload: PAYLOAD, overrides: OVERRIDES,
			transactionId: 'tx-s-8', actor: 'admin-bot', tenant: 'org-acme', context: CONTEXT,
		}, 'contract-idem-2'),
		cli: () => ['broadcast', 'maintenance-notice', '--yes', '--payload', j(PAYLOAD),
			'--overrides', j(OVERRIDES), '--actor', 'admin-bot', '--tenant', 'org-acme',
			'--context', j(CONTEXT), '--transaction-id', 'tx-s-8',
			'--idempotency-key', 'contract-idem-2'],
		idempotencyKey: 'contract-idem-2',
	},
	{
		name: 'bulk',
		sdk: (n) => n.triggerBulk({ events: bulkEvents.map(sdkEvent) }, 'contract-idem-3'),
		cli: () => ['bulk', writeWork('bulk.json', j({ events: bulkEvents })),
			'--idempotency-key', 'contract-idem-3'],
		idempotencyKey: 'contract-idem-3',
	},
	{
		name: 'bulk-json-lines',
		sdk: (n) => n.triggerBulk({ events: bulkEvents.slice(0, 2).map(sdkEvent) }),
		cli: () => ['bulk', writeWork('bulk.jsonl',
			bulkEvents.slice(0, 2).map((e) => j(e)).join('\n') + '\n')],
	},
	{
		// Over 100 events: the console splits them into requests of at most
		// 100, as a caller of the SDK has to.
		name: 'bulk-150-chunked',
		sdk: async (n) => {
			await n.triggerBulk({ events: bulk150.slice(0, 100).map(sdkEvent) });
			await n.triggerBulk({ events: bulk150.slice(100).map(sdkEvent) });
		},
		cli: () => ['bulk', writeWork('bulk150.jsonl', bulk150.map((e) => j(e)).join('\n') + '\n')],
	},
	{
		name: 'cancel',
		sdk: (n) => n.cancel('tx-s-5'),
		cli: () => ['cancel', 'tx-s-5'],
	},
	{
		name: 'cancel-needs-escaping',
		sdk: (n) => n.cancel('tx 1/2?'),
		cli: () => ['cancel', 'tx 1/2?'],
	},
	{
		name: 'workflows',
		sdk: (n) => n.workflows.list({ limit: 50, offset: 0 }),
		cli: () => ['workflows'],
	},
	{
		name: 'workflows-search',
		sdk: (n) => n.workflows.list({ limit: 10, offset: 0, query: 'order ship' }),
		cli: () => ['workflows', '--search', 'order ship', '--limit', '10'],
	},
	{
		name: 'subscribers',
		sdk: (n) => n.subscribers.search({ limit: 50 }),
		cli: () => ['subscribers'],
	},
	{
		name: 'subscribers-search-id',
		sdk: (n) => n.subscribers.search({ limit: 5, subscriberId: 'user-1' }),
		cli: () => ['subscribers', '--search', 'user-1', '--limit', '5'],
	},
	{
		name: 'subscribers-search-email',
		sdk: (n) => n.subscribers.search({ limit: 50, email: 'jane@example.com' }),
		cli: () => ['subscribers', '--search', 'jane@example.com'],
	},
	{
		name: 'topics',
		sdk: (n) => n.topics.list({ limit: 50 }),
		cli: () => ['topics'],
	},
	{
		name: 'topics-search',
		sdk: (n) => n.topics.list({ limit: 100, key: 'ops-team' }),
		cli: () => ['topics', '--search', 'ops-team', '--limit', '100'],
	},
	{
		// Self-check: the comparison must catch a real difference. The two
		// clients get different transactionIds and the console an extra
		// recipient, so this case passes only if both differences are found.
		name: 'self-check-differences-are-caught',
		sdk: (n) => n.trigger({ workflowId: 'order-shipped', to: ['user-1'], transactionId: 'tx-A' }),
		cli: () => ['trigger', 'order-shipped', '--to', 'user-1', '--to', 'user-2',
			'--transaction-id', 'tx-B'],
		expectProblems: ['body differs', 'transactionId: SDK "tx-A", console "tx-B"',
			'to[1]: SDK undefined, console "user-2"'],
	},
	{
		name: 'status',
		sdk: (n) => n.notifications.list({ transactionId: 'tx-s-5', page: 0, limit: 50 }),
		cli: () => ['status', 'tx-s-5'],
	},
];

// ---- running the two clients ----

function runConsole(args, apiUrl) {
	const env = { ...process.env };
	for (const k of ['NOVU_API_KEY', 'NOVU_API_URL', 'NOVU_CONSOLE_PROFILE', 'NOVU_CONSOLE_CONFIG_DIR'])
		delete env[k];
	Object.assign(env, {
		HOME: path.join(WORK, 'home'),
		XDG_CONFIG_HOME: path.join(WORK, 'config'),
		// A History of its own per run: cases reuse transactionIds (tx-b-1...),
		// which one History would rightly refuse to send twice.
		XDG_STATE_HOME: path.join(WORK, 'state', String(++consoleRuns)),
		XDG_DATA_HOME: path.join(WORK, 'data'),
		XDG_CACHE_HOME: path.join(WORK, 'cache'),
		NOVU_SECRET_KEY: KEY,   // the key is never on argv
	});
	return new Promise((resolve) => {
		const child = spawn(CONSOLE, ['--api-url', apiUrl, ...args],
			{ env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => { out += d; });
		child.stderr.on('data', (d) => { out += d; });
		const timer = setTimeout(() => child.kill('SIGKILL'), CONSOLE_TIMEOUT_MS);
		child.on('error', (e) => {
			clearTimeout(timer);
			resolve({ code: -1, out: out + String(e) });
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code: signal ? `killed by ${signal}` : code, out });
		});
	});
}

// ---- comparing ----

function parseUrl(url) {
	const u = new URL(url, 'http://x');
	return { path: u.pathname, params: [...u.searchParams], rawQuery: u.search };
}

// The first place where two deep-equal JSON values list object keys in a
// different order, or null.
function keyOrderDifference(a, b, where) {
	if (a && b && typeof a === 'object' && typeof b === 'object') {
		if (!Array.isArray(a)) {
			const ka = Object.keys(a);
			const kb = Object.keys(b);
			if (ka.join('\0') !== kb.join('\0'))
				return `${where || 'body'}: SDK {${ka.join(',')}} console {${kb.join(',')}}`;
		}
		for (const k of Object.keys(a)) {
			const d = keyOrderDifference(a[k], b[k], Array.isArray(a) ? `${where}[${k}]`
				: (where ? `${where}.${k}` : k));
			if (d)
				return d;
		}
	}
	return null;
}

// Apply the body allow-list: returns the SDK body as the console is allowed
// to have sent it.
function normalisePayload(tag, sdkEv, cliEv, where) {
	if (!sdkEv || !cliEv || 'payload' in sdkEv || !('payload' in cliEv) ||
	    JSON.stringify(cliEv.payload) !== '{}' || !('name' in sdkEv) || 'events' in sdkEv)
		return sdkEv;
	allowed(tag, `${where}payload {} added, SDK sent none`, ALLOWED_EMPTY_PAYLOAD);
	return { ...sdkEv, payload: {} };
}

function normaliseTo(tag, sdkEv, cliEv, where) {
	sdkEv = normalisePayload(tag, sdkEv, cliEv, where);
	if (!sdkEv || !cliEv || !('to' in sdkEv) || Array.isArray(sdkEv.to) ||
	    !Array.isArray(cliEv.to) || cliEv.to.length !== 1)
		return sdkEv;
	allowed(tag, `${where}to sent as [${j(sdkEv.to)}], SDK sent ${j(sdkEv.to)}`, ALLOWED_TO_ARRAY);
	return { ...sdkEv, to: [sdkEv.to] };
}

function normaliseBody(tag, sdkBody, cliBody) {
	if (sdkBody && cliBody && Array.isArray(sdkBody.events) && Array.isArray(cliBody.events))
		return { ...sdkBody, events: sdkBody.events.map((e, i) =>
			normaliseTo(tag, e, cliBody.events[i], `events[${i}].`)) };
	return normaliseTo(tag, sdkBody, cliBody, '');
}

// Header names each side sent more than once (never wanted).
function repeatedHeaders(raw) {
	const seen = new Map();
	for (let i = 0; i < raw.length; i += 2) {
		const k = raw[i].toLowerCase();
		seen.set(k, (seen.get(k) || 0) + 1);
	}
	return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

function compareHeaders(tag, c, s, cli, problems) {
	const method = cli.method;
	for (const [who, r] of [['SDK', s], ['console', cli]]) {
		const rep = repeatedHeaders(r.rawHeaders);
		if (rep.length)
			problems.push(`${who} sent these headers more than once: ${rep.join(', ')}`);
		if (r.headers.authorization !== `ApiKey ${KEY}`)
			problems.push(`${who} Authorization is ${j(r.headers.authorization)}, ` +
				'expected "ApiKey <key>"');
	}
	const names = new Set([...Object.keys(s.headers), ...Object.keys(cli.headers)]);
	for (const name of [...names].sort()) {
		const a = s.headers[name];
		const b = cli.headers[name];
		if (name === 'idempotency-key') {
			// Both clients put a key on every call, GET and DELETE too.
			if (!b || !a) {
				problems.push(`Idempotency-Key missing on the ${method} (SDK ${j(a)}, console ${j(b)})`);
			} else if (c.idempotencyKey && (a !== c.idempotencyKey || b !== c.idempotencyKey)) {
				problems.push(`Idempotency-Key: given ${j(c.idempotencyKey)}, SDK sent ${j(a)}, ` +
					`console sent ${j(b)}`);
			} else if (a !== b) {
				allowed(tag, `Idempotency-Key SDK ${j(a)} console ${j(b)}`, ALLOWED_GENERATED_KEY);
			}
			continue;
		}
		if (a === b)
			continue;
		if (ALLOWED_HEADERS[name]) {
			allowed(tag, `${name}: SDK ${j(a)} console ${j(b)}`, ALLOWED_HEADERS[name]);
			continue;
		}
		problems.push(`header ${name}: SDK ${j(a)}, console ${j(b)}`);
	}
	if (method === 'POST' && !/^application\/json\b/i.test(cli.headers['content-type'] || ''))
		problems.push(`console Content-Type ${j(cli.headers['content-type'])} on a POST`);
}

function compareRequest(tag, c, s, cli) {
	const problems = [];
	if (s.method !== cli.method)
		problems.push(`method: SDK ${s.method}, console ${cli.method}`);
	const su = parseUrl(s.url);
	const cu = parseUrl(cli.url);
	if (su.path !== cu.path)
		problems.push(`path: SDK ${su.path}, console ${cu.path}`);
	const sortP = (p) => p.map((x) => j(x)).sort();
	if (!isDeepStrictEqual(sortP(su.params), sortP(cu.params)))
		problems.push(`query: SDK ${j(su.params)}, console ${j(cu.params)}`);
	else if (su.rawQuery !== cu.rawQuery)
		console.log(`INFO: ${tag}: same query parameters, written differently: ` +
			`SDK ${su.rawQuery} console ${cu.rawQuery}`);
	compareHeaders(tag, c, s, cli, problems);
	if (s.body.length || cli.body.length) {
		let sb;
		let cb;
		try {
			sb = JSON.parse(s.body);
			cb = JSON.parse(cli.body);
		} catch (e) {
			problems.push(`a body is not JSON: SDK ${s.body.slice(0, 200)} console ${cli.body.slice(0, 200)}`);
			return problems;
		}
		const want = normaliseBody(tag, sb, cb);
		if (!isDeepStrictEqual(want, cb)) {
			problems.push(`body differs:\n      SDK     ${j(want)}\n      console ${j(cb)}`);
			for (const d of bodyDifferences(want, cb, ''))
				problems.push(`  ${d}`);
		} else {
			const order = keyOrderDifference(want, cb, '');
			if (order)
				console.log(`INFO: ${tag}: same body, key order differs at ${order}`);
		}
	}
	return problems;
}

// Where two JSON values differ, as short lines (at most 10).
function bodyDifferences(a, b, where, out = []) {
	if (out.length >= 10)
		return out;
	if (isDeepStrictEqual(a, b))
		return out;
	const obj = (v) => v && typeof v === 'object';
	if (obj(a) && obj(b) && Array.isArray(a) === Array.isArray(b)) {
		const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
		for (const k of keys)
			bodyDifferences(a[k], b[k], Array.isArray(a) ? `${where}[${k}]` : (where ? `${where}.${k}` : k), out);
		return out;
	}
	out.push(`${where || 'body'}: SDK ${j(a)}, console ${j(b)}`);
	return out;
}

async function runCase(server, base, c) {
	const novu = new Novu({
		secretKey: KEY,
		serverURL: base,
		// Bounded: the SDK's default retries connection errors for up to an
		// hour. Neither setting changes what a request looks like.
		retryConfig: { strategy: 'none' },
		timeoutMs: SDK_TIMEOUT_MS,
	});
	server.requests.length = 0;
	let sdkError = null;
	try {
		await c.sdk(novu);
	} catch (e) {
		sdkError = e;
	}
	const sdkReqs = server.requests.splice(0);
	const res = await runConsole(c.cli(), base);
	const cliReqs = server.requests.splice(0);

	const problems = [];
	if (sdkReqs.length === 0)
		problems.push(`the SDK sent nothing (${sdkError})`);
	else if (sdkError)
		console.log(`INFO: ${c.name}: the SDK call ended with: ${String(sdkError).split('\n')[0]}`);
	if (cliReqs.length !== sdkReqs.length)
		problems.push(`SDK sent ${sdkReqs.length} request(s), console ${cliReqs.length}`);
	const n = Math.min(sdkReqs.length, cliReqs.length);
	for (let i = 0; i < n; i++) {
		const tag = n > 1 ? `${c.name} #${i + 1}` : c.name;
		for (const p of compareRequest(tag, c, sdkReqs[i], cliReqs[i]))
			problems.push(n > 1 ? `request ${i + 1}: ${p}` : p);
	}
	if (c.expectProblems) {
		const missed = c.expectProblems.filter((m) => !problems.some((p) => p.includes(m)));
		if (missed.length === 0)
			console.log(`PASS: ${c.name}: found ${c.expectProblems.join('; ')}`);
		else
			console.log(`FAIL: ${c.name}: the comparison missed: ${missed.join('; ')}\n` +
				problems.map((p) => '    ' + p).join('\n'));
		return;
	}
	if (problems.length === 0) {
		console.log(`PASS: ${c.name}: ${n} x ${sdkReqs[0].method} ${parseUrl(sdkReqs[0].url).path} ` +
			'arrived the same from both clients');
		return;
	}
	console.log(`FAIL: ${c.name}:\n` + problems.map((p) => '    ' + p).join('\n'));
	console.log(`    console exit ${res.code}; its output:\n` +
		res.out.split('\n').slice(0, 30).map((l) => '    | ' + l).join('\n'));
}

async function main() {
	const server = await capture.start({ fixturesDir: FIXTURES });
	const base = `http://127.0.0.1:${server.port}`;
	console.log(`capture server on ${base}`);
	const only = process.env.NC_CASES ? process.env.NC_CASES.split(',') : null;
	try {
		for (const c of CASES)
			if (!only || only.includes(c.name))
				await runCase(server, base, c);
	} finally {
		await server.close();
	}
	const reasons = [ALLOWED_TO_ARRAY, ALLOWED_EMPTY_PAYLOAD, ALLOWED_GENERATED_KEY,
		...Object.values(ALLOWED_HEADERS)];
	for (const r of reasons) {
		const seen = allowedSeen.get(r);
		if (!seen) {
			console.log(`INFO: allow-list entry never needed: ${r}`);
			continue;
		}
		const tags = [...new Set(seen.map((x) => x.tag))];
		console.log(`ALLOWED: ${r}\n    in ${tags.length} case(s), e.g. ${seen[0].tag}: ${seen[0].what}`);
	}
}

main().catch((e) => {
	console.log(`FAIL: sdk-compare.js crashed: ${e && e.stack ? e.stack : e}`);
	process.exit(1);
});
