// HTTP benchmark (SPEC §7, issue 10): server CPU time per request, per configuration.
//
//   npm run bench:http                              build, then 6 rounds × 3 s per side of each pair
//   BENCH_HTTP_SECONDS=2 BENCH_HTTP_ROUNDS=3 node bench/http.mjs   a quick run
//   BENCH_HTTP_CONNECTIONS=10                       keep-alive connections (default 10)
//   BENCH_HTTP_ONLY=express                         only configurations whose name contains this
//   BENCH_DIST=/abs/esm node bench/http.mjs          measure another build of the package
//
// Every configuration is a hello-world server in its own process (bench/http-server.mjs);
// autocannon (bench/loadgen.mjs) loads it over 10 keep-alive loopback connections with
// nginx's header set (X-Real-IP, X-Forwarded-For/-Host/-Proto/-Port) from 127.0.0.1, which
// is trusted. The server's own CPU time (process.cpuUsage(): user + system) over a run,
// divided by the requests answered, is the cost per request: unlike requests per second it
// does not depend on how much CPU the load generators or other processes took. Each comparison
// is a pair of configurations loaded at the same time, each by its own load generator, for
// BENCH_HTTP_SECONDS, in BENCH_HTTP_ROUNDS rounds: on a shared machine whatever else runs
// then slows both sides alike. The ratio of a round compares the two servers over the same
// seconds; the median and the spread over the rounds are reported.
import { execFile, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = process.env.BENCH_DIST
  ? pathToFileURL(process.env.BENCH_DIST).href
  : new URL('../dist/esm', import.meta.url).href;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10);
const ONLY = process.env.BENCH_HTTP_ONLY?.toLowerCase();

/** What nginx's usual proxy block adds (the Host header is the server's own). */
const HEADERS = {
  'x-real-ip': '203.0.113.7',
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-host': 'www.example.com',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
};

const CONFIGS = [
  'node:http',
  'node:http + no-op wrapper',
  'node:http + proxy.wrap',
  'express 5 + no-op app.use',
  'express 5 + app.use(proxy)',
  'express 4 + no-op app.use',
  'express 4 + app.use(proxy)',
].filter((name) => !ONLY || name.toLowerCase().includes(ONLY));

/** [label, configuration B, baseline A, target for B/A − 1 or undefined] */
const COMPARISONS = [
  ['node:http: no-op wrapper', 'node:http + no-op wrapper', 'node:http', undefined],
  ['node:http: proxy.wrap', 'node:http + proxy.wrap', 'node:http', 0.1],
  [
    'Express 5: app.use(proxy) vs a no-op app.use',
    'express 5 + app.use(proxy)',
    'express 5 + no-op app.use',
    0.03,
  ],
  [
    'Express 4: app.use(proxy) vs a no-op app.use',
    'express 4 + app.use(proxy)',
    'express 4 + no-op app.use',
    0.03,
  ],
];

function start(config) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'http-server.mjs'), [config, DIST], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', ({ port }) => resolve({ config, child, url: `http://127.0.0.1:${port}` }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${config}: server exited with ${code}`)));
  });
}

function cpu(server) {
  return new Promise((resolve) => {
    server.child.once('message', (message) => resolve(message.cpu));
    server.child.send('cpu');
  });
}

function load(url, seconds) {
  const options = JSON.stringify({ url, seconds, connections: CONNECTIONS, headers: HEADERS });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(here, 'loadgen.mjs'), options], (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}

async function probe(url) {
  const res = await fetch(`${url}/who`, { headers: HEADERS });
  return `${res.status} ${await res.text()}`;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

console.log(
  `trusted-proxy HTTP benchmark · node ${process.version} · ${ROUNDS} rounds × ${SECONDS} s per configuration · ` +
    `${CONNECTIONS} keep-alive connections`,
);
const servers = [];
for (const config of CONFIGS) servers.push(await start(config));
try {
  for (const server of servers) {
    console.log(`  ${server.config.padEnd(28)} /who → ${await probe(server.url)}`);
    await load(server.url, Math.min(2, SECONDS)); // warm-up: JIT, connection setup
  }
  const byName = new Map(servers.map((server) => [server.config, server]));
  const results = [];
  for (const [label, b, a, target] of COMPARISONS) {
    if (!byName.has(a) || !byName.has(b)) continue;
    const runs = { a: [], b: [] };
    const ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      const got = {};
      const sides = { a: byName.get(a), b: byName.get(b) };
      // Both servers under load at the same time: whatever else the machine does hits both.
      const before = { a: await cpu(sides.a), b: await cpu(sides.b) };
      const [ra, rb] = await Promise.all([load(sides.a.url, SECONDS), load(sides.b.url, SECONDS)]);
      const after = { a: await cpu(sides.a), b: await cpu(sides.b) };
      for (const [side, r] of [
        ['a', ra],
        ['b', rb],
      ]) {
        if (r.non2xx || r.errors)
          console.warn(`  ! ${sides[side].config}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        got[side] = (after[side] - before[side]) / r.total;
        runs[side].push({ us: got[side], rps: r.rps });
      }
      ratios.push(got.b / got.a - 1);
      console.log(
        `  ${label}, round ${round + 1}: A ${got.a.toFixed(1)} µs, B ${got.b.toFixed(1)} µs, ${pct(got.b / got.a - 1)}`,
      );
    }
    results.push({ label, a, b, target, runs, ratios });
  }

  console.log('\nserver CPU per request: median (min … max) over the rounds; requests/s: median');
  for (const { a, b, runs } of results) {
    for (const [config, list] of [
      [a, runs.a],
      [b, runs.b],
    ]) {
      const us = list.map((r) => r.us);
      console.log(
        `  ${config.padEnd(28)} ${median(us).toFixed(1).padStart(6)} µs (${Math.min(...us).toFixed(1)} … ${Math.max(...us).toFixed(1)})` +
          `  ${Math.round(median(list.map((r) => r.rps)))
            .toLocaleString('en-US')
            .padStart(7)} req/s`,
      );
    }
  }
  console.log('\nextra server CPU per request, B / A − 1 per round: median (min … max)');
  for (const { label, target, runs, ratios } of results) {
    const med = median(ratios);
    const extra = median(runs.b.map((r) => r.us)) - median(runs.a.map((r) => r.us));
    const verdict =
      target === undefined ? '' : `  target ≤ ${pct(target)}: ${med <= target ? 'met' : 'MISSED'}`;
    console.log(
      `  ${label.padEnd(46)} ${pct(med).padStart(8)} (${pct(Math.min(...ratios))} … ${pct(Math.max(...ratios))}), ` +
        `${extra >= 0 ? '+' : ''}${extra.toFixed(1)} µs${verdict}`,
    );
  }
} finally {
  for (const server of servers) server.child.send('exit');
}
