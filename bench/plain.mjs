// The earlier micro-benchmark on plain request-like objects (issue 6), kept to compare with
// the figures recorded before issue 10; bench/micro.mjs (real IncomingMessage objects) is the
// one whose results count. Plain objects miss what V8 does to real requests (SPEC §7).
//
//   node bench/plain.mjs               everything (about 2 minutes)
//   BENCH_TIME=300 node bench/plain.mjs   shorter run: 300 ms per task (default 1500)
//   BENCH_ROUNDS=5 node bench/plain.mjs   passes over all tasks, medians reported (default 3)
//   BENCH_ONLY=S1,match node bench/plain.mjs   only the scenarios whose id starts with one of these
//   BENCH_DIST=/tmp/other/esm node bench/plain.mjs   measure another build of the package
//
// Method: every timed sample processes a batch of BATCH fresh request objects, built by the
// task's beforeEach hook outside the timed window (processing mutates a request and is
// idempotent, R13, so a request can be processed only once). Both sides get identical fresh
// objects from the same `freshRequest`; the Express side only differs in the prototype.
// A sample is the batch time divided by BATCH; mean and p99 are over those batch means.
// Each task runs in ROUNDS interleaved passes and reports the medians over the passes.
import { BlockList, isIP } from 'node:net';
import { pathToFileURL } from 'node:url';
import express4 from 'express4';
import express5 from 'express5';
import proxyaddr from 'proxy-addr';
import { Bench } from 'tinybench';
import { freshRequest, SCENARIOS, TEN_CIDRS, TRUSTED_HEADERS } from './scenarios.mjs';

const BATCH = 100;
const TIME = Number(process.env.BENCH_TIME ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// BENCH_DIST=/abs/path/to/esm compares another build (e.g. an experiment) against the same peers.
const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const selected = (id) => !ONLY || ONLY.some((prefix) => id.startsWith(prefix));

// The package as users get it: the ESM build. Peers are still measured if it is missing.
let ours;
let internals; // the compiled matcher and the IP parser: internal modules, not public exports
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

/** Sink: results are stored here so no getter call can be optimised away. */
export const sink = { a: undefined, b: undefined, c: undefined, d: undefined };

/** A tinybench task that times `run` over BATCH fresh objects made by `make` before each sample. */
function addBatched(bench, name, make, run) {
  const pool = new Array(BATCH);
  bench.add(
    name,
    () => {
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) run(pool[i]);
      const elapsed = performance.now() - start;
      return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
    },
    {
      beforeEach() {
        for (let i = 0; i < BATCH; i++) pool[i] = make();
      },
    },
  );
}

/** An Express app with the scenario's `trust proxy`, whose request prototype we borrow. */
function expressRequestPrototype(express, trust) {
  const app = express();
  app.set('trust proxy', trust);
  return app.request;
}

/** The information we compute, read through Express's getters (each one recomputes). */
function readExpressGetters(req) {
  sink.a = req.ip;
  sink.b = req.ips;
  sink.c = req.protocol;
  sink.d = req.hostname;
}

const rows = [];
const tasks = []; // { name, scenario, impl, make, run }

function add(scenarioId, impl, make, run) {
  tasks.push({ name: `${scenarioId} · ${impl}`, scenario: scenarioId, impl, make, run });
}

for (const s of SCENARIOS) {
  if (!selected(s.id)) continue;
  if (ours) {
    const proxy = ours.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    add(
      s.id,
      'trusted-proxy',
      () => freshRequest(s, Object.prototype),
      (req) => {
        sink.a = proxy.process(req);
      },
    );
  }
  const proto5 = expressRequestPrototype(express5, s.expressTrust);
  if (ours) {
    // The same work on an Express 5 request: its getters sit on the prototype, so the own
    // properties that shadow them (R12) cannot be plain assignments. Express's own
    // 'trust proxy' is left at its default here, as it would be with app.use(proxy).
    const proxy = ours.trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: s.trust });
    const plain = express5().request;
    add(
      s.id,
      'trusted-proxy (Express req)',
      () => freshRequest(s, plain),
      (req) => {
        sink.a = proxy.process(req);
      },
    );
  }
  add(s.id, 'express 5', () => freshRequest(s, proto5), readExpressGetters);
  const proto4 = expressRequestPrototype(express4, s.expressTrust);
  add(s.id, 'express 4', () => freshRequest(s, proto4), readExpressGetters);
  const trust = proxyaddr.compile(s.expressTrust);
  add(
    s.id,
    'proxy-addr',
    () => freshRequest(s, Object.prototype),
    (req) => {
      sink.a = proxyaddr(req, trust);
      sink.b = proxyaddr.all(req, trust);
    },
  );
}

// Trust matching alone: one address against ten IPv4 CIDR ranges, hits and misses mixed.
const ADDRESSES = [
  '10.1.2.3', // first range
  '198.51.100.23', // last range
  '8.8.8.8', // miss: every range checked
  '192.168.10.20',
  '1.1.1.1', // miss
  '203.0.113.250',
  '127.0.0.1',
  '93.184.216.34', // miss
];
if (selected('match')) {
  const matchers = [];
  if (internals) {
    // From the header's text, as proxy-addr and BlockList get it: parse, then match.
    const { compileTrust, parseIp } = internals;
    const trust = compileTrust(TEN_CIDRS);
    matchers.push(['trusted-proxy', (addr) => trust(parseIp(addr), 0)]);
    // The matcher alone, on addresses parsed beforehand (what the walk does after parsing a node).
    matchers.push(['trusted-proxy (match only)', (ip) => trust(ip, 0), ADDRESSES.map((a) => parseIp(a))]);
  }
  const pa = proxyaddr.compile(TEN_CIDRS);
  matchers.push(['proxy-addr', (addr) => pa(addr, 0)]);
  const blockList = new BlockList();
  for (const cidr of TEN_CIDRS) {
    const [network, prefix] = cidr.split('/');
    blockList.addSubnet(network, Number(prefix), 'ipv4');
  }
  matchers.push([
    'net.BlockList',
    (addr) => {
      const family = isIP(addr);
      return family !== 0 && blockList.check(addr, family === 6 ? 'ipv6' : 'ipv4');
    },
  ]);
  for (const [impl, match, inputs = ADDRESSES] of matchers) {
    let next = 0;
    add(
      'match-10cidr',
      impl,
      () => inputs[next++ % inputs.length],
      (addr) => {
        sink.a = match(addr);
      },
    );
  }
}

// ROUNDS passes over every task, in alternating order, each TIME / ROUNDS long; a task's figures
// are the medians over the passes. On a shared machine this keeps a burst of outside load from
// landing on one implementation only.
console.log(
  `trusted-proxy micro-benchmark · node ${process.version} · ${TIME} ms per task in ${ROUNDS} rounds · batch ${BATCH}`,
);
const samples = new Map(tasks.map((t) => [t.name, { means: [], p99s: [], error: undefined }]));
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME / ROUNDS, warmupTime: Math.min(100, TIME / ROUNDS / 2) });
  for (const t of round % 2 === 0 ? tasks : [...tasks].reverse()) addBatched(bench, t.name, t.make, t.run);
  if (process.stderr.isTTY) {
    bench.addEventListener('cycle', (event) =>
      process.stderr.write(`\r  round ${round + 1}/${ROUNDS} ${event.task.name.padEnd(44)}`),
    );
  }
  await bench.run();
  for (const task of bench.tasks) {
    const entry = samples.get(task.name);
    const result = task.result;
    if (result.state !== 'completed') entry.error = result.error?.message ?? result.state;
    else {
      entry.means.push(result.latency.mean * 1e6); // ms → ns
      entry.p99s.push(result.latency.p99 * 1e6);
    }
  }
}
if (process.stderr.isTTY) process.stderr.write(`\r${' '.repeat(64)}\r`);

for (const t of tasks) {
  const entry = samples.get(t.name);
  if (entry.error) {
    rows.push({ scenario: t.scenario, impl: t.impl, error: entry.error });
    continue;
  }
  const mean = median(entry.means);
  rows.push({ scenario: t.scenario, impl: t.impl, mean, p99: median(entry.p99s), ops: 1e9 / mean });
}

const baseline = (scenario) =>
  rows.find(
    (r) => r.scenario === scenario && r.impl === (scenario.startsWith('match') ? 'proxy-addr' : 'express 5'),
  );
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const table = [['scenario', 'implementation', 'ops/s', 'mean (ns)', 'p99 (ns)', 'ratio']];
for (const r of rows) {
  if (r.error) {
    table.push([r.scenario, r.impl, 'error', r.error, '', '']);
    continue;
  }
  const base = baseline(r.scenario);
  const ratio = base?.mean ? `${(r.mean / base.mean).toFixed(3)}×` : '';
  table.push([r.scenario, r.impl, fmtInt(r.ops), fmtInt(r.mean), fmtInt(r.p99), ratio]);
}
printTable(table);
console.log(
  'mean, p99: per request, medians over the rounds (p99 of batch means); ratio = mean / mean of Express 5\n' +
    'for the same request (of proxy-addr for match-10cidr)\n',
);

// The targets, as ratios measured in this run.
const mean = (scenario, impl) => rows.find((r) => r.scenario === scenario && r.impl === impl)?.mean;
const targets = [];
const check = (label, value, limit, better) => {
  if (value === undefined || Number.isNaN(value)) return targets.push([label, 'n/a', limit, '-']);
  const ok = better === 'lower' ? value <= limit : value >= limit;
  targets.push([
    label,
    `${value.toFixed(3)}×`,
    `${better === 'lower' ? '≤' : '≥'} ${limit}×`,
    ok ? 'met' : 'MISSED',
  ]);
};
const us = 'trusted-proxy';
check('S1 vs Express 5', mean('S1', us) / mean('S1', 'express 5'), 0.33, 'lower');
check('S0 vs Express 5', mean('S0', us) / mean('S0', 'express 5'), 0.1, 'lower');
check('S3 vs S1 (ours)', mean('S3', us) / mean('S1', us), 1, 'lower');
check('S4-16k vs S1 (ours)', mean('S4-16k', us) / mean('S1', us), 20, 'lower');
check('S4-100 vs S1 (ours)', mean('S4-100', us) / mean('S1', us), 20, 'lower');
check(
  'proxy-addr / ours, matching',
  mean('match-10cidr', 'proxy-addr') / mean('match-10cidr', us),
  10,
  'higher',
);
printTable([['target', 'measured', 'target', 'verdict'], ...targets]);

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTable(lines) {
  const widths = lines[0].map((_, col) => Math.max(...lines.map((line) => String(line[col]).length)));
  const numeric = (col) => col >= 2;
  const fmt = (line) =>
    line
      .map((cell, col) =>
        numeric(col) ? String(cell).padStart(widths[col]) : String(cell).padEnd(widths[col]),
      )
      .join('  ');
  console.log(fmt(lines[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines.slice(1)) console.log(fmt(line));
}
