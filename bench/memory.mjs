// Retained-memory check (issue 6): heap after GC stays flat over 1,000,000 processed requests.
//
//   node --expose-gc bench/memory.mjs        (re-executes itself with --expose-gc if needed)
//   BENCH_MEMORY_REQUESTS=200000 node bench/memory.mjs
//   BENCH_DIST=/tmp/other/esm node bench/memory.mjs     another build of the package
//
// Requests cycle through every scenario (S0–S4), each a fresh object that is dropped after
// processing, so anything the package keeps (caches, listeners, closures) shows as growth.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshRequest, SCENARIOS, TRUSTED_HEADERS } from './scenarios.mjs';

if (typeof globalThis.gc !== 'function') {
  const { status } = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(status ?? 1);
}

const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';
const { trustedProxy } = await import(`${DIST}/index.js`);
const TOTAL = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const STEP = TOTAL / 10;
const proxies = SCENARIOS.map((s) =>
  trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust }),
);

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MB`;
let processed = 0;
let last;
// Warm up first, so the JIT's own allocations are not counted as growth.
for (let i = 0; i < 20_000; i++) {
  const k = i % SCENARIOS.length;
  last = proxies[k].process(freshRequest(SCENARIOS[k], Object.prototype));
}
const baseline = heapAfterGc();
console.log(`  ${'requests'.padStart(9)}  heap after GC   Δ from start`);
console.log(`  ${'0'.padStart(9)}  ${mb(baseline).padStart(13)}`);
const started = performance.now();
let latest = baseline;
while (processed < TOTAL) {
  for (let i = 0; i < STEP; i++, processed++) {
    const k = processed % SCENARIOS.length;
    last = proxies[k].process(freshRequest(SCENARIOS[k], Object.prototype));
  }
  latest = heapAfterGc();
  const delta = latest - baseline;
  console.log(
    `  ${processed.toLocaleString('en-US').padStart(9)}  ${mb(latest).padStart(13)}  ${(delta >= 0 ? '+' : '') + mb(delta)}`,
  );
}
const seconds = (performance.now() - started) / 1000;
const growth = latest - baseline;
// One megabyte over a million requests is one byte per request: noise, not a leak.
console.log(
  `  ${TOTAL.toLocaleString('en-US')} requests in ${seconds.toFixed(1)} s; growth ${mb(growth)}: ${
    growth < 2 ** 20 ? 'flat' : 'GROWING'
  } (last remote address ${last?.remoteAddress})`,
);
