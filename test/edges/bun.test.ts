/**
 * The scenario table on real Bun (the @oven/bun-linux-x64 binary): `Bun.serve` with
 * `server.requestIP(req)` as the peer, through createResolver, the Hono middleware and
 * wrapFetch, from the built package in dist/. Web Headers only: no raw lines.
 */
import { afterAll } from 'vitest';
import { describeEdge } from './runner.js';
import { runtimeChecks } from './runtime-checks.js';
import { spawnRuntime } from './runtimes.js';

const bun = spawnRuntime('bun');
afterAll(() => bun.stop());

describeEdge({
  name: 'Bun.serve + createResolver',
  rawLines: false,
  start: (o, l) => bun.start('fetch', o, l),
});
describeEdge({ name: 'Hono on Bun (middleware)', rawLines: false, start: (o, l) => bun.start('hono', o, l) });
describeEdge({
  name: 'Hono on Bun (wrapFetch)',
  rawLines: false,
  start: (o, l) => bun.start('hono-wrap', o, l),
});
runtimeChecks('bun', bun);
