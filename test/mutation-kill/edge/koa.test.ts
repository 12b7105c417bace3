/**
 * trusted-proxy/koa on real Koa servers: what test/adapters/koa.test.ts does not reach. A Koa app
 * on a UNIX socket (no peer address: `ctx.ip` is '' as in Koa, `ctx.ips` every forwarded
 * address), a middleware mounted before trustedProxy reading the accessors on a later request,
 * redirects left alone without `rewriteLocation`, and the 400 a refused host gets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { trustedProxy } from '../../../src/adapters/koa.js';
import { ERROR_CODES, proxyInfo, type TrustedProxyOptions } from '../../../src/index.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function listen(app: Koa, path?: string): Promise<number | string> {
  const server = http.createServer(app.callback());
  cleanup.push(() => new Promise<void>((done) => server.close(() => done())));
  if (path !== undefined) {
    await new Promise<void>((done) => server.listen(path, done));
    return path;
  }
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as net.AddressInfo).port;
}

/** One request over a raw socket (from 127.0.0.1 or a UNIX path); the whole answer as text. */
async function request(where: number | string, lines: string[], path = '/'): Promise<string> {
  const socket =
    typeof where === 'string'
      ? net.connect({ path: where })
      : net.connect({ host: '127.0.0.1', port: where });
  socket.end(`GET ${path} HTTP/1.1\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

function body(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

function unixPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-koa-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 's.sock');
}

describe('trusted-proxy/koa › on a UNIX socket (no peer address)', () => {
  it("trusted 'unix': ctx.ip is the client and ctx.ips every forwarded address, client first", async () => {
    const app = new Koa();
    app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'unix' }));
    app.use((ctx) => {
      ctx.body = { ip: ctx.ip, ips: ctx.ips, peer: proxyInfo(ctx.req)?.peerAddress ?? null };
    });
    const where = await listen(app, unixPath());
    const answer = await request(where, ['Host: app.internal', 'X-Forwarded-For: 198.51.100.4, 203.0.113.7']);
    expect(body(answer)).toEqual({ ip: '203.0.113.7', ips: ['203.0.113.7'], peer: null });
    const all = await request(where, ['Host: app.internal', 'X-Forwarded-For: 203.0.113.7'], '/');
    expect(body(all)).toEqual({ ip: '203.0.113.7', ips: ['203.0.113.7'], peer: null });
  });

  it('ctx.ips is a copy: changing it leaves ProxyInfo and the next read alone', async () => {
    const app = new Koa();
    app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'unix' }));
    app.use((ctx) => {
      ctx.ips.push('192.0.2.99');
      ctx.ips.length = 0;
      ctx.body = { ips: ctx.ips, addresses: proxyInfo(ctx.req)?.addresses };
    });
    const answer = await request(await listen(app, unixPath()), [
      'Host: app.internal',
      'X-Forwarded-For: 203.0.113.7',
    ]);
    expect(body(answer)).toEqual({ ips: ['203.0.113.7'], addresses: ['203.0.113.7'] });
  });

  it("untrusted: ctx.ip is '' (as Koa's own getter) and ctx.ips []", async () => {
    const app = new Koa();
    app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' }));
    app.use((ctx) => {
      ctx.body = { ip: ctx.ip, ips: ctx.ips, info: proxyInfo(ctx.req)?.remoteAddress ?? null };
    });
    const where = await listen(app, unixPath());
    const answer = await request(where, ['Host: app.internal', 'X-Forwarded-For: 203.0.113.7']);
    expect(body(answer)).toEqual({ ip: '', ips: [], info: null });
  });
});

describe('trusted-proxy/koa › a middleware mounted before it', () => {
  it('reads resolved values once the accessors are installed (the request is processed on first read)', async () => {
    const app = new Koa();
    const early: unknown[] = [];
    app.use((ctx, next) => {
      early.push({
        ip: ctx.ip,
        host: ctx.host,
        protocol: ctx.protocol,
        secure: ctx.secure,
        hostname: ctx.hostname,
      });
      return next();
    });
    app.use(
      trustedProxy({
        trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
        trustedProxies: 'loopback',
      }),
    );
    app.use((ctx) => {
      ctx.body = { ip: ctx.ip, sameInfo: proxyInfo(ctx.req)?.remoteAddress };
    });
    const port = await listen(app);
    const lines = [
      'Host: app.internal',
      'X-Forwarded-For: 203.0.113.7',
      'X-Forwarded-Host: shop.example',
      'X-Forwarded-Proto: https',
    ];
    await request(port, lines);
    const second = await request(port, lines);
    expect(body(second)).toEqual({ ip: '203.0.113.7', sameInfo: '203.0.113.7' });
    // The first request ran before anything was installed: Koa's own getters (app.proxy is off).
    expect(early[0]).toEqual({
      ip: '127.0.0.1',
      host: 'app.internal',
      protocol: 'http',
      secure: false,
      hostname: 'app.internal',
    });
    expect(early[1]).toEqual({
      ip: '203.0.113.7',
      host: 'shop.example',
      protocol: 'https',
      secure: true,
      hostname: 'shop.example',
    });
  });
});

describe("trusted-proxy/koa › beside Koa's own proxy trust", () => {
  it('the error says what to do and names app.proxy', async () => {
    const app = new Koa({ proxy: true });
    app.silent = true;
    const errors: Error[] = [];
    app.on('error', (err) => errors.push(err));
    app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' }));
    app.use((ctx) => {
      ctx.body = 'ran';
    });
    const answer = await request(await listen(app), ['Host: app.internal', 'X-Forwarded-For: 203.0.113.7']);
    expect(answer).toMatch(/^HTTP\/1\.1 500 /);
    expect(errors.map((e) => [e.name, e.message])).toEqual([
      [
        'TrustedProxyConfigError',
        'Koa\'s own proxy trust is on: set app.proxy = false, this middleware replaces it: "app.proxy"',
      ],
    ]);
  });
});

describe('trusted-proxy/koa › two mounts (R13)', () => {
  it('the first options win for a middleware mounted before both, on every later request', async () => {
    const app = new Koa();
    const early: string[] = [];
    app.use((ctx, next) => {
      early.push(ctx.ip);
      return next();
    });
    app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' }));
    app.use(trustedProxy({ trustedHeaders: ['X-Real-IP'], trustedProxies: 'loopback' }));
    app.use((ctx) => {
      ctx.body = { ip: ctx.ip };
    });
    const port = await listen(app);
    const lines = ['Host: app.internal', 'X-Forwarded-For: 203.0.113.7', 'X-Real-IP: 198.51.100.9'];
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(body(await request(port, lines)));
    expect(answers).toEqual([{ ip: '203.0.113.7' }, { ip: '203.0.113.7' }, { ip: '203.0.113.7' }]);
    // The first request ran before anything was installed (Koa's own getter, app.proxy off).
    expect(early).toEqual(['127.0.0.1', '203.0.113.7', '203.0.113.7']);
  });
});

describe('trusted-proxy/koa › redirects and refusals', () => {
  const OPTIONS: TrustedProxyOptions = {
    trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto'],
    trustedProxies: 'loopback',
  };

  it('without rewriteLocation a redirect to the internal origin is left as the app wrote it', async () => {
    const app = new Koa();
    app.use(trustedProxy(OPTIONS));
    let port = 0;
    app.use((ctx) => ctx.redirect(`http://127.0.0.1:${port}/landed`));
    port = (await listen(app)) as number;
    const answer = await request(port, [
      `Host: 127.0.0.1:${port}`,
      'X-Forwarded-Proto: https',
      'X-Forwarded-Host: shop.example',
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 302 /);
    expect(answer).toContain(`\r\nLocation: http://127.0.0.1:${port}/landed\r\n`);
  });

  it('a refused host: 400, the error carries ERR_HOST_NOT_ALLOWED and the hostname', async () => {
    const app = new Koa();
    app.silent = true;
    const errors: Array<Error & { code?: string; hostname?: string; status?: number }> = [];
    app.on('error', (err) => errors.push(err));
    app.use(trustedProxy({ ...OPTIONS, allowedHosts: ['shop.example'] }));
    app.use((ctx) => {
      ctx.body = 'ran';
    });
    const port = await listen(app);
    const answer = await request(port, ['Host: app.internal', 'X-Forwarded-Host: evil.example']);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.endsWith('\r\n\r\nHost not allowed: "evil.example"')).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      status: 400,
      code: ERROR_CODES.HOST_NOT_ALLOWED,
      hostname: 'evil.example',
    });
    const ok = await request(port, ['Host: app.internal', 'X-Forwarded-Host: shop.example']);
    expect(ok).toMatch(/^HTTP\/1\.1 200 /);
    expect(errors).toHaveLength(1);
  });
});
