// Retained-memory check (issue 6): heap after GC stays flat over 1,000,000 processed requests.
//
//   node --expose-gc bench/memory.mjs        (re-executes itself with --expose-gc if needed)
//   BENCH_MEMORY_REQUESTS=200000 node bench/memory.mjs
//   BENCH_DIST=/tmp/other/esm node bench/memory.mjs     another build of the package
//
// Requests cycle through every scenario (S0–S4), each a real IncomingMessage made by Node's
// parser (bench/requests.mjs), half of them with Express 5's request prototype, processed and
// dropped, so anything the package keeps (caches, listeners, closures, prototypes) shows as
// growth. The forced GCs only measure the heap; they never run inside a timed loop.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express5 from 'express5';
import { requestFactory } from './requests.mjs';
import { SCENARIOS, TRUSTED_HEADERS } from './scenarios.mjs';

if (typeof globalThis.gc !== 'function') {
  const { status } = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(status ?? 1);
}

const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';
const { trustedProxy } = await import(`${DIST}/index.js`);
const TOTAL = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const STEP = Math.max(500, Math.round(TOTAL / 10 / 500) * 500);
const proxies = SCENARIOS.map((s) =>
  trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust }),
);

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MB`;
const factory = await requestFactory();
const expressRequest = express5().request;
const CHUNK = 500;
let processed = 0;
let last;
/** Processes `count` fresh requests, CHUNK per connection, cycling through the scenarios. */
async function processMany(count) {
  for (let done = 0; done < count; done += CHUNK) {
    const k = (processed / CHUNK) % SCENARIOS.length;
    const proto = (processed / CHUNK / SCENARIOS.length) % 2 < 1 ? undefined : expressRequest;
    const { requests, release } = await factory.make(SCENARIOS[k], CHUNK, proto);
    for (const req of requests) last = proxies[k].process(req);
    await release();
    processed += CHUNK;
  }
}
// Warm up first, so the JIT's own allocations are not counted as growth.
await processMany(20 * CHUNK);
processed = 0;
const baseline = heapAfterGc();
console.log(`  ${'requests'.padStart(9)}  heap after GC   Δ from start`);
console.log(`  ${'0'.padStart(9)}  ${mb(baseline).padStart(13)}`);
const started = performance.now();
let latest = baseline;
let first; // the heap after the first step: JIT code and V8's tables settle there
while (processed < TOTAL) {
  await processMany(STEP);
  latest = heapAfterGc();
  first ??= latest;
  const delta = latest - baseline;
  console.log(
    `  ${processed.toLocaleString('en-US').padStart(9)}  ${mb(latest).padStart(13)}  ${(delta >= 0 ? '+' : '') + mb(delta)}`,
  );
}
factory.close();
const seconds = (performance.now() - started) / 1000;
// Flat: after the first step the heap no longer grows. One megabyte over 900,000 requests
// is about one byte per request: noise, not a leak.
const growth = latest - first;
console.log(
  `  ${TOTAL.toLocaleString('en-US')} requests in ${seconds.toFixed(1)} s; after the first ${STEP.toLocaleString('en-US')}: ` +
    `${(growth >= 0 ? '+' : '') + mb(growth)}, ${Math.abs(growth) < 2 ** 20 ? 'flat' : 'GROWING'} (last remote address ${last?.remoteAddress})`,
);
