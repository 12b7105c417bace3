/**
 * trusted-proxy/hono on real Hono over real HTTP (@hono/node-server): the middleware,
 * clientAddress with ipRestriction, wrapFetch for host-based routing, allowedHosts, Location
 * rewriting, getPeer, bodies, and h2c (where the URL's scheme is the client's claim).
 */
import http from 'node:http';
import http2 from 'node:http2';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { ipRestriction } from 'hono/ip-restriction';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  clientAddress,
  type TrustedProxyEnv,
  transportFromEnv,
  trustedProxy,
  wrapFetch,
} from '../../src/adapters/hono.js';
import { type ProxyInfo, proxyInfo, reconstructUrl, TrustedProxyConfigError } from '../../src/index.js';

const OPTIONS = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
  trustedProxies: '127.0.0.31',
};
const FORWARDED = {
  'X-Forwarded-For': '203.0.113.7',
  'X-Forwarded-Host': 'shop.example',
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Prefix': '/store',
};

const servers: ServerType[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((done) => s.close(done)))));

async function listen(fetch: Parameters<typeof serve>[0]['fetch'], h2c = false) {
  const server = await new Promise<ServerType>((done) => {
    const s: ServerType = serve(
      { fetch, port: 0, hostname: '127.0.0.1', ...(h2c ? { createServer: http2.createServer } : {}) },
      () => done(s),
    );
  });
  servers.push(server);
  return (server.address() as { port: number }).port;
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  options: {
    from?: string;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<Got> {
  return new Promise((done, fail) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: options.from ?? '127.0.0.31',
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: { Host: 'internal:8000', ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    req.end(options.body);
  });
}

describe('trusted-proxy/hono › trustedProxy()', () => {
  it('replaces c.req.raw: c.req.url, c.req.header() and c.var.proxyInfo report the public request', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy(OPTIONS));
    app.get('/items/:id', (c) =>
      c.json({
        url: c.req.url,
        id: c.req.param('id'),
        host: c.req.header('host'),
        xff: c.req.header('x-forwarded-for'),
        ip: c.var.proxyInfo.remoteAddress,
        full: reconstructUrl(c.req.raw),
        same: proxyInfo(c.req.raw) === c.get('proxyInfo'),
        sameAfterClone: proxyInfo(c.req.raw.clone()) === c.var.proxyInfo,
      }),
    );
    const port = await listen(app.fetch);
    const got = await request(port, {
      path: '/items/42?x=1',
      headers: { ...FORWARDED, 'X-Forwarded-For': '6.6.6.6, 203.0.113.7', 'X-Real-IP': '6.6.6.6' },
    });
    expect(JSON.parse(got.body)).toEqual({
      url: 'https://shop.example/items/42?x=1',
      id: '42',
      host: 'shop.example',
      xff: '203.0.113.7',
      ip: '203.0.113.7',
      full: 'https://shop.example/store/items/42?x=1',
      same: true,
      sameAfterClone: true,
    });
  });

  it('an untrusted peer: the socket address, every forwarding header gone', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy(OPTIONS));
    app.get('*', (c) =>
      c.json({ url: c.req.url, ip: clientAddress(c), forwarded: c.req.header('x-forwarded-host') ?? null }),
    );
    const port = await listen(app.fetch);
    const got = JSON.parse((await request(port, { from: '127.0.0.50', headers: FORWARDED })).body);
    expect(got).toEqual({ url: 'http://internal:8000/', ip: '127.0.0.50', forwarded: null });
  });

  it('carries a POST body through the replaced request', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy(OPTIONS));
    app.post('/echo', async (c) => c.json({ body: await c.req.json(), url: c.req.url }));
    const port = await listen(app.fetch);
    const got = await request(port, {
      path: '/echo',
      method: 'POST',
      headers: { ...FORWARDED, 'Content-Type': 'application/json' },
      body: JSON.stringify({ a: [1, 2] }),
    });
    expect(JSON.parse(got.body)).toEqual({ body: { a: [1, 2] }, url: 'https://shop.example/echo' });
  });

  it('allowedHosts: answers 400 itself and the handler never runs', async () => {
    let ran = 0;
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy({ ...OPTIONS, allowedHosts: ['*.example.com'] }));
    app.get('*', (c) => {
      ran++;
      return c.text('ok');
    });
    const port = await listen(app.fetch);
    const refused = await request(port, { headers: { 'X-Forwarded-Host': 'evil.example' } });
    expect(refused.status).toBe(400);
    expect(ran).toBe(0);
    const served = await request(port, { headers: { 'X-Forwarded-Host': 'a.example.com' } });
    expect(served.status).toBe(200);
    expect(ran).toBe(1);
  });

  it('clientAddress works as ipRestriction getIP', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy(OPTIONS), ipRestriction(clientAddress, { allowList: ['203.0.113.0/24'] }));
    app.get('*', (c) => c.text('welcome'));
    const port = await listen(app.fetch);
    const allowed = await request(port, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect([allowed.status, allowed.body]).toEqual([200, 'welcome']);
    // The proxy itself (127.0.0.31) is not in the list, and a client's forged header is not believed.
    expect((await request(port, { headers: { 'X-Forwarded-For': '198.51.100.1' } })).status).toBe(403);
    expect(
      (await request(port, { from: '127.0.0.50', headers: { 'X-Forwarded-For': '203.0.113.9' } })).status,
    ).toBe(403);
  });

  it('clientAddress is empty (refused by ipRestriction) on a request the middleware never saw', async () => {
    const app = new Hono();
    app.use(ipRestriction(clientAddress, { denyList: ['10.0.0.0/8'] }));
    app.get('*', (c) => c.text('never'));
    const port = await listen(app.fetch);
    expect((await request(port)).status).toBe(403);
  });

  it('rewriteLocation puts the prefix in front of a root-relative redirect (R14)', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy({ ...OPTIONS, rewriteLocation: true }));
    app.get('/old', (c) => c.redirect('/login?next=%2F'));
    app.get('/away', (c) => c.redirect('https://elsewhere.example/x'));
    const port = await listen(app.fetch);
    expect((await request(port, { path: '/old', headers: FORWARDED })).headers.location).toBe(
      '/store/login?next=%2F',
    );
    expect((await request(port, { path: '/away', headers: FORWARDED })).headers.location).toBe(
      'https://elsewhere.example/x',
    );
  });

  it('getPeer replaces the binding; a getPeer that throws trusts nothing', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy({ ...OPTIONS, getPeer: () => ({ peer: '127.0.0.31', tls: true }) }));
    app.get('*', (c) => c.json(c.var.proxyInfo));
    const port = await listen(app.fetch);
    const info = JSON.parse(
      (await request(port, { from: '127.0.0.50', headers: { 'X-Forwarded-For': '203.0.113.1' } })).body,
    ) as ProxyInfo;
    expect([info.peerAddress, info.remoteAddress, info.original.protocol]).toEqual([
      '127.0.0.31',
      '203.0.113.1',
      'https',
    ]);

    const broken = new Hono<TrustedProxyEnv>();
    broken.use(
      trustedProxy({
        ...OPTIONS,
        getPeer: () => {
          throw new Error('no binding');
        },
      }),
    );
    broken.get('*', (c) => c.json(c.var.proxyInfo));
    const brokenPort = await listen(broken.fetch);
    const untrusted = JSON.parse((await request(brokenPort, { headers: FORWARDED })).body) as ProxyInfo;
    expect([untrusted.trusted, untrusted.remoteAddress]).toEqual([false, undefined]);
  });

  it('config mistakes throw TrustedProxyConfigError naming the value', () => {
    expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' })).toThrow(
      /X-Forwarded-Fro/,
    );
    expect(() => trustedProxy({ ...OPTIONS, getPeer: 'socket' as never })).toThrow(TrustedProxyConfigError);
    expect(() => wrapFetch(new Hono().fetch, { ...OPTIONS, trustedProxies: '10.0.0.0/0' })).toThrow(
      TrustedProxyConfigError,
    );
  });

  it('types: c.var.proxyInfo is a ProxyInfo', () => {
    const app = new Hono<TrustedProxyEnv>();
    app.get('/', (c) => {
      expectTypeOf(c.var.proxyInfo).toEqualTypeOf<ProxyInfo>();
      return c.text('');
    });
    expectTypeOf(clientAddress).returns.toBeString();
  });
});

describe('trusted-proxy/hono › wrapFetch()', () => {
  /** Routes on host + path, as Hono's docs show for host-based routing. */
  function hostRoutedApp(middleware = false) {
    const app = new Hono<TrustedProxyEnv>({
      getPath: (req) => `/${new URL(req.url).host}${new URL(req.url).pathname}`,
    });
    if (middleware) app.use(trustedProxy(OPTIONS));
    app.get('/shop.example/*', (c) => c.text(`shop ${c.req.url}`));
    app.get('*', (c) => c.text(`fallback ${c.req.url}`, 404));
    return app;
  }

  it('the router sees the public host', async () => {
    const port = await listen(wrapFetch(hostRoutedApp().fetch, OPTIONS));
    const got = await request(port, { path: '/a', headers: FORWARDED });
    expect([got.status, got.body]).toEqual([200, 'shop https://shop.example/a']);
  });

  it('without it, routing already happened on the internal host (why wrapFetch exists)', async () => {
    const port = await listen(hostRoutedApp(true).fetch);
    const got = await request(port, { path: '/a', headers: FORWARDED });
    // The middleware ran (c.req.url is public) but the route was chosen for internal:8000.
    expect([got.status, got.body]).toEqual([404, 'fallback https://shop.example/a']);
  });

  it('answers 400 for a host outside allowedHosts before the router', async () => {
    const port = await listen(
      wrapFetch(hostRoutedApp().fetch, { ...OPTIONS, allowedHosts: ['shop.example'] }),
    );
    expect((await request(port, { headers: { 'X-Forwarded-Host': 'evil.example' } })).status).toBe(400);
    expect((await request(port, { path: '/b', headers: FORWARDED })).status).toBe(200);
  });

  it('the middleware after wrapFetch finds the request resolved (R13)', async () => {
    const app = new Hono<TrustedProxyEnv>();
    // Different options: a second resolution would not trust anything.
    app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '192.0.2.1' }));
    app.get('*', (c) => c.json({ ip: c.var.proxyInfo.remoteAddress, url: c.req.url }));
    const port = await listen(wrapFetch(app.fetch, OPTIONS));
    expect(JSON.parse((await request(port, { headers: FORWARDED })).body)).toEqual({
      ip: '203.0.113.7',
      url: 'https://shop.example/',
    });
  });
});

describe('trusted-proxy/hono › over h2c', () => {
  it("a plain-text client's :scheme https is not believed; the socket says http", async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy(OPTIONS));
    app.get('*', (c) => c.json({ url: c.req.url, protocol: c.var.proxyInfo.protocol }));
    const port = await listen(app.fetch, true);
    const session = http2.connect(`http://127.0.0.1:${port}`, { localAddress: '127.0.0.50' } as never);
    const body = await new Promise<string>((done, fail) => {
      const stream = session.request({ ':path': '/h2', ':scheme': 'https', ':authority': 'shop.example' });
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        text += chunk;
      });
      stream.on('end', () => done(text));
      stream.on('error', fail);
      stream.end();
    });
    session.close();
    expect(JSON.parse(body)).toEqual({ url: 'http://shop.example/h2', protocol: 'http' });
  });
});

describe('trusted-proxy/hono › transportFromEnv() (the default getPeer)', () => {
  const request = new Request('http://a.example/');

  it('@hono/node-server: the socket, its TLS and local address, and the raw lines', () => {
    const socket = { remoteAddress: '10.0.0.5', encrypted: true, localAddress: '10.0.0.1', localPort: 8443 };
    const rawHeaders = ['Host', 'a.example'];
    expect(transportFromEnv({ incoming: { socket, rawHeaders } }, request)).toEqual({
      peer: '10.0.0.5',
      tls: true,
      localAddress: '10.0.0.1',
      localPort: 8443,
      rawHeaders,
    });
    expect(transportFromEnv({ server: { incoming: { socket, rawHeaders } } }, request).peer).toBe('10.0.0.5');
  });

  it('Bun: server.requestIP(request), null for a UNIX socket', () => {
    expect(
      transportFromEnv({ requestIP: (r: Request) => (r === request ? { address: '::1' } : null) }, request),
    ).toEqual({
      peer: '::1',
    });
    expect(transportFromEnv({ requestIP: () => null }, request)).toEqual({ peer: undefined });
  });

  it('Deno: info.remoteAddr for TCP; a UnixAddr has no peer', () => {
    expect(
      transportFromEnv({ remoteAddr: { transport: 'tcp', hostname: '127.0.0.9', port: 1 } }, request),
    ).toEqual({
      peer: '127.0.0.9',
    });
    expect(transportFromEnv({ remoteAddr: { transport: 'unix', path: '/tmp/s' } }, request)).toEqual({
      peer: undefined,
    });
  });

  it('anything else, or a binding that throws, has no peer', () => {
    expect(transportFromEnv(undefined, request)).toEqual({ peer: undefined });
    expect(transportFromEnv({ MY_SECRET: 'x' }, request)).toEqual({ peer: undefined });
    const throwing = {
      requestIP() {
        throw new Error('closed');
      },
    };
    expect(transportFromEnv(throwing, request)).toEqual({ peer: undefined });
  });
});
