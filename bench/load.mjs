// What the bench scripts share: the load generator in its own process, the
// /who probe, and the statistics they print.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The build the server benchmarks load: `dist/esm`, or BENCH_DIST (an absolute path). */
export const DIST = process.env.BENCH_DIST
  ? pathToFileURL(process.env.BENCH_DIST).href
  : new URL('../dist/esm', import.meta.url).href;

/** `seconds` of keep-alive load from bench/loadgen.mjs: { rps, total, seconds, … }. */
export function load(url, seconds, connections, headers) {
  return loadgen({ url, seconds, connections, headers });
}

/** Exactly `amount` requests over 10 keep-alive connections (bench:deopt, bench:gc). */
export function loadAmount(url, amount, headers) {
  return loadgen({ url, amount, connections: 10, headers });
}

function loadgen(settings) {
  const options = JSON.stringify(settings);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(here, 'loadgen.mjs'), options], (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}

/** What the server's /who route answers for these headers: a check that each side resolves. */
export async function probe(url, headers) {
  const res = await fetch(`${url}/who`, { headers });
  return `${res.status} ${await res.text()}`;
}

export const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/** What nginx's usual proxy block adds, with a browser's own headers (the Host is the server's). */
export const NGINX_HEADERS = {
  'x-real-ip': '203.0.113.7',
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-host': 'www.example.com',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
};

/**
 * The A/B pairs of bench/http-server.mjs configurations (bench:http, bench:instructions):
 * [label, configuration B, baseline A, target for B/A − 1 or undefined].
 */
export const HTTP_PAIRS = [
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
