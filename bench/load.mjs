// What bench/http.mjs and bench/edges.mjs share: the load generator in its own process, the
// /who probe, and the statistics they print.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `seconds` of keep-alive load from bench/loadgen.mjs: { rps, total, seconds, … }. */
export function load(url, seconds, connections, headers) {
  const options = JSON.stringify({ url, seconds, connections, headers });
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
