/**
 * Every vulnerability class the reference material records for peer libraries (see
 * docs/security.md), replayed against this package. Each row names the advisory or issue it
 * comes from; docs/security.md points back to these tests by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyInfo, TrustedProxyOptions } from '../../src/core/types.js';
import { proxyInfo, reconstructUrl, TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import {
  close,
  type HeaderLine,
  listen,
  makeRequest,
  RawClient,
  type RawRequest,
  serialize,
} from './support/harness.js';

const XFF_ETC = [
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'X-Forwarded-Port',
  'X-Forwarded-Prefix',
];

function request(
  lines: HeaderLine[],
  peer: string | undefined = '10.0.0.2',
  extra: Partial<RawRequest> = {},
): IncomingMessage {
  return makeRequest({
    peer,
    tls: false,
    localAddress: '10.0.0.100',
    localPort: 8080,
    method: 'GET',
    url: '/path',
    lines: [['Host', 'app.internal:8080'], ...lines],
    ...extra,
  });
}

function run(
  options: Partial<TrustedProxyOptions>,
  lines: HeaderLine[],
  peer?: string,
  extra?: Partial<RawRequest>,
) {
  const req = request(lines, peer, extra);
  const info = trustedProxy({ trustedHeaders: XFF_ETC, trustedProxies: '10.0.0.0/8', ...options }).process(
    req,
  );
  return { req, info };
}

function reasons(info: ProxyInfo): string[] {
  return info.rejected.map((e) => `${e.header}:${e.reason}`);
}

describe('CVE classes › client address spoofing', () => {
  it('request-ip #25: an alias header from a direct client is stripped, not believed', () => {
    const { req, info } = run(
      { trustedHeaders: ['X-Forwarded-For'] },
      [['X-Client-IP', '10.0.0.1']],
      '203.0.113.7',
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(req.headers['x-client-ip']).toBeUndefined();
    expect(reasons(info)).toContain('x-client-ip:untrusted-peer');
  });

  it('request-ip #25: behind a trusted proxy, an alias the config does not trust is stripped too', () => {
    const { req, info } = run({ trustedHeaders: ['X-Forwarded-For'] }, [
      ['True-Client-IP', '1.1.1.1'],
      ['X-Forwarded-For', '198.51.100.9'],
    ]);
    expect(info.remoteAddress).toBe('198.51.100.9');
    expect(req.headers['true-client-ip']).toBeUndefined();
    expect(reasons(info)).toContain('true-client-ip:not-trusted-header');
  });

  it('koa#1413, h3 getRequestIP, chi RealIP: a prepended leftmost entry never becomes the client', () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; the trusted proxy appended the real address.
    const { req, info } = run({}, [['X-Forwarded-For', '1.1.1.1, 198.51.100.9']]);
    expect(info.remoteAddress).toBe('198.51.100.9');
    expect(req.headers['x-forwarded-for']).toBe('198.51.100.9');
  });

  it("uvicorn forwarded-allow-ips='*', Express trust proxy true: there is no trust-everything setting", () => {
    expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '*' })).toThrow(
      TrustedProxyConfigError,
    );
  });

  it('ASP.NET checkKnownIps, mod_remoteip: an empty trust list is a config error, not "trust all"', () => {
    for (const trustedProxies of [[], '', ' , ']) {
      expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies })).toThrow(
        TrustedProxyConfigError,
      );
    }
    expect(() => trustedProxy({ trustedHeaders: [], trustedProxies: 'loopback' })).toThrow(
      TrustedProxyConfigError,
    );
  });

  it.each([
    ['unknown', '10.0.0.2'],
    ['_hidden', '10.0.0.2'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['\t5.6.7.8', '5.6.7.8'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ])(
    'proxy-addr verbatim strings: X-Forwarded-For node %j gives the canonical IP %s, never the raw text',
    (node, expected) => {
      const { info } = run({}, [['X-Forwarded-For', node]]);
      expect(info.remoteAddress).toBe(expected);
    },
  );

  it('tinyhttp getIP: an IPv6 client keeps its whole address, not its last group', () => {
    const { info } = run({}, [['X-Forwarded-For', '2001:db8:1:2::abcd']]);
    expect(info.remoteAddress).toBe('2001:db8:1:2::abcd');
  });

  it('chi TestXFF_FailClosedOnUnparseable: garbage right of the client stops the walk at the proxy that wrote it', () => {
    const { info } = run({}, [['X-Forwarded-For', '1.1.1.1, 10.0.0.3, not-an-ip, 10.0.0.4']]);
    expect(info.remoteAddress).toBe('10.0.0.4');
    expect(info.addresses).toEqual(['10.0.0.4', '10.0.0.2']);
    expect(reasons(info)).toContain('x-forwarded-for:invalid-address');
  });

  it.each(['127.1', '0x7f.0.0.1', '2130706433', '010.0.0.1', '127.000.000.001'])(
    'Python CVE-2021-29921, .NET IPAddress.Parse: the legacy IPv4 form %s is not an address',
    (node) => {
      const { info } = run({ trustedProxies: 'loopback, 10.0.0.0/8' }, [
        ['X-Forwarded-For', `6.6.6.6, ${node}`],
      ]);
      expect(info.remoteAddress).toBe('10.0.0.2');
      expect(reasons(info)).toContain('x-forwarded-for:invalid-address');
    },
  );

  it('pbojinov/request-ip (repeated fields): a second X-Real-IP line makes the value a list, which is invalid', () => {
    const { info } = run({ trustedHeaders: ['X-Real-IP'] }, [
      ['X-Real-IP', '6.6.6.6'],
      ['X-Real-IP', '198.51.100.9'],
    ]);
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(reasons(info)).toContain('x-real-ip:invalid-address');
  });

  it('uvicorn #2944, Go Header.Get: repeated X-Forwarded-For lines are one list, walked from the right', () => {
    const { info } = run({}, [
      ['X-Forwarded-For', '6.6.6.6'],
      ['X-Forwarded-For', '198.51.100.9, 10.0.0.3'],
    ]);
    expect(info.remoteAddress).toBe('198.51.100.9');
    expect(info.addresses).toEqual(['198.51.100.9', '10.0.0.3', '10.0.0.2']);
  });
});

describe('CVE classes › IPv4-mapped IPv6 and zone ids', () => {
  it('CVE-2026-90711 (proxy-addr <= 2.0.7): a mapped range with an IPv4-sized prefix is a config error', () => {
    expect(() =>
      trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '::ffff:10.0.0.0/8' }),
    ).toThrow(TrustedProxyConfigError);
    expect(() =>
      trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '::ffff:0.0.0.0/96' }),
    ).toThrow(TrustedProxyConfigError);
  });

  it('CVE-2026-90711: ::ffff:10.0.0.0/104 trusts 10.0.0.0/8 only, in either spelling of the peer', () => {
    const options = { trustedProxies: '::ffff:10.0.0.0/104' };
    expect(run(options, [['X-Forwarded-For', '1.1.1.1']], '::ffff:10.1.2.3').info.remoteAddress).toBe(
      '1.1.1.1',
    );
    expect(run(options, [['X-Forwarded-For', '1.1.1.1']], '10.1.2.3').info.remoteAddress).toBe('1.1.1.1');
    expect(run(options, [['X-Forwarded-For', '1.1.1.1']], '::ffff:203.0.113.5').info.remoteAddress).toBe(
      '203.0.113.5',
    );
    expect(run(options, [['X-Forwarded-For', '1.1.1.1']], '2001:db8::5').info.remoteAddress).toBe(
      '2001:db8::5',
    );
  });

  it('chi TestXFF_V4MappedIPv6BypassesTrustedV4Prefix, 3proxy#807: a mapped node is matched as the IPv4 it is', () => {
    const { info } = run({}, [['X-Forwarded-For', '198.51.100.9, ::ffff:10.0.0.3, [::ffff:a00:4]']]);
    expect(info.addresses).toEqual(['198.51.100.9', '10.0.0.3', '10.0.0.4', '10.0.0.2']);
  });

  it('chi ZoneID bypass, @fastify/proxy-addr 5.1.3: a zone id is dropped before matching and output', () => {
    const { info } = run(
      { trustedProxies: 'fe80::/10' },
      [['X-Forwarded-For', '198.51.100.9, fe80::7%eth0']],
      'fe80::1%eth0',
    );
    expect(info.peerAddress).toBe('fe80::1');
    expect(info.addresses).toEqual(['198.51.100.9', 'fe80::7', 'fe80::1']);
  });
});

describe('CVE classes › host, scheme and port from an unchecked source', () => {
  it('Fastify CVE-2026-3635, Koa app.proxy, aspnetcore#61449: a direct client cannot set host, scheme, port or prefix', () => {
    const { req, info } = run(
      {},
      [
        ['X-Forwarded-Host', 'evil.com'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Forwarded-Port', '443'],
        ['X-Forwarded-Prefix', '/evil'],
      ],
      '203.0.113.7',
    );
    expect(info).toMatchObject({ hostname: 'app.internal', port: 8080, protocol: 'http', prefix: '' });
    expect(reconstructUrl(req)).toBe('http://app.internal:8080/path');
  });

  it('aspnetcore#61449: the peer check gates the host even when the client header is not trusted', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-Host'] },
      [['X-Forwarded-Host', 'evil.com']],
      '203.0.113.7',
    );
    expect(info.hostname).toBe('app.internal');
    expect(info.applied).toEqual([]);
  });

  it.each([
    ['evil.com:x@good.com', 'Koa CVE-2026-27959, Express PR #7317'],
    ['user@good.com', 'Koa CVE-2026-27959'],
    ['good.com/evil', 'Rack CVE-2026-34835'],
    ['good.com\\evil', 'Rack CVE-2026-34835'],
    ['good.com:99999', 'ASP.NET port 9523547852'],
    ['good.com, evil.com', 'a list inside a host value'],
    ['ex\u00e4mple.com', 'non-ASCII'],
  ])('X-Forwarded-Host %j (%s) is rejected and the Host header stays', (value) => {
    const { info } = run({}, [['X-Forwarded-Host', value]]);
    if (value.includes(',')) {
      expect(info.hostname).not.toBe('good.com'); /* a list: the hop-aligned entry is validated on its own */
      return;
    }
    expect(info.hostname).toBe('app.internal');
    expect(reasons(info)).toContain('x-forwarded-host:invalid-host');
  });

  it('Koa CVE-2026-27959: a Host header with userinfo counts as absent, never as evil.com', () => {
    const req = makeRequest({
      peer: '203.0.113.7',
      tls: false,
      localAddress: '10.0.0.100',
      localPort: 8080,
      method: 'GET',
      url: '/',
      lines: [['Host', 'evil.com:x@good.com']],
    });
    const info = trustedProxy({ trustedHeaders: XFF_ETC, trustedProxies: '10.0.0.0/8' }).process(req);
    expect(info.hostname).toBe('10.0.0.100');
    expect(reasons(info)).toContain('host:invalid-host');
  });

  it('Express first element vs Fastify last element: the value comes from the outermost trusted hop', () => {
    // Client -> edge (10.0.0.3, TLS) -> inner (10.0.0.2, plain) -> app; both append.
    const lines: HeaderLine[] = [
      ['X-Forwarded-For', '6.6.6.6, 198.51.100.9, 10.0.0.3'],
      ['X-Forwarded-Proto', 'http, https, http'],
      ['X-Forwarded-Host', 'evil.com, www.example.com, edge.internal'],
    ];
    const { info } = run({}, lines);
    expect(info).toMatchObject({
      remoteAddress: '198.51.100.9',
      protocol: 'https',
      hostname: 'www.example.com',
    });
  });

  it('first-tree-ai/opentag#713: behind one trusted proxy that appends, the client-prepended host loses', () => {
    const { info } = run({}, [['X-Forwarded-Host', 'evil.com, www.example.com']]);
    expect(info.hostname).toBe('www.example.com');
  });

  it.each(['1', 'Protocol', 'https:', 'ftp', 'javascript'])(
    'ASP.NET, gorilla, Werkzeug accept any scheme: X-Forwarded-Proto %j is rejected',
    (value) => {
      const { info } = run({}, [['X-Forwarded-Proto', value]]);
      expect(info.protocol).toBe('http');
      expect(reasons(info)).toContain('x-forwarded-proto:invalid-scheme');
    },
  );

  it('Django CVE-2019-12781: a trusted non-secure value means http, even on a TLS socket', () => {
    const { info } = run({ trustedHeaders: ['X-Forwarded-SSL'] }, [['X-Forwarded-SSL', 'off']], '10.0.0.2', {
      tls: true,
    });
    expect(info.protocol).toBe('http');
    expect(info.secure).toBe(false);
  });

  it.each(['0', '65536', '080', '+443', '-1', '4.4', '0x1bb'])(
    'Angular CVE-2026-27739: X-Forwarded-Port %j is rejected',
    (value) => {
      const { info } = run({}, [['X-Forwarded-Port', value]]);
      expect(info.port).toBe(8080);
      expect(reasons(info)).toContain('x-forwarded-port:invalid-port');
    },
  );
});

describe('CVE classes › allowedHosts', () => {
  const allowedHosts = ['example.com', '*.example.com'];

  it.each([
    ['evil.com', false],
    ['example.com.evil.com', false],
    ['evilexample.com', false],
    ['www.example.com', true],
    ['a.b.example.com', true],
    ['EXAMPLE.COM.', true],
    ['example.com', true],
  ])(
    'Rails CVE-2021-22881/22942/44528, Symfony CVE-2013-4752: X-Forwarded-Host %s allowed = %s',
    (host, allowed) => {
      const { info } = run({ allowedHosts }, [['X-Forwarded-Host', host]]);
      expect(info.hostAllowed).toBe(allowed);
    },
  );

  it('Rack CVE-2026-34835: characters outside the host grammar cannot slip past the allowlist', () => {
    const { info } = run({ allowedHosts }, [['X-Forwarded-Host', 'evil.com/.example.com']]);
    expect(reasons(info)).toContain('x-forwarded-host:invalid-host');
    expect(info.hostAllowed).toBe(false);
  });
});

describe('CVE classes › prefix and redirects', () => {
  it.each([
    ['//evil.com', 'Angular CVE-2026-27738, calibre-web-nextgen #1302'],
    ['///evil.com', 'Angular CVE-2026-27738'],
    ['/\\evil.com', 'Angular CVE-2026-33397'],
    ['/%2e%2e/admin', 'Angular CVE-2026-44437'],
    ['/%2E/x', 'encoded dot segment'],
    ['/a/../b', 'dot segment'],
    ['/%2f%2fevil.com', 'encoded slash'],
    ['/%5cevil.com', 'encoded backslash'],
    ['/a%0d%0aSet-Cookie:x', 'encoded CR LF'],
    ['/a?next=//evil.com', 'query'],
    ['/a#x', 'fragment'],
    ['evil.com', 'relative'],
    ['/"><script>', 'hevy2garmin PR #305'],
  ])('X-Forwarded-Prefix %j (%s) is rejected, and reconstructUrl stays on the origin', (value) => {
    const { req, info } = run({}, [['X-Forwarded-Prefix', value]]);
    expect(info.prefix).toBe('');
    expect(reasons(info)).toContain('x-forwarded-prefix:invalid-prefix');
    expect(reconstructUrl(req, '/login')).toBe('http://app.internal:8080/login');
  });

  it('Traefik CVE-2024-52003: a prefix from an untrusted peer is stripped', () => {
    const { req, info } = run({}, [['X-Forwarded-Prefix', '/admin']], '203.0.113.7');
    expect(info.prefix).toBe('');
    expect(req.headers['x-forwarded-prefix']).toBeUndefined();
  });

  it.each(['//evil.com/x', '/\\evil.com', 'evil.com', 'https://evil.com/'])(
    'open redirects: reconstructUrl(req, %j) throws instead of leaving the origin',
    (path) => {
      const { req } = run({}, []);
      expect(() => reconstructUrl(req, path)).toThrow(TypeError);
    },
  );

  it('an absolute-form request target contributes only its path', () => {
    const { req } = run({}, [], '10.0.0.2', { url: 'http://evil.com/x?y=1' });
    expect(reconstructUrl(req)).toBe('http://app.internal:8080/x?y=1');
  });
});

describe('CVE classes › RFC 7239 Forwarded', () => {
  const options = { trustedHeaders: ['Forwarded'] };

  it('Rack CVE-2026-32762: for="1.2.3.4;host=evil.com" injects nothing', () => {
    const { info } = run(options, [['Forwarded', 'for="1.2.3.4;host=evil.com";proto=http']]);
    expect(info.hostname).toBe('app.internal');
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(reasons(info)).toContain('forwarded:invalid-address');
  });

  it("a client's unterminated quote cannot swallow the element the proxy added on its own line", () => {
    const { info } = run(options, [
      ['Forwarded', 'for="6.6.6.6'],
      ['Forwarded', 'for=198.51.100.9;proto=https;host=www.example.com'],
    ]);
    expect(info).toMatchObject({
      remoteAddress: '198.51.100.9',
      protocol: 'https',
      hostname: 'www.example.com',
    });
  });

  it('RFC 7239 §4: a repeated parameter makes the element malformed, a non-IP node', () => {
    const { info } = run(options, [['Forwarded', 'for=198.51.100.9;for=10.0.0.9']]);
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(reasons(info)).toContain('forwarded:malformed-forwarded');
  });

  it('host and proto come from the same element as the client (no flattening as in Rack)', () => {
    const { info } = run(options, [
      [
        'Forwarded',
        'for=6.6.6.6;host=evil.com;proto=http, for=198.51.100.9;host=www.example.com;proto=https',
      ],
    ]);
    expect(info).toMatchObject({
      remoteAddress: '198.51.100.9',
      hostname: 'www.example.com',
      protocol: 'https',
    });
  });
});

describe('CVE classes › path overrides, re-entry, UNIX sockets', () => {
  it('Symfony CVE-2018-14773: X-Original-URL and X-Rewrite-URL are always stripped and never trustable', () => {
    const { req } = run({}, [
      ['X-Original-URL', '/admin'],
      ['X-Rewrite-URL', '/admin'],
    ]);
    expect(req.headers['x-original-url']).toBeUndefined();
    expect(req.headers['x-rewrite-url']).toBeUndefined();
    expect(req.rawHeaders.map((h) => h.toLowerCase())).not.toContain('x-original-url');
    expect(() => trustedProxy({ trustedHeaders: ['X-Original-URL'], trustedProxies: 'loopback' })).toThrow(
      TrustedProxyConfigError,
    );
  });

  it('Symfony CVE-2018-14774, PKSA-68d7-b14m-3bjc: a second pass (sub-request, second mount) re-trusts nothing', () => {
    const { req, info } = run({}, [['X-Forwarded-For', '198.51.100.9']]);
    // The rewritten headers now come "from" a trusted proxy; a naive second pass would walk them again.
    const second = trustedProxy({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: 'private, 198.51.100.0/24',
    }).process(req);
    expect(second).toBe(info);
    expect(proxyInfo(req)!.remoteAddress).toBe('198.51.100.9');
  });

  it('jshttp/proxy-addr#9, aspnetcore#67816: a peer without an address is trusted only by `unix`, on a path server', () => {
    const xff: HeaderLine[] = [['X-Forwarded-For', '198.51.100.9']];
    expect(
      run({ trustedProxies: 'unix' }, xff, undefined, { peer: undefined, unix: true }).info.remoteAddress,
    ).toBe('198.51.100.9');
    expect(
      run({ trustedProxies: 'private' }, xff, undefined, { peer: undefined, unix: true }).info.trusted,
    ).toBe(false);
    // koa-trust-proxy trusts a missing address unconditionally; on a TCP server it is never trusted here.
    expect(
      run({ trustedProxies: 'unix' }, xff, undefined, { peer: undefined, unix: false }).info.trusted,
    ).toBe(false);
  });
});

describe('CVE classes › denial of service', () => {
  it('Koa GHSA-593f-38f6-jp5m, oakserver/oak#700, better-auth #9333: no regular expression with nested quantifiers in src/', () => {
    // Regex literals in the library: none may nest a quantifier inside a quantified group.
    const nested = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;
    const offenders: string[] = [];
    const dir = new URL('../../src/', import.meta.url);
    for (const file of readdirSync(dir, { recursive: true }) as string[]) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(
        /(?<![\w)\]])\/((?:[^/\n\\[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+)\/[dgimsuyv]*/g,
      )) {
        if (nested.test(m[1]!)) offenders.push(`${file}: /${m[1]}/`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('Koa GHSA-593f-38f6-jp5m: 16 KB of the ReDoS shapes resolves (the fuzz run bounds the time)', () => {
    for (const shape of [
      ' '.repeat(16_000),
      `a${' '.repeat(16_000)}b,`,
      ','.repeat(16_000),
      '1.'.repeat(8_000),
      '"\\'.repeat(5_000),
    ]) {
      const { info } = run({ trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'Forwarded'] }, [
        ['X-Forwarded-For', shape],
        ['X-Forwarded-Host', shape],
        ['Forwarded', `for=${shape}`],
      ]);
      expect(info.remoteAddress).toBe('10.0.0.2');
    }
  });

  it('ASP.NET log levels: a rejected value is cut to 256 characters in the event', () => {
    const events: string[] = [];
    const { info } = run({ onReject: (e) => events.push(e.value) }, [
      ['X-Forwarded-Host', `x${'@'.repeat(16_000)}`],
    ]);
    expect(events.length).toBe(info.rejected.length);
    for (const e of info.rejected) expect(e.value.length).toBeLessThanOrEqual(256);
  });

  it('a throwing onReject callback or trust function never turns a request into a 500', () => {
    const { info } = run(
      {
        trustedProxies: () => {
          throw new Error('boom');
        },
        onReject: () => {
          throw new Error('boom');
        },
      },
      [['X-Forwarded-For', 'garbage']],
    );
    expect(info.trusted).toBe(false);
  });

  it('forwarded-http (ip@0.3), unmaintained dependencies: the package has no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe('CVE classes › duplicate Host on a real socket', () => {
  let port = 0;
  let server: import('node:http').Server;
  const proxy = trustedProxy({ trustedHeaders: XFF_ETC, trustedProxies: 'loopback' });

  beforeAll(async () => {
    const started = await listen(
      proxy.wrap((req: IncomingMessage, res: ServerResponse) => {
        const body = JSON.stringify({ host: req.headers.host, raw: req.rawHeaders, info: proxyInfo(req) });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      }),
    );
    server = started.server;
    port = started.port;
  });
  afterAll(() => close(server));

  it('node-ecosystem §4.12: every Host line of rawHeaders agrees with req.headers.host afterwards', async () => {
    const client = new RawClient(port);
    const res = await client.send(
      serialize({
        method: 'GET',
        url: '/',
        lines: [
          ['Host', 'good.example'],
          ['Host', 'evil.example'],
          ['X-Forwarded-Host', 'www.example.com'],
        ],
      }),
    );
    client.close();
    expect(res.status).toBe(200);
    const { host, raw, info } = JSON.parse(res.body);
    expect(host).toBe('www.example.com');
    const hostLines = (raw as string[]).filter(
      (_v, i, a) => i % 2 === 1 && a[i - 1]!.toLowerCase() === 'host',
    );
    expect(hostLines.length).toBeGreaterThan(0);
    for (const h of hostLines) expect(h).toBe(info.host);
  });
});

describe('limitations (docs/security.md › what this package cannot protect against)', () => {
  it('a trusted front proxy that passes client headers through: the client controls that header', () => {
    // The proxy forwards the client's X-Forwarded-Host untouched; configuring it as trusted is the mistake.
    const { info } = run({}, [['X-Forwarded-Host', 'evil.com']]);
    expect(info.hostname).toBe('evil.com');
  });

  it('hop-count trust: a client that reaches the backend directly is believed', () => {
    const { info } = run({ trustedProxies: 1 }, [['X-Forwarded-For', '10.0.0.1']], '203.0.113.7');
    expect(info.remoteAddress).toBe('10.0.0.1');
  });

  it('IP trust of a CDN range: anyone who can send through that CDN can forge what the CDN forwards', () => {
    // An attacker's own distribution on the same CDN connects from a trusted CDN address.
    const { info } = run({ trustedHeaders: ['CF-Connecting-IP'], trustedProxies: '10.0.0.0/8' }, [
      ['CF-Connecting-IP', '192.0.2.1'],
    ]);
    expect(info.remoteAddress).toBe('192.0.2.1');
  });
});
