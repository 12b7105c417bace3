/**
 * createResolver() (R18) with Node's own Request and Response: what the returned Request
 * carries, what it keeps, and what it never lets through.
 */
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  createResolver,
  type FetchTransport,
  type ProxyInfo,
  proxyInfo,
  type Resolved,
  reconstructUrl,
  TrustedProxyConfigError,
  type TrustedProxyOptions,
  trustedProxy,
} from '../../src/index.js';

const OPTIONS: TrustedProxyOptions<Request> = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
  trustedProxies: ['10.0.0.0/8'],
};
const PROXY = { peer: '10.0.0.5' };

function forwarded(init: RequestInit = {}, url = 'http://backend:8000/api/items?id=1'): Request {
  return new Request(url, {
    ...init,
    headers: {
      'X-Forwarded-For': '6.6.6.6, 203.0.113.7',
      'X-Forwarded-Host': 'shop.example',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Prefix': '/store',
      'X-Real-IP': '9.9.9.9',
      Accept: 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

describe('createResolver() › configuration', () => {
  it('throws the same TrustedProxyConfigError as trustedProxy() for the same mistake', () => {
    const bad = { trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' };
    let fromMiddleware: unknown;
    try {
      trustedProxy(bad);
    } catch (err) {
      fromMiddleware = err;
    }
    expect(() => createResolver(bad)).toThrow(TrustedProxyConfigError);
    expect(() => createResolver(bad)).toThrow((fromMiddleware as Error).message);
    expect(() =>
      createResolver({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '0.0.0.0/0' }),
    ).toThrow(/0\.0\.0\.0\/0/);
    expect(() => createResolver({ ...OPTIONS, allowedHosts: ['a..b'] } as never)).toThrow(
      TrustedProxyConfigError,
    );
  });
});

describe('createResolver() › the returned Request', () => {
  const resolve = createResolver(OPTIONS);

  it('has the public origin and the original path and query, without the prefix', () => {
    const { request, info } = resolve(forwarded(), PROXY);
    expect(request.url).toBe('https://shop.example/api/items?id=1');
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.prefix).toBe('/store');
  });

  it('has R11 applied to its headers and Host = info.host', () => {
    const { request } = resolve(forwarded(), PROXY);
    expect(request.headers.get('host')).toBe('shop.example');
    expect(request.headers.get('x-forwarded-for')).toBe('203.0.113.7');
    expect(request.headers.get('x-real-ip')).toBeNull();
    expect(request.headers.get('accept')).toBe('application/json');
  });

  it('proxyInfo() and reconstructUrl() (prefix included) work on it', () => {
    const { request, info } = resolve(forwarded(), PROXY);
    expect(proxyInfo(request)).toBe(info);
    expect(reconstructUrl(request)).toBe('https://shop.example/store/api/items?id=1');
    expect(reconstructUrl(request, '/login')).toBe('https://shop.example/store/login');
  });

  it('keeps its ProxyInfo, URL and headers through clone()', async () => {
    const { request, info } = resolve(forwarded({ method: 'POST', body: 'payload' }), PROXY);
    const copy = request.clone();
    expect(copy).not.toBe(request);
    expect(copy.url).toBe('https://shop.example/api/items?id=1');
    expect(copy.headers.get('x-real-ip')).toBeNull();
    expect(proxyInfo(copy)).toBe(info);
    expect(reconstructUrl(copy.clone())).toBe('https://shop.example/store/api/items?id=1');
    expect(await copy.text()).toBe('payload');
    expect(await request.text()).toBe('payload');
  });

  it('carries method, body and signal over', async () => {
    const controller = new AbortController();
    const { request } = resolve(
      forwarded({ method: 'PUT', body: JSON.stringify({ a: 1 }), signal: controller.signal }),
      PROXY,
    );
    expect(request.method).toBe('PUT');
    expect(await request.json()).toEqual({ a: 1 });
    expect(request.signal.aborted).toBe(false);
    controller.abort();
    expect(request.signal.aborted).toBe(true);
  });

  it('carries a streamed body over (duplex: half)', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('chunk 1, '));
        c.enqueue(new TextEncoder().encode('chunk 2'));
        c.close();
      },
    });
    const { request } = resolve(
      forwarded({ method: 'POST', body: stream, duplex: 'half' } as RequestInit),
      PROXY,
    );
    expect(await request.text()).toBe('chunk 1, chunk 2');
  });

  it('still strips forwarding headers when the body was already read', async () => {
    const incoming = forwarded({ method: 'POST', body: 'x' });
    await incoming.text();
    const { request } = resolve(incoming, PROXY);
    expect(request).not.toBe(incoming);
    expect(request.headers.get('x-real-ip')).toBeNull();
    expect(request.url).toBe('https://shop.example/api/items?id=1');
  });

  it('is the same Request when nothing changes (no forwarding headers, Host = URL)', () => {
    const incoming = new Request('http://shop.example/a?b=1', { headers: { Host: 'shop.example' } });
    const { request, info } = resolve(incoming, PROXY);
    expect(request).toBe(incoming);
    expect(proxyInfo(incoming)).toBe(info);
    expect(info.applied).toEqual([]);
  });

  it('takes Host from the URL when the runtime keeps it out of Headers', () => {
    const incoming = new Request('http://shop.example:8080/a');
    const { request, info } = resolve(incoming, PROXY);
    expect(info.host).toBe('shop.example:8080');
    expect(request).toBe(incoming);
  });

  it('is a response-compatible Request (Node Response echoes its body)', async () => {
    const { request } = resolve(forwarded({ method: 'POST', body: 'echo' }), PROXY);
    const response = new Response(request.body, { headers: { 'x-url': request.url } });
    expect(await response.text()).toBe('echo');
    expect(response.headers.get('x-url')).toBe('https://shop.example/api/items?id=1');
  });
});

describe('createResolver() › transport', () => {
  const resolve = createResolver(OPTIONS);

  it('an untrusted peer gets nothing trusted and every forwarding header removed', () => {
    const { request, info } = resolve(forwarded(), { peer: '203.0.113.99' });
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBe('203.0.113.99');
    expect(request.url).toBe('http://backend:8000/api/items?id=1');
    expect([...request.headers.keys()].filter((k) => k.startsWith('x-'))).toEqual([]);
    expect(info.rejected.every((e) => e.reason === 'untrusted-peer')).toBe(true);
  });

  it('peer undefined is never trusted', () => {
    const { info } = resolve(forwarded(), { peer: undefined });
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBeUndefined();
  });

  it('an IPv4-mapped peer is normalised', () => {
    const { info } = resolve(forwarded(), { peer: '::ffff:10.0.0.5' });
    expect(info.trusted).toBe(true);
    expect(info.peerAddress).toBe('10.0.0.5');
  });

  it('tls defaults to the URL scheme and can be given', () => {
    const plain = createResolver({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.5' });
    expect(plain(new Request('https://a.example/x'), PROXY).info.protocol).toBe('https');
    expect(plain(new Request('http://a.example/x'), PROXY).info.protocol).toBe('http');
    const told = plain(new Request('http://a.example/x'), { ...PROXY, tls: true });
    expect(told.info.protocol).toBe('https');
    expect(told.request.url).toBe('https://a.example/x');
  });

  it('joined Forwarded fails closed; transport.rawHeaders restores per-line parsing', () => {
    const rfc = createResolver({ trustedHeaders: ['Forwarded'], trustedProxies: '10.0.0.5' });
    const lines = [
      'Host',
      'shop.example',
      'Forwarded',
      'for="unterminated',
      'Forwarded',
      'for=198.51.100.1;proto=https',
    ];
    const build = () => {
      const headers = new Headers();
      for (let i = 0; i < lines.length; i += 2) headers.append(lines[i]!, lines[i + 1]!);
      return new Request('http://shop.example/', { headers });
    };
    const joined = rfc(build(), PROXY);
    expect(joined.info.remoteAddress).toBe('10.0.0.5');
    expect(joined.info.protocol).toBe('http');
    expect(joined.info.rejected.map((e) => e.reason)).toEqual(['malformed-forwarded']);
    expect(joined.request.headers.get('forwarded')).toBeNull();
    const perLine = rfc(build(), { ...PROXY, rawHeaders: lines });
    expect(perLine.info.remoteAddress).toBe('198.51.100.1');
    expect(perLine.request.url).toBe('https://shop.example/');
    expect(perLine.request.headers.get('forwarded')).toBe('for=198.51.100.1;proto=https');
    expect(lines).toHaveLength(6);
  });

  it('resolving twice returns the first ProxyInfo and the same Request (R13)', () => {
    const first = resolve(forwarded(), PROXY);
    const again = resolve(first.request, { peer: '203.0.113.99' });
    expect(again.info).toBe(first.info);
    expect(again.request).toBe(first.request);
  });

  it('reports hostAllowed = false instead of throwing, and answers nothing itself', () => {
    const strict = createResolver({ ...OPTIONS, allowedHosts: ['*.example.com'] });
    const { info } = strict(forwarded(), PROXY);
    expect(info.hostAllowed).toBe(false);
    expect(info.rejected.map((e) => e.reason)).toContain('host-not-allowed');
  });

  it('calls onReject with the incoming Request and swallows its exceptions', () => {
    const onReject = vi.fn(() => {
      throw new Error('logger down');
    });
    const logged = createResolver({ ...OPTIONS, onReject });
    const incoming = forwarded();
    const { info } = logged(incoming, PROXY);
    expect(onReject).toHaveBeenCalledTimes(info.rejected.length);
    expect(onReject).toHaveBeenCalledWith(
      { header: 'x-real-ip', value: '9.9.9.9', reason: 'not-trusted-header' },
      incoming,
    );
  });
});

describe('reconstructUrl() on an unresolved Request', () => {
  it('uses the URL scheme and Host, never a forwarding header (R15)', () => {
    const request = new Request('https://internal:8443/p%20q?x=1', {
      headers: { 'X-Forwarded-Host': 'evil.example', Host: 'internal:8443' },
    });
    expect(proxyInfo(request)).toBeUndefined();
    expect(reconstructUrl(request)).toBe('https://internal:8443/p%20q?x=1');
    expect(reconstructUrl(request, '/next')).toBe('https://internal:8443/next');
  });
});

describe('createResolver() › types', () => {
  it('resolve(request, transport) returns { request: Request, info: ProxyInfo }; onReject gets the Request', () => {
    const resolve = createResolver({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: 'loopback',
      onReject: (event, request) => {
        expectTypeOf(request).toEqualTypeOf<Request>();
        expectTypeOf(event.reason).toBeString();
      },
    });
    expectTypeOf(resolve).parameters.toEqualTypeOf<[Request, FetchTransport]>();
    expectTypeOf(resolve).returns.toEqualTypeOf<Resolved>();
    expectTypeOf<Resolved['info']>().toEqualTypeOf<ProxyInfo>();
    expectTypeOf<FetchTransport['peer']>().toEqualTypeOf<string | undefined>();
    expect(resolve(new Request('http://a.example/'), { peer: '127.0.0.1' }).info.host).toBe('a.example');
  });
});
