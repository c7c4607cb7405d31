// bulk_sdk_peer.js - the official Node SDK's triggerBulk as the peer of a
// console bulk run (bench/bench_bulk.sh): the same 100-event requests, one
// after another or `inflight` at once, to the same local sandbox.
//
// usage: node bulk_sdk_peer.js BODIES_DIR COUNT INFLIGHT
// The base URL and key come from NC_BENCH_URL and NOVU_SECRET_KEY (never
// argv). Prints the elapsed milliseconds of the sends; exits 1 when any
// event was not processed.
'use strict';

const fs = require('fs');
const path = require('path');
const { Novu } = require('@novu/api');

const [dir, countArg, inflightArg] = process.argv.slice(2);
const count = Number(countArg);
const inflight = Number(inflightArg);

// The bodies the curl peers send, as the SDK's own event objects (its
// request carries the same fields).
function sdkEvents(file) {
  const body = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  return body.events.map((e) => ({
    workflowId: e.name,
    to: e.to,
    payload: e.payload,
    transactionId: e.transactionId,
  }));
}

async function main() {
  const novu = new Novu({
    secretKey: process.env.NOVU_SECRET_KEY,
    serverURL: process.env.NC_BENCH_URL,
  });
  const requests = [];
  for (let i = 0; i < count; i++) requests.push(sdkEvents(`b${i}.json`));
  let next = 0;
  let bad = 0;
  async function lane() {
    while (next < requests.length) {
      const events = requests[next++];
      const res = await novu.triggerBulk({ events });
      const list = res.result || res;
      for (const r of list) if (r.status !== 'processed') bad++;
    }
  }
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inflight }, lane));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(`${ms.toFixed(1)}\n`);
  if (bad) {
    process.stderr.write(`${bad} events not processed\n`);
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
