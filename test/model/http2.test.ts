/**
 * HTTP/2 (R20) held against the model: real node:http2 servers (h2c, and h2 over TLS), the
 * compatibility API, `:authority` as the Host, `:scheme` a claim believed only from a trusted
 * peer that lists it; headers and rawHeaders rewritten in place.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import {
  type ClientHttp2Session,
  connect,
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { proxyInfo, trustedProxy } from '../../src/index.js';
import { LONG, MUTATION, SEED } from '../property/support/config.js';
import { compareOutcome, describeCase } from './compare.js';
import { Rng, randomConfig, randomRequest } from './generate.js';
import { type ModelFacts, modelResolve } from './index.js';

const REQUESTS = LONG ? 4_000 : MUTATION ? 20 : 150;
const FIXTURES = new URL('../fixtures/', import.meta.url);

describe(`model differential › HTTP/2 (R20) (seed ${SEED})`, () => {
  const rng = new Rng(SEED ^ 0x4202);
  const configs: TrustedProxyOptions[] = Array.from({ length: 16 }, () => {
    const c = randomConfig(rng);
    // Some configurations list :scheme (anywhere: it is always the lowest priority).
    if (rng.chance(0.5)) {
      const headers = [...c.trustedHeaders];
      headers.splice(rng.int(headers.length + 1), 0, ':scheme');
      c.trustedHeaders = headers;
    }
    return c;
  });
  const proxies = configs.map((c) => trustedProxy(c));
  const servers: Array<{
    tls: boolean;
    server: Http2Server | Http2SecureServer;
    session?: ClientHttp2Session;
    port: number;
  }> = [];

  function listener(req: Http2ServerRequest, res: Http2ServerResponse) {
    const diffs: string[] = [];
    try {
      const which = Number(req.headers['x-model-config']);
      const socket = req.socket as unknown as {
        remoteAddress?: string;
        localAddress?: string;
        localPort?: number;
        encrypted?: boolean;
      };
      const facts: ModelFacts = {
        peer: socket.remoteAddress,
        unixSocket: false,
        encrypted: socket.encrypted === true,
        localAddress: socket.localAddress,
        localPort: socket.localPort,
        headers: { ...req.headers } as ModelFacts['headers'],
        rawHeaders: [...req.rawHeaders],
        http2: true,
      };
      const expected = modelResolve(configs[which]!, facts);
      const proxy = proxies[which]!;
      if (req.headers['x-model-mount'] === 'middleware')
        proxy(req as unknown as IncomingMessage, res as never, () => {});
      else proxy.process(req);
      const info = proxyInfo(req);
      if (info === undefined) diffs.push('no ProxyInfo');
      else diffs.push(...compareOutcome(expected, req as unknown as IncomingMessage, info));
    } catch (err) {
      diffs.push(`threw ${(err as Error).stack}`);
    }
    const body = JSON.stringify({ diffs });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  beforeAll(async () => {
    const h2c = createServer(listener);
    const h2 = createSecureServer(
      {
        cert: readFileSync(new URL('tls-cert.pem', FIXTURES)),
        key: readFileSync(new URL('tls-key.pem', FIXTURES)),
      },
      listener,
    );
    for (const [tls, server] of [
      [false, h2c],
      [true, h2],
    ] as const) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      servers.push({ tls, server, port });
    }
  });

  afterAll(async () => {
    for (const s of servers) {
      s.session?.close();
      await new Promise<void>((resolve) => s.server.close(() => resolve()));
    }
  });

  function send(session: ClientHttp2Session, headers: Record<string, string | string[]>): Promise<string> {
    return new Promise((resolve, reject) => {
      const stream = session.request(headers);
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        body += chunk;
      });
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
      stream.end();
    });
  }

  it.each([false, true])(
    `agrees on ${REQUESTS} requests (TLS: %s)`,
    async (tls) => {
      const entry = servers.find((s) => s.tls === tls)!;
      const session = connect(`${tls ? 'https' : 'http'}://127.0.0.1:${entry.port}`, {
        rejectUnauthorized: false,
      });
      entry.session = session;
      let done = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const which = rng.int(configs.length);
        const raw = randomRequest(
          rng,
          { wire: true, peer: '127.0.0.1', unix: false, tls, localAddress: '', localPort: 0 },
          configs[which]!.trustedHeaders.filter((h) => h !== ':scheme'),
        );
        const headers: Record<string, string | string[]> = {
          ':method': 'GET',
          ':path': rng.pick(['/', '/p?q=1', '/a%20b']),
          'x-model-config': String(which),
          'x-model-mount': rng.pick(['middleware', 'process']),
        };
        if (rng.chance(0.6)) headers[':scheme'] = rng.pick(['https', 'http', 'HTTPS', 'ftp']);
        for (const [name, value] of raw.lines) {
          const key = name.toLowerCase();
          if (key === 'host') {
            // On HTTP/2 the Host is :authority; sometimes a host field rides along.
            if (headers[':authority'] === undefined) headers[':authority'] = value;
            else headers.host = value;
            continue;
          }
          const prev = headers[key];
          headers[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
        }
        let body: string;
        try {
          body = await send(session, headers);
        } catch {
          continue; /* a value the HTTP/2 client refuses never reaches a server */
        }
        const { diffs } = JSON.parse(body) as { diffs: string[] };
        if (diffs.length > 0) {
          throw new Error(
            `request #${i}:\n${diffs.slice(0, 6).join('\n')}\n${describeCase(configs[which]!, raw)}\n${JSON.stringify(headers)}`,
          );
        }
        done++;
      }
      expect(done).toBeGreaterThan(REQUESTS / 2);
    },
    3_600_000,
  );
});
