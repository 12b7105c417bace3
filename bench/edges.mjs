// Edges benchmark (SPEC §7 for R18/R19): server CPU time per request for the fetch edge and
// the framework adapters, each against the framework's own accessors on the same server.
//
//   npm run bench:edges                                  build, then 6 rounds × 2 s per side
//   BENCH_EDGES_SECONDS=1 BENCH_EDGES_ROUNDS=2 node bench/edges.mjs   a quick run
//   BENCH_EDGES_ONLY=hono,fetch                          only cases whose label contains one of these
//   BENCH_DIST=/abs/esm node bench/edges.mjs             measure another build of the package
//
// Method as bench/http.mjs: every configuration is a real server in its own process
// (bench/edges-server.mjs) answering real framework request objects; autocannon, in another
// process, loads it over keep-alive loopback connections with nginx's header set from
// 127.0.0.1 (trusted); the server's own CPU time (process.cpuUsage()) over a run divided by the
// requests answered is the cost per request. Each case is a pair measured A, B then B, A in the
// next round; the median ratio over the rounds is reported with its spread.
//
// To add an adapter: add its configurations to bench/edges-server.mjs and a row to CASES.
import { fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, load as loadFor, median, NGINX_HEADERS, pct, probe as probeFor } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_EDGES_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_EDGES_ROUNDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_EDGES_CONNECTIONS ?? 10);
const ONLY = process.env.BENCH_EDGES_ONLY?.toLowerCase();

const HEADERS = NGINX_HEADERS;

/**
 * The cases: [label, B (with this package), A (the framework's own way), note].
 * B / A − 1 is the extra server CPU per request.
 */
export const CASES = [
  [
    'fetch Request on node:http: createResolver vs none',
    'fetch: Request + createResolver',
    'fetch: Request',
    'both build a Web Request per IncomingMessage; B also resolves and rebuilds it',
  ],
  [
    'Hono: trustedProxy() vs getConnInfo + c.req.header reads',
    'hono: trustedProxy()',
    'hono: own accessors (getConnInfo + c.req.header)',
    'A reads peer, X-Forwarded-For/-Proto/-Host itself (unchecked)',
  ],
  ['Hono: trustedProxy() vs a no-op middleware', 'hono: trustedProxy()', 'hono: no-op middleware', ''],
  ...['bun', 'deno'].flatMap((rt) => [
    [
      `${rt}: createResolver vs none`,
      `${rt}: Request + createResolver`,
      `${rt}: Request`,
      `${rt === 'bun' ? 'Bun.serve + server.requestIP' : 'Deno.serve + info.remoteAddr'}; the native Request`,
    ],
    [
      `${rt}: Hono trustedProxy() vs getConnInfo + c.req.header reads`,
      `${rt}: hono: trustedProxy()`,
      `${rt}: hono: own accessors (getConnInfo + c.req.header)`,
      '',
    ],
    [
      `${rt}: Hono trustedProxy() vs a no-op middleware`,
      `${rt}: hono: trustedProxy()`,
      `${rt}: hono: no-op middleware`,
      '',
    ],
  ]),
  [
    'Hono: wrapFetch vs a no-op middleware',
    'hono: wrapFetch + no-op middleware',
    'hono: no-op middleware',
    '',
  ],
  [
    'Fastify: trustedProxy plugin vs trustProxy',
    'fastify: trustedProxy plugin',
    'fastify: trustProxy',
    "both read request.ip, protocol, host, hostname; A is Fastify's own proxy-addr getters",
  ],
  [
    'Fastify: trustedProxy plugin vs a no-op onRequest hook',
    'fastify: trustedProxy plugin',
    'fastify: no-op onRequest hook',
    '',
  ],
  [
    'Koa: trustedProxy() vs app.proxy',
    'koa: trustedProxy()',
    'koa: app.proxy',
    "both read ctx.ip, protocol, host, hostname; A is Koa's own getters with app.proxy",
  ],
  ['Koa: trustedProxy() vs a no-op middleware', 'koa: trustedProxy()', 'koa: no-op middleware', ''],
].filter(([label]) => !ONLY || ONLY.split(',').some((part) => label.toLowerCase().includes(part.trim())));

const BUN = join(here, '../node_modules/@oven/bun-linux-x64/bin/bun');
const DENO = join(here, '../node_modules/@deno/linux-x64-glibc/deno');

/** A configuration's server: a forked Node process (IPC), or Bun/Deno speaking JSON lines. */
function start(config) {
  const runtime = /^(bun|deno): /.exec(config)?.[1];
  if (runtime !== undefined) return startRuntime(config, runtime);
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'edges-server.mjs'), [config, DIST], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', ({ port }) =>
      resolve({
        config,
        url: `http://127.0.0.1:${port}`,
        cpu: () =>
          new Promise((done) => {
            child.once('message', (message) => done(message.cpu));
            child.send('cpu');
          }),
        exit: () => child.send('exit'),
      }),
    );
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${config}: server exited with ${code}`)));
  });
}

function startRuntime(config, runtime) {
  const script = join(here, 'edges-runtime-server.mjs');
  const args =
    runtime === 'deno'
      ? [
          'run',
          '--cached-only',
          '--no-lock',
          '--allow-net',
          '--allow-read',
          '--allow-env',
          script,
          config,
          DIST,
        ]
      : ['--no-install', 'run', script, config, DIST];
  const child = spawn(runtime === 'deno' ? DENO : BUN, args, {
    cwd: join(here, '..'),
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const message = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(message);
    }
  });
  const next = () => new Promise((done) => waiting.push(done));
  return new Promise((resolve, reject) => {
    next().then(({ port }) =>
      resolve({
        config,
        url: `http://127.0.0.1:${port}`,
        cpu: () => {
          const answer = next();
          child.stdin.write('cpu\n');
          return answer.then((message) => message.cpu);
        },
        exit: () => child.stdin.end('exit\n'),
      }),
    );
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${config}: server exited with ${code}`)));
  });
}

function cpu(server) {
  return server.cpu();
}

const load = (url, seconds) => loadFor(url, seconds, CONNECTIONS, HEADERS);
const probe = (url) => probeFor(url, HEADERS);

console.log(
  `trusted-proxy edges benchmark · node ${process.version} · ${ROUNDS} rounds × ${SECONDS} s per side · ` +
    `${CONNECTIONS} keep-alive connections`,
);
const configs = [...new Set(CASES.flatMap(([, b, a]) => [a, b]))];
const servers = new Map();
for (const config of configs) servers.set(config, await start(config));
try {
  for (const server of servers.values()) {
    console.log(`  ${server.config.padEnd(50)} /who → ${await probe(server.url)}`);
    await load(server.url, Math.min(2, SECONDS)); // warm-up: JIT, connection setup
  }
  const results = [];
  for (const [label, b, a, note] of CASES) {
    const runs = { a: [], b: [] };
    const ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      const got = {};
      for (const side of round % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
        const server = servers.get(side === 'a' ? a : b);
        const before = await cpu(server);
        const r = await load(server.url, SECONDS);
        const after = await cpu(server);
        if (r.non2xx || r.errors)
          console.warn(`  ! ${server.config}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        got[side] = (after - before) / r.total;
        runs[side].push({ us: got[side], rps: r.rps });
      }
      ratios.push(got.b / got.a - 1);
      console.log(
        `  ${label}, round ${round + 1}: A ${got.a.toFixed(1)} µs, B ${got.b.toFixed(1)} µs, ${pct(got.b / got.a - 1)}`,
      );
    }
    results.push({ label, a, b, note, runs, ratios });
  }
  console.log('\nserver CPU per request: median (min … max) over the rounds; requests/s: median');
  for (const config of configs) {
    const list = results.flatMap((r) => [
      ...(r.a === config ? r.runs.a : []),
      ...(r.b === config ? r.runs.b : []),
    ]);
    const us = list.map((r) => r.us);
    console.log(
      `  ${config.padEnd(50)} ${median(us).toFixed(1).padStart(6)} µs (${Math.min(...us).toFixed(1)} … ${Math.max(...us).toFixed(1)})` +
        `  ${Math.round(median(list.map((r) => r.rps)))
          .toLocaleString('en-US')
          .padStart(7)} req/s`,
    );
  }
  console.log('\nextra server CPU per request, B / A − 1 per round: median (min … max); B − A in µs');
  for (const { label, runs, ratios } of results) {
    const extra = median(runs.b.map((r) => r.us)) - median(runs.a.map((r) => r.us));
    console.log(
      `  ${label.padEnd(60)} ${pct(median(ratios)).padStart(8)} (${pct(Math.min(...ratios))} … ${pct(Math.max(...ratios))}), ` +
        `${extra >= 0 ? '+' : ''}${extra.toFixed(1)} µs`,
    );
  }
} finally {
  for (const server of servers.values()) server.exit();
}
