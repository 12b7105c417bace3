// HTTP benchmark (SPEC §7, issue 10): server CPU time per request, per configuration.
//
//   npm run bench:http                              build, then 6 rounds × 3 s per pair
//   BENCH_HTTP_SECONDS=2 BENCH_HTTP_ROUNDS=3 node bench/http.mjs   a quick run
//   BENCH_HTTP_CONNECTIONS=10                       keep-alive connections (default 10)
//   BENCH_HTTP_ONLY=express                         only configurations whose name contains this
//   BENCH_DIST=/abs/esm node bench/http.mjs          measure another build of the package
//
// Every configuration is a hello-world server (bench/http-server.mjs) loaded by autocannon
// (bench/loadgen.mjs, its own process) over 10 keep-alive loopback connections with nginx's
// header set (X-Real-IP, X-Forwarded-For/-Host/-Proto/-Port) from 127.0.0.1, which is
// trusted. The cost per request is the server's own CPU time (process.cpuUsage(): user +
// system) divided by the requests it answered: unlike requests per second it does not depend
// on how much CPU the load generator or other processes took. The two configurations of a
// pair run in ONE server process, in turns of 250 requests, each turn's CPU time recorded
// (about ten turns a second): on a shared machine whatever else runs slows both alike. Each
// round is BENCH_HTTP_SECONDS of load; the median and the spread over BENCH_HTTP_ROUNDS
// rounds are reported. A probe of each configuration, alone, shows what it answers.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, HTTP_PAIRS, load as loadFor, median, NGINX_HEADERS, pct, probe as probeFor } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10);
const ONLY = process.env.BENCH_HTTP_ONLY?.toLowerCase();

const HEADERS = NGINX_HEADERS;

const CONFIGS = [
  'node:http',
  'node:http + no-op wrapper',
  'node:http + proxy.wrap',
  'express 5 + no-op app.use',
  'express 5 + app.use(proxy)',
  'express 4 + no-op app.use',
  'express 4 + app.use(proxy)',
].filter((name) => !ONLY || name.toLowerCase().includes(ONLY));

const COMPARISONS = HTTP_PAIRS;

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

function turns(server) {
  return new Promise((resolve) => {
    server.child.once('message', (message) => resolve(message.turns));
    server.child.send('turns');
  });
}

const load = (url, seconds) => loadFor(url, seconds, CONNECTIONS, HEADERS);
const probe = (url) => probeFor(url, HEADERS);

console.log(
  `trusted-proxy HTTP benchmark · node ${process.version} · ${ROUNDS} rounds × ${SECONDS} s per pair · ` +
    `${CONNECTIONS} keep-alive connections`,
);
const servers = [];
for (const config of CONFIGS) servers.push(await start(config));
try {
  for (const server of servers) {
    console.log(`  ${server.config.padEnd(28)} /who → ${await probe(server.url)}`);
    server.child.send('exit');
  }
  const byName = new Set(CONFIGS);
  const results = [];
  for (const [label, b, a, target] of COMPARISONS) {
    if (!byName.has(a) || !byName.has(b)) continue;
    const runs = { a: [], b: [] };
    const ratios = [];
    // One server runs both configurations in turns of 250 requests (bench/http-server.mjs),
    // so both see the same machine from one second to the next.
    const pair = await start(`${a}|${b}`);
    await load(pair.url, Math.min(2, SECONDS)); // warm-up
    await turns(pair);
    for (let round = 0; round < ROUNDS; round++) {
      const r = await load(pair.url, SECONDS);
      if (r.non2xx || r.errors) console.warn(`  ! ${a}|${b}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      const [ta, tb] = await turns(pair);
      const got = { a: ta.cpu / ta.requests, b: tb.cpu / tb.requests };
      runs.a.push({ us: got.a, rps: r.rps });
      runs.b.push({ us: got.b, rps: r.rps });
      ratios.push(got.b / got.a - 1);
      console.log(
        `  ${label}, round ${round + 1}: A ${got.a.toFixed(1)} µs, B ${got.b.toFixed(1)} µs, ${pct(got.b / got.a - 1)}`,
      );
    }
    pair.child.send('exit');
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
  for (const server of servers) if (server.child.connected) server.child.send('exit');
}
