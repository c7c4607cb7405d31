#!/usr/bin/env node
// prism-check.js - judge what novu-console sent through the recording proxy
// to Prism (see prism-test.sh).
//
// usage: node prism-check.js SPEC PROXY_LOG STEPS_FILE
// STEPS_FILE is JSON Lines, one console run per line:
//   {name, method, path, query?, body?, count?, bulkEvents?, idempotencyKey?,
//    sequence?, expectProblems?, exit, output}
// where `path` is the exact expected path, `query` the exact expected query
// parameters (object of strings, or arrays for repeated keys), `body` a
// subset the parsed body must contain (objects: the listed keys; arrays: the
// same length, element by element), `count` the number of requests
// (default 1) and `bulkEvents` the total number of bulk events over them.
// A command that makes different calls lists them in `sequence`, one
// {method, path | pathPattern} per request in order; the last entry stands
// for every request after it (as many as the answers call for: a preview
// posts once per step of the workflow Prism made up), and `method`/`path`
// then only name the step.
// `expectProblems` marks a self-check step (sent by curl, not the console):
// it passes when every listed message fragment is among the problems found.
//
// Checks per request, beyond what Prism itself flags in `sl-violations`:
//  - no sl-violations entry of any severity (Warnings count too);
//  - Authorization is exactly "ApiKey <NOVU_SECRET_KEY>" (Prism only checks
//    that the header is present: the spec's apiKey scheme has no format);
//  - Accept asks for application/json; POSTs carry Content-Type
//    application/json and an Idempotency-Key;
//  - no query parameter and no body key that the spec does not declare
//    (Prism accepts them, because the spec's schemas don't set
//    additionalProperties: false; the real server may reject or misread them).
// Prints PASS:/FAIL: lines; the shell script counts them.
'use strict';

const fs = require('fs');

const [specFile, logFile, stepsFile] = process.argv.slice(2);
const KEY = process.env.TEST_KEY;
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
const readLines = (f) => fs.existsSync(f)
	? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
	: [];
const log = readLines(logFile);
const steps = readLines(stepsFile);
const info = [];

// ---- the spec ----

function resolve(schema) {
	let s = schema;
	for (let i = 0; s && s.$ref && i < 20; i++) {
		const parts = s.$ref.replace(/^#\//, '').split('/');
		s = parts.reduce((o, k) => (o ? o[k] : undefined), spec);
	}
	return s || {};
}

// The operation for a method and a concrete path; a literal segment beats a
// {param} (fewest params wins).
function findOperation(method, path) {
	let best = null;
	for (const [tmpl, item] of Object.entries(spec.paths)) {
		const op = item[method.toLowerCase()];
		if (!op)
			continue;
		const re = new RegExp('^' + tmpl.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
			.replace(/\{[^}]+\}/g, '[^/]+') + '$');
		const nparams = (tmpl.match(/\{/g) || []).length;
		if (re.test(path) && (!best || nparams < best.nparams))
			best = { tmpl, op, nparams };
	}
	return best;
}

function typeOf(v) {
	if (v === null)
		return 'null';
	if (Array.isArray(v))
		return 'array';
	return typeof v === 'number' ? 'number' : typeof v;
}

function typeFits(schema, v) {
	const s = resolve(schema);
	const t = typeOf(v);
	if (!s.type)
		return true;
	if (t === 'null')
		return !!s.nullable;
	if (s.type === 'integer')
		return t === 'number';
	return s.type === t;
}

// Keys of `value` (and below) that `schema` does not declare.
function undeclared(value, schema, where) {
	const s = resolve(schema);
	if (s.oneOf || s.anyOf) {
		const branches = (s.oneOf || s.anyOf).filter((b) => typeFits(b, value));
		if (branches.length === 0)
			return [];   // a type mismatch: Prism reports that one
		const results = branches.map((b) => undeclared(value, b, where));
		return results.reduce((a, b) => (b.length < a.length ? b : a));
	}
	const parts = [s, ...(s.allOf || []).map(resolve)];
	if (Array.isArray(value)) {
		const items = parts.find((p) => p.items);
		return items ? value.flatMap((v, i) => undeclared(v, items.items, `${where}[${i}]`)) : [];
	}
	if (typeOf(value) !== 'object')
		return [];
	const props = {};
	let additional = null;
	let declaresProps = false;
	for (const p of parts) {
		if (p.properties) {
			declaresProps = true;
			Object.assign(props, p.properties);
		}
		if (p.additionalProperties !== undefined && p.additionalProperties !== false)
			additional = p.additionalProperties;
	}
	if (!declaresProps && additional === null)
		return [];   // a free-form object (payload-like)
	const out = [];
	for (const [k, v] of Object.entries(value)) {
		const at = where ? `${where}.${k}` : k;
		if (props[k])
			out.push(...undeclared(v, props[k], at));
		else if (additional === true)
			continue;
		else if (additional)
			out.push(...undeclared(v, additional, at));
		else
			out.push(at);
	}
	return out;
}

// ---- matching ----

function queryOf(url) {
	const u = new URL(url, 'http://x');
	const q = {};
	for (const [k, v] of u.searchParams) {
		if (k in q)
			q[k] = [].concat(q[k], v);
		else
			q[k] = v;
	}
	return { path: u.pathname, query: q };
}

function subsetProblems(want, got, where) {
	if (want === null || typeof want !== 'object')
		return JSON.stringify(want) === JSON.stringify(got) ? []
			: [`${where || 'body'}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`];
	if (Array.isArray(want)) {
		if (!Array.isArray(got) || got.length !== want.length)
			return [`${where}: want an array of ${want.length}, got ${JSON.stringify(got)}`];
		return want.flatMap((w, i) => subsetProblems(w, got[i], `${where}[${i}]`));
	}
	if (typeOf(got) !== 'object')
		return [`${where || 'body'}: want an object, got ${JSON.stringify(got)}`];
	return Object.keys(want).flatMap((k) =>
		k in got ? subsetProblems(want[k], got[k], where ? `${where}.${k}` : k)
			: [`${where ? where + '.' : ''}${k}: missing`]);
}

function header(req, name) {
	return req.headers[name.toLowerCase()];
}

// What request `index` of a step must be (see `sequence` above).
function expectedCall(step, index) {
	const seq = step.sequence;
	if (!seq)
		return { method: step.method, shown: step.path, matches: (p) => p === step.path };
	const e = seq[Math.min(index, seq.length - 1)];
	if (e.pathPattern) {
		const re = new RegExp(e.pathPattern);
		return { method: e.method, shown: e.pathPattern, matches: (p) => re.test(p) };
	}
	return { method: e.method, shown: e.path, matches: (p) => p === e.path };
}

function requestProblems(step, req, index) {
	const p = [];
	// "$index" in an expected query value stands for the request's position
	// within the step (page numbers of a paged walk).
	const wantQuery = step.query && Object.fromEntries(Object.entries(step.query)
		.map(([k, v]) => [k, v === '$index' ? String(index) : v]));
	const { path, query } = queryOf(req.url);
	if (req.error)
		p.push(`proxy could not reach Prism: ${req.error}`);
	const want = expectedCall(step, index);
	if (req.method !== want.method || !want.matches(path))
		p.push(`sent ${req.method} ${path}, expected ${want.method} ${want.shown}`);
	// Prism also validates the answer it made up from the spec's examples;
	// those `response` violations are about the spec, not about what the
	// console sent, so they are shown but do not fail the test.
	const v = req.violations || [];
	const isResponse = (x) => Array.isArray(x.location) && x.location[0] === 'response';
	if (v.some((x) => !isResponse(x)))
		p.push(`Prism flagged (HTTP ${req.status}): ${JSON.stringify(v.filter((x) => !isResponse(x)))}`);
	if (v.some(isResponse))
		info.push(`request #${req.seq} ${req.method} ${req.url}: Prism's own mock answer ` +
			`breaks the spec (${v.filter(isResponse).length} response violation(s), not the ` +
			`console's doing): ${v.filter(isResponse)[0].message}`);
	if (header(req, 'authorization') !== `ApiKey ${KEY}`)
		p.push(`Authorization is ${JSON.stringify(header(req, 'authorization'))}, ` +
			'expected "ApiKey <the NOVU_SECRET_KEY>"');
	if (!/application\/json/.test(header(req, 'accept') || ''))
		p.push(`Accept is ${JSON.stringify(header(req, 'accept'))}, expected application/json`);
	if (wantQuery && JSON.stringify(sortKeys(query)) !== JSON.stringify(sortKeys(wantQuery)))
		p.push(`query ${JSON.stringify(query)}, expected ${JSON.stringify(wantQuery)}`);
	const found = findOperation(req.method, path);
	if (!found) {
		p.push(`no operation ${req.method} ${path} in the spec`);
		return p;
	}
	const declared = new Set((found.op.parameters || []).map(resolve)
		.filter((x) => x.in === 'query').map((x) => x.name));
	for (const k of Object.keys(query))
		if (!declared.has(k))
			p.push(`query parameter "${k}" is not declared for ${req.method} ${found.tmpl}`);
	if (req.method === 'POST') {
		if (!/^application\/json\b/.test(header(req, 'content-type') || ''))
			p.push(`Content-Type is ${JSON.stringify(header(req, 'content-type'))}`);
		const idem = header(req, 'idempotency-key');
		if (!idem)
			p.push('no Idempotency-Key on a POST');
		else if (step.idempotencyKey && idem !== step.idempotencyKey)
			p.push(`Idempotency-Key ${JSON.stringify(idem)}, expected the given ` +
				JSON.stringify(step.idempotencyKey));
		let body;
		try {
			body = JSON.parse(req.body);
		} catch (e) {
			p.push(`body is not JSON: ${req.body.slice(0, 200)}`);
			return p;
		}
		const schema = found.op.requestBody &&
			found.op.requestBody.content['application/json'].schema;
		for (const k of undeclared(body, schema, ''))
			p.push(`body key "${k}" is not declared in the spec's request schema`);
		if (step.body)
			p.push(...subsetProblems(step.body, body, ''));
	} else if (req.body.length) {
		p.push(`${req.method} with a body (${req.body.length} bytes)`);
	}
	return p;
}

function sortKeys(o) {
	return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function showConsole(step) {
	const out = fs.existsSync(step.output) ? fs.readFileSync(step.output, 'utf8') : '';
	return `    console exit ${step.exit}; its output:\n` +
		out.split('\n').slice(0, 40).map((l) => '    | ' + l).join('\n');
}

// ---- per step ----

for (const step of steps) {
	const reqs = log.filter((r) => r.step === step.name);
	const want = step.count || (step.sequence ? step.sequence.length : 1);
	const problems = [];
	if (step.sequence && !step.count ? reqs.length < want : reqs.length !== want)
		problems.push(`${reqs.length} request(s) arrived at Prism, expected ` +
			`${step.sequence && !step.count ? 'at least ' : ''}${want}`);
	for (const [i, r] of reqs.entries())
		for (const msg of requestProblems(step, r, i))
			problems.push(`request #${r.seq} ${r.method} ${r.url}: ${msg}`);
	if (step.bulkEvents !== undefined) {
		const n = reqs.reduce((a, r) => {
			try {
				return a + JSON.parse(r.body).events.length;
			} catch (e) {
				return a;
			}
		}, 0);
		if (n !== step.bulkEvents)
			problems.push(`${n} events sent in all, expected ${step.bulkEvents}`);
	}
	if (step.expectProblems) {
		// A self-check: a request known to be wrong must be caught.
		const missed = step.expectProblems.filter((m) => !problems.some((x) => x.includes(m)));
		if (missed.length === 0)
			console.log(`PASS: ${step.name}: a known-bad request is caught (${step.expectProblems.join('; ')})`);
		else
			console.log(`FAIL: ${step.name}: the checks missed: ${missed.join('; ')}\n` +
				problems.map((m) => '    ' + m).join('\n'));
	} else if (problems.length === 0) {
		console.log(`PASS: ${step.name}: ${want} x ${step.method} ${step.path}, no violations`);
	} else {
		console.log(`FAIL: ${step.name}:\n` + problems.map((m) => '    ' + m).join('\n'));
		console.log(showConsole(step));
	}
}

for (const line of info)
	console.log(`INFO: ${line}`);

// Requests outside every step (none expected).
for (const r of log.filter((x) => !steps.some((s) => s.name === x.step)))
	console.log(`FAIL: unexpected request #${r.seq} ${r.method} ${r.url} (step "${r.step}")`);
