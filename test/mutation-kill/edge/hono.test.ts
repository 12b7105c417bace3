/**
 * trusted-proxy/hono through real Hono apps (`app.fetch`, the fetch edge R18): what
 * test/adapters/hono.test.ts does not reach. The exact 400 both entry points answer, Location
 * rewriting on a Response with immutable headers and its absence without `rewriteLocation`,
 * every shape a `getPeer` may return (string, transport, null, a throw) for the middleware and
 * for wrapFetch, what wrapFetch hands on, clientAddress without the middleware, and the
 * bindings transportFromEnv must not mistake for a socket.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  type TrustedProxyEnv,
  transportFromEnv,
  trustedProxy,
  wrapFetch,
} from '../../../src/adapters/hono.js';
import { type ProxyInfo, TrustedProxyConfigError } from '../../../src/index.js';

const OPTIONS = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
  trustedProxies: '10.0.0.0/8',
};
const FORWARDED = {
  'X-Forwarded-For': '203.0.113.7',
  'X-Forwarded-Host': 'shop.example',
  'X-Forwarded-Proto': 'https',
};

function get(path = '/', headers: Record<string, string> = FORWARDED): Request {
  return new Request(`http://internal:8000${path}`, { headers: { host: 'internal:8000', ...headers } });
}

/** A @hono/node-server-style binding for a peer (what serve() passes as `env`). */
function nodeEnv(peer: string | undefined) {
  return {
    incoming: { socket: { remoteAddress: peer, localAddress: '10.0.0.1', localPort: 8000 }, rawHeaders: [] },
  };
}

function infoApp(options: Parameters<typeof trustedProxy>[0]) {
  const app = new Hono<TrustedProxyEnv>();
  app.use(trustedProxy(options));
  app.get('*', (c) => c.json({ info: c.var.proxyInfo, url: c.req.url, ip: clientAddress(c) }));
  return app;
}

async function infoOf(
  response: Response | Promise<Response>,
): Promise<{ info: ProxyInfo; url: string; ip: string }> {
  const r = await response;
  expect(r.status).toBe(200);
  return (await r.json()) as { info: ProxyInfo; url: string; ip: string };
}

describe('trusted-proxy/hono › the 400 for a host outside allowedHosts', () => {
  const options = { ...OPTIONS, allowedHosts: ['shop.example'] };
  const refused = { ...FORWARDED, 'X-Forwarded-Host': 'evil.example' };

  it('the middleware: status 400, text/plain, "Bad Request: host not allowed"', async () => {
    let ran = 0;
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy(options));
    app.get('*', (c) => {
      ran++;
      return c.text('ran');
    });
    const r = await app.fetch(get('/', refused), nodeEnv('10.0.0.2'));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await r.text()).toBe('Bad Request: host not allowed\n');
    expect(ran).toBe(0);
    expect(await (await app.fetch(get('/'), nodeEnv('10.0.0.2'))).text()).toBe('ran');
  });

  it('wrapFetch: the same answer, and the app never sees the request', async () => {
    let ran = 0;
    const fetch = wrapFetch((_request: Request, _env: unknown) => {
      ran++;
      return new Response('ran');
    }, options);
    const r = await fetch(get('/', refused), nodeEnv('10.0.0.2'));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await r.text()).toBe('Bad Request: host not allowed\n');
    expect(ran).toBe(0);
  });
});

describe('trusted-proxy/hono › Location (R14)', () => {
  function redirectApp(rewriteLocation: boolean | undefined, respond: (url: string) => Response) {
    const app = new Hono<TrustedProxyEnv>();
    app.use(trustedProxy({ ...OPTIONS, ...(rewriteLocation === undefined ? {} : { rewriteLocation }) }));
    app.get('/r', () => respond('http://internal:8000/landed'));
    app.get('/none', (c) => c.text('no redirect'));
    app.get('/far', () => respond('https://elsewhere.example/x'));
    return app;
  }

  // Regression: Hono's `c.res` setter copied the old response's headers over the copy, so the
  // internal Location of a Response.redirect() or a fetch() response survived rewriteLocation.
  it('a Response.redirect (immutable headers) is copied with the public Location, status kept', async () => {
    const app = redirectApp(true, (url) => Response.redirect(url, 307));
    const r = await app.fetch(get('/r'), nodeEnv('10.0.0.2'));
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe('https://shop.example/landed');
  });

  it('a Response with mutable headers gets the public Location too', async () => {
    const app = redirectApp(true, (url) => new Response(null, { status: 302, headers: { location: url } }));
    const r = await app.fetch(get('/r'), nodeEnv('10.0.0.2'));
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('https://shop.example/landed');
  });

  it('elsewhere and no Location at all: the response is the app’s, unchanged', async () => {
    const app = redirectApp(true, (url) => Response.redirect(url, 302));
    const far = await app.fetch(get('/far'), nodeEnv('10.0.0.2'));
    expect(far.headers.get('location')).toBe('https://elsewhere.example/x');
    const none = await app.fetch(get('/none'), nodeEnv('10.0.0.2'));
    expect([none.status, none.headers.get('location'), await none.text()]).toEqual([
      200,
      null,
      'no redirect',
    ]);
  });

  it.each([undefined, false])('rewriteLocation %s: the internal Location stays', async (rewriteLocation) => {
    const app = redirectApp(
      rewriteLocation,
      (url) => new Response(null, { status: 302, headers: { location: url } }),
    );
    const r = await app.fetch(get('/r'), nodeEnv('10.0.0.2'));
    expect(r.headers.get('location')).toBe('http://internal:8000/landed');
  });
});

describe('trusted-proxy/hono › getPeer', () => {
  it('a string is the peer address', async () => {
    const got = await infoOf(infoApp({ ...OPTIONS, getPeer: () => '10.0.0.2' }).fetch(get()));
    expect([got.info.peerAddress, got.info.remoteAddress, got.url, got.ip]).toEqual([
      '10.0.0.2',
      '203.0.113.7',
      'https://shop.example/',
      '203.0.113.7',
    ]);
  });

  it('a transport object is used whole (tls, local address)', async () => {
    const got = await infoOf(
      infoApp({ ...OPTIONS, getPeer: () => ({ peer: '192.0.2.1', tls: true }) }).fetch(get()),
    );
    expect([got.info.trusted, got.info.remoteAddress, got.info.protocol]).toEqual([
      false,
      '192.0.2.1',
      'https',
    ]);
  });

  it.each([
    ['null', () => null as never],
    ['undefined', () => undefined],
    [
      'a throw',
      () => {
        throw new Error('no binding');
      },
    ],
  ])('%s: no peer, nothing trusted, never an exception', async (_, getPeer) => {
    const got = await infoOf(infoApp({ ...OPTIONS, getPeer }).fetch(get(), nodeEnv('10.0.0.2')));
    expect([got.info.trusted, got.info.peerAddress ?? null, got.ip]).toEqual([false, null, '']);
  });

  it('getPeer is called with the Hono context', async () => {
    let seen: unknown;
    const app = infoApp({
      ...OPTIONS,
      getPeer: (c) => {
        seen = c.req.header('x-peer');
        return c.req.header('x-peer');
      },
    });
    const got = await infoOf(app.fetch(get('/', { ...FORWARDED, 'X-Peer': '10.9.9.9' })));
    expect(seen).toBe('10.9.9.9');
    expect(got.info.peerAddress).toBe('10.9.9.9');
  });
});

describe('trusted-proxy/hono › configuration', () => {
  it('no options at all: TrustedProxyConfigError (trustedHeaders is required), not a TypeError from destructuring', () => {
    expect(() => trustedProxy(undefined as never)).toThrow(TrustedProxyConfigError);
    expect(() => trustedProxy(undefined as never)).toThrow(/trustedHeaders is required/);
  });

  it('getPeer that is not a function: the middleware and wrapFetch both refuse it by name', () => {
    expect(() => trustedProxy({ ...OPTIONS, getPeer: 5 as never })).toThrow(
      'getPeer must be a function: "5"',
    );
    expect(() => wrapFetch(() => new Response(''), OPTIONS, 'x' as never)).toThrow(
      'getPeer must be a function: "x"',
    );
    expect(() => wrapFetch(() => new Response(''), OPTIONS, 'x' as never)).toThrow(TrustedProxyConfigError);
  });

  it('wrapFetch without a fetch function: a TypeError saying so', () => {
    expect(() => wrapFetch('app' as never, OPTIONS)).toThrow(
      new TypeError('wrapFetch(fetch, options, getPeer): fetch must be a function'),
    );
  });
});

describe('trusted-proxy/hono › wrapFetch hands on', () => {
  it('the resolved request and every runtime argument; getPeer gets the request and those arguments', async () => {
    const calls: unknown[][] = [];
    const env = { tag: 'env' };
    const ctx = { tag: 'ctx' };
    const fetch = wrapFetch(
      (request: Request, e: typeof env, c: typeof ctx) => {
        calls.push([request.url, request.headers.get('host'), e, c]);
        return new Response('ok');
      },
      OPTIONS,
      (request, e, c) => {
        calls.push(['peer', request.headers.get('x-forwarded-for'), e, c]);
        return '10.0.0.2';
      },
    );
    expect(await (await fetch(get('/p?q=1'), env, ctx)).text()).toBe('ok');
    expect(calls).toEqual([
      ['peer', '203.0.113.7', env, ctx],
      ['https://shop.example/p?q=1', 'shop.example', env, ctx],
    ]);
  });

  it('a getPeer that throws trusts nothing; a transport object from getPeer is used whole', async () => {
    const seen: string[] = [];
    const app = (request: Request) => {
      seen.push(request.url);
      return new Response('ok');
    };
    const throwing = wrapFetch(app, OPTIONS, () => {
      throw new Error('gone');
    });
    await throwing(get('/a'));
    const none = wrapFetch(app, OPTIONS, () => null as never);
    await none(get('/n'));
    const transport = wrapFetch(app, OPTIONS, () => ({ peer: '10.0.0.2', tls: true }));
    await transport(get('/b', { 'X-Forwarded-For': '203.0.113.7' }));
    expect(seen).toEqual(['http://internal:8000/a', 'http://internal:8000/n', 'https://internal:8000/b']);
  });

  it('without getPeer the peer is read from the first runtime argument (the binding)', async () => {
    const app = new Hono<TrustedProxyEnv>();
    app.get('*', (c) => c.json({ ip: clientAddress(c), url: c.req.url }));
    const fetch = wrapFetch(app.fetch, OPTIONS);
    expect(await (await fetch(get('/w'), nodeEnv('10.0.0.2'))).json()).toEqual({
      ip: '203.0.113.7',
      url: 'https://shop.example/w',
    });
    expect(await (await fetch(get('/w'), nodeEnv('192.0.2.1'))).json()).toEqual({
      ip: '192.0.2.1',
      url: 'http://internal:8000/w',
    });
  });
});

describe('trusted-proxy/hono › transportFromEnv: what is not a socket', () => {
  const request = new Request('http://a.example/');

  it('incoming with a null or missing socket: falls through to the other runtimes', () => {
    expect(transportFromEnv({ incoming: { socket: null } }, request)).toEqual({ peer: undefined });
    expect(transportFromEnv({ incoming: {} }, request)).toEqual({ peer: undefined });
    expect(
      transportFromEnv(
        { incoming: { socket: null }, remoteAddr: { transport: 'tcp', hostname: '10.0.0.3' } },
        request,
      ),
    ).toEqual({ peer: '10.0.0.3' });
  });

  it('tls only for encrypted === true; a socket without addresses is still a socket', () => {
    expect(transportFromEnv({ incoming: { socket: { encrypted: 1 } } }, request)).toEqual({
      peer: undefined,
      tls: false,
      localAddress: undefined,
      localPort: undefined,
      rawHeaders: undefined,
    });
  });

  it('requestIP that returns undefined, or is no function; remoteAddr without transport', () => {
    expect(transportFromEnv({ requestIP: () => undefined }, request)).toEqual({ peer: undefined });
    expect(transportFromEnv({ requestIP: '::1', remoteAddr: { hostname: '10.0.0.3' } }, request)).toEqual({
      peer: undefined,
    });
    expect(transportFromEnv(null, request)).toEqual({ peer: undefined });
  });
});
