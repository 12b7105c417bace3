import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../src/core/types.js';
import { trustedProxy } from '../src/index.js';
import { compileLocationTarget, installLocationRewrite, rewriteLocationValue } from '../src/node/location.js';

const express4 = createRequire(import.meta.url)('express4') as typeof express;

/** A ProxyInfo as the middleware would build it behind a proxy for `https://blog.example.com{prefix}`. */
function proxied(
  original: { host: string | undefined; protocol?: 'http' | 'https' },
  prefix: string,
): ProxyInfo {
  return {
    trusted: true,
    peerAddress: '127.0.0.1',
    remoteAddress: '203.0.113.7',
    addresses: ['203.0.113.7', '127.0.0.1'],
    protocol: 'https',
    secure: true,
    hostname: 'blog.example.com',
    port: 443,
    host: 'blog.example.com',
    serverName: 'blog.example.com',
    prefix,
    applied: ['x-forwarded-host', 'x-forwarded-proto'],
    rejected: [],
    hostAllowed: true,
    original: {
      remoteAddress: '127.0.0.1',
      host: original.host,
      protocol: original.protocol ?? 'http',
      headers: {},
    },
  };
}

describe('rewriteLocationValue() › the internal origin is docker.example.com:8002', () => {
  const withPrefix = compileLocationTarget(proxied({ host: 'docker.example.com:8002' }, '/app'));
  const noPrefix = compileLocationTarget(proxied({ host: 'docker.example.com:8002' }, ''));
  const cases: { name: string; input: string; prefixed: string; plain: string }[] = [
    {
      name: 'rewrites an absolute URL on the internal origin (the article follow-up redirect)',
      input: 'http://docker.example.com:8002/static/',
      prefixed: 'https://blog.example.com/app/static/',
      plain: 'https://blog.example.com/static/',
    },
    {
      name: 'keeps query and fragment',
      input: 'http://docker.example.com:8002/a/b?x=1&y=%2F#top',
      prefixed: 'https://blog.example.com/app/a/b?x=1&y=%2F#top',
      plain: 'https://blog.example.com/a/b?x=1&y=%2F#top',
    },
    {
      name: 'compares scheme and host case-insensitively',
      input: 'HTTP://Docker.Example.COM:8002/x',
      prefixed: 'https://blog.example.com/app/x',
      plain: 'https://blog.example.com/x',
    },
    {
      name: 'rewrites a protocol-relative URL on the internal origin',
      input: '//docker.example.com:8002/x',
      prefixed: 'https://blog.example.com/app/x',
      plain: 'https://blog.example.com/x',
    },
    {
      name: 'gives a root-relative path the prefix',
      input: '/landed?next=%2F',
      prefixed: '/app/landed?next=%2F',
      plain: '/landed?next=%2F',
    },
    { name: 'gives the root path the prefix', input: '/', prefixed: '/app/', plain: '/' },
    {
      name: 'reads the value as a browser does: edge spaces and tabs ignored',
      input: ' \thttp://docker.example.com:8002/x ',
      prefixed: 'https://blog.example.com/app/x',
      plain: 'https://blog.example.com/x',
    },
    {
      name: 'treats a tab between slashes as a browser does (protocol-relative, another site)',
      input: '/\t/evil.example/x',
      prefixed: '/\t/evil.example/x',
      plain: '/\t/evil.example/x',
    },
    {
      name: 'leaves another port alone',
      input: 'http://docker.example.com:8003/x',
      prefixed: 'http://docker.example.com:8003/x',
      plain: 'http://docker.example.com:8003/x',
    },
    {
      name: 'leaves another scheme on the same host alone',
      input: 'https://docker.example.com:8002/x',
      prefixed: 'https://docker.example.com:8002/x',
      plain: 'https://docker.example.com:8002/x',
    },
    {
      name: 'leaves another site alone',
      input: 'https://accounts.example.org/login',
      prefixed: 'https://accounts.example.org/login',
      plain: 'https://accounts.example.org/login',
    },
    {
      name: 'leaves a protocol-relative URL to another site alone',
      input: '//evil.example/x',
      prefixed: '//evil.example/x',
      plain: '//evil.example/x',
    },
    {
      name: 'leaves a backslash protocol-relative URL alone (browsers read it as //)',
      input: '/\\evil.example/x',
      prefixed: '/\\evil.example/x',
      plain: '/\\evil.example/x',
    },
    { name: 'leaves a relative path alone', input: 'landed', prefixed: 'landed', plain: 'landed' },
    { name: 'leaves a query-only reference alone', input: '?page=2', prefixed: '?page=2', plain: '?page=2' },
    {
      name: 'leaves mailto: alone',
      input: 'mailto:a@example.com',
      prefixed: 'mailto:a@example.com',
      plain: 'mailto:a@example.com',
    },
    { name: 'leaves an empty value alone', input: '', prefixed: '', plain: '' },
    {
      name: 'leaves userinfo tricks alone (the host is evil.example)',
      input: 'http://docker.example.com:8002@evil.example/x',
      prefixed: 'http://docker.example.com:8002@evil.example/x',
      plain: 'http://docker.example.com:8002@evil.example/x',
    },
    {
      name: 'leaves a value with CR/LF for Node to refuse, never repairs it',
      input: '/x\r\nSet-Cookie: a=b',
      prefixed: '/x\r\nSet-Cookie: a=b',
      plain: '/x\r\nSet-Cookie: a=b',
    },
  ];
  for (const row of cases) {
    it(`${row.name} (prefix /app)`, () => {
      expect(rewriteLocationValue(row.input, withPrefix)).toBe(row.prefixed);
    });
    it(`${row.name} (no prefix)`, () => {
      expect(rewriteLocationValue(row.input, noPrefix)).toBe(row.plain);
    });
  }
});

describe('rewriteLocationValue() › default ports', () => {
  it('treats an explicit :80 as no port when Host has none', () => {
    const target = compileLocationTarget(proxied({ host: 'docker.example.com' }, ''));
    expect(rewriteLocationValue('http://docker.example.com:80/x', target)).toBe('https://blog.example.com/x');
  });
  it('treats no port as :80 when Host says :80', () => {
    const target = compileLocationTarget(proxied({ host: 'docker.example.com:80' }, ''));
    expect(rewriteLocationValue('http://docker.example.com/x', target)).toBe('https://blog.example.com/x');
  });
  it('treats an explicit :443 as no port on an internal https origin', () => {
    const target = compileLocationTarget(proxied({ host: 'internal', protocol: 'https' }, '/p'));
    expect(rewriteLocationValue('https://internal:443/x', target)).toBe('https://blog.example.com/p/x');
  });
  it('matches IPv6 literals in canonical form', () => {
    const target = compileLocationTarget(proxied({ host: '[::1]:8000' }, ''));
    expect(rewriteLocationValue('http://[0:0::1]:8000/x', target)).toBe('https://blog.example.com/x');
  });
  it('only prefixes root-relative paths when the request had no Host', () => {
    const target = compileLocationTarget(proxied({ host: undefined }, '/app'));
    expect(rewriteLocationValue('http://anything/x', target)).toBe('http://anything/x');
    expect(rewriteLocationValue('/x', target)).toBe('/app/x');
  });
  it('never uses a malformed internal Host', () => {
    const target = compileLocationTarget(proxied({ host: 'evil.example/x' }, ''));
    expect(rewriteLocationValue('http://evil.example/x', target)).toBe('http://evil.example/x');
  });
});

// ---- through real servers -------------------------------------------------------------

type Mode =
  | 'setHeader'
  | 'setHeaders'
  | 'appendHeader'
  | 'writeHead-object'
  | 'writeHead-flat'
  | 'writeHead-pairs'
  | 'writeHead-reason';

/** The Location the client would follow, and the status it got. */
interface Answer {
  status: number | undefined;
  location: string | string[] | undefined;
  raw: string[];
}

function request(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode, location: res.headers.location, raw: res.rawHeaders }),
      );
    });
    req.on('error', reject);
  });
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** The ProxyInfo for a request that reached this test server directly: Host is the internal origin. */
function infoFor(req: IncomingMessage, prefix: string): ProxyInfo {
  return proxied({ host: req.headers.host }, prefix);
}

function respond(res: ServerResponse, mode: Mode, location: string): void {
  switch (mode) {
    case 'setHeader':
      res.statusCode = 302;
      res.setHeader('Location', location);
      res.end();
      return;
    case 'setHeaders':
      res.statusCode = 302;
      res.setHeaders(new Map([['Location', location]]));
      res.end();
      return;
    case 'appendHeader':
      res.statusCode = 302;
      res.appendHeader('location', location);
      res.end();
      return;
    case 'writeHead-object':
      res.writeHead(302, { 'Content-Type': 'text/plain', LOCATION: location }).end();
      return;
    case 'writeHead-flat':
      res.writeHead(302, ['Content-Type', 'text/plain', 'Location', location]).end();
      return;
    case 'writeHead-pairs':
      // The [[name, value], …] form is accepted by Node's writeHead at run time, but only when
      // no header was set before (Node 20 then takes the flat-array path and throws).
      (res.writeHead as (status: number, headers: unknown) => ServerResponse)(302, [
        ['location', location],
        ['content-type', 'text/plain'],
      ]).end();
      return;
    case 'writeHead-reason':
      res.writeHead(301, 'Moved', { Location: location }).end();
      return;
  }
}

describe('installLocationRewrite() › node:http', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const mode = url.searchParams.get('mode') as Mode;
      const prefix = url.searchParams.get('prefix') ?? '';
      // Earlier headers make Node's writeHead route its headers through setHeader/appendHeader:
      // the rewrite must still happen exactly once.
      if (url.searchParams.has('early')) res.setHeader('X-Early', '1');
      installLocationRewrite(res, infoFor(req, prefix));
      installLocationRewrite(res, infoFor(req, '/second-call-ignored'));
      const target = url.searchParams.get('to') ?? '/';
      respond(res, mode, target === 'self' ? `http://${req.headers.host}/landed?x=1` : target);
    });
    port = await listen(server);
  });
  afterAll(() => {
    server.close();
  });

  const modes: Mode[] = [
    'setHeader',
    'setHeaders',
    'appendHeader',
    'writeHead-object',
    'writeHead-flat',
    'writeHead-pairs',
    'writeHead-reason',
  ];
  for (const mode of modes) {
    for (const early of mode === 'writeHead-pairs' ? [false] : [false, true]) {
      const suffix = early ? ', after other headers were set' : '';
      describe(`${mode}${suffix}`, () => {
        const q = `mode=${mode}${early ? '&early' : ''}`;
        it('rewrites an absolute URL on the internal origin to the public origin', async () => {
          const answer = await request(port, `/?${q}&to=self`, {});
          expect(answer.location).toBe('https://blog.example.com/landed?x=1');
        });
        it('rewrites an absolute URL on the internal origin and adds the prefix', async () => {
          const answer = await request(port, `/?${q}&to=self&prefix=/app`, {});
          expect(answer.location).toBe('https://blog.example.com/app/landed?x=1');
        });
        it('gives a root-relative path the prefix, once', async () => {
          const answer = await request(port, `/?${q}&to=${encodeURIComponent('/landed')}&prefix=/app`, {});
          expect(answer.location).toBe('/app/landed');
        });
        it('leaves a root-relative path alone without a prefix', async () => {
          const answer = await request(port, `/?${q}&to=${encodeURIComponent('/landed')}`, {});
          expect(answer.location).toBe('/landed');
        });
        it('leaves another origin alone', async () => {
          const answer = await request(
            port,
            `/?${q}&to=${encodeURIComponent('http://other.example:8002/x')}&prefix=/app`,
            {},
          );
          expect(answer.location).toBe('http://other.example:8002/x');
        });
      });
    }
  }

  it('sends exactly one Location line', async () => {
    const answer = await request(port, '/?mode=writeHead-flat&early&to=self&prefix=/app', {});
    const lines = answer.raw.filter((_, i) => i % 2 === 0 && answer.raw[i]!.toLowerCase() === 'location');
    expect(lines).toHaveLength(1);
  });

  it('keeps the status code and reason', async () => {
    const answer = await request(port, '/?mode=writeHead-reason&to=self', {});
    expect(answer.status).toBe(301);
    expect(answer.location).toBe('https://blog.example.com/landed?x=1');
  });
});

describe('installLocationRewrite() › leaves the response alone when nothing would change', () => {
  it('does not patch a response whose public origin is the internal one and has no prefix', () => {
    const res = new (class extends Object {})() as unknown as ServerResponse;
    const setHeader = () => res;
    Object.assign(res, { setHeader, writeHead: setHeader, appendHeader: setHeader });
    const info = proxied({ host: 'blog.example.com', protocol: 'https' }, '');
    installLocationRewrite(res, info);
    expect(res.setHeader).toBe(setHeader);
  });
});

for (const [name, factory] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  describe(`installLocationRewrite() › ${name} res.redirect and res.location`, () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      const app = factory();
      app.use((req, res, next) => {
        installLocationRewrite(
          res,
          infoFor(req, typeof req.query.prefix === 'string' ? req.query.prefix : ''),
        );
        next();
      });
      app.get('/self', (req, res) => {
        res.redirect(`http://${req.headers.host}/static/`);
      });
      app.get('/relative', (_req, res) => {
        res.redirect('/login?next=%2F');
      });
      app.get('/away', (_req, res) => {
        res.redirect(301, 'https://other.example/');
      });
      app.get('/location', (req, res) => {
        res.location(`http://${req.headers.host}/created`).status(201).end();
      });
      server = createServer(app);
      port = await listen(server);
    });
    afterAll(() => {
      server.close();
    });

    it('rewrites res.redirect to the internal origin (the article follow-up case)', async () => {
      const answer = await request(port, '/self', {});
      expect(answer.status).toBe(302);
      expect(answer.location).toBe('https://blog.example.com/static/');
    });
    it('rewrites res.redirect to the internal origin with the prefix', async () => {
      const answer = await request(port, '/self?prefix=/blog', {});
      expect(answer.location).toBe('https://blog.example.com/blog/static/');
    });
    it('gives a root-relative res.redirect the prefix', async () => {
      const answer = await request(port, '/relative?prefix=/blog', {});
      expect(answer.location).toBe('/blog/login?next=%2F');
    });
    it('leaves a root-relative res.redirect alone without a prefix', async () => {
      const answer = await request(port, '/relative', {});
      expect(answer.location).toBe('/login?next=%2F');
    });
    it('leaves res.redirect to another origin alone', async () => {
      const answer = await request(port, '/away?prefix=/blog', {});
      expect(answer.status).toBe(301);
      expect(answer.location).toBe('https://other.example/');
    });
    it('rewrites res.location', async () => {
      const answer = await request(port, '/location?prefix=/blog', {});
      expect(answer.status).toBe(201);
      expect(answer.location).toBe('https://blog.example.com/blog/created');
    });
  });
}

describe('trustedProxy({ rewriteLocation: true }) › through .wrap and the Express middleware', () => {
  const proxy = trustedProxy({
    trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
    trustedProxies: 'loopback',
    rewriteLocation: true,
  });
  const plain = trustedProxy({
    trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
    trustedProxies: 'loopback',
  });
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  const internal: Record<string, string> = {};
  beforeAll(async () => {
    // The app builds redirects from an address it was configured with: the internal origin.
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const mode = (url.searchParams.get('mode') ?? 'setHeader') as Mode;
      const to = url.searchParams.get('to') === 'absolute' ? `${internal.wrap}/landed` : '/landed';
      respond(res, mode, to);
    };
    const wrapped = createServer(proxy.wrap(listener));
    const unwrapped = createServer(plain.wrap(listener));
    const app = express();
    app.use(proxy);
    app.get('/', (req, res) => {
      res.redirect(req.query.to === 'absolute' ? `${internal.express}/landed` : '/landed');
    });
    const expressServer = createServer(app);
    for (const [name, server] of [
      ['wrap', wrapped],
      ['plain', unwrapped],
      ['express', expressServer],
    ] as const) {
      servers.push(server);
      ports[name] = await listen(server);
      internal[name] = `http://127.0.0.1:${ports[name]}`;
    }
  });
  afterAll(() => {
    for (const server of servers) server.close();
  });

  const forwarded = (prefix: boolean): Record<string, string> => ({
    'X-Forwarded-Host': 'blog.example.com',
    'X-Forwarded-Proto': 'https',
    ...(prefix ? { 'X-Forwarded-Prefix': '/blog' } : {}),
  });

  for (const mode of ['setHeader', 'writeHead-object', 'writeHead-flat'] as const) {
    it(`.wrap rewrites ${mode} Location on the internal origin, with the prefix`, async () => {
      const answer = await request(ports.wrap!, `/?mode=${mode}&to=absolute`, forwarded(true));
      expect(answer.location).toBe('https://blog.example.com/blog/landed');
    });
    it(`.wrap rewrites ${mode} Location on the internal origin, without a prefix`, async () => {
      const answer = await request(ports.wrap!, `/?mode=${mode}&to=absolute`, forwarded(false));
      expect(answer.location).toBe('https://blog.example.com/landed');
    });
    it(`.wrap gives a root-relative ${mode} Location the prefix`, async () => {
      const answer = await request(ports.wrap!, `/?mode=${mode}`, forwarded(true));
      expect(answer.location).toBe('/blog/landed');
    });
  }

  it('Express res.redirect to the internal origin is rewritten', async () => {
    const answer = await request(ports.express!, '/?to=absolute', forwarded(true));
    expect(answer.location).toBe('https://blog.example.com/blog/landed');
  });

  it('Express res.redirect to a root-relative path gets the prefix', async () => {
    const answer = await request(ports.express!, '/', forwarded(true));
    expect(answer.location).toBe('/blog/landed');
  });

  it('leaves Location alone without rewriteLocation', async () => {
    const answer = await request(ports.plain!, '/?to=absolute', forwarded(true));
    expect(answer.location).toBe(`${internal.wrap}/landed`);
  });

  it('leaves Location alone when forwarding headers come from an untrusted client', async () => {
    const strict = trustedProxy({
      trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Prefix'],
      trustedProxies: '192.0.2.1',
      rewriteLocation: true,
    });
    const server = createServer(
      strict.wrap((_req, res) => {
        res.writeHead(302, { Location: '/landed' }).end();
      }),
    );
    const port = await listen(server);
    try {
      const answer = await request(port, '/', {
        'X-Forwarded-Host': 'evil.example',
        'X-Forwarded-Prefix': '/evil',
      });
      expect(answer.location).toBe('/landed');
    } finally {
      server.close();
    }
  });
});
