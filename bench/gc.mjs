// What each server configuration costs the garbage collector (informational, not a test):
// every configuration of the HTTP A/B pairs runs under `--trace-gc-nvp`, receives warm-up
// requests, then the counted ones; the report sums the GCs of the counted window per request.
//
//   npm run bench:gc                                   build, then every configuration
//   BENCH_GC_ONLY=express node bench/gc.mjs            only the configurations naming "express"
//   BENCH_GC_REQUESTS=60000 BENCH_GC_WARMUP=20000 node bench/gc.mjs
//   BENCH_DIST=/abs/esm node bench/gc.mjs              another build of the package
//
// `allocated` is what the young generation received, `promoted` what survived two scavenges
// and moved to old space (which only a mark-compact frees). Unlike CPU time these figures do
// not depend on what else the machine runs; they move a little with when a GC falls.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, HTTP_PAIRS, loadAmount, NGINX_HEADERS } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_GC_REQUESTS ?? 30_000);
const WARMUP = Number(process.env.BENCH_GC_WARMUP ?? 10_000);
const ONLY = process.env.BENCH_GC_ONLY?.toLowerCase();

/** Each configuration once, baselines first, in the order of the pairs. */
const CONFIGS = [...new Set(HTTP_PAIRS.flatMap(([, b, a]) => [a, b]))].filter(
  (name) => !ONLY || name.toLowerCase().includes(ONLY),
);

/** Sums the `--trace-gc-nvp` lines of one window. */
function summarise(lines) {
  const sum = { allocated: 0, promoted: 0, scavenges: 0, markCompacts: 0 };
  for (const line of lines) {
    const kind = /(?:^|\s)gc=(\w+)/.exec(line)?.[1];
    if (kind === undefined) continue;
    if (kind === 's') sum.scavenges++;
    else sum.markCompacts++;
    sum.allocated += Number(/(?:^|\s)allocated=(\d+)/.exec(line)?.[1] ?? 0);
    sum.promoted += Number(/(?:^|\s)promoted=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return sum;
}

async function run(config) {
  let out = '';
  const child = fork(join(here, 'http-server.mjs'), [config, DIST], {
    execArgv: ['--trace-gc-nvp'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const url = `http://127.0.0.1:${port}/`;
  await loadAmount(url, WARMUP, NGINX_HEADERS);
  const mark = out.length;
  const result = await loadAmount(url, REQUESTS, NGINX_HEADERS);
  child.send('exit');
  await new Promise((resolve) => child.once('exit', resolve));
  // Lines are complete once the child has exited; the window starts at the first whole line.
  const window = out.slice(out.indexOf('\n', mark) + 1).split('\n');
  return { total: result.total, ...summarise(window) };
}

console.log(
  `trusted-proxy GC check · node ${process.version} · ${WARMUP.toLocaleString('en-US')} warm-up + ` +
    `${REQUESTS.toLocaleString('en-US')} counted requests per configuration (nginx's header set)`,
);
console.log(
  `\n${'configuration'.padEnd(42)} ${'allocated'.padStart(12)} ${'promoted'.padStart(12)} ` +
    `${'scavenges'.padStart(10)} ${'mark-compacts'.padStart(14)}`,
);
const results = new Map();
for (const config of CONFIGS) {
  const r = await run(config);
  results.set(config, r);
  const kb = (bytes) => `${(bytes / r.total / 1024).toFixed(2)} KB`;
  console.log(
    `${config.padEnd(42)} ${kb(r.allocated).padStart(12)} ${kb(r.promoted).padStart(12)} ` +
      `${String(r.scavenges).padStart(10)} ${String(r.markCompacts).padStart(14)}`,
  );
}
console.log('\nper request, B − A:');
for (const [label, b, a] of HTTP_PAIRS) {
  const rb = results.get(b);
  const ra = results.get(a);
  if (rb === undefined || ra === undefined) continue;
  const delta = (key) => `${((rb[key] / rb.total - ra[key] / ra.total) / 1024).toFixed(2)} KB`;
  console.log(`  ${label.padEnd(48)} allocated ${delta('allocated')}, promoted ${delta('promoted')}`);
}
