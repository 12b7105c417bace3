/**
 * The framework adapters (R19) held against the model: real Fastify 5 and Koa servers (the
 * adapters' own scenario servers, test/edges/adapters.ts) answer with ProxyInfo, the headers
 * the app sees, reconstructUrl and the framework's accessors; the client computes what the
 * model expects from the bytes it sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { startFastify, startKoa } from '../edges/adapters.js';
import type { EdgeServer } from '../edges/runner.js';
import type { ScenarioOptions } from '../edges/scenarios.js';
import { LONG, MUTATION, SEED } from '../property/support/config.js';
import { headersFromLines, RawClient, serialize } from '../property/support/harness.js';
import { deepDiff, describeCase } from './compare.js';
import { Rng, randomConfig, randomRequest } from './generate.js';
import { modelReconstructUrl, modelResolve } from './index.js';

const REQUESTS = LONG ? 4_000 : MUTATION ? 20 : 120;
const FRAMEWORKS = { fastify: startFastify, koa: startKoa } as const;

function plain(value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as { applied?: string[] };
  if (Array.isArray(copy.applied)) copy.applied.sort();
  return copy;
}

describe.each(Object.keys(FRAMEWORKS) as Array<keyof typeof FRAMEWORKS>)(
  `model differential › %s adapter (seed ${SEED})`,
  (framework) => {
    const rng = new Rng(SEED ^ (framework === 'koa' ? 0xc0a : 0xfa57));
    // One server per configuration; host refusal (allowedHosts) is left to the adapters' own suites.
    const configs: TrustedProxyOptions[] = Array.from({ length: 4 }, () => {
      const { allowedHosts: _a, ...rest } = randomConfig(rng);
      return rest;
    });
    const servers: EdgeServer[] = [];

    beforeAll(async () => {
      for (const options of configs) {
        servers.push(
          await FRAMEWORKS[framework](options as ScenarioOptions, { host: '127.0.0.1', tls: false } as never),
        );
      }
    });
    afterAll(async () => {
      for (const s of servers) await s.close();
    });

    it(`agrees on ${REQUESTS} requests`, async () => {
      const clients = servers.map((s) => new RawClient(s.port));
      let agreed = 0;
      try {
        for (let i = 0; i < REQUESTS; i++) {
          const which = rng.int(configs.length);
          const options = configs[which]!;
          const raw = randomRequest(
            rng,
            {
              wire: true,
              peer: '127.0.0.1',
              unix: false,
              tls: false,
              localAddress: '127.0.0.1',
              localPort: servers[which]!.port,
            },
            options.trustedHeaders,
          );
          // Every request carries a Host here: frameworks answer 400 without one on HTTP/1.1.
          const lines = raw.lines.some(([n]) => n.toLowerCase() === 'host')
            ? raw.lines
            : [['Host', 'internal'] as const, ...raw.lines];
          const path = rng.pick(['/', '/p?q=1', '/a%20b/c']);
          const expected = modelResolve(options, {
            peer: '127.0.0.1',
            unixSocket: false,
            encrypted: false,
            localAddress: '127.0.0.1',
            localPort: servers[which]!.port,
            headers: headersFromLines(lines),
            rawHeaders: lines.flat(),
          });
          const res = await clients[which]!.send(serialize({ method: 'GET', url: path, lines }));
          const out: string[] = [];
          if (res.status !== 200) out.push(`status ${res.status} ${res.body.slice(0, 200)}`);
          else {
            const seen = JSON.parse(res.body) as {
              info: unknown;
              url: string;
              headers: unknown;
              accessors: Record<string, unknown>;
            };
            const { original: _o, ...want } = plain(expected.info) as Record<string, unknown>;
            const { original: _s, ...got } = seen.info as Record<string, unknown>;
            deepDiff(want, plain(got), 'info', out);
            deepDiff(JSON.parse(JSON.stringify(expected.headers)), seen.headers, 'headers', out);
            const url = modelReconstructUrl(expected.info, path);
            if (seen.url !== url) out.push(`reconstructUrl ${seen.url} != ${url}`);
            const a = seen.accessors;
            const info = expected.info;
            deepDiff(
              { ip: info.remoteAddress, protocol: info.protocol, hostname: info.hostname, host: info.host },
              { ip: a.ip, protocol: a.protocol, hostname: a.hostname, host: a.host },
              'accessors',
              out,
            );
            if (framework === 'koa' && a.url !== `${info.protocol}://${info.host}${path}`)
              out.push(`ctx.href ${String(a.url)}`);
          }
          if (out.length > 0) {
            throw new Error(
              `${framework} request #${i}:\n${out.slice(0, 6).join('\n')}\n${describeCase(options, { ...raw, lines })}`,
            );
          }
          agreed++;
        }
      } finally {
        for (const c of clients) c.close();
      }
      expect(agreed).toBe(REQUESTS);
    }, 3_600_000);
  },
);
