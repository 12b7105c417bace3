// Instructions per request under Valgrind (issue 10): a deterministic companion to
// bench/http.mjs for a machine shared with other work.
//
//   npm run build && node bench/instructions.mjs                 every pair, 4,000 requests each
//   BENCH_INSTR_REQUESTS=10000 BENCH_INSTR_ONLY=express node bench/instructions.mjs
//
// CPU time per request moves with whatever else the machine runs; the number of instructions
// the server executes for a request does not (within a fraction of a percent: V8's garbage
// collector and compiler threads run when allocation, not the clock, says so). Each
// configuration of bench/http-server.mjs runs alone under `valgrind --tool=callgrind`; this
// script sends it warm-up requests (10 keep-alive connections, nginx's header set from
// 127.0.0.1, as bench/http.mjs), zeroes the counters (`callgrind_control -z`), sends the
// measured requests and dumps the count. Instructions are user space only: the kernel's share
// (socket reads and writes, the same for every configuration) is not counted, so the relative
// cost of a middleware reads higher here than in CPU time. Needs valgrind (apt-get install
// valgrind); not part of CI.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, HTTP_PAIRS, NGINX_HEADERS } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_INSTR_REQUESTS ?? 4000);
const WARMUP = Number(process.env.BENCH_INSTR_WARMUP ?? 6000);
const ONLY = process.env.BENCH_INSTR_ONLY?.toLowerCase();
// BENCH_INSTR_CONFIG=<name>: count one configuration of bench/http-server.mjs and stop.
const ONE = process.env.BENCH_INSTR_CONFIG;

const HEADERS = NGINX_HEADERS;

const COMPARISONS = HTTP_PAIRS.filter(([label]) => !ONLY || label.toLowerCase().includes(ONLY));

/** Sends `count` GET / requests over 10 keep-alive connections; resolves when all answered. */
function send(port, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
  let started = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const one = () => {
      if (started === count) return;
      started++;
      const req = request({ host: '127.0.0.1', port, path: '/', agent, headers: HEADERS }, (res) => {
        res.resume();
        res.on('end', () => {
          done++;
          if (done === count) {
            agent.destroy();
            resolve();
          } else one();
        });
      });
      req.on('error', reject);
      req.end();
    };
    for (let i = 0; i < 10; i++) one();
  });
}

async function instructions(config) {
  const dir = join(tmpdir(), `trusted-proxy-instr-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${dir}/callgrind.out.%p`,
      process.execPath,
      // BENCH_INSTR_NODE_FLAGS='--perf-basic-prof' names JIT code (/tmp/perf-<pid>.map).
      ...(process.env.BENCH_INSTR_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      join(here, 'http-server.mjs'),
      config,
      DIST,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0' } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${config}: exited with ${code}\n${stderr}`)));
  });
  await send(port, WARMUP);
  execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
  await send(port, REQUESTS);
  execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
  // The zeroed-then-dumped part is the file with the dump number (…out.<pid>.1).
  const dumps = readdirSync(dir).filter((f) => /\.\d+$/.test(f) && /out\.\d+\.\d+$/.test(f));
  const dump = join(dir, dumps.sort()[0]);
  const text = readFileSync(dump, 'utf8');
  // BENCH_INSTR_KEEP=<dir>: keep the dump for callgrind_annotate.
  if (process.env.BENCH_INSTR_KEEP) {
    execFileSync('cp', [
      dump,
      join(process.env.BENCH_INSTR_KEEP, `${config.replace(/[^a-z0-9]+/gi, '-')}.callgrind`),
    ]);
  }
  rmSync(dir, { recursive: true, force: true });
  const total = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  if (!total) throw new Error(`${config}: no total in the callgrind dump`);
  return Number(total[1]) / REQUESTS;
}

console.log(
  `trusted-proxy instruction count · node ${process.version} · ${WARMUP} warm-up + ${REQUESTS} measured requests per configuration`,
);
if (ONE !== undefined) {
  console.log(`${ONE}: ${((await instructions(ONE)) / 1000).toFixed(1)}k instructions/request`);
  process.exit(0);
}
const results = [];
for (const [label, b, a, target] of COMPARISONS) {
  const ia = await instructions(a);
  const ib = await instructions(b);
  const extra = ib / ia - 1;
  const verdict =
    target === undefined
      ? ''
      : extra <= target
        ? '  met'
        : `  target ≤ +${(target * 100).toFixed(1)} %: MISSED`;
  const line = `${label}: A ${(ia / 1000).toFixed(1)}k, B ${(ib / 1000).toFixed(1)}k instructions/request, +${(extra * 100).toFixed(1)} % (+${((ib - ia) / 1000).toFixed(1)}k)${verdict}`;
  console.log(line);
  results.push(line);
}
