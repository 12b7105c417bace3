/**
 * The framework adapters (R19) held against the model: real Fastify 5 and Koa servers (the
 * adapters' own scenario servers, test/edges/adapters.ts) answer with ProxyInfo, the headers
 * the app sees, reconstructUrl and the framework's accessors; the client computes what the
 * model expects from the bytes it sent.
 */

import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientAddress,
  trustedProxy as honoTrustedProxy,
  type TrustedProxyEnv,
} from '../../src/adapters/hono.js';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { reconstructUrl } from '../../src/index.js';
import { startFastify, startKoa } from '../edges/adapters.js';
import type { EdgeServer } from '../edges/runner.js';
import type { ScenarioOptions } from '../edges/scenarios.js';
import { LONG, MUTATION, SEED } from '../property/support/config.js';
import { headersFromLines, RawClient, serialize } from '../property/support/harness.js';
import { deepDiff, describeCase } from './compare.js';
import { Rng, randomConfig, randomRequest } from './generate.js';
import { modelReconstructUrl, modelResolve } from './index.js';

const REQUESTS = LONG ? 4_000 : MUTATION ? 20 : 120;

/** Hono on @hono/node-server with trusted-proxy/hono, answering like the other edges. */
async function startHono(options: ScenarioOptions): Promise<EdgeServer> {
  const app = new Hono<TrustedProxyEnv>();
  app.use(honoTrustedProxy(options as never));
  app.all('*', (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const body = JSON.stringify({
      info: c.var.proxyInfo,
      url: reconstructUrl(c.req.raw),
      headers,
      accessors: { ip: clientAddress(c), url: c.req.url },
    });
    // A Content-Length (not chunked): the raw test client reads framed bodies only.
    return c.body(body, 200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    });
  });
  let server: ServerType | undefined;
  await new Promise<void>((done) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done());
  });
  const address = server!.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise((done) => server!.close(() => done())),
  };
}

const FRAMEWORKS = { fastify: startFastify, koa: startKoa, hono: startHono } as const;

/** What a fetch runtime builds from header lines: Web Headers (every repeat joined, trimmed). */
function webHeaders(lines: readonly (readonly [string, string])[]): Record<string, string> {
  const headers = new Headers();
  for (const [name, value] of lines) headers.append(name, value);
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function sortKeys(value: unknown): Record<string, unknown> {
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
}

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
            // Hono sees a Web Request built from the raw lines; Fastify and Koa Node's headers.
            headers: framework === 'hono' ? webHeaders(lines) : headersFromLines(lines),
            rawHeaders: lines.flat(),
          });
          // Hono: a connection per request (its own 400s are not framed for keep-alive reuse).
          const client = framework === 'hono' ? new RawClient(servers[which]!.port) : clients[which]!;
          const res = await client.send(serialize({ method: 'GET', url: path, lines }));
          if (framework === 'hono') client.close();
          const out: string[] = [];
          const badHost = expected.info.rejected.some(
            (e) => e.header === 'host' && e.reason === 'invalid-host',
          );
          if (framework === 'hono' && badHost && res.status === 400) {
            // @hono/node-server builds the URL from Host and refuses a bad one before any middleware.
            expect(res.body).not.toContain('host not allowed');
          } else if (res.status !== 200) out.push(`status ${res.status} ${res.body.slice(0, 200)}`);
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
            const wantHeaders = JSON.parse(JSON.stringify(expected.headers)) as Record<string, string>;
            if (framework === 'hono') {
              // A new Request's Headers: values trimmed; the same Request (nothing changed) keeps no Host of its own.
              for (const key of Object.keys(wantHeaders))
                wantHeaders[key] = wantHeaders[key]!.replace(/^[ \t]+|[ \t]+$/g, '');
            }
            deepDiff(
              framework === 'hono' ? sortKeys(wantHeaders) : wantHeaders,
              framework === 'hono' ? sortKeys(seen.headers) : seen.headers,
              'headers',
              out,
            );
            const url = modelReconstructUrl(expected.info, path);
            if (seen.url !== url) out.push(`reconstructUrl ${seen.url} != ${url}`);
            const a = seen.accessors;
            const info = expected.info;
            if (framework === 'hono') {
              if (a.ip !== (info.remoteAddress ?? '')) out.push(`clientAddress ${String(a.ip)}`);
              const origin = new URL(`${info.protocol}://${info.host}`).origin;
              if (a.url !== origin + path) out.push(`c.req.url ${String(a.url)}`);
            } else
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
