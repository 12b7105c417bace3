// Deoptimisation check (informational, not a test): 100,000 requests through real servers
// started under V8's deoptimisation tracing, and the package functions that deoptimise
// repeatedly.
//
//   npm run bench:deopt                      build, then node:http + proxy.wrap and Express 5/4 + app.use(proxy)
//   BENCH_DEOPT_REQUESTS=20000 node bench/deopt.mjs
//   BENCH_DIST=/abs/esm node bench/deopt.mjs    another build of the package
//
// Each server (bench/http-server.mjs) runs with `--trace-deopt --log-deopt`: the trace names
// the deoptimised function, the V8 log (`code-deopt` events) gives the source position and
// the reason. Positions inside the package's build are grouped; a function that deoptimises
// a few times while V8 learns the request shapes is normal, the same position deoptimising
// again and again under steady load is not (the optimised code keeps being thrown away).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, loadAmount } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_DEOPT_REQUESTS ?? 100_000);
const CONFIGS = ['node:http + proxy.wrap', 'express 5 + app.use(proxy)', 'express 4 + app.use(proxy)'];
const HEADERS = {
  'x-real-ip': '203.0.113.7',
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-host': 'www.example.com',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
};

/** The name of the function around `line` in `file` (a heuristic for the report). */
const sources = new Map();
function enclosingFunction(file, line) {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(fileURLToPath(file), 'utf8').split('\n'));
    } catch {
      sources.set(file, []);
    }
  }
  const lines = sources.get(file);
  for (let i = line - 1; i >= 0; i--) {
    const m =
      /^\s*(?:export\s+)?(?:async\s+)?function\*?\s+([\w$]+)/.exec(lines[i] ?? '') ??
      /^\s*(?:static\s+)?(?:get\s+|set\s+)?([\w$]+)\s*\([^)]*\)\s*\{\s*$/.exec(lines[i] ?? '') ??
      /^\s*(?:const|let)\s+([\w$]+)\s*=\s*(?:function|\()/.exec(lines[i] ?? '');
    if (m && !['if', 'for', 'while', 'switch', 'catch'].includes(m[1])) return m[1];
  }
  return '(top level)';
}

async function run(config) {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-proxy-deopt-'));
  const logfile = join(dir, 'v8.log');
  let trace = '';
  const child = fork(join(here, 'http-server.mjs'), [config, DIST], {
    execArgv: ['--trace-deopt', '--log-deopt', `--logfile=${logfile}`, '--no-logfile-per-isolate'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout.on('data', (chunk) => {
    trace += chunk;
  });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const result = await loadAmount(`http://127.0.0.1:${port}/`, REQUESTS, HEADERS);
  child.send('exit');
  await new Promise((resolve) => child.once('exit', resolve));

  const inPackage = (file) => file.startsWith(DIST);
  const positions = new Map();
  for (const line of readFileSync(logfile, 'utf8').split('\n')) {
    if (!line.startsWith('code-deopt,')) continue;
    const m = /<(file:[^>]+):(\d+):(\d+)>,(.*)$/.exec(line);
    if (!m || !inPackage(m[1])) continue;
    const [, file, row, col, reason] = m;
    const key = `${file.slice(DIST.length + 1)}:${row}:${col} ${reason}`;
    const entry = positions.get(key) ?? {
      fn: enclosingFunction(file, Number(row)),
      where: `${file.slice(DIST.length + 1)}:${row}:${col}`,
      reason,
      count: 0,
    };
    entry.count++;
    positions.set(key, entry);
  }
  const bailouts = (trace.match(/\[bailout /g) ?? []).length;
  rmSync(dir, { recursive: true, force: true });
  return { config, total: result.total, bailouts, positions: [...positions.values()] };
}

console.log(
  `trusted-proxy deoptimisation check · node ${process.version} · ${REQUESTS.toLocaleString('en-US')} requests per server`,
);
let repeated = 0;
for (const config of CONFIGS) {
  const { total, bailouts, positions } = await run(config);
  positions.sort((a, b) => b.count - a.count);
  console.log(
    `\n${config}: ${total.toLocaleString('en-US')} requests, ${bailouts} deoptimisations in the whole process`,
  );
  if (positions.length === 0) console.log('  none in the package');
  for (const p of positions) {
    const flag = p.count > 1 ? 'REPEATED' : 'once';
    if (p.count > 1) repeated++;
    console.log(`  ${String(p.count).padStart(4)}× ${flag.padEnd(8)} ${p.fn} (${p.where}): ${p.reason}`);
  }
}
console.log(
  `\n${repeated === 0 ? 'No package function deoptimised more than once at the same place.' : `${repeated} package position(s) deoptimised more than once.`}`,
);
