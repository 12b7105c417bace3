/**
 * R20 on node:http2's compatibility API, with a real `http2.connect` client over h2c and over
 * TLS, and an HTTP/1.1 client on an `allowHTTP1` server: `:authority` is the Host, a client's
 * `:scheme` is believed only when `trustedHeaders` lists it and the peer is trusted, `.wrap`
 * and `.process` no longer throw, and `.wrap`'s 400 is a valid HTTP/2 response.
 */
import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ProxyInfo,
  proxyInfo,
  reconstructUrl,
  type TrustedProxyOptions,
  trustedProxy,
} from '../../src/index.js';
import { startFastify, startKoa } from '../edges/adapters.js';
import { sendRaw, TLS_CERT, TLS_KEY } from '../edges/runner.js';
import type { Scenario } from '../edges/scenarios.js';
import { sendHttp2 } from './client.js';

interface Seen {
  info: ProxyInfo;
  url: string;
  scheme: string;
  authority: string;
  headers: Record<string, string>;
  rawHeaders: string[];
  ip: string;
  protocol: string;
}

const servers: Array<http2.Http2Server | http2.Http2SecureServer> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

function echo(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void {
  const r = req as http2.Http2ServerRequest & Record<string, unknown>;
  const seen: Seen = {
    info: proxyInfo(req)!,
    url: reconstructUrl(req as never),
    scheme: req.scheme,
    authority: req.authority,
    headers: req.headers as Record<string, string>,
    rawHeaders: req.rawHeaders,
    ip: r.ip as string,
    protocol: r.protocol as string,
  };
  const body = JSON.stringify(seen);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

async function serve(
  options: TrustedProxyOptions,
  secure = false,
  listener: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void = trustedProxy(
    options,
  ).wrap(echo),
): Promise<number> {
  const server = secure
    ? http2.createSecureServer({ key: TLS_KEY, cert: TLS_CERT, allowHTTP1: true }, listener)
    : http2.createServer(listener);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function get(
  port: number,
  from: string,
  headers: Array<[string, string]>,
  extra: http2.OutgoingHttpHeaders = {},
  tls = false,
): Promise<Seen> {
  const answer = await sendHttp2({ from, headers, tls }, port, extra);
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body) as Seen;
}

const ENVOY: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', ':scheme'],
  trustedProxies: ['127.0.0.31'],
};

describe('HTTP/2 › :scheme is a claim (R20)', () => {
  it('over h2c, a client that says :scheme https gets http: not listed, nothing believed, nothing reported', async () => {
    const port = await serve({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['127.0.0.31'] });
    const got = await get(port, '127.0.0.31', [['Host', 'app.example']], { ':scheme': 'https' });
    expect(got.info.protocol).toBe('http');
    expect(got.info.rejected).toEqual([]);
    expect(got.url).toBe('http://app.example/app/x?q=1');
    // node:http2's own accessor now says what ProxyInfo says; the claim stays in original.
    expect(got.scheme).toBe('http');
    expect(got.headers[':scheme']).toBe('http');
    expect(got.info.original.headers[':scheme']).toBe('https');
  });

  it('an untrusted peer is not believed even when :scheme is listed', async () => {
    const port = await serve(ENVOY);
    const got = await get(port, '127.0.0.50', [['Host', 'app.example']], { ':scheme': 'https' });
    expect(got.info).toMatchObject({ trusted: false, protocol: 'http', rejected: [] });
    expect(got.scheme).toBe('http');
  });

  it('a trusted peer (Envoy over h2c) that lists :scheme sets the protocol and the default port', async () => {
    const port = await serve(ENVOY);
    const got = await get(port, '127.0.0.31', [['Host', 'shop.example']], { ':scheme': 'https' });
    expect(got.info).toMatchObject({ trusted: true, protocol: 'https', port: 443, host: 'shop.example' });
    expect(got.info.applied).toEqual([':scheme']);
    expect(got.url).toBe('https://shop.example/app/x?q=1');
    expect(got.protocol).toBe('https');
  });

  it(':scheme is the lowest priority of the scheme group, wherever it is listed; a different value is a conflict', async () => {
    const port = await serve({
      trustedHeaders: [':scheme', 'X-Forwarded-Proto'],
      trustedProxies: ['127.0.0.31'],
    });
    const got = await get(
      port,
      '127.0.0.31',
      [
        ['Host', 'shop.example'],
        ['X-Forwarded-Proto', 'http'],
      ],
      { ':scheme': 'https' },
    );
    expect(got.info.protocol).toBe('http');
    expect(got.info.applied).toEqual(['x-forwarded-proto']);
    expect(got.info.rejected).toEqual([{ header: ':scheme', value: 'https', reason: 'conflict' }]);
    expect(got.scheme).toBe('http');
  });

  it('an invalid trusted :scheme is rejected and the socket decides', async () => {
    const port = await serve(ENVOY);
    const got = await get(port, '127.0.0.31', [['Host', 'shop.example']], { ':scheme': 'ftp' });
    expect(got.info.protocol).toBe('http');
    expect(got.info.rejected).toEqual([{ header: ':scheme', value: 'ftp', reason: 'invalid-scheme' }]);
    expect(got.scheme).toBe('http');
  });

  it('over TLS the socket says https; a client :scheme http is not believed', async () => {
    const port = await serve({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['127.0.0.31'] }, true);
    const got = await get(port, '127.0.0.50', [['Host', 'localhost:8443']], { ':scheme': 'http' }, true);
    expect(got.info.protocol).toBe('https');
    expect(got.url).toBe('https://localhost:8443/app/x?q=1');
    expect(got.scheme).toBe('https');
  });
});

describe('HTTP/2 › :authority is the Host (R9, R10, R12)', () => {
  it('a trusted X-Forwarded-Host rewrites :authority (and a host header) in headers and rawHeaders', async () => {
    const port = await serve({ trustedHeaders: ['X-Forwarded-Host'], trustedProxies: ['127.0.0.31'] });
    const got = await get(
      port,
      '127.0.0.31',
      [
        ['Host', 'internal:8080'],
        ['X-Forwarded-Host', 'pub.example'],
      ],
      { host: 'internal:8080' },
    );
    expect(got.info.original.host).toBe('internal:8080');
    expect(got.authority).toBe('pub.example');
    expect(got.headers[':authority']).toBe('pub.example');
    expect(got.headers.host).toBe('pub.example');
    const lines = (name: string) => got.rawHeaders.filter((_, i) => got.rawHeaders[i - 1] === name);
    expect(lines(':authority')).toEqual(['pub.example']);
    expect(lines('host')).toEqual(['pub.example']);
  });

  it(':authority wins over a different host header; an invalid :authority is reported and not used', async () => {
    const port = await serve({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['127.0.0.31'] });
    const both = await get(port, '127.0.0.50', [['Host', 'a.example']], { host: 'b.example' });
    expect(both.info.hostname).toBe('a.example');
    expect(both.headers.host).toBe('a.example');
    const bad = await get(port, '127.0.0.50', [['Host', 'evil.com:x@good.com']]);
    expect(bad.info.rejected).toContainEqual({
      header: 'host',
      value: 'evil.com:x@good.com',
      reason: 'invalid-host',
    });
    expect(bad.info.hostname).toBe('127.0.0.1');
    expect(JSON.stringify(bad.headers)).not.toContain('evil');
  });

  it('an untrusted peer gets every forwarding header removed from headers and rawHeaders', async () => {
    const port = await serve(ENVOY);
    const got = await get(port, '127.0.0.50', [
      ['Host', 'app.example'],
      ['X-Forwarded-For', '6.6.6.6'],
      ['X-Real-IP', '7.7.7.7'],
      ['Forwarded', 'for=9.9.9.9;proto=https'],
    ]);
    expect(got.ip).toBe('127.0.0.50');
    const names = Object.keys(got.headers);
    expect(names.filter((n) => n.startsWith('x-') || n === 'forwarded')).toEqual([]);
    const raw = got.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(raw.filter((n) => n.startsWith('x-') || n === 'forwarded')).toEqual([]);
    expect(got.info.rejected.map((e) => e.reason)).toEqual([
      'untrusted-peer',
      'untrusted-peer',
      'untrusted-peer',
    ]);
  });
});

describe('HTTP/2 › .wrap, .process and the middleware', () => {
  it('.wrap answers 400 for a host not allowed with a valid HTTP/2 response; the session stays usable', async () => {
    let ran = 0;
    const options = { ...ENVOY, allowedHosts: ['app.example'] };
    const port = await serve(
      options,
      false,
      trustedProxy(options).wrap((req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
        ran++;
        echo(req, res);
      }),
    );
    const refused = await sendHttp2({ from: '127.0.0.50', headers: [['Host', 'evil.example']] }, port);
    expect(refused.status).toBe(400);
    expect(refused.headers.connection).toBeUndefined();
    expect(refused.body).toBe('Bad Request: host not allowed\n');
    const ok = await sendHttp2({ from: '127.0.0.50', headers: [['Host', 'app.example']] }, port);
    expect(ok.status).toBe(200);
    expect(ran).toBe(1);
  });

  it('.process(req) on an Http2ServerRequest returns ProxyInfo and is idempotent (R13)', async () => {
    const proxy = trustedProxy(ENVOY);
    const port = await serve(ENVOY, false, (req, res) => {
      const first = proxy.process(req);
      const second = proxy.process(req);
      res.end(JSON.stringify({ same: first === second, ip: first.remoteAddress, scheme: req.scheme }));
    });
    const answer = await sendHttp2(
      {
        from: '127.0.0.31',
        headers: [
          ['Host', 'a.example'],
          ['X-Forwarded-For', '203.0.113.9'],
        ],
      },
      port,
      { ':scheme': 'https' },
    );
    expect(JSON.parse(answer.body)).toEqual({ same: true, ip: '203.0.113.9', scheme: 'https' });
  });

  it('the Connect-style middleware works on an Http2ServerRequest', async () => {
    const proxy = trustedProxy(ENVOY);
    const port = await serve(ENVOY, false, (req, res) => {
      proxy(req as never, res as never, (err?: unknown) => {
        res.end(JSON.stringify({ err: err === undefined ? null : String(err), info: proxyInfo(req) }));
      });
    });
    const answer = await sendHttp2(
      {
        from: '127.0.0.31',
        headers: [
          ['Host', 'a.example'],
          ['X-Forwarded-Proto', 'https'],
        ],
      },
      port,
    );
    const body = JSON.parse(answer.body) as { err: null; info: ProxyInfo };
    expect(body.err).toBeNull();
    expect(body.info.protocol).toBe('https');
  });

  it('rewriteLocation rewrites a Location set with setHeader or writeHead on an Http2ServerResponse (R14)', async () => {
    const options = { ...ENVOY, rewriteLocation: true };
    const port = await serve(
      options,
      false,
      trustedProxy(options).wrap((req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
        const internal = `http://${req.headers['x-internal']}`;
        if (req.url === '/set') res.setHeader('location', `${internal}/landed`);
        else res.writeHead(302, { location: `${internal}/other` });
        res.statusCode = 302;
        res.end();
      }),
    );
    const headers: Array<[string, string]> = [
      ['Host', '127.0.0.1:8080'],
      ['X-Internal', '127.0.0.1:8080'],
      ['X-Forwarded-Proto', 'https'],
    ];
    const set = await sendHttp2({ from: '127.0.0.31', headers, path: '/set' }, port);
    expect(set.headers.location).toBe('https://127.0.0.1:8080/landed');
    const head = await sendHttp2({ from: '127.0.0.31', headers, path: '/head' }, port);
    expect(head.headers.location).toBe('https://127.0.0.1:8080/other');
  });

  it('reconstructUrl on an unprocessed HTTP/2 request uses :authority and the socket, never :scheme', async () => {
    const port = await serve(ENVOY, false, (req, res) => res.end(reconstructUrl(req as never)));
    const answer = await sendHttp2({ from: '127.0.0.31', headers: [['Host', 'A.example:8080']] }, port, {
      ':scheme': 'https',
    });
    expect(answer.body).toBe('http://a.example:8080/app/x?q=1');
  });

  for (const [name, start] of [
    ['Fastify', startFastify],
    ['Koa', startKoa],
  ] as const) {
    it(`allowHTTP1 through the ${name} adapter: an HTTP/2 and an HTTP/1.1 client on one TLS server agree`, async () => {
      const server = await start(ENVOY as never, { host: '127.0.0.1', tls: true }, 'http2');
      try {
        const headers: Array<[string, string]> = [
          ['Host', 'shop.example'],
          ['X-Forwarded-For', '203.0.113.9'],
        ];
        const h2 = await sendHttp2({ from: '127.0.0.31', headers, tls: true }, server.port);
        const h1 = await sendRaw({ from: '127.0.0.31', headers, tls: true } as Scenario, server.port);
        for (const answer of [h2, h1]) {
          expect(answer.status).toBe(200);
          const seen = JSON.parse(answer.body) as { info: ProxyInfo; accessors: Record<string, string> };
          expect(seen.info).toMatchObject({
            remoteAddress: '203.0.113.9',
            protocol: 'https',
            host: 'shop.example',
          });
          expect(seen.accessors).toMatchObject({
            ip: '203.0.113.9',
            protocol: 'https',
            host: 'shop.example',
          });
        }
      } finally {
        await server.close();
      }
    });
  }

  it('allowHTTP1: an HTTP/1.1 client on the same TLS server is served by the HTTP/1 path, 400 with Connection: close', async () => {
    const options = { ...ENVOY, allowedHosts: ['app.example'] };
    const port = await serve(options, true);
    const ok = await sendRaw(
      {
        from: '127.0.0.31',
        tls: true,
        headers: [
          ['Host', 'app.example'],
          ['X-Forwarded-For', '203.0.113.9'],
        ],
      } as Scenario,
      port,
    );
    expect(ok.status).toBe(200);
    const seen = JSON.parse(ok.body) as Seen;
    expect(seen.info).toMatchObject({ remoteAddress: '203.0.113.9', protocol: 'https', host: 'app.example' });
    expect(seen.headers.host).toBe('app.example');
    const refused = await sendRaw(
      { from: '127.0.0.31', tls: true, headers: [['Host', 'evil.example']] } as Scenario,
      port,
    );
    expect(refused.status).toBe(400);
  });
});
