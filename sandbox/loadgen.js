#!/usr/bin/env node
// loadgen.js - a bounded trigger load for measuring the sandbox: N POST
// /v1/events/trigger requests over C keep-alive connections to a loopback
// URL, each with its own transactionId and Idempotency-Key, reporting
// requests/s per block of requests. Stops after N requests or MAX_SECONDS.
//
//   node sandbox/loadgen.js URL N [CONNECTIONS=4] [BLOCK=10000] [MAX_SECONDS=300]
//
// Run the sandbox with --rate-limit 0 --quiet for a throughput figure. With
// SANDBOX_PID set, each block also reports the sandbox's CPU time per
// request (user + system), which a busy machine distorts far less than
// requests/s; 1e6 / (CPU us per request) is what one free core would do.
'use strict';
const http = require('http');
const fs = require('fs');

const [url, nArg, cArg, blockArg, maxArg] = process.argv.slice(2);
if (!url || !/^http:\/\/127\.0\.0\.1:\d+$/.test(url) || !nArg) {
  console.error('usage: loadgen.js http://127.0.0.1:PORT N [CONNECTIONS] [BLOCK] [MAX_SECONDS]');
  process.exit(2);
}
const total = Number(nArg), conns = Number(cArg || 4), block = Number(blockArg || 10000);
const deadline = Date.now() + 1000 * Number(maxArg || 300);
const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
const { hostname, port } = new URL(url);
const run = `${process.pid}-${Date.now()}`;

let sent = 0, done = 0, failed = 0, blockStart = process.hrtime.bigint();
const pid = process.env.SANDBOX_PID;

// The sandbox's user + system CPU time in microseconds (Linux /proc).
function cpuMicros() {
  if (!pid) return 0;
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 1e6 / 100;
}
let cpuStart = cpuMicros();

function one(i) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ name: 'welcome-onboarding', to: 'user-001',
      transactionId: `load-${run}-${i}`, payload: { i } });
    const req = http.request({ agent, hostname, port, method: 'POST', path: '/v1/events/trigger',
      headers: { 'Authorization': 'ApiKey sk_sandbox_local', 'Content-Type': 'application/json',
                 'Idempotency-Key': `load-${run}-${i}`, 'Content-Length': Buffer.byteLength(body) } },
    (res) => { res.resume(); res.on('end', () => { if (res.statusCode !== 201) failed++; resolve(); }); });
    req.on('error', () => { failed++; resolve(); });
    req.end(body);
  });
}

function report() {
  const now = process.hrtime.bigint();
  const secs = Number(now - blockStart) / 1e9;
  const cpu = cpuMicros();
  console.log(`after ${done} triggers: ${Math.round(block / secs)} req/s over the last ${block}` +
              (pid ? `, sandbox CPU ${Math.round((cpu - cpuStart) / block)} us/request` +
                     ` (${Math.round(block * 1e6 / Math.max(1, cpu - cpuStart))} req/s per CPU-second)` : '') +
              (failed ? ` (${failed} failed so far)` : ''));
  blockStart = now;
  cpuStart = cpu;
}

async function worker() {
  while (sent < total && Date.now() < deadline) {
    const i = sent++;
    await one(i);
    done++;
    if (done % block === 0) report();
  }
}

Promise.all(Array.from({ length: conns }, worker)).then(() => {
  agent.destroy();
  console.log(`${done} requests, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
