/**
 * The fetch edge (R18) from what a `Request` and its transport carry: a Host header that
 * differs from the URL's authority, URLs without an authority or without one at all, the
 * transport's TLS flag against the URL's scheme, a Request-like object whose URL carries
 * credentials, and a URL whose port the resolved Host does not have.
 */
import { describe, expect, it } from 'vitest';
import { createResolver, proxyInfo, reconstructUrl } from '../../../src/index.js';

const resolve = createResolver({
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host'],
  trustedProxies: ['10.0.0.0/8'],
});

describe('fetchFacts', () => {
  it('a Host header wins over the URL authority it was not built from', () => {
    const request = new Request('http://backend:8000/items', { headers: { host: 'public.example' } });
    const { request: out, info } = resolve(request, { peer: '192.0.2.1' });
    expect(info.host).toBe('public.example');
    expect(out.url).toBe('http://public.example/items');
    expect(out.headers.get('host')).toBe('public.example');
  });

  it('without a Host header the URL authority is the Host', () => {
    const { info } = resolve(new Request('http://backend:8000/items'), { peer: '192.0.2.1' });
    expect(info.host).toBe('backend:8000');
    expect(info.rejected).toEqual([]);
  });

  it('an empty authority (file:///) is no Host: the local address is the last resort (R10)', () => {
    const { request, info } = resolve(new Request('file:///srv/page'), {
      peer: '192.0.2.1',
      localAddress: '198.51.100.4',
      localPort: 8080,
    });
    expect(info.host).toBe('198.51.100.4:8080');
    expect(info.rejected).toEqual([]);
    expect(request.url).toBe('http://198.51.100.4:8080/srv/page');
    expect(request.headers.get('host')).toBe('198.51.100.4:8080');
  });

  it('an IPv6 local address is bracketed, and a request on it is never from a UNIX socket', () => {
    const unixTrusted = createResolver({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['unix'] });
    const { info } = unixTrusted(
      new Request('file:///x', { headers: { 'x-forwarded-for': '203.0.113.9' } }),
      {
        peer: undefined,
        localAddress: '::1',
        localPort: 9000,
      },
    );
    expect(info.host).toBe('[::1]:9000');
    // peer undefined on a Request is not a UNIX socket: nothing is trusted.
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBeUndefined();
    expect(info.applied).toEqual([]);
  });

  it('a URL without an authority or a path (data:) keeps no stray character and no Host', () => {
    const { request, info } = resolve(new Request('data:,x'), {
      peer: '192.0.2.1',
      localAddress: '10.9.9.9',
    });
    expect(info.rejected).toEqual([]);
    expect(info.host).toBe('10.9.9.9');
    expect(request.url).toBe('http://10.9.9.9/');
  });

  it('transport.tls decides the scheme whatever the URL says', () => {
    expect(resolve(new Request('http://a.example/'), { peer: '192.0.2.1', tls: true }).info.protocol).toBe(
      'https',
    );
    expect(resolve(new Request('https://a.example/'), { peer: '192.0.2.1', tls: false }).info.protocol).toBe(
      'http',
    );
    expect(resolve(new Request('https://a.example/'), { peer: '192.0.2.1' }).info.protocol).toBe('https');
    expect(resolve(new Request('http://a.example/'), { peer: '192.0.2.1' }).info.protocol).toBe('http');
  });

  it('a Request-like object whose URL carries credentials: the host is after the last @', () => {
    const like = { url: 'http://user:p%40ss@shop.example:81/a/b?q=1', headers: new Headers(), method: 'GET' };
    expect(reconstructUrl(like as unknown as Request)).toBe('http://shop.example:81/a/b?q=1');
    const at = { url: 'http://shop.example/a@b', headers: new Headers(), method: 'GET' };
    expect(reconstructUrl(at as unknown as Request)).toBe('http://shop.example/a@b');
  });
});

describe('createResolver', () => {
  it('rebuilds a URL that starts with the origin but has a port the Host does not', () => {
    const request = new Request('http://shop.example:8000/x?y=1', { headers: { host: 'shop.example' } });
    const { request: out, info } = resolve(request, { peer: '192.0.2.1' });
    expect(info.host).toBe('shop.example');
    expect(out).not.toBe(request);
    expect(out.url).toBe('http://shop.example/x?y=1');
    expect(proxyInfo(out)).toBe(info);
    expect(reconstructUrl(out)).toBe('http://shop.example/x?y=1');
  });

  it('rebuilds a URL whose host only starts with the Host', () => {
    const request = new Request('http://shop.example.evil/x', { headers: { host: 'shop.example' } });
    const { request: out } = resolve(request, { peer: '192.0.2.1' });
    expect(out.url).toBe('http://shop.example/x');
  });

  it('keeps the same Request when nothing changes', () => {
    const request = new Request('http://shop.example/x');
    const { request: out, info } = resolve(request, { peer: '192.0.2.1' });
    expect(out).toBe(request);
    expect(proxyInfo(request)).toBe(info);
  });
});

describe('a peer that is not a string (plain JavaScript callers)', () => {
  it('null or a number names no peer: nothing is trusted, nothing throws', () => {
    for (const peer of [null, 42, {}]) {
      const { info } = resolve(
        new Request('http://app.internal/', { headers: { 'x-forwarded-for': '203.0.113.7' } }),
        { peer } as unknown as { peer: string },
      );
      expect(info.trusted).toBe(false);
      expect(info.peerAddress).toBeUndefined();
      expect(info.remoteAddress).toBeUndefined();
    }
  });
});
