/**
 * One suite, run as a matrix over every host the package plugs into: plain node:http
 * (.wrap), Connect, Express 4 and Express 5 (npm aliases side by side), each Express also
 * with its own `trust proxy` switched on. Real servers, real sockets, a real client bound
 * to its own loopback address so every hop has an address of its own.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import connect from 'connect';
import express4 from 'express4';
import express5 from 'express5';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ProxyInfo,
  proxyInfo,
  reconstructUrl,
  TrustedProxyConfigError,
  type TrustedProxyOptions,
  trustedProxy,
} from '../../src/index.js';

type AnyRequest = IncomingMessage & Record<string, unknown>;

interface Echo {
  ip: string | undefined;
  ips: string[];
  protocol: string;
  secure: boolean;
  hostname: string;
  host: string | undefined;
  subdomains: string[] | undefined;
  info: ProxyInfo;
  url: string;
  login: string;
  headers: Record<string, string>;
  rawHeaders: string[];
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const r = req as AnyRequest;
  const body = JSON.stringify({
    ip: r.ip,
    ips: r.ips,
    protocol: r.protocol,
    secure: r.secure,
    hostname: r.hostname,
    host: r.host,
    subdomains: r.subdomains,
    info: proxyInfo(req),
    url: reconstructUrl(req),
    login: reconstructUrl(req, '/login'),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
  });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

interface Host {
  name: string;
  express?: 4 | 5;
  build(options: TrustedProxyOptions, mounts?: number): RequestListener;
}

function expressHost(name: string, version: 4 | 5, trustProxy: boolean): Host {
  const factory = (version === 4 ? express4 : express5) as unknown as () => {
    use(fn: unknown): void;
    set(key: string, value: unknown): void;
  } & RequestListener;
  return {
    name,
    express: version,
    build(options, mounts = 1) {
      const app = factory();
      if (trustProxy) app.set('trust proxy', true);
      for (let i = 0; i < mounts; i++) app.use(trustedProxy(options));
      app.use(echo);
      return app;
    },
  };
}

const HOSTS: Host[] = [
  {
    name: 'node:http (.wrap)',
    build(options, mounts = 1) {
      let listener: RequestListener = echo;
      for (let i = 0; i < mounts; i++) listener = trustedProxy(options).wrap(listener);
      return listener;
    },
  },
  {
    name: 'Connect',
    build(options, mounts = 1) {
      const app = connect();
      for (let i = 0; i < mounts; i++) app.use(trustedProxy(options) as never);
      app.use(echo as never);
      return app as unknown as RequestListener;
    },
  },
  expressHost('Express 4', 4, false),
  expressHost('Express 5', 5, false),
  expressHost('Express 4 with trust proxy', 4, true),
  expressHost('Express 5 with trust proxy', 5, true),
];

const servers: Array<http.Server | https.Server> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

async function listen(
  listener: RequestListener,
  options: { tls?: boolean; path?: string } = {},
): Promise<string | number> {
  const server = options.tls
    ? https.createServer(
        {
          key: readFileSync(new URL('../fixtures/tls-key.pem', import.meta.url)),
          cert: readFileSync(new URL('../fixtures/tls-cert.pem', import.meta.url)),
        },
        listener,
      )
    : http.createServer(listener);
  servers.push(server);
  await new Promise<void>((done) => {
    if (options.path !== undefined) server.listen(options.path, done);
    else server.listen(0, '127.0.0.1', done);
  });
  const address = server.address();
  return typeof address === 'string' ? address : address!.port;
}

interface Sent {
  status: number;
  headers: string;
  body: string;
}

/** Writes raw HTTP/1.1 requests on one connection and reads one response per request. */
async function exchange(
  target: string | number,
  requests: Array<{ path?: string; headers: Array<[string, string]> }>,
  options: { from?: string; tls?: boolean } = {},
): Promise<Sent[]> {
  const socket: net.Socket =
    typeof target === 'string'
      ? net.connect({ path: target })
      : options.tls
        ? tls.connect({
            host: '127.0.0.1',
            port: target,
            localAddress: options.from ?? '127.0.0.50',
            rejectUnauthorized: false,
          } as tls.ConnectionOptions)
        : net.connect({ host: '127.0.0.1', port: target, localAddress: options.from ?? '127.0.0.50' });
  await new Promise<void>((done, fail) => {
    socket.once(options.tls ? 'secureConnect' : 'connect', () => done());
    socket.once('error', fail);
  });
  let buffer = Buffer.alloc(0);
  const waiting: Array<() => void> = [];
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (const wake of waiting.splice(0)) wake();
  });
  const responses: Sent[] = [];
  for (let i = 0; i < requests.length; i++) {
    const { path = '/app/x?q=1', headers } = requests[i]!;
    const last = i === requests.length - 1;
    let text = `GET ${path} HTTP/1.1\r\n`;
    for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
    text += `Connection: ${last ? 'close' : 'keep-alive'}\r\n\r\n`;
    socket.write(text);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = buffer.subarray(0, end).toString('latin1');
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? '0');
        if (buffer.length >= end + 4 + length) {
          responses.push({
            status: Number(head.slice(9, 12)),
            headers: head,
            body: buffer.subarray(end + 4, end + 4 + length).toString('utf8'),
          });
          buffer = buffer.subarray(end + 4 + length);
          break;
        }
      }
      await new Promise<void>((wake) => waiting.push(wake));
    }
  }
  socket.destroy();
  return responses;
}

async function get(
  target: string | number,
  headers: Array<[string, string]>,
  options: { from?: string; tls?: boolean; path?: string } = {},
): Promise<Echo> {
  const [response] = await exchange(
    target,
    [{ headers, ...(options.path ? { path: options.path } : {}) }],
    options,
  );
  expect(response!.status).toBe(200);
  return JSON.parse(response!.body) as Echo;
}

const APACHE: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Scheme'],
  trustedProxies: ['127.0.0.31'],
};
const SPOOF6: Array<[string, string]> = [
  ['X-Forwarded-Proto', 'https'],
  ['X-Real-IP', '7.7.7.7'],
  ['X-Client-IP', '8.8.8.8'],
  ['Forwarded', 'for=9.9.9.9'],
];

for (const host of HOSTS) {
  describe(`${host.name}`, () => {
    it('R1/R2: a bad option throws TrustedProxyConfigError before anything listens', () => {
      expect(() => host.build({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' })).toThrow(
        TrustedProxyConfigError,
      );
    });

    it('R3/R8/R12: an appending trusted proxy (Apache) with a client-forged X-Forwarded-Host resolves to the proxy value', async () => {
      const port = await listen(host.build(APACHE));
      const got = await get(
        port,
        [
          ['Host', '127.0.0.10:18002'],
          ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
          ['X-Forwarded-Host', 'evil.example, blog.example.com:18080'],
          ['X-Forwarded-Server', 'blog.example.com'],
          ['X-Forwarded-Port', '18080'],
          ...SPOOF6,
        ],
        { from: '127.0.0.31' },
      );
      expect(got.info).toMatchObject({
        trusted: true,
        peerAddress: '127.0.0.31',
        remoteAddress: '127.0.0.50',
        host: 'blog.example.com:18080',
        protocol: 'http',
      });
      expect(got.url).toBe('http://blog.example.com:18080/app/x?q=1');
      expect(got.login).toBe('http://blog.example.com:18080/login');
      expect(got.ip).toBe('127.0.0.50');
      expect(got.ips).toEqual(['127.0.0.50']);
      expect(got.protocol).toBe('http');
      expect(got.secure).toBe(false);
      expect(got.hostname).toBe('blog.example.com');
      if (host.express === 5) expect(got.host).toBe('blog.example.com:18080');
      if (host.express === 4) expect(got.host).toBe('blog.example.com');
      if (host.express !== undefined) expect(got.subdomains).toEqual(['blog']);
      expect(got.headers.host).toBe('blog.example.com:18080');
      expect(got.headers['x-forwarded-host']).toBe('blog.example.com:18080');
      expect(got.headers['x-forwarded-for']).toBe('127.0.0.50');
    });

    it('R11: the same request from an untrusted peer resolves to the raw transport values with every forwarding header gone', async () => {
      const port = await listen(host.build(APACHE));
      const got = await get(port, [
        ['Host', '127.0.0.10:18002'],
        ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
        ['X-Forwarded-Host', 'evil.example, blog.example.com:18080'],
        ['X-Forwarded-Port', '18080'],
        ...SPOOF6,
      ]);
      expect(got.info).toMatchObject({
        trusted: false,
        remoteAddress: '127.0.0.50',
        addresses: ['127.0.0.50'],
        host: '127.0.0.10:18002',
        protocol: 'http',
        applied: [],
      });
      expect(got.ip).toBe('127.0.0.50');
      expect(got.ips).toEqual([]);
      expect(got.url).toBe('http://127.0.0.10:18002/app/x?q=1');
      const forwarding = Object.keys(got.headers).filter((k) => k.startsWith('x-') || k === 'forwarded');
      expect(forwarding).toEqual([]);
      expect(got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())).toEqual([
        'host',
        'connection',
      ]);
      expect(got.info.original.headers['x-forwarded-host']).toBe('evil.example, blog.example.com:18080');
    });

    it('R4/R6: aliases are stripped behind a trusted proxy; the first trusted header of a group wins', async () => {
      const port = await listen(
        host.build({
          trustedHeaders: ['X-Real-IP', 'X-Forwarded-For', 'X-Forwarded-Proto'],
          trustedProxies: '127.0.0.21',
        }),
      );
      const got = await get(
        port,
        [
          ['Host', 'blog.example.com'],
          ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
          ['X-Real-IP', '127.0.0.50'],
          ['X-Forwarded-Proto', 'https'],
          ['X-Client-IP', '8.8.8.8'],
          ['True-Client-IP', '8.8.8.8'],
          ['X-Original-URL', '/admin'],
        ],
        { from: '127.0.0.21' },
      );
      expect(got.ip).toBe('127.0.0.50');
      expect(got.info.applied).toEqual(['x-real-ip', 'x-forwarded-proto']);
      expect(got.headers['x-client-ip']).toBeUndefined();
      expect(got.headers['true-client-ip']).toBeUndefined();
      expect(got.headers['x-original-url']).toBeUndefined();
      expect(got.headers['x-forwarded-for']).toBeUndefined();
      expect(got.protocol).toBe('https');
      expect(got.secure).toBe(true);
      expect(got.url).toBe('https://blog.example.com/app/x?q=1');
    });

    it('R5: a proxy on a UNIX domain socket is trusted with unix', async () => {
      const path = join(tmpdir(), `trusted-proxy-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
      await listen(
        host.build({ trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'], trustedProxies: 'unix' }),
        {
          path,
        },
      );
      const got = await get(path, [
        ['Host', 'pub.example'],
        ['X-Forwarded-For', '203.0.113.9'],
        ['X-Forwarded-Proto', 'https'],
      ]);
      expect(got.info.trusted).toBe(true);
      expect(got.info.peerAddress).toBeUndefined();
      expect(got.ip).toBe('203.0.113.9');
      expect(got.url).toBe('https://pub.example/app/x?q=1');
    });

    it('R7: the walk stops at the first untrusted hop; unknown never becomes the address', async () => {
      const port = await listen(
        host.build({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback, 10.0.0.0/8' }),
      );
      const walked = await get(port, [
        ['Host', 'a.example'],
        ['X-Forwarded-For', '1.1.1.1, 203.0.113.5, 10.0.0.2'],
      ]);
      expect(walked.ip).toBe('203.0.113.5');
      expect(walked.ips).toEqual(['203.0.113.5', '10.0.0.2']);
      expect(walked.info.addresses).toEqual(['203.0.113.5', '10.0.0.2', '127.0.0.50']);
      const unknown = await get(port, [
        ['Host', 'a.example'],
        ['X-Forwarded-For', '203.0.113.5, unknown, 10.0.0.2'],
      ]);
      expect(unknown.ip).toBe('10.0.0.2');
      expect(unknown.info.rejected).toEqual([
        { header: 'x-forwarded-for', value: 'unknown', reason: 'invalid-address' },
      ]);
    });

    it('R7: RFC 7239 Forwarded, one line at a time, with a malformed client line', async () => {
      const port = await listen(host.build({ trustedHeaders: ['Forwarded'], trustedProxies: '127.0.0.41' }));
      const got = await get(
        port,
        [
          ['host', 'blog.example.com:18280'],
          ['forwarded', 'for="unterminated'],
          ['forwarded', 'proto=https;host="blog.example.com:18643";for=127.0.0.50'],
        ],
        { from: '127.0.0.41' },
      );
      expect(got.ip).toBe('127.0.0.50');
      expect(got.url).toBe('https://blog.example.com:18643/app/x?q=1');
      expect(got.headers.forwarded).toBe('for=127.0.0.50;host="blog.example.com:18643";proto=https');
    });

    it('R9: an invalid value is rejected and never written into a header', async () => {
      const port = await listen(
        host.build({
          trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Prefix'],
          trustedProxies: 'loopback',
        }),
      );
      const got = await get(port, [
        ['Host', 'internal:8000'],
        ['X-Forwarded-Host', 'evil.com:x@good.com'],
        ['X-Forwarded-Prefix', '//evil.example'],
      ]);
      expect(got.url).toBe('http://internal:8000/app/x?q=1');
      expect(got.info.rejected.map((e) => e.reason)).toEqual(['invalid-host', 'invalid-prefix']);
      expect(JSON.stringify(got.headers)).not.toContain('evil');
    });

    it('R10: host, port and scheme stay coherent; a TLS hop is https', async () => {
      const port = await listen(
        host.build({
          trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Proto'],
          trustedProxies: 'loopback',
        }),
        { tls: true },
      );
      const direct = await get(port, [['Host', 'localhost:8443']], { tls: true });
      expect(direct.url).toBe('https://localhost:8443/app/x?q=1');
      expect(direct.secure).toBe(true);
      const forwarded = await get(
        port,
        [
          ['Host', 'localhost:8443'],
          ['X-Forwarded-Host', 'pub.example'],
          ['X-Forwarded-Proto', 'http'],
        ],
        { tls: true },
      );
      expect(forwarded.url).toBe('http://pub.example/app/x?q=1');
      expect(forwarded.info.port).toBe(80);
      expect(forwarded.protocol).toBe('http');
    });

    it('R12: allowedHosts refuses other hosts with 400 before the app runs', async () => {
      const port = await listen(
        host.build({
          trustedHeaders: ['X-Forwarded-Host'],
          trustedProxies: 'loopback',
          allowedHosts: ['*.example.com'],
        }),
      );
      const [ok, refused] = await exchange(port, [
        { headers: [['Host', 'a.example.com']] },
        {
          headers: [
            ['Host', 'internal'],
            ['X-Forwarded-Host', 'evil.example'],
          ],
        },
      ]);
      expect(ok!.status).toBe(200);
      expect(refused!.status).toBe(400);
      expect(refused!.body).not.toContain('"info"');
    });

    it('R13: two mounts process once', async () => {
      const port = await listen(host.build(APACHE, 2));
      const got = await get(
        port,
        [
          ['Host', '127.0.0.10:18002'],
          ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
          ['X-Forwarded-Host', 'evil.example, blog.example.com:18080'],
        ],
        { from: '127.0.0.31' },
      );
      expect(got.ip).toBe('127.0.0.50');
      expect(got.url).toBe('http://blog.example.com:18080/app/x?q=1');
      expect(got.info.original.headers['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.50');
    });

    it('keep-alive: requests with different headers reuse one socket without leaking into each other', async () => {
      const port = await listen(
        host.build({ trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'], trustedProxies: 'loopback' }),
      );
      const responses = await exchange(port, [
        {
          headers: [
            ['Host', 'a.example'],
            ['X-Forwarded-For', '203.0.113.1'],
            ['X-Forwarded-Proto', 'https'],
          ],
        },
        { headers: [['Host', 'b.example']] },
        {
          headers: [
            ['Host', 'c.example'],
            ['X-Forwarded-For', '203.0.113.3'],
          ],
        },
      ]);
      const bodies = responses.map((r) => JSON.parse(r.body) as Echo);
      expect(bodies.map((b) => b.ip)).toEqual(['203.0.113.1', '127.0.0.50', '203.0.113.3']);
      expect(bodies.map((b) => b.url)).toEqual([
        'https://a.example/app/x?q=1',
        'http://b.example/app/x?q=1',
        'http://c.example/app/x?q=1',
      ]);
    });

    it('R15: reconstructUrl puts the prefix in front and keeps escapes', async () => {
      const port = await listen(
        host.build({
          trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
          trustedProxies: 'loopback',
        }),
      );
      const got = await get(
        port,
        [
          ['Host', 'internal'],
          ['X-Forwarded-Host', 'pub.example'],
          ['X-Forwarded-Proto', 'https'],
          ['X-Forwarded-Prefix', '/app/'],
        ],
        { path: '/caf%C3%A9?q=a%20b' },
      );
      expect(got.url).toBe('https://pub.example/app/caf%C3%A9?q=a%20b');
      expect(got.login).toBe('https://pub.example/app/login');
    });
  });
}
