// Micro-benchmark on real request objects (SPEC §7, issue 10): what one request costs us,
// Express 5's and Express 4's `trust proxy` getters, and proxy-addr, side by side.
//
//   npm run bench                          build, then run everything (≈ 3 minutes), then the heap check
//   BENCH_ROUNDS=7 node bench/micro.mjs     measured rounds (default 5, after one warm-up round)
//   BENCH_REQUESTS=5000 node bench/micro.mjs   requests per task and round (default 3000)
//   BENCH_ONLY=S1,S3 node bench/micro.mjs   only the scenarios whose id starts with one of these
//   BENCH_SKIP_MEMORY=1 node bench/micro.mjs   skip the 1,000,000-request heap check
//   BENCH_DIST=/abs/esm node bench/micro.mjs   measure another build of the package
//   BENCH_BASE=/abs/esm node bench/micro.mjs   also measure an earlier build, side by side in the
//                                             same rounds ("[base]" rows): before/after ratios
//
// Method. Every request is an `http.IncomingMessage` made by Node's HTTP parser from raw bytes
// sent over a loopback connection (bench/requests.mjs), so header strings are fresh and
// `req.headers` is built lazily on first read, as in a server. Requests that Express code
// reads get the prototype Express swaps in (`app.request`), set before timing, as Express's
// router does. Requests are made outside the timed window; each is processed once
// (processing rewrites it and is idempotent, R13). Garbage collection is left to V8: a forced
// full GC between loops (with nothing alive) throws away the maps that optimised code relies
// on, a state no busy server is ever in.
//
// Requests come in batches of 50 fresh ones per connection, so that the live set stays small,
// as in a server. Each round runs every task once, in alternating order; a task's time in a
// round is the median over its batches of the batch time per request (a batch the scheduler
// interrupted does not count). The table gives the median over the
// measured rounds and the spread (min … max) of the ratio to Express 5 over the rounds.
import { spawnSync } from 'node:child_process';
import { BlockList, isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express4 from 'express4';
import express5 from 'express5';
import proxyaddr from 'proxy-addr';
import { requestFactory } from './requests.mjs';
import { SCENARIOS, TEN_CIDRS, TRUSTED_HEADERS } from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const BATCH = 50;
const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const selected = (id) => !ONLY || ONLY.some((prefix) => id.startsWith(prefix));

let ours;
let internals;
try {
  ours = await import(`${DIST}/index.js`);
  const [{ compileTrust }, { parseIp }] = await Promise.all([
    import(`${DIST}/core/trust.js`),
    import(`${DIST}/core/ip.js`),
  ]);
  internals = { compileTrust, parseIp };
} catch (err) {
  console.warn(`! ${DIST} not loadable (${err.code ?? err.message}); run \`npm run build\`.`);
}
/** An earlier build (BENCH_BASE) measured in the same rounds, for before/after ratios. */
const base = process.env.BENCH_BASE
  ? await import(`${pathToFileURL(process.env.BENCH_BASE).href}/index.js`)
  : undefined;

/** Results land here so that no read can be optimised away. */
export const sink = { a: undefined, b: undefined, c: undefined, d: undefined };

/** What SPEC §7 compares against: Express's getters for the client, chain, scheme and host. */
function readExpressGetters(req) {
  sink.a = req.ip;
  sink.b = req.ips;
  sink.c = req.protocol;
  sink.d = req.hostname;
}

function expressPrototype(express, trust) {
  const app = express();
  if (trust !== undefined) app.set('trust proxy', trust);
  return app.request;
}

/** A task: `requests` per round from the scenario (undefined for pure functions), `run` each. */
const tasks = [];
const add = (scenario, impl, proto, run) => tasks.push({ scenario, impl, proto, run, times: [] });

for (const s of SCENARIOS) {
  if (!selected(s.id)) continue;
  if (ours) {
    const proxy = ours.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(s, 'trusted-proxy', undefined, (req) => {
      sink.a = proxy.process(req);
    });
    // The same on a request with Express 5's prototype, Express's 'trust proxy' left at its
    // default, as with app.use(proxy). The getters report ProxyInfo (R12), so they are read too.
    const viaExpress = ours.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(s, 'trusted-proxy (Express req)', expressPrototype(express5), (req) => {
      sink.a = viaExpress.process(req);
    });
    const readBack = ours.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(s, 'trusted-proxy + getters (Express req)', expressPrototype(express5), (req) => {
      readBack.process(req);
      readExpressGetters(req);
    });
  }
  if (base) {
    const proxy = base.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(s, 'trusted-proxy [base]', undefined, (req) => {
      sink.a = proxy.process(req);
    });
    const viaExpress = base.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(s, 'trusted-proxy (Express req) [base]', expressPrototype(express5), (req) => {
      sink.a = viaExpress.process(req);
    });
    // The same three request shapes as above, so that both builds' code sees the same maps.
    const readBack = base.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(s, 'trusted-proxy + getters (Express req) [base]', expressPrototype(express5), (req) => {
      readBack.process(req);
      readExpressGetters(req);
    });
  }
  // The floor under every row: Node builds `req.headers` from the raw lines on its first read
  // (lower-casing names, joining repeats), and whoever reads a header first pays for it.
  add(s, 'req.headers alone (Node)', undefined, (req) => {
    sink.a = req.headers;
  });
  add(s, 'express 5', expressPrototype(express5, s.expressTrust), readExpressGetters);
  add(s, 'express 4', expressPrototype(express4, s.expressTrust), readExpressGetters);
  const trust = proxyaddr.compile(s.expressTrust);
  add(s, 'proxy-addr', undefined, (req) => {
    sink.a = proxyaddr(req, trust);
    sink.b = proxyaddr.all(req, trust);
  });
}

// Trust matching alone: one address against ten IPv4 CIDR ranges, hits and misses mixed.
const ADDRESSES = [
  '10.1.2.3',
  '198.51.100.23',
  '8.8.8.8',
  '192.168.10.20',
  '1.1.1.1',
  '203.0.113.250',
  '127.0.0.1',
  '93.184.216.34',
];
const MATCH = { id: 'match-10cidr' };
if (selected('match')) {
  if (internals) {
    const trust = internals.compileTrust(TEN_CIDRS);
    const parseIp = internals.parseIp;
    add(MATCH, 'trusted-proxy', ADDRESSES, (addr) => {
      sink.a = trust(parseIp(addr), 0);
    });
    add(
      MATCH,
      'trusted-proxy (match only)',
      ADDRESSES.map((a) => parseIp(a)),
      (ip) => {
        sink.a = trust(ip, 0);
      },
    );
  }
  const pa = proxyaddr.compile(TEN_CIDRS);
  add(MATCH, 'proxy-addr', ADDRESSES, (addr) => {
    sink.a = pa(addr, 0);
  });
  const blockList = new BlockList();
  for (const cidr of TEN_CIDRS) {
    const [network, prefix] = cidr.split('/');
    blockList.addSubnet(network, Number(prefix), 'ipv4');
  }
  add(MATCH, 'net.BlockList', ADDRESSES, (addr) => {
    const family = isIP(addr);
    sink.a = family !== 0 && blockList.check(addr, family === 6 ? 'ipv6' : 'ipv4');
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const factory = await requestFactory();
const countFor = (s) => (s.id === 'S4-16k' ? Math.max(BATCH, REQUESTS >> 2) : REQUESTS);

/** Runs one task over fresh requests; returns ns per request. */
async function measure(task) {
  if (task.scenario === MATCH) {
    const inputs = task.proto;
    const n = REQUESTS * 20;
    const start = performance.now();
    for (let i = 0; i < n; i++) task.run(inputs[i & 7]);
    return ((performance.now() - start) * 1e6) / n;
  }
  // Small batches, each on its own connection: the live set stays what a busy server has (a
  // few requests in flight), so a young-generation GC during the timed loop copies no more
  // than it would there. The batch is timed as a whole.
  const count = countFor(task.scenario);
  const run = task.run;
  const perBatch = [];
  for (let done = 0; done < count; done += BATCH) {
    const { requests, release } = await factory.make(task.scenario, BATCH, task.proto);
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) run(requests[i]);
    perBatch.push(((performance.now() - start) * 1e6) / BATCH);
    await release();
  }
  // The median batch: a batch the scheduler interrupted (2 shared cores) does not count.
  return median(perBatch);
}

console.log(
  `trusted-proxy micro-benchmark on real IncomingMessage objects · node ${process.version} · ` +
    `${ROUNDS} rounds (+1 warm-up) × ${REQUESTS} requests per task`,
);
for (let round = 0; round <= ROUNDS; round++) {
  const order = round % 2 === 0 ? tasks : [...tasks].reverse();
  for (const task of order) {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r  round ${round}/${ROUNDS} ${`${task.scenario.id} · ${task.impl}`.padEnd(50)}`);
    }
    const ns = await measure(task);
    if (round > 0) task.times.push(ns); // round 0 warms the JIT up
  }
}
if (process.stderr.isTTY) process.stderr.write(`\r${' '.repeat(72)}\r`);
factory.close();

const find = (id, impl) => tasks.find((t) => t.scenario.id === id && t.impl === impl);
const baselineOf = (task) => find(task.scenario.id, task.scenario === MATCH ? 'proxy-addr' : 'express 5');
/** Per-round ratios to a baseline task, as [median, min, max]. */
function ratios(task, base) {
  if (!base) return undefined;
  const r = task.times.map((t, i) => t / base.times[i]);
  return [median(r), Math.min(...r), Math.max(...r)];
}
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtRatio = (r) => (r ? `${r[0].toFixed(3)}× (${r[1].toFixed(2)}–${r[2].toFixed(2)})` : '');

const table = [['scenario', 'implementation', 'ns/request', 'spread (ns)', 'ratio (min–max)']];
for (const t of tasks) {
  const base = baselineOf(t);
  table.push([
    t.scenario.id,
    t.impl,
    fmtInt(median(t.times)),
    `${fmtInt(Math.min(...t.times))}–${fmtInt(Math.max(...t.times))}`,
    fmtRatio(ratios(t, base)),
  ]);
}
printTable(table);
console.log(
  'ns/request: median over the rounds; ratio: per-round time / Express 5 on the same request in the same round\n' +
    '(to proxy-addr for match-10cidr), median and range over the rounds\n',
);

// SPEC §7 targets, as ratios measured in this run, for both request shapes.
const targets = [['target', 'implementation', 'measured (min–max)', 'limit', 'verdict']];
const check = (label, impl, a, b, limit, better = 'lower') => {
  const r = a && b ? ratios(a, b) : undefined;
  if (!r) return targets.push([label, impl, 'n/a', String(limit), '-']);
  const ok = better === 'lower' ? r[0] <= limit : r[0] >= limit;
  targets.push([
    label,
    impl,
    fmtRatio(r),
    `${better === 'lower' ? '≤' : '≥'} ${limit}×`,
    ok ? 'met' : 'MISSED',
  ]);
};
const IMPLS = ['trusted-proxy', 'trusted-proxy (Express req)'];
if (base) IMPLS.push('trusted-proxy [base]', 'trusted-proxy (Express req) [base]');
for (const impl of IMPLS) {
  check('S1 / Express 5', impl, find('S1', impl), find('S1', 'express 5'), 0.33);
  check('S0 / Express 5', impl, find('S0', impl), find('S0', 'express 5'), 0.1);
  check('S3 / S1', impl, find('S3', impl), find('S1', impl), 1);
  check('S4-16k / S1', impl, find('S4-16k', impl), find('S1', impl), 20);
  check('S4-100 / S1', impl, find('S4-100', impl), find('S1', impl), 20);
}
if (base) {
  // Before/after: this build over the earlier one, per round, on the same requests.
  for (const id of ['S0', 'S1', 'S2', 'S3', 'S4-100', 'S4-16k']) {
    for (const impl of ['trusted-proxy', 'trusted-proxy (Express req)']) {
      if (find(id, impl)) check(`${id} this / base`, impl, find(id, impl), find(id, `${impl} [base]`), 1);
    }
  }
}
const matchOurs = find('match-10cidr', 'trusted-proxy');
const matchPa = find('match-10cidr', 'proxy-addr');
check('proxy-addr / ours, matching', 'trusted-proxy', matchPa, matchOurs, 10, 'higher');
printTable(targets);

if (!process.env.BENCH_SKIP_MEMORY && !ONLY && ours) {
  console.log('\nheap after GC over processed real requests (bench/memory.mjs):');
  spawnSync(process.execPath, ['--expose-gc', join(here, 'memory.mjs')], { stdio: 'inherit' });
}

function printTable(lines) {
  const widths = lines[0].map((_, col) => Math.max(...lines.map((line) => String(line[col]).length)));
  const fmt = (line) =>
    line
      .map((cell, col) => (col >= 2 ? String(cell).padStart(widths[col]) : String(cell).padEnd(widths[col])))
      .join('  ');
  console.log(fmt(lines[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines.slice(1)) console.log(fmt(line));
}
