/**
 * trusted-proxy/fastify (R19) on a real Fastify 5 server over real sockets: Fastify's own
 * accessors report ProxyInfo, request.raw has R11–R13 applied, Fastify's trustProxy is refused.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import trustedProxy, { fastifyTrustedProxy } from '../../src/adapters/fastify.js';
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

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

interface Seen {
  ip: string;
  ips: string[];
  host: string;
  hostname: string;
  port: number;
  protocol: string;
  info: ProxyInfo;
  headers: Record<string, string>;
  rawHeaders: string[];
}

async function serve(
  options: TrustedProxyOptions,
  setup?: (app: FastifyInstance) => void | Promise<void>,
  server: FastifyServerOptions = {},
): Promise<{ app: FastifyInstance; port: number; ran: () => number }> {
  const app = Fastify(server);
  apps.push(app);
  let runs = 0;
  await app.register(trustedProxy, options);
  await setup?.(app);
  app.get('/*', async (request): Promise<Seen> => {
    runs++;
    return {
      ip: request.ip,
      ips: request.ips!,
      host: request.host,
      hostname: request.hostname,
      port: request.port!,
      protocol: request.protocol,
      info: request.proxyInfo,
      headers: request.raw.headers as Record<string, string>,
      rawHeaders: request.raw.rawHeaders,
    };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address ? address.port : 0, ran: () => runs };
}

function send(port: number, from: string, headers: Array<[string, string]>) {
  return sendRaw({ from, headers } as Scenario, port);
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
  ['X-Forwarded-Host', 'shop.example'],
  ['X-Forwarded-Port', '8443'],
  ['X-Real-IP', '7.7.7.7'],
  ['Forwarded', 'for=9.9.9.9'],
];

describe('trusted-proxy/fastify › behind a trusted proxy', () => {
  it("Fastify's accessors report ProxyInfo: ip, ips, host, hostname, port, protocol", async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.info).toMatchObject({
      trusted: true,
      remoteAddress: '203.0.113.7',
      addresses: ['203.0.113.7', '127.0.0.31'],
      protocol: 'https',
      host: 'shop.example:8443',
    });
    expect(got.ip).toBe(got.info.remoteAddress);
    // Fastify's order (proxy-addr `all`): the socket peer first, the client last.
    expect(got.ips).toEqual(['127.0.0.31', '203.0.113.7']);
    expect(got.host).toBe('shop.example:8443');
    expect(got.hostname).toBe('shop.example');
    expect(got.port).toBe(8443);
    expect(got.protocol).toBe('https');
  });

  it('request.raw has R11–R12 applied: applied headers trimmed, the rest gone, Host rewritten', async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.headers.host).toBe('shop.example:8443');
    expect(got.headers['x-forwarded-for']).toBe('203.0.113.7');
    expect(got.headers['x-real-ip']).toBeUndefined();
    expect(got.headers.forwarded).toBeUndefined();
    const names = got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names).not.toContain('x-real-ip');
    expect(names).not.toContain('forwarded');
    expect(got.rawHeaders[got.rawHeaders.findIndex((n) => n.toLowerCase() === 'host') + 1]).toBe(
      'shop.example:8443',
    );
    expect(got.info.original.headers['x-real-ip']).toBe('7.7.7.7');
  });

  it('the default port of the public scheme is a number, not null', async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.31', [
      ['Host', 'app.internal:8080'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', 'shop.example'],
    ]);
    expect(got.host).toBe('shop.example');
    expect(got.port).toBe(443);
  });
});

describe('trusted-proxy/fastify › an untrusted peer', () => {
  it('gets every forwarding header stripped from request.raw and the socket values in the accessors', async () => {
    const { port } = await serve(NGINX);
    const got = await get(port, '127.0.0.50', NGINX_REQUEST);
    expect(got.info.trusted).toBe(false);
    expect(got.ip).toBe('127.0.0.50');
    expect(got.ips).toEqual(['127.0.0.50']);
    expect(got.host).toBe('app.internal:8080');
    expect(got.hostname).toBe('app.internal');
    expect(got.port).toBe(8080);
    expect(got.protocol).toBe('http');
    const forwarding = Object.keys(got.headers).filter((k) => k.startsWith('x-') || k === 'forwarded');
    expect(forwarding).toEqual([]);
    const raw = got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(raw).toEqual(['host', 'connection']);
  });
});

describe('trusted-proxy/fastify › configuration', () => {
  it('a bad option rejects registration with TrustedProxyConfigError', async () => {
    const app = Fastify();
    apps.push(app);
    await expect(
      app.register(trustedProxy, { trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' }),
    ).rejects.toThrow(TrustedProxyConfigError);
  });

  for (const trustProxy of [true, '127.0.0.1', 1] as const) {
    it(`refuses to run beside Fastify's own trustProxy: ${JSON.stringify(trustProxy)}`, async () => {
      const app = Fastify({ trustProxy } as FastifyServerOptions);
      apps.push(app);
      const error = await app.register(trustedProxy, NGINX).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(TrustedProxyConfigError);
      expect((error as Error).message).toContain('trustProxy');
    });
  }

  it('is also exported by name (for CommonJS) and skips encapsulation like fastify-plugin', () => {
    expect(fastifyTrustedProxy).toBe(trustedProxy);
    expect((trustedProxy as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(true);
  });

  it('covers routes in child contexts registered after it', async () => {
    const { port } = await serve(NGINX, async (app) => {
      await app.register(async (child) => {
        child.get('/child', async (request) => ({ ip: request.ip, host: request.host }));
      });
    });
    const child = await sendRaw(
      {
        from: '127.0.0.31',
        path: '/child',
        headers: [
          ['Host', 'internal'],
          ['X-Forwarded-For', '203.0.113.7'],
        ],
      } as Scenario,
      port,
    );
    expect(JSON.parse(child.body)).toEqual({ ip: '203.0.113.7', host: 'internal' });
  });

  it('two registrations process once (R13): the first options win, no decorator clash', async () => {
    const { port } = await serve(NGINX, async (app) => {
      await app.register(trustedProxy, { trustedHeaders: ['X-Real-IP'], trustedProxies: 'loopback' });
    });
    const got = await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(got.ip).toBe('203.0.113.7');
    expect(got.info.applied).toContain('x-forwarded-for');
  });
});

describe('trusted-proxy/fastify › fastify.inject()', () => {
  it("works on light-my-request's injected requests (their remoteAddress is the peer)", async () => {
    const { app } = await serve(NGINX);
    const fromProxy = await app.inject({
      url: '/x',
      remoteAddress: '127.0.0.31',
      headers: { host: 'internal', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(fromProxy.json()).toMatchObject({ ip: '203.0.113.7', protocol: 'https', host: 'internal' });
    const direct = await app.inject({
      url: '/x',
      remoteAddress: '127.0.0.50',
      headers: { host: 'internal', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(direct.json()).toMatchObject({ ip: '127.0.0.50', protocol: 'http' });
  });
});

describe('trusted-proxy/fastify › allowedHosts', () => {
  it('answers 400 for a host outside the list; the route never runs', async () => {
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
    expect(JSON.parse(refused.body)).toMatchObject({ statusCode: 400, code: 'ERR_HOST_NOT_ALLOWED' });
    expect(ran()).toBe(1);
  });
});

describe('trusted-proxy/fastify › logging and redirects', () => {
  it("Fastify's 'incoming request' log line (written before onRequest hooks) shows the resolved client", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const { port } = await serve(NGINX, undefined, { logger: { level: 'info', stream } });
    await get(port, '127.0.0.31', NGINX_REQUEST);
    const incoming = lines.find((l) => l.msg === 'incoming request') as { req: Record<string, unknown> };
    expect(incoming.req.remoteAddress).toBe('203.0.113.7');
    expect(incoming.req.host).toBe('shop.example:8443');
  });

  it('rewriteLocation rewrites a reply.redirect to the internal origin (R14)', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(trustedProxy, { ...NGINX, rewriteLocation: true });
    app.get('/go', async (_request, reply) => reply.redirect(`http://127.0.0.1:${port}/landed`));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const socket = await import('node:net').then((net) =>
      net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.31' }),
    );
    socket.end(
      `GET /go HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\nConnection: close\r\n\r\n`,
    );
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    expect(text).toMatch(/\r\nlocation: https:\/\/shop\.example\/landed\r\n/i);
  });

  it('proxyInfo(request.raw) is the same object as request.proxyInfo', async () => {
    let same = false;
    const { port } = await serve(NGINX, (app) => {
      app.addHook('preHandler', async (request) => {
        same = proxyInfo(request.raw) === request.proxyInfo;
      });
    });
    await get(port, '127.0.0.31', NGINX_REQUEST);
    expect(same).toBe(true);
  });
});
