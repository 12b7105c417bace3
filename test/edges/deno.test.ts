/**
 * The scenario table on real Deno (the @deno/linux-x64-glibc binary): `Deno.serve` with
 * `info.remoteAddr` as the peer, through createResolver, the Hono middleware and
 * wrapFetch, from the built package in dist/. Web Headers only: no raw lines.
 */
import { afterAll } from 'vitest';
import { describeEdge } from './runner.js';
import { runtimeChecks } from './runtime-checks.js';
import { spawnRuntime } from './runtimes.js';

const deno = spawnRuntime('deno');
afterAll(() => deno.stop());

describeEdge({
  name: 'Deno.serve + createResolver',
  rawLines: false,
  start: (o, l) => deno.start('fetch', o, l),
});
describeEdge({
  name: 'Hono on Deno (middleware)',
  rawLines: false,
  start: (o, l) => deno.start('hono', o, l),
});
describeEdge({
  name: 'Hono on Deno (wrapFetch)',
  rawLines: false,
  start: (o, l) => deno.start('hono-wrap', o, l),
});
runtimeChecks('deno', deno);
