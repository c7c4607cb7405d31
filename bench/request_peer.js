// request_peer.js - the Node.js peer of bench_request: the same 100-event
// bulk body built and serialised with JSON.parse / JSON.stringify.
//
// usage: node request_peer.js MODEL.json BODY.json REPS
//   MODEL.json: the body with payload/overrides/context and recipient data
//               as the text the user typed (strings)
//   BODY.json:  our serialised body, to check the output is byte-identical
// Prints one JSON object: per-call medians in microseconds.
'use strict';

const fs = require('fs');

const [modelPath, bodyPath, repsArg] = process.argv.slice(2);
const model = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
const expected = fs.readFileSync(bodyPath, 'utf8');
const reps = Math.max(1, Math.min(32, Number(repsArg) || 7));
const MIN_REP_NS = 50e6;
const JSON_FIELDS = new Set(['payload', 'overrides', 'context']);

function recipient(r) {
  if (r && typeof r === 'object' && typeof r.data === 'string')
    return { ...r, data: JSON.parse(r.data) };
  return r;
}

// Keys are copied in their order, so the output order matches ours.
function build(m) {
  return {
    events: m.events.map((e) => {
      const o = {};
      for (const [k, v] of Object.entries(e)) {
        if (JSON_FIELDS.has(k) && typeof v === 'string') o[k] = JSON.parse(v);
        else if (k === 'to') o[k] = Array.isArray(v) ? v.map(recipient) : recipient(v);
        else o[k] = v;
      }
      return o;
    }),
  };
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// Warm up (V8 compiles hot functions), calibrate, then time reps runs.
function perCallUs(fn) {
  let sink = 0;
  for (let i = 0; i < 300; i++) sink += fn().length;
  let t0 = process.hrtime.bigint();
  sink += fn().length;
  const once = Number(process.hrtime.bigint() - t0);
  const iters = Math.max(1, Math.min(100000, Math.floor(MIN_REP_NS / Math.max(once, 1))));
  const v = [];
  for (let r = 0; r < reps; r++) {
    t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) sink += fn().length;
    v.push(Number(process.hrtime.bigint() - t0) / iters / 1e3);
  }
  if (sink < 0) console.error(sink); // keep the results alive
  return median(v);
}

const built = build(model);
const result = {
  node: process.version,
  identical_stringify: JSON.stringify(built) === expected,
  identical_build: JSON.stringify(build(model)) === expected,
  stringify_us: perCallUs(() => JSON.stringify(built)),
  build_us: perCallUs(() => JSON.stringify(build(model))),
};
process.stdout.write(JSON.stringify(result) + '\n');
