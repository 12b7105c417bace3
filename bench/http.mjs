// HTTP-level benchmark: requests/s with and without the middleware (issue 6).
//
//   npm run bench:http                                   build, then 5 rounds × 5 s per server
//   BENCH_HTTP_SECONDS=2 BENCH_HTTP_ROUNDS=2 node bench/http.mjs   a quick run
//   BENCH_HTTP_CONNECTIONS=10                            keep-alive connections (default 10)
//   BENCH_HTTP_ONLY=express                              only the pairs whose name contains this
//   BENCH_DIST=/tmp/other/esm node bench/http.mjs         measure another build of the package
//
// The servers run in this process on 127.0.0.1; autocannon runs in a child process
// (bench/loadgen.mjs) over keep-alive loopback connections. Each pair is measured A, B, then
// B, A in the next round, and so on, so drift (CPU frequency, other load) hits both sides.
// Every request carries an nginx header set; the peer, 127.0.0.1, is trusted ('loopback').
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express5';
import { TRUSTED_HEADERS } from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// BENCH_DIST=/abs/path/to/esm measures another build of the package (e.g. an experiment).
const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';
const { trustedProxy } = await import(`${DIST}/index.js`);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 5);
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

const proxy = trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: 'loopback' });

function hello(_req, res) {
  res.setHeader('content-type', 'text/plain');
  res.end('hello world');
}

function expressApp(withProxy, trustProxy, withNoop = false) {
  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  if (trustProxy) app.set('trust proxy', 'loopback');
  if (withProxy) app.use(proxy);
  if (withNoop) app.use((_req, _res, next) => next());
  app.get('/', (_req, res) => res.send('hello world'));
  // The information a proxied app usually wants, read through Express's getters.
  app.get('/who', (req, res) => res.send(`${req.ip} ${req.protocol}://${req.hostname}`));
  return app;
}

const PAIRS = [
  { name: 'node:http hello world', a: ['without', hello], b: ['proxy.wrap', proxy.wrap(hello)], path: '/' },
  {
    name: 'Express 5 hello world',
    a: ['without', expressApp(false, false)],
    b: ['app.use(proxy)', expressApp(true, false)],
    path: '/',
  },
  {
    // Control: what any extra middleware layer costs in Express 5's router, ours or not.
    name: 'Express 5 hello world, a no-op middleware (control)',
    a: ['without', expressApp(false, false)],
    b: ['app.use(noop)', expressApp(false, false, true)],
    path: '/',
  },
  {
    name: 'Express 5, reads req.ip/protocol/hostname',
    a: ["'trust proxy' loopback", expressApp(false, true)],
    b: ['app.use(proxy)', expressApp(true, false)],
    path: '/who',
  },
];

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => resolve(server));
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
  const res = await fetch(url, { headers: HEADERS });
  return `${res.status} ${await res.text()}`;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const pct = (x) => `${(x * 100).toFixed(1)} %`;

console.log(
  `trusted-proxy HTTP benchmark · node ${process.version} · ${ROUNDS} rounds × ${SECONDS} s · ${CONNECTIONS} keep-alive connections`,
);
const summary = [];
for (const pair of PAIRS) {
  if (ONLY && !pair.name.toLowerCase().includes(ONLY)) continue;
  const servers = { a: await listen(pair.a[1]), b: await listen(pair.b[1]) };
  const url = (side) => `http://127.0.0.1:${servers[side].address().port}${pair.path}`;
  console.log(`\n${pair.name}`);
  console.log(`  probe A (${pair.a[0]}): ${await probe(url('a'))}`);
  console.log(`  probe B (${pair.b[0]}): ${await probe(url('b'))}`);
  // Warm both servers up (JIT) before measuring.
  await load(url('a'), Math.min(2, SECONDS));
  await load(url('b'), Math.min(2, SECONDS));
  const rps = { a: [], b: [] };
  const overheads = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    const got = {};
    for (const side of order) {
      const r = await load(url(side), SECONDS);
      if (r.non2xx || r.errors) console.warn(`  ! ${side}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      got[side] = r.rps;
      rps[side].push(r.rps);
    }
    const overhead = 1 - got.b / got.a;
    overheads.push(overhead);
    console.log(
      `  round ${round + 1}: A ${fmt(got.a)} req/s, B ${fmt(got.b)} req/s, overhead ${pct(overhead)}`,
    );
  }
  for (const server of Object.values(servers)) {
    server.closeAllConnections();
    server.close();
  }
  summary.push({
    name: pair.name,
    a: pair.a[0],
    b: pair.b[0],
    rpsA: median(rps.a),
    rpsB: median(rps.b),
    overhead: median(overheads),
    min: Math.min(...overheads),
    max: Math.max(...overheads),
  });
}

console.log('\nmedian requests/s; overhead = 1 − B/A per round (median, min … max); target ≤ 3 %');
for (const s of summary) {
  console.log(
    `  ${s.name}: A (${s.a}) ${fmt(s.rpsA)}  B (${s.b}) ${fmt(s.rpsB)}  overhead ${pct(s.overhead)} (${pct(s.min)} … ${pct(s.max)})`,
  );
}
