/**
 * trusted-proxy/koa (R19) on a real Koa 3 server over real sockets: Koa's own accessors report
 * ProxyInfo, ctx.req has R11–R13 applied, Koa's app.proxy is refused.
 */
import http from 'node:http';
import net from 'node:net';
import Koa, { type Context } from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { trustedProxy } from '../../src/adapters/koa.js';
import {
  type ProxyInfo,
  proxyInfo,
  TrustedProxyConfigError,
  type TrustedProxyOptions,
} from '../../src/index.js';
import { sendRaw } from '../edges/runner.js';
import type { Scenario } from '../edges/scenarios.js';

const NGINX: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Port'],
  trustedProxies: ['127.0.0.31'],
};

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

interface Seen {
  ip: string;
  ips: string[];
  host: string;
  hostname: string;
  protocol: string;
  secure: boolean;
  href: string;
  URL: string;
  subdomains: string[];
  info: ProxyInfo;
  headers: Record<string, string>;
  rawHeaders: string[];
}

function seen(ctx: Context): Seen {
  return {
    ip: ctx.ip,
    ips: ctx.ips,
    host: ctx.host,
    hostname: ctx.hostname,
    protocol: ctx.protocol,
    secure: ctx.secure,
    href: ctx.href,
    URL: ctx.URL.href,
    subdomains: ctx.subdomains,
    info: proxyInfo(ctx.req)!,
    headers: ctx.req.headers as Record<string, string>,
    rawHeaders: ctx.req.rawHeaders,
  };
}

async function listen(app: Koa): Promise<number> {
  const server = http.createServer(app.callback());
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function serve(
  options: TrustedProxyOptions,
  setup?: (app: Koa) => void,
): Promise<{ app: Koa; port: number; ran: () => number }> {
  const app = new Koa();
  let runs = 0;
  app.use(trustedProxy(options));
  setup?.(app);
  app.use((ctx) => {
    runs++;
    ctx.body = seen(ctx);
  });
  return { app, port: await listen(app), ran: () => runs };
}

function send(port: number, from: string, headers: Array<[string, string]>, path?: string) {
  return sendRaw({ from, headers, ...(path ? { path } : {}) } as Scenario, port);
}

async function get(port: number, from: string, headers: Array<[string, string]>): Promise<Seen> {
  const answer = await send(port, from, headers);
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body) as Seen;
}

const NGINX_REQUEST: Array<[string, string]> = [
  ['Host', 'app.internal:8080'],
  ['X-Forwarded-For', '6.6.6.6, 203.0.113.7'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Host', 'shop.example.com'],
  ['X-Forwarded-Port', '8443'],
  ['X-Real-IP', '7.7.7.7'],
  ['Forwarded', 'for=9.9.9.9'],
];

describe('trusted-proxy/koa › behind a trusted proxy', () => {
  it("Koa's accessors report ProxyInfo: ip, ips, host, hostname, protocol, secure, href, URL, subdomains", async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.info).toMatchObject({
      trusted: true,
      remoteAddress: '203.0.113.7',
      protocol: 'https',
      host: 'shop.example.com:8443',
    });
    expect(got.ip).toBe('203.0.113.7');
    // Koa's order: the client first, the socket peer excluded.
    expect(got.ips).toEqual(['203.0.113.7']);
    expect(got.host).toBe('shop.example.com:8443');
    expect(got.hostname).toBe('shop.example.com');
    expect(got.protocol).toBe('https');
    expect(got.secure).toBe(true);
    expect(got.href).toBe('https://shop.example.com:8443/app/x?q=1');
    expect(got.URL).toBe('https://shop.example.com:8443/app/x?q=1');
    expect(got.subdomains).toEqual(['shop']);
  });

  it('ctx.req has R11–R12 applied: applied headers trimmed, the rest gone, Host rewritten', async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.headers.host).toBe('shop.example.com:8443');
    expect(got.headers['x-forwarded-for']).toBe('203.0.113.7');
    expect(got.headers['x-real-ip']).toBeUndefined();
    expect(got.headers.forwarded).toBeUndefined();
    const names = got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names).not.toContain('x-real-ip');
    expect(names).not.toContain('forwarded');
  });

  it('ctx.request.ip = … still overrides the address, as in Koa', async () => {
    const { port } = await serve(NGINX, (app) => {
      app.use((ctx, next) => {
        ctx.request.ip = '192.0.2.1';
        return next();
      });
    });
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.ip).toBe('192.0.2.1');
    expect(got.info.remoteAddress).toBe('203.0.113.7');
  });
});

describe('trusted-proxy/koa › an untrusted peer', () => {
  it('gets every forwarding header stripped from ctx.req and the socket values in the accessors', async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.50', NGINX_REQUEST);
    expect(got.info.trusted).toBe(false);
    expect(got.ip).toBe('127.0.0.50');
    expect(got.ips).toEqual([]);
    expect(got.host).toBe('app.internal:8080');
    expect(got.protocol).toBe('http');
    expect(got.href).toBe('http://app.internal:8080/app/x?q=1');
    const forwarding = Object.keys(got.headers).filter((k) => k.startsWith('x-') || k === 'forwarded');
    expect(forwarding).toEqual([]);
    const raw = got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(raw).toEqual(['host', 'connection']);
  });
});

describe('trusted-proxy/koa › configuration', () => {
  it('a bad option throws TrustedProxyConfigError when the middleware is created', () => {
    expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' })).toThrow(
      TrustedProxyConfigError,
    );
  });

  for (const [name, make] of [
    ['app.proxy = true', () => Object.assign(new Koa(), { proxy: true })],
    ['new Koa({ proxy: true })', () => new Koa({ proxy: true })],
  ] as const) {
    it(`refuses to run beside Koa's own proxy trust (${name}): 500 and a TrustedProxyConfigError naming app.proxy`, async () => {
      const app = make();
      const errors: unknown[] = [];
      app.silent = true;
      app.on('error', (err) => errors.push(err));
      let ran = false;
      app.use(trustedProxy(NGINX));
      app.use((ctx) => {
        ran = true;
        ctx.body = 'ok';
      });
      const answer = await send(await listen(app), '127.0.0.31', NGINX_REQUEST);
      expect(answer.status).toBe(500);
      expect(ran).toBe(false);
      expect(errors[0]).toBeInstanceOf(TrustedProxyConfigError);
      expect((errors[0] as Error).message).toContain('app.proxy');
    });
  }

  it('installs its accessors on its own app only: another Koa app keeps its own getters', async () => {
    await get((await serve(NGINX)).port, '127.0.0.31', NGINX_REQUEST);
    const plain = new Koa();
    plain.use((ctx) => {
      ctx.body = { ip: ctx.ip, host: ctx.host, info: proxyInfo(ctx.req) ?? null };
    });
    const answer = await send(await listen(plain), '127.0.0.31', NGINX_REQUEST);
    expect(JSON.parse(answer.body)).toEqual({ ip: '127.0.0.31', host: 'app.internal:8080', info: null });
  });

  it('two mounts process once (R13): the first options win', async () => {
    const { port } = await serve(NGINX, (app) => {
      app.use(trustedProxy({ trustedHeaders: ['X-Real-IP'], trustedProxies: 'loopback' }));
    });
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.ip).toBe('203.0.113.7');
    expect(got.info.applied).toContain('x-forwarded-for');
  });
});

describe('trusted-proxy/koa › allowedHosts and redirects', () => {
  it('answers 400 for a host outside the list; later middleware never runs', async () => {
    const { port, ran } = await serve({ ...NGINX, allowedHosts: ['*.example.com'] });
    const ok = await send(port, '127.0.0.31', [
      ['Host', 'internal'],
      ['X-Forwarded-Host', 'a.example.com'],
    ]);
    expect(ok.status).toBe(200);
    const refused = await send(port, '127.0.0.31', [
      ['Host', 'internal'],
      ['X-Forwarded-Host', 'evil.example'],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body).toBe('Host not allowed: "evil.example"');
    expect(ran()).toBe(1);
  });

  it('rewriteLocation rewrites a ctx.redirect to the internal origin (R14)', async () => {
    const app = new Koa();
    app.use(trustedProxy({ ...NGINX, rewriteLocation: true }));
    app.use((ctx) => ctx.redirect(`http://${ctx.req.headers['x-test-internal']}/landed`));
    const port = await listen(app);
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.31' });
    socket.end(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Test-Internal: 127.0.0.1:${port}\r\n` +
        'X-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\nConnection: close\r\n\r\n',
    );
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    expect(text).toMatch(/^HTTP\/1\.1 302 /);
    expect(text).toMatch(/\r\nlocation: https:\/\/shop\.example\/landed\r\n/i);
  });
});
